#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azure/guest.h"
#include "azure/runcmd.h"
#include "fixture.h"
#include "tap.h"

/* tests/fixtures/guest/NAME (captured in the lab VM, see its README); malloc'd, or NULL */
static char *load(const char *name, size_t *len)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "guest/%s", name);
	return fixture_file(rel, len);
}

static struct guest_facts g;

/* parses fixture NAME into g; returns the number of facts, -1 when the file is missing */
static int fixture(const char *name)
{
	size_t len = 0;
	char *t = load(name, &len);
	int n;

	if (!t) {
		memset(&g, 0, sizeof(g));
		return -1;
	}
	n = guest_parse(t, len, &g);
	free(t);
	return n;
}

static int parse_str(const char *s)
{
	return guest_parse(s, strlen(s), &g);
}

static const char ed25519[] = "SHA256:EtNoyCd8oETXvW/iCNHTY7Qv9lqeLDFn/tHevtKGPj8";
static const char ecdsa[] = "SHA256:WlrAqQpUSxN2/HelbS+YUzd5S7N+rZYJO5bKPoanexU";

static void test_script(void)
{
	static char buf[GUEST_SCRIPT_MAX];
	char small[64];
	int ports[] = {22, 2222, 443, 8022, 9}, bad0[] = {0}, bad1[] = {65536};
	int n;
	static const char *const keys[] = {
		"GUEST_FACTS=1", "GUEST_END=1", "kv SSHD_ACTIVE", "kv SSHD_LISTEN ", "kv LISTEN_ALL",
		"kv SSHD_TEST ", "kv SSHD_TEST_ERR", "kv SSHD_PORTS", "kv SSHD_STRICTMODES",
		"kv SSHD_PUBKEY", "kv SSHD_AUTHKEYS", "kv SSHD_$x", "FW_PORT_", "FW_RULE_", "FW_POLICY=",
		"FW_CATCHALL=", "dk ROOT /", "dk HOME /home", "dk TMP /tmp", "dk VAR /var",
		"kv USER_EXISTS", "kv USER_PW", "kv USER_EXPIRED", "kv TODAY_DAYS", "md MODE_HOME",
		"md MODE_SSHDIR", "md MODE_AUTHKEYS", "kv NOLOGIN", "kv HOSTKEY", "timeout 10",
	};

	n = guest_script("azureuser", ports, 2, buf, sizeof(buf));
	ok(n > 0 && (size_t)n == strlen(buf), "script built, length returned");
	ok(strncmp(buf, "U='azureuser'\nP='22 2222'\n", 26) == 0, "user and ports come first, quoted");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		ok(strstr(buf, keys[i]) != NULL, "script has %s", keys[i]);
	ok(buf[n - 1] == '\n' && strstr(buf, "\necho GUEST_END=1\n") == buf + n - 18, "GUEST_END is the last line");
	ok(guest_script("_svc-1.x", NULL, 0, buf, sizeof(buf)) > 0 && strncmp(buf, "U='_svc-1.x'\nP=''\n", 18) == 0,
	   "no port: an empty list");
	ok(guest_script("a", ports, GUEST_PORTS_MAX, buf, sizeof(buf)) > 0, "GUEST_PORTS_MAX ports");
	ok(guest_script("a", ports, GUEST_PORTS_MAX + 1, buf, sizeof(buf)) == -1, "one port too many");
	ok(guest_script("a", bad0, 1, buf, sizeof(buf)) == -1, "port 0 refused");
	ok(guest_script("a", bad1, 1, buf, sizeof(buf)) == -1, "port 65536 refused");
	ok(guest_script("a", NULL, 1, buf, sizeof(buf)) == -1, "ports NULL with a count");
	ok(guest_script("a", ports, -1, buf, sizeof(buf)) == -1, "negative count");
	ok(guest_script("Azureuser", ports, 1, buf, sizeof(buf)) == -1, "upper case refused");
	ok(guest_script("1user", ports, 1, buf, sizeof(buf)) == -1, "leading digit refused");
	ok(guest_script("-user", ports, 1, buf, sizeof(buf)) == -1, "leading dash refused");
	ok(guest_script("a'b", ports, 1, buf, sizeof(buf)) == -1 && buf[0] == '\0', "quote refused, out emptied");
	ok(guest_script("a b", ports, 1, buf, sizeof(buf)) == -1, "space refused");
	ok(guest_script("a$(id)", ports, 1, buf, sizeof(buf)) == -1, "shell syntax refused");
	ok(guest_script("", ports, 1, buf, sizeof(buf)) == -1, "empty refused");
	ok(guest_script(NULL, ports, 1, buf, sizeof(buf)) == -1, "NULL refused");
	ok(guest_script("abcdefghijklmnopqrstuvwxyz012345", ports, 1, buf, sizeof(buf)) > 0, "32 characters");
	ok(guest_script("abcdefghijklmnopqrstuvwxyz0123456", ports, 1, buf, sizeof(buf)) == -1, "33 refused");
	ok(guest_script("azureuser", ports, 1, small, sizeof(small)) == -1 && small[0] == '\0',
	   "too small a buffer: -1 and an empty string");
	ok(guest_script("azureuser", ports, 1, buf, 0) == -1, "no buffer at all");
}

static void test_healthy(void)
{
	const struct guest_fw_port *fw;
	char why[256];

	ok(fixture("healthy.txt") > 40, "healthy: parsed");
	ok(g.begun && g.ended && g.complete, "both markers");
	ok(g.bad_lines == 0 && g.long_lines == 0 && g.unknown_keys == 0, "nothing odd");
	is_str(g.user_name, "azureuser", "USER_NAME");
	ok(g.sshd_active == GUEST_YES, "sshd active");
	is_str(g.sshd_state, "active", "SSHD_STATE");
	ok(g.sshd_socket == GUEST_NO, "no ssh.socket");
	ok(g.have_listen && g.n_listen == 1 && g.listen[0] == 22, "sshd listens on 22");
	ok(guest_listens(&g, 22) && !guest_listens(&g, 2222), "guest_listens");
	ok(g.have_listen_all && g.n_listen_all == 1 && g.listen_all[0] == 22, "LISTEN_ALL");
	is_str(g.listen_addr, "0.0.0.0:22,[::]:22", "SSHD_LISTEN_ADDR raw");
	ok(g.sshd_test_ok == GUEST_YES && g.sshd_test_err[0] == '\0', "sshd -t ok, no error");
	ok(g.n_cfg_ports == 1 && g.cfg_ports[0] == 22, "sshd -T port 22");
	ok(g.strict_modes == GUEST_YES && g.pubkey == GUEST_YES, "StrictModes, pubkey");
	ok(g.password == GUEST_NO && g.use_pam == GUEST_NO, "no password, no PAM (the lab)");
	is_str(g.permit_root, "no", "PermitRootLogin");
	is_str(g.authkeys_file, ".ssh/authorized_keys", "AuthorizedKeysFile");
	ok(!g.allow_users[0] && !g.deny_users[0] && !g.allow_groups[0] && !g.deny_groups[0], "no allow/deny");
	is_str(g.fw_tool, "nft", "FW_TOOL");
	ok(g.fw_policy == GUEST_FW_NONE && g.fw_catchall == GUEST_FW_NONE, "no input chain");
	fw = guest_fw_port(&g, 22);
	ok(fw && fw->verdict == GUEST_FW_NONE && !fw->rule[0] && fw->cond == 0, "no rule for 22");
	ok(guest_fw_port(&g, 2222) == NULL, "2222 not asked");
	for (int d = 0; d < GUEST_DISKS; d++)
		ok(g.disk[d].present && g.disk[d].avail_kb > 1024 && g.disk[d].use_pct >= 0 &&
		   g.disk[d].use_pct < 100 && g.disk[d].ifree > 0, "disk %s", guest_disk_path((enum guest_disk_id)d));
	is_str(g.disk[GUEST_DISK_HOME].mount, "/home", "home mount");
	ok(g.disk[GUEST_DISK_HOME].avail_kb == 32748 && g.disk[GUEST_DISK_HOME].ifree == 2034, "home numbers");
	is_str(g.disk[GUEST_DISK_VAR].mount, "/", "/var is on /");
	ok(guest_disk_full(&g, why, sizeof(why)) == 0 && why[0] == '\0', "no disk full");
	ok(g.user_exists == GUEST_YES, "user exists");
	is_str(g.user_home, "/home/azureuser", "home");
	is_str(g.user_shell, "/bin/bash", "shell");
	ok(!guest_shell_nologin(&g), "bash is a login shell");
	is_str(g.user_pw, "none", "USER_PW none ('*')");
	ok(g.user_locked == GUEST_NO && g.user_expired == GUEST_NO && g.expire_days == -1, "not locked, no expiry");
	ok(g.today_days > 19000 && g.today_days < 40000, "TODAY_DAYS");
	ok(g.home.mode == 0755 && g.sshdir.mode == 0700 && g.authkeys.mode == 0600, "modes");
	is_str(g.home.owner, "azureuser", "home owner");
	is_str(g.authkeys_path, "/home/azureuser/.ssh/authorized_keys", "AUTHKEYS_PATH");
	ok(g.authkeys_keys == 1, "one key");
	ok(!guest_strictmodes_bad(&g, "azureuser", why, sizeof(why)) && why[0] == '\0', "StrictModes content");
	ok(!guest_strictmodes_bad(&g, NULL, why, sizeof(why)), "same with USER_NAME");
	ok(g.nologin == GUEST_NO, "no nologin");
	ok(g.n_hostkeys == 2, "two host keys");
	ok(g.hostkeys[0].bits == 256, "bits");
	is_str(g.hostkeys[0].fp, ed25519, "ED25519 fingerprint");
	is_str(g.hostkeys[0].type, "ED25519", "type without parentheses");
	is_str(g.hostkeys[1].type, "ECDSA", "ECDSA");
	ok(guest_hostkey_has(&g, ed25519) && guest_hostkey_has(&g, ecdsa), "guest_hostkey_has");
	ok(!guest_hostkey_has(&g, "SHA256:EtNoyCd8oETXvW/iCNHTY7Qv9lqeLDFn/tHevtKGPj"), "a prefix is no match");
	ok(!guest_hostkey_has(&g, "sha256:EtNoyCd8oETXvW/iCNHTY7Qv9lqeLDFn/tHevtKGPj8"), "case matters");
	ok(!guest_hostkey_has(&g, "EtNoyCd8oETXvW/iCNHTY7Qv9lqeLDFn/tHevtKGPj8"), "SHA256: required");
	ok(!guest_hostkey_has(&g, NULL), "NULL");
}

static void test_runcommand_json(void)
{
	size_t len = 0;
	char *json = load("healthy.runcommand.json", &len), err[128];
	struct runcmd_result r;
	static struct guest_facts direct;

	ok(json && runcmd_parse(json, len, &r, err, sizeof(err)) == 0 && r.succeeded, "RunCommand answer parses");
	if (!json || !r.out) {
		free(json);
		return;
	}
	ok(guest_parse(r.out, r.out_len, &direct) > 40 && direct.complete, "its stdout is complete facts");
	fixture("healthy.txt");
	ok(memcmp(&direct, &g, sizeof(g)) == 0, "the same facts as healthy.txt");
	runcmd_free(&r);
	free(json);
}

static void test_faults(void)
{
	const struct guest_fw_port *fw;
	char why[256];

	ok(fixture("sshd_stop.txt") > 0 && g.complete, "sshd_stop");
	ok(g.sshd_active == GUEST_NO && g.have_listen && g.n_listen == 0 && !guest_listens(&g, 22),
	   "not active, no listener");
	is_str(g.sshd_state, "inactive", "state");
	ok(g.sshd_test_ok == GUEST_YES, "config still fine");

	ok(fixture("sshd_port_2222.txt") > 0 && g.complete, "sshd_port 2222");
	ok(guest_listens(&g, 2222) && !guest_listens(&g, 22), "listens on 2222 only");
	ok(g.n_cfg_ports == 1 && g.cfg_ports[0] == 2222, "sshd -T says 2222");
	ok(g.n_fw == 2 && guest_fw_port(&g, 22) && guest_fw_port(&g, 2222) &&
	   guest_fw_port(&g, 2222)->verdict == GUEST_FW_NONE, "both ports asked, no rule");

	ok(fixture("sshd_config_broken.txt") > 0 && g.complete, "sshd_config_broken");
	ok(g.sshd_active == GUEST_NO && g.sshd_test_ok == GUEST_NO, "down, sshd -t fails");
	is_str(g.sshd_test, "fail", "SSHD_TEST word");
	is_str(g.sshd_test_err, "/etc/ssh/sshd_config: line 19: Bad configuration option: PubkeyAuthentcation",
	       "first stderr line, no trailing CR");
	ok(g.n_cfg_ports == 0 && g.strict_modes == GUEST_UNKNOWN, "no sshd -T facts");
	ok(g.n_hostkeys == 2 && guest_hostkey_has(&g, ed25519), "host keys from the files");
	ok(!guest_strictmodes_bad(&g, "azureuser", why, sizeof(why)), "StrictModes unknown: still judged, fine");

	ok(fixture("guest_firewall_drop.txt") > 0 && g.complete, "guest_firewall 22 drop");
	fw = guest_fw_port(&g, 22);
	ok(fw && fw->verdict == GUEST_FW_DROP, "22 dropped");
	is_str(fw ? fw->rule : NULL, "tcp dport 22 drop", "the rule, counters removed");
	ok(g.fw_policy == GUEST_FW_ACCEPT && g.fw_catchall == GUEST_FW_NONE, "policy accept");
	ok(g.sshd_active == GUEST_YES && guest_listens(&g, 22), "sshd itself fine");

	ok(fixture("guest_firewall_reject.txt") > 0 && g.complete, "guest_firewall 22 reject");
	fw = guest_fw_port(&g, 22);
	ok(fw && fw->verdict == GUEST_FW_REJECT, "22 rejected");
	is_str(fw ? fw->rule : NULL, "tcp dport 22 reject", "reject rule");
	is_str(guest_fw_name(fw ? fw->verdict : GUEST_FW_UNKNOWN), "reject", "guest_fw_name");

	ok(fixture("home_mode_777.txt") > 0 && g.complete && g.home.mode == 0777, "home_mode 777");
	ok(guest_strictmodes_bad(&g, "azureuser", why, sizeof(why)), "StrictModes refuses");
	is_str(why, "home directory /home/azureuser: mode 777 owner azureuser, writable by group or others", "why");
	ok(guest_strictmodes_bad(&g, NULL, NULL, 0), "no why buffer");

	ok(fixture("authorized_keys_mode_666.txt") > 0 && g.authkeys.mode == 0666, "authorized_keys_mode 666");
	ok(guest_strictmodes_bad(&g, "azureuser", why, sizeof(why)) &&
	   strstr(why, "authorized keys file /home/azureuser/.ssh/authorized_keys: mode 666") == why,
	   "StrictModes refuses the file: %s", why);

	ok(fixture("user_expired.txt") > 0 && g.complete, "user_expired");
	ok(g.user_expired == GUEST_YES && g.expire_days == 10957 && g.today_days > g.expire_days, "expired 2000-01-01");
	ok(g.user_locked == GUEST_NO, "not locked");

	ok(fixture("user_locked.txt") > 0 && g.complete, "user_locked");
	ok(g.user_locked == GUEST_YES && !strcmp(g.user_pw, "locked") && g.user_expired == GUEST_NO, "locked");

	ok(fixture("nologin.txt") > 0 && g.complete && g.nologin == GUEST_YES, "nologin");

	ok(fixture("disk_full.txt") > 0 && g.complete, "disk_full");
	ok(g.disk[GUEST_DISK_HOME].avail_kb == 0 && g.disk[GUEST_DISK_HOME].use_pct == 100 &&
	   g.disk[GUEST_DISK_HOME].ifree == 0, "home: 0 KB, 100 %%, 0 inodes");
	ok(guest_disk_full(&g, why, sizeof(why)) == 2, "/home and /tmp full, / not");
	is_str(why, "/home (/home): less than 1 MB free", "why names /home");

	ok(fixture("host_key_changed.txt") > 0 && g.complete && g.n_hostkeys == 2, "host_key_changed");
	ok(!guest_hostkey_has(&g, ed25519) && !guest_hostkey_has(&g, ecdsa), "old fingerprints gone");
	ok(guest_hostkey_has(&g, "SHA256:g3RmTTfgUTSJcEHxaEtlqFtOnH6AmpLp0iUKZ82lPWc"), "new ED25519 key");
}

static void test_truncated(void)
{
	size_t len = 0, cut;
	char *t = load("healthy.txt", &len);

	if (!t) {
		ok(0, "healthy.txt");
		return;
	}
	/* the script was killed before the end */
	cut = (size_t)(strstr(t, "HOSTKEY=") - t);
	ok(guest_parse(t, cut, &g) > 30 && g.begun && !g.ended && !g.complete, "no GUEST_END: not complete");
	ok(g.n_hostkeys == 0 && g.home.mode == 0755, "what came before is kept");
	/* killed in the middle of a line */
	ok(guest_parse(t, cut + 21, &g) > 0 && !g.complete && g.n_hostkeys == 0 && g.bad_lines == 1,
	   "a half line at the end is not taken");
	/* Azure kept only the tail: the head, GUEST_FACTS with it, is gone */
	cut = (size_t)(strstr(t, "MODE_HOME=") - t) + 3;   /* "E_HOME=755 azureuser" is first */
	ok(guest_parse(t + cut, len - cut, &g) > 0 && !g.begun && g.ended && !g.complete, "tail only");
	ok(g.home.mode == -2 && g.sshdir.mode == 0700 && g.n_hostkeys == 2, "its cut first line is ignored");
	ok(g.sshd_active == GUEST_UNKNOWN && g.user_exists == GUEST_UNKNOWN && g.n_fw == 0 &&
	   guest_fw_port(&g, 22) == NULL, "the rest stays unknown");
	ok(!guest_listens(&g, 22) && guest_disk_full(&g, NULL, 0) == 0, "no guesses");
	/* the end marker without its newline still counts */
	ok(guest_parse(t, len - 1, &g) > 40 && g.complete, "GUEST_END=1 without newline");
	free(t);
}

static void test_hostile(void)
{
	static char big[100 * 1024 + 256];
	char why[64];
	int n;

	ok(guest_parse("", 0, &g) == 0 && !g.begun && g.sshd_active == GUEST_UNKNOWN, "empty");
	ok(guest_parse(NULL, 0, &g) == 0, "NULL");
	ok(guest_parse("\n\n\n", 3, &g) == 0 && g.lines == 3, "blank lines");

	parse_str("GUEST_FACTS=1\nSSHD_ACTIVE=no\nSSHD_ACTIVE=yes\nSSHD_LISTEN=2222\nSSHD_LISTEN=22\n"
		  "FW_PORT_22=reject\nFW_PORT_22=none\nFW_RULE_22=first\nFW_RULE_22=second\n"
		  "DISK_HOME_AVAIL_KB=5\nDISK_HOME_AVAIL_KB=99999\nMODE_HOME=700 a\nMODE_HOME=777 a\n"
		  "HOSTKEY=256 SHA256:EtNoyCd8oETXvW/iCNHTY7Qv9lqeLDFn/tHevtKGPj8 (ED25519)\n"
		  "HOSTKEY=256 SHA256:EtNoyCd8oETXvW/iCNHTY7Qv9lqeLDFn/tHevtKGPj8 (ED25519)\n"
		  "HOSTKEY=256 SHA256:WlrAqQpUSxN2/HelbS+YUzd5S7N+rZYJO5bKPoanexU (ECDSA)\nGUEST_END=1\n");
	ok(g.sshd_active == GUEST_NO && g.n_listen == 1 && g.listen[0] == 2222, "duplicates: the first wins");
	ok(guest_fw_port(&g, 22) && guest_fw_port(&g, 22)->verdict == GUEST_FW_REJECT &&
	   !strcmp(guest_fw_port(&g, 22)->rule, "first"), "per-port keys: the first wins");
	ok(g.disk[GUEST_DISK_HOME].avail_kb == 5 && g.home.mode == 0700, "disk and mode: the first wins");
	ok(g.n_hostkeys == 2, "the same host key twice counts once");

	parse_str("GUEST_FACTS=1\nGUEST_END=1\nSSHD_ACTIVE=yes\nNOLOGIN=yes\n");
	ok(g.complete && g.sshd_active == GUEST_UNKNOWN && g.nologin == GUEST_UNKNOWN, "after GUEST_END: ignored");

	parse_str("GUEST_FACTS=1\r\nSSHD_ACTIVE=yes\r\nUSER_SHELL=/usr/sbin/nologin\r\nGUEST_END=1\r\n");
	ok(g.complete && g.sshd_active == GUEST_YES, "CRLF");
	ok(guest_shell_nologin(&g), "/usr/sbin/nologin");

	{
		static const char in[] = "GUEST_FACTS=1\nSSHD_TEST_ERR=a\0b\x1b]0;pwn\x07\x9b" "c\nUSER_HOME=/h\0me\nGUEST_END=1\n";
		static const char want[] = "a?b\x1b]0;pwn\x07\x9b" "c";

		n = guest_parse(in, sizeof(in) - 1, &g);
		ok(n == 2 && g.complete, "NULs inside values");
		is_str(g.sshd_test_err, want, "NUL becomes '?', escape bytes kept raw for the caller to sanitise");
	}
	is_str(g.user_home, "/h?me", "NUL in a path");

	{
		static const char in[] = "GUEST_FACTS=1\nSSHD_\0ACTIVE=yes\n\0\nGUEST_END=1\n";

		n = guest_parse(in, sizeof(in) - 1, &g);
	}
	ok(n == 0 && g.sshd_active == GUEST_UNKNOWN && g.bad_lines == 2, "NUL in a key: a bad line");

	memcpy(big, "GUEST_FACTS=1\nSSHD_TEST_ERR=", 28);
	memset(big + 28, 'x', 100 * 1024);
	strcpy(big + 28 + 100 * 1024, "\nSSHD_ACTIVE=yes\nGUEST_END=1\n");
	n = parse_str(big);
	ok(n == 1 && g.long_lines == 1 && g.sshd_test_err[0] == '\0' && g.sshd_active == GUEST_YES && g.complete,
	   "a 100 KB line is skipped, the rest parsed");
	memset(big, 'A', 100 * 1024);
	big[100 * 1024] = '\0';
	ok(parse_str(big) == 0 && g.long_lines == 0 && g.bad_lines == 0, "one 100 KB line alone: the cut first line");

	{
		char line[600];

		snprintf(line, sizeof(line), "GUEST_FACTS=1\nUSER_HOME=/%0400d\nGUEST_END=1\n", 0);
		parse_str(line);
		ok(strlen(g.user_home) == GUEST_VAL - 1, "a long value is cut to the field");
	}

	parse_str("GUEST_FACTS=1\nSSHD_LISTEN=22,abc,0,70000,22,,-1,2222,+5,0x16\nLISTEN_ALL=99999999999999999999999\n"
		  "USER_EXPIRE_DAYS=-1\nTODAY_DAYS=99999999999999999999\nAUTHKEYS_KEYS=12x\n"
		  "DISK_ROOT_USE_PCT=250\nDISK_ROOT_IFREE=-\nDISK_ROOT_AVAIL_KB= 5\nDISK_BOOT_MNT=/boot\n"
		  "MODE_HOME=77777 a\nMODE_SSHDIR=700\nMODE_AUTHKEYS=missing\nGUEST_END=1\n");
	ok(g.n_listen == 2 && g.listen[0] == 22 && g.listen[1] == 2222, "port list: garbage and duplicates dropped");
	ok(g.have_listen_all && g.n_listen_all == 0, "an absurd number: no port");
	ok(g.expire_days == -1 && g.today_days == -1 && g.authkeys_keys == -1, "bad numbers: unknown");
	ok(g.disk[GUEST_DISK_ROOT].use_pct == 100 && g.disk[GUEST_DISK_ROOT].ifree == -1 &&
	   g.disk[GUEST_DISK_ROOT].avail_kb == -1, "disk numbers: clamped or unknown");
	ok(g.unknown_keys == 1, "DISK_BOOT is unknown");
	ok(g.home.mode == -2 && g.sshdir.mode == -2 && g.authkeys.mode == -1, "modes: bad, no owner, missing");
	ok(guest_disk_full(&g, why, sizeof(why)) == 1, "100 %% used is full: %s", why);

	parse_str("GUEST_FACTS=1\nFW_PORT_1=drop\nFW_PORT_2=drop\nFW_PORT_3=drop\nFW_PORT_4=drop\nFW_PORT_5=drop\n"
		  "FW_PORT_0=drop\nFW_PORT_65536=drop\nFW_PORT_=drop\nFW_PORT_x=drop\nFW_COND_1=7\nFW_COND_2=99999999\n"
		  "FW_POLICY=DROP\nFW_CATCHALL=reject\nGUEST_END=1\n");
	ok(g.n_fw == GUEST_PORTS_MAX && guest_fw_port(&g, 5) == NULL, "at most GUEST_PORTS_MAX firewall ports");
	ok(guest_fw_port(&g, 1) && guest_fw_port(&g, 1)->cond == 7 && guest_fw_port(&g, 2) &&
	   guest_fw_port(&g, 2)->cond == 0, "FW_COND");
	ok(g.fw_policy == GUEST_FW_UNKNOWN && g.fw_catchall == GUEST_FW_REJECT, "verdict words are exact");

	parse_str("GUEST_FACTS=1\nHOSTKEY=256 SHA256:x (ED25519)\n"
		  "HOSTKEY=abc SHA256:EtNoyCd8oETXvW/iCNHTY7Qv9lqeLDFn/tHevtKGPj8 (RSA)\n"
		  "HOSTKEY=256 SHA256:EtNoyCd8oETXvW/iCNHTY7Qv9lqeLDFn/tHevtKGPj8= (RSA)\n"
		  "HOSTKEY=256 SHA256:EtNoyCd8oETXvW/iCNHTY7Qv9lqeLDFn/tHevtKGP-8 (RSA)\n"
		  "HOSTKEY=256 MD5:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99 (RSA)\n"
		  "HOSTKEY=3072 SHA256:RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR root@h (RSA)\n"
		  "HOSTKEY=256 SHA256:NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN\nHOSTKEY=\nGUEST_END=1\n");
	ok(g.n_hostkeys == 2, "malformed host keys dropped");
	ok(g.hostkeys[0].bits == 3072 && !strcmp(g.hostkeys[0].type, "RSA"), "a comment before the type is skipped");
	ok(g.hostkeys[1].type[0] == '\0', "no type: empty");
	{
		char many[2048];
		size_t o = (size_t)snprintf(many, sizeof(many), "GUEST_FACTS=1\n");

		for (int i = 0; i < 20; i++)
			o += (size_t)snprintf(many + o, sizeof(many) - o, "HOSTKEY=256 SHA256:%043d (ED25519)\n", i);
		snprintf(many + o, sizeof(many) - o, "GUEST_END=1\n");
		parse_str(many);
		ok(g.n_hostkeys == GUEST_HOSTKEYS_MAX && g.complete, "at most GUEST_HOSTKEYS_MAX host keys");
	}

	parse_str("garbage\nKEY WITH SPACE=1\nlower=1\n=x\nGUEST_FACTS=1\nSSHD_ACTIVE=yes\nGUEST_END=1\n");
	ok(g.complete && g.sshd_active == GUEST_YES && g.bad_lines == 4, "garbage lines counted");
	parse_str("GUEST_FACTS=1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=1\nGUEST_END=1\n");
	ok(g.bad_lines == 1 && g.unknown_keys == 0, "a 70-character key is not a key");
	parse_str("XGUEST_FACTS=1\nGUEST_FACTS=1x\nSSHD_ACTIVE=yes\n");
	ok(!g.begun && g.sshd_active == GUEST_YES && g.bad_lines == 0, "marker look-alikes: not markers");
}

static void test_predicates(void)
{
	char why[200];

	parse_str("GUEST_FACTS=1\nUSER_NAME=bob\nUSER_HOME=/home/bob\nMODE_HOME=755 root\nMODE_SSHDIR=700 alice\n"
		  "MODE_AUTHKEYS=600 bob\nGUEST_END=1\n");
	ok(guest_strictmodes_bad(&g, NULL, why, sizeof(why)), "~/.ssh owned by another user");
	is_str(why, "directory /home/bob/.ssh: mode 700 owner alice, owned by neither the user nor root", "why");
	ok(guest_strictmodes_bad(&g, "alice", why, sizeof(why)) && strstr(why, "authorized keys file") == why,
	   "for alice, home (root) and ~/.ssh pass, the file (bob) does not");
	parse_str("GUEST_FACTS=1\nSSHD_STRICTMODES=no\nMODE_HOME=777 x\nGUEST_END=1\n");
	ok(!guest_strictmodes_bad(&g, "bob", why, sizeof(why)) && why[0] == '\0', "StrictModes no: never");
	parse_str("GUEST_FACTS=1\nMODE_HOME=775 bob\nGUEST_END=1\n");
	ok(guest_strictmodes_bad(&g, "bob", why, sizeof(why)), "group-writable home");
	parse_str("GUEST_FACTS=1\nMODE_HOME=1755 bob\nMODE_SSHDIR=missing\nMODE_AUTHKEYS=missing\nGUEST_END=1\n");
	ok(!guest_strictmodes_bad(&g, "bob", why, sizeof(why)), "sticky bit fine, missing files not judged");
	parse_str("GUEST_FACTS=1\nMODE_HOME=755 UNKNOWN\nGUEST_END=1\n");
	ok(guest_strictmodes_bad(&g, "bob", why, sizeof(why)), "an owner without a name is not the user");
	ok(!guest_strictmodes_bad(&g, "", why, sizeof(why)), "no user known: owners not judged");

	parse_str("GUEST_FACTS=1\nUSER_SHELL=/bin/false\n");
	ok(guest_shell_nologin(&g), "/bin/false");
	parse_str("GUEST_FACTS=1\nUSER_SHELL=/sbin/nologin\n");
	ok(guest_shell_nologin(&g), "/sbin/nologin");
	parse_str("GUEST_FACTS=1\nUSER_SHELL=/usr/bin/falsely\n");
	ok(!guest_shell_nologin(&g), "falsely is a shell");
	parse_str("GUEST_FACTS=1\nUSER_SHELL=\n");
	ok(!guest_shell_nologin(&g), "empty: /bin/sh");

	parse_str("GUEST_FACTS=1\nSSHD_SOCKET=yes\nSSHD_SOCKET_LISTEN=22\nSSHD_LISTEN=\n");
	ok(g.have_listen && guest_listens(&g, 22), "ssh.socket listens for sshd");
	parse_str("GUEST_FACTS=1\nSSHD_SOCKET=no\nSSHD_SOCKET_LISTEN=22\n");
	ok(!guest_listens(&g, 22) && !g.have_listen, "not when the socket is inactive");

	parse_str("GUEST_FACTS=1\nDISK_ROOT_MNT=/\nDISK_ROOT_AVAIL_KB=500000\nDISK_ROOT_USE_PCT=99\nDISK_ROOT_IFREE=0\n"
		  "DISK_VAR_MNT=/\nDISK_VAR_AVAIL_KB=500000\nDISK_VAR_USE_PCT=99\nDISK_VAR_IFREE=0\n"
		  "DISK_TMP_MNT=/tmp\nDISK_TMP_AVAIL_KB=1023\nGUEST_END=1\n");
	ok(guest_disk_full(&g, why, sizeof(why)) == 2, "no inode on / (counted once for /var), /tmp under 1 MB");
	is_str(why, "/ (/): no free inode", "why");
	parse_str("GUEST_FACTS=1\nDISK_TMP_MNT=/tmp\nDISK_TMP_AVAIL_KB=1024\nDISK_TMP_IFREE=-\nGUEST_END=1\n");
	ok(guest_disk_full(&g, why, sizeof(why)) == 0, "1024 KB free and no inode count: not full");

	parse_str("GUEST_FACTS=1\nSSHD_TEST=nodir\nSSHD_TEST_ERR=Missing privilege separation directory: /run/sshd\n");
	ok(g.sshd_test_ok == GUEST_UNKNOWN && !strcmp(g.sshd_test, "nodir"), "nodir: config not judged");

	is_str(guest_fw_name(GUEST_FW_NONE), "none", "fw name none");
	is_str(guest_fw_name(GUEST_FW_ACCEPT), "accept", "fw name accept");
	is_str(guest_fw_name(GUEST_FW_DROP), "drop", "fw name drop");
	is_str(guest_fw_name(GUEST_FW_UNKNOWN), "unknown", "fw name unknown");
	is_str(guest_disk_path(GUEST_DISK_TMP), "/tmp", "disk path");
	is_str(guest_disk_path(GUEST_DISKS), "?", "disk path out of range");
}

int main(void)
{
	test_script();
	test_healthy();
	test_runcommand_json();
	test_faults();
	test_truncated();
	test_hostile();
	test_predicates();
	return tap_done();
}
