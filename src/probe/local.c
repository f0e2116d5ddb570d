#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <libssh/libssh.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe/classify.h"
#include "probe/local.h"
#include "util/clock.h"

static const char *const default_keys[] = {"id_ed25519", "id_ecdsa", "id_rsa"};

/* The identity to look at: the one given, else the first default key that exists. */
static bool pick_identity(const char *ssh_dir, const char *identity, char *path, size_t len)
{
	if (identity) {
		snprintf(path, len, "%s", identity);
		return true;
	}
	for (size_t i = 0; i < sizeof(default_keys) / sizeof(default_keys[0]); i++) {
		snprintf(path, len, "%s/%s", ssh_dir, default_keys[i]);
		if (access(path, F_OK) == 0)
			return true;
	}
	return false;
}

void local_probe_permissions(struct check *c, const char *ssh_dir, const char *identity)
{
	struct stat st;
	char key[4096], path[4200];
	const char *why;
	uid_t uid = getuid();

	if (lstat(ssh_dir, &st) != 0) {
		check_set(c, ST_WARN, OUT_WARN, "%s does not exist", ssh_dir);
		return;
	}
	check_evidence(c, "%s mode %04o owner %u", ssh_dir, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
	if ((why = classify_ssh_dir_mode(st.st_mode)) != NULL || st.st_uid != uid) {
		check_set(c, ST_FAIL, OUT_BAD_MODE, "%s", why ? why : "~/.ssh is owned by another user");
		return;
	}
	if (!pick_identity(ssh_dir, identity, key, sizeof(key))) {
		check_set(c, ST_OK, OUT_OK, "%s is private; no key file to check", ssh_dir);
		return;
	}
	if (stat(key, &st) != 0) {
		check_set(c, ST_FAIL, OUT_BAD_KEY, "the key %s: %s", key, strerror(errno));
		return;
	}
	check_evidence(c, "%s mode %04o owner %u", key, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
	if ((why = classify_private_key_mode(st.st_mode)) != NULL) {
		check_set(c, ST_FAIL, OUT_BAD_MODE, "%s: %s is mode %04o (needs 0600)", why, key,
			  (unsigned)(st.st_mode & 07777));
		return;
	}
	if (st.st_uid != uid) {
		check_set(c, ST_FAIL, OUT_BAD_MODE, "the key %s is owned by uid %u, not by you", key,
			  (unsigned)st.st_uid);
		return;
	}
	snprintf(path, sizeof(path), "%s/known_hosts", ssh_dir);
	if (stat(path, &st) == 0) {
		check_evidence(c, "%s mode %04o", path, (unsigned)(st.st_mode & 07777));
		if (st.st_mode & (S_IWGRP | S_IWOTH)) {
			check_set(c, ST_WARN, OUT_BAD_MODE, "known_hosts is writable by others");
			return;
		}
	}
	check_set(c, ST_OK, OUT_OK, "~/.ssh and %s have safe modes", key);
}

void local_probe_key(struct check *c, const char *ssh_dir, const char *identity, bool agent)
{
	char key[4096];
	ssh_key k = NULL;
	int rc;

	if (!pick_identity(ssh_dir, identity, key, sizeof(key))) {
		if (agent)
			check_set(c, ST_OK, OUT_OK, "no key file; the agent (SSH_AUTH_SOCK) will offer its keys");
		else
			check_set(c, ST_SKIPPED, OUT_NO_CREDS, "no key given (-i) and no default key "
				  "or agent: authentication cannot be tested");
		return;
	}
	rc = ssh_pki_import_privkey_file(key, NULL, NULL, NULL, &k);
	if (rc == SSH_OK) {

		check_set(c, ST_OK, OUT_OK, "%s loads (%s)", key, ssh_key_type_to_char(ssh_key_type(k)));
		ssh_key_free(k);
		return;
	}
	if (access(key, R_OK) != 0)
		check_set(c, ST_FAIL, OUT_BAD_KEY, "cannot read the key %s: %s", key, strerror(errno));
	else if (agent)
		check_set(c, ST_WARN, OUT_BAD_KEY, "%s is encrypted or unreadable without a "
			  "passphrase; the agent may hold it", key);
	else
		check_set(c, ST_FAIL, OUT_BAD_KEY, "%s cannot be loaded (damaged, or encrypted with "
			  "no agent to hold it)", key);
}

/* Reads one ssh_config file for the options that change where ssh connects.  Nothing is
 * run: ProxyCommand is only reported. */
static void scan_ssh_config(struct check *c, const char *path, const char *host, bool *changed)
{
	FILE *f = fopen(path, "re");
	char line[1024];
	bool active = true;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *kw = line, *val, *end;

		while (*kw == ' ' || *kw == '\t')
			kw++;
		if (*kw == '#' || *kw == '\n' || !*kw)
			continue;
		val = kw + strcspn(kw, " \t=");
		if (*val)
			*val++ = '\0';
		val += strspn(val, " \t=");
		end = val + strcspn(val, "\r\n");
		*end = '\0';
		if (strcasecmp(kw, "Host") == 0) {
			active = false;
			for (char *pat = strtok(val, " \t"); pat; pat = strtok(NULL, " \t")) {
				bool neg = *pat == '!';

				if (fnmatch(neg ? pat + 1 : pat, host, FNM_CASEFOLD) == 0) {
					if (neg) {
						active = false;
						break;
					}
					active = true;
				}
			}
			continue;
		}
		if (strcasecmp(kw, "Match") == 0) {
			active = false;   /* Match conditions may run commands: not evaluated */
			continue;
		}
		if (!active)
			continue;
		if (!strcasecmp(kw, "HostName") || !strcasecmp(kw, "Port") || !strcasecmp(kw, "User") ||
		    !strcasecmp(kw, "ProxyCommand") || !strcasecmp(kw, "ProxyJump") ||
		    !strcasecmp(kw, "IdentityFile") || !strcasecmp(kw, "StrictHostKeyChecking") ||
		    !strcasecmp(kw, "UserKnownHostsFile")) {
			check_evidence(c, "%s: %s %s", path, kw, val);
			if (strcasecmp(kw, "IdentityFile") && strcasecmp(kw, "StrictHostKeyChecking"))
				*changed = true;
		}
	}
	fclose(f);
}

void local_probe_ssh_config(struct check *c, const char *ssh_dir, const char *host)
{
	char path[4200];
	bool changed = false;

	snprintf(path, sizeof(path), "%s/config", ssh_dir);
	scan_ssh_config(c, path, host, &changed);
	scan_ssh_config(c, "/etc/ssh/ssh_config", host, &changed);
	if (changed)
		check_set(c, ST_WARN, OUT_WARN, "ssh_config changes how ssh reaches %s (see evidence); "
			  "sshtriage probes the target as given and runs no ProxyCommand", host);
	else
		check_set(c, ST_OK, OUT_OK, "ssh_config sets nothing that redirects %s", host);
}

void local_probe_proxy_env(struct check *c)
{
	static const char *const vars[] = {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy",
					   "ALL_PROXY", "no_proxy", "NO_PROXY"};
	int n = 0;

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (v && *v) {
			/* Proxy URLs may carry user:password@: show the name only. */
			check_evidence(c, "%s is set", vars[i]);
			n++;
		}
	}
	if (n)
		check_set(c, ST_OK, OUT_OK, "%d proxy variable(s) set: they steer HTTPS (Azure "
			  "calls), not SSH", n);
	else
		check_set(c, ST_OK, OUT_OK, "no proxy variables set");
}

int local_run(char *const argv[], char *buf, size_t len, int timeout_ms)
{
	int p[2], status = -1;
	size_t got = 0;
	long long t0 = clock_ms();
	pid_t pid;

	buf[0] = '\0';
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(p[1], 1);
		dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		long long left = timeout_ms - (clock_ms() - t0);
		struct pollfd pf = {.fd = p[0], .events = POLLIN};
		ssize_t n;

		if (left <= 0 || poll(&pf, 1, (int)left) <= 0)
			break;
		n = read(p[0], buf + got, len - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == len - 1)
			break;
	}
	buf[got] = '\0';
	close(p[0]);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void local_probe_firewall(struct check *c, int port, int timeout_ms)
{
	static char buf[256 * 1024];
	char *argv[] = {"nft", "list", "ruleset", NULL};
	char rule[256];
	int rc = local_run(argv, buf, sizeof(buf), timeout_ms);

	if (rc != 0) {
		check_set(c, ST_UNKNOWN, OUT_UNAVAILABLE, "the local packet filter is not readable "
			  "(nft list ruleset: %s)", rc == 127 ? "nft not installed" : "not permitted");
		return;
	}
	if (classify_nft_output_block(buf, port, rule, sizeof(rule))) {
		check_set(c, ST_FAIL, OUT_BLOCKED, "the local firewall drops outgoing TCP to port %d", port);
		check_evidence(c, "nft: %s", rule);
		return;
	}
	check_set(c, ST_OK, OUT_OK, "the local firewall (nftables) passes outgoing TCP %d", port);
}

/* One file or directory brought to want (only bits are taken away, never added, except
 * for ~/.ssh itself, which becomes exactly 0700).  Never follows a symbolic link. */
static int fix_mode(const char *path, mode_t want, bool exact, bool apply, char *did, size_t len,
		    char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	mode_t to;
	size_t at = strlen(did);

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s%s", path, strerror(errno),
			 errno == ELOOP ? " (a symbolic link: left alone)" : "");
		return -1;
	}
	if (fstat(fd, &st) != 0 || st.st_uid != getuid()) {
		close(fd);
		snprintf(err, errlen, "%s is not yours: its owner must change it", path);
		return -1;
	}
	to = exact ? want : (st.st_mode & 07777 & ~(07777 & ~want));
	if ((st.st_mode & 07777) != to) {
		if (apply && fchmod(fd, to) != 0) {
			snprintf(err, errlen, "chmod %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		snprintf(did + at, len - at, "%schmod %04o %s (was %04o)", at ? "; " : "", (unsigned)to,
			 path, (unsigned)(st.st_mode & 07777));
	}
	close(fd);
	return 0;
}

int local_fix_permissions(const char *ssh_dir, const char *identity, bool apply, char *did,
			  size_t len, char *err, size_t errlen)
{
	char key[4096], path[4200];

	did[0] = '\0';
	if (fix_mode(ssh_dir, 0700, true, apply, did, len, err, errlen) != 0)
		return -1;
	if (pick_identity(ssh_dir, identity, key, sizeof(key))) {
		if (fix_mode(key, 0600, false, apply, did, len, err, errlen) != 0)
			return -1;
		snprintf(path, sizeof(path), "%s.pub", key);
		if (fix_mode(path, 0644, false, apply, did, len, err, errlen) != 0)
			return -1;
	}
	snprintf(path, sizeof(path), "%s/known_hosts", ssh_dir);
	return fix_mode(path, 0644, false, apply, did, len, err, errlen);
}
