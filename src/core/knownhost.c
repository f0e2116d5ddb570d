#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "core/knownhost.h"

static bool b64_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '+' || ch == '/';
}

bool kh_key_split(const char *key, char *type, size_t tlen, char *b64, size_t blen)
{
	size_t t = 0, b, pad = 0;

	while (key[t] && (islower((unsigned char)key[t]) || isdigit((unsigned char)key[t]) ||
			  key[t] == '@' || key[t] == '.' || key[t] == '-'))
		t++;
	if (t == 0 || t >= KH_TYPE_LEN || t >= tlen || key[t] != ' ')
		return false;
	for (b = 0; b64_char(key[t + 1 + b]); b++)
		;
	while (key[t + 1 + b + pad] == '=' && pad < 2)
		pad++;
	if (b < 16 || key[t + 1 + b + pad] != '\0' || b + pad >= blen)
		return false;
	snprintf(type, tlen, "%.*s", (int)t, key);
	snprintf(b64, blen, "%s", key + t + 1);
	return true;
}

bool kh_host_pattern(const char *host, int port, char *out, size_t len)
{
	char low[256];
	size_t n = strlen(host);
	int w;

	if (n == 0 || n >= sizeof(low) || host[0] == '-' || port < 1 || port > 65535)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)host[i];

		if (!isalnum(ch) && ch != '.' && ch != ':' && ch != '_' && ch != '-')
			return false;
		low[i] = (char)tolower(ch);
	}
	low[n] = '\0';
	w = port == 22 ? snprintf(out, len, "%s", low) : snprintf(out, len, "[%s]:%d", low, port);
	return w > 0 && (size_t)w < len;
}

int kh_entry_line(const char *pattern, const char *type, const char *b64, char *out, size_t len)
{
	int w = snprintf(out, len, "%s %s %s", pattern, type, b64);

	return w > 0 && (size_t)w < len ? 0 : -1;
}

int kh_found_lines(const char *out, int *lines, int max, int *kept)
{
	int n = 0;

	*kept = 0;
	for (const char *p = out; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *f, *end = p + strcspn(p, "\n");
		char *stop;
		long v;

		if (strncmp(p, "# Host ", 7) != 0 || !(f = strstr(p, " found: line ")) || f > end)
			continue;
		v = strtol(f + 13, &stop, 10);
		if (stop == f + 13 || v < 1 || v > 100000000 || stop > end)
			continue;
		/* ssh-keygen adds "CA" or "REVOKED" after the number for marker lines */
		if (strncmp(stop, " CA", 3) == 0 || strncmp(stop, " REVOKED", 8) == 0) {
			(*kept)++;
			continue;
		}
		if (n < max)
			lines[n++] = (int)v;
	}
	return n;
}

int kh_oob_fps(const struct check *c, char fps[][KH_FP_LEN], int max)
{
	int n = 0;

	for (int i = 0; c && i < c->n_evidence && i < CHECK_EVIDENCE_MAX && n < max; i++) {
		diag_find_fp(c->evidence[i], fps[n], KH_FP_LEN);
		n += fps[n][0] != '\0';
	}
	return n;
}

enum kh_verdict kh_verify(const char *key_fp, const char *net_fp, char oob[][KH_FP_LEN], int n)
{
	if (!key_fp || strncmp(key_fp, "SHA256:", 7) != 0 || !key_fp[7])
		return KH_NO_KEY;
	if (!net_fp || strcmp(key_fp, net_fp) != 0)
		return KH_KEY_NOT_SEEN;
	if (n <= 0)
		return KH_NO_OOB;
	for (int i = 0; i < n; i++)
		if (strcmp(oob[i], key_fp) == 0)
			return KH_OK;
	return KH_MISMATCH;
}

const char *kh_verdict_text(enum kh_verdict v)
{
	switch (v) {
	case KH_OK:
		return "the key the network presents is one of the VM's own, read out of band";
	case KH_NO_KEY:
		return "the probe brought back no usable host key";
	case KH_KEY_NOT_SEEN:
		return "the host key the probe carried is not the one whose fingerprint it showed";
	case KH_NO_OOB:
		return "the VM's own host key fingerprints were not read out of band (Run Command): "
		       "nothing to check the network's key against";
	case KH_MISMATCH:
		return "POSSIBLE INTERCEPTION: the host key the network presents is NOT one of the "
		       "VM's own keys";
	}
	return "?";
}

void kh_describe(const char *net_fp, const struct check *src, char *out, size_t len)
{
	size_t at;
	int n = 0;

	snprintf(out, len, "the network presents %s; the VM's own keys, read out of band (%s): ",
		 net_fp && *net_fp ? net_fp : "no key",
		 !src ? "none read" : src->id == CK_VM_HOST_KEY ? "Run Command" : "boot log");
	for (int i = 0; src && i < src->n_evidence && i < CHECK_EVIDENCE_MAX; i++) {
		char fp[KH_FP_LEN];

		diag_find_fp(src->evidence[i], fp, sizeof(fp));
		if (!fp[0])
			continue;
		at = strlen(out);
		snprintf(out + at, len - at, "%s%s", n++ ? ", " : "", src->evidence[i]);
	}
	if (!n) {
		at = strlen(out);
		snprintf(out + at, len - at, "none");
	}
}
