#include "config.h"

#include <libssh/libssh.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azure/creds.h"

void creds_clear(struct vm_creds *cr)
{
	if (cr->password) {
		explicit_bzero(cr->password, strlen(cr->password));
		free(cr->password);
	}
	free(cr->pubkey);
	explicit_bzero(cr, sizeof(*cr));
}

bool creds_user_ok(const char *user)
{
	size_t n = strlen(user);

	if (n == 0 || n > CREDS_USER_MAX || !((user[0] >= 'a' && user[0] <= 'z') || user[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((user[i] >= 'a' && user[i] <= 'z') || (user[i] >= '0' && user[i] <= '9') ||
		      strchr("_.-", user[i])))
			return false;
	return true;
}

static bool b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/' || c == '=';
}

/* The one key line of text, NUL-terminated in line (linelen bytes): 0, -1 none, -2 more
 * than one, -3 too long. */
static int only_line(const char *text, size_t len, char *line, size_t linelen)
{
	int found = 0;

	for (size_t at = 0; at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (text + at)) : len - at, s = 0;

		while (s < n && (text[at + s] == ' ' || text[at + s] == '\t'))
			s++;
		while (n > s && (text[at + n - 1] == '\r' || text[at + n - 1] == ' ' ||
				 text[at + n - 1] == '\t'))
			n--;
		if (n > s && text[at + s] != '#') {
			if (found++)
				return -2;
			if (n - s >= linelen)
				return -3;
			memcpy(line, text + at + s, n - s);
			line[n - s] = '\0';
		}
		at += (nl ? (size_t)(nl - (text + at)) + 1 : len - at);
	}
	return found ? 0 : -1;
}

char *creds_pubkey_line(const char *text, size_t len, char *info, size_t infolen, char *err,
			size_t errlen)
{
	char *line = NULL, *type, *b64, *comment = NULL, *out = NULL, *fp = NULL;
	ssh_key key = NULL;
	enum ssh_keytypes_e kt;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	int rc;

	info[0] = '\0';
	if (memmem(text, len, "PRIVATE KEY", 11) || memmem(text, len, "PuTTY-User-Key-File", 19)) {
		snprintf(err, errlen, "this is a private key: give its public half (the .pub file)");
		return NULL;
	}
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "not a text file");
		return NULL;
	}
	line = malloc(CREDS_KEY_MAX + 1);
	if (!line) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rc = only_line(text, len, line, CREDS_KEY_MAX + 1);
	if (rc != 0) {
		snprintf(err, errlen, "%s", rc == -1 ? "no public key in it" : rc == -2 ?
			 "more than one line: give a file with one public key" : "the key line is too long");
		goto out;
	}
	type = strtok(line, " \t");
	b64 = strtok(NULL, " \t");
	comment = strtok(NULL, "");
	while (comment && (*comment == ' ' || *comment == '\t'))
		comment++;
	kt = type ? ssh_key_type_from_name(type) : SSH_KEYTYPE_UNKNOWN;
	if (!type || !b64 || kt == SSH_KEYTYPE_UNKNOWN) {
		snprintf(err, errlen, "not an OpenSSH public key line (\"ssh-ed25519 AAAA... comment\"%s)",
			 type && b64 && strchr(type, '=') ? "; authorized_keys options are not taken" : "");
		goto out;
	}
	if (strstr(type, "-cert-v01@openssh.com")) {
		snprintf(err, errlen, "a certificate, not a plain public key");
		goto out;
	}
	for (const char *p = b64; *p; p++)
		if (!b64_char(*p)) {
			snprintf(err, errlen, "the key's base64 text holds a stray character");
			goto out;
		}
	for (const unsigned char *p = (const unsigned char *)comment; p && *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
			snprintf(err, errlen, "the key's comment holds a control character");
			goto out;
		}
	if (ssh_pki_import_pubkey_base64(b64, kt, &key) != SSH_OK || ssh_key_type(key) != kt) {
		snprintf(err, errlen, "libssh cannot read this %s key (damaged or a mismatched type)", type);
		goto out;
	}
	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) == 0)
		fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	snprintf(info, infolen, "%s (%s)", fp ? fp : "SHA256:?", type);
	if (asprintf(&out, "%s %s%s%s", type, b64, comment && *comment ? " " : "",
		     comment ? comment : "") < 0) {
		out = NULL;
		snprintf(err, errlen, "out of memory");
	}
out:
	if (fp)
		ssh_string_free_char(fp);
	if (hash)
		ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
	free(line);
	return out;
}

int creds_settings(cJSON *ps, const struct vm_creds *cr, const char *user, bool masked)
{
	if (!cr->pubkey && !cr->password)
		return -1;
	cJSON_AddStringToObject(ps, "username", user);
	if (cr->pubkey)
		cJSON_AddStringToObject(ps, "ssh_key", cr->pubkey);
	if (cr->password)
		cJSON_AddItemToObject(ps, "password", masked ? cJSON_CreateString(CREDS_MASK) :
				      cJSON_CreateStringReference(cr->password));
	return 0;
}

char *creds_print(cJSON *j)
{
	char *buf = NULL;

	/* cJSON_PrintPreallocated never allocates: a buffer too small fails, and grows here */
	for (int size = 4096; j && size <= (1 << 22); size *= 2) {
		buf = malloc((size_t)size);
		if (!buf)
			break;
		if (cJSON_PrintPreallocated(j, buf, size, 1))
			break;
		explicit_bzero(buf, (size_t)size);
		free(buf);
		buf = NULL;
	}
	cJSON_Delete(j);
	return buf;
}
