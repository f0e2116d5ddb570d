/* diag: from the checks in a model, decide each component's state, the verdict, and the
 * report's reachable/handshake/authenticated.  Pure; runs after every probe result, so
 * the screen's highlight moves as evidence arrives.  A component whose evidence is still
 * outstanding stays "running"; once m->done is set, outstanding evidence counts as
 * unavailable. */
#ifndef SSHTRIAGE_CORE_DIAG_H
#define SSHTRIAGE_CORE_DIAG_H

#include "core/model.h"

void diag_run(struct model *m);

#endif
