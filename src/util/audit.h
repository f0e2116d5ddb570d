/* audit: the append-only log of remedies (DESIGN §4): one JSON line per remedy attempt in
 * $XDG_STATE_HOME/sshtriage/audit.jsonl (else ~/.local/state/...): time, target, remedy,
 * the request in one line (method and URL, or "Run Command on VM"; never a body, so never
 * a secret), outcome and status.  The directory is made 0700, the file 0600, written with
 * O_APPEND in one write(). */
#ifndef SSHTRIAGE_UTIL_AUDIT_H
#define SSHTRIAGE_UTIL_AUDIT_H

#include <stddef.h>

#include "core/model.h"

/* outcome: "applied", "failed", "refused", "dry_run".  0, or -1 with why in err. */
int audit_append(const struct model *m, const char *remedy, const char *request,
		 const char *outcome, const char *status, char *err, size_t errlen);
/* The log's path into out (for messages and tests); -1 without HOME/XDG_STATE_HOME. */
int audit_path(char *out, size_t len);
/* The path of file name in the same state directory (the undo records live there too). */
int audit_state_path(const char *name, char *out, size_t len);
/* mkdir -p of path's directory, each new level 0700.  0 or -1 (errno). */
int audit_make_dirs(const char *path);

#endif
