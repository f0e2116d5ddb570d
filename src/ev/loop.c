#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <poll.h>

#include "ev/loop.h"
#include "ev/sig.h"
#include "util/clock.h"

#define MAX_FDS 16

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

enum loop_end loop_run(struct engine *e, struct model *m, struct ui *ui, int *sig)
{
	long long last_paint = 0;
	bool dirty = true;       /* something may need painting */

	*sig = 0;
	for (;;) {
		struct pollfd fds[MAX_FDS];
		int n = 0, nw, ui_i = -1, sig_i, timeout = engine_timeout(e);
		long long now = clock_ms();

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
			if (act == UI_RERUN)
				engine_start(e, m);
		}
	}
}
