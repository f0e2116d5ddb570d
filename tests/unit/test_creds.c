/* vm.reset_credentials' pure parts: user names, the public key line, and the VMAccess
 * protectedSettings with the password masked or not. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "azure/creds.h"
#include "tap.h"

#define ED "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINrH4g+5xf24zeeGiKsYZue2ldKXsg4Tl5a7oVH2n4he"
#define EC "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBGHGWZ6ZmCk4" \
	   "nZSc6OmlqXKyGSGSn+e31g2oJm64cBV924YTToD2/XObbtSSDs1jh9jjo7uysDCRadAjv5JKaG4="

static char info[160], err[200];

static char *key(const char *text)
{
	return creds_pubkey_line(text, strlen(text), info, sizeof(info), err, sizeof(err));
}

static void refused(const char *text, const char *why, const char *name)
{
	char *k = key(text);

	ok(!k && strstr(err, why), "%s refused (%s)", name, err);
	free(k);
}

static void test_user(void)
{
	ok(creds_user_ok("azureuser"), "azureuser");
	ok(creds_user_ok("_svc.ops-1"), "_svc.ops-1");
	ok(!creds_user_ok(""), "empty");
	ok(!creds_user_ok("Admin"), "capital");
	ok(!creds_user_ok("1abc"), "leading digit");
	ok(!creds_user_ok("a b"), "space");
	ok(!creds_user_ok("a;reboot"), "shell character");
	ok(!creds_user_ok("abcdefghijklmnopqrstuvwxyz0123456"), "33 characters");
	ok(creds_user_ok("abcdefghijklmnopqrstuvwxyz012345"), "32 characters");
}

static void test_key(void)
{
	char *k = key(ED " test@example\n");

	is_str(k, ED " test@example", "ed25519 line kept");
	is_str(info, "SHA256:D8CC//yfBzD4u3kIwVNrdyGUEdUWCXWadOt1UFx8dK0 (ssh-ed25519)", "fingerprint");
	free(k);
	k = key("# my key\n\n  " EC "  \r\n\n");
	is_str(k, EC, "ecdsa without comment, comments and blank lines around");
	free(k);
	k = key(ED "   two  words\tcomment");
	is_str(k, ED " two  words\tcomment", "comment kept as written");
	free(k);
	refused("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH "
		"PRIVATE KEY-----\n", "private key", "OpenSSH private key");
	refused("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n", "private key", "PEM private key");
	refused("PuTTY-User-Key-File-3: ssh-ed25519\n", "private key", "PuTTY key");
	refused(ED "\n" EC "\n", "more than one", "two keys");
	refused("", "no public key", "empty file");
	refused("# only a comment\n", "no public key", "comment only");
	refused("command=\"/bin/sh\" " ED, "options", "authorized_keys options");
	refused("ssh-foo AAAA", "not an OpenSSH public key", "unknown type");
	refused("ssh-ed25519", "not an OpenSSH public key", "type alone");
	refused("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAINrH4g+5xf24zeeGiKsYZue2ldKXsg4Tl5a7oVH2n4he",
		"libssh cannot read", "type and key differ");
	refused("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINrH4g+5xf24zeeGiKs", "libssh cannot read",
		"cut key");
	refused("ssh-ed25519 AAAA$(reboot)", "stray character", "shell in base64");
	refused(ED " a\033[2Jb", "control character", "escape in comment");
	refused("ssh-ed25519-cert-v01@openssh.com AAAA", "certificate", "certificate");
	{
		char bin[] = "ssh-ed25519 AAAA\0x";

		ok(!creds_pubkey_line(bin, sizeof(bin), info, sizeof(info), err, sizeof(err)) &&
		   strstr(err, "not a text file"), "NUL byte refused");
	}
}

static char *body(const struct vm_creds *cr, const char *user, bool masked)
{
	cJSON *j = cJSON_CreateObject(), *ps = cJSON_AddObjectToObject(j, "protectedSettings");

	if (creds_settings(ps, cr, user, masked) != 0) {
		cJSON_Delete(j);
		return NULL;
	}
	return creds_print(j);
}

static void test_settings(void)
{
	struct vm_creds cr = {.user = ""};
	char *b, pw[] = "p\"a\\ss w\xc3\xa9rd\n1";
	cJSON *j, *ps;

	ok(body(&cr, "azureuser", true) == NULL, "neither key nor password: refused");
	cr.pubkey = strdup(ED " me");
	b = body(&cr, "azureuser", true);
	j = b ? cJSON_Parse(b) : NULL;
	ps = cJSON_GetObjectItem(j, "protectedSettings");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(ps, "username")), "azureuser", "key only: user");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(ps, "ssh_key")), ED " me", "key only: key");
	ok(cJSON_GetArraySize(ps) == 2, "key only: nothing else");
	cJSON_Delete(j);
	free(b);
	cr.password = strdup(pw);
	b = body(&cr, "newadmin", true);
	j = b ? cJSON_Parse(b) : NULL;
	ps = cJSON_GetObjectItem(j, "protectedSettings");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(ps, "username")), "newadmin", "masked: user");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(ps, "password")), CREDS_MASK,
	       "masked: the password is " CREDS_MASK);
	ok(cJSON_GetArraySize(ps) == 3, "masked: user, key, password");
	ok(b && !strstr(b, "ss w"), "masked body holds no part of the password");
	cJSON_Delete(j);
	free(b);
	b = body(&cr, "newadmin", false);
	j = b ? cJSON_Parse(b) : NULL;
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "protectedSettings"),
							"password")), pw,
	       "unmasked: the password, escaped, reads back the same");
	ok(b && strstr(b, "p\\\"a\\\\ss"), "quote and backslash escaped");
	cJSON_Delete(j);
	free(b);
	/* a long key: the print buffer grows */
	{
		char *big = malloc(20000);

		memset(big, 'A', 19999);
		big[19999] = '\0';
		free(cr.pubkey);
		cr.pubkey = big;
		b = body(&cr, "azureuser", false);
		ok(b && strlen(b) > 20000 && strstr(b, "\"password\":\t\"p"), "a 20000-byte key prints");
		free(b);
	}
	creds_clear(&cr);
	ok(!cr.pubkey && !cr.password, "cleared");
}

int main(void)
{
	test_user();
	test_key();
	test_settings();
	return tap_done();
}
