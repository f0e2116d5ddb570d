/* trace: TCP traceroute — SYNs to the target port with rising TTL, ICMP time-exceeded read
 * on a raw socket.  Needs root or CAP_NET_RAW; without it the check says so and is
 * "unavailable" rather than failing. */
#ifndef SSHTRIAGE_PROBE_TRACE_H
#define SSHTRIAGE_PROBE_TRACE_H

#include "core/model.h"

#define TRACE_MAX_HOPS 12

/* Fills c (CK_EDGE_TRACE). IPv4 only. */
void trace_probe(struct check *c, const char *addr, int port, int timeout_ms);

#endif
