/* bootlog: known failure signatures in a VM's serial console log (boot diagnostics), and
 * the host key fingerprints cloud-init prints there.  Pure; works on bytes (a log may hold
 * NULs and garbage), linear in the input, bounded output. */
#ifndef SSHTRIAGE_AZURE_BOOTLOG_H
#define SSHTRIAGE_AZURE_BOOTLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"

enum bootlog_sig {
	BOOTLOG_EMERGENCY,       /* systemd emergency or rescue mode: no sshd */
	BOOTLOG_FSTAB,           /* a mount in /etc/fstab failed */
	BOOTLOG_PANIC,           /* kernel panic */
	BOOTLOG_DISK_FULL,       /* No space left on device */
	BOOTLOG_SSHD,            /* sshd failed to start */
	BOOTLOG_SIG_COUNT
};

#define BOOTLOG_HITS_MAX 32
#define BOOTLOG_LINE_MAX 160
#define BOOTLOG_FP_MAX 8

struct bootlog_hit {
	enum bootlog_sig sig;
	long line;               /* 1-based line number in the log */
	char text[BOOTLOG_LINE_MAX];   /* the line, raw bytes (NUL replaced), cut */
};

struct bootlog_result {
	int n_hits;
	struct bootlog_hit hits[BOOTLOG_HITS_MAX];
	int count[BOOTLOG_SIG_COUNT];  /* all matches, also past BOOTLOG_HITS_MAX */
	/* the last complete cloud-init fingerprint block: "256 SHA256:... (ED25519)" lines */
	int n_fp;
	char fp[BOOTLOG_FP_MAX][BOOTLOG_LINE_MAX];
	bool fp_unterminated;    /* a block began and never ended (the log was cut) */
	long lines;
};

void bootlog_scan(const char *data, size_t len, struct bootlog_result *r);
const char *bootlog_sig_name(enum bootlog_sig s);   /* "emergency_mode", ... */
const char *bootlog_sig_title(enum bootlog_sig s);  /* "emergency mode", for people */
/* Hands the log (data, len) and what bootlog_scan found in it (r) to the model, for the
 * boot-log viewer: its tail and the hit line numbers (see struct boot_log), the worst
 * signature first (enum order), then by line. */
void bootlog_keep(struct model *m, const char *data, size_t len, const struct bootlog_result *r);

#endif
