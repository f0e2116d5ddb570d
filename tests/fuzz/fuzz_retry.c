/* fuzz_retry: the Retry-After parser and the backoff, so a hostile header can neither make
 * sshtriage sleep for a day nor spin.
 *
 * Properties: no crash or UB (time arithmetic on any number, any HTTP-date); the wait is
 * always within [RETRY_AFTER_MIN_MS, RETRY_AFTER_MAX_MS]; capped means the maximum; a
 * value with no digit at all is the default; the backoff of any attempt and any random
 * value stays within [500, 16000] ms and never shrinks as attempts grow. */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "azure/retry.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const time_t nows[] = {1000000, 1700000000, 0, (time_t)4102444800LL};
	char *v = fuzz_cstr(data, size);
	bool capped;
	long ms;
	int attempt = 0;
	double r = 0;

	for (size_t k = 0; k < sizeof(nows) / sizeof(nows[0]); k++) {
		capped = false;
		ms = retry_after_ms(v, nows[k], &capped);
		if (ms < RETRY_AFTER_MIN_MS || ms > RETRY_AFTER_MAX_MS || (capped && ms != RETRY_AFTER_MAX_MS))
			abort();
		if (!strpbrk(v, "0123456789") && ms != RETRY_DEFAULT_MS)
			abort();
	}
	if (retry_after_ms(NULL, nows[1], &capped) != RETRY_DEFAULT_MS)
		abort();
	/* the first bytes as an attempt number and a random value */
	if (size >= sizeof(int)) {
		memcpy(&attempt, data, sizeof(int));
		if (size >= sizeof(int) + sizeof(double))
			memcpy(&r, data + sizeof(int), sizeof(double));
	}
	ms = retry_backoff_ms(attempt, r);
	if (ms < 500 || ms > 16000)
		abort();
	if (attempt > 0 && attempt < INT_MAX && retry_backoff_ms(attempt + 1, 0) < retry_backoff_ms(attempt, 0))
		abort();
	free(v);
	return 0;
}
