/* guestfix: the Run Command (RunShellScript) remedies of DESIGN §4 that change the guest:
 * vm.restart_sshd, vm.open_guest_firewall, vm.fix_ssh_permissions, vm.unexpire_user,
 * vm.remove_nologin.  Pure: builds the scripts and reads their output; runs nothing.
 *
 * guestfix_script builds a POSIX sh script that the VM agent runs as root, never
 * interactive, every command bounded by `timeout` when the VM has it (10 s; 60 s for
 * restarting sshd, ufw and firewall-cmd).  It changes only what guestfix_describe says, and
 * prints one result per line, KEY=value, value = the rest of the line (control characters
 * removed, at most 200 characters); the first line is GUESTFIX_BEGIN=<remedy id> and the last
 * GUESTFIX_END=1, and it exits 0 whatever happened.  Keys:
 *
 *   FIX_BEFORE    the state before (repeated: one line per thing looked at)
 *   FIX_DID       one change made (repeated; none when nothing needed changing)
 *   FIX_NOTE      something left alone on purpose, or worth knowing (repeated)
 *   FIX_ERR       a change that failed or was refused, or what still stands (repeated)
 *   FIX_AFTER     the state after (repeated)
 *   SSHD_ACTIVE   yes|no|unknown  (vm.restart_sshd only: the ssh service, or ssh.socket
 *                 when sshd is socket-activated, runs)
 *   SSHD_SOCKET   yes|no          (vm.restart_sshd: ssh.socket is enabled)
 *   SSHD_LISTEN   TCP ports sshd (or systemd for ssh.socket) listens on, comma list
 *   FIX_OK        yes|no: the remedy reached its goal (no when any FIX_ERR was printed)
 *
 * What each script does is guestfix_describe's text.  Never: flush a ruleset, touch another
 * port's firewall rule, follow a symbolic link below the home directory, change a file that
 * has other hard links, set a password, or print a password hash.
 *
 * guestfix_parse reads that stdout with guest.h's line reader.  It is outside input, as for
 * guest_parse: duplicates, missing lines, NULs, huge lines, garbage.  The first FIX_OK,
 * SSHD_* and GUESTFIX_BEGIN win; repeated keys are joined with "; " into one field, cut with
 * "..." when full; values are kept raw (NUL becomes '?') for the caller to sanitise.  Lines
 * after GUESTFIX_END are ignored, and so are lines longer than GUEST_LINE_MAX; without
 * GUESTFIX_BEGIN the first line is ignored (Azure keeps only the last 4 KiB, so it may be
 * the cut end of a longer one), and so is a last line without '\n' other than
 * GUESTFIX_END=1.
 *
 * Ownership: nothing here allocates.  Scripts go into the caller's buffer; guestfix_name and
 * guestfix_describe return static strings; guestfix_result holds no pointers. */
#ifndef SSHTRIAGE_AZURE_GUESTFIX_H
#define SSHTRIAGE_AZURE_GUESTFIX_H

#include <stdbool.h>
#include <stddef.h>

enum guestfix_id {
	GUESTFIX_RESTART_SSHD,       /* vm.restart_sshd */
	GUESTFIX_OPEN_FIREWALL,      /* vm.open_guest_firewall PORT */
	GUESTFIX_FIX_PERMISSIONS,    /* vm.fix_ssh_permissions USER */
	GUESTFIX_UNEXPIRE_USER,      /* vm.unexpire_user USER */
	GUESTFIX_REMOVE_NOLOGIN,     /* vm.remove_nologin */
	GUESTFIX_COUNT
};

#define GUESTFIX_SCRIPT_MAX 16384    /* enough for any guestfix_script output */
#define GUESTFIX_TEXT 512            /* each joined field of guestfix_result */
#define GUESTFIX_LISTEN_MAX 16

struct guestfix_result {
	bool begun, ended, complete;     /* GUESTFIX_BEGIN seen, GUESTFIX_END seen, both */
	int id;                          /* the enum guestfix_id GUESTFIX_BEGIN named; -1 none */
	int ok;                          /* enum guest_tri: FIX_OK, but never yes after a FIX_ERR;
					    unknown when the script did not say (cut, killed) */
	int n_did, n_err, n_note;        /* lines seen, also those that did not fit */
	char did[GUESTFIX_TEXT];         /* FIX_DID lines joined: what the audit log records */
	char err[GUESTFIX_TEXT];
	char note[GUESTFIX_TEXT];
	char before[GUESTFIX_TEXT], after[GUESTFIX_TEXT];

	int sshd_active, sshd_socket;    /* enum guest_tri (vm.restart_sshd) */
	bool have_listen;                /* SSHD_LISTEN was reported (may be empty) */
	int n_listen, listen[GUESTFIX_LISTEN_MAX];

	int lines, bad_lines, long_lines, unknown_keys;
};

/* "vm.restart_sshd" (DESIGN §4's id) ...; NULL when id is out of range. */
const char *guestfix_name(enum guestfix_id id);
/* The id of a remedy name; false when it is none of these. */
bool guestfix_lookup(const char *name, enum guestfix_id *id);
/* Which parameter a remedy takes: a user name (fix_ssh_permissions, unexpire_user), a TCP
 * port (open_guest_firewall), or neither. */
bool guestfix_needs_user(enum guestfix_id id);
bool guestfix_needs_port(enum guestfix_id id);

/* The script for id, NUL-terminated in out.  user (^[a-z_][a-z0-9_.-]{0,31}$) and port
 * (1..65535) are checked only when id takes them, and ignored otherwise (NULL and 0 are
 * fine then).  Returns its length, or -1 (out "") when id is unknown, a parameter id needs is
 * invalid or outlen is too small (GUESTFIX_SCRIPT_MAX is always enough).  The caller splits
 * it on '\n' into the "script" array of the Run Command body. */
int guestfix_script(enum guestfix_id id, const char *user, int port, char *out, size_t outlen);

/* One paragraph for the preview before confirmation: what the script changes in the VM, what
 * it leaves alone, and what it costs.  It speaks of "the user" and "the SSH port": the caller
 * names them next to it.  "" for an unknown id. */
const char *guestfix_describe(enum guestfix_id id);

/* Fills r from the script's stdout (len bytes, not necessarily NUL-terminated).  Returns the
 * number of result lines taken (0: nothing usable). */
int guestfix_parse(const char *out, size_t len, struct guestfix_result *r);

/* Did vm.restart_sshd report sshd (or ssh.socket) listening on port? */
bool guestfix_listens(const struct guestfix_result *r, int port);

#endif
