#include "config.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "azure/netjson.h"
#include "azure/runcmd.h"
#include "util/sanitize.h"
#include "tap.h"

#define NET FIXTURE_DIR "/azure/network/"
#define COMPUTE FIXTURE_DIR "/azure/compute/"
#define HEALTH FIXTURE_DIR "/azure/resourcehealth/"

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

/* head, then item n times with sep between them, then tail: "{\"value\":[" "{}" 3 "," "]}". */
static struct body repeat_join(const char *head, const char *item, int n, const char *sep, const char *tail)
{
	size_t cap = strlen(head) + (strlen(item) + strlen(sep)) * (size_t)n + strlen(tail) + 1, o = 0;
	char *text = malloc(cap);
	struct body b;

	o += (size_t)snprintf(text, cap, "%s", head);
	for (int i = 0; i < n; i++)
		o += (size_t)snprintf(text + o, cap - o, "%s%s", i ? sep : "", item);
	o += (size_t)snprintf(text + o, cap - o, "%s", tail);
	b = mkbodyn(text, o);
	free(text);
	return b;
}

struct bad {
	const char *name;
	const char *text;
	size_t len;               /* 0: strlen */
	const char *want;         /* a piece of the error message */
};

/* Calls a mapper on b: true when it failed as a failure must (its other outputs cleared). */
typedef bool (*refuses_fn)(const struct body *b, char *err, size_t errlen);

static void run_bad(const char *what, const struct bad *t, size_t n, refuses_fn refuses)
{
	char err[NETJSON_ERR_LEN];

	for (size_t i = 0; i < n; i++, t++) {
		struct body b = mkbodyn(t->text, t->len ? t->len : strlen(t->text));

		strcpy(err, "X");
		ok(refuses(&b, err, sizeof(err)) && strstr(err, t->want) != NULL, "bad %s, %s: %s", what, t->name, err);
		free(b.p);
	}
}

#define RUN_BAD(what, table, fn) run_bad(what, table, sizeof(table) / sizeof(table[0]), fn)

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
	b = repeat_join("{\"error\":{\"code\":\"Long\",\"message\":\"xy", "\xC3\xA9" /* é */, 600, "", "\"}}");
	ok(netjson_arm_error(b.p, b.n, &e, err, sizeof(err)) == 0 && strlen(e.message) == 1022 &&
	   sanitize_is_clean(e.message, strlen(e.message), SANITIZE_UTF8),
	   "1202-byte message cut to 1022 bytes, still valid UTF-8 (%zu)", strlen(e.message));
	free(b.p);
}


/* ---------------------------------------------------------------- lists, firewall, health, ... */

/* A body printed into a malloc'd buffer of exactly its length (no NUL after it). */
__attribute__((format(printf, 1, 2)))
static struct body mkbodyf(const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;
	int n;
	struct body b;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	text = malloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(text, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b = mkbodyn(text, (size_t)n);
	free(text);
	return b;
}

static struct body repeat_list(const char *head, const char *item, int n, const char *tail)
{
	return repeat_join(head, item, n, ",", tail);
}

static bool refuses_next_link(const struct body *b, char *err, size_t errlen)
{
	char next[64] = "junk";

	return netjson_next_link(b->p, b->n, next, sizeof(next), err, errlen) < 0 && next[0] == '\0';
}

static bool refuses_pip_list(const struct body *b, char *err, size_t errlen)
{
	struct netjson_public_ip *pips = (void *)1;

	return netjson_public_ip_list(b->p, b->n, &pips, err, errlen) < 0 && pips == NULL;
}

static bool refuses_firewall(const struct body *b, char *err, size_t errlen)
{
	struct netjson_firewall fw;

	return netjson_firewall(b->p, b->n, &fw, err, errlen) < 0;
}

static bool refuses_fw_policy(const struct body *b, char *err, size_t errlen)
{
	char ids[4][NETJSON_ID_LEN];

	return netjson_fw_policy(b->p, b->n, ids, 4, err, errlen) < 0;
}

static bool refuses_health(const struct body *b, char *err, size_t errlen)
{
	struct netjson_health h;

	return netjson_health(b->p, b->n, &h, err, errlen) < 0;
}

/* The list, and the pick from it. */
static bool refuses_watchers(const struct body *b, char *err, size_t errlen)
{
	struct netjson_watcher *w = (void *)1;
	char id[NETJSON_ID_LEN] = "junk", err2[NETJSON_ERR_LEN];

	return netjson_watcher_in(b->p, b->n, "x", id, sizeof(id), err2, sizeof(err2)) < 0 && id[0] == '\0' &&
	       netjson_watchers(b->p, b->n, &w, err, errlen) < 0 && w == NULL && strcmp(err, err2) == 0;
}

static bool refuses_async(const struct body *b, char *err, size_t errlen)
{
	struct netjson_async a;
	char *output = (char *)1;

	return netjson_async_status(b->p, b->n, &a, &output, NULL, err, errlen) < 0 && output == NULL;
}

static bool refuses_vm_list(const struct body *b, char *err, size_t errlen)
{
	struct netjson_vm_list *l = netjson_vm_list(b->p, b->n, err, errlen);

	netjson_vm_list_free(l);
	return l == NULL;
}

static void test_next_link(void)
{
	struct body b = fixture(COMPUTE "VirtualMachine_ListBySubscription_ByLocation.json", "responses", "200", "body");
	char err[NETJSON_ERR_LEN], next[64], tiny[16];
	static const struct bad bad_links[] = {
		{"nextLink a number", "{\"value\":[],\"nextLink\":5}", 0, "nextLink: expected a string, got a number"},
		{"nextLink twice", "{\"value\":[],\"nextLink\":\"https://a/1\",\"nextLink\":\"https://a/2\"}", 0,
		 "nextLink: duplicate key"},
		{"no value", "{\"nextLink\":\"https://a/1\"}", 0, "value: missing"},
		{"value an object", "{\"value\":{},\"nextLink\":\"https://a/1\"}", 0, "value: expected an array"},
		{"CR LF in the link", "{\"value\":[],\"nextLink\":\"https://a/1\\r\\nX-Evil: 1\"}", 0,
		 "nextLink: byte 11 is a space or a control character"},
		{"space in the link", "{\"value\":[],\"nextLink\":\"https://a/ b\"}", 0, "space or a control"},
		{"\\u0000 in the link", "{\"value\":[],\"nextLink\":\"https://a/\\u0000\"}", 0, "NUL"},
		{"longer than the buffer", "{\"value\":[],\"nextLink\":\"https://management.azure.com/subscriptions/"
		 "s/providers/Microsoft.Compute/virtualMachines?api-version=2024-11-01&%24skiptoken=x\"}", 0,
		 "more than the 63 this field holds"},
		{"not JSON", "{\"value\":[],", 0, "not valid JSON"},
	};

	strcpy(next, "junk");
	ok(netjson_next_link(b.p, b.n, next, sizeof(next), err, sizeof(err)) == 0 && next[0] == '\0',
	   "a real list page without nextLink: 0 and \"\" (%s)", err);
	free(b.p);
	b = mkbody("{\"value\":[{\"id\":\"/x\"}],\"nextLink\":\"https://management.azure.com/subscriptions/s/x?%24skiptoken=a\"}");
	ok(netjson_next_link(b.p, b.n, next, sizeof(next), err, sizeof(err)) == 0 &&
	   strcmp(next, "https://management.azure.com/subscriptions/s/x?%24skiptoken=a") == 0, "nextLink read (%s)", err);
	free(b.p);
	b = mkbody("{\"value\":[],\"nextLink\":null}");
	ok(netjson_next_link(b.p, b.n, next, sizeof(next), err, sizeof(err)) == 0 && !next[0], "null: none");
	free(b.p);
	b = mkbody("{\"value\":[],\"nextLink\":\"\"}");
	ok(netjson_next_link(b.p, b.n, next, sizeof(next), err, sizeof(err)) == 0 && !next[0], "\"\": none");
	free(b.p);
	RUN_BAD("nextLink", bad_links, refuses_next_link);
	ok(netjson_next_link("{\"value\":[]}", 12, NULL, 0, err, sizeof(err)) < 0, "no buffer: %s", err);
	ok(netjson_next_link("{\"value\":[],\"nextLink\":\"https://a/b\"}", 37, tiny, sizeof(tiny), NULL, 0) == 0 &&
	   strcmp(tiny, "https://a/b") == 0, "NULL err is fine");
}

static void test_public_ip_list(void)
{
	struct body one = response("PublicIpAddressGet.json"), b;
	struct netjson_public_ip *pips = (void *)1;
	char err[NETJSON_ERR_LEN];
	int n;

	b = mkbodyf("{\"value\":[%.*s,{\"name\":\"fw1-pip1\",\"id\":\"/p/fw1-pip1\",\"properties\":{\"ipAddress\":"
		    "\"203.0.113.20\",\"publicIPAllocationMethod\":\"Static\",\"ipConfiguration\":{\"id\":"
		    "\"/f/azureFirewalls/fw1/azureFirewallIpConfigurations/c1\"}}}],\"nextLink\":\"https://a/next\"}",
		    (int)one.n, one.p);
	n = netjson_public_ip_list(b.p, b.n, &pips, err, sizeof(err));
	ok(n == 2 && pips, "public IP list: 2 (%s)", err);
	if (n == 2) {
		is_str(pips[0].name, "testDNS-ip", "the fixture reads as netjson_public_ip reads it");
		ok(ends_with(pips[0].ipconf_id, "/networkInterfaces/testDNS649/ipConfigurations/ipconfig1") &&
		   strcmp(pips[0].allocation, "Dynamic") == 0 && pips[0].ip_address[0] == '\0', "first: attached, dynamic, no address");
		ok(strcmp(pips[1].ip_address, "203.0.113.20") == 0 && strcmp(pips[1].allocation, "Static") == 0 &&
		   strstr(pips[1].ipconf_id, "/azureFirewallIpConfigurations/"), "second: firewall's static address");
	}
	free(pips);
	free(b.p);
	free(one.p);

	b = mkbody("{\"value\":[]}");
	pips = (void *)1;
	ok(netjson_public_ip_list(b.p, b.n, &pips, err, sizeof(err)) == 0 && pips == NULL, "empty page: 0, NULL");
	free(b.p);

	{
		static const struct bad bad_lists[] = {
			{"no value", "{}", 0, "value: missing"},
			{"value twice", "{\"value\":[],\"value\":[]}", 0, "value: duplicate key"},
			{"element a string", "{\"value\":[\"x\"]}", 0, "value[0]: expected an object, got a string"},
			{"address a number", "{\"value\":[{\"name\":\"a\",\"id\":\"/a\",\"properties\":{}},{\"name\":\"b\","
			 "\"id\":\"/b\",\"properties\":{\"ipAddress\":7}}]}", 0,
			 "value[1].properties.ipAddress: expected a string, got a number"},
			{"address not an IP", "{\"value\":[{\"name\":\"b\",\"id\":\"/b\",\"properties\":{\"ipAddress\":\"1.2.3\"}}]}",
			 0, "value[0].properties.ipAddress: '1.2.3' is not an IP address"},
			{"fqdn twice", "{\"value\":[{\"name\":\"b\",\"id\":\"/b\",\"properties\":{\"dnsSettings\":{\"fqdn\":\"a\","
			 "\"fqdn\":\"b\"}}}]}", 0, "value[0].properties.dnsSettings.fqdn: duplicate key"},
			{"id missing", "{\"value\":[{\"name\":\"b\",\"properties\":{}}]}", 0, "value[0].id: missing"},
			{"NUL in a name", "{\"value\":[{\"name\":\"a\\u0000\",\"id\":\"/b\",\"properties\":{}}]}", 0, "NUL"},
		};

		RUN_BAD("public IP list", bad_lists, refuses_pip_list);
	}
	b = repeat_list("{\"value\":[", "{\"name\":\"p\",\"id\":\"/p\",\"properties\":{}}", NETJSON_MAX_LIST, "]}");
	n = netjson_public_ip_list(b.p, b.n, &pips, err, sizeof(err));
	ok(n == NETJSON_MAX_LIST, "%d public IPs: all read (%s)", NETJSON_MAX_LIST, err);
	free(pips);
	free(b.p);
	b = repeat_list("{\"value\":[", "{\"name\":\"p\",\"id\":\"/p\",\"properties\":{}}", NETJSON_MAX_LIST + 1, "]}");
	ok(netjson_public_ip_list(b.p, b.n, &pips, err, sizeof(err)) < 0 && !pips &&
	   strstr(err, "value: more than 4096 elements"), "%d: %s", NETJSON_MAX_LIST + 1, err);
	free(b.p);
}

static void test_azure_firewall(void)
{
	struct body b = response("AzureFirewallGet.built.json");
	char err[NETJSON_ERR_LEN], ids[4][NETJSON_ID_LEN];
	struct netjson_firewall fw;

	ok(netjson_firewall(b.p, b.n, &fw, err, sizeof(err)) == 0, "Azure Firewall maps (%s)", err);
	is_str(fw.name, "fw1", "firewall name");
	ok(ends_with(fw.id, "/azureFirewalls/fw1"), "firewall id");
	ok(ends_with(fw.policy_id, "/firewallPolicies/fw1-policy"), "policy id");
	ok(fw.n_ipconf == 2 && fw.ipconf_dropped == 0, "two IP configurations");
	is_str(fw.ipconf[0].name, "fw1-ipconfig1", "first ipconf name");
	ok(ends_with(fw.ipconf[0].id, "/azureFirewallIpConfigurations/fw1-ipconfig1"), "first ipconf id");
	is_str(fw.ipconf[0].private_ip, "10.0.1.4", "the firewall's private address");
	ok(ends_with(fw.ipconf[0].public_ip_id, "/publicIPAddresses/fw1-pip1"), "first public IP");
	ok(fw.ipconf[1].private_ip[0] == '\0' && ends_with(fw.ipconf[1].public_ip_id, "/publicIPAddresses/fw1-pip2"),
	   "second: a public IP only");
	free(b.p);

	b = mkbody("{\"name\":\"hubfw\",\"id\":\"/f/azureFirewalls/hubfw\",\"properties\":{\"sku\":{\"name\":\"AZFW_Hub\"},"
		   "\"firewallPolicy\":{\"id\":\"/p/firewallPolicies/p1\"},\"hubIPAddresses\":{\"privateIPAddress\":\"10.0.0.4\"}}}");
	ok(netjson_firewall(b.p, b.n, &fw, err, sizeof(err)) == 0 && fw.n_ipconf == 0 &&
	   strcmp(fw.policy_id, "/p/firewallPolicies/p1") == 0, "secured-hub firewall: no ipConfigurations (%s)", err);
	free(b.p);
	b = mkbody("{\"name\":\"classic\",\"id\":\"/f\",\"properties\":{\"firewallPolicy\":null,\"natRuleCollections\":[]}}");
	ok(netjson_firewall(b.p, b.n, &fw, err, sizeof(err)) == 0 && fw.policy_id[0] == '\0',
	   "classic rules: no policy, null read as absent (%s)", err);
	free(b.p);

	b = repeat_list("{\"name\":\"f\",\"id\":\"/f\",\"properties\":{\"ipConfigurations\":[",
			"{\"name\":\"c\",\"properties\":{\"publicIPAddress\":{\"id\":\"/pip\"}}}", NETJSON_MAX_FW_IPCONF + 3, "]}}");
	ok(netjson_firewall(b.p, b.n, &fw, err, sizeof(err)) == 0 && fw.n_ipconf == NETJSON_MAX_FW_IPCONF &&
	   fw.ipconf_dropped == 3, "%d IP configurations: %d kept, 3 counted (%s)", NETJSON_MAX_FW_IPCONF + 3,
	   NETJSON_MAX_FW_IPCONF, err);
	free(b.p);
	{
		static const struct bad bad_fw[] = {
			{"policy a string", "{\"name\":\"f\",\"id\":\"/f\",\"properties\":{\"firewallPolicy\":\"/p\"}}", 0,
			 "properties.firewallPolicy: expected an object, got a string"},
			{"policy without id", "{\"name\":\"f\",\"id\":\"/f\",\"properties\":{\"firewallPolicy\":{}}}", 0,
			 "properties.firewallPolicy.id: missing"},
			{"policy twice", "{\"name\":\"f\",\"id\":\"/f\",\"properties\":{\"firewallPolicy\":{\"id\":\"/a\"},"
			 "\"firewallPolicy\":{\"id\":\"/b\"}}}", 0, "properties.firewallPolicy: duplicate key"},
			{"no properties", "{\"name\":\"f\",\"id\":\"/f\"}", 0, "properties: missing"},
			{"no name", "{\"id\":\"/f\",\"properties\":{}}", 0, "name: missing"},
			{"ipConfigurations an object", "{\"name\":\"f\",\"id\":\"/f\",\"properties\":{\"ipConfigurations\":{}}}",
			 0, "properties.ipConfigurations: expected an array"},
			{"private address not an IP", "{\"name\":\"f\",\"id\":\"/f\",\"properties\":{\"ipConfigurations\":[{\"name\":"
			 "\"c\",\"properties\":{\"privateIPAddress\":\"10.0.1.400\"}}]}}", 0,
			 "properties.ipConfigurations[0].properties.privateIPAddress: '10.0.1.400' is not an IP address"},
			{"ipconf without name", "{\"name\":\"f\",\"id\":\"/f\",\"properties\":{\"ipConfigurations\":[{}]}}", 0,
			 "properties.ipConfigurations[0].name: missing"},
			{"raw NUL", "{\"name\":\"f\",\"id\":\"/f\0\",\"properties\":{}}", 35, "NUL"},
		};

		RUN_BAD("firewall", bad_fw, refuses_firewall);
	}
	/* A bad element past the kept ones is still an error. */
	b = repeat_list("{\"name\":\"f\",\"id\":\"/f\",\"properties\":{\"ipConfigurations\":[",
			"{\"name\":\"c\"}", NETJSON_MAX_FW_IPCONF + 1, ",{\"name\":5}]}}");
	ok(netjson_firewall(b.p, b.n, &fw, err, sizeof(err)) < 0 && strstr(err, "ipConfigurations[17].name: expected a string"),
	   "a bad dropped element is still refused: %s", err);
	free(b.p);

	b = response("FirewallPolicyGet.built.json");
	ok(netjson_fw_policy(b.p, b.n, ids, 4, err, sizeof(err)) == 2, "firewall policy: 2 groups (%s)", err);
	ok(ends_with(ids[0], "/ruleCollectionGroups/DefaultDnatRuleCollectionGroup") &&
	   ends_with(ids[1], "/ruleCollectionGroups/DefaultNetworkRuleCollectionGroup"), "group ids in order");
	ok(netjson_fw_policy(b.p, b.n, ids, 1, err, sizeof(err)) < 0 &&
	   strstr(err, "properties.ruleCollectionGroups: more than 1 elements"), "more groups than room: %s", err);
	free(b.p);
	b = mkbody("{\"properties\":{}}");
	ok(netjson_fw_policy(b.p, b.n, ids, 4, err, sizeof(err)) == 0, "no groups: 0 (%s)", err);
	free(b.p);
	{
		static const struct bad bad_policy[] = {
			{"group without id", "{\"properties\":{\"ruleCollectionGroups\":[{}]}}", 0,
			 "properties.ruleCollectionGroups[0].id: missing"},
			{"group a string", "{\"properties\":{\"ruleCollectionGroups\":[\"/g\"]}}", 0,
			 "properties.ruleCollectionGroups[0]: expected an object, got a string"},
			{"id a number", "{\"properties\":{\"ruleCollectionGroups\":[{\"id\":1}]}}", 0,
			 "properties.ruleCollectionGroups[0].id: expected a string"},
			{"groups twice", "{\"properties\":{\"ruleCollectionGroups\":[],\"ruleCollectionGroups\":[]}}", 0,
			 "duplicate key"},
			{"no properties", "{\"name\":\"p\"}", 0, "properties: missing"},
		};

		RUN_BAD("firewall policy", bad_policy, refuses_fw_policy);
	}
}

static void test_health(void)
{
	struct body b = fixture(HEALTH "AvailabilityStatus_GetByResource.json", "responses", "200", "body");
	char err[NETJSON_ERR_LEN];
	struct netjson_health h;

	ok(netjson_health(b.p, b.n, &h, err, sizeof(err)) == 0, "resource health maps (%s)", err);
	is_str(h.availability_state, "Unavailable", "availabilityState");
	is_str(h.title, "Unavailable", "title");
	is_str(h.summary, "We're sorry, we couldn't automatically recover your virtual machine", "summary");
	is_str(h.reason_type, "Unplanned", "reasonType");
	is_str(h.occurred, "2016-03-29T09:12:00Z", "occuredTime");
	is_str(h.detailed_status, "Disk problems are preventing us from automatically recovering your virtual machine",
	       "detailedStatus");
	ok(h.n_actions == 2 && h.actions_dropped == 0, "two recommended actions");
	is_str(h.actions[0], "To start this virtual machine, open the resource blade and click Start", "first action");
	free(b.p);

	{
		/* The second status of the list: no title, no reasonType, a curly apostrophe. */
		struct body l = fixture(HEALTH "AvailabilityStatuses_List.json", "responses", "200", "body");
		cJSON *root = cJSON_ParseWithLength(l.p, l.n);
		char *second = cJSON_PrintUnformatted(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "value"), 1));

		b = mkbody(second ? second : "{}");
		ok(netjson_health(b.p, b.n, &h, err, sizeof(err)) == 0 && strcmp(h.availability_state, "Available") == 0 &&
		   h.title[0] == '\0' && h.reason_type[0] == '\0' && h.n_actions == 0, "Available, no title (%s)", err);
		ok(strstr(h.detailed_status, "aren\xE2\x80\x99t") != NULL, "U+2019 kept as its UTF-8 bytes");
		free(b.p);
		cJSON_free(second);
		cJSON_Delete(root);
		free(l.p);
	}

	b = repeat_list("{\"properties\":{\"availabilityState\":\"Degraded\",\"recommendedActions\":[",
			"{\"action\":\"Restart\",\"actionUrl\":\"<#x>\"}", NETJSON_MAX_ACTIONS + 2, "]}}");
	ok(netjson_health(b.p, b.n, &h, err, sizeof(err)) == 0 && h.n_actions == NETJSON_MAX_ACTIONS &&
	   h.actions_dropped == 2 && strcmp(h.actions[3], "Restart") == 0, "first %d actions kept, 2 counted (%s)",
	   NETJSON_MAX_ACTIONS, err);
	free(b.p);
	b = repeat_join("{\"properties\":{\"availabilityState\":\"Unknown\",\"summary\":\"x", "\xC3\xA9", 600, "", "\"}}");
	ok(netjson_health(b.p, b.n, &h, err, sizeof(err)) == 0 && strlen(h.summary) == 511 &&
	   sanitize_is_clean(h.summary, strlen(h.summary), SANITIZE_UTF8),
	   "a 1201-byte summary cut to 511 bytes, valid UTF-8 (%zu)", strlen(h.summary));
	free(b.p);
	{
		static const struct bad bad_health[] = {
			{"state missing", "{\"properties\":{\"summary\":\"s\"}}", 0, "properties.availabilityState: missing"},
			{"state a number", "{\"properties\":{\"availabilityState\":1}}", 0,
			 "properties.availabilityState: expected a string, got a number"},
			{"state twice", "{\"properties\":{\"availabilityState\":\"Available\",\"availabilityState\":\"Unavailable\"}}",
			 0, "properties.availabilityState: duplicate key"},
			{"state too long", "{\"properties\":{\"availabilityState\":\"AvailableAvailableAvailable\"}}", 0,
			 "availabilityState: 27 bytes, more than the 23"},
			{"actions an object", "{\"properties\":{\"availabilityState\":\"Available\",\"recommendedActions\":{}}}", 0,
			 "properties.recommendedActions: expected an array, got an object"},
			{"action a number", "{\"properties\":{\"availabilityState\":\"Available\",\"recommendedActions\":"
			 "[{\"action\":1}]}}", 0, "properties.recommendedActions[0].action: expected a string"},
			{"action null element", "{\"properties\":{\"availabilityState\":\"Available\",\"recommendedActions\":[null]}}",
			 0, "properties.recommendedActions[0]: expected an object, got null"},
			{"summary an array", "{\"properties\":{\"availabilityState\":\"Available\",\"summary\":[]}}", 0,
			 "properties.summary: expected a string, got an array"},
			{"properties a string", "{\"properties\":\"Available\"}", 0, "properties: expected an object"},
			{"\\u0000 in the title", "{\"properties\":{\"availabilityState\":\"Available\",\"title\":\"a\\u0000\"}}", 0,
			 "NUL"},
		};

		RUN_BAD("health", bad_health, refuses_health);
	}
	b = repeat_list("{\"properties\":{\"availabilityState\":\"Degraded\",\"recommendedActions\":[",
			"{\"action\":\"Restart\"}", NETJSON_MAX_ACTIONS, ",{\"action\":false}]}}");
	ok(netjson_health(b.p, b.n, &h, err, sizeof(err)) < 0 && strstr(err, "recommendedActions[4].action"),
	   "a bad action past the kept ones is refused too: %s", err);
	free(b.p);
}

static void test_watchers(void)
{
	struct body b = response("NetworkWatcherListAll.json");
	char err[NETJSON_ERR_LEN], id[NETJSON_ID_LEN], tiny[8];
	struct netjson_watcher *w = NULL;
	int n = netjson_watchers(b.p, b.n, &w, err, sizeof(err));

	ok(n == 2, "network watchers: 2 (%s)", err);
	if (n == 2) {
		ok(ends_with(w[0].id, "/networkWatchers/nw1") && strcmp(w[0].location, "eastus") == 0 &&
		   strcmp(w[0].provisioning, "Succeeded") == 0, "nw1 eastus Succeeded");
		ok(ends_with(w[1].id, "/networkWatchers/nw2") && strcmp(w[1].location, "westus") == 0, "nw2 westus");
	}
	free(w);
	ok(netjson_watcher_in(b.p, b.n, "East US", id, sizeof(id), err, sizeof(err)) == 1 &&
	   ends_with(id, "/networkWatchers/nw1"), "\"East US\" picks nw1 (%s)", err);
	ok(netjson_watcher_in(b.p, b.n, "WESTUS", id, sizeof(id), err, sizeof(err)) == 1 &&
	   ends_with(id, "/networkWatchers/nw2"), "\"WESTUS\" picks nw2");
	strcpy(id, "junk");
	ok(netjson_watcher_in(b.p, b.n, "westeurope", id, sizeof(id), err, sizeof(err)) == 0 && id[0] == '\0',
	   "none in westeurope: 0 and \"\"");
	ok(netjson_watcher_in(b.p, b.n, "", id, sizeof(id), err, sizeof(err)) == 0 && id[0] == '\0',
	   "an empty location matches nothing");
	ok(netjson_watcher_in(b.p, b.n, "eastus", tiny, sizeof(tiny), err, sizeof(err)) < 0 && strstr(err, "value[0].id: 87 bytes, more than the 7"),
	   "an id longer than the buffer: %s", err);
	free(b.p);

	b = mkbody("{\"value\":[{\"id\":\"/nw/failed\",\"location\":\"westeurope\",\"properties\":{\"provisioningState\":"
		   "\"Failed\"}},{\"id\":\"/nw/ok\",\"location\":\"West Europe\",\"properties\":{\"provisioningState\":"
		   "\"Succeeded\"}},{\"id\":\"/nw/later\",\"location\":\"westeurope\"}]}");
	ok(netjson_watcher_in(b.p, b.n, "westeurope", id, sizeof(id), err, sizeof(err)) == 1 && strcmp(id, "/nw/ok") == 0,
	   "a Succeeded watcher beats a Failed one in the same region (%s)", err);
	free(b.p);
	b = mkbody("{\"value\":[{\"id\":\"/nw/only\",\"location\":\"westeurope\",\"properties\":{\"provisioningState\":\"Failed\"}}]}");
	ok(netjson_watcher_in(b.p, b.n, "westeurope", id, sizeof(id), err, sizeof(err)) == 1 && strcmp(id, "/nw/only") == 0,
	   "the only one in the region, even Failed");
	free(b.p);

	ok(netjson_same_location("West Europe", "westeurope") && netjson_same_location(" westeurope ", "WestEurope") &&
	   !netjson_same_location("westeurope", "westeurope2") && !netjson_same_location("west", "westeurope") &&
	   !netjson_same_location(NULL, "x") && !netjson_same_location("x", NULL) && !netjson_same_location("", "") &&
	   !netjson_same_location("  ", " "), "location names without case and spaces");
	{
		static const struct bad bad_nw[] = {
			{"location missing", "{\"value\":[{\"id\":\"/nw\"}]}", 0, "value[0].location: missing"},
			{"location a number", "{\"value\":[{\"id\":\"/nw\",\"location\":1}]}", 0, "value[0].location: expected a string"},
			{"id twice", "{\"value\":[{\"id\":\"/a\",\"id\":\"/b\",\"location\":\"x\"}]}", 0, "value[0].id: duplicate key"},
			{"state an object", "{\"value\":[{\"id\":\"/a\",\"location\":\"x\",\"properties\":{\"provisioningState\":{}}}]}",
			 0, "value[0].properties.provisioningState: expected a string, got an object"},
			{"value missing", "{\"nextLink\":\"https://a\"}", 0, "value: missing"},
			{"raw NUL", "{\"value\":[{\"id\":\"/a\0\",\"location\":\"x\"}]}", 37, "NUL"},
		};

		RUN_BAD("watcher list", bad_nw, refuses_watchers);
	}
	b = repeat_list("{\"value\":[", "{\"id\":\"/nw\",\"location\":\"x\"}", NETJSON_MAX_LIST + 1, "]}");
	ok(netjson_watchers(b.p, b.n, &w, err, sizeof(err)) < 0 && strstr(err, "more than 4096"), "too many: %s", err);
	free(b.p);
}

static void test_async(void)
{
	struct body rc = fixture(COMPUTE "VirtualMachineRunCommand.json", "responses", "200", "body"), b;
	char err[NETJSON_ERR_LEN], *output;
	struct netjson_async a;
	struct runcmd_result r;
	size_t olen = 0;

	b = mkbody("{\"startTime\":\"2025-01-01T00:00:00Z\",\"status\":\"InProgress\",\"name\":\"op\"}");
	ok(netjson_async_status(b.p, b.n, &a, &output, &olen, err, sizeof(err)) == 0 &&
	   a.state == NETJSON_ASYNC_IN_PROGRESS && strcmp(a.status, "InProgress") == 0 && !a.has_output && !output &&
	   olen == 0 && a.error_line[0] == '\0', "InProgress (%s)", err);
	free(b.p);
	b = mkbody("{\"status\":\"Running\"}");
	ok(netjson_async_status(b.p, b.n, &a, NULL, NULL, err, sizeof(err)) == 0 && a.state == NETJSON_ASYNC_IN_PROGRESS,
	   "Running is in progress too");
	free(b.p);
	b = mkbody("{\"status\":\"succeeded\"}");
	ok(netjson_async_status(b.p, b.n, &a, NULL, NULL, err, sizeof(err)) == 0 && a.state == NETJSON_ASYNC_SUCCEEDED,
	   "succeeded, without case");
	free(b.p);
	b = mkbody("{\"status\":\"Canceled\",\"error\":{\"code\":\"OperationCanceled\",\"message\":\"by the user\"}}");
	ok(netjson_async_status(b.p, b.n, &a, NULL, NULL, err, sizeof(err)) == 0 && a.state == NETJSON_ASYNC_CANCELED &&
	   strcmp(a.error_line, "OperationCanceled: by the user") == 0, "Canceled with its error (%s)", a.error_line);
	free(b.p);
	b = mkbody("{\"status\":\"Failed\",\"error\":{\"code\":\"VMAgentStatusCommunicationError\",\"message\":\"VM 'vm1' "
		   "has not reported status for VM agent\",\"details\":[{\"code\":\"Inner\",\"message\":\"one\"},"
		   "{\"code\":\"Inner2\",\"message\":\"two\"}]}}");
	ok(netjson_async_status(b.p, b.n, &a, &output, &olen, err, sizeof(err)) == 0 && a.state == NETJSON_ASYNC_FAILED &&
	   !output, "Failed (%s)", err);
	is_str(a.error_line, "VMAgentStatusCommunicationError: VM 'vm1' has not reported status for VM agent (Inner: one; ...)",
	       "the error line is netjson_error_line's without HTTP");
	free(b.p);

	b = mkbodyf("{\"startTime\":\"2025-01-01T00:00:00Z\",\"endTime\":\"2025-01-01T00:00:09Z\",\"status\":\"Succeeded\","
		    "\"properties\":{\"output\":%.*s},\"name\":\"op\"}", (int)rc.n, rc.p);
	ok(netjson_async_status(b.p, b.n, &a, &output, &olen, err, sizeof(err)) == 0 && a.state == NETJSON_ASYNC_SUCCEEDED &&
	   a.has_output && output && olen == strlen(output), "Succeeded with properties.output (%s)", err);
	ok(output && olen == rc.n && memcmp(output, rc.p, olen) == 0, "output printed back as the run-command answer");
	memset(&r, 0, sizeof(r));
	ok(output && runcmd_parse(output, olen, &r, err, sizeof(err)) == 0 && r.succeeded,
	   "and runcmd_parse reads it (%s)", err);
	runcmd_free(&r);
	free(output);
	ok(netjson_async_status(b.p, b.n, &a, NULL, NULL, err, sizeof(err)) == 0 && a.has_output,
	   "output not wanted: has_output still says so");
	free(b.p);
	free(rc.p);
	b = mkbody("{\"status\":\"Succeeded\",\"properties\":{\"output\":null}}");
	ok(netjson_async_status(b.p, b.n, &a, &output, &olen, err, sizeof(err)) == 0 && !a.has_output && !output,
	   "output null: absent");
	free(b.p);
	b = mkbody("{\"status\":\"Succeeded\",\"properties\":{\"output\":\"text \\u001b[31m\"}}");
	ok(netjson_async_status(b.p, b.n, &a, &output, &olen, err, sizeof(err)) == 0 && output &&
	   strcmp(output, "\"text \\u001b[31m\"") == 0, "a string output printed as JSON, ESC escaped (%s)", output ? output : err);
	free(output);
	free(b.p);
	{
		static const struct bad bad_async[] = {
			{"status missing", "{\"error\":{\"code\":\"c\",\"message\":\"m\"}}", 0, "status: missing"},
			{"status a number", "{\"status\":1}", 0, "status: expected a string, got a number"},
			{"status null", "{\"status\":null}", 0, "status: is null"},
			{"status empty", "{\"status\":\"\"}", 0, "status: empty"},
			{"status twice", "{\"status\":\"InProgress\",\"status\":\"Succeeded\"}", 0, "status: duplicate key"},
			{"error a string", "{\"status\":\"Failed\",\"error\":\"boom\"}", 0, "error: expected an object, got a string"},
			{"error without message", "{\"status\":\"Failed\",\"error\":{\"code\":\"X\"}}", 0, "error.message: missing"},
			{"error details an object", "{\"status\":\"Failed\",\"error\":{\"code\":\"X\",\"message\":\"m\",\"details\":{}}}",
			 0, "error.details: expected an array"},
			{"properties an array", "{\"status\":\"Succeeded\",\"properties\":[]}", 0, "properties: expected an object"},
			{"output twice", "{\"status\":\"Succeeded\",\"properties\":{\"output\":{},\"output\":{}}}", 0,
			 "properties.output: duplicate key"},
			{"\\u0000 in the output", "{\"status\":\"Succeeded\",\"properties\":{\"output\":{\"value\":[{\"message\":"
			 "\"a\\u0000b\"}]}}}", 0, "NUL"},
			{"trailing data", "{\"status\":\"Succeeded\"}}", 0, "trailing data"},
		};

		RUN_BAD("async status", bad_async, refuses_async);
	}
}

static void test_vm_list(void)
{
	struct body b = fixture(COMPUTE "VirtualMachine_List_MinimumSet_Gen.json", "responses", "200", "body");
	char err[NETJSON_ERR_LEN];
	struct netjson_vm_list *l = netjson_vm_list(b.p, b.n, err, sizeof(err));

	ok(l && l->n == 2, "minimal VM list: 2 (%s)", err);
	if (l && l->n == 2) {
		ok(ends_with(l->vm[0].id, "/virtualMachines/{virtualMachineName}") && strcmp(l->vm[0].location, "eastus") == 0,
		   "id and location");
		is_str(l->vm[0].name, "{virtualMachineName}", "no name in the body: the id's last segment");
		ok(l->vm[0].n_nics == 0 && l->vm[0].nics == NULL, "no properties: no NICs");
	}
	netjson_vm_list_free(l);
	free(b.p);
	b = fixture(COMPUTE "VirtualMachine_ListAll_MinimumSet_Gen.json", "responses", "200", "body");
	l = netjson_vm_list(b.p, b.n, err, sizeof(err));
	ok(l && l->n == 2 && strstr(l->vm[1].id, "/resourceGroups/{resourceGroupName}/"), "ListAll: 2 (%s)", err);
	netjson_vm_list_free(l);
	free(b.p);
	b = fixture(COMPUTE "VirtualMachine_ListBySubscription_ByLocation.json", "responses", "200", "body");
	l = netjson_vm_list(b.p, b.n, err, sizeof(err));
	ok(l && l->n == 2, "ListByLocation: 2 full VMs (%s)", err);
	if (l && l->n == 2) {
		is_str(l->vm[1].name, "{virtualMachineName}", "name");
		ok(l->vm[1].n_nics == 1 && ends_with(l->vm[1].nics[0], "/networkInterfaces/{networkInterfaceName}"),
		   "its NIC");
	}
	netjson_vm_list_free(l);
	netjson_vm_list_free(NULL);
	free(b.p);

	b = mkbody("{\"value\":[{\"name\":\"vm1\",\"id\":\"/s/virtualMachines/vm1\",\"location\":\"westeurope\",\"properties\":"
		   "{\"networkProfile\":{\"networkInterfaces\":[{\"id\":\"/n/nic1\",\"properties\":{\"primary\":true}},"
		   "{\"id\":\"/n/nic2\"}]}}}],\"nextLink\":\"https://a/next\"}");
	l = netjson_vm_list(b.p, b.n, err, sizeof(err));
	ok(l && l->n == 1 && strcmp(l->vm[0].name, "vm1") == 0 && l->vm[0].n_nics == 2 &&
	   strcmp(l->vm[0].nics[1], "/n/nic2") == 0, "two NICs in order (%s)", err);
	netjson_vm_list_free(l);
	free(b.p);
	b = repeat_list("{\"value\":[{\"id\":\"/vm\",\"location\":\"x\",\"properties\":{\"networkProfile\":{\"networkInterfaces\":[",
			"{\"id\":\"/nic\"}", NETJSON_MAX_VM_NICS, "]}}}]}");
	l = netjson_vm_list(b.p, b.n, err, sizeof(err));
	ok(l && l->vm[0].n_nics == NETJSON_MAX_VM_NICS, "%d NICs (%s)", NETJSON_MAX_VM_NICS, err);
	netjson_vm_list_free(l);
	free(b.p);
	b = repeat_list("{\"value\":[{\"id\":\"/vm\",\"location\":\"x\",\"properties\":{\"networkProfile\":{\"networkInterfaces\":[",
			"{\"id\":\"/nic\"}", NETJSON_MAX_VM_NICS + 1, "]}}}]}");
	ok(!netjson_vm_list(b.p, b.n, err, sizeof(err)) &&
	   strstr(err, "value[0].properties.networkProfile.networkInterfaces: more than 16 elements"), "%d NICs: %s",
	   NETJSON_MAX_VM_NICS + 1, err);
	free(b.p);
	/* A failure after VMs with NICs were read: nothing leaks (ASan). */
	b = mkbody("{\"value\":[{\"id\":\"/vm1\",\"location\":\"x\",\"properties\":{\"networkProfile\":{\"networkInterfaces\":"
		   "[{\"id\":\"/nic1\"}]}}},{\"id\":\"/vm2\",\"location\":\"x\",\"properties\":{\"networkProfile\":"
		   "{\"networkInterfaces\":[{\"id\":\"/nic2\"},{\"id\":2}]}}}]}");
	ok(!netjson_vm_list(b.p, b.n, err, sizeof(err)) &&
	   strstr(err, "value[1].properties.networkProfile.networkInterfaces[1].id: expected a string"), "bad second VM: %s", err);
	free(b.p);
	{
		char id[NETJSON_ID_LEN + 8];

		memset(id, 'v', sizeof(id) - 1);
		id[sizeof(id) - 1] = '\0';
		b = mkbodyf("{\"value\":[{\"id\":\"/vm/%.300s\",\"location\":\"x\"}]}", id);
		ok(!netjson_vm_list(b.p, b.n, err, sizeof(err)) && strstr(err, "value[0].id: 300 bytes, more than the 127"),
		   "a last id segment too long for a name: %s", err);
		free(b.p);
	}
	{
		static const struct bad bad_vms[] = {
			{"location missing", "{\"value\":[{\"id\":\"/vm\"}]}", 0, "value[0].location: missing"},
			{"id missing", "{\"value\":[{\"location\":\"x\"}]}", 0, "value[0].id: missing"},
			{"name a number", "{\"value\":[{\"id\":\"/vm\",\"name\":3,\"location\":\"x\"}]}", 0, "value[0].name: expected a string"},
			{"networkProfile an array", "{\"value\":[{\"id\":\"/vm\",\"location\":\"x\",\"properties\":{\"networkProfile\":[]}}]}",
			 0, "value[0].properties.networkProfile: expected an object, got an array"},
			{"NIC without id", "{\"value\":[{\"id\":\"/vm\",\"location\":\"x\",\"properties\":{\"networkProfile\":"
			 "{\"networkInterfaces\":[{}]}}}]}", 0, "value[0].properties.networkProfile.networkInterfaces[0].id: missing"},
			{"NIC a string", "{\"value\":[{\"id\":\"/vm\",\"location\":\"x\",\"properties\":{\"networkProfile\":"
			 "{\"networkInterfaces\":[\"/nic\"]}}}]}", 0, "networkInterfaces[0]: expected an object, got a string"},
			{"location twice", "{\"value\":[{\"id\":\"/vm\",\"location\":\"x\",\"location\":\"y\"}]}", 0,
			 "value[0].location: duplicate key"},
			{"value null", "{\"value\":null}", 0, "value: is null"},
			{"raw NUL", "{\"value\":[{\"id\":\"/v\0\",\"location\":\"x\"}]}", 36, "NUL"},
		};

		RUN_BAD("VM list", bad_vms, refuses_vm_list);
	}
	b = repeat_list("{\"value\":[", "{\"id\":\"/vm\",\"location\":\"x\"}", NETJSON_MAX_LIST + 1, "]}");
	ok(!netjson_vm_list(b.p, b.n, err, sizeof(err)) && strstr(err, "value: more than 4096 elements"), "too many VMs: %s", err);
	free(b.p);
}

/* ---------------------------------------------------------------- bad inputs */

#define NSG_HEAD "{\"name\":\"n\",\"id\":\"/n\",\"properties\":{\"securityRules\":[{\"name\":\"r\",\"properties\":{"
#define NSG_RULE_OK "\"protocol\":\"Tcp\",\"sourcePortRange\":\"*\",\"destinationPortRange\":\"22\"," \
	"\"sourceAddressPrefix\":\"*\",\"destinationAddressPrefix\":\"*\",\"access\":\"Deny\",\"direction\":\"Inbound\""
#define NSG_TAIL "}}]}}"

#define RAW_NUL "{\"name\":\"a\0b\",\"id\":\"/n\",\"properties\":{}}"

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
		struct netjson_firewall fw;
		struct netjson_health h;
		struct netjson_async as;
		struct netjson_vm_list *vl;
		struct netjson_public_ip *pips;
		struct netjson_watcher *ws;
		struct nsg *m;
		int fails = 0, msgs = 0, want = 20;
		char line[300], link[256], ids[4][NETJSON_ID_LEN], wid[NETJSON_ID_LEN], *out;

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
		/* {"value":[1]} is a fine page for the generic nextLink reader, and a policy whose
		 * properties hold no ruleCollectionGroups has none. */
		if (strcmp(bodies[i], "{\"value\":[1]}") == 0 || strstr(bodies[i], "\"ipConfigurations\":{}"))
			want--;
		TRY(int rc = netjson_next_link(b.p, b.n, link, sizeof(link), err, sizeof(err)), rc < 0);
		TRY(int rc = netjson_public_ip_list(b.p, b.n, &pips, err, sizeof(err)), rc < 0);
		free(pips);
		TRY(int rc = netjson_firewall(b.p, b.n, &fw, err, sizeof(err)), rc < 0);
		TRY(int rc = netjson_fw_policy(b.p, b.n, ids, 4, err, sizeof(err)), rc < 0);
		TRY(int rc = netjson_health(b.p, b.n, &h, err, sizeof(err)), rc < 0);
		TRY(int rc = netjson_watchers(b.p, b.n, &ws, err, sizeof(err)), rc < 0);
		free(ws);
		TRY(int rc = netjson_watcher_in(b.p, b.n, "eastus", wid, sizeof(wid), err, sizeof(err)), rc < 0);
		TRY(int rc = netjson_async_status(b.p, b.n, &as, &out, NULL, err, sizeof(err)), rc < 0);
		free(out);
		TRY(vl = netjson_vm_list(b.p, b.n, err, sizeof(err)), !vl);
		netjson_vm_list_free(vl);
#undef TRY
		netjson_error_line(b.p, b.n, 400, line, sizeof(line));
		ok(fails == want && msgs == want && strncmp(line, "HTTP 400", 8) == 0,
		   "bad body %zu: all %d mappers fail with a message (%d, %d)", i, want, fails, msgs);
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
	test_next_link();
	test_public_ip_list();
	test_azure_firewall();
	test_health();
	test_watchers();
	test_async();
	test_vm_list();
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
