/* creds: what vm.reset_credentials hands the VMAccessForLinux extension — a user name,
 * one OpenSSH public key line, a password — checked, and turned into the extension's
 * protectedSettings.  Pure: cJSON, and libssh's key parser only (no I/O, no globals). */
#ifndef SSHTRIAGE_AZURE_CREDS_H
#define SSHTRIAGE_AZURE_CREDS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define CREDS_USER_MAX 32
#define CREDS_KEY_MAX 16384      /* a public key file's size limit (RSA 16384 bits fits) */
#define CREDS_MASK "********"    /* a password as every preview shows it */

struct vm_creds {
	char user[CREDS_USER_MAX + 1];   /* "" : the target's user */
	char *pubkey;                    /* owned: one checked public key line, or NULL */
	char key_info[160];              /* "SHA256:... (ED25519)", "" without a key */
	char *password;                  /* owned, a secret: wiped by creds_clear; or NULL */
};

/* Wipes the password, frees both strings, zeroes cr. */
void creds_clear(struct vm_creds *cr);

/* A name VMAccessForLinux accepts (and useradd makes): [a-z_][a-z0-9_.-]{0,31}. */
bool creds_user_ok(const char *user);

/* text (len bytes): a public key file — one "TYPE BASE64 [COMMENT]" line (blank and #
 * lines aside), a plain key (no certificate, no authorized_keys options) that libssh
 * reads.  Returns the line as "TYPE BASE64[ COMMENT]" (malloc'd) and, in info,
 * "SHA256:<fingerprint> (<TYPE>)"; NULL with a message, which names a private key as one. */
char *creds_pubkey_line(const char *text, size_t len, char *info, size_t infolen, char *err,
			size_t errlen);

/* Adds "username" (user), and "ssh_key" and/or "password" of cr, to protectedSettings ps.
 * masked: the password is CREDS_MASK.  Unmasked, the password goes in as a reference to
 * cr->password (no copy that cJSON would free unwiped): print with creds_print before
 * cr is cleared.  -1 when cr has neither a key nor a password. */
int creds_settings(cJSON *ps, const struct vm_creds *cr, const char *user, bool masked);

/* Prints j (formatted, as cJSON_Print) into a buffer of our own, not through cJSON's allocations (a secret
 * in j is copied nowhere else), then deletes j.  Wipe the result before freeing (it may
 * hold a secret).  NULL when out of memory. */
char *creds_print(cJSON *j);

#endif
