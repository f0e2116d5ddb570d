#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/textview.h"

int tv_index(struct tv_lines *x, const char *text, size_t len)
{
	size_t at = 0;

	x->n = 0;
	while (at < len) {
		const char *nl = memchr(text + at, '\n', len - at);

		if (x->n == x->cap) {
			int cap = x->cap ? x->cap * 2 : 256;
			size_t *o = realloc(x->off, sizeof(*o) * (size_t)cap);

			if (!o) {
				x->n = 0;
				return -1;
			}
			x->off = o;
			x->cap = cap;
		}
		x->off[x->n++] = at;
		at = nl ? (size_t)(nl - text) + 1 : len;
	}
	return 0;
}

void tv_free(struct tv_lines *x)
{
	free(x->off);
	x->off = NULL;
	x->n = x->cap = 0;
}

size_t tv_line(const struct tv_lines *x, const char *text, size_t len, int i, size_t *n)
{
	size_t start, end;

	*n = 0;
	if (i < 0 || i >= x->n)
		return 0;
	start = x->off[i];
	end = i + 1 < x->n ? x->off[i + 1] : len;
	if (end > start && text[end - 1] == '\n')
		end--;
	if (end > start && text[end - 1] == '\r')
		end--;
	*n = end - start;
	return start;
}

int tv_clamp(int top, int n, int rows)
{
	int max = n - (rows > 0 ? rows : 1);

	if (top > max)
		top = max;
	return top < 0 ? 0 : top;
}

int tv_show(int top, int line, int n, int rows, int ctx)
{
	if (rows < 1)
		rows = 1;
	if (ctx > (rows - 1) / 2)
		ctx = (rows - 1) / 2;
	if (line - ctx < top)
		top = line - ctx;
	else if (line + ctx >= top + rows)
		top = line + ctx - rows + 1;
	return tv_clamp(top, n, rows);
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool holds(const char *s, size_t n, const char *needle, size_t k)
{
	for (size_t i = 0; i + k <= n; i++) {
		size_t j = 0;

		while (j < k && lower((unsigned char)s[i + j]) == lower((unsigned char)needle[j]))
			j++;
		if (j == k)
			return true;
	}
	return false;
}

int tv_find(const struct tv_lines *x, const char *text, size_t len, const char *needle,
	    int from, int dir, bool *wrapped)
{
	size_t k = strlen(needle);

	*wrapped = false;
	if (!k || x->n == 0)
		return -1;
	dir = dir < 0 ? -1 : 1;
	/* just past the end, as "the line after the last match" is: that wraps */
	*wrapped = (dir > 0 && from == x->n) || (dir < 0 && from == -1);
	if (from < 0 || from >= x->n)
		from = dir > 0 ? 0 : x->n - 1;
	for (int step = 0, i = from; step < x->n; step++) {
		size_t n, at = tv_line(x, text, len, i, &n);

		if (holds(text + at, n, needle, k))
			return i;
		i += dir;
		if (i < 0 || i >= x->n) {
			i = dir > 0 ? 0 : x->n - 1;
			*wrapped = true;
		}
	}
	return -1;
}
