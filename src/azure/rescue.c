/* rescue: see rescue.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azure/cloud_priv.h"
#include "azure/rescue.h"
#include "util/audit.h"
#include "util/clock.h"

/* What the wrapper prints after the command, after a newline of its own (the output may
 * not end with one), to carry its exit status back: Run Command reports none for a script
 * that ran. */
#define RC_KEY "__sshtriage_rc"
#define RC_MARK RC_KEY "="

bool rescue_busy(const struct cloud *c)
{
	return c && c->rescuing;
}

void rescue_audit(struct model *m, const char *outcome, const char *status)
{
	char req[1100], err[300];

	/* Neither the command nor its output goes to the audit log: an operator at a rescue
	 * console types passwords, tokens and keys into commands, and output echoes files.
	 * The log says that a command ran, on which VM, and how it ended — what an auditor
	 * needs to ask the operator about it. */
	snprintf(req, sizeof(req), "Run Command on %.1000s (rescue console; command not logged)",
		 m->target.azure_vm);
	if (audit_append(m, "rescue.command", req, outcome, status, err, sizeof(err)) != 0)
		model_log(m, "audit log: %.140s", err);
}

static void put(struct model *m, const char *s)
{
	model_rescue_append(m, s, strlen(s));
}

/* Appends text with a newline at its end when it lacks one. */
static void put_block(struct model *m, const char *s, size_t n)
{
	if (!n)
		return;
	model_rescue_append(m, s, n);
	if (s[n - 1] != '\n')
		put(m, "\n");
}

/* The command's time so far, as "12.3 s". */
static void took(const struct cloud *c, char *buf, size_t len)
{
	long ms = (long)(clock_ms() - c->rescue_started);

	snprintf(buf, len, "%ld.%ld s", ms / 1000, ms % 1000 / 100);
}

/* outcome for the audit log: "ran" when the command ran and gave its exit status (0 or
 * not), "failed" when Run Command failed or the command did not finish. */
static void rescue_end(struct cloud *c, enum state st, const char *outcome, const char *status)
{
	struct model *m = c->m;
	char line[CHECK_SUMMARY_LEN + 8];

	c->rescuing = false;
	m->rescue.state = st;
	m->rescue.elapsed_ms = (long)(clock_ms() - c->rescue_started);
	snprintf(m->rescue.status, sizeof(m->rescue.status), "%s", status);
	snprintf(line, sizeof(line), "[%s]\n", m->rescue.status);
	put(m, line);
	rescue_audit(m, outcome, m->rescue.status);
}

static void on_rescue(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	struct runcmd_result out;
	char why[300], rc[16] = "", t[32], status[CHECK_SUMMARY_LEN];
	size_t n;

	if (!c->rescuing)
		return;      /* given up already (rescue_tick) */
	took(c, t, sizeof(t));
	if (!cloud_run_output(r, &out, why, sizeof(why))) {
		snprintf(status, sizeof(status), "%.200s (after %s)", why, t);
		rescue_end(c, ST_FAIL, "failed", status);
		return;
	}
	/* stdout without the wrapper's status line, which ends it */
	n = out.out_len;
	if (out.out) {
		char *mark = NULL;

		for (char *p = strstr(out.out, RC_MARK); p; p = strstr(p + 1, RC_MARK))
			if (p == out.out || p[-1] == '\n')
				mark = p;
		if (mark) {
			runcmd_field(mark, RC_KEY, rc, sizeof(rc));
			n = (size_t)(mark - out.out);
			n -= n > 0;      /* the newline the wrapper put before it */
		}
	}
	put_block(c->m, out.out, n);
	if (out.err && out.err_len) {
		put(c->m, "[stderr]\n");
		put_block(c->m, out.err, out.err_len);
	}
	if (rc[0])
		snprintf(status, sizeof(status), "exit status %.8s in %s", rc, t);
	else
		snprintf(status, sizeof(status), "no exit status: the command did not finish (killed "
			 "at the time limit, or it ended the shell) after %s", t);
	rescue_end(c, strcmp(rc, "0") == 0 ? ST_OK : ST_FAIL, rc[0] ? "ran" : "failed", status);
	runcmd_free(&out);
}

int rescue_start(struct cloud *c, struct model *m, const char *cmd, char *err, size_t errlen)
{
	char script[RESCUE_CMD_MAX + 64], line[RESCUE_CMD_MAX + 8];

	if (c->rescuing || c->fixing || c->jobs) {
		snprintf(err, errlen, "Azure runs one Run Command at a time: wait for the one under way");
		return -1;
	}
	if (!cmd[0] || strlen(cmd) >= RESCUE_CMD_MAX) {
		snprintf(err, errlen, "a command of 1 to %d characters", RESCUE_CMD_MAX - 1);
		return -1;
	}
	for (const char *p = cmd; *p; p++)
		if ((unsigned char)*p < 32 || *p == 127) {
			snprintf(err, errlen, "one line of printable characters");
			return -1;
		}
	/* a subshell, so that "exit 3" or a failing command still lets the status line run */
	snprintf(script, sizeof(script), "(\n%s\n)\nprintf '\\n" RC_MARK "%%s\\n' \"$?\"", cmd);
	c->m = m;
	if (cloud_run_command(c, c->vm_id, script, on_rescue, err, errlen) != 0)
		return -1;
	c->rescuing = true;
	c->rescue_started = clock_ms();
	c->rescue_shown_s = 0;
	m->rescue.state = ST_RUNNING;
	m->rescue.elapsed_ms = 0;
	snprintf(m->rescue.status, sizeof(m->rescue.status), "running");
	snprintf(line, sizeof(line), "$ %s\n", cmd);
	put(m, line);
	return 0;
}

int rescue_tick(struct cloud *c, struct model *m)
{
	long long ms;

	if (!c || !c->rescuing)
		return -1;
	c->m = m;
	ms = clock_ms() - c->rescue_started;
	if (ms >= RESCUE_WAIT_MS) {
		char t[32], status[CHECK_SUMMARY_LEN];

		took(c, t, sizeof(t));
		snprintf(status, sizeof(status), "no answer from Azure after %s: it may still run "
			 "on the VM", t);
		rescue_end(c, ST_FAIL, "failed", status);
		return -1;
	}
	if (ms / 1000 != c->rescue_shown_s) {
		c->rescue_shown_s = (long)(ms / 1000);
		m->rescue.elapsed_ms = (long)ms;
		m->generation++;
	}
	return (int)(1000 - ms % 1000);
}
