/* history: the rescue console's command history, a bounded ring in memory only (commands
 * may hold secrets: they are never written anywhere).  Pure. */
#ifndef SSHTRIAGE_UTIL_HISTORY_H
#define SSHTRIAGE_UTIL_HISTORY_H

#define HIST_MAX 50
#define HIST_LEN 256

struct history {
	int n, head;             /* entries; slot of the oldest */
	int pos;                 /* while browsing: 0 the newest ... n-1 the oldest; -1 not */
	char item[HIST_MAX][HIST_LEN];
};

void hist_init(struct history *h);
/* Adds s as the newest entry (cut to HIST_LEN - 1), unless it is empty or repeats the
 * newest; the oldest goes when full.  Ends browsing. */
void hist_add(struct history *h, const char *s);
/* Up: the next older entry (the oldest stays); NULL when there is none. */
const char *hist_prev(struct history *h);
/* Down: the next newer entry; NULL past the newest (back to the line being typed). */
const char *hist_next(struct history *h);
/* The i-th newest entry (0 the newest); NULL past the end. */
const char *hist_get(const struct history *h, int i);

#endif
