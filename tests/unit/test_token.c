#include "config.h"

#include "azure/token.h"
#include "tap.h"

static int parse(const char *json, char *tok, time_t *exp, char *err)
{
	return token_parse(json, strlen(json), 1000, tok, TOKEN_MAX, exp, err, 128);
}

int main(void)
{
	static char tok[TOKEN_MAX];
	char err[128];
	time_t exp = 0;

	ok(parse("{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":\"eyJ0.eyJ1.c2ln\"}", tok, &exp, err) == 0,
	   "Entra client-credentials answer");
	is_str(tok, "eyJ0.eyJ1.c2ln", "token");
	ok(exp == 1000 + 3599, "expires_in is relative");
	ok(parse("{\"access_token\":\"a.b.c\",\"expires_in\":\"3599\",\"expires_on\":\"5000\",\"resource\":\"x\"}", tok, &exp, err) == 0 &&
	   exp == 5000, "IMDS answer: strings, expires_on wins");
	ok(parse("{\"accessToken\":\"a.b.c\",\"expiresOn\":\"2026-11-22 04:00:00.000000\",\"expires_on\":7000}", tok, &exp, err) == 0 &&
	   exp == 7000, "az CLI answer");
	ok(parse("{\"accessToken\":\"a.b.c\",\"expiresOn\":\"2026-11-22 04:00:00.000000\"}", tok, &exp, err) == 0 &&
	   exp > 1000, "old az CLI answer: a bounded guess");
	ok(parse("{\"access_token\":\"a\\r\\nX-Evil: 1\",\"expires_in\":1}", tok, &exp, err) != 0,
	   "CR LF in a token is refused (header injection)");
	ok(strstr(err, "X-Evil") == NULL, "the message does not echo the token");
	ok(parse("{\"error\":\"invalid_client\"}", tok, &exp, err) != 0, "error answer");
	ok(parse("[1,2]", tok, &exp, err) != 0, "array");
	ok(parse("{\"access_token\":7}", tok, &exp, err) != 0, "wrong type");
	ok(parse("{\"1\":1,", tok, &exp, err) != 0, "truncated");
	ok(parse("{\"access_token\":\"\"}", tok, &exp, err) != 0, "empty token");
	ok(token_parse("{\"access_token\":\"a.b\"} trailing", 22, 0, tok, 3, &exp, err, sizeof(err)) != 0,
	   "token longer than the buffer");
	ok(parse("{\"access_token\":\"a.b\",\"expires_in\":-5}", tok, &exp, err) == 0 && exp == 1000 + 3000,
	   "negative expires_in ignored (bounded guess)");
	ok(token_stale(1200, 1000), "expiring within five minutes is stale");
	ok(!token_stale(2000, 1000), "fresh");
	return tap_done();
}
