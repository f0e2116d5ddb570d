/* sshdcfg: read an sshd_config as sshd would, for the settings that decide whether an SSH
 * login can work — ports, listen addresses, publickey/password, who is allowed, StrictModes,
 * AuthorizedKeysFile.  Pure: the text comes from the guest (Run Command); Include is
 * resolved through a callback the caller supplies.
 *
 * Semantics kept from sshd: keywords are case-insensitive; for most keywords the first
 * value wins; Port and ListenAddress accumulate; "Match" starts a conditional block that
 * lasts to the next Match or the end of the file (its settings are recorded as
 * conditional, not applied); Include is expanded in place, depth-limited. */
#ifndef SSHTRIAGE_AZURE_SSHDCFG_H
#define SSHTRIAGE_AZURE_SSHDCFG_H

#include <stdbool.h>
#include <stddef.h>

#define SSHDCFG_PORTS_MAX 8
#define SSHDCFG_VAL 256
#define SSHDCFG_INCLUDE_DEPTH 8      /* sshd's own limit is 16; loops end here */
#define SSHDCFG_INCLUDE_MAX 64       /* files included in all: a fan-out at every level ends too */
#define SSHDCFG_LINE_MAX 4096        /* longer lines are reported, not parsed */

enum sshdcfg_tri { SSHDCFG_UNSET = -1, SSHDCFG_NO = 0, SSHDCFG_YES = 1 };

struct sshd_cfg {
	int n_ports;
	int ports[SSHDCFG_PORTS_MAX];        /* none given: 22 */
	int n_listen;
	char listen[SSHDCFG_PORTS_MAX][SSHDCFG_VAL];
	int pubkey, password, strict_modes;  /* enum sshdcfg_tri; unset means sshd's default */
	char permit_root[32];
	char allow_users[SSHDCFG_VAL], deny_users[SSHDCFG_VAL];
	char allow_groups[SSHDCFG_VAL], deny_groups[SSHDCFG_VAL];
	char auth_methods[SSHDCFG_VAL];
	char authorized_keys_file[SSHDCFG_VAL];
	int n_match;                         /* Match blocks seen */
	int errors;                          /* lines sshd would reject (unknown syntax...) */
	char first_error[SSHDCFG_VAL];
	bool include_loop;                   /* Include depth or SSHDCFG_INCLUDE_MAX exceeded */
	int n_include;                       /* files included */
};

/* Returns the text of an included file (pattern as written), or NULL when there is none.
 * The text must stay valid until sshdcfg_parse returns. */
typedef const char *(*sshdcfg_include_fn)(void *arg, const char *pattern, size_t *len);

void sshdcfg_parse(const char *text, size_t len, sshdcfg_include_fn inc, void *arg,
		   struct sshd_cfg *cfg);

/* The port list as sshd would listen (22 when none is given). */
int sshdcfg_ports(const struct sshd_cfg *cfg, int *ports, int max);
/* Would publickey authentication be offered (PubkeyAuthentication, AuthenticationMethods)? */
bool sshdcfg_pubkey_offered(const struct sshd_cfg *cfg);
/* Is user allowed by AllowUsers/DenyUsers (patterns with * and ?, user@host ignored as
 * "any host")?  Groups are not evaluated (the caller has no group list): see *why. */
bool sshdcfg_user_allowed(const struct sshd_cfg *cfg, const char *user, char *why, size_t whylen);

#endif
