/* localfix: the remedies that change this machine (client.*): worked out from a round's
 * findings, shown, then applied — the same plan / preview / apply steps as the cloud's
 * remedies (azure/cloud.h), but nothing to wait for: a few file operations and, for
 * known_hosts, OpenSSH's own ssh-keygen (run without a shell).  Runs in the main process;
 * every step takes milliseconds and touches no network. */
#ifndef SSHTRIAGE_PROBE_LOCALFIX_H
#define SSHTRIAGE_PROBE_LOCALFIX_H

#include <stdbool.h>
#include <stddef.h>

#include "core/knownhost.h"
#include "core/model.h"

#define LOCALFIX_LINES_MAX 64

/* client.update_known_host, worked out */
struct khfix_plan {
	char file[4200];             /* the known_hosts the path probe read: SSH_DIR/known_hosts */
	bool exists;
	bool hashed;                 /* the file hashes host names: the new line is hashed too */
	char pattern[300];           /* the host as known_hosts names it: host, or [host]:port */
	int lines[LOCALFIX_LINES_MAX];   /* the entries ssh-keygen -R removes (1-based) */
	int n_lines;
	int kept;                    /* @revoked / @cert-authority lines for it: they stay */
	char type[KH_TYPE_LEN];      /* the new key's type, "ssh-ed25519" */
	char line[MODEL_HOSTKEY_LEN + 512];   /* the new entry, as it is written */
	char fp[KH_FP_LEN];          /* its SHA256 fingerprint, recomputed from the key itself */
	char both[1400];             /* the network's fingerprint and the VM's own (kh_describe) */
	char vm_keys[CHECK_EVIDENCE_MAX][CHECK_EVIDENCE_LEN];   /* the VM's own: "ED25519 SHA256:..." */
	int n_vm_keys;
	const char *source;          /* where they were read: "Run Command", "boot log" */
	char note[300];              /* "" or a caveat (ssh_config names another known_hosts) */
};

struct local_fix {
	enum remedy_id id;
	char changes[2048];          /* client.fix_key_permissions: what will change */
	struct khfix_plan kh;        /* client.update_known_host */
};

/* Works remedy id out from the round in m (0), or says why not (-1 with err).  For
 * client.update_known_host the key the network presented must hash to the fingerprint the
 * probe showed and be one of the VM's own, read out of band; else err says so with both
 * fingerprints ("may be interception").  ssh_dir: ~/.ssh; identity: -i or NULL. */
int localfix_plan(const struct model *m, enum remedy_id id, const char *ssh_dir,
		  const char *identity, struct local_fix *lx, char *err, size_t errlen);

/* The preview: which file, which lines go, the new line, both fingerprints, the cost and
 * the undo.  Raw text (sanitise to show). */
void localfix_text(const struct local_fix *lx, char *out, size_t len);

/* Applies lx (planned from m's round; the host key is checked again against m first).
 * did gets what was done.  0, or -1 with err. */
int localfix_apply(const struct model *m, const struct local_fix *lx, const char *ssh_dir,
		   const char *identity, char *did, size_t len, char *err, size_t errlen);

/* When remedy id does not apply to m: a line that says why in the remedy's own terms (for
 * client.update_known_host a possible interception, with both fingerprints), or false. */
bool localfix_why_not(const struct model *m, enum remedy_id id, char *out, size_t len);

#endif
