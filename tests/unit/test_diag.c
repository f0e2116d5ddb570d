#include "config.h"

#include "core/diag.h"
#include "core/report.h"
#include "tap.h"

/* A finished round where everything worked. */
static void healthy(struct model *m)
{
	struct target t = {.user = "azureuser", .host = "203.0.113.10", .address = "203.0.113.10", .port = 22};

	model_init(m, &t);
	for (int i = 0; i < CK_COUNT; i++) {
		struct check c;

		check_init(&c, (enum check_id)i);
		check_set(&c, ST_OK, OUT_OK, "fine");
		model_set_check(m, &c);
	}
	m->checks[CK_CLIENT_KNOWN_HOSTS].outcome = OUT_KH_MATCH;
	/* no cloud: what Azure and the guest would say stays unknown */
	for (int i = CK_ENDPOINT_CLOUD; i <= CK_VM_SIBLING; i++) {
		m->checks[i].state = ST_UNKNOWN;
		m->checks[i].outcome = OUT_UNAVAILABLE;
	}
	m->done = true;
}

static void set(struct model *m, enum check_id id, enum state s, enum outcome o)
{
	m->checks[id].state = s;
	m->checks[id].outcome = o;
}

/* After the TCP connect failed, the later steps were never reached. */
static void no_tcp(struct model *m, enum outcome o)
{
	set(m, CK_VM_TCP, ST_FAIL, o);
	set(m, CK_VM_BANNER, ST_SKIPPED, OUT_SKIPPED);
	set(m, CK_VM_HANDSHAKE, ST_SKIPPED, OUT_SKIPPED);
	set(m, CK_CLIENT_KNOWN_HOSTS, ST_SKIPPED, OUT_SKIPPED);
	set(m, CK_VM_AUTH, ST_SKIPPED, OUT_SKIPPED);
	set(m, CK_VM_SESSION, ST_SKIPPED, OUT_SKIPPED);
	set(m, CK_EDGE_TRACE, ST_WARN, OUT_TIMEOUT);
}

static void expect(struct model *m, const char *name, int comp, enum check_id check,
		   enum confidence conf)
{
	diag_run(m);
	if (comp < 0) {
		ok(!m->verdict.present && m->reachable, "%s: the path works", name);
		ok(report_exit_status(m) == 0, "%s: exit 0", name);
		return;
	}
	ok(m->verdict.present && m->verdict.comp == (enum comp_id)comp, "%s: blames %s (got %s)", name,
	   comp_name((enum comp_id)comp), m->verdict.present ? comp_name(m->verdict.comp) : "nothing");
	ok(m->verdict.check == check, "%s: check %s (got %s)", name, check_name(check),
	   check_name(m->verdict.check));
	ok(m->verdict.confidence == conf, "%s: %s", name, confidence_name(conf));
	ok(!m->reachable && report_exit_status(m) == 10 + comp, "%s: unreachable, exit %d", name, 10 + comp);
	ok(m->comp_state[comp] == (conf == CONF_PROVEN ? ST_FAIL : ST_WARN), "%s: pane state", name);
	ok(m->verdict.summary[0] != '\0', "%s: a summary says why", name);
}

int main(void)
{
	struct model m;

	healthy(&m);
	expect(&m, "healthy", -1, 0, 0);
	ok(m.handshake && m.authenticated == 1, "healthy: handshake and authenticated");
	for (int c = 0; c < COMP_COUNT; c++)
		ok(m.comp_state[c] == ST_OK, "healthy: %s ok", comp_name((enum comp_id)c));

	healthy(&m);
	set(&m, CK_VM_AUTH, ST_SKIPPED, OUT_NO_CREDS);
	set(&m, CK_VM_SESSION, ST_SKIPPED, OUT_SKIPPED);
	expect(&m, "no credentials", -1, 0, 0);
	ok(m.authenticated == -1, "no credentials: authenticated is null");

	healthy(&m);
	set(&m, CK_CLIENT_SSH_DIR, ST_FAIL, OUT_BAD_MODE);
	expect(&m, "key mode 0644", COMP_CLIENT, CK_CLIENT_SSH_DIR, CONF_PROVEN);

	healthy(&m);
	no_tcp(&m, OUT_TIMEOUT);
	set(&m, CK_CLIENT_FIREWALL, ST_FAIL, OUT_BLOCKED);
	set(&m, CK_CLIENT_REFERENCE, ST_FAIL, OUT_TIMEOUT);
	set(&m, CK_EDGE_PORT_OUT, ST_FAIL, OUT_TIMEOUT);
	set(&m, CK_EDGE_VANTAGE, ST_UNKNOWN, OUT_UNAVAILABLE);
	expect(&m, "local firewall drop", COMP_CLIENT, CK_CLIENT_FIREWALL, CONF_PROVEN);

	healthy(&m);
	no_tcp(&m, OUT_TIMEOUT);
	set(&m, CK_CLIENT_FIREWALL, ST_UNKNOWN, OUT_UNAVAILABLE);
	set(&m, CK_CLIENT_REFERENCE, ST_FAIL, OUT_TIMEOUT);
	expect(&m, "reference host fails too", COMP_CLIENT, CK_CLIENT_REFERENCE, CONF_PROVEN);

	healthy(&m);
	set(&m, CK_CLIENT_KNOWN_HOSTS, ST_FAIL, OUT_KH_CHANGED);
	set(&m, CK_VM_AUTH, ST_SKIPPED, OUT_SKIPPED);
	set(&m, CK_VM_SESSION, ST_SKIPPED, OUT_SKIPPED);
	expect(&m, "host key changed", COMP_CLIENT, CK_CLIENT_KNOWN_HOSTS, CONF_PROVEN);

	healthy(&m);
	no_tcp(&m, OUT_TIMEOUT);
	expect(&m, "edge drops, vantage connects", COMP_EDGE, CK_EDGE_VANTAGE, CONF_PROVEN);
	ok(m.comp_state[COMP_VM] == ST_UNKNOWN || m.comp_state[COMP_VM] == ST_OK,
	   "edge drop: the VM is not blamed");

	healthy(&m);
	no_tcp(&m, OUT_UNREACH);
	expect(&m, "edge rejects, vantage connects", COMP_EDGE, CK_EDGE_VANTAGE, CONF_PROVEN);

	healthy(&m);
	no_tcp(&m, OUT_TIMEOUT);
	set(&m, CK_EDGE_PORT_OUT, ST_FAIL, OUT_TIMEOUT);
	set(&m, CK_EDGE_VANTAGE, ST_UNKNOWN, OUT_UNAVAILABLE);
	expect(&m, "port 22 out blocked, vantage unusable", COMP_EDGE, CK_EDGE_PORT_OUT, CONF_PROVEN);

	healthy(&m);
	no_tcp(&m, OUT_REFUSED);
	set(&m, CK_EDGE_VANTAGE, ST_WARN, OUT_REFUSED);
	expect(&m, "refused from everywhere", COMP_VM, CK_VM_TCP, CONF_PROVEN);

	healthy(&m);
	no_tcp(&m, OUT_TIMEOUT);
	set(&m, CK_EDGE_VANTAGE, ST_WARN, OUT_TIMEOUT);
	expect(&m, "dropped beyond the edge", COMP_VM, CK_VM_TCP, CONF_LIKELY);
	ok(m.comp_state[COMP_EDGE] == ST_OK, "dropped beyond the edge: edge ok (port out works)");
	ok(m.comp_state[COMP_NSG] == ST_UNKNOWN && m.comp_state[COMP_ENDPOINT] == ST_UNKNOWN,
	   "dropped beyond the edge: endpoint and nsg unknown");

	healthy(&m);
	no_tcp(&m, OUT_TIMEOUT);
	set(&m, CK_EDGE_VANTAGE, ST_WARN, OUT_TIMEOUT);
	set(&m, CK_VM_POWER, ST_FAIL, OUT_VM_STOPPED);
	expect(&m, "VM deallocated (Azure says so)", COMP_VM, CK_VM_POWER, CONF_PROVEN);

	healthy(&m);
	no_tcp(&m, OUT_TIMEOUT);
	set(&m, CK_EDGE_VANTAGE, ST_WARN, OUT_TIMEOUT);
	set(&m, CK_NSG_CLOUD, ST_FAIL, OUT_BLOCKED);
	set(&m, CK_VM_POWER, ST_FAIL, OUT_VM_STOPPED);
	expect(&m, "an NSG denies (and the VM is off): the NSG comes first", COMP_NSG, CK_NSG_CLOUD,
	       CONF_PROVEN);

	healthy(&m);
	no_tcp(&m, OUT_TIMEOUT);
	set(&m, CK_NSG_CLOUD, ST_FAIL, OUT_BLOCKED);
	expect(&m, "an NSG denies this client's address while the vantage host gets in", COMP_NSG,
	       CK_NSG_CLOUD, CONF_PROVEN);

	healthy(&m);
	no_tcp(&m, OUT_TIMEOUT);
	set(&m, CK_EDGE_PORT_OUT, ST_FAIL, OUT_TIMEOUT);
	set(&m, CK_EDGE_VANTAGE, ST_UNKNOWN, OUT_UNAVAILABLE);
	set(&m, CK_NSG_CLOUD, ST_FAIL, OUT_BLOCKED);
	expect(&m, "port 22 cannot even leave the organisation: the edge first, whatever the NSG",
	       COMP_EDGE, CK_EDGE_PORT_OUT, CONF_PROVEN);

	healthy(&m);
	no_tcp(&m, OUT_TIMEOUT);
	set(&m, CK_VM_POWER, ST_FAIL, OUT_VM_STOPPED);
	expect(&m, "edge blocks and the VM is off: the edge comes first", COMP_EDGE, CK_EDGE_VANTAGE,
	       CONF_PROVEN);

	healthy(&m);
	no_tcp(&m, OUT_TIMEOUT);
	set(&m, CK_EDGE_VANTAGE, ST_WARN, OUT_TIMEOUT);
	m.done = false;
	set(&m, CK_VM_POWER, ST_RUNNING, OUT_NONE);
	diag_run(&m);
	ok(!m.verdict.present, "dropped while the ARM read runs: no verdict yet");
	m.done = true;

	healthy(&m);
	no_tcp(&m, OUT_TIMEOUT);
	set(&m, CK_EDGE_VANTAGE, ST_SKIPPED, OUT_SKIPPED);
	set(&m, CK_EDGE_PORT_OUT, ST_SKIPPED, OUT_SKIPPED);
	expect(&m, "timeout, no vantage host", COMP_EDGE, CK_VM_TCP, CONF_LIKELY);

	healthy(&m);
	set(&m, CK_VM_BANNER, ST_FAIL, OUT_NO_BANNER);
	set(&m, CK_VM_HANDSHAKE, ST_SKIPPED, OUT_SKIPPED);
	set(&m, CK_VM_AUTH, ST_SKIPPED, OUT_SKIPPED);
	set(&m, CK_VM_SESSION, ST_SKIPPED, OUT_SKIPPED);
	set(&m, CK_CLIENT_KNOWN_HOSTS, ST_SKIPPED, OUT_SKIPPED);
	expect(&m, "sshd hangs", COMP_VM, CK_VM_BANNER, CONF_PROVEN);

	healthy(&m);
	set(&m, CK_VM_AUTH, ST_FAIL, OUT_AUTH_DENIED);
	set(&m, CK_VM_SESSION, ST_SKIPPED, OUT_SKIPPED);
	expect(&m, "key refused", COMP_VM, CK_VM_AUTH, CONF_LIKELY);
	ok(m.authenticated == 0 && m.handshake, "key refused: handshake true, authenticated false");

	healthy(&m);
	set(&m, CK_VM_AUTH, ST_FAIL, OUT_AUTH_NO_PUBKEY);
	set(&m, CK_VM_SESSION, ST_SKIPPED, OUT_SKIPPED);
	expect(&m, "publickey not offered", COMP_VM, CK_VM_AUTH, CONF_PROVEN);

	healthy(&m);
	set(&m, CK_VM_SESSION, ST_FAIL, OUT_NOLOGIN_FILE);
	expect(&m, "/etc/nologin", COMP_VM, CK_VM_SESSION, CONF_PROVEN);

	healthy(&m);
	set(&m, CK_CLIENT_RESOLVE, ST_FAIL, OUT_DNS_NXDOMAIN);
	no_tcp(&m, OUT_SKIPPED);
	expect(&m, "NXDOMAIN", COMP_CLIENT, CK_CLIENT_RESOLVE, CONF_PROVEN);

	/* While evidence is outstanding nothing is blamed on the far side. */
	healthy(&m);
	no_tcp(&m, OUT_TIMEOUT);
	m.done = false;
	set(&m, CK_EDGE_VANTAGE, ST_RUNNING, OUT_NONE);
	diag_run(&m);
	ok(!m.verdict.present, "timeout while the vantage probe runs: no verdict yet");
	ok(m.comp_state[COMP_EDGE] == ST_RUNNING, "timeout while the vantage probe runs: edge running");
		/* ---- with the cloud's and the guest's facts ---- */

	/* the DNAT source list shuts this client out while the vantage host gets in: the
	 * endpoint read for this client's own address beats the vantage comparison */
	healthy(&m);
	no_tcp(&m, OUT_TIMEOUT);
	set(&m, CK_ENDPOINT_CLOUD, ST_OK, OUT_OK);
	set(&m, CK_ENDPOINT_ACL, ST_FAIL, OUT_SOURCE_DENIED);
	expect(&m, "DNAT source list", COMP_ENDPOINT, CK_ENDPOINT_ACL, CONF_PROVEN);

	/* ... but a port that cannot even leave the organisation is the edge first */
	set(&m, CK_EDGE_PORT_OUT, ST_FAIL, OUT_TIMEOUT);
	expect(&m, "edge before endpoint", COMP_EDGE, CK_EDGE_PORT_OUT, CONF_PROVEN);
	ok(m.comp_state[COMP_ENDPOINT] == ST_FAIL, "edge before endpoint: the endpoint shows failed too");

	/* endpoint before NSG: a NAT port change makes the NSG deny the new port as well */
	healthy(&m);
	no_tcp(&m, OUT_TIMEOUT);
	set(&m, CK_EDGE_VANTAGE, ST_WARN, OUT_TIMEOUT);
	set(&m, CK_ENDPOINT_PORTS, ST_FAIL, OUT_PORT_MISMATCH);
	set(&m, CK_NSG_CLOUD, ST_FAIL, OUT_BLOCKED);
	expect(&m, "NAT port and NSG", COMP_ENDPOINT, CK_ENDPOINT_PORTS, CONF_PROVEN);
	ok(m.comp_state[COMP_NSG] == ST_FAIL, "NAT port and NSG: the NSG shows failed too");

	/* Network Watcher alone says deny */
	healthy(&m);
	no_tcp(&m, OUT_TIMEOUT);
	set(&m, CK_EDGE_VANTAGE, ST_WARN, OUT_TIMEOUT);
	set(&m, CK_NSG_CLOUD, ST_OK, OUT_OK);
	set(&m, CK_NSG_FLOW_VERIFY, ST_FAIL, OUT_BLOCKED);
	expect(&m, "IP flow verify denies", COMP_NSG, CK_NSG_FLOW_VERIFY, CONF_PROVEN);

	/* a silent drop everywhere, the endpoint and NSG fine, the guest firewall proven */
	healthy(&m);
	no_tcp(&m, OUT_TIMEOUT);
	set(&m, CK_EDGE_VANTAGE, ST_WARN, OUT_TIMEOUT);
	set(&m, CK_ENDPOINT_CLOUD, ST_OK, OUT_OK);
	set(&m, CK_NSG_CLOUD, ST_OK, OUT_OK);
	expect(&m, "dropped, cloud fine, guest unknown", COMP_VM, CK_VM_TCP, CONF_LIKELY);
	ok(m.comp_state[COMP_NSG] == ST_OK && m.comp_state[COMP_ENDPOINT] == ST_OK,
	   "dropped, cloud fine: endpoint and NSG ok");
	set(&m, CK_VM_GUEST_FIREWALL, ST_FAIL, OUT_BLOCKED);
	expect(&m, "dropped, guest firewall", COMP_VM, CK_VM_GUEST_FIREWALL, CONF_PROVEN);

	/* refused, and Run Command shows sshd stopped */
	healthy(&m);
	no_tcp(&m, OUT_REFUSED);
	set(&m, CK_EDGE_VANTAGE, ST_WARN, OUT_REFUSED);
	set(&m, CK_VM_GUEST_SSHD, ST_FAIL, OUT_SSHD_DOWN);
	expect(&m, "refused, sshd stopped", COMP_VM, CK_VM_GUEST_SSHD, CONF_PROVEN);

	/* key refused: the guest's account or modes prove why */
	healthy(&m);
	set(&m, CK_VM_AUTH, ST_FAIL, OUT_AUTH_DENIED);
	set(&m, CK_VM_SESSION, ST_SKIPPED, OUT_SKIPPED);
	set(&m, CK_VM_GUEST_MODES, ST_FAIL, OUT_BAD_MODE);
	expect(&m, "key refused, StrictModes", COMP_VM, CK_VM_GUEST_MODES, CONF_PROVEN);
	set(&m, CK_VM_GUEST_ACCOUNT, ST_FAIL, OUT_ACCT_LOCKED);
	expect(&m, "key refused, locked", COMP_VM, CK_VM_GUEST_ACCOUNT, CONF_PROVEN);

	/* host keys out of band */
	{
		char fp[128];

		healthy(&m);
		set(&m, CK_CLIENT_KNOWN_HOSTS, ST_FAIL, OUT_KH_CHANGED);
		snprintf(m.checks[CK_CLIENT_KNOWN_HOSTS].summary, CHECK_SUMMARY_LEN,
			 "the host key changed ... verify SHA256:AAAAbbbb+/cc out of band");
		m.checks[CK_VM_HOST_KEY].state = ST_UNKNOWN;
		ok(diag_host_key(&m, fp, sizeof(fp)) == DIAG_HK_UNKNOWN, "host key: unknown without Run Command");
		/* the boot log's cloud-init fingerprints stand in for Run Command */
		m.checks[CK_VM_BOOT_LOG].state = ST_OK;
		m.checks[CK_VM_BOOT_LOG].n_evidence = 0;
		ok(diag_host_key(&m, fp, sizeof(fp)) == DIAG_HK_UNKNOWN, "host key: a boot log without fingerprints proves nothing");
		m.checks[CK_VM_BOOT_LOG].n_evidence = 1;
		snprintf(m.checks[CK_VM_BOOT_LOG].evidence[0], CHECK_EVIDENCE_LEN,
			 "host key at boot (cloud-init): 256 SHA256:AAAAbbbb+/cc (ED25519)");
		ok(diag_host_key(&m, fp, sizeof(fp)) == DIAG_HK_MATCH, "host key: the boot log's fingerprint matches");
		snprintf(m.checks[CK_VM_BOOT_LOG].evidence[0], CHECK_EVIDENCE_LEN,
			 "host key at boot (cloud-init): 256 SHA256:ZZZZ (ED25519)");
		ok(diag_host_key(&m, fp, sizeof(fp)) == DIAG_HK_UNKNOWN,
		   "host key: another key at boot is no proof of interception (keys may be new)");
		m.checks[CK_VM_BOOT_LOG].n_evidence = 0;
		is_str(fp, "SHA256:AAAAbbbb+/cc", "host key: the network's fingerprint is found");
		m.checks[CK_VM_HOST_KEY].state = ST_OK;
		m.checks[CK_VM_HOST_KEY].n_evidence = 2;
		snprintf(m.checks[CK_VM_HOST_KEY].evidence[0], CHECK_EVIDENCE_LEN, "ECDSA SHA256:zzzz");
		snprintf(m.checks[CK_VM_HOST_KEY].evidence[1], CHECK_EVIDENCE_LEN, "ED25519 SHA256:AAAAbbbb+/cc");
		ok(diag_host_key(&m, fp, sizeof(fp)) == DIAG_HK_MATCH, "host key: matches the VM's");
		expect(&m, "stale known_hosts", COMP_CLIENT, CK_CLIENT_KNOWN_HOSTS, CONF_PROVEN);
		ok(strstr(m.verdict.summary, "stale") != NULL, "stale known_hosts: says stale");
		/* a prefix of a real key is no match */
		snprintf(m.checks[CK_VM_HOST_KEY].evidence[1], CHECK_EVIDENCE_LEN, "ED25519 SHA256:AAAAbbbb+/ccX");
		ok(diag_host_key(&m, fp, sizeof(fp)) == DIAG_HK_MISMATCH, "host key: not the VM's");
		expect(&m, "interception", COMP_CLIENT, CK_CLIENT_KNOWN_HOSTS, CONF_PROVEN);
		ok(strstr(m.verdict.summary, "INTERCEPTION") != NULL, "interception: says so loudly");
	}
	return tap_done();
}
