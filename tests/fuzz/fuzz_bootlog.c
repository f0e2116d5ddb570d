/* fuzz_bootlog: the serial console (boot log) scanner.
 *
 * Properties: no crash or over-read on any bytes (NULs, CRs, no final newline); the line
 * count is what a plain split on '\n' gives; hits are within BOOTLOG_HITS_MAX, in line
 * order, at most one per line, each the start of its own line (NUL shown as '?', CR LF cut)
 * and cut below BOOTLOG_LINE_MAX; the per-signature counts add up to at least the hits and
 * equal them while there is room; fingerprint lines are bounded, terminated and hold
 * "SHA256:". */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "azure/bootlog.h"
#include "fuzz.h"

/* Line number ln (1-based) of the input: its start and length without "\r\n". */
static const char *nth_line(const char *p, size_t len, long ln, size_t *n)
{
	const char *end = p + len;

	for (long i = 1; i < ln; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			abort();
		p = nl + 1;
	}
	{
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		*n = (size_t)((nl ? nl : end) - p);
	}
	if (*n && p[*n - 1] == '\r')
		(*n)--;
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bootlog_result r;
	char *in = fuzz_copy(data, size);
	long lines = 0, total = 0, prev = 0;

	bootlog_scan(in, size, &r);
	for (size_t i = 0; i < size; i++)
		lines += in[i] == '\n';
	if (size && in[size - 1] != '\n')
		lines++;
	if (r.lines != lines || r.n_hits < 0 || r.n_hits > BOOTLOG_HITS_MAX || r.n_fp < 0 ||
	    r.n_fp > BOOTLOG_FP_MAX)
		abort();
	for (int s = 0; s < BOOTLOG_SIG_COUNT; s++) {
		if (r.count[s] < 0 || !bootlog_sig_name((enum bootlog_sig)s))
			abort();
		total += r.count[s];
	}
	if (total < r.n_hits || (r.n_hits < BOOTLOG_HITS_MAX && total != r.n_hits))
		abort();
	for (int i = 0; i < r.n_hits; i++) {
		const struct bootlog_hit *h = &r.hits[i];
		size_t n, want;
		const char *line;

		if ((int)h->sig < 0 || h->sig >= BOOTLOG_SIG_COUNT || h->line <= prev || h->line > r.lines)
			abort();
		prev = h->line;
		FUZZ_STR(h->text);
		line = nth_line(in, size, h->line, &n);
		want = n < BOOTLOG_LINE_MAX ? n : BOOTLOG_LINE_MAX - 1;
		if (strlen(h->text) != want)
			abort();
		for (size_t k = 0; k < want; k++)
			if (h->text[k] != (line[k] ? line[k] : '?'))
				abort();
	}
	for (int i = 0; i < r.n_fp; i++) {
		FUZZ_STR(r.fp[i]);
		if (!strstr(r.fp[i], "SHA256:") && strlen(r.fp[i]) == BOOTLOG_LINE_MAX - 1)
			continue;   /* the line was cut before its fingerprint ended: allowed */
		if (!strstr(r.fp[i], "SHA256:"))
			abort();
	}
	free(in);
	return 0;
}
