#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "azure/cloud.h"
#include "azure/rescue.h"
#include "core/remedy.h"
#include "ev/loop.h"
#include "ev/sig.h"
#include "probe/localfix.h"
#include "util/clock.h"

#define MAX_FDS 16

/* A remedy chosen on the screen: offered (its preview in m->offer), applied on the loop,
 * then a new round shows what it did.  One on this machine (local) is applied at once: a
 * few file changes, no network. */
struct loop_fix {
	struct cloud_fix fx;
	struct local_fix lx;
	bool planned, local, applying, reprobing;
};

/* The remedy of the offer on the screen: for the menu's undo entry, the one it takes back. */
static int offer_remedy(const struct loop_fix *lf, const struct model *m)
{
	return m->offer.id == UI_FIX_UNDO && lf->planned && !lf->local ? (int)lf->fx.id : m->offer.id;
}

static void fix_drop(struct loop_fix *lf, struct model *m)
{
	if (lf->planned && !lf->local)
		cloud_fix_free(&lf->fx);
	lf->planned = lf->local = false;
	m->offer.id = -1;
	m->generation++;
}

static void fix_plan(struct loop_fix *lf, struct engine *e, struct model *m, int id)
{
	struct remedy_offer *o = &m->offer;
	const char *slash = strrchr(m->target.azure_vm, '/');

	fix_drop(lf, m);
	memset(o, 0, sizeof(*o));
	o->id = id;
	if (!m->done || lf->applying)
		snprintf(o->error, sizeof(o->error), "the triage is still running: wait for its verdict");
	else if (id == UI_FIX_UNDO) {
		if (engine_undo_plan(e, &lf->fx, o->error, sizeof(o->error)) == 0) {
			lf->planned = o->ready = true;
			cloud_fix_text(&lf->fx, o->text, sizeof(o->text));
			snprintf(o->confirm, sizeof(o->confirm), "yes");
		}
	} else if (remedy_how((enum remedy_id)id) == REMEDY_LOCAL) {
		if (engine_local_fix_plan(e, m, (enum remedy_id)id, &lf->lx, o->error,
					  sizeof(o->error)) == 0) {
			lf->planned = lf->local = o->ready = true;
			localfix_text(&lf->lx, o->text, sizeof(o->text));
			snprintf(o->confirm, sizeof(o->confirm), "yes");
		}
	} else if (engine_fix_plan(e, m, (enum remedy_id)id, &lf->fx, o->error, sizeof(o->error)) == 0) {
		lf->planned = o->ready = true;
		cloud_fix_text(&lf->fx, o->text, sizeof(o->text));
		snprintf(o->confirm, sizeof(o->confirm), "%.60s", slash ? slash + 1 : "yes");
	}
	m->generation++;
}

static void fix_audit(struct loop_fix *lf, struct model *m, int id, const char *outcome,
		      const char *status)
{
	char err[300];

	if (cloud_fix_audit(m, (enum remedy_id)id, lf->planned && !lf->local ? &lf->fx : NULL,
			    outcome, status, err, sizeof(err)) != 0)
		model_log(m, "audit log: %.140s", err);
}

static void fix_apply(struct loop_fix *lf, struct engine *e, struct model *m)
{
	char err[CHECK_SUMMARY_LEN];
	int id = offer_remedy(lf, m);

	if (!lf->planned || id < 0)
		return;
	if (lf->local) {
		/* done (or failed) at once; fix_progress audits it and starts the new round */
		engine_local_fix_apply(e, m, &lf->lx, err, sizeof(err));
		lf->applying = true;
		m->offer.id = -1;
		return;
	}
	if (engine_rescue_busy(e))   /* one Run Command at a time, and a remedy may be one */
		snprintf(err, sizeof(err), "a rescue console command is running: try again after it");
	if (engine_rescue_busy(e) || engine_fix_start(e, m, &lf->fx, err, sizeof(err)) != 0) {
		m->fix.id = id;
		m->fix.state = ST_FAIL;
		m->fix.round = m->round;
		snprintf(m->fix.status, sizeof(m->fix.status), "not started: %.200s", err);
		fix_audit(lf, m, id, "failed", err);
		fix_drop(lf, m);
		return;
	}
	lf->applying = true;
	m->offer.id = -1;
}

/* After each event: a remedy that ended is logged and followed by a new round. */
static void fix_progress(struct loop_fix *lf, struct engine *e, struct model *m)
{
	if (lf->applying && m->done && m->fix.state != ST_RUNNING) {
		bool ok = m->fix.state == ST_OK;

		lf->applying = false;
		fix_audit(lf, m, m->fix.id, ok ? "applied" : "failed", m->fix.status);
		fix_drop(lf, m);
		if (ok) {
			engine_start(e, m);              /* and see whether it worked */
			m->fix.round = m->round;
			lf->reprobing = true;
			snprintf(m->fix.status, sizeof(m->fix.status), "applied in %ld.%ld s; probing "
				 "again...", m->fix.elapsed_ms / 1000, m->fix.elapsed_ms % 1000 / 100);
		} else {
			m->fix.round = m->round;
		}
		m->generation++;
	}
	if (lf->reprobing && m->done) {
		lf->reprobing = false;
		if (m->reachable)
			snprintf(m->fix.status, sizeof(m->fix.status), "applied in %ld.%ld s: the path "
				 "works now", m->fix.elapsed_ms / 1000, m->fix.elapsed_ms % 1000 / 100);
		else
			snprintf(m->fix.status, sizeof(m->fix.status), "applied; still failing at %s: "
				 "%.160s", m->verdict.present ? comp_name(m->verdict.comp) : "?",
				 m->verdict.summary);
		m->generation++;
	}
}

/* The rescue console: a command typed on the screen runs on the VM by Run Command; one at
 * a time (Azure refuses a second), so the next one waits here, and so does a rerun (a
 * round's start would cancel the call, and its own Run Command would be refused). */
struct loop_rescue {
	char cmd[RESCUE_CMD_MAX];    /* the command that waits */
	bool queued, rerun;
};

static bool rescue_can_start(struct engine *e, const struct loop_fix *lf)
{
	return !engine_rescue_busy(e) && !engine_busy(e) && !lf->applying && !lf->reprobing;
}

static void rescue_run(struct engine *e, struct model *m, const char *cmd)
{
	char err[CHECK_SUMMARY_LEN], line[CHECK_SUMMARY_LEN + RESCUE_CMD_MAX + 32];

	if (engine_rescue_start(e, m, cmd, err, sizeof(err)) != 0) {
		snprintf(line, sizeof(line), "$ %s\n[not run: %s]\n", cmd, err);
		model_rescue_append(m, line, strlen(line));
	}
}

static void rescue_ask(struct loop_rescue *lr, struct engine *e, struct model *m,
		       const struct loop_fix *lf, const char *cmd)
{
	char line[RESCUE_CMD_MAX + 64];

	if (rescue_can_start(e, lf) && !lr->queued) {
		rescue_run(e, m, cmd);
		return;
	}
	if (lr->queued) {        /* the screen allows one waiting command; say so anyway */
		snprintf(line, sizeof(line), "$ %s\n[not run: one command waits already]\n", cmd);
		model_rescue_append(m, line, strlen(line));
		return;
	}
	snprintf(lr->cmd, sizeof(lr->cmd), "%s", cmd);
	lr->queued = m->rescue.queued = true;
	m->generation++;
}

/* After each event: the queued command once nothing else runs, then a rerun that waited. */
static void rescue_progress(struct loop_rescue *lr, struct engine *e, struct model *m,
			    const struct loop_fix *lf)
{
	if (lr->queued && rescue_can_start(e, lf)) {
		lr->queued = m->rescue.queued = false;
		m->generation++;
		rescue_run(e, m, lr->cmd);
		memset(lr->cmd, 0, sizeof(lr->cmd));
	}
	if (lr->rerun && !lr->queued && !engine_rescue_busy(e) && !lf->applying &&
	    !lf->reprobing) {
		lr->rerun = false;
		engine_start(e, m);
	}
}

/* Acts on the signals in set; returns the one that ends the program, or 0. */
static int loop_signals(struct ui *ui, unsigned set)
{
	static const int ending[] = {SIGHUP, SIGINT, SIGTERM, SIGQUIT};

	for (size_t i = 0; i < sizeof(ending) / sizeof(ending[0]); i++)
		if (set & SIG_BIT(ending[i]))
			return ending[i];
	if (set & SIG_BIT(SIGTSTP)) {
		ui_suspend(ui);
		sig_stop_self();
		/* the SIGCONT that woke us is in the pipe already: it is this resume's */
		set = sig_drain();
		ui_resume(ui);
		return loop_signals(ui, set & ~SIG_BIT(SIGCONT));
	}
	if (set & SIG_BIT(SIGCONT))
		ui_resume(ui);
	return 0;
}

static enum loop_end loop_run_fix(struct engine *e, struct model *m, struct ui *ui, int *sig,
				  struct loop_fix *lf, struct loop_rescue *lr);

enum loop_end loop_run(struct engine *e, struct model *m, struct ui *ui, int *sig)
{
	struct loop_fix lf;
	struct loop_rescue lr;
	enum loop_end end;

	memset(&lf, 0, sizeof(lf));
	memset(&lr, 0, sizeof(lr));
	end = loop_run_fix(e, m, ui, sig, &lf, &lr);
	if (lf.planned && !lf.local)
		cloud_fix_free(&lf.fx);
	if (lf.applying)   /* the change may go on in Azure: the log says so */
		fix_audit(&lf, m, m->fix.id, "interrupted", "the program ended while Azure worked on it");
	if (engine_rescue_busy(e))
		rescue_audit(m, "interrupted", "the program ended while the command ran on the VM");
	return end;
}

static enum loop_end loop_run_fix(struct engine *e, struct model *m, struct ui *ui, int *sig,
				  struct loop_fix *lf, struct loop_rescue *lr)
{
	long long last_paint = 0;
	bool dirty = true;       /* something may need painting */

	*sig = 0;
	for (;;) {
		struct pollfd fds[MAX_FDS];
		int n = 0, nw, ui_i = -1, sig_i, timeout = engine_timeout(e);
		int rt = engine_rescue_tick(e, m);   /* its elapsed time, once a second */
		long long now = clock_ms();

		if (rt >= 0 && (timeout < 0 || rt < timeout))
			timeout = rt;

		if (!ui && m->done)
			return LOOP_DONE;
		if (ui) {
			/* Capped repaint: at most one frame per UI_REPAINT_MS, and none at all
			 * while nothing changed (ui_draw checks the generation). */
			long long wait = last_paint + UI_REPAINT_MS - now;

			if (dirty && wait <= 0) {
				if (ui_draw(ui, m))
					last_paint = now;
				dirty = false;
			} else if (dirty && (timeout < 0 || wait < timeout)) {
				timeout = (int)wait;
			}
			ui_i = n;
			fds[n].fd = ui_fd(ui);
			fds[n].events = POLLIN;
			fds[n].revents = 0;
			n++;
		}
		sig_i = n;
		fds[n].fd = sig_fd();
		fds[n].events = POLLIN;
		fds[n].revents = 0;
		n++;
		nw = engine_pollfds(e, fds + n, MAX_FDS - n);
		for (int i = n; i < n + nw; i++)
			fds[i].revents = 0;
		if (poll(fds, (nfds_t)(n + nw), timeout) < 0) {
			if (errno != EINTR)
				return LOOP_QUIT;
			/* a signal curses handles (SIGWINCH): ui_draw() notices the new size */
			dirty = true;
			continue;
		}
		if (fds[sig_i].revents & POLLIN) {
			*sig = loop_signals(ui, sig_drain());
			if (*sig)
				return LOOP_SIGNAL;
		}
		engine_handle(e, fds + n, nw, m);
		fix_progress(lf, e, m);
		rescue_progress(lr, e, m, lf);
		dirty = true;
		if (ui_i >= 0 && (fds[ui_i].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))) {
			enum ui_action act = ui_input(ui, m);

			/* a dropped line ends the program as its SIGHUP would, and never spins */
			if (act == UI_HANGUP || (fds[ui_i].revents & (POLLHUP | POLLERR | POLLNVAL))) {
				*sig = SIGHUP;
				return LOOP_SIGNAL;
			}
			if (act == UI_QUIT)
				return LOOP_QUIT;
			if (act == UI_RERUN && (lf->applying || lf->reprobing))
				model_log(m, "a remedy is under way: the rerun waits for it");
			else if (act == UI_RERUN && (engine_rescue_busy(e) || lr->queued)) {
				lr->rerun = true;
				model_log(m, "a rescue command is running: the rerun waits for it");
			} else if (act == UI_RERUN)
				engine_start(e, m);
			else if (act == UI_RESCUE_RUN)
				rescue_ask(lr, e, m, lf, ui_rescue_command(ui));
			else if (act == UI_FIX_PLAN)
				fix_plan(lf, e, m, ui_fix_choice(ui));
			else if (act == UI_FIX_APPLY) {
				fix_apply(lf, e, m);
				fix_progress(lf, e, m);   /* a local one is done already */
			}
			else if (act == UI_FIX_CANCEL) {
				if (lf->planned)
					fix_audit(lf, m, offer_remedy(lf, m), "refused", "not confirmed on the screen");
				fix_drop(lf, m);
			}
		}
	}
}
