/* undo: what it takes to take back the last cloud remedy applied to a VM (DESIGN §4: "can
 * be undone where the cloud allows"), kept between runs in $XDG_STATE_HOME/sshtriage/undo.json
 * (else ~/.local/state/..., beside the audit log): one record per VM, the newest wins.
 *
 * A record holds the remedy, when it was applied and the ARM requests that take it back:
 * GET guards (their body: what the resource must still hold), DELETE of a rule it added,
 * PUT of a resource back as sshtriage read it before its change.
 * No secret is ever in one (VMAccess and Run Command remedies have no undo).
 *
 * undo_encode/undo_decode are pure (text in, text out) for tests and fuzzing; undo_save,
 * undo_load and undo_forget read and write the file: the directory 0700, the file 0600,
 * never through a symbolic link, replaced whole (a temporary file renamed over it), so a
 * crash leaves the old file or the new one, never half of one. */
#ifndef SSHTRIAGE_AZURE_UNDO_H
#define SSHTRIAGE_AZURE_UNDO_H

#include <stdbool.h>
#include <stddef.h>

#include "core/remedy.h"

#define UNDO_STEPS 8
#define UNDO_URL_LEN 1200
#define UNDO_BODY_MAX (256 * 1024)
#define UNDO_FILE_MAX (4 * 1024 * 1024)
#define UNDO_RECORDS_MAX 64          /* VMs remembered; the oldest go first */

struct undo_rec {
	char vm_id[UNDO_URL_LEN];
	enum remedy_id id;
	char when[32];               /* UTC, "2026-11-22T09:30:00Z" */
	int n_steps;
	struct undo_step {
		char method[8];      /* "GET" (a guard), "DELETE" or "PUT" */
		char url[UNDO_URL_LEN];
		char *body;          /* owned, may be NULL */
	} step[UNDO_STEPS];
};

void undo_rec_free(struct undo_rec *r);

/* The file's text with rec put in (replacing the record of the same VM; old may be NULL or
 * empty).  Returns malloc'd text, or NULL with why. */
char *undo_encode(const char *old, size_t oldlen, const struct undo_rec *rec, char *err,
		  size_t errlen);
/* The text with the record of vm_id taken out (malloc'd), or NULL with why. */
char *undo_remove(const char *old, size_t oldlen, const char *vm_id, char *err, size_t errlen);
/* The record of vm_id from the file's text: 1 found, 0 none, -1 unreadable (why in err). */
int undo_decode(const char *text, size_t len, const char *vm_id, struct undo_rec *out,
		char *err, size_t errlen);

/* The file.  0 / 1 / -1 as above; save and forget return 0 or -1. */
int undo_save(const struct undo_rec *rec, char *err, size_t errlen);
int undo_load(const char *vm_id, struct undo_rec *out, char *err, size_t errlen);
int undo_forget(const char *vm_id, char *err, size_t errlen);

#endif
