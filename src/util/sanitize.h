/* sanitize: make bytes from outside safe to put on a terminal.
 *
 * Pure: no globals, no allocation.  Whatever goes in (escape sequences, OSC, C1 bytes such
 * as 0x9B, bidi overrides such as U+202E, bare CR/BS/TAB, invalid UTF-8), what comes out holds
 * no byte below 0x20, no DEL, no C1 control and no bidi control.  Each dropped control shows
 * as one visible stand-in so the operator sees that something was there. */
#ifndef SSHTRIAGE_UTIL_SANITIZE_H
#define SSHTRIAGE_UTIL_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

enum sanitize_flags {
	SANITIZE_UTF8 = 1,   /* keep valid, printable UTF-8; otherwise every non-ASCII byte is '?' */
	/* drop whole colour sequences (ESC [ digits and ';' m), with no stand-in: serial logs
	 * are full of them, they carry no meaning there, and as "?[0;32m" they bury the text.
	 * Any other escape still shows its stand-in. */
	SANITIZE_DROP_SGR = 2,
};

/* Writes at most outlen-1 bytes and a NUL to out (outlen >= 1), never splitting a
 * character.  Returns the number of bytes written, without the NUL. */
size_t sanitize(char *out, size_t outlen, const char *in, size_t inlen, int flags);

/* Same, in place on a NUL-terminated string. */
void sanitize_inplace(char *s, int flags);

/* True when s (len bytes) would pass sanitize unchanged. */
bool sanitize_is_clean(const char *s, size_t len, int flags);

#endif
