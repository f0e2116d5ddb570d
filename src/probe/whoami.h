/* whoami: ask a "what is my IP" web service for the address this client leaves the
 * organisation with.  It proves that web traffic gets out (while SSH may not) and gives
 * the client's public address, which NSG and DNAT rules see.  Runs in a probe worker. */
#ifndef SSHTRIAGE_PROBE_WHOAMI_H
#define SSHTRIAGE_PROBE_WHOAMI_H

#include <stddef.h>

#include "core/model.h"

/* Fills c (CK_EDGE_PUBLIC_IP) and, when the answer is an address, ip.  url is http:// or
 * https://; no credentials are sent. */
void whoami_probe(struct check *c, const char *url, int timeout_ms, char *ip, size_t iplen);

#endif
