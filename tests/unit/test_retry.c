#include "config.h"

#include <math.h>

#include "azure/retry.h"
#include "tap.h"

int main(void)
{
	time_t now = 784111777;   /* Sun, 06 Nov 1994 08:49:37 GMT */
	bool capped;

	ok(retry_after_ms("5", now, &capped) == 5000 && !capped, "delay-seconds");
	ok(retry_after_ms(" 7 ", now, &capped) == 7000, "surrounding spaces");
	ok(retry_after_ms("0", now, &capped) == RETRY_AFTER_MIN_MS, "0 still waits the minimum");
	ok(retry_after_ms("-5", now, &capped) == RETRY_AFTER_MIN_MS, "negative waits the minimum");
	ok(retry_after_ms("99999999", now, &capped) == RETRY_AFTER_MAX_MS && capped, "huge is capped, and says so");
	ok(retry_after_ms("999999999999999999999999999", now, &capped) == RETRY_AFTER_MAX_MS && capped,
	   "overflowing digits are capped");
	ok(retry_after_ms("-77777777777777777777777777777777777777", now, &capped) == RETRY_AFTER_MIN_MS,
	   "a huge negative number (found by fuzzing: overflowed when scaled)");
	ok(retry_after_ms("garbage", now, &capped) == RETRY_DEFAULT_MS && !capped, "garbage: default");
	ok(retry_after_ms("5x", now, &capped) == RETRY_DEFAULT_MS, "trailing junk: default");
	ok(retry_after_ms("", now, &capped) == RETRY_DEFAULT_MS, "empty: default");
	ok(retry_after_ms(NULL, now, &capped) == RETRY_DEFAULT_MS, "missing: default");
	ok(retry_after_ms("Sun, 06 Nov 1994 08:49:47 GMT", now, &capped) == 10000, "HTTP-date 10 s ahead");
	ok(retry_after_ms("Sun, 06 Nov 1994 08:00:00 GMT", now, &capped) == RETRY_AFTER_MIN_MS,
	   "HTTP-date in the past: the minimum");
	ok(retry_after_ms("Mon, 06 Nov 2034 08:49:37 GMT", now, &capped) == RETRY_AFTER_MAX_MS && capped,
	   "HTTP-date years ahead: capped");
	ok(retry_after_ms("Sun, 06 Xyz 1994 08:49:47 GMT", now, &capped) == RETRY_DEFAULT_MS, "bad month");
	ok(retry_after_ms("Sun, 32 Nov 1994 08:49:47 GMT", now, &capped) == RETRY_DEFAULT_MS, "bad day");

	ok(retry_backoff_ms(1, 0.0) == 500 && retry_backoff_ms(1, 0.999) <= 1000, "attempt 1: 0.5-1 s");
	ok(retry_backoff_ms(3, 0.0) == 2000, "attempt 3: from 2 s");
	ok(retry_backoff_ms(30, 0.999) <= 16000 && retry_backoff_ms(30, 0.0) == 8000, "capped at 16 s");
	ok(retry_backoff_ms(0, 2.0) >= 500, "odd inputs stay sane");
	ok(retry_backoff_ms(2, NAN) == 1500, "a NaN random value is the middle (fuzz_retry)");
	return tap_done();
}
