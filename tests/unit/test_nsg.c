#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "azure/nsg.h"
#include "tap.h"

/* The lab's network (DESIGN §6). */
#define CLIENT "198.51.100.7"
#define VM "10.20.1.4"
#define VM2 "10.20.1.5"
#define VM_PUBLIC "203.0.113.10"
#define ASG_WEB "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/asg-web"

/* "Name Priority Dir Access Proto Src Sport Dst Dport" -> one rule; lists are comma-separated. */
static int add_spec(struct nsg *n, const char *spec)
{
	char buf[512], *f[9], *save = NULL;
	int k = 0;

	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *t = strtok_r(buf, " ", &save); t && k < 9; t = strtok_r(NULL, " ", &save))
		f[k++] = t;
	if (k != 9)
		return -1;
	return nsg_add_rule_text(n, f[0], atoi(f[1]), f[2], f[3], f[4], f[5], f[6], f[7], f[8], false);
}

/* specs: NULL-terminated.  specs[0] "-": no NSG at all; "!nodefaults": leave Azure's out. */
static struct nsg *mk(const char *name, const char *const *specs)
{
	struct nsg *n;
	bool defaults = true;

	if (specs[0] && strcmp(specs[0], "-") == 0)
		return NULL;
	n = nsg_new(name, "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/x");
	for (; *specs; specs++) {
		if (strcmp(*specs, "!nodefaults") == 0) {
			defaults = false;
			continue;
		}
		if (add_spec(n, *specs) < 0)
			printf("# bad spec %s\n", *specs);
	}
	if (defaults)
		nsg_add_default_rules(n);
	return n;
}

static void lab_ctx(struct nsg_ctx *c)
{
	nsg_ctx_init(c);
	nsg_ctx_add_vnet(c, "10.20.0.0/16");
	nsg_ctx_add_vnet(c, "fd00:20::/48");
}

#define ALLOW_SSH "AllowSSH 1000 Inbound Allow Tcp * * * 22"

struct tcase {
	const char *name;
	const char *subnet[6];
	const char *nic[6];
	const char *proto, *src;
	int sport;
	const char *dst;
	int dport;
	const char *want;         /* "Allow" / "Deny" */
	const char *want_subnet;  /* deciding rule, NULL: no NSG there */
	const char *want_nic;
	bool uncertain;
};

static const struct tcase cases[] = {
	{"lab baseline", {ALLOW_SSH}, {ALLOW_SSH}, "Tcp", CLIENT, 40000, VM, 22,
	 "Allow", "AllowSSH", "AllowSSH", false},
	{"Deny * 22 at 100 on the NIC", {ALLOW_SSH}, {ALLOW_SSH, "DenySSH 100 Inbound Deny * * * * 22"},
	 "Tcp", CLIENT, 40000, VM, 22, "Deny", "AllowSSH", "DenySSH", false},
	{"no custom rule: DenyAllInBound", {ALLOW_SSH}, {NULL}, "Tcp", CLIENT, 40000, VM, 22,
	 "Deny", "AllowSSH", "DenyAllInBound", false},
	{"bound 4096 still beats the defaults", {"Last 4096 Inbound Allow Tcp * * * 22"},
	 {"Last 4096 Inbound Allow * * * * *"}, "Tcp", CLIENT, 40000, VM, 22, "Allow", "Last", "Last", false},
	{"bound 100 beats 101", {ALLOW_SSH}, {"First 100 Inbound Deny Tcp * * * 22", "Second 101 Inbound Allow Tcp * * * 22"},
	 "Tcp", CLIENT, 40000, VM, 22, "Deny", "AllowSSH", "First", false},
	{"order given does not matter", {ALLOW_SSH}, {"Second 101 Inbound Allow Tcp * * * 22", "First 100 Inbound Deny Tcp * * * 22"},
	 "Tcp", CLIENT, 40000, VM, 22, "Deny", "AllowSSH", "First", false},
	{"equal priorities, Allow and Deny: Deny taken, uncertain", {ALLOW_SSH},
	 {"TieAllow 500 Inbound Allow Tcp * * * 22", "TieDeny 500 Inbound Deny Tcp * * * 22"},
	 "Tcp", CLIENT, 40000, VM, 22, "Deny", "AllowSSH", "TieDeny", true},
	{"equal priorities, same access: certain", {ALLOW_SSH},
	 {"TieA 500 Inbound Allow Tcp * * * 22", "TieB 500 Inbound Allow Tcp * * * 22"},
	 "Tcp", CLIENT, 40000, VM, 22, "Allow", "AllowSSH", "TieA", false},
	{"default AllowVnetInBound for vm2", {NULL}, {NULL}, "Tcp", VM2, 40000, VM, 22,
	 "Allow", "AllowVnetInBound", "AllowVnetInBound", false},
	{"default AllowAzureLoadBalancerInBound for the probe", {NULL}, {NULL}, "Tcp", "168.63.129.16",
	 40000, VM, 22, "Allow", "AllowAzureLoadBalancerInBound", "AllowAzureLoadBalancerInBound", false},
	{"default DenyAllInBound for the internet", {NULL}, {NULL}, "Tcp", CLIENT, 40000, VM, 22,
	 "Deny", "DenyAllInBound", "DenyAllInBound", false},
	{"Internet tag denies the client", {ALLOW_SSH}, {ALLOW_SSH, "DenyInternet 200 Inbound Deny * Internet * * 22"},
	 "Tcp", CLIENT, 40000, VM, 22, "Deny", "AllowSSH", "DenyInternet", false},
	{"Internet tag does not cover the VNet", {ALLOW_SSH}, {ALLOW_SSH, "DenyInternet 200 Inbound Deny * Internet * * 22"},
	 "Tcp", VM2, 40000, VM, 22, "Allow", "AllowSSH", "AllowSSH", false},
	{"Internet tag does not cover AzureLoadBalancer", {ALLOW_SSH}, {ALLOW_SSH, "DenyInternet 200 Inbound Deny * Internet * * 22"},
	 "Tcp", "168.63.129.16", 40000, VM, 22, "Allow", "AllowSSH", "AllowSSH", false},
	{"VirtualNetwork tag: client is outside", {ALLOW_SSH},
	 {"VnetOnly 300 Inbound Allow Tcp VirtualNetwork * * 22", "DenyRest 400 Inbound Deny * * * * *"},
	 "Tcp", CLIENT, 40000, VM, 22, "Deny", "AllowSSH", "DenyRest", false},
	{"VirtualNetwork tag: vm2 is inside", {ALLOW_SSH},
	 {"VnetOnly 300 Inbound Allow Tcp VirtualNetwork * * 22", "DenyRest 400 Inbound Deny * * * * *"},
	 "Tcp", VM2, 40000, VM, 22, "Allow", "AllowSSH", "VnetOnly", false},
	{"AzureLoadBalancer tag is one address", {ALLOW_SSH}, {"DenyAlb 200 Inbound Deny * AzureLoadBalancer * * *", ALLOW_SSH},
	 "Tcp", CLIENT, 40000, VM, 22, "Allow", "AllowSSH", "AllowSSH", false},
	{"unknown tag never matches, and says so", {ALLOW_SSH}, {"DenyStorage 100 Inbound Deny * Storage * * 22", ALLOW_SSH},
	 "Tcp", CLIENT, 40000, VM, 22, "Allow", "AllowSSH", "AllowSSH", true},
	{"unknown tag after the decision is harmless", {ALLOW_SSH}, {"DenyStorage 2000 Inbound Deny * Storage * * 22", ALLOW_SSH},
	 "Tcp", CLIENT, 40000, VM, 22, "Allow", "AllowSSH", "AllowSSH", false},
	{"ports *", {ALLOW_SSH}, {"P 200 Inbound Deny Tcp * * * *"}, "Tcp", CLIENT, 40000, VM, 22,
	 "Deny", "AllowSSH", "P", false},
	{"ports 0-65535", {ALLOW_SSH}, {"P 200 Inbound Deny Tcp * 0-65535 * 0-65535"}, "Tcp", CLIENT, 40000, VM, 22,
	 "Deny", "AllowSSH", "P", false},
	{"ports 22-22", {ALLOW_SSH}, {"P 200 Inbound Deny Tcp * * * 22-22"}, "Tcp", CLIENT, 40000, VM, 22,
	 "Deny", "AllowSSH", "P", false},
	{"ports 20-25", {ALLOW_SSH}, {"P 200 Inbound Deny Tcp * * * 20-25", ALLOW_SSH}, "Tcp", CLIENT, 40000, VM, 22,
	 "Deny", "AllowSSH", "P", false},
	{"ports 23-65535 miss 22", {ALLOW_SSH}, {"P 200 Inbound Deny Tcp * * * 23-65535", ALLOW_SSH}, "Tcp", CLIENT, 40000, VM, 22,
	 "Allow", "AllowSSH", "AllowSSH", false},
	{"plural ports 80,443 miss 22", {ALLOW_SSH}, {"P 200 Inbound Deny Tcp * * * 80,443", ALLOW_SSH}, "Tcp", CLIENT, 40000, VM, 22,
	 "Allow", "AllowSSH", "AllowSSH", false},
	{"plural ports 21,22 hit 22", {ALLOW_SSH}, {"P 200 Inbound Deny Tcp * * * 21,22", ALLOW_SSH}, "Tcp", CLIENT, 40000, VM, 22,
	 "Deny", "AllowSSH", "P", false},
	{"source port range hit", {ALLOW_SSH}, {"P 200 Inbound Deny Tcp * 1024-65535 * 22", ALLOW_SSH}, "Tcp", CLIENT, 40000, VM, 22,
	 "Deny", "AllowSSH", "P", false},
	{"source port range miss", {ALLOW_SSH}, {"P 200 Inbound Deny Tcp * 1024-65535 * 22", ALLOW_SSH}, "Tcp", CLIENT, 500, VM, 22,
	 "Allow", "AllowSSH", "AllowSSH", false},
	{"unparseable port before the decision: uncertain", {ALLOW_SSH}, {"P 200 Inbound Deny Tcp * * * ssh", ALLOW_SSH},
	 "Tcp", CLIENT, 40000, VM, 22, "Allow", "AllowSSH", "AllowSSH", true},
	{"0.0.0.0/0 covers IPv4", {ALLOW_SSH}, {"P 200 Inbound Deny Tcp 0.0.0.0/0 * * 22", ALLOW_SSH}, "Tcp", CLIENT, 40000, VM, 22,
	 "Deny", "AllowSSH", "P", false},
	{"0.0.0.0/0 does not cover IPv6", {ALLOW_SSH}, {"P 200 Inbound Deny Tcp 0.0.0.0/0 * * 22", ALLOW_SSH}, "Tcp",
	 "2001:db8::7", 40000, "fd00:20::4", 22, "Allow", "AllowSSH", "AllowSSH", false},
	{"/32 hit", {ALLOW_SSH}, {"P 200 Inbound Deny Tcp 198.51.100.7/32 * * 22", ALLOW_SSH}, "Tcp", CLIENT, 40000, VM, 22,
	 "Deny", "AllowSSH", "P", false},
	{"/32 miss", {ALLOW_SSH}, {"P 200 Inbound Deny Tcp 198.51.100.8/32 * * 22", ALLOW_SSH}, "Tcp", CLIENT, 40000, VM, 22,
	 "Allow", "AllowSSH", "AllowSSH", false},
	{"single IP hit", {ALLOW_SSH}, {"P 200 Inbound Deny Tcp 198.51.100.7 * * 22", ALLOW_SSH}, "Tcp", CLIENT, 40000, VM, 22,
	 "Deny", "AllowSSH", "P", false},
	{"non-canonical /24 is masked", {ALLOW_SSH}, {"P 200 Inbound Deny Tcp 198.51.100.99/24 * * 22", ALLOW_SSH}, "Tcp",
	 CLIENT, 40000, VM, 22, "Deny", "AllowSSH", "P", false},
	{"/25 boundary miss", {ALLOW_SSH}, {"P 200 Inbound Deny Tcp 198.51.100.128/25 * * 22", ALLOW_SSH}, "Tcp",
	 CLIENT, 40000, VM, 22, "Allow", "AllowSSH", "AllowSSH", false},
	{"plural source prefixes", {ALLOW_SSH}, {"P 200 Inbound Deny Tcp 192.0.2.0/24,198.51.100.0/24 * * 22", ALLOW_SSH},
	 "Tcp", CLIENT, 40000, VM, 22, "Deny", "AllowSSH", "P", false},
	{"IPv6 prefix hit", {ALLOW_SSH}, {"V6 100 Inbound Deny Tcp 2001:db8::/32 * * 22", ALLOW_SSH}, "Tcp",
	 "2001:db8::7", 40000, "fd00:20::4", 22, "Deny", "AllowSSH", "V6", false},
	{"IPv6 prefix vs IPv4 client", {ALLOW_SSH}, {"V6 100 Inbound Deny Tcp 2001:db8::/32 * * 22", ALLOW_SSH}, "Tcp",
	 CLIENT, 40000, VM, 22, "Allow", "AllowSSH", "AllowSSH", false},
	{"::/0 covers IPv6", {ALLOW_SSH}, {"V6 100 Inbound Deny Tcp ::/0 * * 22", ALLOW_SSH}, "Tcp",
	 "2001:db8::7", 40000, "fd00:20::4", 22, "Deny", "AllowSSH", "V6", false},
	{"IPv6 /128 miss", {ALLOW_SSH}, {"V6 100 Inbound Deny Tcp 2001:db8::8/128 * * 22", ALLOW_SSH}, "Tcp",
	 "2001:db8::7", 40000, "fd00:20::4", 22, "Allow", "AllowSSH", "AllowSSH", false},
	{"Allow to the public IP never matches (after NAT)", {ALLOW_SSH},
	 {"AllowPublic 100 Inbound Allow Tcp * * 203.0.113.10/32 22"}, "Tcp", CLIENT, 40000, VM, 22,
	 "Deny", "AllowSSH", "DenyAllInBound", false},
	{"Deny to the public IP never matches (after NAT)", {ALLOW_SSH},
	 {"DenyPublic 100 Inbound Deny Tcp * * 203.0.113.10 22", ALLOW_SSH}, "Tcp", CLIENT, 40000, VM, 22,
	 "Allow", "AllowSSH", "AllowSSH", false},
	{"Allow to the private IP matches", {ALLOW_SSH},
	 {"AllowPrivate 100 Inbound Allow Tcp * * 10.20.1.4/32 22"}, "Tcp", CLIENT, 40000, VM, 22,
	 "Allow", "AllowSSH", "AllowPrivate", false},
	{"subnet denies, NIC allows", {"DenySSH 100 Inbound Deny Tcp * * * 22", ALLOW_SSH}, {ALLOW_SSH},
	 "Tcp", CLIENT, 40000, VM, 22, "Deny", "DenySSH", "AllowSSH", false},
	{"subnet allows, NIC denies", {ALLOW_SSH}, {"DenySSH 100 Inbound Deny Tcp * * * 22", ALLOW_SSH},
	 "Tcp", CLIENT, 40000, VM, 22, "Deny", "AllowSSH", "DenySSH", false},
	{"no subnet NSG", {"-"}, {ALLOW_SSH}, "Tcp", CLIENT, 40000, VM, 22, "Allow", NULL, "AllowSSH", false},
	{"no NSG at all", {"-"}, {"-"}, "Tcp", CLIENT, 40000, VM, 22, "Allow", NULL, NULL, false},
	{"no subnet NSG, NIC denies", {"-"}, {NULL}, "Tcp", CLIENT, 40000, VM, 22, "Deny", NULL, "DenyAllInBound", false},
	{"defaults missing from the data: built-in DenyAllInBound", {ALLOW_SSH}, {"!nodefaults", "Web 100 Inbound Allow Tcp * * * 443"},
	 "Tcp", CLIENT, 40000, VM, 22, "Deny", "AllowSSH", "DenyAllInBound", false},
	{"defaults missing from the data: built-in AllowVnetInBound", {ALLOW_SSH}, {"!nodefaults"},
	 "Tcp", VM2, 40000, VM, 22, "Allow", "AllowSSH", "AllowVnetInBound", false},
	{"UDP rule does not touch TCP", {ALLOW_SSH}, {"U 100 Inbound Deny Udp * * * 22", ALLOW_SSH},
	 "Tcp", CLIENT, 40000, VM, 22, "Allow", "AllowSSH", "AllowSSH", false},
	{"protocol * with port 22 does not catch ICMP", {"AllIcmp 100 Inbound Allow Icmp * * * *"},
	 {"AnyProto22 100 Inbound Allow * * * * 22", "AllIcmp 200 Inbound Allow Icmp * * * *"},
	 "Icmp", CLIENT, 0, VM, 0, "Allow", "AllIcmp", "AllIcmp", false},
	{"protocol * with all ports catches ICMP", {ALLOW_SSH}, {"AnyDeny 100 Inbound Deny * * * * *"},
	 "Icmp", CLIENT, 0, VM, 0, "Deny", "DenyAllInBound", "AnyDeny", false},
	{"Outbound rules do not apply inbound", {ALLOW_SSH}, {"Out 100 Outbound Deny * * * * *", ALLOW_SSH},
	 "Tcp", CLIENT, 40000, VM, 22, "Allow", "AllowSSH", "AllowSSH", false},
};

static void run_case(const struct tcase *t)
{
	struct nsg *s = mk("subnet-nsg", t->subnet), *n = mk("vm1-nsg", t->nic);
	struct nsg_ctx ctx;
	struct nsg_flow f;
	struct nsg_result r;
	enum nsg_proto p;

	lab_ctx(&ctx);
	nsg_parse_proto(t->proto, strlen(t->proto), &p);
	if (nsg_flow_init(&f, NSG_INBOUND, p, t->src, t->sport, t->dst, t->dport) < 0) {
		ok(0, "%s: flow", t->name);
		nsg_free(s);
		nsg_free(n);
		return;
	}
	nsg_evaluate(s, n, &ctx, &f, &r);
	is_str(nsg_access_name(r.access), t->want, "%s: %s", t->name, t->want);
	if (t->want_subnet)
		is_str(r.stage[NSG_STAGE_SUBNET].rule, t->want_subnet, "%s: subnet NSG decided by %s",
		       t->name, t->want_subnet);
	else
		ok(!r.stage[NSG_STAGE_SUBNET].present, "%s: no subnet NSG", t->name);
	if (t->want_nic)
		is_str(r.stage[NSG_STAGE_NIC].rule, t->want_nic, "%s: NIC NSG decided by %s", t->name,
		       t->want_nic);
	else
		ok(!r.stage[NSG_STAGE_NIC].present, "%s: no NIC NSG", t->name);
	ok(r.uncertain == t->uncertain, "%s: %s", t->name, t->uncertain ? "uncertain" : "certain");
	if (r.uncertain)
		ok(r.stage[NSG_STAGE_NIC].n_notes > 0 && strstr(r.summary, "not certain"),
		   "%s: a note and the summary say why (%s)", t->name, r.stage[NSG_STAGE_NIC].notes[0]);
	ok(r.summary[0] != '\0', "%s: summary: %s", t->name, r.summary);
	nsg_free(s);
	nsg_free(n);
}

/* Evaluates one inbound TCP flow to the VM on port 22. */
static void eval(const struct nsg *s, const struct nsg *n, const char *src, struct nsg_result *r,
		 struct nsg_flow *f)
{
	struct nsg_ctx ctx;

	lab_ctx(&ctx);
	nsg_flow_init(f, NSG_INBOUND, NSG_PROTO_TCP, src, 40000, strchr(src, ':') ? "fd00:20::4" : VM, 22);
	nsg_evaluate(s, n, &ctx, f, r);
}

static void test_summary_and_flags(void)
{
	const char *base[] = {ALLOW_SSH, NULL};
	const char *deny[] = {ALLOW_SSH, "DenySSH 100 Inbound Deny * * * * 22", NULL};
	const char *none[] = {NULL};
	struct nsg *s = mk("subnet-nsg", base), *n = mk("vm1-nsg", deny);
	struct nsg_result r;
	struct nsg_flow f;

	eval(s, n, CLIENT, &r, &f);
	is_str(r.summary, "NSG vm1-nsg rule DenySSH (priority 100) denies TCP 22 from 198.51.100.7",
	       "summary names NSG, rule, priority, flow");
	ok(r.decider == NSG_STAGE_NIC, "the NIC NSG decides");
	ok(r.stage[NSG_STAGE_NIC].priority == 100 && !r.stage[NSG_STAGE_NIC].is_default &&
	   r.stage[NSG_STAGE_NIC].access == NSG_DENY, "deciding rule: priority 100, custom, Deny");
	ok(r.stage[NSG_STAGE_SUBNET].access == NSG_ALLOW && r.stage[NSG_STAGE_SUBNET].priority == 1000,
	   "the subnet NSG's own decision is kept: AllowSSH 1000");
	nsg_free(n);

	n = mk("vm1-nsg", none);
	eval(s, n, CLIENT, &r, &f);
	is_str(r.summary,
	       "NSG vm1-nsg default rule DenyAllInBound (priority 65500) denies TCP 22 from 198.51.100.7",
	       "default rule named as such");
	ok(r.stage[NSG_STAGE_NIC].is_default && !r.stage[NSG_STAGE_NIC].builtin_default,
	   "DenyAllInBound flagged default, from the data");
	nsg_free(n);

	n = mk("vm1-nsg", base);
	eval(s, n, CLIENT, &r, &f);
	ok(r.access == NSG_ALLOW && r.decider == -1, "baseline allowed, no decider");
	ok(strstr(r.summary, "allowed") && strstr(r.summary, "subnet-nsg rule AllowSSH (priority 1000) allows") &&
	   strstr(r.summary, "vm1-nsg rule AllowSSH (priority 1000) allows"), "allow summary: %s", r.summary);
	nsg_free(n);
	nsg_free(s);

	s = mk("subnet-nsg", deny);
	n = mk("vm1-nsg", deny);
	eval(s, n, CLIENT, &r, &f);
	ok(r.decider == NSG_STAGE_SUBNET, "both deny: the subnet NSG, first in traffic order, decides");
	ok(strstr(r.summary, "NSG subnet-nsg rule DenySSH (priority 100) denies TCP 22 from 198.51.100.7") == r.summary &&
	   strstr(r.summary, "NSG vm1-nsg rule DenySSH (priority 100) denies it too"), "both named: %s", r.summary);
	nsg_free(n);
	nsg_free(s);

	eval(NULL, NULL, CLIENT, &r, &f);
	is_str(r.summary, "no NSG on the subnet or the NIC: TCP 22 from 198.51.100.7 is not filtered",
	       "no NSG summary");
}

static void test_asg(void)
{
	const char *base[] = {ALLOW_SSH, NULL};
	const char *nic[] = {"WebSSH 500 Inbound Allow Tcp * * asg:" ASG_WEB " 22",
			     "DenyOthers 600 Inbound Deny * * * * *", NULL};
	struct nsg *s = mk("subnet-nsg", base), *n = mk("vm1-nsg", nic);
	struct nsg_ctx ctx;
	struct nsg_flow f;
	struct nsg_result r;
	char upper[sizeof(ASG_WEB)];

	lab_ctx(&ctx);
	ok(n->rules[0].side[NSG_DST].n_asg == 1 && n->rules[0].side[NSG_DST].n_addr == 0,
	   "asg: item became an ASG");
	nsg_flow_init(&f, NSG_INBOUND, NSG_PROTO_TCP, CLIENT, 40000, VM, 22);
	nsg_evaluate(s, n, &ctx, &f, &r);
	is_str(r.stage[NSG_STAGE_NIC].rule, "DenyOthers", "NIC not in the ASG: the ASG rule does not match");
	/* ARM ids are case-insensitive. */
	for (size_t i = 0; i < sizeof(upper); i++)
		upper[i] = (ASG_WEB[i] >= 'a' && ASG_WEB[i] <= 'z') ? (char)(ASG_WEB[i] - 32) : ASG_WEB[i];
	f.dst_asg[f.n_dst_asg++] = "/subscriptions/sub/other/asg";
	f.dst_asg[f.n_dst_asg++] = upper;
	nsg_evaluate(s, n, &ctx, &f, &r);
	is_str(r.stage[NSG_STAGE_NIC].rule, "WebSSH", "NIC in the ASG (id in another case): allowed");
	ok(r.access == NSG_ALLOW, "ASG flow allowed");
	/* An ASG on the source side only matches a flow from that ASG. */
	f.n_src_asg = 0;
	nsg_free(n);
	{
		const char *src_nic[] = {"FromWeb 500 Inbound Deny Tcp asg:" ASG_WEB " * * 22", ALLOW_SSH, NULL};

		n = mk("vm1-nsg", src_nic);
		nsg_evaluate(s, n, &ctx, &f, &r);
		is_str(r.stage[NSG_STAGE_NIC].rule, "AllowSSH", "source ASG: the client is not in it");
		f.src_asg[f.n_src_asg++] = ASG_WEB;
		nsg_evaluate(s, n, &ctx, &f, &r);
		is_str(r.stage[NSG_STAGE_NIC].rule, "FromWeb", "source ASG: a flow from it matches");
	}
	nsg_free(n);
	nsg_free(s);
}

static void test_notes(void)
{
	const char *base[] = {ALLOW_SSH, NULL};
	const char *nic[] = {"DenyStorage 100 Inbound Deny * Storage * * 22", ALLOW_SSH, NULL};
	struct nsg *s = mk("subnet-nsg", base), *n = mk("vm1-nsg", nic);
	struct nsg_result r;
	struct nsg_flow f;
	const struct nsg_decision *d;

	eval(s, n, CLIENT, &r, &f);
	d = &r.stage[NSG_STAGE_NIC];
	ok(d->n_notes == 1 && strstr(d->notes[0], "DenyStorage") && strstr(d->notes[0], "'Storage'") &&
	   strstr(d->notes[0], "not matching"), "unknown tag note: %s", d->notes[0]);
	ok(n->rules[0].side[NSG_SRC].addr[0].kind == NSG_ADDR_UNKNOWN &&
	   strcmp(n->rules[0].side[NSG_SRC].unknown, "Storage") == 0, "the tag is kept as unknown");
	nsg_free(n);
	nsg_free(s);
}

static void test_remedy(void)
{
	struct nsg_remedy rem[NSG_STAGES];
	struct nsg_result r;
	struct nsg_flow f;
	struct nsg *s, *n;
	const char *base[] = {ALLOW_SSH, NULL};
	int k;

	s = mk("subnet-nsg", base);

	{
		const char *nic[] = {ALLOW_SSH, "DenySSH 100 Inbound Deny * * * * 22", NULL};

		n = mk("vm1-nsg", nic);
		eval(s, n, CLIENT, &r, &f);
		k = nsg_propose_allow(s, n, &f, &r, rem);
		ok(k == 1 && rem[0].stage == NSG_STAGE_NIC && strcmp(rem[0].nsg, "vm1-nsg") == 0,
		   "deny at 100: one proposal, on the NIC NSG");
		ok(!rem[0].possible && strstr(rem[0].why, "100") && strstr(rem[0].why, "DenySSH"),
		   "deny at 100: no priority can win, and it says so: %s", rem[0].why);
		nsg_free(n);
	}
	{
		const char *nic[] = {ALLOW_SSH, "DenySSH 200 Inbound Deny * * * * 22", NULL};

		n = mk("vm1-nsg", nic);
		eval(s, n, CLIENT, &r, &f);
		k = nsg_propose_allow(s, n, &f, &r, rem);
		ok(k == 1 && rem[0].possible && rem[0].priority == 199, "deny at 200: priority 199");
		is_str(rem[0].source, "198.51.100.7/32", "source is the client /32");
		ok(rem[0].port == 22 && rem[0].proto == NSG_PROTO_TCP && rem[0].deny_priority == 200,
		   "TCP 22, over the deny at 200");
		ok(strstr(rem[0].nsg_id, "networkSecurityGroups") != NULL, "the NSG id is carried");
		ok(strstr(rem[0].why, NSG_REMEDY_RULE) && strstr(rem[0].why, "199"), "why: %s", rem[0].why);
		nsg_free(n);
	}
	{
		const char *nic2[] = {"Web 999 Outbound Allow Tcp * * * 443", "Db 998 Inbound Allow Tcp * * * 5432",
				      "DenySSH 1000 Inbound Deny * * * * 22", NULL};

		n = mk("vm1-nsg", nic2);
		eval(s, n, CLIENT, &r, &f);
		k = nsg_propose_allow(s, n, &f, &r, rem);
		ok(k == 1 && rem[0].possible && rem[0].priority == 997,
		   "priorities 999 (other direction) and 998 taken: 997 (got %d)", rem[0].priority);
		nsg_free(n);
	}
	{
		const char *nic[] = {NULL};

		n = mk("vm1-nsg", nic);
		eval(s, n, CLIENT, &r, &f);
		k = nsg_propose_allow(s, n, &f, &r, rem);
		ok(k == 1 && rem[0].possible && rem[0].priority == 4096 &&
		   strcmp(rem[0].deny_rule, "DenyAllInBound") == 0, "default deny: priority 4096");
		nsg_free(n);
	}
	{
		const char *nic[] = {"Top 4096 Inbound Allow Tcp * * * 443", NULL};

		n = mk("vm1-nsg", nic);
		eval(s, n, CLIENT, &r, &f);
		k = nsg_propose_allow(s, n, &f, &r, rem);
		ok(k == 1 && rem[0].possible && rem[0].priority == 4095, "4096 taken: 4095");
		nsg_free(n);
	}
	{
		/* An uncertain Deny (unknown tag) at 150 comes before the default deny: go below it. */
		const char *nic[] = {"MaybeDeny 150 Inbound Deny * AzureCloud * * 22", NULL};

		n = mk("vm1-nsg", nic);
		eval(s, n, CLIENT, &r, &f);
		k = nsg_propose_allow(s, n, &f, &r, rem);
		ok(r.stage[NSG_STAGE_NIC].win_below == 150 && k == 1 && rem[0].possible &&
		   rem[0].priority == 149, "uncertain deny at 150: 149 (got %d)", rem[0].priority);
		nsg_free(n);
	}
	{
		/* 100..199 all taken, deny at 200. */
		struct nsg *full = nsg_new("vm1-nsg", "id");
		char name[32];

		for (int p = 100; p < 200; p++) {
			snprintf(name, sizeof(name), "Web%d", p);
			nsg_add_rule_text(full, name, p, "Inbound", "Allow", "Tcp", "*", "*", "*", "443", false);
		}
		nsg_add_rule_text(full, "DenySSH", 200, "Inbound", "Deny", "Tcp", "*", "*", "*", "22", false);
		nsg_add_default_rules(full);
		eval(s, full, CLIENT, &r, &f);
		k = nsg_propose_allow(s, full, &f, &r, rem);
		ok(k == 1 && !rem[0].possible && strstr(rem[0].why, "taken"),
		   "every priority below the deny taken: impossible, says so: %s", rem[0].why);
		nsg_free(full);
	}
	{
		const char *deny[] = {"DenySSH 300 Inbound Deny * * * * 22", ALLOW_SSH, NULL};
		struct nsg *s2 = mk("subnet-nsg", deny);

		n = mk("vm1-nsg", deny);
		eval(s2, n, CLIENT, &r, &f);
		k = nsg_propose_allow(s2, n, &f, &r, rem);
		ok(k == 2 && rem[0].stage == NSG_STAGE_SUBNET && rem[1].stage == NSG_STAGE_NIC &&
		   rem[0].priority == 299 && rem[1].priority == 299, "both deny: two proposals, subnet first");
		nsg_free(n);
		nsg_free(s2);
	}
	{
		const char *nic[] = {"DenySSH 400 Inbound Deny * * * * 22", NULL};

		n = mk("vm1-nsg", nic);
		eval(s, n, "2001:db8::7", &r, &f);
		k = nsg_propose_allow(s, n, &f, &r, rem);
		ok(k == 1 && strcmp(rem[0].source, "2001:db8::7/128") == 0, "IPv6 client: /128 (%s)", rem[0].source);
		nsg_free(n);
	}
	n = mk("vm1-nsg", base);
	eval(s, n, CLIENT, &r, &f);
	ok(nsg_propose_allow(s, n, &f, &r, rem) == 0, "allowed: nothing to propose");
	nsg_free(n);
	nsg_free(s);
}

static void test_outbound(void)
{
	const char *none[] = {NULL};
	const char *nic[] = {"NoWeb 100 Outbound Deny Tcp * * Internet 443", NULL};
	struct nsg *s = mk("subnet-nsg", none), *n = mk("vm1-nsg", nic);
	struct nsg_ctx ctx;
	struct nsg_flow f;
	struct nsg_result r;

	lab_ctx(&ctx);
	nsg_flow_init(&f, NSG_OUTBOUND, NSG_PROTO_TCP, VM, 40000, "192.0.2.30", 80);
	nsg_evaluate(s, n, &ctx, &f, &r);
	ok(r.access == NSG_ALLOW && strcmp(r.stage[NSG_STAGE_NIC].rule, "AllowInternetOutBound") == 0,
	   "outbound to the internet: AllowInternetOutBound");
	f.dport = 443;
	nsg_evaluate(s, n, &ctx, &f, &r);
	ok(r.access == NSG_DENY && r.decider == NSG_STAGE_NIC, "outbound 443: the NIC NSG (first outbound) denies");
	is_str(r.summary, "NSG vm1-nsg rule NoWeb (priority 100) denies TCP 443 to 192.0.2.30", "outbound summary");
	nsg_free(n);
	nsg_free(s);
}

static void test_parsing(void)
{
	struct nsg_addr a;
	struct nsg_portrange pr;
	struct nsg_ip ip;
	enum nsg_proto p;
	char buf[64];

	ok(nsg_parse_addr("10.20.0.0/16", 12, &a) && a.kind == NSG_ADDR_NET && a.bits == 16, "CIDR");
	nsg_addr_format(&a, buf, sizeof(buf));
	is_str(buf, "10.20.0.0/16", "CIDR formats back");
	ok(nsg_parse_addr("10.1.2.3/8", 10, &a), "non-canonical CIDR accepted");
	nsg_addr_format(&a, buf, sizeof(buf));
	is_str(buf, "10.0.0.0/8", "and masked");
	ok(!nsg_parse_addr("10.0.0.0/33", 11, &a) && a.kind == NSG_ADDR_UNKNOWN, "/33 refused");
	ok(!nsg_parse_addr("10.0.0.0/", 9, &a), "empty prefix length refused");
	ok(!nsg_parse_addr("10.0.0.0/1a", 11, &a), "letters in prefix length refused");
	ok(!nsg_parse_addr("300.0.0.1", 9, &a), "octet 300 refused");
	ok(!nsg_parse_addr("", 0, &a), "empty refused");
	ok(nsg_parse_addr("2001:db8::/129", 14, &a) == false, "IPv6 /129 refused");
	ok(nsg_parse_addr("2001:db8::/128", 14, &a) && a.bits == 128, "IPv6 /128");
	ok(nsg_parse_addr("internet", 8, &a) && a.kind == NSG_ADDR_INTERNET, "tags are case-insensitive");
	ok(nsg_parse_addr("VIRTUAL_NETWORK", 15, &a) && a.kind == NSG_ADDR_VNET, "old tag spelling");
	ok(nsg_parse_addr("*", 1, &a) && a.kind == NSG_ADDR_ANY, "*");
	ok(!nsg_parse_addr("AzureCloud.WestEurope", 21, &a) && a.kind == NSG_ADDR_UNKNOWN, "regional tag unknown");
	ok(!nsg_parse_addr("10.0.0.1\0x", 10, &a), "embedded NUL refused");
	ok(nsg_parse_ports("22", 2, &pr) && pr.lo == 22 && pr.hi == 22, "port 22");
	ok(nsg_parse_ports("22-22", 5, &pr) && pr.lo == 22 && pr.hi == 22, "port 22-22");
	ok(nsg_parse_ports("*", 1, &pr) && pr.lo == 0 && pr.hi == 65535, "port *");
	ok(nsg_parse_ports("0-65535", 7, &pr) && pr.lo == 0 && pr.hi == 65535, "port 0-65535");
	ok(!nsg_parse_ports("25-20", 5, &pr) && pr.lo > pr.hi, "reversed range refused");
	ok(!nsg_parse_ports("65536", 5, &pr), "65536 refused");
	ok(!nsg_parse_ports("-22", 3, &pr) && !nsg_parse_ports("22-", 3, &pr), "half ranges refused");
	ok(!nsg_parse_ports("100000", 6, &pr) && !nsg_parse_ports(" 22", 3, &pr), "6 digits and spaces refused");
	ok(nsg_parse_proto("All", 3, &p) && p == NSG_PROTO_ANY, "protocol All is any");
	ok(nsg_parse_proto("TCP", 3, &p) && p == NSG_PROTO_TCP, "protocol TCP");
	ok(!nsg_parse_proto("Icmpv6", 6, &p), "unknown protocol refused");
	ok(nsg_parse_ip("::ffff:1.2.3.4", 14, &ip) && ip.family == 6, "v4-mapped is IPv6");
	ok(!nsg_parse_ip("010.0.0.1", 9, &ip), "leading zero octet refused");
}

static void test_flow_and_bounds(void)
{
	struct nsg_flow f;
	struct nsg_ctx ctx;
	struct nsg *n = nsg_new("big", "id");
	struct nsg_rule *r = NULL;
	int added = 0;

	ok(nsg_flow_init(&f, NSG_INBOUND, NSG_PROTO_TCP, "nope", 1, VM, 22) < 0, "bad source refused");
	ok(nsg_flow_init(&f, NSG_INBOUND, NSG_PROTO_ANY, CLIENT, 1, VM, 22) < 0, "protocol * refused for a flow");
	ok(nsg_flow_init(&f, NSG_INBOUND, NSG_PROTO_TCP, CLIENT, 1, VM, 65536) < 0, "port 65536 refused");
	ok(nsg_flow_init(&f, NSG_INBOUND, NSG_PROTO_ICMP, CLIENT, -1, VM, -1) == 0, "ICMP ignores ports");
	nsg_ctx_init(&ctx);
	ok(nsg_ctx_add_vnet(&ctx, "Internet") < 0 && nsg_ctx_add_vnet(&ctx, "10.0.0.0/8") == 0,
	   "context takes CIDRs only");
	for (int i = 0; i < NSG_MAX_RULES + 5; i++)
		if (nsg_add_rule(n, "r", 100 + i, NSG_INBOUND, NSG_ALLOW, NSG_PROTO_TCP, false))
			added++;
	ok(added == NSG_MAX_RULES && n->n_rules == NSG_MAX_RULES, "rules stop at %d", NSG_MAX_RULES);
	nsg_free(n);
	n = nsg_new("big", "id");
	r = nsg_add_rule(n, "r", 100, NSG_INBOUND, NSG_ALLOW, NSG_PROTO_TCP, false);
	added = 0;
	for (int i = 0; i < NSG_MAX_ITEMS + 5; i++)
		if (nsg_rule_add_addr(n, r, NSG_SRC, "10.0.0.1", 8) == 0)
			added++;
	ok(added == NSG_MAX_ITEMS, "prefixes per list stop at %d", NSG_MAX_ITEMS);
	nsg_free(n);
	nsg_free(NULL);
	ok(1, "nsg_free(NULL) is harmless");
	n = nsg_new("x", "id");
	ok(nsg_add_rule_text(n, "r", 100, "Inbound", "Allow", "Tcp", NULL, "*", "*", "22", false) < 0 &&
	   nsg_add_rule_text(n, "r", 100, "Sideways", "Allow", "Tcp", "*", "*", "*", "22", false) < 0 &&
	   nsg_add_rule_text(n, "r", 100, "Inbound", "Perhaps", "Tcp", "*", "*", "*", "22", false) < 0 &&
	   nsg_add_rule_text(n, "r", 100, "Inbound", "Allow", "Gre", "*", "*", "*", "22", false) < 0 &&
	   n->n_rules == 0, "rule text: NULL list, bad direction, access or protocol refused");
	nsg_free(n);
	{
		struct nsg *e = nsg_new(NULL, NULL);

		ok(e && e->name[0] == '\0', "NULL names become empty");
		nsg_free(e);
	}
	{
		char longname[300];
		struct nsg *e;

		memset(longname, 'a', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		e = nsg_new(longname, longname);
		ok(e && strlen(e->name) == NSG_NAME_LEN - 1, "long names are cut");
		nsg_free(e);
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_summary_and_flags();
	test_asg();
	test_notes();
	test_remedy();
	test_outbound();
	test_parsing();
	test_flow_and_bounds();
	return tap_done();
}
