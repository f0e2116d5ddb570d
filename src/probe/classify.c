#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "probe/classify.h"

enum outcome classify_connect_errno(int err)
{
	switch (err) {
	case 0:
		return OUT_OK;
	case ECONNREFUSED:
		return OUT_REFUSED;
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EACCES:             /* ICMP admin-prohibited reaches connect() as EACCES or EHOSTUNREACH */
	case EPERM:              /* a local packet filter rejected it */
		return OUT_UNREACH;
	case ETIMEDOUT:
		return OUT_TIMEOUT;
	case ECONNRESET:
		return OUT_RESET;
	default:
		return OUT_ERROR;
	}
}

bool banner_complete(const char *data, size_t len)
{
	const char *p = data, *end = data + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			return false;
		if (nl - p >= 4 && memcmp(p, "SSH-", 4) == 0)
			return true;
		p = nl + 1;
	}
	return false;
}

enum outcome classify_banner(const struct banner_obs *o, const char **line, size_t *line_len)
{
	const char *p = o->data, *end = o->data + o->len;
	int lines = 0;

	*line = NULL;
	*line_len = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		if (n >= 4 && memcmp(p, "SSH-", 4) == 0) {
			if (n + (nl ? 1 : 0) > BANNER_MAX_LEN) {
				/* ssh clients refuse it; not "slow" when the reader's cap cut it */
				*line = p;
				*line_len = n;
				return OUT_NOT_SSH;
			}
			if (!nl)     /* started but never finished: trickling, or cut off */
				return o->timed_out ? OUT_SLOW_BANNER : o->reset ? OUT_RESET : OUT_CLOSED;
			*line = p;
			*line_len = n;
			if (n && p[n - 1] == '\r')
				(*line_len)--;
			if (!(n >= 8 && memcmp(p, "SSH-2.0-", 8) == 0) &&
			    !(n >= 9 && memcmp(p, "SSH-1.99-", 9) == 0))
				return OUT_NOT_SSH;
			return o->first_byte_ms > BANNER_SLOW_MS || o->total_ms > BANNER_SLOW_MS
				       ? OUT_SLOW_BANNER : OUT_OK;
		}
		if (!nl)
			break;
		lines++;
		if (lines == 1 && (n >= 5 && memcmp(p, "HTTP/", 5) == 0))
			return OUT_NOT_SSH;
		p = nl + 1;
	}
	if (lines > BANNER_MAX_LINES || (o->timed_out && o->len > 4096))
		return OUT_FLOOD;
	if (o->len > 0 && lines == 0 && o->len >= 4 && memcmp(o->data, "SSH-", 4) != 0 &&
	    (o->eof || o->reset))
		return OUT_NOT_SSH;
	if (o->len > 0 && lines > 0 && !o->timed_out)
		return OUT_NOT_SSH;
	if (o->len > 0 && o->timed_out)
		return lines > 0 ? OUT_NOT_SSH : OUT_SLOW_BANNER;
	if (o->reset)
		return OUT_RESET;
	if (o->eof)
		return OUT_CLOSED;
	return OUT_NO_BANNER;
}

enum outcome classify_session(int exit_status, const char *output, const char *expect_token)
{
	if (exit_status == 0 && expect_token && strstr(output, expect_token))
		return OUT_OK;
	if (strstr(output, "This account is currently not available"))
		return OUT_NOLOGIN_SHELL;
	if (strstr(output, "No space left on device"))
		return OUT_DISK_FULL;
	/* sshd accepted the key, printed a message instead of running the command and
	 * closed: that is what /etc/nologin does (the message is its content). */
	if (output[0] && exit_status != 0 && !(expect_token && strstr(output, expect_token)))
		return OUT_NOLOGIN_FILE;
	return OUT_SESSION_FAIL;
}

const char *classify_private_key_mode(mode_t mode)
{
	if (mode & (S_IRWXG | S_IRWXO))
		return "the private key is readable or writable by others: ssh refuses it (UNPROTECTED PRIVATE KEY FILE)";
	if (!(mode & S_IRUSR))
		return "the private key is not readable by its owner";
	return NULL;
}

const char *classify_ssh_dir_mode(mode_t mode)
{
	if (mode & (S_IWGRP | S_IWOTH))
		return "~/.ssh is writable by group or others";
	return NULL;
}

enum outcome classify_vantage(const char *output)
{
	if (strstr(output, "sshtriage-connected"))
		return OUT_OK;
	if (strstr(output, "Connection refused"))
		return OUT_REFUSED;
	if (strstr(output, "No route to host") || strstr(output, "Network is unreachable"))
		return OUT_UNREACH;
	if (strstr(output, "Connection reset"))
		return OUT_RESET;
	if (strstr(output, "rc=124") || strstr(output, "timed out"))
		return OUT_TIMEOUT;
	return OUT_ERROR;
}

/* True when the text after "dport" names port: "22", "{ 80, 22 }", "20-25". */
static bool dport_matches(const char *p, int port)
{
	while (*p == ' ')
		p++;
	if (*p == '{') {
		for (p++; *p && *p != '}';) {
			char *end;
			long a = strtol(p, &end, 10), b = a;

			if (end == p) {
				p++;
				continue;
			}
			if (*end == '-')
				b = strtol(end + 1, &end, 10);
			if (port >= a && port <= b)
				return true;
			p = end;
		}
		return false;
	}
	{
		char *end;
		long a = strtol(p, &end, 10), b = a;

		if (end == p)
			return false;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		return port >= a && port <= b;
	}
}

bool classify_nft_output_block(const char *ruleset, int port, char *rule, size_t rulelen)
{
	bool in_output = false;
	const char *p = ruleset;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[512];
		const char *d;

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		if (strstr(line, "chain "))
			in_output = false;
		if (strstr(line, "hook output"))
			in_output = true;
		if (in_output && strstr(line, "tcp") && (d = strstr(line, "dport ")) &&
		    dport_matches(d + 6, port) && (strstr(line, " drop") || strstr(line, " reject"))) {
			const char *t = line;

			while (*t == ' ' || *t == '\t')
				t++;
			snprintf(rule, rulelen, "%s", t);
			return true;
		}
		p = nl ? nl + 1 : NULL;
	}
	return false;
}
