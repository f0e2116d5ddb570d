/* net: plain-socket probes — resolve, TCP connect classified, banner read.  Blocking with
 * their own deadlines; they run in probe workers, never on the UI loop. */
#ifndef SSHTRIAGE_PROBE_NET_H
#define SSHTRIAGE_PROBE_NET_H

#include <stddef.h>

#include "core/model.h"

/* Resolves host to one numeric address (IPv4 preferred) into addr.  Fills the check
 * CK_CLIENT_RESOLVE in c.  Returns 0 on success. */
int net_resolve(const char *host, char *addr, size_t addrlen, struct check *c);

/* Connects to addr:port within timeout_ms.  Returns the connected descriptor (caller
 * closes) or -1; *outcome says why (classify_connect_errno). */
int net_connect(const char *addr, int port, int timeout_ms, enum outcome *outcome, int *err);

/* Fills c (CK_VM_TCP or any TCP check) from a connect attempt; returns the fd or -1. */
int net_probe_tcp(struct check *c, const char *what, const char *addr, int port, int timeout_ms);

/* Reads the identification line on a connected socket within timeout_ms and fills c
 * (CK_VM_BANNER).  Returns the outcome. */
enum outcome net_probe_banner(struct check *c, int fd, int timeout_ms);

#endif
