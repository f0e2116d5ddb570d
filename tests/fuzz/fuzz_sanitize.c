/* Property: whatever goes in, the output holds no byte below 0x20, no DEL, no C1 control
 * (raw or as UTF-8) and no bidi control, is NUL-terminated, and sanitize_is_clean agrees. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[512];

	for (int flags = 0; flags <= SANITIZE_UTF8; flags++) {
		size_t n = sanitize(out, sizeof(out), (const char *)data, size, flags);
		const unsigned char *u = (const unsigned char *)out;

		if (n >= sizeof(out) || out[n] != '\0' || strlen(out) != n)
			abort();
		for (size_t i = 0; i < n; i++) {
			if (u[i] < 0x20 || u[i] == 0x7F)
				abort();
			if (!(flags & SANITIZE_UTF8) && u[i] >= 0x80)
				abort();
			if (u[i] == 0xC2 && i + 1 < n && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F)
				abort();
			if (u[i] == 0xE2 && i + 2 < n && u[i + 1] == 0x80 && u[i + 2] >= 0xAA && u[i + 2] <= 0xAE)
				abort();
			if (u[i] == 0xE2 && i + 2 < n && u[i + 1] == 0x81 && u[i + 2] >= 0xA6 && u[i + 2] <= 0xA9)
				abort();
		}
		if (!sanitize_is_clean(out, n, flags))
			abort();
	}
	return 0;
}
