/* engine: runs a round of probes as worker processes and feeds their results into the
 * model.  Like mtr's mtr-packet, the blocking work (DNS, libssh, raw sockets) never runs
 * in the UI process: each probe is a forked worker that writes fixed-size records
 * (struct check) to a pipe and exits.  The loop polls the pipes; a worker past its
 * deadline, or cancelled, is killed and its checks are marked with the reason.
 *
 * Probes -> events (records) -> model -> diagnosis: engine_handle() does the last three
 * steps, so views only ever read the model. */
#ifndef SSHTRIAGE_PROBE_ENGINE_H
#define SSHTRIAGE_PROBE_ENGINE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"

struct probe_opts {
	struct target target;
	struct target reference;     /* host empty: not given */
	struct target vantage;
	char identity[4096];         /* -i; empty: default keys or agent */
	char ssh_dir[4096];          /* ~/.ssh */
	char whoami_url[512];        /* --whoami-url; empty: not given */
	char azure_scope[256];       /* "/subscriptions/S[/resourceGroups/RG]": find the VM that
				      * holds the target's address there; "" not asked */
	int connect_ms;              /* per TCP connect / banner wait */
	int ssh_ms;                  /* per SSH step */
};

struct engine;

/* Returns NULL with a message when out of memory or the Azure configuration is unusable
 * (a bad --azure-vm, an unreadable secret file).  o is copied. */
struct engine *engine_new(const struct probe_opts *o, char *err, size_t errlen);
/* Kills any worker still running and frees; NULL-safe. */
void engine_free(struct engine *e);

/* Starts a new round: clears the model's checks and forks the first probes. */
void engine_start(struct engine *e, struct model *m);
/* Kills every running worker; their checks become "unknown: cancelled". */
void engine_cancel(struct engine *e, struct model *m);
bool engine_busy(const struct engine *e);

/* poll() integration: fills up to max entries and returns how many. */
int engine_pollfds(const struct engine *e, struct pollfd *fds, int max);
/* Milliseconds until the next worker deadline (-1: none). */
int engine_timeout(const struct engine *e);
/* Reads what workers wrote, reaps them, enforces deadlines, starts probes whose input is
 * now known, and re-runs the diagnosis.  Call after poll() with the same fds. */
void engine_handle(struct engine *e, const struct pollfd *fds, int n, struct model *m);

/* Remedies (the cloud's write side; see azure/cloud.h).  After a round has ended:
 * engine_fix_plan works remedy id out from what the round found; engine_fix_start carries
 * it out on the loop (m->done is false until it ends; m->fix says how it went).  Then a new
 * round (engine_start) shows whether the path works. */
struct cloud_fix;
int engine_fix_plan(struct engine *e, const struct model *m, enum remedy_id id,
		    struct cloud_fix *fx, char *err, size_t errlen);
/* What vm.reset_credentials sets (azure/creds.h; kept by the caller), or NULL. */
struct vm_creds;
void engine_set_creds(struct engine *e, const struct vm_creds *cr);
/* The plan that takes back the last remedy applied to the VM (azure/undo.h); carried out
 * with engine_fix_start like a remedy. */
int engine_undo_plan(struct engine *e, struct cloud_fix *fx, char *err, size_t errlen);
int engine_fix_start(struct engine *e, struct model *m, struct cloud_fix *fx, char *err,
		     size_t errlen);

/* The remedies on this machine (probe/localfix.h), with this engine's ~/.ssh and key.
 * engine_local_fix_plan works id out from the round in m; engine_local_fix_apply carries
 * it out at once (file changes: milliseconds) and says how it went in m->fix.  Then a new
 * round (engine_start) shows whether the path works. */
struct local_fix;
int engine_local_fix_plan(struct engine *e, const struct model *m, enum remedy_id id,
			  struct local_fix *lx, char *err, size_t errlen);
int engine_local_fix_apply(struct engine *e, struct model *m, const struct local_fix *lx,
			   char *err, size_t errlen);

/* The rescue console (azure/rescue.h): runs cmd on the VM by Run Command, only while no
 * round, remedy or other command is under way (-1 with why otherwise, or without Azure).
 * engine_rescue_tick: call after every event; ms until it wants to run again, -1 never. */
int engine_rescue_start(struct engine *e, struct model *m, const char *cmd, char *err,
			size_t errlen);
bool engine_rescue_busy(const struct engine *e);
int engine_rescue_tick(struct engine *e, struct model *m);

#endif
