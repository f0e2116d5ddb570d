#include "config.h"

#include <stdio.h>
#include <string.h>

#include "util/history.h"

void hist_init(struct history *h)
{
	memset(h, 0, sizeof(*h));
	h->pos = -1;
}

const char *hist_get(const struct history *h, int i)
{
	if (i < 0 || i >= h->n)
		return NULL;
	return h->item[(h->head + h->n - 1 - i) % HIST_MAX];
}

void hist_add(struct history *h, const char *s)
{
	const char *newest = hist_get(h, 0);
	char cut[HIST_LEN];

	h->pos = -1;
	snprintf(cut, sizeof(cut), "%s", s);
	if (!cut[0] || (newest && strcmp(newest, cut) == 0))
		return;
	if (h->n == HIST_MAX) {
		h->head = (h->head + 1) % HIST_MAX;
		h->n--;
	}
	memcpy(h->item[(h->head + h->n) % HIST_MAX], cut, sizeof(cut));
	h->n++;
}

const char *hist_prev(struct history *h)
{
	if (h->n == 0)
		return NULL;
	if (h->pos + 1 < h->n)
		h->pos++;
	return hist_get(h, h->pos);
}

const char *hist_next(struct history *h)
{
	if (h->pos <= 0) {
		h->pos = -1;
		return NULL;
	}
	h->pos--;
	return hist_get(h, h->pos);
}
