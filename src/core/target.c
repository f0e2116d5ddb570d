#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/target.h"

static int valid_user(const char *u)
{
	if (!*u || *u == '-' || strlen(u) > 32)
		return 0;
	for (; *u; u++)
		if (!isalnum((unsigned char)*u) && !strchr("._-", *u))
			return 0;
	return 1;
}

static int valid_host(const char *h)
{
	if (!*h || *h == '-' || strlen(h) > 253)
		return 0;
	for (; *h; h++)
		if (!isalnum((unsigned char)*h) && !strchr(".-_:", *h))
			return 0;
	return 1;
}

int target_parse(const char *spec, struct target *t, char *err, size_t errlen)
{
	char buf[512];
	char *host, *at, *colon;
	long port = 22;

	memset(t, 0, sizeof(*t));
	if (!spec || !*spec) {
		snprintf(err, errlen, "no target given");
		return -1;
	}
	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "target is too long");
		return -1;
	}
	strcpy(buf, spec);
	host = buf;
	at = strrchr(buf, '@');
	if (at) {
		*at = '\0';
		if (!valid_user(buf)) {
			snprintf(err, errlen, "invalid user name in target (letters, digits, '.', '_', '-')");
			return -1;
		}
		snprintf(t->user, sizeof(t->user), "%.63s", buf);
		host = at + 1;
	}
	if (*host == '[') {
		char *close = strchr(host, ']');

		if (!close) {
			snprintf(err, errlen, "missing ']' after IPv6 address");
			return -1;
		}
		*close = '\0';
		colon = close[1] == ':' ? close + 1 : NULL;
		if (close[1] && !colon) {
			snprintf(err, errlen, "unexpected text after ']'");
			return -1;
		}
		host++;
	} else {
		colon = strchr(host, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL;        /* a bare IPv6 literal, no port */
	}
	if (colon) {
		char *end;

		*colon = '\0';
		port = strtol(colon + 1, &end, 10);
		if (!colon[1] || *end || port < 1 || port > 65535) {
			snprintf(err, errlen, "invalid port '%.16s' (1-65535)", colon + 1);
			return -1;
		}
	}
	if (!valid_host(host)) {
		snprintf(err, errlen, "invalid host name or address in target");
		return -1;
	}
	snprintf(t->host, sizeof(t->host), "%.255s", host);
	t->port = (int)port;
	return 0;
}

void target_format(const struct target *t, char *buf, size_t len)
{
	bool v6 = strchr(t->host, ':') != NULL;

	snprintf(buf, len, "%s%s%s%s%s:%d", t->user, *t->user ? "@" : "", v6 ? "[" : "", t->host,
		 v6 ? "]" : "", t->port);
}

int target_parse_user(const char *spec, struct target *t, char *err, size_t errlen)
{
	size_t n = strlen(spec);
	char buf[64];

	if (n == 0 || spec[n - 1] != '@' || n > sizeof(buf)) {
		snprintf(err, errlen, "expected user@ (the host comes from Azure)");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%.*s", (int)(n - 1), spec);
	if (!valid_user(buf)) {
		snprintf(err, errlen, "invalid user name in target (letters, digits, '.', '_', '-')");
		return -1;
	}
	snprintf(t->user, sizeof(t->user), "%s", buf);
	return 0;
}
