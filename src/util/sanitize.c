#include "config.h"

#include <string.h>

#include "util/sanitize.h"

/* Decodes one UTF-8 sequence at s (n bytes available).  Returns its length and stores the
 * code point, or 0 when the bytes are not a valid, shortest-form sequence. */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t len;
	unsigned long c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xE0) == 0xC0) {
		len = 2;
		c = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3;
		c = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* Code points that must never reach a terminal: controls, and the invisible ones that
 * reorder or hide text (bidi embeddings, overrides and isolates). */
static bool cp_forbidden(unsigned long c)
{
	return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x061C ||
	       c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

size_t sanitize(char *out, size_t outlen, const char *in, size_t inlen, int flags)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0, i = 0;

	if (outlen == 0)
		return 0;
	while (i < inlen) {
		unsigned long cp;
		size_t len = utf8_decode(s + i, inlen - i, &cp);
		const char *put;
		size_t putlen;
		char one;

		if ((flags & SANITIZE_DROP_SGR) && s[i] == 0x1B && i + 2 < inlen && s[i + 1] == '[') {
			size_t e = i + 2;

			while (e < inlen && e - i < 40 && ((s[e] >= '0' && s[e] <= '9') || s[e] == ';'))
				e++;
			if (e < inlen && s[e] == 'm') {
				i = e + 1;
				continue;
			}
		}
		if (len == 0) {               /* invalid byte */
			put = "?";
			putlen = 1;
			len = 1;
		} else if (cp == '\t') {
			put = " ";
			putlen = 1;
		} else if (cp_forbidden(cp)) {
			put = "?";
			putlen = 1;
		} else if (len > 1 && !(flags & SANITIZE_UTF8)) {
			put = "?";
			putlen = 1;
		} else if (len == 1) {
			one = (char)cp;
			put = &one;
			putlen = 1;
		} else {
			put = in + i;
			putlen = len;
		}
		if (o + putlen > outlen - 1)
			break;
		memmove(out + o, put, putlen);
		o += putlen;
		i += len;
	}
	out[o] = '\0';
	return o;
}

void sanitize_inplace(char *s, int flags)
{
	/* Each step writes no more than it read, so the writer never passes the reader. */
	size_t n = strlen(s);

	sanitize(s, n + 1, s, n, flags);
}

bool sanitize_is_clean(const char *s, size_t len, int flags)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		unsigned long cp;
		size_t l = utf8_decode(u + i, len - i, &cp);

		if (l == 0 || cp_forbidden(cp) || cp == '\t' || (l > 1 && !(flags & SANITIZE_UTF8)))
			return false;
		i += l;
	}
	return true;
}
