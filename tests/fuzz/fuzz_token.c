/* fuzz_token: the access token answer (Entra, IMDS, az account get-access-token).
 *
 * Properties: no crash, leak or over-read; a failure always leaves a message, and that
 * message never holds the token it was given; a token taken is non-empty, fits, and holds
 * only bearer-token characters (it becomes a header line); its expiry is within the bounds
 * token.c accepts (now + at most 10^12 s, or an absolute time below 10^12). */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "azure/token.h"
#include "fuzz.h"

static const char *given_token(const cJSON *o)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "access_token");

	if (!t)
		t = cJSON_GetObjectItemCaseSensitive(o, "accessToken");
	return cJSON_IsString(t) && strlen(t->valuestring) >= 4 ? t->valuestring : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char tok[TOKEN_MAX];
	static const size_t lens[] = {TOKEN_MAX, 17};
	const time_t now = 1700000000;
	char *in = fuzz_copy(data, size), err[256] = "";
	cJSON *o = cJSON_ParseWithLength(in, size);
	const char *given = o ? given_token(o) : NULL;

	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		time_t exp = -1;
		int rc;

		memset(tok, 'x', sizeof(tok));
		rc = token_parse(in, size, now, tok, lens[k], &exp, err, sizeof(err));
		fuzz_check_err(rc < 0, err, sizeof(err));
		if (given && strstr(err, given))
			abort();
		if (rc < 0)
			continue;
		if (!memchr(tok, '\0', lens[k]) || tok[0] == '\0' || strlen(tok) >= TOKEN_MAX)
			abort();
		if (strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~+/=") !=
		    strlen(tok))
			abort();
		if (exp < 0 || exp >= now + 1000000000000LL)
			abort();
		if (token_stale(exp, now) != (exp <= now + 300))
			abort();
	}
	cJSON_Delete(o);
	free(in);
	return 0;
}
