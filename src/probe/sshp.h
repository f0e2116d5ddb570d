/* sshp: SSH probes with libssh on a socket we connected ourselves (so libssh never
 * resolves names or runs a ProxyCommand).  Runs in probe workers only. */
#ifndef SSHTRIAGE_PROBE_SSHP_H
#define SSHTRIAGE_PROBE_SSHP_H

#include <stdbool.h>

#include "core/model.h"

struct sshp_creds {
	const char *identity;        /* private key file, or NULL */
	bool use_agent;              /* SSH_AUTH_SOCK is set */
	const char *ssh_dir;         /* ~/.ssh: default keys and known_hosts */
};

/* The whole path to the target on a fresh connected socket fd (taken, closed here):
 * key exchange -> known_hosts -> auth -> trivial command.  Fills CK_VM_HANDSHAKE,
 * CK_CLIENT_KNOWN_HOSTS, CK_VM_AUTH and CK_VM_SESSION; emit() is called with each check
 * as soon as it is final, so the screen follows along.  Once the key exchange is done,
 * hostkey gets the server's host key as "TYPE BASE64" ("" when none or too long), before
 * the first emit. */
void sshp_probe_path(int fd, const char *host, int port, const char *user,
		     const struct sshp_creds *cr, int timeout_ms, char *hostkey, size_t hostkeylen,
		     void (*emit)(const struct check *c, void *arg), void *arg);

/* The SHA256 fingerprint ("SHA256:...") of a public key given as known_hosts holds it;
 * -1 when b64 is not a key of that type. */
int sshp_pubkey_fingerprint(const char *type, const char *b64, char *fp, size_t len);

/* Handshake only (reference host): fills c (CK_CLIENT_REFERENCE). */
void sshp_probe_handshake(struct check *c, int fd, const char *host, int port, int timeout_ms);

/* Logs into the vantage host and runs a TCP test to addr:port from there.  Fills c, and
 * seen with the address the vantage host sees this client come from (its SSH_CONNECTION:
 * the organisation's public address, after its NAT), "" when it did not say. */
void sshp_probe_vantage(struct check *c, int fd, const char *vhost, int vport, const char *vuser,
			const struct sshp_creds *cr, const char *addr, int port, int timeout_ms,
			char *seen, size_t seenlen);

#endif
