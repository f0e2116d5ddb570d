/* fuzz_sanitize: the terminal sanitiser.
 *
 * Property: whatever goes in, what comes out is NUL-terminated at the length returned,
 * within the buffer, and holds no byte below 0x20 (the API keeps none: TAB becomes a space),
 * no DEL, no C1 control (U+0080-U+009F, nor as a raw byte 0x80-0x9F), no bidi control (ALM
 * U+061C, LRM/RLM U+200E/F, embeddings and overrides U+202A-202E, isolates U+2066-2069), no
 * BOM; with SANITIZE_UTF8 it is valid shortest-form UTF-8 (no surrogate, nothing past
 * U+10FFFF), without it plain ASCII; sanitize_is_clean agrees; a short buffer never splits a
 * character (the output is a prefix of the output into a large one); nothing grows (one
 * byte out at most per byte in); sanitising again
 * changes nothing; sanitize_inplace gives the same as sanitize. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/sanitize.h"

/* An independent UTF-8 decoder: the length of a valid shortest-form sequence, else 0. */
static size_t decode(const unsigned char *s, size_t n, unsigned long *cp)
{
	static const unsigned long min[5] = {0, 0, 0x80, 0x800, 0x10000};
	size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
		   : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
	unsigned long c;

	if (len == 0 || len > n)
		return 0;
	c = len == 1 ? s[0] : len == 2 ? s[0] & 0x1Fu : len == 3 ? s[0] & 0x0Fu : s[0] & 0x07u;
	for (size_t i = 1; i < len; i++) {
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
		c = c << 6 | (s[i] & 0x3Fu);
	}
	if (c < min[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

static bool forbidden(unsigned long c)
{
	return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x061C || c == 0x200E ||
	       c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

static void check_clean(const char *out, size_t n, int flags)
{
	const unsigned char *u = (const unsigned char *)out;

	if (out[n] != '\0' || strlen(out) != n)
		abort();
	for (size_t i = 0; i < n;) {
		unsigned long c;
		size_t l = decode(u + i, n - i, &c);

		if (l == 0 || forbidden(c) || (l > 1 && !(flags & SANITIZE_UTF8)))
			abort();
		i += l;
	}
	if (!sanitize_is_clean(out, n, flags))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[70000], small[64], again[70000];
	const char *in = (const char *)data;

	if (size >= sizeof(out))
		return 0;
	for (int flags = 0; flags <= SANITIZE_UTF8; flags++) {
		size_t n = sanitize(out, sizeof(out), in, size, flags), m, k;
		char *copy;

		check_clean(out, n, flags);
		if (n > sizeof(out) - 1 || n > size)
			abort();
		/* clean input comes back unchanged, and the output is clean input */
		if (sanitize_is_clean(in, size, flags) && (n != size || memcmp(out, in, n) != 0))
			abort();
		if (sanitize(again, sizeof(again), out, n, flags) != n || memcmp(again, out, n) != 0)
			abort();
		/* short buffers: a prefix, cut at a character boundary */
		for (size_t len = 1; len <= sizeof(small); len += 7) {
			m = sanitize(small, len, in, size, flags);
			if (m >= len || m > n || memcmp(small, out, m) != 0)
				abort();
			check_clean(small, m, flags);
		}
		/* in place, as a C string (cut at the first NUL) */
		copy = fuzz_cstr(data, size);
		k = strlen(copy);
		sanitize_inplace(copy, flags);
		m = sanitize(again, sizeof(again), in, k, flags);
		if (strcmp(copy, again) != 0 || strlen(copy) != m)
			abort();
		check_clean(copy, m, flags);
		free(copy);
	}
	return 0;
}
