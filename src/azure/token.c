#include "config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azure/netjson.h"
#include "azure/token.h"

#define TOKEN_REFRESH_EARLY 300

/* A number, or a string holding only digits (IMDS sends "3599"). */
static int int_field(const cJSON *o, const char *key, long long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	char *end;

	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e12) {
		*out = (long long)v->valuedouble;
		return 0;
	}
	if (cJSON_IsString(v) && v->valuestring[0]) {
		long long n = strtoll(v->valuestring, &end, 10);

		if (!*end && n >= 0 && n < 1000000000000LL) {
			*out = n;
			return 0;
		}
	}
	return -1;
}

/* The token must look like a bearer token: base64url-ish characters and dots only, so it
 * cannot inject a header line. */
static int token_chars_ok(const char *t)
{
	for (; *t; t++)
		if (!((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9') ||
		      strchr("-_.~+/=", *t)))
			return 0;
	return 1;
}

int token_parse(const char *json, size_t len, time_t now, char *token, size_t tokenlen,
		time_t *expires, char *err, size_t errlen)
{
	char why[NETJSON_ERR_LEN];
	cJSON *o = netjson_parse_strict(json, len, why, sizeof(why));
	const cJSON *t;
	long long n;
	int rc = -1;

	if (!o) {
		snprintf(err, errlen, "the token answer is unusable: %.200s", why);
		goto out;
	}
	t = cJSON_GetObjectItemCaseSensitive(o, "access_token");
	if (!t)
		t = cJSON_GetObjectItemCaseSensitive(o, "accessToken");
	if (!cJSON_IsString(t) || !t->valuestring[0]) {
		snprintf(err, errlen, "the token answer has no access_token");
		goto out;
	}
	if (strlen(t->valuestring) >= tokenlen || strlen(t->valuestring) >= TOKEN_MAX ||
	    !token_chars_ok(t->valuestring)) {
		snprintf(err, errlen, "the access token is too long or holds unexpected characters");
		goto out;
	}
	if (int_field(o, "expires_on", &n) == 0)
		*expires = (time_t)n;
	else if (int_field(o, "expires_in", &n) == 0)
		*expires = now + (time_t)n;
	else {
		/* the CLI's "expiresOn" is local time without a zone: assume an hour at most */
		*expires = now + 3000;
	}
	snprintf(token, tokenlen, "%s", t->valuestring);
	rc = 0;
out:
	cJSON_Delete(o);
	return rc;
}

int token_stale(time_t expires, time_t now)
{
	return now + TOKEN_REFRESH_EARLY >= expires;
}
