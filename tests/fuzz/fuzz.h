/* fuzz.h: the checks every harness shares.  Header-only, so each target stays one .c file
 * plus the pure sources it tests. */
#ifndef SSHTRIAGE_TESTS_FUZZ_H
#define SSHTRIAGE_TESTS_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input in a buffer of exactly its size, with nothing after it: ASan then sees any read
 * past the end.  Caller frees. */
static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1);

	if (!p)
		abort();
	if (size)
		memcpy(p, data, size);
	return p;
}

/* The input as a C string (cut at its first NUL, as a C caller would see it).  Caller frees. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *p = malloc(size + 1);

	if (!p)
		abort();
	if (size)
		memcpy(p, data, size);
	p[size] = '\0';
	return p;
}

/* A fixed text field: NUL-terminated inside its array. */
static inline void fuzz_check_str(const char *buf, size_t size)
{
	if (!memchr(buf, '\0', size))
		abort();
}

/* The error text of a parser: always terminated, and said whenever the parser failed. */
static inline void fuzz_check_err(int failed, const char *err, size_t errlen)
{
	fuzz_check_str(err, errlen);
	if (failed && err[0] == '\0')
		abort();
}

/* A three-valued setting (guest_tri, sshdcfg_tri): -1 unknown or unset, 0 no, 1 yes. */
static inline void fuzz_check_tri(int v)
{
	if (v < -1 || v > 1)
		abort();
}

#define FUZZ_STR(field) fuzz_check_str((field), sizeof(field))

#endif
