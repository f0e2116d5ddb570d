#include "config.h"

#include <stdlib.h>

#include "core/model.h"
#include "util/history.h"
#include "util/textview.h"
#include "tap.h"

static void test_lines(void)
{
	struct tv_lines x = {0};
	const char *t = "one\r\ntwo\n\nfour";
	size_t n, at;

	ok(tv_index(&x, t, strlen(t)) == 0 && x.n == 4, "four lines, the last without a newline");
	at = tv_line(&x, t, strlen(t), 0, &n);
	ok(at == 0 && n == 3, "CR LF is not part of the line");
	at = tv_line(&x, t, strlen(t), 2, &n);
	ok(at == 9 && n == 0, "an empty line");
	at = tv_line(&x, t, strlen(t), 3, &n);
	ok(at == 10 && n == 4, "the last line");
	tv_line(&x, t, strlen(t), 4, &n);
	ok(n == 0, "past the end: nothing");
	ok(tv_index(&x, "a\n", 2) == 0 && x.n == 1, "a trailing newline makes no empty line");
	ok(tv_index(&x, "", 0) == 0 && x.n == 0, "no text, no line");
	tv_free(&x);
	tv_free(&x);
	ok(x.off == NULL, "tv_free twice is fine");
}

static void test_scroll(void)
{
	ok(tv_clamp(-5, 100, 20) == 0, "top never below 0");
	ok(tv_clamp(95, 100, 20) == 80, "the last page stays full");
	ok(tv_clamp(3, 10, 20) == 0, "a short text starts at the top");
	ok(tv_clamp(3, 10, 0) == 3, "no rows: treated as one");
	ok(tv_show(0, 50, 100, 20, 2) == 33, "a line below brought up, two lines of context after it");
	ok(tv_show(60, 50, 100, 20, 2) == 48, "a line above brought down, two lines before it");
	ok(tv_show(40, 50, 100, 20, 2) == 40, "a visible line moves nothing");
	ok(tv_show(0, 99, 100, 20, 2) == 80, "the last line: the last page");
	ok(tv_show(0, 5, 100, 1, 2) == 5, "one row: the line itself");
}

static void test_find(void)
{
	struct tv_lines x = {0};
	const char *t = "boot\nYou are in EMERGENCY mode\nfoo\nemergency again\nend";
	bool w;

	tv_index(&x, t, strlen(t));
	ok(tv_find(&x, t, strlen(t), "emergency", 0, 1, &w) == 1 && !w, "found, case ignored");
	ok(tv_find(&x, t, strlen(t), "emergency", 2, 1, &w) == 3 && !w, "next from below the first");
	ok(tv_find(&x, t, strlen(t), "emergency", 4, 1, &w) == 1 && w, "wraps past the end");
	ok(tv_find(&x, t, strlen(t), "emergency", 2, -1, &w) == 1 && !w, "backwards");
	ok(tv_find(&x, t, strlen(t), "emergency", 0, -1, &w) == 3 && w, "backwards wraps");
	ok(tv_find(&x, t, strlen(t), "nothere", 0, 1, &w) == -1, "not found");
	ok(tv_find(&x, t, strlen(t), "", 0, 1, &w) == -1, "an empty needle finds nothing");
	ok(tv_find(&x, t, strlen(t), "end", 99, 1, &w) == 4 && !w, "from far out of range: from the start");
	ok(tv_find(&x, t, strlen(t), "boot", 5, 1, &w) == 0 && w, "from just past the end: wraps");
	ok(tv_find(&x, t, strlen(t), "end", -1, -1, &w) == 4 && w, "from just before the start: wraps");
	ok(tv_find(&x, t, strlen(t), "mode\nfoo", 0, 1, &w) == -1, "never across lines");
	tv_free(&x);
}

static void test_history(void)
{
	static struct history h;
	char s[16];

	hist_init(&h);
	ok(hist_prev(&h) == NULL && hist_next(&h) == NULL, "empty: nothing to browse");
	hist_add(&h, "a");
	hist_add(&h, "b");
	hist_add(&h, "b");
	hist_add(&h, "");
	ok(h.n == 2, "repeats and empty lines are not kept");
	is_str(hist_prev(&h), "b", "up: the newest");
	is_str(hist_prev(&h), "a", "up again: older");
	is_str(hist_prev(&h), "a", "the oldest stays");
	is_str(hist_next(&h), "b", "down: newer");
	ok(hist_next(&h) == NULL, "down past the newest: back to the typed line");
	for (int i = 0; i < HIST_MAX + 10; i++) {
		snprintf(s, sizeof(s), "c%d", i);
		hist_add(&h, s);
	}
	ok(h.n == HIST_MAX, "bounded at %d entries", HIST_MAX);
	is_str(hist_get(&h, 0), "c59", "the newest kept");
	is_str(hist_get(&h, HIST_MAX - 1), "c10", "the oldest ones dropped");
	ok(hist_get(&h, HIST_MAX) == NULL, "past the end");
}

static void test_model(void)
{
	static struct model m;
	size_t big = MODEL_BOOT_LOG_MAX + 1000;
	char *log = malloc(big);

	model_init(&m, NULL);
	ok(m.boot_log.len == 0 && m.boot_log.first_line == 1, "no boot log at first");
	model_boot_log_set(&m, "a\0b\nc\n", 6);
	ok(m.boot_log.len == 6 && !m.boot_log.cut && memcmp(m.boot_log.text, "a?b\nc\n", 6) == 0,
	   "a short log kept whole, NUL made '?'");
	/* lines of 10 bytes: "line%05d\n" */
	for (size_t i = 0; i + 10 <= big; i += 10)
		snprintf(log + i, 11, "l%08zu", i / 10 + 1), log[i + 9] = '\n';
	model_boot_log_set(&m, log, big - big % 10);
	ok(m.boot_log.cut && m.boot_log.len <= MODEL_BOOT_LOG_MAX, "a long log: its tail, bounded");
	ok(m.boot_log.text[0] == 'l' && atol(m.boot_log.text + 1) == m.boot_log.first_line,
	   "the tail starts at a whole line, numbered as in the whole log (%ld)",
	   m.boot_log.first_line);
	model_boot_log_hit(&m, 812, "emergency mode");
	ok(m.boot_log.n_hits == 1 && m.boot_log.hits[0].line == 812, "a hit by its line");
	model_new_round(&m);
	ok(m.boot_log.len == 0 && m.boot_log.n_hits == 0, "a new round clears it");

	for (int i = 0; i < 3000; i++) {
		char line[40];
		int n = snprintf(line, sizeof(line), "output line %08d\n", i);

		model_rescue_append(&m, line, (size_t)n);
	}
	ok(m.rescue.len <= MODEL_RESCUE_MAX, "the transcript is bounded");
	ok(strncmp(m.rescue.text, "output line ", 12) == 0, "its oldest lines went whole");
	ok(memcmp(m.rescue.text + m.rescue.len - 21, "output line 00002999\n", 21) == 0,
	   "the newest is there");
	free(log);
}

int main(void)
{
	test_lines();
	test_scroll();
	test_find();
	test_history();
	test_model();
	return tap_done();
}
