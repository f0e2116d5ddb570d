/* diag: from the checks in a model, decide each component's state, the verdict, and the
 * report's reachable/handshake/authenticated.  Pure; runs after every probe result, so
 * the screen's highlight moves as evidence arrives.  A component whose evidence is still
 * outstanding stays "running"; once m->done is set, outstanding evidence counts as
 * unavailable. */
#ifndef SSHTRIAGE_CORE_DIAG_H
#define SSHTRIAGE_CORE_DIAG_H

#include "core/model.h"

void diag_run(struct model *m);

/* The host key the network presented against the VM's own keys, as Run Command read them
 * (vm.host_key's evidence).  net_fp gets the network's "SHA256:..." ("" when none seen). */
enum diag_hostkey { DIAG_HK_UNKNOWN, DIAG_HK_MATCH, DIAG_HK_MISMATCH };
enum diag_hostkey diag_host_key(const struct model *m, char *net_fp, size_t len);
/* The check whose evidence holds the VM's own host key fingerprints, read out of band
 * (vm.host_key, else the boot log's), or NULL when neither has them. */
const struct check *diag_host_key_source(const struct model *m);
/* The "SHA256:..." token in s, copied into out ("" when none, or when it does not fit). */
void diag_find_fp(const char *s, char *out, size_t len);

#endif
