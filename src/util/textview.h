/* textview: the pure half of the screen's scrollable text view (the boot-log viewer and the
 * rescue console): a line index over a text buffer, scroll bounds, and search.  No curses,
 * no globals; works on bytes (the text may hold anything but is never changed here).
 *
 * Lines end at '\n'; a '\r' before it is not part of the line; a last line without '\n'
 * counts; "" has no line. */
#ifndef SSHTRIAGE_UTIL_TEXTVIEW_H
#define SSHTRIAGE_UTIL_TEXTVIEW_H

#include <stdbool.h>
#include <stddef.h>

struct tv_lines {
	size_t *off;             /* owned: start offset of each line */
	int n, cap;
};

/* (Re)builds x over text (len bytes), reusing its memory.  0, or -1 when out of memory
 * (x then holds no line).  Free with tv_free (NULL-safe contents; x itself is the
 * caller's). */
int tv_index(struct tv_lines *x, const char *text, size_t len);
void tv_free(struct tv_lines *x);
/* Line i (0-based): its start offset in text, its length in *n.  Out of range: 0, 0. */
size_t tv_line(const struct tv_lines *x, const char *text, size_t len, int i, size_t *n);
/* A first shown line that keeps rows lines on the screen: within [0, max(0, n - rows)]. */
int tv_clamp(int top, int n, int rows);
/* The first shown line that brings line into view, scrolling as little as it can, with
 * ctx lines around it where they fit. */
int tv_show(int top, int line, int n, int rows, int ctx);
/* The first line at or after from (dir 1) or at or before it (dir -1) that holds needle,
 * ASCII case ignored, wrapping around the end once (then *wrapped is true; from just past
 * the end, n or -1, wraps at once; other values out of range start at the first or last
 * line).  -1: none, or needle is "". */
int tv_find(const struct tv_lines *x, const char *text, size_t len, const char *needle,
	    int from, int dir, bool *wrapped);

#endif
