/* Table tests of the endpoint evaluation: which entry holds the target's address, and
 * whether its NAT/DNAT mapping and source list lead this client to sshd. */
#include "config.h"

#include <stdlib.h>

#include "azure/endpoint.h"
#include "tap.h"

#define VM_IPCONF "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/vm1-nic/ipConfigurations/ipconfig1"
#define LB_FE "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb/frontendIPConfigurations/fe"
#define FW_IPC "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/azureFirewalls/fw/azureFirewallIpConfigurations/ipc"

static struct netjson_public_ip pip(const char *addr, const char *holder)
{
	struct netjson_public_ip p;

	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "lab-pip");
	snprintf(p.ip_address, sizeof(p.ip_address), "%s", addr);
	snprintf(p.ipconf_id, sizeof(p.ipconf_id), "%s", holder);
	return p;
}

static struct netjson_nat_rule nat(int front, int back)
{
	struct netjson_nat_rule r;

	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "ssh-vm1");
	snprintf(r.protocol, sizeof(r.protocol), "Tcp");
	snprintf(r.frontend_ipconf_id, sizeof(r.frontend_ipconf_id), "%s", LB_FE);
	r.frontend_port = front;
	r.backend_port = back;
	return r;
}

static struct netjson_fw_rcg *rcg(const char *sources, const char *translated, const char *port)
{
	char body[2048], err[NETJSON_ERR_LEN];
	struct netjson_fw_rcg *g;

	snprintf(body, sizeof(body),
		 "{\"name\":\"g\",\"properties\":{\"priority\":100,\"ruleCollections\":[{"
		 "\"ruleCollectionType\":\"FirewallPolicyNatRuleCollection\",\"name\":\"ssh-dnat\","
		 "\"priority\":100,\"action\":{\"type\":\"DNAT\"},\"rules\":[{\"ruleType\":\"NatRule\","
		 "\"name\":\"ssh-vm1\",\"ipProtocols\":[\"TCP\"],\"sourceAddresses\":[%s],"
		 "\"destinationAddresses\":[\"203.0.113.10\"],\"destinationPorts\":[\"22\"],"
		 "\"translatedAddress\":\"%s\",\"translatedPort\":\"%s\"}]}]}}", sources, translated, port);
	g = netjson_fw_rcg(body, strlen(body), err, sizeof(err));
	if (!g)
		printf("# rcg: %s\n", err);
	return g;
}

struct run {
	struct check pip, ports, acl;
	enum endpoint_kind kind;
	int port;
	struct endpoint_out out;
};

static void eval(struct endpoint_input *in, struct run *r)
{
	if (!in->target_addr)
		in->target_addr = "203.0.113.10";
	if (!in->target_port)
		in->target_port = 22;
	if (!in->client_ip)
		in->client_ip = "198.51.100.7";
	in->vm_ipconf_id = VM_IPCONF;
	in->vm_private_ip = "10.20.1.4";
	endpoint_evaluate(in, &r->pip, &r->ports, &r->acl, &r->out);
	r->kind = r->out.kind;
	r->port = r->out.port;
}

#define STATES(r, a, b, c, what)                                                         \
	ok((r).pip.state == (a) && (r).ports.state == (b) && (r).acl.state == (c),         \
	   "%s: states %s/%s/%s", what, state_name((r).pip.state), state_name((r).ports.state), \
	   state_name((r).acl.state))

int main(void)
{
	static const int sshd22[] = {22}, sshd2222[] = {2222};
	struct netjson_public_ip p;
	struct netjson_nat_rule n;
	const struct netjson_fw_rcg *g[1];
	struct netjson_fw_rcg *owned;
	struct run r;

	/* public IP on the NIC */
	p = pip("203.0.113.10", VM_IPCONF);
	eval(&(struct endpoint_input){.pips = &p, .n_pips = 1}, &r);
	ok(r.kind == ENDPOINT_PIP && r.port == 22, "pip: kind pip, delivers to 22");
	STATES(r, ST_OK, ST_OK, ST_SKIPPED, "pip");

	/* the public IP detached: nothing receives its traffic */
	p = pip("203.0.113.10", "");
	eval(&(struct endpoint_input){.pips = &p, .n_pips = 1}, &r);
	ok(r.pip.state == ST_FAIL && r.pip.outcome == OUT_NOT_ATTACHED, "detached: not_attached");
	ok(strstr(r.pip.summary, "lab-pip") != NULL, "detached: names the public IP");
	ok(r.ports.state == ST_UNKNOWN && r.port == 0, "detached: nothing further decided");

	/* the VM's own public IP has another address than the target */
	p = pip("203.0.113.99", VM_IPCONF);
	eval(&(struct endpoint_input){.pips = &p, .n_pips = 1}, &r);
	ok(r.pip.state == ST_FAIL && r.pip.outcome == OUT_ADDR_MISMATCH, "other address: mismatch");

	/* no public IP read holds the address: a warning, not a proof */
	eval(&(struct endpoint_input){.n_pips = 0}, &r);
	ok(r.pip.state == ST_WARN, "nothing found: warn");

	/* the address belongs to another NIC */
	p = pip("203.0.113.10", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/vm9-nic/ipConfigurations/ipconfig1");
	eval(&(struct endpoint_input){.pips = &p, .n_pips = 1}, &r);
	ok(r.pip.state == ST_FAIL && r.pip.outcome == OUT_ADDR_MISMATCH, "another NIC: mismatch");

	/* load balancer: 22 -> 22, sshd on 22 */
	p = pip("203.0.113.10", LB_FE);
	n = nat(22, 22);
	eval(&(struct endpoint_input){.pips = &p, .n_pips = 1, .nat = &n, .n_nat = 1,
				      .sshd_ports = sshd22, .n_sshd_ports = 1}, &r);
	ok(r.kind == ENDPOINT_LB && r.port == 22, "lb: kind lb, delivers to 22");
	STATES(r, ST_OK, ST_OK, ST_SKIPPED, "lb healthy");
	is_str(r.out.objects, "lab-pip -> load balancer lb", "lb: names the objects");

	/* backend port changed to 2222, sshd on 22: the endpoint's fault */
	n = nat(22, 2222);
	eval(&(struct endpoint_input){.pips = &p, .n_pips = 1, .nat = &n, .n_nat = 1,
				      .sshd_ports = sshd22, .n_sshd_ports = 1}, &r);
	ok(r.ports.state == ST_FAIL && r.ports.outcome == OUT_PORT_MISMATCH && r.port == 2222,
	   "lb backend 2222, sshd 22: port_mismatch, delivers to 2222");
	ok(strstr(r.ports.summary, "2222") && strstr(r.ports.summary, "ssh-vm1"),
	   "lb mismatch: names the rule and the port");

	/* the same without the guest's view: only a warning */
	eval(&(struct endpoint_input){.pips = &p, .n_pips = 1, .nat = &n, .n_nat = 1}, &r);
	ok(r.ports.state == ST_WARN, "lb backend 2222, sshd unknown: warn");

	/* sshd moved to 2222, rule untranslated 22 -> 22: sshd moved (the guest's check
	 * blames the VM), a warning here */
	n = nat(22, 22);
	eval(&(struct endpoint_input){.pips = &p, .n_pips = 1, .nat = &n, .n_nat = 1,
				      .sshd_ports = sshd2222, .n_sshd_ports = 1}, &r);
	ok(r.ports.state == ST_WARN && r.ports.outcome == OUT_PORT_MISMATCH, "sshd moved: warn");

	/* no NAT rule for the target's port */
	n = nat(2200, 22);
	eval(&(struct endpoint_input){.pips = &p, .n_pips = 1, .nat = &n, .n_nat = 1}, &r);
	ok(r.ports.state == ST_FAIL && r.ports.n_evidence == 1, "no rule for 22: fail, names the other");

	/* firewall DNAT */
	p = pip("203.0.113.10", FW_IPC);
	owned = rcg("\"*\"", "10.20.1.4", "22");
	g[0] = owned;
	eval(&(struct endpoint_input){.pips = &p, .n_pips = 1, .rcg = g, .n_rcg = 1,
				      .sshd_ports = sshd22, .n_sshd_ports = 1}, &r);
	ok(r.kind == ENDPOINT_FW && r.port == 22, "fw: kind fw, delivers to 22");
	STATES(r, ST_OK, ST_OK, ST_OK, "fw healthy");
	netjson_fw_rcg_free(owned);

	/* source list without the client */
	owned = rcg("\"0.0.0.0/1\",\"128.0.0.0/2\",\"192.0.0.0/9\"", "10.20.1.4", "22");
	g[0] = owned;
	eval(&(struct endpoint_input){.pips = &p, .n_pips = 1, .rcg = g, .n_rcg = 1,
				      .sshd_ports = sshd22, .n_sshd_ports = 1}, &r);
	ok(r.acl.state == ST_FAIL && r.acl.outcome == OUT_SOURCE_DENIED, "fw acl: source_not_allowed");
	ok(strstr(r.acl.summary, "198.51.100.7") != NULL, "fw acl: names the client's address");
	/* ... and the same list with the client's /32 in it */
	netjson_fw_rcg_free(owned);
	owned = rcg("\"10.0.0.0/8\",\"198.51.100.7/32\"", "10.20.1.4", "22");
	g[0] = owned;
	eval(&(struct endpoint_input){.pips = &p, .n_pips = 1, .rcg = g, .n_rcg = 1}, &r);
	ok(r.acl.state == ST_OK, "fw acl: /32 admits the client");
	/* client unknown: no decision */
	eval(&(struct endpoint_input){.pips = &p, .n_pips = 1, .rcg = g, .n_rcg = 1, .client_ip = ""}, &r);
	ok(r.acl.state == ST_UNKNOWN, "fw acl: client unknown");
	netjson_fw_rcg_free(owned);

	/* translated port changed */
	owned = rcg("\"*\"", "10.20.1.4", "2222");
	g[0] = owned;
	eval(&(struct endpoint_input){.pips = &p, .n_pips = 1, .rcg = g, .n_rcg = 1,
				      .sshd_ports = sshd22, .n_sshd_ports = 1}, &r);
	ok(r.ports.state == ST_FAIL && r.port == 2222, "fw translated 2222: fail, delivers to 2222");
	netjson_fw_rcg_free(owned);

	/* translated to another VM's address */
	owned = rcg("\"*\"", "10.20.1.5", "22");
	g[0] = owned;
	eval(&(struct endpoint_input){.pips = &p, .n_pips = 1, .rcg = g, .n_rcg = 1}, &r);
	ok(r.ports.state == ST_FAIL && r.ports.outcome == OUT_ADDR_MISMATCH, "fw other address: mismatch");
	/* and a target port no DNAT rule covers */
	eval(&(struct endpoint_input){.pips = &p, .n_pips = 1, .rcg = g, .n_rcg = 1, .target_port = 2200}, &r);
	ok(r.ports.state == ST_FAIL && r.acl.state == ST_UNKNOWN, "fw no rule for the port: fail");
	netjson_fw_rcg_free(owned);
	return tap_done();
}
