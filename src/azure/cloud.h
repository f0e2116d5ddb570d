/* cloud: the Azure side of a probe round — credentials, then the VM's model and instance
 * view — turned into checks in the model.  Runs on the poll loop through arm and auth;
 * the probe engine owns it and forwards poll events to it.  Cloud checks that cannot run
 * (no --azure-vm, no credentials, ARM unreachable) say why and stay "unknown", never "ok". */
#ifndef SSHTRIAGE_AZURE_CLOUD_H
#define SSHTRIAGE_AZURE_CLOUD_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"

struct cloud;

/* Checks that a resource id names a VM and holds only URL-safe characters. */
bool cloud_valid_vm_id(const char *id);

/* azure_vm: the VM's resource id (validated), or "" to find the VM that holds the target's
 * address in scope ("/subscriptions/S[/resourceGroups/RG]", validated by the caller).
 * Reads SSHTRIAGE_ARM_ENDPOINT, SSHTRIAGE_CA_FILE, SSHTRIAGE_IMDS_ENDPOINT and the
 * credential variables.  Returns NULL with a message for an unusable configuration. */
struct cloud *cloud_new(const char *azure_vm, const char *scope, char *err, size_t errlen);
void cloud_free(struct cloud *c);

/* Without a cloud: the endpoint, NSG and VM power checks unknown, saying why; the other
 * cloud checks skipped. */
void cloud_mark_unavailable(struct model *m, const char *why);

/* Starts the cloud checks of a round; marks them running in m. */
void cloud_start(struct cloud *c, struct model *m);
void cloud_cancel(struct cloud *c, struct model *m);
bool cloud_busy(const struct cloud *c);

/* A round started with no host (m->target.host ""): once Azure named the VM's entry
 * (public IP on the NIC, NAT or DNAT rule), its address and port, and how it was found;
 * true once per round.  cloud_locate_failed says why it could not ("" while looking). */
bool cloud_take_located(struct cloud *c, char *addr, size_t len, int *port, char *how,
			size_t howlen);
const char *cloud_locate_failed(const struct cloud *c);
int cloud_calls_made(const struct cloud *c);

int cloud_pollfds(const struct cloud *c, struct pollfd *fds, int max);
int cloud_timeout(const struct cloud *c);
void cloud_handle(struct cloud *c, const struct pollfd *fds, int n, struct model *m);

/* ---- remedies: the write side (cloudfix.c) ------------------------------------------ */

#define CLOUD_FIX_STEPS 8
struct cloud_fix {
	enum remedy_id id;
	int n_steps;
	struct cloud_fix_step {
		char method[8];
		char url[1200];
		char *body;          /* owned, may be NULL; may hold a secret: never shown */
		char *shown;         /* owned: the body as the preview shows it (secrets masked) */
	} step[CLOUD_FIX_STEPS];
	char *script;            /* owned: a Run Command script, or NULL */
	char what[300];          /* what it changes, in a line */
	char cost[400];          /* what it costs or risks */
	char undo[300];          /* how it is undone, "" when it cannot be */
	/* a power action: when Azure's answer leaves open whether it happened (5xx, no
	 * answer), the VM's instance view is read back and "running" means done */
	char verify_url[1200];
	/* what takes it back: kept as the VM's undo record (azure/undo.h) once it is applied.
	 * GET steps are guards: their body {"path":[...],"value":...} says what the resource
	 * must still hold (what sshtriage wrote), or nothing is undone. */
	int n_back;
	struct cloud_fix_step back[CLOUD_FIX_STEPS];
	bool is_undo;            /* this plan takes back an earlier remedy (from its record) */
	char applied[32];        /* is_undo: when that remedy was applied */
};

/* The plan that takes back the last remedy applied to this VM (its undo record), or -1
 * with why (none on record, unreadable).  Free with cloud_fix_free. */
int cloud_undo_plan(struct cloud *c, struct cloud_fix *fx, char *err, size_t errlen);
/* The remedy that can be undone for this VM (-1: none) and when it was applied. */
int cloud_undo_available(const struct cloud *c, char *when, size_t len);

/* Works out remedy id from the facts of the round that just ended (the cloud's own state),
 * or says why it cannot (0 / -1 with err).  Free with cloud_fix_free. */
int cloud_fix_plan(struct cloud *c, const struct model *m, enum remedy_id id,
		   struct cloud_fix *fx, char *err, size_t errlen);
void cloud_fix_free(struct cloud_fix *fx);
/* What vm.reset_credentials sets (azure/creds.h): kept by the caller while plans may be
 * made; NULL: nothing given (its plan then says how to give a key or password). */
struct vm_creds;
void cloud_set_creds(struct cloud *c, const struct vm_creds *cr);
/* The preview: what changes, what it costs, how it is undone, then each request (method,
 * URL, body with secrets masked) or the guest script.  Raw text (sanitise to show). */
void cloud_fix_text(const struct cloud_fix *fx, char *out, size_t len);
/* One line to the audit log (util/audit.h) for remedy id: the request is the first step's
 * method and URL, or "Run Command on VM" — never a body.  fx may be NULL. */
int cloud_fix_audit(const struct model *m, enum remedy_id id, const struct cloud_fix *fx,
		    const char *outcome, const char *status, char *err, size_t errlen);
/* Carries out fx (kept by the caller until cloud_busy is false): its steps in order, each
 * long-running operation polled to its end.  m->fix says how it went. */
int cloud_fix_start(struct cloud *c, struct model *m, struct cloud_fix *fx, char *err,
		    size_t errlen);

#endif
