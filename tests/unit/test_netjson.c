#include "config.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "azure/netjson.h"
#include "util/sanitize.h"
#include "tap.h"

#define NET FIXTURE_DIR "/azure/network/"

/* A body as the mappers get it: exactly len bytes, no NUL after them (ASan sees over-reads). */
struct body {
	char *p;
	size_t n;
};

static struct body mkbodyn(const char *s, size_t n)
{
	struct body b = {malloc(n ? n : 1), n};

	memcpy(b.p, s, n);
	return b;
}

static struct body mkbody(const char *s)
{
	return mkbodyn(s, strlen(s));
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* The part of a fixture under keys (e.g. responses / 200 / body), printed back as JSON. */
static struct body fixture(const char *file, const char *k1, const char *k2, const char *k3)
{
	struct body b = {NULL, 0};
	size_t len;
	char *text = read_file(file, &len), *out;
	cJSON *root, *v;
	const char *keys[3] = {k1, k2, k3};

	if (!text) {
		printf("# cannot read %s\n", file);
		return mkbody("{}");
	}
	root = cJSON_ParseWithLength(text, len);
	v = root;
	for (int i = 0; i < 3 && v && keys[i]; i++)
		v = cJSON_GetObjectItemCaseSensitive(v, keys[i]);
	out = v ? cJSON_PrintUnformatted(v) : NULL;
	b = mkbody(out ? out : "{}");
	cJSON_free(out);
	cJSON_Delete(root);
	free(text);
	return b;
}

static struct body response(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), NET "%s", name);
	return fixture(path, "responses", "200", "body");
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && strcmp(s + a - b, tail) == 0;
}

static const struct nsg_rule *rule_named(const struct nsg *n, const char *name)
{
	for (int i = 0; n && i < n->n_rules; i++)
		if (strcmp(n->rules[i].name, name) == 0)
			return &n->rules[i];
	return NULL;
}

static void addr_is(const struct nsg_addr *a, const char *want, const char *what)
{
	char buf[64];

	nsg_addr_format(a, buf, sizeof(buf));
	is_str(buf, want, "%s is %s", what, want);
}

/* ---------------------------------------------------------------- fixtures */

static void test_nsg_get(void)
{
	struct body b = response("NetworkSecurityGroupGet.json");
	char err[NETJSON_ERR_LEN];
	struct nsg *n = netjson_nsg(b.p, b.n, err, sizeof(err));
	const struct nsg_rule *r;
	struct nsg_ctx ctx;
	struct nsg_flow f;
	struct nsg_result res;

	ok(n != NULL, "NSG GET maps (%s)", err);
	if (!n) {
		free(b.p);
		return;
	}
	is_str(n->name, "testnsg", "NSG name");
	ok(ends_with(n->id, "/networkSecurityGroups/testnsg"), "NSG id");
	ok(n->n_rules == 7, "1 custom + 6 default rules (got %d)", n->n_rules);
	r = rule_named(n, "rule1");
	ok(r && r->priority == 130 && r->access == NSG_ALLOW && r->dir == NSG_INBOUND &&
	   r->proto == NSG_PROTO_ANY && !r->is_default, "rule1: 130 Allow Inbound * custom");
	ok(r && r->side[NSG_DST].n_port == 1 && r->side[NSG_DST].port[0].lo == 80 &&
	   r->side[NSG_DST].port[0].hi == 80, "rule1: destination port 80");
	ok(r && r->side[NSG_SRC].n_addr == 1 && r->side[NSG_SRC].addr[0].kind == NSG_ADDR_ANY,
	   "rule1: source *");
	r = rule_named(n, "AllowVnetInBound");
	ok(r && r->is_default && r->priority == 65000 && r->side[NSG_SRC].addr[0].kind == NSG_ADDR_VNET &&
	   r->side[NSG_DST].addr[0].kind == NSG_ADDR_VNET, "AllowVnetInBound: default, 65000, VirtualNetwork both ways");
	r = rule_named(n, "AllowAzureLoadBalancerInBound");
	ok(r && r->is_default && r->priority == 65001 && r->side[NSG_SRC].addr[0].kind == NSG_ADDR_ALB,
	   "AllowAzureLoadBalancerInBound: AzureLoadBalancer");
	r = rule_named(n, "DenyAllInBound");
	ok(r && r->is_default && r->priority == 65500 && r->access == NSG_DENY, "DenyAllInBound 65500 Deny");
	r = rule_named(n, "AllowInternetOutBound");
	ok(r && r->dir == NSG_OUTBOUND && r->side[NSG_DST].addr[0].kind == NSG_ADDR_INTERNET,
	   "AllowInternetOutBound: Outbound to Internet");
	r = rule_named(n, "DenyAllOutBound");
	ok(r && r->dir == NSG_OUTBOUND && r->access == NSG_DENY && r->priority == 65500, "DenyAllOutBound");

	nsg_ctx_init(&ctx);
	nsg_ctx_add_vnet(&ctx, "10.0.0.0/16");
	nsg_flow_init(&f, NSG_INBOUND, NSG_PROTO_TCP, "198.51.100.7", 40000, "10.0.0.4", 80);
	nsg_evaluate(NULL, n, &ctx, &f, &res);
	ok(res.access == NSG_ALLOW && strcmp(res.stage[NSG_STAGE_NIC].rule, "rule1") == 0,
	   "fixture NSG: TCP 80 allowed by rule1");
	f.dport = 22;
	nsg_evaluate(NULL, n, &ctx, &f, &res);
	ok(res.access == NSG_DENY && strcmp(res.stage[NSG_STAGE_NIC].rule, "DenyAllInBound") == 0 &&
	   !res.stage[NSG_STAGE_NIC].builtin_default, "fixture NSG: TCP 22 denied by its own DenyAllInBound");
	is_str(res.summary, "NSG testnsg default rule DenyAllInBound (priority 65500) denies TCP 22 from 198.51.100.7",
	       "fixture NSG summary");
	nsg_free(n);
	free(b.p);
}

static void test_rule_list(void)
{
	struct body b = response("DefaultSecurityRuleList.json");
	char err[NETJSON_ERR_LEN];
	struct nsg *n = nsg_new("nsg1", "");
	int k = netjson_rule_list(b.p, b.n, n, true, err, sizeof(err));
	const struct nsg_rule *r;
	bool all_default = true;

	ok(k == 6 && n->n_rules == 6, "DefaultSecurityRuleList: 6 rules (%d, %s)", k, err);
	for (int i = 0; i < n->n_rules; i++)
		all_default = all_default && n->rules[i].is_default;
	ok(all_default, "all flagged default");
	r = rule_named(n, "AllowAzureLoadBalancerInBound");
	ok(r && r->side[NSG_SRC].n_addr == 1 && r->side[NSG_SRC].addr[0].kind == NSG_ADDR_ALB,
	   "empty plural arrays leave the singular field in charge");
	ok(r && r->side[NSG_DST].n_port == 1 && r->side[NSG_DST].port[0].lo == 0 &&
	   r->side[NSG_DST].port[0].hi == 65535, "port * is 0-65535");
	nsg_free(n);
	free(b.p);

	ok(netjson_rule_list("{}", 2, NULL, false, err, sizeof(err)) < 0, "no NSG: error (%s)", err);
}

static void test_rule_get(void)
{
	struct body b = response("NetworkSecurityGroupRuleCreate.json");
	char err[NETJSON_ERR_LEN];
	struct nsg *n = nsg_new("testnsg", "");
	const struct nsg_rule *r;

	ok(netjson_rule(b.p, b.n, n, false, err, sizeof(err)) == 0 && n->n_rules == 1,
	   "SecurityRule answer maps (%s)", err);
	r = rule_named(n, "rule1");
	ok(r && r->access == NSG_DENY && r->dir == NSG_OUTBOUND && r->priority == 100, "rule1: Deny Outbound 100");
	if (r) {
		addr_is(&r->side[NSG_SRC].addr[0], "10.0.0.0/8", "source");
		addr_is(&r->side[NSG_DST].addr[0], "11.0.0.0/8", "destination");
		ok(r->side[NSG_DST].port[0].lo == 8080, "destination port 8080");
	}
	nsg_free(n);
	free(b.p);
}

static void test_effective(void)
{
	struct body b = response("NetworkInterfaceEffectiveNSGList.json");
	char err[NETJSON_ERR_LEN];
	struct netjson_effective *e = netjson_effective(b.p, b.n, err, sizeof(err));
	const struct nsg *n;
	const struct nsg_rule *r;
	struct nsg_ctx ctx;
	struct nsg_flow f;
	struct nsg_result res;

	ok(e && e->n == 1, "effective NSGs: one entry (%s)", err);
	if (!e || e->n != 1) {
		netjson_effective_free(e);
		free(b.p);
		return;
	}
	n = e->item[0].nsg;
	ok(ends_with(e->item[0].nsg_id, "/networkSecurityGroups/test-nsg"), "NSG id");
	is_str(n->name, "test-nsg", "NSG named after its id");
	ok(ends_with(e->item[0].subnet_id, "/subnets/default") &&
	   ends_with(e->item[0].nic_id, "/networkInterfaces/nic1"),
	   "association names both the subnet and the NIC (the fixture has both)");
	ok(n->n_rules == 3, "3 effective rules (got %d)", n->n_rules);
	r = rule_named(n, "rule1");
	ok(r && !r->is_default && r->proto == NSG_PROTO_TCP && r->priority == 234,
	   "securityRules/rule1 -> rule1, Tcp, 234");
	ok(r && r->side[NSG_SRC].port[0].lo == 456 && r->side[NSG_SRC].port[0].hi == 456 &&
	   r->side[NSG_DST].port[0].lo == 6579 && r->side[NSG_DST].port[0].hi == 6579, "\"456-456\" and \"6579-6579\"");
	if (r)
		addr_is(&r->side[NSG_SRC].addr[0], "0.0.0.0/32", "rule1 source");
	r = rule_named(n, "default-allow-rdp");
	ok(r && !r->is_default && r->priority == 1000, "securityRules/default-allow-rdp is a custom rule");
	if (r) {
		addr_is(&r->side[NSG_SRC].addr[0], "1.1.1.1/32", "RDP source");
		addr_is(&r->side[NSG_DST].addr[0], "0.0.0.0/0", "RDP destination");
		ok(r->side[NSG_SRC].port[0].lo == 0 && r->side[NSG_SRC].port[0].hi == 65535, "0-65535");
	}
	r = rule_named(n, "AllowInternetOutBound");
	ok(r && r->is_default && r->proto == NSG_PROTO_ANY && r->dir == NSG_OUTBOUND,
	   "defaultSecurityRules/AllowInternetOutBound: default, protocol All is any");
	ok(r && r->side[NSG_DST].n_addr == 4, "the expanded Internet prefixes replace the tag");
	if (r) {
		addr_is(&r->side[NSG_DST].addr[0], "32.0.0.0/3", "first expanded prefix");
		addr_is(&r->side[NSG_DST].addr[3], "1.0.0.0/8", "last expanded prefix");
	}
	nsg_ctx_init(&ctx);
	nsg_ctx_add_vnet(&ctx, "172.20.0.0/16");
	nsg_flow_init(&f, NSG_INBOUND, NSG_PROTO_TCP, "1.1.1.1", 50000, "172.20.2.4", 3389);
	nsg_evaluate(NULL, n, &ctx, &f, &res);
	ok(res.access == NSG_ALLOW && strcmp(res.stage[NSG_STAGE_NIC].rule, "default-allow-rdp") == 0,
	   "RDP from 1.1.1.1 allowed");
	nsg_flow_init(&f, NSG_INBOUND, NSG_PROTO_TCP, "1.1.1.2", 50000, "172.20.2.4", 22);
	nsg_evaluate(NULL, n, &ctx, &f, &res);
	ok(res.access == NSG_DENY && res.stage[NSG_STAGE_NIC].builtin_default &&
	   strcmp(res.stage[NSG_STAGE_NIC].rule, "DenyAllInBound") == 0,
	   "no inbound default in the list: Azure's built-in DenyAllInBound decides");
	netjson_effective_free(e);
	free(b.p);

	b = mkbody("{\"value\":[{\"networkSecurityGroup\":{\"id\":\"/x/networkSecurityGroups/n\"},"
		   "\"effectiveSecurityRules\":[{\"name\":\"securityRules/VnetIn\",\"protocol\":\"All\","
		   "\"sourcePortRange\":\"0-65535\",\"destinationPortRange\":\"22-22\","
		   "\"sourceAddressPrefix\":\"VirtualNetwork\",\"expandedSourceAddressPrefix\":[\"10.20.0.0/16\"],"
		   "\"destinationAddressPrefix\":\"0.0.0.0/0\",\"access\":\"Deny\",\"priority\":100,"
		   "\"direction\":\"Inbound\"}]}]}");
	e = netjson_effective(b.p, b.n, err, sizeof(err));
	ok(e && e->n == 1 && e->item[0].subnet_id[0] == '\0' && e->item[0].nic_id[0] == '\0',
	   "no association: empty ids (%s)", err);
	if (e && e->n == 1) {
		r = &e->item[0].nsg->rules[0];
		addr_is(&r->side[NSG_SRC].addr[0], "10.20.0.0/16", "expanded VirtualNetwork");
	}
	netjson_effective_free(e);
	free(b.p);

	{
		/* An expansion longer than a rule's list bound: the tag itself is used instead. */
		size_t cap = 20 * (NSG_MAX_ITEMS + 1) + 1024, len = 0;
		char *big = malloc(cap);

		len += (size_t)snprintf(big, cap, "{\"value\":[{\"networkSecurityGroup\":{\"id\":\"/n\"},"
					"\"effectiveSecurityRules\":[{\"name\":\"securityRules/x\",\"protocol\":\"Tcp\","
					"\"sourcePortRange\":\"0-65535\",\"destinationPortRange\":\"22-22\","
					"\"destinationAddressPrefix\":\"0.0.0.0/0\",\"access\":\"Deny\",\"priority\":100,"
					"\"direction\":\"Inbound\",\"sourceAddressPrefix\":\"VirtualNetwork\","
					"\"expandedSourceAddressPrefix\":[");
		for (int i = 0; i <= NSG_MAX_ITEMS; i++)
			len += (size_t)snprintf(big + len, cap - len, "%s\"10.%d.%d.0/24\"", i ? "," : "",
						i / 256, i % 256);
		len += (size_t)snprintf(big + len, cap - len, "]}]}]}");
		b = mkbodyn(big, len);
		e = netjson_effective(b.p, b.n, err, sizeof(err));
		ok(e && e->n == 1 && e->item[0].nsg->rules[0].side[NSG_SRC].n_addr == 1 &&
		   e->item[0].nsg->rules[0].side[NSG_SRC].addr[0].kind == NSG_ADDR_VNET,
		   "%d expanded prefixes: the VirtualNetwork tag is used instead (%s)", NSG_MAX_ITEMS + 1, err);
		netjson_effective_free(e);
		free(b.p);
		free(big);
	}
}

static void test_nic(void)
{
	struct body b = response("NetworkInterfaceGet.json");
	char err[NETJSON_ERR_LEN];
	struct netjson_nic *nic = netjson_nic(b.p, b.n, err, sizeof(err));
	const struct netjson_ipconf *ic;

	ok(nic != NULL, "NIC GET maps (%s)", err);
	if (!nic) {
		free(b.p);
		return;
	}
	is_str(nic->name, "test-nic", "NIC name");
	ok(ends_with(nic->nsg_id, "/networkSecurityGroups/nsg"), "NIC NSG id");
	ok(ends_with(nic->vm_id, "/virtualMachines/vm1"), "VM id");
	ok(nic->n_ipconf == 2, "two IP configurations");
	ic = &nic->ipconf[0];
	is_str(ic->name, "ipconfig1", "first ipconf name");
	is_str(ic->private_ip, "172.20.2.4", "private IP");
	ok(ic->prefix_len == -1, "no prefix length");
	ok(ends_with(ic->public_ip_id, "/publicIPAddresses/test-ip"), "public IP id");
	ok(ends_with(ic->subnet_id, "/virtualNetworks/rg1-vnet/subnets/default"), "subnet id");
	ok(ic->primary && ic->n_nat == 0 && ic->n_asg == 0, "primary, no NAT rules, no ASGs");
	ic = &nic->ipconf[1];
	is_str(ic->private_ip, "172.20.2.16", "\"172.20.2.16/28\" gives the address");
	ok(ic->prefix_len == 28, "and the prefix length 28");
	ok(!ic->primary && ic->public_ip_id[0] == '\0', "second: not primary, no public IP");
	ok(netjson_nic_primary(nic) == &nic->ipconf[0], "primary is ipconfig1");
	netjson_nic_free(nic);
	free(b.p);

	b = mkbody("{\"name\":\"n\",\"id\":\"/n\",\"properties\":{\"ipConfigurations\":[{\"name\":\"c\","
		   "\"properties\":{\"privateIPAddress\":\"10.20.1.4\",\"loadBalancerInboundNatRules\":"
		   "[{\"id\":\"/lb/inboundNatRules/ssh\"}],\"applicationSecurityGroups\":[{\"id\":\"/asg/web\"},"
		   "{\"id\":\"/asg/ssh\"}]}}]}}");
	nic = netjson_nic(b.p, b.n, err, sizeof(err));
	ok(nic && nic->ipconf[0].n_nat == 1 && strcmp(nic->ipconf[0].nat_rule_ids[0], "/lb/inboundNatRules/ssh") == 0 &&
	   nic->ipconf[0].n_asg == 2 && strcmp(nic->ipconf[0].asg_ids[1], "/asg/ssh") == 0 &&
	   nic->nsg_id[0] == '\0', "NAT rule ids and ASG ids; no NSG (%s)", err);
	ok(netjson_nic_primary(nic) == (nic ? &nic->ipconf[0] : NULL), "no primary flag: the first");
	netjson_nic_free(nic);
	free(b.p);
	netjson_nic_free(NULL);
	ok(netjson_nic_primary(NULL) == NULL, "primary of NULL");

	b = mkbody("{\"name\":\"n\",\"id\":\"/n\",\"properties\":{\"ipConfigurations\":[]}}");
	ok(!netjson_nic(b.p, b.n, err, sizeof(err)) && strstr(err, "empty"), "no ipconf: %s", err);
	free(b.p);
	b = mkbody("{\"name\":\"n\",\"id\":\"/n\",\"properties\":{\"ipConfigurations\":[{\"name\":\"c\","
		   "\"properties\":{\"privateIPAddress\":\"10.20.1.999\"}}]}}");
	ok(!netjson_nic(b.p, b.n, err, sizeof(err)) && strstr(err, "privateIPAddress"), "bad IP: %s", err);
	free(b.p);
}

static void test_public_ip(void)
{
	struct body b = response("PublicIpAddressGet.json");
	char err[NETJSON_ERR_LEN];
	struct netjson_public_ip pip;

	ok(netjson_public_ip(b.p, b.n, &pip, err, sizeof(err)) == 0, "public IP maps (%s)", err);
	is_str(pip.name, "testDNS-ip", "name");
	is_str(pip.ip_address, "", "no ipAddress in the fixture");
	is_str(pip.allocation, "Dynamic", "allocation");
	is_str(pip.version, "IPv4", "version");
	ok(ends_with(pip.ipconf_id, "/networkInterfaces/testDNS649/ipConfigurations/ipconfig1"), "attached to");
	is_str(pip.provisioning, "Succeeded", "provisioning");
	free(b.p);
	b = mkbody("{\"name\":\"p\",\"id\":\"/p\",\"properties\":{\"ipAddress\":\"203.0.113.10\","
		   "\"dnsSettings\":{\"fqdn\":\"vm1.example\"},\"ipConfiguration\":null}}");
	ok(netjson_public_ip(b.p, b.n, &pip, err, sizeof(err)) == 0 && strcmp(pip.ip_address, "203.0.113.10") == 0 &&
	   strcmp(pip.fqdn, "vm1.example") == 0 && pip.ipconf_id[0] == '\0',
	   "address, fqdn, and null ipConfiguration reads as unattached (%s)", err);
	free(b.p);
}

static void test_lb(void)
{
	struct body b = response("LoadBalancerGet.json");
	char err[NETJSON_ERR_LEN];
	struct netjson_lb *lb = netjson_lb(b.p, b.n, err, sizeof(err));
	struct netjson_nat_rule nat;

	ok(lb != NULL, "load balancer maps (%s)", err);
	if (lb) {
		is_str(lb->name, "lb", "LB name");
		ok(lb->n_frontend == 1 && strcmp(lb->frontend[0].name, "fe-lb") == 0 &&
		   strcmp(lb->frontend[0].private_ip, "10.0.1.4") == 0, "frontend fe-lb 10.0.1.4");
		ok(lb->n_nat == 1 && strcmp(lb->nat[0].name, "in-nat-rule") == 0 &&
		   lb->nat[0].frontend_port == 3389 && lb->nat[0].backend_port == 3389 &&
		   strcmp(lb->nat[0].protocol, "Tcp") == 0, "NAT rule in-nat-rule Tcp 3389 -> 3389");
		ok(lb->n_nat == 1 && ends_with(lb->nat[0].frontend_ipconf_id, "/frontendIPConfigurations/fe-lb") &&
		   lb->nat[0].backend_ipconf_id[0] == '\0', "NAT frontend config; no backend bound");
	}
	netjson_lb_free(lb);
	netjson_lb_free(NULL);
	free(b.p);

	b = response("InboundNatRuleGet.json");
	ok(netjson_nat_rule(b.p, b.n, &nat, err, sizeof(err)) == 0, "NAT rule maps (%s)", err);
	is_str(nat.name, "natRule1.1", "NAT rule name");
	ok(nat.frontend_port == 3390 && nat.backend_port == 3389, "frontend 3390 -> backend 3389");
	ok(ends_with(nat.frontend_ipconf_id, "/frontendIPConfigurations/ip1") &&
	   strstr(nat.backend_ipconf_id, "/virtualMachineScaleSets/vmss1/") != NULL, "frontend and backend ids");
	ok(nat.frontend_port_start == -1 && nat.frontend_port_end == -1, "no port range");
	free(b.p);
	b = mkbody("{\"name\":\"r\",\"properties\":{\"protocol\":\"Icmp\",\"backendPort\":22}}");
	ok(netjson_nat_rule(b.p, b.n, &nat, err, sizeof(err)) < 0 && strstr(err, "protocol"), "bad protocol: %s", err);
	free(b.p);
	b = mkbody("{\"name\":\"r\",\"properties\":{\"protocol\":\"Tcp\",\"backendPort\":70000}}");
	ok(netjson_nat_rule(b.p, b.n, &nat, err, sizeof(err)) < 0 && strstr(err, "backendPort"), "port 70000: %s", err);
	free(b.p);
}

static void test_firewall(void)
{
	struct body b = fixture(NET "FirewallPolicyNatRuleCollectionGroupPut.request.json", "parameters",
				"parameters", NULL);
	char err[NETJSON_ERR_LEN];
	struct netjson_fw_rcg *g = netjson_fw_rcg(b.p, b.n, err, sizeof(err));
	const struct netjson_dnat_rule *r;

	ok(g && g->n_rules == 1, "DNAT collection group maps (%s)", err);
	if (g && g->n_rules == 1) {
		r = &g->rules[0];
		ok(g->priority == 100 && g->n_skipped == 0 && g->name[0] == '\0', "group priority 100, no name in a PUT body");
		is_str(r->collection, "Example-Nat-Rule-Collection", "collection");
		ok(r->collection_priority == 100, "collection priority");
		is_str(r->name, "nat-rule1", "rule name");
		ok(r->protocols.n == 2 && strcmp(r->protocols.v[0], "TCP") == 0 && strcmp(r->protocols.v[1], "UDP") == 0,
		   "protocols TCP, UDP");
		ok(r->sources.n == 1 && strcmp(r->sources.v[0], "2.2.2.2") == 0, "source 2.2.2.2");
		ok(r->source_ip_groups.n == 0, "no IP groups");
		ok(r->destinations.n == 1 && strcmp(r->destinations.v[0], "152.23.32.23") == 0, "destination");
		ok(r->dest_ports.n == 1 && strcmp(r->dest_ports.v[0], "8080") == 0, "destination port \"8080\"");
		is_str(r->translated_fqdn, "internalhttp.server.net", "translated FQDN");
		is_str(r->translated_address, "", "no translated address");
		ok(r->translated_port == 8080, "translated port \"8080\" read as 8080");
	}
	netjson_fw_rcg_free(g);
	netjson_fw_rcg_free(NULL);
	free(b.p);

	b = mkbody("{\"name\":\"g\",\"properties\":{\"ruleCollections\":["
		   "{\"ruleCollectionType\":\"FirewallPolicyFilterRuleCollection\",\"name\":\"f\",\"rules\":[]},"
		   "{\"ruleCollectionType\":\"FirewallPolicyNatRuleCollection\",\"name\":\"n\",\"rules\":["
		   "{\"ruleType\":\"ApplicationRule\",\"name\":\"a\"},"
		   "{\"ruleType\":\"NatRule\",\"name\":\"ssh\",\"sourceAddresses\":[\"*\"],"
		   "\"translatedAddress\":\"10.20.1.4\",\"translatedPort\":22}]}]}}");
	g = netjson_fw_rcg(b.p, b.n, err, sizeof(err));
	ok(g && g->n_rules == 1 && g->n_skipped == 2 && g->rules[0].translated_port == 22 &&
	   strcmp(g->rules[0].translated_address, "10.20.1.4") == 0 && g->rules[0].collection_priority == -1,
	   "filter collection and application rule skipped; numeric port (%s)", err);
	netjson_fw_rcg_free(g);
	free(b.p);
	b = mkbody("{\"properties\":{\"ruleCollections\":[{\"ruleCollectionType\":\"FirewallPolicyNatRuleCollection\","
		   "\"name\":\"n\",\"rules\":[{\"ruleType\":\"NatRule\",\"name\":\"x\",\"translatedPort\":\"22a\"}]}]}}");
	ok(!netjson_fw_rcg(b.p, b.n, err, sizeof(err)) && strstr(err, "translatedPort"), "port \"22a\": %s", err);
	free(b.p);
	b = mkbody("{\"properties\":{\"ruleCollections\":[{\"ruleCollectionType\":\"FirewallPolicyNatRuleCollection\","
		   "\"name\":\"n\",\"rules\":[{\"ruleType\":\"NatRule\",\"name\":\"x\",\"sourceAddresses\":[\"1.2.3.4\",7]}]}]}}");
	ok(!netjson_fw_rcg(b.p, b.n, err, sizeof(err)) && strstr(err, "sourceAddresses[1]"), "number in a list: %s", err);
	free(b.p);
}

static void test_ipflow(void)
{
	struct body b = response("NetworkWatcherIpFlowVerify.json");
	char err[NETJSON_ERR_LEN];
	struct netjson_ipflow v;

	ok(netjson_ipflow(b.p, b.n, &v, err, sizeof(err)) == 0 && v.access == NSG_ALLOW, "IP flow verify: Allow (%s)", err);
	is_str(v.rule_name, "Rule1", "ruleName");
	ok(!v.is_default, "not a default rule");
	free(b.p);
	b = mkbody("{\"access\":\"Deny\",\"ruleName\":\"defaultSecurityRules/DenyAllInBound\"}");
	ok(netjson_ipflow(b.p, b.n, &v, err, sizeof(err)) == 0 && v.access == NSG_DENY && v.is_default &&
	   strcmp(v.rule, "DenyAllInBound") == 0, "defaultSecurityRules/ prefix");
	free(b.p);
	b = mkbody("{\"access\":\"Deny\",\"ruleName\":\"UserRule_DenySSH\"}");
	ok(netjson_ipflow(b.p, b.n, &v, err, sizeof(err)) == 0 && !v.is_default && strcmp(v.rule, "DenySSH") == 0,
	   "UserRule_ prefix");
	free(b.p);
	b = mkbody("{\"access\":\"Maybe\"}");
	ok(netjson_ipflow(b.p, b.n, &v, err, sizeof(err)) < 0 && strstr(err, "access"), "access Maybe: %s", err);
	free(b.p);
}

static void test_arm_error(void)
{
	char err[NETJSON_ERR_LEN], line[512];
	struct netjson_arm_error e;
	struct body b = mkbody("{\"error\":{\"code\":\"ResourceNotFound\",\"message\":\"The Resource "
			       "'Microsoft.Compute/virtualMachines/vm1' under resource group 'rg' was not found.\","
			       "\"details\":[{\"code\":\"Inner\",\"message\":\"more\"}]}}");

	ok(netjson_arm_error(b.p, b.n, &e, err, sizeof(err)) == 0, "ARM error maps (%s)", err);
	is_str(e.code, "ResourceNotFound", "code");
	ok(strncmp(e.message, "The Resource 'Microsoft.Compute", 31) == 0, "message");
	ok(e.n_details == 1 && strcmp(e.details[0], "Inner: more") == 0, "details");
	netjson_error_line(b.p, b.n, 404, line, sizeof(line));
	ok(strncmp(line, "HTTP 404 ResourceNotFound: The Resource", 39) == 0 && strstr(line, "(Inner: more)"),
	   "one line: %s", line);
	free(b.p);

	b = mkbody("{\"code\":\"RetryableErrorDueToAnotherOperation\",\"message\":\"busy\"}");
	ok(netjson_arm_error(b.p, b.n, &e, err, sizeof(err)) == 0 &&
	   strcmp(e.code, "RetryableErrorDueToAnotherOperation") == 0, "code and message at the top");
	free(b.p);
	b = mkbody("{\"error\":{\"code\":\"X\"}}");
	ok(netjson_arm_error(b.p, b.n, &e, err, sizeof(err)) < 0 && strstr(err, "error.message: missing"),
	   "no message: %s", err);
	free(b.p);
	b = mkbody("{\"status\":\"Failed\"}");
	ok(netjson_arm_error(b.p, b.n, &e, err, sizeof(err)) < 0 && strstr(err, "no \"error\""), "no error: %s", err);
	netjson_error_line(b.p, b.n, 500, line, sizeof(line));
	is_str(line, "HTTP 500: the answer is not an ARM error body (no \"error\" object)", "fallback line");
	free(b.p);
	netjson_error_line("", 0, 0, line, sizeof(line));
	is_str(line, "the answer is not an ARM error body (empty body)", "empty body, no status");
	netjson_error_line("<html>502 Bad Gateway</html>", 28, 502, line, sizeof(line));
	ok(strncmp(line, "HTTP 502: the answer is not an ARM error body (not valid JSON", 61) == 0, "HTML: %s", line);

	/* \u001b: kept as the byte it stands for; sanitising (at display time) removes it. */
	b = mkbody("{\"error\":{\"code\":\"Bad\",\"message\":\"x\\u001b[2Jy\"}}");
	ok(netjson_arm_error(b.p, b.n, &e, err, sizeof(err)) == 0 && strcmp(e.message, "x\x1b[2Jy") == 0,
	   "\\u001b arrives as ESC in the raw message");
	{
		char clean[64];

		sanitize(clean, sizeof(clean), e.message, strlen(e.message), SANITIZE_UTF8);
		ok(!strchr(clean, 0x1b) && sanitize_is_clean(clean, strlen(clean), SANITIZE_UTF8),
		   "sanitised for display: %s", clean);
	}
	free(b.p);
	/* \u0000: refused, since cJSON would cut the message there. */
	b = mkbody("{\"error\":{\"code\":\"Bad\",\"message\":\"before\\u0000after\"}}");
	ok(netjson_arm_error(b.p, b.n, &e, err, sizeof(err)) < 0 && strstr(err, "NUL"), "\\u0000: %s", err);
	netjson_error_line(b.p, b.n, 400, line, sizeof(line));
	ok(strstr(line, "not an ARM error body (NUL") != NULL, "\\u0000 line: %s", line);
	free(b.p);
	/* An escaped backslash before u0000 is text, not a NUL. */
	b = mkbody("{\"error\":{\"code\":\"Bad\",\"message\":\"C:\\\\u0000\"}}");
	ok(netjson_arm_error(b.p, b.n, &e, err, sizeof(err)) == 0 && strcmp(e.message, "C:\\u0000") == 0,
	   "\\\\u0000 is six characters of text (%s)", err);
	free(b.p);
	/* A long message is cut at a character boundary. */
	{
		char big[3000];
		size_t o = (size_t)snprintf(big, sizeof(big), "{\"error\":{\"code\":\"Long\",\"message\":\"xy");

		for (int i = 0; i < 600; i++) {
			big[o++] = (char)0xC3;
			big[o++] = (char)0xA9;   /* é */
		}
		o += (size_t)snprintf(big + o, sizeof(big) - o, "\"}}");
		b = mkbodyn(big, o);
		ok(netjson_arm_error(b.p, b.n, &e, err, sizeof(err)) == 0 && strlen(e.message) == 1022 &&
		   sanitize_is_clean(e.message, strlen(e.message), SANITIZE_UTF8),
		   "1202-byte message cut to 1022 bytes, still valid UTF-8 (%zu)", strlen(e.message));
		free(b.p);
	}
}

/* ---------------------------------------------------------------- bad inputs */

#define NSG_HEAD "{\"name\":\"n\",\"id\":\"/n\",\"properties\":{\"securityRules\":[{\"name\":\"r\",\"properties\":{"
#define NSG_RULE_OK "\"protocol\":\"Tcp\",\"sourcePortRange\":\"*\",\"destinationPortRange\":\"22\"," \
	"\"sourceAddressPrefix\":\"*\",\"destinationAddressPrefix\":\"*\",\"access\":\"Deny\",\"direction\":\"Inbound\""
#define NSG_TAIL "}}]}}"

#define RAW_NUL "{\"name\":\"a\0b\",\"id\":\"/n\",\"properties\":{}}"

struct bad {
	const char *name;
	const char *text;
	size_t len;               /* 0: strlen */
	const char *want;         /* a piece of the error message */
};

static const struct bad bad_nsg[] = {
	{"truncated {\"1\":1,", "{\"1\":1,", 0, "truncated"},
	{"NaN", "{\"name\":NaN}", 0, "not valid JSON"},
	{"trailing garbage", NSG_HEAD NSG_RULE_OK ",\"priority\":100" NSG_TAIL "xyz", 0, "trailing data"},
	{"second value", "{} {}", 0, "trailing data"},
	{"duplicate keys", NSG_HEAD NSG_RULE_OK ",\"priority\":100,\"priority\":4000" NSG_TAIL, 0, "priority: duplicate key"},
	{"priority as a string", NSG_HEAD NSG_RULE_OK ",\"priority\":\"100\"" NSG_TAIL, 0,
	 "properties.securityRules[0].properties.priority: expected a number, got a string"},
	{"priority null", NSG_HEAD NSG_RULE_OK ",\"priority\":null" NSG_TAIL, 0, "priority: is null"},
	{"priority missing", NSG_HEAD NSG_RULE_OK NSG_TAIL, 0, "priority: missing"},
	{"70-digit priority", NSG_HEAD NSG_RULE_OK ",\"priority\":"
	 "1234567890123456789012345678901234567890123456789012345678901234567890" NSG_TAIL, 0, "not a whole number"},
	{"priority 1e999", NSG_HEAD NSG_RULE_OK ",\"priority\":1e999" NSG_TAIL, 0, "not a whole number"},
	{"priority 100.5", NSG_HEAD NSG_RULE_OK ",\"priority\":100.5" NSG_TAIL, 0, "not a whole number"},
	{"priority -1", NSG_HEAD NSG_RULE_OK ",\"priority\":-1" NSG_TAIL, 0, "not a whole number"},
	{"properties is an array", "{\"name\":\"n\",\"id\":\"/n\",\"properties\":[]}", 0,
	 "properties: expected an object, got an array"},
	{"properties null", "{\"name\":\"n\",\"id\":\"/n\",\"properties\":null}", 0, "properties: is null"},
	{"securityRules is an object", "{\"name\":\"n\",\"id\":\"/n\",\"properties\":{\"securityRules\":{}}}", 0,
	 "securityRules: expected an array"},
	{"rule is a string", "{\"name\":\"n\",\"id\":\"/n\",\"properties\":{\"securityRules\":[\"r\"]}}", 0,
	 "securityRules[0]: expected an object, got a string"},
	{"name is a number", "{\"name\":7,\"id\":\"/n\",\"properties\":{}}", 0, "name: expected a string, got a number"},
	{"name missing", "{\"id\":\"/n\",\"properties\":{}}", 0, "name: missing"},
	{"top level array", "[1,2]", 0, "expected a JSON object, got an array"},
	{"top level string", "\"x\"", 0, "expected a JSON object"},
	{"empty", "", 0, "empty body"},
	{"whitespace only", "   ", 0, "not valid JSON"},
	{"lone \\ud800", "{\"name\":\"\\ud800\",\"id\":\"/n\",\"properties\":{}}", 0, "not valid JSON"},
	{"lone \\udc00", "{\"name\":\"\\udc00\",\"id\":\"/n\",\"properties\":{}}", 0, "not valid JSON"},
	{"\\u0000 in a name", "{\"name\":\"a\\u0000b\",\"id\":\"/n\",\"properties\":{}}", 0, "NUL"},
	{"raw NUL byte", RAW_NUL, sizeof(RAW_NUL) - 1, "NUL"},
	{"access Maybe", NSG_HEAD "\"protocol\":\"Tcp\",\"sourcePortRange\":\"*\",\"destinationPortRange\":\"22\","
	 "\"sourceAddressPrefix\":\"*\",\"destinationAddressPrefix\":\"*\",\"access\":\"Maybe\",\"direction\":\"Inbound\","
	 "\"priority\":100" NSG_TAIL, 0, "access: 'Maybe' is not Allow or Deny"},
	{"protocol Icmpv6", NSG_HEAD "\"protocol\":\"Icmpv6\",\"sourcePortRange\":\"*\",\"destinationPortRange\":\"22\","
	 "\"sourceAddressPrefix\":\"*\",\"destinationAddressPrefix\":\"*\",\"access\":\"Deny\",\"direction\":\"Inbound\","
	 "\"priority\":100" NSG_TAIL, 0, "protocol: 'Icmpv6'"},
	{"no source address", NSG_HEAD "\"protocol\":\"Tcp\",\"sourcePortRange\":\"*\",\"destinationPortRange\":\"22\","
	 "\"destinationAddressPrefix\":\"*\",\"access\":\"Deny\",\"direction\":\"Inbound\","
	 "\"priority\":100" NSG_TAIL, 0, "no source address prefix or application security group"},
	{"no destination port", NSG_HEAD "\"protocol\":\"Tcp\",\"sourcePortRange\":\"*\","
	 "\"sourceAddressPrefix\":\"*\",\"destinationAddressPrefix\":\"*\",\"access\":\"Deny\",\"direction\":\"Inbound\","
	 "\"priority\":100" NSG_TAIL, 0, "no destination port range"},
	{"prefix list holds a number", NSG_HEAD NSG_RULE_OK ",\"sourceAddressPrefixes\":[\"10.0.0.0/8\",5],\"priority\":100"
	 NSG_TAIL, 0, "sourceAddressPrefixes[1]: expected a string, got a number"},
	{"ASG without id", NSG_HEAD NSG_RULE_OK ",\"destinationApplicationSecurityGroups\":[{}],\"priority\":100"
	 NSG_TAIL, 0, "destinationApplicationSecurityGroups[0].id: missing"},
};

static void test_bad_nsg(void)
{
	char err[NETJSON_ERR_LEN];

	for (size_t i = 0; i < sizeof(bad_nsg) / sizeof(bad_nsg[0]); i++) {
		const struct bad *t = &bad_nsg[i];
		struct body b = mkbodyn(t->text, t->len ? t->len : strlen(t->text));
		struct nsg *n = netjson_nsg(b.p, b.n, err, sizeof(err));

		ok(n == NULL && strstr(err, t->want) != NULL, "bad NSG body, %s: %s", t->name, err);
		nsg_free(n);
		free(b.p);
	}
}

/* A valid body with small twists that must still read the same. */
static void test_sane_nsg(void)
{
	char err[NETJSON_ERR_LEN];
	const char *plain = NSG_HEAD NSG_RULE_OK ",\"priority\":100" NSG_TAIL;
	char text[1024];
	struct body b;
	struct nsg *n;

	snprintf(text, sizeof(text), "\xEF\xBB\xBF%s", plain);
	b = mkbody(text);
	n = netjson_nsg(b.p, b.n, err, sizeof(err));
	ok(n && n->n_rules == 1 && n->rules[0].priority == 100, "UTF-8 BOM skipped (%s)", err);
	nsg_free(n);
	free(b.p);

	snprintf(text, sizeof(text), " \r\n%s \n\t", plain);
	b = mkbody(text);
	n = netjson_nsg(b.p, b.n, err, sizeof(err));
	ok(n && n->n_rules == 1, "surrounding whitespace is fine (%s)", err);
	nsg_free(n);
	free(b.p);

	b = mkbody(NSG_HEAD NSG_RULE_OK ",\"priority\":100,\"sourceAddressPrefixes\":[\"10.0.0.0/8\",\"192.0.2.1\"],"
		   "\"destinationPortRanges\":[\"22\",\"2222-2223\"],\"extra\":{\"nested\":[1,2,{\"x\":null}]}" NSG_TAIL);
	n = netjson_nsg(b.p, b.n, err, sizeof(err));
	ok(n && n->rules[0].side[NSG_SRC].n_addr == 2 && n->rules[0].side[NSG_DST].n_port == 2 &&
	   n->rules[0].side[NSG_DST].port[1].lo == 2222, "plural fields replace singular; unknown keys ignored (%s)", err);
	nsg_free(n);
	free(b.p);

	b = mkbody(NSG_HEAD NSG_RULE_OK ",\"priority\":100,\"sourceAddressPrefixes\":[],\"description\":null" NSG_TAIL);
	n = netjson_nsg(b.p, b.n, err, sizeof(err));
	ok(n && n->rules[0].side[NSG_SRC].n_addr == 1, "empty plural: singular used; null optional ignored (%s)", err);
	nsg_free(n);
	free(b.p);

	b = mkbody("{\"name\":\"n\",\"id\":\"/n\",\"properties\":{}}");
	n = netjson_nsg(b.p, b.n, err, sizeof(err));
	ok(n && n->n_rules == 0, "no rule arrays: an empty NSG (%s)", err);
	nsg_free(n);
	free(b.p);

	b = mkbody(NSG_HEAD NSG_RULE_OK ",\"priority\":100,\"sourceAddressPrefix\":\"Sql.WestEurope\"" NSG_TAIL);
	n = netjson_nsg(b.p, b.n, err, sizeof(err));
	ok(n == NULL && strstr(err, "duplicate key"), "a duplicate sourceAddressPrefix is refused too (%s)", err);
	nsg_free(n);
	free(b.p);

	b = mkbody(NSG_HEAD "\"protocol\":\"Tcp\",\"sourcePortRange\":\"*\",\"destinationPortRange\":\"22\","
		   "\"sourceAddressPrefix\":\"Sql.WestEurope\",\"destinationAddressPrefix\":\"*\",\"access\":\"deny\","
		   "\"direction\":\"inbound\",\"priority\":100" NSG_TAIL);
	n = netjson_nsg(b.p, b.n, err, sizeof(err));
	ok(n && n->rules[0].access == NSG_DENY && n->rules[0].side[NSG_SRC].addr[0].kind == NSG_ADDR_UNKNOWN &&
	   strcmp(n->rules[0].side[NSG_SRC].unknown, "Sql.WestEurope") == 0,
	   "lower-case enums accepted; unknown tag kept as never-matching (%s)", err);
	nsg_free(n);
	free(b.p);
}

static void test_deep_and_big(void)
{
	char err[NETJSON_ERR_LEN];
	size_t depth = 1001, o = 0;
	char *deep = malloc(depth * 2 + 16);
	struct body b;
	struct nsg *n;

	o += (size_t)sprintf(deep, "{\"a\":");
	for (size_t i = 0; i < depth; i++)
		deep[o++] = '[';
	for (size_t i = 0; i < depth; i++)
		deep[o++] = ']';
	deep[o++] = '}';
	b = mkbodyn(deep, o);
	n = netjson_nsg(b.p, b.n, err, sizeof(err));
	ok(!n && strstr(err, "not valid JSON"), "1001-deep nesting: %s", err);
	free(b.p);
	free(deep);

	b.n = NETJSON_MAX_BODY + 1;
	b.p = calloc(1, b.n);
	memset(b.p, ' ', b.n);
	b.p[0] = '{';
	b.p[b.n - 1] = '}';
	n = netjson_nsg(b.p, b.n, err, sizeof(err));
	ok(!n && strstr(err, "limit"), "body over the limit: %s", err);
	free(b.p);

	{
		char id[700], text[900];

		memset(id, 'i', sizeof(id) - 1);
		id[sizeof(id) - 1] = '\0';
		snprintf(text, sizeof(text), "{\"name\":\"n\",\"id\":\"%s\",\"properties\":{}}", id);
		b = mkbody(text);
		n = netjson_nsg(b.p, b.n, err, sizeof(err));
		ok(!n && strstr(err, "id: 699 bytes"), "an id too long is an error: %s", err);
		free(b.p);
	}
	{
		/* 1101 rules: one past the bound. */
		size_t cap = 1200 * 220, len = 0;
		char *big = malloc(cap);

		len += (size_t)snprintf(big, cap, "{\"name\":\"n\",\"id\":\"/n\",\"properties\":{\"securityRules\":[");
		for (int i = 0; i <= NSG_MAX_RULES; i++)
			len += (size_t)snprintf(big + len, cap - len,
						"%s{\"name\":\"r%d\",\"properties\":{" NSG_RULE_OK ",\"priority\":%d}}",
						i ? "," : "", i, 100 + i % 3900);
		len += (size_t)snprintf(big + len, cap - len, "]}}");
		b = mkbodyn(big, len);
		n = netjson_nsg(b.p, b.n, err, sizeof(err));
		ok(!n && strstr(err, "more than 1100 rules"), "rules past the bound: %s", err);
		nsg_free(n);
		free(b.p);
		free(big);
	}
}

/* Every mapper meets every generic bad body: an error with a message, never a crash. */
static void test_every_mapper(void)
{
	static const char *const bodies[] = {
		"{\"1\":1,", "{\"a\":NaN}", "{} x", "[]", "null", "{\"properties\":[]}",
		"{\"name\":null,\"id\":[],\"properties\":{\"ipConfigurations\":{}}}",
		"{\"name\":\"\\ud800\"}", "{\"x\":\"\\u0000\"}", "\xEF\xBB\xBF{}", "{}", "{\"value\":{}}",
		"{\"value\":[1]}", "{\"error\":[]}", "{\"access\":1}",
	};
	char err[NETJSON_ERR_LEN];

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct body b = mkbody(bodies[i]);
		struct nsg *n = nsg_new("n", "");
		struct netjson_public_ip pip;
		struct netjson_nat_rule nat;
		struct netjson_ipflow flow;
		struct netjson_arm_error ae;
		struct netjson_effective *e;
		struct netjson_nic *nic;
		struct netjson_lb *lb;
		struct netjson_fw_rcg *g;
		struct nsg *m;
		int fails = 0, msgs = 0;
		char line[300];

#define TRY(call, failed)                                                                    \
	do {                                                                                 \
		err[0] = 'X';                                                                \
		err[1] = '\0';                                                               \
		call;                                                                        \
		if (failed) {                                                                \
			fails++;                                                             \
			msgs += err[0] != '\0' && strcmp(err, "X") != 0;                     \
		}                                                                            \
	} while (0)
		TRY(m = netjson_nsg(b.p, b.n, err, sizeof(err)), !m);
		nsg_free(m);
		TRY(int rc = netjson_rule_list(b.p, b.n, n, false, err, sizeof(err)), rc < 0);
		TRY(int rc = netjson_rule(b.p, b.n, n, false, err, sizeof(err)), rc < 0);
		TRY(e = netjson_effective(b.p, b.n, err, sizeof(err)), !e);
		netjson_effective_free(e);
		TRY(nic = netjson_nic(b.p, b.n, err, sizeof(err)), !nic);
		netjson_nic_free(nic);
		TRY(int rc = netjson_public_ip(b.p, b.n, &pip, err, sizeof(err)), rc < 0);
		TRY(int rc = netjson_nat_rule(b.p, b.n, &nat, err, sizeof(err)), rc < 0);
		TRY(lb = netjson_lb(b.p, b.n, err, sizeof(err)), !lb);
		netjson_lb_free(lb);
		TRY(g = netjson_fw_rcg(b.p, b.n, err, sizeof(err)), !g);
		netjson_fw_rcg_free(g);
		TRY(int rc = netjson_ipflow(b.p, b.n, &flow, err, sizeof(err)), rc < 0);
		TRY(int rc = netjson_arm_error(b.p, b.n, &ae, err, sizeof(err)), rc < 0);
#undef TRY
		netjson_error_line(b.p, b.n, 400, line, sizeof(line));
		ok(fails == 11 && msgs == 11 && strncmp(line, "HTTP 400", 8) == 0,
		   "bad body %zu: all 11 mappers fail with a message (%d, %d)", i, fails, msgs);
		nsg_free(n);
		free(b.p);
	}
	{
		char tiny[8];
		struct netjson_arm_error ae;

		ok(netjson_arm_error("{", 1, &ae, tiny, sizeof(tiny)) < 0 && strlen(tiny) == 7, "err buffer bound kept");
		ok(netjson_arm_error("{", 1, &ae, NULL, 0) < 0, "NULL err is fine");
	}
	{
		char name[16];

		netjson_id_name("/subscriptions/s/x/networkSecurityGroups/nsg1/", name, sizeof(name));
		is_str(name, "nsg1", "id name, trailing slash");
		netjson_id_name("plain", name, sizeof(name));
		is_str(name, "plain", "id name without slashes");
		netjson_id_name(NULL, name, sizeof(name));
		is_str(name, "", "id name of NULL");
	}
}

int main(void)
{
	test_nsg_get();
	test_rule_list();
	test_rule_get();
	test_effective();
	test_nic();
	test_public_ip();
	test_lb();
	test_firewall();
	test_ipflow();
	test_arm_error();
	test_bad_nsg();
	test_sane_nsg();
	test_deep_and_big();
	test_every_mapper();
	{
		struct netjson_subnet sn;
		char pre[4][NETJSON_IP_LEN];
		const char *sub = "{\"name\":\"default\",\"properties\":{\"addressPrefix\":\"10.20.1.0/24\","
				  "\"networkSecurityGroup\":{\"id\":\"/subscriptions/s/resourceGroups/r/providers/"
				  "Microsoft.Network/networkSecurityGroups/subnet-nsg\"}}}";
		const char *vnet = "{\"properties\":{\"addressSpace\":{\"addressPrefixes\":[\"10.20.0.0/16\",\"fd00::/48\"]}}}";

		ok(netjson_subnet(sub, strlen(sub), &sn, NULL, 0) == 0 &&
		   strcmp(sn.address_prefix, "10.20.1.0/24") == 0 && strstr(sn.nsg_id, "/subnet-nsg"),
		   "subnet: prefix and NSG id");
		const char *plural = "{\"properties\":{\"addressPrefixes\":[\"10.1.0.0/24\"]}}";
		const char *wrong = "{\"properties\":{\"addressPrefix\":7}}";

		ok(netjson_subnet(plural, strlen(plural), &sn, NULL, 0) == 0 &&
		   strcmp(sn.address_prefix, "10.1.0.0/24") == 0 && !sn.nsg_id[0], "subnet: plural prefixes, no NSG");
		ok(netjson_subnet(wrong, strlen(wrong), &sn, NULL, 0) == -1, "subnet: wrong type");
		ok(netjson_subnet("[]", 2, &sn, NULL, 0) == -1, "subnet: not an object");
		ok(netjson_vnet_prefixes(vnet, strlen(vnet), pre, 4, NULL, 0) == 2 && strcmp(pre[1], "fd00::/48") == 0,
		   "VNet address space");
		ok(netjson_vnet_prefixes("{}", 2, pre, 4, NULL, 0) == -1, "VNet without address space");
	}
	return tap_done();
}
