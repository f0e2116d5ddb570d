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
	return tap_done();
}
