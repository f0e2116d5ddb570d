/* rescue: the rescue console's cloud side.  A shell command the operator typed runs on the
 * VM through Run Command (RunShellScript); its output, stderr and exit status land in the
 * model's rescue transcript (struct rescue), and one line goes to the audit log.
 *
 * Each command is a separate, non-interactive run: no terminal, no input, as root, stopped
 * by the agent after about 90 s; Azure keeps only the last 4 KiB of each stream.  Azure
 * refuses a second Run Command while one runs, so there is one at a time: the caller (the
 * loop) holds the next one back until rescue_busy() is false, and runs no probe round
 * meanwhile (a round's own Run Command would be refused, and its start cancels calls). */
#ifndef SSHTRIAGE_AZURE_RESCUE_H
#define SSHTRIAGE_AZURE_RESCUE_H

#include <stdbool.h>
#include <stddef.h>

#include "azure/cloud.h"

#define RESCUE_CMD_MAX 256
/* Past this the answer is given up (the agent stops a script at about 90 s; the rest is
 * Azure's own latency); the command may still run on the VM, and the transcript says so. */
#define RESCUE_WAIT_MS 150000

/* Starts cmd (one line, printable).  0, or -1 with why (nothing was sent). */
int rescue_start(struct cloud *c, struct model *m, const char *cmd, char *err, size_t errlen);
bool rescue_busy(const struct cloud *c);
/* Call after every event: moves the elapsed time the model shows (once a second) and ends
 * a command past RESCUE_WAIT_MS.  Returns ms until it wants to be called again, -1: never. */
int rescue_tick(struct cloud *c, struct model *m);
/* The audit line of one command run, without the command: outcome "ran" (it gave an exit
 * status, 0 or not), "failed" (Run Command failed, or the command did not finish) or
 * "interrupted" (the program ended while it ran); status says more. */
void rescue_audit(struct model *m, const char *outcome, const char *status);

#endif
