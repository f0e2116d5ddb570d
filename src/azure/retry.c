#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "azure/retry.h"

static long clamp(long long ms, bool *capped)
{
	if (ms > RETRY_AFTER_MAX_MS) {
		*capped = true;
		return RETRY_AFTER_MAX_MS;
	}
	return ms < RETRY_AFTER_MIN_MS ? RETRY_AFTER_MIN_MS : (long)ms;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate, the form servers must send). */
static bool parse_http_date(const char *s, time_t *out)
{
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	char mon[4];
	int day, year, h, m, sec, n = 0;
	struct tm tm;

	if (sscanf(s, "%*3s, %2d %3s %4d %2d:%2d:%2d GMT%n", &day, mon, &year, &h, &m, &sec, &n) != 6 ||
	    n == 0)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_mon = -1;
	for (int i = 0; i < 12; i++)
		if (strcmp(mon, months[i]) == 0)
			tm.tm_mon = i;
	if (tm.tm_mon < 0 || day < 1 || day > 31 || year < 1970 || year > 9999 || h > 23 || m > 59 ||
	    sec > 60)
		return false;
	tm.tm_mday = day;
	tm.tm_year = year - 1900;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	*out = timegm(&tm);
	return *out != (time_t)-1;
}

long retry_after_ms(const char *value, time_t now, bool *capped)
{
	const char *p = value;
	time_t when;

	*capped = false;
	if (!p)
		return RETRY_DEFAULT_MS;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '-' || isdigit((unsigned char)*p)) {
		char *end;
		long long secs = strtoll(p, &end, 10);

		while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
			end++;
		if (end == p || *end)
			return RETRY_DEFAULT_MS;
		if (secs > RETRY_AFTER_MAX_MS / 1000)
			return clamp((long long)RETRY_AFTER_MAX_MS + 1, capped);
		if (secs < 0)        /* also what strtoll gives for a huge negative number */
			return RETRY_AFTER_MIN_MS;
		return clamp(secs * 1000, capped);
	}
	if (parse_http_date(p, &when)) {
		if (when <= now)
			return RETRY_AFTER_MIN_MS;   /* a date in the past: retry soon, not never */
		if (when - now > RETRY_AFTER_MAX_MS / 1000)
			return clamp((long long)RETRY_AFTER_MAX_MS + 1, capped);
		return clamp((long long)(when - now) * 1000, capped);
	}
	return RETRY_DEFAULT_MS;
}

long retry_backoff_ms(int attempt, double r)
{
	long base = 1000;

	if (attempt < 1)
		attempt = 1;
	for (int i = 1; i < attempt && base < 16000; i++)
		base *= 2;
	if (base > 16000)
		base = 16000;
	if (!(r >= 0 && r < 1))     /* also NaN, which no comparison lets through */
		r = 0.5;
	return base / 2 + (long)(r * (double)(base / 2));
}
