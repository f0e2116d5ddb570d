/* loop: the one poll() loop.  It owns every descriptor — the terminal, the probe workers'
 * pipes, the signal self-pipe — and the repaint cap. */
#ifndef SSHTRIAGE_EV_LOOP_H
#define SSHTRIAGE_EV_LOOP_H

#include "core/model.h"
#include "probe/engine.h"
#include "ui/ui.h"

enum loop_end { LOOP_DONE, LOOP_QUIT, LOOP_SIGNAL };

/* Without a ui (batch), returns LOOP_DONE when the round is over.  With a ui, runs until
 * the operator quits.  *sig receives the signal that ended it, if any. */
enum loop_end loop_run(struct engine *e, struct model *m, struct ui *ui, int *sig);

#endif
