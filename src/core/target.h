/* target: parse and validate "[user@]host[:port]" as given on the command line.
 * Pure.  Hosts and users with shell metacharacters, control bytes or a leading '-' are
 * refused: they end up in argv of ssh-like tools and on the screen. */
#ifndef SSHTRIAGE_CORE_TARGET_H
#define SSHTRIAGE_CORE_TARGET_H

#include <stddef.h>

#include "core/model.h"

/* Fills t (user left empty when absent, port 22 when absent).  IPv6 literals go in
 * brackets when a port follows: "[2001:db8::1]:2222".  Returns 0, or -1 with a message. */
int target_parse(const char *spec, struct target *t, char *err, size_t errlen);

/* "user@" alone (the host is found elsewhere): the user into t.  0 or -1. */
int target_parse_user(const char *spec, struct target *t, char *err, size_t errlen);

/* Formats user@host:port into buf (brackets around IPv6 literals). */
void target_format(const struct target *t, char *buf, size_t len);

#endif
