/* local: checks of the client machine itself — ~/.ssh modes, the key, ssh_config for the
 * host (read, never run), proxy variables, the local packet filter.  Run in a worker. */
#ifndef SSHTRIAGE_PROBE_LOCAL_H
#define SSHTRIAGE_PROBE_LOCAL_H

#include <stdbool.h>

#include "core/model.h"

void local_probe_permissions(struct check *c, const char *ssh_dir, const char *identity);
void local_probe_key(struct check *c, const char *ssh_dir, const char *identity, bool agent);
void local_probe_ssh_config(struct check *c, const char *ssh_dir, const char *host);
void local_probe_proxy_env(struct check *c);
void local_probe_firewall(struct check *c, int port, int timeout_ms);

/* Runs argv (no shell: argv[0] found on PATH) with stdout into buf (NUL-terminated) within
 * timeout_ms; returns its exit status, or -1.  The child gets no terminal, an empty stdin,
 * and stderr on /dev/null. */
int local_run(char *const argv[], char *buf, size_t len, int timeout_ms);

/* client.fix_key_permissions: ~/.ssh to 0700, the key to 0600 at most, its .pub and
 * known_hosts to 0644 at most; only files this user owns, never through a symbolic link.
 * apply false: only say what would change.  did gets "chmod 0700 ~/.ssh (was 0777); ..."
 * ("" when nothing needs it).  0, or -1 with err. */
int local_fix_permissions(const char *ssh_dir, const char *identity, bool apply, char *did,
			  size_t len, char *err, size_t errlen);

#endif
