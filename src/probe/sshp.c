#include "config.h"

#include <arpa/inet.h>

#include <fcntl.h>
#include <libssh/libssh.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/classify.h"
#include "probe/sshp.h"
#include "util/clock.h"

/* The trivial command that proves a session works.  mktemp is there on purpose: a guest
 * with a full disk still lets you authenticate, and then every shell that tries to write
 * a temporary file fails; the file is removed at once. */
#define SESSION_TOKEN "sshtriage-session-ok"
#define SESSION_CMD \
	"f=$(mktemp 2>&1) || { echo \"$f\"; exit 1; }; rm -f \"$f\"; echo " SESSION_TOKEN

static ssh_session session_new(int fd, const char *host, int port, const char *user,
			       const char *ssh_dir, int timeout_ms)
{
	ssh_session s = ssh_new();
	bool no = false;
	long secs = timeout_ms / 1000 > 0 ? timeout_ms / 1000 : 1;
	int verbosity = SSH_LOG_NOLOG;
	char kh[4096];

	if (!s)
		return NULL;
	/* Never read ssh_config here: it could name a ProxyCommand to run. */
	ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);
	ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
	ssh_options_set(s, SSH_OPTIONS_HOST, host);
	ssh_options_set(s, SSH_OPTIONS_PORT, &port);
	if (user && *user)
		ssh_options_set(s, SSH_OPTIONS_USER, user);
	if (ssh_dir) {
		ssh_options_set(s, SSH_OPTIONS_SSH_DIR, ssh_dir);
		snprintf(kh, sizeof(kh), "%s/known_hosts", ssh_dir);
		ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, kh);
	}
	ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &secs);
	ssh_options_set(s, SSH_OPTIONS_FD, &fd);
	return s;
}

/* Frees the session and makes sure the socket it was given is closed: libssh closes it
 * only once ssh_connect() has attached it.  Workers are single-threaded, so the check
 * cannot race with another open(). */
static void session_free(ssh_session s, int fd)
{
	if (s) {
		ssh_disconnect(s);
		ssh_free(s);
	}
	if (fd >= 0 && fcntl(fd, F_GETFD) != -1)
		close(fd);
}

static void key_fingerprint(ssh_key key, char *fp, size_t fplen)
{
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *h;

	fp[0] = '\0';
	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != 0)
		return;
	h = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	if (h)
		snprintf(fp, fplen, "%s", h);
	ssh_string_free_char(h);
	ssh_clean_pubkey_hash(&hash);
}

int sshp_pubkey_fingerprint(const char *type, const char *b64, char *fp, size_t len)
{
	ssh_key key = NULL;
	enum ssh_keytypes_e t = ssh_key_type_from_name(type);

	fp[0] = '\0';
	if (t == SSH_KEYTYPE_UNKNOWN || ssh_pki_import_pubkey_base64(b64, t, &key) != SSH_OK)
		return -1;
	/* the name must be the key's own: "ssh-rsa" over an ed25519 blob is not one key */
	if (strcmp(ssh_key_type_to_char(ssh_key_type(key)), type) != 0) {
		ssh_key_free(key);
		return -1;
	}
	key_fingerprint(key, fp, len);
	ssh_key_free(key);
	return fp[0] ? 0 : -1;
}

/* The server's key as known_hosts holds it, "TYPE BASE64" ("" when it does not fit). */
static void export_server_key(ssh_session s, char *out, size_t len)
{
	ssh_key srv = NULL;
	char *b64 = NULL;
	int w = -1;

	out[0] = '\0';
	if (ssh_get_server_publickey(s, &srv) == SSH_OK &&
	    ssh_pki_export_pubkey_base64(srv, &b64) == SSH_OK)
		w = snprintf(out, len, "%s %s", ssh_key_type_to_char(ssh_key_type(srv)), b64);
	if (w < 0 || (size_t)w >= len)
		out[0] = '\0';
	free(b64);
	ssh_key_free(srv);
}

/* libssh skips @revoked lines, so a revoked key would read as unknown: look ourselves. */
static bool key_revoked(const char *ssh_dir, ssh_key key)
{
	char path[4096], line[8192], *b64 = NULL;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/known_hosts", ssh_dir);
	if (ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK)
		return false;
	f = fopen(path, "re");
	if (f) {
		while (!found && fgets(line, sizeof(line), f))
			found = strncmp(line, "@revoked", 8) == 0 && strstr(line, b64) != NULL;
		fclose(f);
	}
	free(b64);
	return found;
}

static void probe_known_hosts(ssh_session s, struct check *c, const char *ssh_dir,
			      const char *fp, const char *type)
{
	struct ssh_knownhosts_entry *entry = NULL;
	enum ssh_known_hosts_e kh = ssh_session_is_known_server(s);
	ssh_key srv = NULL;

	ssh_get_server_publickey(s, &srv);
	if (srv && ssh_dir && key_revoked(ssh_dir, srv)) {
		check_set(c, ST_FAIL, OUT_KH_REVOKED, "the host key %s is marked @revoked in known_hosts", fp);
		ssh_key_free(srv);
		return;
	}
	ssh_key_free(srv);
	switch (kh) {
	case SSH_KNOWN_HOSTS_OK:
		check_set(c, ST_OK, OUT_KH_MATCH, "host key %s %s matches known_hosts", type, fp);
		break;
	case SSH_KNOWN_HOSTS_CHANGED:
		check_set(c, ST_FAIL, OUT_KH_CHANGED,
			  "the host key changed: known_hosts holds another key for this host; ssh "
			  "refuses to connect (stale entry, or interception: verify %s out of band)", fp);
		if (ssh_session_get_known_hosts_entry(s, &entry) != SSH_KNOWN_HOSTS_ERROR && entry &&
		    entry->publickey) {
			char old[128];

			key_fingerprint(entry->publickey, old, sizeof(old));
			check_evidence(c, "known_hosts expects %s", old);
		}
		ssh_knownhosts_entry_free(entry);
		break;
	case SSH_KNOWN_HOSTS_OTHER:
		check_set(c, ST_FAIL, OUT_KH_OTHER, "known_hosts holds a key of another type for this "
			  "host; the server now offers %s %s", type, fp);
		break;
	case SSH_KNOWN_HOSTS_UNKNOWN:
	case SSH_KNOWN_HOSTS_NOT_FOUND:
		check_set(c, ST_WARN, OUT_KH_UNKNOWN, "host not in known_hosts: ssh will ask to "
			  "accept %s %s (compare it out of band first)", type, fp);
		break;
	default:
		check_set(c, ST_WARN, OUT_ERROR, "known_hosts could not be read: %s", ssh_get_error(s));
		break;
	}
	check_evidence(c, "server host key %s %s", type, fp);
}

static bool default_key_exists(const char *ssh_dir)
{
	static const char *const names[] = {"id_ed25519", "id_ecdsa", "id_rsa"};
	char path[4096];

	for (size_t i = 0; ssh_dir && i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", ssh_dir, names[i]);
		if (access(path, R_OK) == 0)
			return true;
	}
	return false;
}

/* Returns 1 authenticated, 0 refused, -1 not tried (no credentials or an error). */
static int probe_auth(ssh_session s, struct check *c, const struct sshp_creds *cr)
{
	int rc, methods;
	ssh_key key = NULL;
	long long t0 = clock_ms();

	rc = ssh_userauth_none(s, NULL);
	if (rc == SSH_AUTH_SUCCESS) {
		check_set(c, ST_WARN, OUT_OK, "the server let us in with no authentication at all");
		return 1;
	}
	if (rc == SSH_AUTH_ERROR) {
		check_set(c, ST_FAIL, OUT_CLOSED, "authentication failed: %s", ssh_get_error(s));
		return 0;
	}
	methods = ssh_userauth_list(s, NULL);
	check_evidence(c, "server offers:%s%s%s%s",
		       methods & SSH_AUTH_METHOD_PUBLICKEY ? " publickey" : "",
		       methods & SSH_AUTH_METHOD_PASSWORD ? " password" : "",
		       methods & SSH_AUTH_METHOD_INTERACTIVE ? " keyboard-interactive" : "",
		       methods & SSH_AUTH_METHOD_GSSAPI_MIC ? " gssapi-with-mic" : "");
	if (!cr->identity && !cr->use_agent && !default_key_exists(cr->ssh_dir)) {
		check_set(c, ST_SKIPPED, OUT_NO_CREDS, "no key or agent given: authentication not tried");
		return -1;
	}
	if (!(methods & SSH_AUTH_METHOD_PUBLICKEY)) {
		check_set(c, ST_FAIL, OUT_AUTH_NO_PUBKEY, "the server does not offer publickey "
			  "authentication (sshd_config PubkeyAuthentication or AuthenticationMethods)");
		return 0;
	}
	if (cr->identity) {
		if (ssh_pki_import_privkey_file(cr->identity, NULL, NULL, NULL, &key) != SSH_OK) {
			check_set(c, ST_FAIL, OUT_BAD_KEY, "the key %s cannot be loaded (encrypted or "
				  "damaged)", cr->identity);
			return 0;
		}
		rc = ssh_userauth_publickey(s, NULL, key);
		ssh_key_free(key);
		check_evidence(c, "offered the key %s", cr->identity);
	} else if (cr->use_agent) {
		rc = ssh_userauth_agent(s, NULL);
		check_evidence(c, "offered the agent's keys");
	} else {
		rc = ssh_userauth_publickey_auto(s, NULL, NULL);
		check_evidence(c, "offered the default keys in %s", cr->ssh_dir);
	}
	c->elapsed_ms = clock_ms() - t0;
	if (rc == SSH_AUTH_SUCCESS) {
		check_set(c, ST_OK, OUT_OK, "publickey accepted (%ld ms)", c->elapsed_ms);
		return 1;
	}
	if (rc == SSH_AUTH_PARTIAL) {
		check_set(c, ST_FAIL, OUT_AUTH_DENIED, "publickey accepted but the server wants "
			  "another method too (AuthenticationMethods)");
		return 0;
	}
	if (rc == SSH_AUTH_DENIED) {
		check_set(c, ST_FAIL, OUT_AUTH_DENIED, "the server refused the key: the account is "
			  "expired, locked or not allowed, or authorized_keys is missing, wrong, or "
			  "has modes StrictModes rejects");
		return 0;
	}
	check_set(c, ST_FAIL, OUT_CLOSED, "authentication failed: %s", ssh_get_error(s));
	return 0;
}

/* Runs cmd in a new session channel, collecting stdout and stderr into out (NUL-terminated)
 * until the channel closes or timeout_ms passes.  Returns -1 when no session could be
 * opened; otherwise 0 with the remote exit status in *status (-1 when none was sent). */
static int run_command(ssh_session s, const char *cmd, char *out, size_t outlen, int timeout_ms,
		       int *status)
{
	ssh_channel ch = ssh_channel_new(s);
	long long t0 = clock_ms();
	size_t len = 0;

	out[0] = '\0';
	*status = -1;
	if (!ch || ssh_channel_open_session(ch) != SSH_OK || ssh_channel_request_exec(ch, cmd) != SSH_OK) {
		ssh_channel_free(ch);
		return -1;
	}
	while (clock_ms() - t0 < timeout_ms && len < outlen - 1) {
		int n = 0, got = 0;

		for (int err = 0; err <= 1 && len < outlen - 1; err++) {
			n = ssh_channel_read_timeout(ch, out + len, (uint32_t)(outlen - 1 - len), err, 100);
			if (n > 0) {
				len += (size_t)n;
				got = 1;
			}
		}
		out[len] = '\0';
		if (n == SSH_ERROR || (!got && ssh_channel_is_eof(ch)))
			break;
	}
	*status = ssh_channel_get_exit_status(ch);
	ssh_channel_close(ch);
	ssh_channel_free(ch);
	return 0;
}

static void probe_session(ssh_session s, struct check *c, int timeout_ms)
{
	char out[2048];
	long long t0 = clock_ms();
	int status;
	enum outcome o;

	if (run_command(s, SESSION_CMD, out, sizeof(out), timeout_ms, &status) != 0) {
		check_set(c, ST_FAIL, OUT_SESSION_FAIL, "authenticated, but no session: %s",
			  ssh_get_error(s));
		return;
	}
	c->elapsed_ms = clock_ms() - t0;
	o = classify_session(status, out, SESSION_TOKEN);
	switch (o) {
	case OUT_OK:
		check_set(c, ST_OK, o, "a session runs a command (%ld ms)", c->elapsed_ms);
		break;
	case OUT_NOLOGIN_SHELL:
		check_set(c, ST_FAIL, o, "the account's shell refuses logins (nologin)");
		break;
	case OUT_NOLOGIN_FILE:
		check_set(c, ST_FAIL, o, "sshd refuses sessions with a message (/etc/nologin)");
		break;
	case OUT_DISK_FULL:
		check_set(c, ST_FAIL, o, "the guest's disk is full: a session cannot create a file");
		break;
	default:
		check_set(c, ST_FAIL, o, "the command did not complete (exit status %d)", status);
		break;
	}
	for (char *line = strtok(out, "\n"); line && c->n_evidence < 4; line = strtok(NULL, "\n"))
		check_evidence(c, "output: %s", line);
	check_evidence(c, "exit status %d", status);
}

/* Key exchange on s; fills c.  Returns true when it completed. */
static bool probe_kex(ssh_session s, struct check *c, char *fp, size_t fplen, char *type, size_t typelen)
{
	long long t0 = clock_ms();
	ssh_key srv = NULL;

	if (ssh_connect(s) != SSH_OK) {
		c->elapsed_ms = clock_ms() - t0;
		check_set(c, ST_FAIL, OUT_KEX_FAIL, "SSH key exchange failed: %s", ssh_get_error(s));
		return false;
	}
	c->elapsed_ms = clock_ms() - t0;
	if (ssh_get_server_publickey(s, &srv) == SSH_OK) {
		key_fingerprint(srv, fp, fplen);
		snprintf(type, typelen, "%s", ssh_key_type_to_char(ssh_key_type(srv)));
		ssh_key_free(srv);
	}
	check_set(c, ST_OK, OUT_OK, "key exchange %s, host key %s %s", ssh_get_kex_algo(s), type, fp);
	check_evidence(c, "server: %s", ssh_get_serverbanner(s) ? ssh_get_serverbanner(s) : "?");
	check_evidence(c, "kex %s, cipher %s, protocol %d", ssh_get_kex_algo(s),
		       ssh_get_cipher_out(s) ? ssh_get_cipher_out(s) : "?", ssh_get_version(s));
	return true;
}

void sshp_probe_path(int fd, const char *host, int port, const char *user,
		     const struct sshp_creds *cr, int timeout_ms, char *hostkey, size_t hostkeylen,
		     void (*emit)(const struct check *c, void *arg), void *arg)
{
	struct check hs, kh, auth, sess;
	char fp[128] = "", type[32] = "";
	ssh_session s = session_new(fd, host, port, user, cr->ssh_dir, timeout_ms);
	int authed;

	check_init(&hs, CK_VM_HANDSHAKE);
	check_init(&kh, CK_CLIENT_KNOWN_HOSTS);
	check_init(&auth, CK_VM_AUTH);
	check_init(&sess, CK_VM_SESSION);
	if (!s || !probe_kex(s, &hs, fp, sizeof(fp), type, sizeof(type))) {
		if (!s)
			check_set(&hs, ST_FAIL, OUT_ERROR, "libssh: out of memory");
		emit(&hs, arg);
		session_free(s, fd);
		return;
	}
	export_server_key(s, hostkey, hostkeylen);
	emit(&hs, arg);
	probe_known_hosts(s, &kh, cr->ssh_dir, fp, type);
	emit(&kh, arg);
	if (kh.state == ST_FAIL) {
		check_set(&auth, ST_SKIPPED, OUT_SKIPPED, "not authenticating: the host key does not "
			  "match known_hosts");
		emit(&auth, arg);
		session_free(s, fd);
		return;
	}
	authed = probe_auth(s, &auth, cr);
	emit(&auth, arg);
	if (authed == 1) {
		probe_session(s, &sess, timeout_ms);
		emit(&sess, arg);
	}
	session_free(s, fd);
}

void sshp_probe_handshake(struct check *c, int fd, const char *host, int port, int timeout_ms)
{
	ssh_session s = session_new(fd, host, port, NULL, NULL, timeout_ms);
	char fp[128] = "", type[32] = "";

	if (!s)
		check_set(c, ST_FAIL, OUT_ERROR, "libssh: out of memory");
	else if (probe_kex(s, c, fp, sizeof(fp), type, sizeof(type)))
		check_set(c, ST_OK, OUT_OK, "%s:%d completes the SSH handshake (%s)", host, port, type);
	session_free(s, fd);
}

void sshp_probe_vantage(struct check *c, int fd, const char *vhost, int vport, const char *vuser,
			const struct sshp_creds *cr, const char *addr, int port, int timeout_ms,
			char *seen, size_t seenlen)
{
	ssh_session s = session_new(fd, vhost, vport, vuser, cr->ssh_dir, timeout_ms);
	struct check tmp;
	char fp[128] = "", type[32] = "", cmd[256], out[1024];
	long long t0 = clock_ms();
	enum outcome o;
	int status;
	int secs = timeout_ms / 2000 > 0 ? timeout_ms / 2000 : 1;

	check_init(&tmp, c->id);
	if (!s || !probe_kex(s, &tmp, fp, sizeof(fp), type, sizeof(type))) {
		check_set(c, ST_UNKNOWN, OUT_UNAVAILABLE, "cannot use the vantage host %s: %s", vhost,
			  tmp.summary[0] ? tmp.summary : "libssh: out of memory");
		session_free(s, fd);
		return;
	}
	if (ssh_session_is_known_server(s) == SSH_KNOWN_HOSTS_CHANGED ||
	    probe_auth(s, &tmp, cr) != 1) {
		check_set(c, ST_UNKNOWN, OUT_UNAVAILABLE, "cannot log in to the vantage host %s@%s: %s",
			  vuser, vhost, tmp.summary[0] ? tmp.summary : "its host key changed");
		session_free(s, fd);
		return;
	}
	/* addr is numeric (from our own resolver), so it is safe in a remote command line. */
	snprintf(cmd, sizeof(cmd),
		 "echo \"from=${SSH_CONNECTION%%%% *}\"; "
		 "timeout %d bash -c 'exec 3<>/dev/tcp/%s/%d' 2>&1 && echo sshtriage-connected; echo rc=$?",
		 secs, addr, port);
	seen[0] = '\0';
	run_command(s, cmd, out, sizeof(out), timeout_ms, &status);
	{
		/* where the vantage host sees us come from: an address, or nothing */
		const char *f = strstr(out, "from=");
		unsigned char bin[16];
		char ip[64];
		size_t n = f ? strcspn(f + 5, "\r\n") : 0;

		if (f && n > 0 && n < sizeof(ip)) {
			snprintf(ip, sizeof(ip), "%.*s", (int)n, f + 5);
			if (inet_pton(AF_INET, ip, bin) == 1 || inet_pton(AF_INET6, ip, bin) == 1)
				snprintf(seen, seenlen, "%s", ip);
		}
	}
	c->elapsed_ms = clock_ms() - t0;
	o = classify_vantage(out);
	switch (o) {
	case OUT_OK:
		check_set(c, ST_OK, o, "from the vantage host %s, TCP %s port %d connects", vhost, addr, port);
		break;
	case OUT_ERROR:
		check_set(c, ST_UNKNOWN, OUT_UNAVAILABLE, "the vantage host could not run the TCP test");
		break;
	default:
		check_set(c, ST_WARN, o, "from the vantage host %s, TCP %s port %d: %s", vhost, addr,
			  port, outcome_name(o));
		break;
	}
	for (char *line = strtok(out, "\n"); line && c->n_evidence < 4; line = strtok(NULL, "\n"))
		check_evidence(c, "vantage: %s", line);
	session_free(s, fd);
}
