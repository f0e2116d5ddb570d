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

#endif
