/* guest: what the VM itself knows about SSH, through Run Command (RunShellScript).  Pure.
 *
 * guest_script builds a POSIX sh script (run as root by the VM agent, never interactive,
 * every command bounded by `timeout 10` when the VM has it) that prints one fact per line,
 * KEY=value, value = the rest of the line.  The first line is GUEST_FACTS=1 and the last
 * GUEST_END=1, so a cut answer is seen (Azure keeps only the last 4 KiB of each stream; the
 * script stays near 1.3 KiB on a stock VM).  Keys:
 *
 *   USER_NAME           the account asked about
 *   SSHD_ACTIVE         yes|no|unknown (systemctl is-active ssh/sshd, else pgrep -x sshd)
 *   SSHD_STATE          the word systemctl said (active, failed, inactive...), may be empty
 *   SSHD_SOCKET         yes|no: ssh.socket is active (socket activation, Ubuntu 22.10+)
 *   SSHD_SOCKET_LISTEN  ports of ssh.socket (only with SSHD_SOCKET=yes)
 *   SSHD_LISTEN         TCP ports sshd listens on, comma list (ss -ltnp, else netstat)
 *   SSHD_LISTEN_ADDR    the same as address:port
 *   LISTEN_ALL          every listening TCP port (at most 32)
 *   SSHD_TEST           ok|fail|nodir|missing (`sshd -t`; nodir: /run/sshd is missing, the
 *                       config itself was not tested; missing: no sshd binary)
 *   SSHD_TEST_ERR       first line sshd -t wrote on stderr (also warnings when ok)
 *   SSHD_PORTS, SSHD_LISTENADDRESS, SSHD_STRICTMODES, SSHD_PUBKEY, SSHD_PASSWORD,
 *   SSHD_USEPAM, SSHD_PERMITROOT, SSHD_AUTHMETHODS, SSHD_AUTHKEYS, SSHD_ALLOWUSERS,
 *   SSHD_DENYUSERS, SSHD_ALLOWGROUPS, SSHD_DENYGROUPS
 *                       from `sshd -T` (only when sshd -t passed; Match blocks not applied)
 *   FW_TOOL             nft | iptables | nft+iptables (legacy iptables too) | none
 *   FW_POLICY           drop|accept|none: policy of the input hook (none: no input chain)
 *   FW_CATCHALL         drop|reject|none: an input chain drops or rejects everything
 *                       not accepted before (RHEL's "-j REJECT", firewalld's last rule)
 *   FW_PORT_<p>         accept|drop|reject|none|unknown: first rule of an input chain
 *                       (base chain on the input hook, or a chain named like input/IN_)
 *                       matching tcp dport p (number, range or set), per port asked for;
 *                       a catch-all drop earlier in the same chain wins over a later accept;
 *                       over all chains drop/reject win over accept
 *   FW_RULE_<p>         that rule's text, when it drops or rejects
 *   FW_COND_<p>         rules for p that apply to some sources only (fail2ban...), not judged
 *   DISK_<D>_MNT, DISK_<D>_AVAIL_KB, DISK_<D>_USE_PCT, DISK_<D>_IFREE
 *                       D = ROOT HOME TMP VAR (/ /home /tmp /var, df -Pk and df -Pi);
 *                       IFREE "-" when the file system has no inode count (btrfs)
 *   USER_EXISTS, USER_HOME, USER_SHELL
 *   USER_PW             locked ('!' prefix) | none ('*') | empty | set (shadow field 2)
 *   USER_LOCKED         yes|no ('!' prefix: sshd refuses it only with UsePAM no)
 *   TODAY_DAYS, USER_EXPIRE_DAYS (shadow field 8, days since 1970, empty: never)
 *   USER_EXPIRED        yes when today >= expiry (PAM's rule; sshd without PAM: today >)
 *   NOLOGIN             yes|no (/etc/nologin, /run/nologin)
 *   MODE_HOME, MODE_SSHDIR, MODE_AUTHKEYS  "<octal> <owner>" (stat -L) or "missing"
 *   AUTHKEYS_PATH       the first AuthorizedKeysFile, %h/%u expanded
 *   AUTHKEYS_KEYS       lines in it that look like keys
 *   HOSTKEY             "<bits> SHA256:<fp> (<TYPE>)", one line per host key (at most 6)
 *
 * guest_parse reads that stdout.  It is outside input: duplicates, missing lines, NULs,
 * huge lines, garbage.  The first value of a key wins (HOSTKEY collects up to
 * GUEST_HOSTKEYS_MAX distinct keys); values are kept raw (NUL becomes '?', nothing else
 * changes) and cut to the field; the caller sanitises them before showing them.  Lines
 * after GUEST_END are ignored; without GUEST_FACTS the first line is ignored (it may be
 * the cut end of a longer one), and so is a last line without '\n' other than GUEST_END=1
 * (the script may have been killed while writing it).
 *
 * Ownership: guest_facts holds no pointers; everything is copied into it. */
#ifndef SSHTRIAGE_AZURE_GUEST_H
#define SSHTRIAGE_AZURE_GUEST_H

#include <stdbool.h>
#include <stddef.h>

#define GUEST_USER_MAX 32        /* ^[a-z_][a-z0-9_.-]{0,31}$ */
#define GUEST_PORTS_MAX 4        /* ports guest_script checks in the firewall */
#define GUEST_SCRIPT_MAX 12288   /* enough for any guest_script output */
#define GUEST_LISTEN_MAX 32
#define GUEST_VAL 256
#define GUEST_HOSTKEYS_MAX 8
#define GUEST_LINE_MAX 4096      /* longer lines are skipped and counted */

enum guest_tri { GUEST_UNKNOWN = -1, GUEST_NO = 0, GUEST_YES = 1 };

enum guest_fw {
	GUEST_FW_UNKNOWN,        /* not reported, or the VM has neither nft nor iptables */
	GUEST_FW_NONE,           /* no rule for the port (FW_POLICY: no input chain) */
	GUEST_FW_ACCEPT,
	GUEST_FW_DROP,
	GUEST_FW_REJECT,
};

enum guest_disk_id { GUEST_DISK_ROOT, GUEST_DISK_HOME, GUEST_DISK_TMP, GUEST_DISK_VAR, GUEST_DISKS };

struct guest_fw_port {
	int port;
	enum guest_fw verdict;
	char rule[GUEST_VAL];    /* the deciding rule when it drops or rejects */
	int cond;                /* FW_COND_<p>; 0 when absent */
};

struct guest_disk {
	bool present;
	char mount[GUEST_VAL];   /* the mount point holding the path */
	long long avail_kb;      /* -1 unknown */
	int use_pct;             /* -1 unknown */
	long long ifree;         /* -1 unknown or no inode count */
};

struct guest_mode {
	int mode;                /* permission bits (0..07777); -1 missing; -2 unknown */
	char owner[64];
};

struct guest_hostkey {
	int bits;
	char fp[64];             /* "SHA256:" and 43 base64 characters (others are dropped) */
	char type[32];           /* "ED25519" (the parentheses removed) */
};

struct guest_facts {
	bool begun, ended, complete;     /* GUEST_FACTS seen, GUEST_END seen, both */
	int lines, bad_lines, long_lines, unknown_keys;

	char user_name[GUEST_USER_MAX + 1];

	int sshd_active;                 /* enum guest_tri */
	char sshd_state[32];
	int sshd_socket;                 /* enum guest_tri */
	int n_socket_ports, socket_ports[GUEST_LISTEN_MAX];
	bool have_listen;                /* SSHD_LISTEN was reported (may be empty) */
	int n_listen, listen[GUEST_LISTEN_MAX];
	bool have_listen_all;
	int n_listen_all, listen_all[GUEST_LISTEN_MAX];
	char listen_addr[GUEST_VAL];     /* SSHD_LISTEN_ADDR */

	int sshd_test_ok;                /* enum guest_tri: ok yes, fail no, else unknown */
	char sshd_test[16];              /* the word: ok fail nodir missing */
	char sshd_test_err[GUEST_VAL];

	int n_cfg_ports, cfg_ports[GUEST_LISTEN_MAX];
	int strict_modes, pubkey, password, use_pam;   /* enum guest_tri */
	char permit_root[32];
	char listen_address[GUEST_VAL], auth_methods[GUEST_VAL], authkeys_file[GUEST_VAL];
	char allow_users[GUEST_VAL], deny_users[GUEST_VAL];
	char allow_groups[GUEST_VAL], deny_groups[GUEST_VAL];

	char fw_tool[16];
	enum guest_fw fw_policy;         /* NONE, ACCEPT, DROP or UNKNOWN */
	enum guest_fw fw_catchall;       /* NONE, DROP, REJECT or UNKNOWN */
	int n_fw;
	struct guest_fw_port fw[GUEST_PORTS_MAX];

	struct guest_disk disk[GUEST_DISKS];

	int user_exists;                 /* enum guest_tri */
	char user_home[GUEST_VAL], user_shell[GUEST_VAL];
	char user_pw[16];                /* locked none empty set, or "" */
	int user_locked, user_expired;   /* enum guest_tri */
	long long expire_days;           /* -1: never or unknown */
	long long today_days;            /* -1 unknown */

	struct guest_mode home, sshdir, authkeys;
	char authkeys_path[GUEST_VAL];
	int authkeys_keys;               /* -1 unknown */

	int nologin;                     /* enum guest_tri */

	int n_hostkeys;
	struct guest_hostkey hostkeys[GUEST_HOSTKEYS_MAX];
};

/* The script for user and the ports whose firewall verdict is wanted (0..GUEST_PORTS_MAX,
 * each 1..65535), NUL-terminated in out.  Returns its length, or -1 (out "") when the user
 * name or a port is invalid or outlen is too small (GUEST_SCRIPT_MAX is always enough).  The
 * caller splits it on '\n' into the "script" array of the Run Command body. */
int guest_script(const char *user, const int *ports, int n_ports, char *out, size_t outlen);

/* The lines every guest script starts with (after its variable lines), guest_script's and
 * guestfix's: LC_ALL=C, a fixed PATH, stdin from /dev/null, and the shell functions
 * q CMD... (CMD bounded by `timeout 10` when the VM has it, stderr dropped), has CMD (is it
 * installed) and kv KEY VALUE [MAX] (prints KEY=VALUE, tabs and newlines made spaces, other
 * control characters removed, cut to MAX characters, 160).  A static string. */
const char *guest_script_prelude(void);
/* Is user a name the guest scripts take: ^[a-z_][a-z0-9_.-]{0,31}$ (NULL: no). */
bool guest_user_ok(const char *user);

/* Fills g from the script's stdout (len bytes, not necessarily NUL-terminated).  Returns
 * the number of facts taken (0: nothing usable). */
int guest_parse(const char *out, size_t len, struct guest_facts *g);

/* How guest_parse reads a script's stdout, for the other readers of guest scripts:
 * guest_lines_next gives each line to take (without its "\r\n"), false at the end.  The
 * first line is skipped when no line is `first` (or starts with it, when it ends with '='):
 * Azure kept only the tail, so it may be the cut end of a longer one; a last line without
 * '\n' is skipped unless it is `last` (the script was killed while writing it), and so is a
 * line longer than GUEST_LINE_MAX.  The caller stops after the end marker.  out (NULL: no
 * line) and the two markers must outlive the iterator. */
struct guest_lines {
	const char *p, *end, *last;
	bool skip_first;
	int lines, bad_lines, long_lines;   /* lines read, unterminated and too long ones */
};
void guest_lines_init(struct guest_lines *it, const char *out, size_t len, const char *first, const char *last);
bool guest_lines_next(struct guest_lines *it, const char **line, size_t *len);

/* The firewall entry for port, or NULL when the script did not report it. */
const struct guest_fw_port *guest_fw_port(const struct guest_facts *g, int port);
const char *guest_fw_name(enum guest_fw v);          /* "drop", ... "unknown" */
const char *guest_disk_path(enum guest_disk_id d);   /* "/", "/home", "/tmp", "/var" */

/* Would sshd's StrictModes refuse the user's keys: home or ~/.ssh writable by group or
 * others or owned by neither the user nor root, or the same for the authorized keys file?
 * (sshd checks each directory from the file up to the home directory.)  False when
 * StrictModes is no, or nothing is known.  user NULL: the USER_NAME the script reported. */
bool guest_strictmodes_bad(const struct guest_facts *g, const char *user, char *why, size_t whylen);
/* The login shell is nologin or false (any directory). */
bool guest_shell_nologin(const struct guest_facts *g);
/* How many of / /home /tmp /var are on a full file system (each mount point counted once):
 * under 1024 KB free, 100 % used or no free inode.  why names the first one. */
int guest_disk_full(const struct guest_facts *g, char *why, size_t whylen);
/* Does sshd (or ssh.socket, when active) listen on port? */
bool guest_listens(const struct guest_facts *g, int port);
/* Is "SHA256:..." (exact, case-sensitive) one of the VM's host keys? */
bool guest_hostkey_has(const struct guest_facts *g, const char *sha256_fp);

#endif
