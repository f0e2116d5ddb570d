/* token: read an access token answer — Entra's token endpoint and IMDS
 * ({"access_token", "expires_in" or "expires_on", numbers or strings}) and the Azure CLI's
 * `az account get-access-token` ({"accessToken", "expires_on" or "expiresOn"}).  Pure. */
#ifndef SSHTRIAGE_AZURE_TOKEN_H
#define SSHTRIAGE_AZURE_TOKEN_H

#include <stddef.h>
#include <time.h>

#define TOKEN_MAX 8192

/* Parses json (len bytes, not NUL-terminated) received at time now.  On success stores
 * the token (NUL-terminated, at most TOKEN_MAX-1 bytes) and its expiry time and returns 0;
 * otherwise -1 with a message that never contains the token. */
int token_parse(const char *json, size_t len, time_t now, char *token, size_t tokenlen,
		time_t *expires, char *err, size_t errlen);

/* True when a token expiring at expires should be replaced now: five minutes early, so a
 * long triage never meets ExpiredAuthenticationToken. */
int token_stale(time_t expires, time_t now);

#endif
