#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azure/guest.h"
#include "azure/guestfix.h"
#include "azure/runcmd.h"
#include "fixture.h"
#include "tap.h"

/* tests/fixtures/guestfix/NAME (captured in the lab VM, see its README); malloc'd, or NULL */
static char *load(const char *name, size_t *len)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "guestfix/%s", name);
	return fixture_file(rel, len);
}

static struct guestfix_result r;

/* parses fixture NAME into r; returns the number of results, -1 when the file is missing */
static int fixture(const char *name)
{
	size_t len = 0;
	char *t = load(name, &len);
	int n;

	if (!t) {
		memset(&r, 0, sizeof(r));
		return -1;
	}
	n = guestfix_parse(t, len, &r);
	free(t);
	return n;
}

static int parse_str(const char *s)
{
	return guestfix_parse(s, strlen(s), &r);
}

static char buf[GUESTFIX_SCRIPT_MAX];

static const char *script(enum guestfix_id id, const char *user, int port)
{
	return guestfix_script(id, user, port, buf, sizeof(buf)) > 0 ? buf : "";
}

static void test_names(void)
{
	static const char *const names[GUESTFIX_COUNT] = {
		"vm.restart_sshd", "vm.open_guest_firewall", "vm.fix_ssh_permissions", "vm.unexpire_user",
		"vm.remove_nologin",
	};
	enum guestfix_id id;

	for (int i = 0; i < GUESTFIX_COUNT; i++) {
		is_str(guestfix_name((enum guestfix_id)i), names[i], "name %d", i);
		ok(guestfix_lookup(names[i], &id) && id == (enum guestfix_id)i, "lookup %s", names[i]);
		ok(strlen(guestfix_describe((enum guestfix_id)i)) > 200 &&
		   strstr(guestfix_describe((enum guestfix_id)i), "Run Command") &&
		   strstr(guestfix_describe((enum guestfix_id)i), "Cost"), "%s: described, with its cost", names[i]);
	}
	ok(guestfix_name(GUESTFIX_COUNT) == NULL && guestfix_name((enum guestfix_id)-1) == NULL, "name out of range");
	is_str(guestfix_describe(GUESTFIX_COUNT), "", "describe out of range");
	ok(!guestfix_lookup("vm.restart", &id) && !guestfix_lookup("", &id) && !guestfix_lookup(NULL, &id),
	   "lookup: other remedies, empty, NULL");
	ok(!guestfix_lookup("VM.RESTART_SSHD", NULL) && guestfix_lookup("vm.remove_nologin", NULL),
	   "lookup is exact; id may be NULL");
	ok(guestfix_needs_user(GUESTFIX_FIX_PERMISSIONS) && guestfix_needs_user(GUESTFIX_UNEXPIRE_USER) &&
	   !guestfix_needs_user(GUESTFIX_RESTART_SSHD) && !guestfix_needs_user(GUESTFIX_OPEN_FIREWALL) &&
	   !guestfix_needs_user(GUESTFIX_REMOVE_NOLOGIN) && !guestfix_needs_user(GUESTFIX_COUNT), "needs a user");
	ok(guestfix_needs_port(GUESTFIX_OPEN_FIREWALL) && !guestfix_needs_port(GUESTFIX_RESTART_SSHD) &&
	   !guestfix_needs_port(GUESTFIX_FIX_PERMISSIONS) && !guestfix_needs_port(GUESTFIX_COUNT), "needs a port");
}

static void test_params(void)
{
	char small[64];
	static const char *const bad_users[] = {
		"Azureuser", "1user", "-user", "a'b", "a b", "a$(id)", "a;reboot", "", "a\nb",
		"abcdefghijklmnopqrstuvwxyz0123456",
	};

	for (size_t i = 0; i < sizeof(bad_users) / sizeof(bad_users[0]); i++) {
		ok(guestfix_script(GUESTFIX_FIX_PERMISSIONS, bad_users[i], 0, buf, sizeof(buf)) == -1 && buf[0] == '\0',
		   "fix_ssh_permissions refuses user #%zu", i);
		ok(guestfix_script(GUESTFIX_UNEXPIRE_USER, bad_users[i], 22, buf, sizeof(buf)) == -1,
		   "unexpire_user refuses user #%zu", i);
	}
	ok(guestfix_script(GUESTFIX_UNEXPIRE_USER, NULL, 0, buf, sizeof(buf)) == -1, "NULL user refused");
	ok(guestfix_script(GUESTFIX_UNEXPIRE_USER, "abcdefghijklmnopqrstuvwxyz012345", 0, buf, sizeof(buf)) > 0,
	   "32 characters");
	ok(guestfix_script(GUESTFIX_FIX_PERMISSIONS, "_svc-1.x", 0, buf, sizeof(buf)) > 0 &&
	   strncmp(buf, "ID='vm.fix_ssh_permissions'\nU='_svc-1.x'\n", 41) == 0, "the user comes second, quoted");
	ok(guestfix_script(GUESTFIX_OPEN_FIREWALL, NULL, 0, buf, sizeof(buf)) == -1, "port 0 refused");
	ok(guestfix_script(GUESTFIX_OPEN_FIREWALL, NULL, 65536, buf, sizeof(buf)) == -1, "port 65536 refused");
	ok(guestfix_script(GUESTFIX_OPEN_FIREWALL, NULL, -22, buf, sizeof(buf)) == -1, "negative port refused");
	ok(guestfix_script(GUESTFIX_OPEN_FIREWALL, "x'y", 65535, buf, sizeof(buf)) > 0 &&
	   strncmp(buf, "ID='vm.open_guest_firewall'\nP='65535'\nexport ", 45) == 0 && !strstr(buf, "x'y"),
	   "port 65535; the user is not used");
	ok(guestfix_script(GUESTFIX_OPEN_FIREWALL, NULL, 1, buf, sizeof(buf)) > 0, "port 1");
	ok(guestfix_script(GUESTFIX_RESTART_SSHD, "$(reboot)", -1, buf, sizeof(buf)) > 0 && !strstr(buf, "reboot") &&
	   strncmp(buf, "ID='vm.restart_sshd'\nexport ", 28) == 0, "restart_sshd: no parameter used");
	ok(guestfix_script(GUESTFIX_REMOVE_NOLOGIN, NULL, 0, buf, sizeof(buf)) > 0, "remove_nologin");
	ok(guestfix_script(GUESTFIX_COUNT, "a", 22, buf, sizeof(buf)) == -1 && buf[0] == '\0', "unknown id");
	ok(guestfix_script((enum guestfix_id)-1, "a", 22, buf, sizeof(buf)) == -1, "negative id");
	ok(guestfix_script(GUESTFIX_REMOVE_NOLOGIN, NULL, 0, small, sizeof(small)) == -1 && small[0] == '\0',
	   "too small a buffer: -1 and an empty string");
	ok(guestfix_script(GUESTFIX_REMOVE_NOLOGIN, NULL, 0, buf, 0) == -1, "no room at all");
	ok(guestfix_script(GUESTFIX_REMOVE_NOLOGIN, NULL, 0, NULL, 10) == -1, "no buffer");
}

static void test_scripts(void)
{
	static const char *const never[] = {
		"flush", "nft -f", "iptables -F", "-w -F", "-w -X", "--flush", "delete table", "delete chain",
		"ufw reset", "ufw disable", "--reload", "rm -r", "chpasswd", "passwd -d", "usermod -p \"",
		"chmod -R", "chown -R", "reboot", "shutdown",
	};
	static const struct {
		enum guestfix_id id;
		const char *user;
		int port;
		const char *must[14];
	} want[] = {
		{GUESTFIX_RESTART_SSHD, NULL, 0,
		 {"\"$S\" -t", "systemctl restart", "systemctl stop", "ssh.socket", "ssh.service sshd.service",
		  "service $x restart", "/etc/init.d/$x", "ss -ltnp", "netstat -ltnp", "kv SSHD_LISTEN",
		  "kv SSHD_ACTIVE", "sshd_not_to_be_run", "timeout 60", NULL}},
		{GUESTFIX_OPEN_FIREWALL, NULL, 2222,
		 {"P='2222'", "nft -a list ruleset", "nft delete rule", "handle \"$h\"", "nft insert rule",
		  "-w -S", "-w -D", "-w -I", "ufw delete", "ufw allow \"$P/tcp\"", "--permanent", "--add-port",
		  "ip6tables", NULL}},
		{GUESTFIX_FIX_PERMISSIONS, "azureuser", 0,
		 {"U='azureuser'", "getent", "chmod go-w", "chmod 700", "chmod 600", "chown \"$U:$G\"", "[ -L",
		  "stat -c %h", "authorizedkeysfile", "set -f", NULL}},
		{GUESTFIX_UNEXPIRE_USER, "azureuser", 0,
		 {"chage -E -1", "usermod -e ''", "usermod -U", "passwd -u", "usermod -p '*'", "getent", "shadow",
		  NULL}},
		{GUESTFIX_REMOVE_NOLOGIN, NULL, 0, {"/etc/nologin", "/run/nologin", "rm -f --", NULL}},
	};

	static const char tail[] = "kv FIX_OK $ok\necho GUESTFIX_END=1\nexit 0\n";

	for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
		const char *name = guestfix_name(want[w].id), *s = script(want[w].id, want[w].user, want[w].port);
		size_t n = strlen(s);

		ok(n > 500 && n < GUESTFIX_SCRIPT_MAX - 1024, "%s: built (%zu bytes, room to spare)", name, n);
		ok(strstr(s, guest_script_prelude()) != NULL, "%s: the guest prelude", name);
		ok(strstr(s, "echo \"GUESTFIX_BEGIN=$ID\"\n") != NULL, "%s: begin marker", name);
		ok(n > strlen(tail) && strcmp(s + n - strlen(tail), tail) == 0,
		   "%s: ends with FIX_OK, GUESTFIX_END=1 and exit 0", name);
		ok(strstr(s, "T='timeout 10'") != NULL, "%s: bounded", name);
		for (int i = 0; want[w].must[i]; i++)
			ok(strstr(s, want[w].must[i]) != NULL, "%s has %s", name, want[w].must[i]);
		for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
			ok(strstr(s, never[i]) == NULL, "%s never has %s", name, never[i]);
		ok(!guestfix_needs_user(want[w].id) || strstr(s, "ent() {") != NULL, "%s: user helper when needed", name);
	}
	ok(strstr(script(GUESTFIX_OPEN_FIREWALL, NULL, 22), "nft flush ruleset") == NULL &&
	   strstr(buf, "iptables -F") == NULL, "the firewall script flushes nothing");
	ok(strstr(script(GUESTFIX_RESTART_SSHD, NULL, 0), "kill ") == NULL, "restart kills no process itself");
	ok(strstr(script(GUESTFIX_REMOVE_NOLOGIN, NULL, 0), "ent() {") == NULL, "no user helper where unused");
}

static void test_fixtures(void)
{
	ok(fixture("restart_sshd_stop.txt") > 0 && r.complete && r.id == GUESTFIX_RESTART_SSHD, "restart: sshd_stop");
	ok(r.ok == GUEST_YES && r.sshd_active == GUEST_YES && r.sshd_socket == GUEST_NO, "ok, sshd active");
	ok(r.have_listen && r.n_listen == 1 && guestfix_listens(&r, 22) && !guestfix_listens(&r, 2222), "listens on 22");
	is_str(r.did, "systemctl restart ssh.service", "did");
	is_str(r.before, "sshd running: no; listening on: nothing", "before");
	is_str(r.after, "sshd running: yes; listening on: 22", "after");
	ok(r.n_did == 1 && r.n_err == 0 && r.err[0] == '\0' && r.note[0] == '\0', "one change, no error");
	ok(r.bad_lines == 0 && r.long_lines == 0 && r.unknown_keys == 0, "nothing odd");

	ok(fixture("restart_sshd_hang.txt") > 0 && r.complete && r.ok == GUEST_YES, "restart: sshd_hang");
	is_str(r.before, "sshd running: yes; listening on: nothing", "the hung listener is not sshd");

	ok(fixture("restart_config_broken.txt") > 0 && r.complete && r.ok == GUEST_NO, "restart: broken config");
	ok(r.n_did == 0 && r.did[0] == '\0' && r.n_err == 3, "nothing done, three errors");
	is_str(r.err, "sshd -t: /etc/ssh/sshd_config: line 19: Bad configuration option: PubkeyAuthentcation; "
		      "not restarted: sshd refuses this configuration and would stay down; ssh.service: inactive",
	       "errors joined");
	ok(r.sshd_active == GUEST_NO && r.have_listen && r.n_listen == 0 && !guestfix_listens(&r, 22),
	   "not active, listens nowhere");

	ok(fixture("open_firewall_drop.txt") > 0 && r.complete && r.id == GUESTFIX_OPEN_FIREWALL &&
	   r.ok == GUEST_YES, "firewall: drop");
	is_str(r.did, "nft inet filter input: removed tcp dport 22 drop", "did");
	is_str(r.after, "no guest firewall rule drops or rejects tcp/22 for every source", "after");
	ok(r.sshd_active == GUEST_UNKNOWN && !r.have_listen, "no sshd facts");
	ok(fixture("open_firewall_reject.txt") > 0 && r.ok == GUEST_YES &&
	   !strcmp(r.did, "nft inet filter input: removed tcp dport 22 reject"), "firewall: reject");
	ok(fixture("open_firewall_mixed.txt") > 0 && r.ok == GUEST_YES && r.n_did == 3 && r.n_note == 1,
	   "firewall: mixed, three changes, one rule kept");
	ok(strstr(r.did, "iptables INPUT: removed -A INPUT -p tcp -m tcp --dport 22 -m comment") == r.did,
	   "iptables rule removed first");
	ok(strstr(r.did, "; nft inet filter input: accept tcp/22 added before tcp dport { 22, 80 } drop") != NULL,
	   "an accept before the two-port rule");
	is_str(r.note, "kept (applies to some sources only): ip saddr 192.0.2.99 tcp dport 22 drop", "note");
	ok(fixture("open_firewall_none.txt") > 0 && r.ok == GUEST_YES && r.n_did == 0 && r.did[0] == '\0',
	   "firewall: nothing to do is success");

	ok(fixture("fix_permissions_home_777.txt") > 0 && r.complete && r.id == GUESTFIX_FIX_PERMISSIONS &&
	   r.ok == GUEST_YES, "permissions: home 777");
	is_str(r.did, "/home/azureuser: 777 azureuser:azureuser -> 755 azureuser:azureuser", "did");
	is_str(r.before, "/home/azureuser 777 azureuser:azureuser; /home/azureuser/.ssh 700 azureuser:azureuser; "
			 "/home/azureuser/.ssh/authorized_keys 600 azureuser:azureuser", "before, joined");
	ok(fixture("fix_permissions_authkeys_666.txt") > 0 && r.ok == GUEST_YES &&
	   !strcmp(r.did, "/home/azureuser/.ssh/authorized_keys: 666 azureuser:azureuser -> 600 azureuser:azureuser"),
	   "permissions: authorized_keys 666");
	ok(fixture("fix_permissions_symlink.txt") > 0 && r.complete && r.ok == GUEST_NO && r.n_did == 0 &&
	   r.n_err == 2, "permissions: ~/.ssh a symbolic link, refused");
	ok(strstr(r.err, "/home/azureuser/.ssh is a symbolic link: not changed") == r.err, "why");

	ok(fixture("unexpire_expired.txt") > 0 && r.complete && r.id == GUESTFIX_UNEXPIRE_USER &&
	   r.ok == GUEST_YES, "unexpire: expired");
	is_str(r.did, "chage -E -1 azureuser (expired 2000-01-01)", "did");
	is_str(r.after, "password none, expires never", "after");
	ok(fixture("unexpire_locked.txt") > 0 && r.ok == GUEST_YES &&
	   !strcmp(r.did, "unlocked the password of azureuser") && !strcmp(r.before, "password locked, expires never"),
	   "unexpire: locked");
	ok(fixture("unexpire_bare_lock.txt") > 0 && r.ok == GUEST_YES && r.n_did == 2 &&
	   strstr(r.did, "password field of azureuser: ! -> * (no password, not locked)"), "unexpire: '!' alone");

	ok(fixture("remove_nologin.txt") > 0 && r.complete && r.id == GUESTFIX_REMOVE_NOLOGIN && r.ok == GUEST_YES,
	   "nologin");
	is_str(r.did, "removed /etc/nologin", "did");
	is_str(r.before, "/etc/nologin: System maintenance in progress: logins are disabled (sshtriage lab).",
	       "the message it held");
}

static void test_runcommand_json(void)
{
	size_t len = 0;
	char *json = load("restart_sshd_stop.runcommand.json", &len), err[128];
	struct runcmd_result rc;
	static struct guestfix_result direct;

	ok(json && runcmd_parse(json, len, &rc, err, sizeof(err)) == 0 && rc.succeeded, "Run Command answer parses");
	if (!json || !rc.out) {
		free(json);
		return;
	}
	ok(guestfix_parse(rc.out, rc.out_len, &direct) > 0 && direct.complete, "its stdout is a complete result");
	fixture("restart_sshd_stop.txt");
	ok(memcmp(&direct, &r, sizeof(r)) == 0, "the same as restart_sshd_stop.txt");
	runcmd_free(&rc);
	free(json);
}

static void test_hostile(void)
{
	static char big[100 * 1024 + 256];
	int n;

	ok(guestfix_parse("", 0, &r) == 0 && !r.begun && r.ok == GUEST_UNKNOWN && r.id == -1, "empty");
	ok(guestfix_parse(NULL, 0, &r) == 0 && r.ok == GUEST_UNKNOWN, "NULL");
	ok(guestfix_parse("\n\n\n", 3, &r) == 0 && r.lines == 3, "blank lines");

	parse_str("GUESTFIX_BEGIN=vm.remove_nologin\nFIX_OK=no\nFIX_OK=yes\nSSHD_ACTIVE=no\nSSHD_ACTIVE=yes\n"
		  "SSHD_LISTEN=2222\nSSHD_LISTEN=22\nGUESTFIX_BEGIN=vm.restart_sshd\nGUESTFIX_END=1\n");
	ok(r.ok == GUEST_NO && r.sshd_active == GUEST_NO && r.n_listen == 1 && r.listen[0] == 2222,
	   "duplicates: the first wins");
	ok(r.id == GUESTFIX_REMOVE_NOLOGIN && r.complete, "the first GUESTFIX_BEGIN wins");

	parse_str("GUESTFIX_BEGIN=vm.remove_nologin\nFIX_ERR=could not remove /etc/nologin\nFIX_OK=yes\nGUESTFIX_END=1\n");
	ok(r.ok == GUEST_NO && r.n_err == 1, "FIX_OK=yes after a FIX_ERR: no");

	parse_str("GUESTFIX_BEGIN=vm.remove_nologin\nFIX_DID=removed /etc/nologin\n");
	ok(r.begun && !r.ended && !r.complete && r.ok == GUEST_UNKNOWN && r.n_did == 1, "killed before the end: unknown");

	parse_str("GUESTFIX_BEGIN=vm.remove_nologin\nFIX_OK=yes\nGUESTFIX_END=1\nFIX_OK=no\nFIX_ERR=late\n");
	ok(r.complete && r.ok == GUEST_YES && r.n_err == 0, "after GUESTFIX_END: ignored");

	parse_str("GUESTFIX_BEGIN=vm.open_guest_firewall\r\nFIX_DID=x\r\nFIX_OK=yes\r\nGUESTFIX_END=1\r\n");
	ok(r.complete && r.ok == GUEST_YES && !strcmp(r.did, "x"), "CRLF");

	parse_str("GUESTFIX_BEGIN=vm.restart\nGUESTFIX_END=1\n");
	ok(r.begun && r.id == -1, "an unknown remedy id: -1");
	parse_str("GUESTFIX_BEGIN=vm.restart_sshdx\nFIX_OK=yes\n");
	ok(r.begun && r.id == -1 && r.ok == GUEST_YES, "a longer name is not the id");

	/* Azure kept only the tail: the head, GUESTFIX_BEGIN with it, is gone */
	parse_str("E=/home/azureuser 777 x\nFIX_DID=chmod\nFIX_OK=yes\nGUESTFIX_END=1\n");
	ok(!r.begun && r.ended && !r.complete && r.ok == GUEST_YES && r.unknown_keys == 0 && r.n_did == 1,
	   "tail only: the cut first line is ignored, the rest taken");
	parse_str("GUESTFIX_BEGIN=vm.remove_nologin\nFIX_DID=half a li");
	ok(r.n_did == 0 && r.bad_lines == 1, "an unterminated last line is not taken");
	parse_str("GUESTFIX_BEGIN=vm.remove_nologin\nFIX_OK=yes\nGUESTFIX_END=1");
	ok(r.complete && r.ok == GUEST_YES, "GUESTFIX_END=1 without newline");

	{
		static const char in[] = "GUESTFIX_BEGIN=vm.remove_nologin\nFIX_BEFORE=/etc/nologin: a\0b\x1b]0;pwn\x07\x9b"
					 "c\nFIX_\0OK=yes\nGUESTFIX_END=1\n";
		static const char want[] = "/etc/nologin: a?b\x1b]0;pwn\x07\x9b" "c";

		n = guestfix_parse(in, sizeof(in) - 1, &r);
		ok(n == 1 && r.complete && r.ok == GUEST_UNKNOWN && r.bad_lines == 1, "NUL in a key: a bad line");
		is_str(r.before, want, "NUL becomes '?', escape bytes kept raw for the caller to sanitise");
	}

	memcpy(big, "GUESTFIX_BEGIN=vm.remove_nologin\nFIX_DID=", 41);
	memset(big + 41, 'x', 100 * 1024);
	strcpy(big + 41 + 100 * 1024, "\nFIX_OK=yes\nGUESTFIX_END=1\n");
	n = parse_str(big);
	ok(n == 1 && r.long_lines == 1 && r.n_did == 0 && r.did[0] == '\0' && r.ok == GUEST_YES && r.complete,
	   "a 100 KB line is skipped, the rest parsed");

	{
		char many[8192];
		size_t o = (size_t)snprintf(many, sizeof(many), "GUESTFIX_BEGIN=vm.open_guest_firewall\n");

		for (int i = 0; i < 40; i++)
			o += (size_t)snprintf(many + o, sizeof(many) - o, "FIX_DID=rule %02d %0150d\n", i, 0);
		snprintf(many + o, sizeof(many) - o, "FIX_OK=yes\nGUESTFIX_END=1\n");
		parse_str(many);
		ok(r.n_did == 40 && strlen(r.did) == GUESTFIX_TEXT - 1, "40 changes: all counted, the field full");
		ok(strcmp(r.did + GUESTFIX_TEXT - 4, "...") == 0 && strncmp(r.did, "rule 00 ", 8) == 0 &&
		   strstr(r.did, "; rule 01 ") != NULL, "cut with \"...\", the first ones kept");
		ok(r.ok == GUEST_YES && r.complete, "the rest still read");
	}
	{
		char line[GUESTFIX_TEXT + 128];

		memset(line, 'y', sizeof(line));
		memcpy(line, "GUESTFIX_BEGIN=vm.remove_nologin\nFIX_NOTE=", 42);
		strcpy(line + GUESTFIX_TEXT + 40, "\nFIX_NOTE=z\nGUESTFIX_END=1\n");
		parse_str(line);
		ok(r.n_note == 2 && strlen(r.note) == GUESTFIX_TEXT - 1 && !strcmp(r.note + GUESTFIX_TEXT - 4, "...") &&
		   !strchr(r.note, 'z'), "one value longer than the field: cut, nothing after it");
	}

	parse_str("GUESTFIX_BEGIN=vm.restart_sshd\nSSHD_LISTEN=22,abc,0,70000,22,,-1,2222,+5,0x16,1234567,443\n"
		  "SSHD_ACTIVE=YES\nSSHD_SOCKET=maybe\nFIX_OK=true\nGUESTFIX_END=1\n");
	ok(r.n_listen == 3 && r.listen[0] == 22 && r.listen[1] == 2222 && r.listen[2] == 443,
	   "port list: garbage and duplicates dropped");
	ok(r.sshd_active == GUEST_UNKNOWN && r.sshd_socket == GUEST_UNKNOWN && r.ok == GUEST_UNKNOWN,
	   "only yes and no are words");
	{
		char ports[512];
		size_t o = (size_t)snprintf(ports, sizeof(ports), "GUESTFIX_BEGIN=vm.restart_sshd\nSSHD_LISTEN=");

		for (int i = 1; i <= 30; i++)
			o += (size_t)snprintf(ports + o, sizeof(ports) - o, "%s%d", i > 1 ? "," : "", 1000 + i);
		snprintf(ports + o, sizeof(ports) - o, "\nGUESTFIX_END=1\n");
		parse_str(ports);
		ok(r.n_listen == GUESTFIX_LISTEN_MAX && guestfix_listens(&r, 1016) && !guestfix_listens(&r, 1017),
		   "at most GUESTFIX_LISTEN_MAX ports");
	}

	parse_str("garbage\nKEY WITH SPACE=1\nlower=1\n=x\nGUESTFIX_BEGIN=vm.remove_nologin\nFIX_OK=yes\n"
		  "FIX_SOMETHING=1\nGUESTFIX_END=1\n");
	ok(r.complete && r.ok == GUEST_YES && r.bad_lines == 4 && r.unknown_keys == 1, "garbage lines counted");
	parse_str("GUESTFIX_BEGIN=vm.remove_nologin\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=1\nGUESTFIX_END=1\n");
	ok(r.bad_lines == 1 && r.unknown_keys == 0, "a 57-character key is not a key");
	parse_str("XGUESTFIX_BEGIN=vm.remove_nologin\nFIX_OK=yes\nGUESTFIX_END=2\n");
	ok(!r.begun && !r.ended && r.ok == GUEST_YES, "marker look-alikes: not markers");
	ok(!guestfix_listens(&r, 22), "nothing listens when nothing was said");
}

int main(void)
{
	test_names();
	test_params();
	test_scripts();
	test_fixtures();
	test_runcommand_json();
	test_hostile();
	return tap_done();
}
