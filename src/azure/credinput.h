/* credinput: where vm.reset_credentials' user, key and password come from — --reset-user,
 * --public-key FILE (not a secret: a path in argv is fine), the new password from
 * SSHTRIAGE_NEW_PASSWORD_FILE (first line; mode 0600 or stricter) or SSHTRIAGE_NEW_PASSWORD
 * (taken out of the environment first thing in main), or else asked on the terminal
 * without echo, twice.  Never from argv. */
#ifndef SSHTRIAGE_AZURE_CREDINPUT_H
#define SSHTRIAGE_AZURE_CREDINPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "azure/creds.h"

struct cred_input {
	char user[CREDS_USER_MAX + 1];   /* --reset-user; "" the target's */
	char pubkey_file[4096];          /* --public-key; "" none */
};

/* Takes SSHTRIAGE_NEW_PASSWORD out of the environment (the block overwritten, the variable
 * unset) and keeps it for credinput_gather: call it first thing in main. */
void credinput_take_env(void);
/* Wipes the password taken from the environment if nothing used it. */
void credinput_drop(void);

/* Reads and checks public key file path into cr (pubkey, key_info): -1 with a message. */
int credinput_read_key(const char *path, struct vm_creds *cr, char *err, size_t errlen);

/* A key or a password source was given (nothing is read). */
bool credinput_given(const struct cred_input *in);

/* Fills cr (creds_clear it) from in: the key file, the password from the environment
 * (moved out of what credinput_take_env kept) or the file; with neither a key nor a
 * password source and ask set, the password is asked on the terminal (cancel_fd: see
 * secret_read_tty; *cancelled true when it ended it).  -1 with a message. */
int credinput_gather(const struct cred_input *in, bool ask, int cancel_fd, struct vm_creds *cr,
		     bool *cancelled, char *err, size_t errlen);

#endif
