/* retry: when to try an ARM call again.  Pure: parses Retry-After and computes backoff, so
 * a throttling storm or a hostile header cannot make sshtriage sleep for a day or spin. */
#ifndef SSHTRIAGE_AZURE_RETRY_H
#define SSHTRIAGE_AZURE_RETRY_H

#include <stdbool.h>
#include <time.h>

#define RETRY_AFTER_MIN_MS 1000      /* 0 or negative still waits a little: no hot loop */
#define RETRY_AFTER_MAX_MS 60000     /* a longer wait is capped (the caller says so) */
#define RETRY_DEFAULT_MS 5000        /* 429 without a usable Retry-After */

/* Parses a Retry-After value: delay-seconds or an HTTP-date (RFC 9110), relative to now.
 * Returns the wait in milliseconds within [RETRY_AFTER_MIN_MS, RETRY_AFTER_MAX_MS], or
 * RETRY_DEFAULT_MS when the value is missing (NULL) or unparseable.  *capped is set when
 * the server asked for more than the maximum. */
long retry_after_ms(const char *value, time_t now, bool *capped);

/* Exponential backoff for 5xx and network errors: attempt 1, 2, 3... -> about 1, 2, 4 s
 * (capped at 16 s), with jitter in [50%, 100%] from the caller's random value r in [0,1). */
long retry_backoff_ms(int attempt, double r);

#endif
