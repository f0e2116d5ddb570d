/* fuzz_nsg: the NSG evaluator against a brute-force reference.
 *
 * The input picks rule sets (from a small universe of address items, port items, protocols,
 * priorities chosen to collide and to hit the bounds) for a subnet NSG and a NIC NSG, and one
 * flow.  The reference below does not share code with nsg.c: whether an item matches an
 * address or a port comes from truth tables written by hand, and first-match is a full sort.
 * Every field of the decision, the overall verdict and the remedy priority must agree.
 *
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -I. -Isrc \
 *       tests/fuzz/fuzz_nsg.c src/azure/nsg.c -o fuzz_nsg
 *   ./fuzz_nsg -max_total_time=60 tests/fuzz/corpus/nsg
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azure/nsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---------------------------------------------------------------- the universe */

static const char *const ips[] = {
	"198.51.100.7", "10.20.1.5", "10.20.1.4", "168.63.129.16",
	"2001:db8::7",  "192.0.2.1", "203.0.113.10", "fd00:20::4",
};
#define N_IPS 8

/* 'y' matches, 'n' does not, 'u' cannot be evaluated (never matches, may be uncertain).
 * Columns follow ips[]; the VNet is 10.20.0.0/16 + fd00:20::/48, AzureLoadBalancer 168.63.129.16. */
static const struct {
	const char *text;
	const char *truth;
} addrs[] = {
	{"*",                 "yyyyyyyy"},
	{"10.20.0.0/16",      "nyynnnnn"},
	{"10.20.1.4",         "nnynnnnn"},
	{"198.51.100.0/24",   "ynnnnnnn"},
	{"198.51.100.7/32",   "ynnnnnnn"},
	{"0.0.0.0/0",         "yyyynyyn"},
	{"Internet",          "ynnnyyyn"},
	{"VirtualNetwork",    "nyynnnny"},
	{"AzureLoadBalancer", "nnnynnnn"},
	{"Storage",           "uuuuuuuu"},
	{"2001:db8::/32",     "nnnnynnn"},
	{"::/0",              "nnnnynny"},
	{"garbage/99",        "uuuuuuuu"},
	{"203.0.113.10/32",   "nnnnnnyn"},
	{"10.20.1.0/25",      "nyynnnnn"},
	{"198.51.100.128/25", "nnnnnnnn"},
	{"asg",               "--------"},  /* ASG "/a/web": decided by the flow's ASG list */
};
#define N_ADDRS 17
#define ADDR_ASG 16

static const int port_values[] = {22, 80, 40000, 500};
#define N_PORT_VALUES 4

/* Columns follow port_values[]; 'a' in all_ports marks items covering 0-65535. */
static const struct {
	const char *text;
	const char *truth;
	bool all;
} ports[] = {
	{"*", "yyyy", true},     {"22", "ynnn", false},       {"20-25", "ynnn", false},
	{"0-65535", "yyyy", true}, {"22-22", "ynnn", false},  {"23-65535", "nyyy", false},
	{"ssh", "uuuu", false},  {"1024-65535", "nnyn", false}, {"80", "nynn", false},
};
#define N_PORTS 9

static const char *const protos[] = {"Tcp", "Udp", "Icmp", "*", "All"};
static const int prios[] = {100, 101, 150, 199, 200, 4095, 4096, 1000, 65000, 65001, 65500};

/* ---------------------------------------------------------------- input */

struct in {
	const uint8_t *p;
	size_t n;
};

static unsigned take(struct in *in, unsigned mod)
{
	unsigned v = 0;

	if (in->n) {
		v = *in->p++;
		in->n--;
	}
	return mod ? v % mod : v;
}

#define MAX_ITEMS 3
#define MAX_RULES 12

struct rrule {
	int prio;
	enum nsg_dir dir;
	enum nsg_access access;
	int proto;               /* index in protos[] */
	int n_addr[2], addr[2][MAX_ITEMS];
	int n_port[2], port[2][MAX_ITEMS];
	bool is_default;
	char name[40];
};

struct rnsg {
	bool present;
	int n;
	struct rrule r[MAX_RULES + 6];
};

static void gen_nsg(struct in *in, struct rnsg *g, struct nsg **out, const char *name)
{
	int defaults;

	*out = NULL;
	g->present = take(in, 4) != 0;
	g->n = 0;
	if (!g->present)
		return;
	*out = nsg_new(name, "/id");
	g->n = (int)take(in, MAX_RULES + 1);
	defaults = take(in, 3) != 0;
	for (int i = 0; i < g->n; i++) {
		struct rrule *r = &g->r[i];
		unsigned pv = take(in, 0);
		char rname[16];
		struct nsg_rule *nr;

		r->prio = pv < 128 ? prios[pv % (sizeof(prios) / sizeof(prios[0]))] : 100 + (int)(pv % 40);
		r->dir = take(in, 5) == 0 ? NSG_OUTBOUND : NSG_INBOUND;
		r->access = take(in, 2) ? NSG_DENY : NSG_ALLOW;
		r->proto = (int)take(in, 5);
		r->is_default = false;
		snprintf(rname, sizeof(rname), "r%d", i);
		snprintf(r->name, sizeof(r->name), "%s", rname);
		{
			enum nsg_proto p;

			nsg_parse_proto(protos[r->proto], strlen(protos[r->proto]), &p);
			nr = nsg_add_rule(*out, rname, r->prio, r->dir, r->access, p, false);
		}
		if (!nr)
			abort();
		for (int s = 0; s < 2; s++) {
			r->n_addr[s] = 1 + (int)take(in, MAX_ITEMS);
			for (int k = 0; k < r->n_addr[s]; k++) {
				int a = (int)take(in, N_ADDRS);

				r->addr[s][k] = a;
				if (a == ADDR_ASG)
					nsg_rule_add_asg(*out, nr, (enum nsg_side)s, "/a/web");
				else
					nsg_rule_add_addr(*out, nr, (enum nsg_side)s, addrs[a].text,
							  strlen(addrs[a].text));
			}
			r->n_port[s] = 1 + (int)take(in, 2);
			for (int k = 0; k < r->n_port[s]; k++) {
				int q = (int)take(in, N_PORTS);

				r->port[s][k] = q;
				nsg_rule_add_ports(*out, nr, (enum nsg_side)s, ports[q].text, strlen(ports[q].text));
			}
		}
	}
	if (defaults) {
		/* Azure's six, written out again by hand for the reference. */
		static const struct {
			const char *name;
			int prio;
			enum nsg_dir dir;
			enum nsg_access access;
			int src, dst;
		} d[] = {
			{"AllowVnetInBound", 65000, NSG_INBOUND, NSG_ALLOW, 7, 7},
			{"AllowAzureLoadBalancerInBound", 65001, NSG_INBOUND, NSG_ALLOW, 8, 0},
			{"DenyAllInBound", 65500, NSG_INBOUND, NSG_DENY, 0, 0},
			{"AllowVnetOutBound", 65000, NSG_OUTBOUND, NSG_ALLOW, 7, 7},
			{"AllowInternetOutBound", 65001, NSG_OUTBOUND, NSG_ALLOW, 0, 6},
			{"DenyAllOutBound", 65500, NSG_OUTBOUND, NSG_DENY, 0, 0},
		};

		nsg_add_default_rules(*out);
		for (int i = 0; i < 6; i++) {
			struct rrule *r = &g->r[g->n++];

			memset(r, 0, sizeof(*r));
			r->prio = d[i].prio;
			r->dir = d[i].dir;
			r->access = d[i].access;
			r->proto = 3;
			r->is_default = true;
			snprintf(r->name, sizeof(r->name), "%s", d[i].name);
			r->n_addr[0] = r->n_addr[1] = 1;
			r->addr[0][0] = d[i].src;
			r->addr[1][0] = d[i].dst;
			r->n_port[0] = r->n_port[1] = 1;
			r->port[0][0] = r->port[1][0] = 0;
		}
	}
}

/* ---------------------------------------------------------------- the reference */

struct rflow {
	enum nsg_dir dir;
	int proto;               /* 0 TCP, 1 UDP, 2 ICMP */
	int src, dst;            /* ips[] */
	int sport, dport;        /* port_values[] */
	bool src_asg, dst_asg;
};

static char addr_truth(int item, int ip, bool asg)
{
	if (item == ADDR_ASG)
		return asg ? 'y' : 'n';
	return addrs[item].truth[ip];
}

static char side_addr(const struct rrule *r, int s, int ip, bool asg)
{
	bool maybe = false;

	for (int k = 0; k < r->n_addr[s]; k++) {
		char t = addr_truth(r->addr[s][k], ip, asg);

		if (t == 'y')
			return 'y';
		if (t == 'u')
			maybe = true;
	}
	return maybe ? 'u' : 'n';
}

static char side_port(const struct rrule *r, int s, int pv)
{
	bool maybe = false;

	for (int k = 0; k < r->n_port[s]; k++) {
		char t = ports[r->port[s][k]].truth[pv];

		if (t == 'y')
			return 'y';
		if (t == 'u')
			maybe = true;
	}
	return maybe ? 'u' : 'n';
}

static bool side_all(const struct rrule *r, int s)
{
	for (int k = 0; k < r->n_port[s]; k++)
		if (ports[r->port[s][k]].all)
			return true;
	return false;
}

static char ref_match(const struct rrule *r, const struct rflow *f)
{
	char part[4], res = 'y';
	bool any = r->proto >= 3;

	if (r->dir != f->dir)
		return 'n';
	if (!any && r->proto != f->proto)
		return 'n';
	part[0] = side_addr(r, 0, f->src, f->src_asg);
	part[1] = side_addr(r, 1, f->dst, f->dst_asg);
	if (f->proto <= 1) {
		part[2] = side_port(r, 0, f->sport);
		part[3] = side_port(r, 1, f->dport);
	} else if (any) {
		part[2] = side_all(r, 0) ? 'y' : 'n';
		part[3] = side_all(r, 1) ? 'y' : 'n';
	} else {
		part[2] = part[3] = 'y';
	}
	for (int i = 0; i < 4; i++) {
		if (part[i] == 'n')
			return 'n';
		if (part[i] == 'u')
			res = 'u';
	}
	return res;
}

struct ref_decision {
	bool present;
	enum nsg_access access;
	char rule[40];
	int prio;
	bool uncertain;
	bool is_default, builtin;
	int win_below;
};

static const struct rnsg *sort_g;

static int cmp_idx(const void *a, const void *b)
{
	int i = *(const int *)a, j = *(const int *)b;
	const struct rrule *x = &sort_g->r[i], *y = &sort_g->r[j];

	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	if (x->access != y->access)
		return x->access == NSG_DENY ? -1 : 1;
	return i < j ? -1 : i > j;
}

static bool in_vnet_ref(int ip)
{
	return ip == 1 || ip == 2 || ip == 7;
}

static void ref_eval(const struct rnsg *g, const struct rflow *f, struct ref_decision *d)
{
	int idx[MAX_RULES + 6], n = g->n, win = -1;

	memset(d, 0, sizeof(*d));
	d->access = NSG_ALLOW;
	if (!g->present)
		return;
	d->present = true;
	for (int i = 0; i < n; i++)
		idx[i] = i;
	sort_g = g;
	qsort(idx, (size_t)n, sizeof(idx[0]), cmp_idx);
	for (int k = 0; k < n && win < 0; k++)
		if (ref_match(&g->r[idx[k]], f) == 'y')
			win = k;
	if (win >= 0) {
		const struct rrule *w = &g->r[idx[win]];

		snprintf(d->rule, sizeof(d->rule), "%s", w->name);
		d->is_default = w->is_default;
		d->prio = w->prio;
		d->access = w->access;
	} else if (f->dir == NSG_INBOUND) {
		d->is_default = d->builtin = true;
		if (in_vnet_ref(f->src) && in_vnet_ref(f->dst)) {
			snprintf(d->rule, sizeof(d->rule), "AllowVnetInBound");
			d->prio = 65000;
		} else if (f->src == 3) {
			snprintf(d->rule, sizeof(d->rule), "AllowAzureLoadBalancerInBound");
			d->prio = 65001;
		} else {
			snprintf(d->rule, sizeof(d->rule), "DenyAllInBound");
			d->prio = 65500;
			d->access = NSG_DENY;
		}
	} else {
		bool internet = !in_vnet_ref(f->dst) && f->dst != 3;

		d->is_default = d->builtin = true;

		if (in_vnet_ref(f->src) && in_vnet_ref(f->dst)) {
			snprintf(d->rule, sizeof(d->rule), "AllowVnetOutBound");
			d->prio = 65000;
		} else if (internet) {
			snprintf(d->rule, sizeof(d->rule), "AllowInternetOutBound");
			d->prio = 65001;
		} else {
			snprintf(d->rule, sizeof(d->rule), "DenyAllOutBound");
			d->prio = 65500;
			d->access = NSG_DENY;
		}
	}
	d->win_below = d->prio;
	for (int k = 0; k < n; k++) {
		const struct rrule *r = &g->r[idx[k]];
		char m = ref_match(r, f);

		if (win >= 0 && k == win)
			continue;
		if (m == 'y' && win >= 0 && r->prio == d->prio && r->access != d->access)
			d->uncertain = true;
		/* Before the winner; with no winner, before Azure's built-in default (by priority). */
		if (m == 'u' && (win < 0 ? r->prio <= d->prio : k < win)) {
			if (r->access != d->access)
				d->uncertain = true;
			if (r->access == NSG_DENY && r->prio < d->win_below)
				d->win_below = r->prio;
		}
	}
}

static int ref_priority(const struct rnsg *g, int win_below)
{
	int ceiling = win_below > 4097 ? 4097 : win_below;

	for (int p = ceiling - 1; p >= 100; p--) {
		bool used = false;

		for (int i = 0; i < g->n; i++)
			used = used || g->r[i].prio == p;
		if (!used)
			return p;
	}
	return -1;
}

/* ---------------------------------------------------------------- the check */

/* FUZZ_DEBUG=1 in the environment prints the case (for a crash file). */
static void dump(const struct rnsg *g, const char *what)
{
	if (!getenv("FUZZ_DEBUG"))
		return;
	fprintf(stderr, "%s: %s\n", what, g->present ? "" : "absent");
	for (int i = 0; i < g->n; i++) {
		const struct rrule *r = &g->r[i];

		fprintf(stderr, "  %s %d %s %s %s src", r->name, r->prio, nsg_dir_name(r->dir),
			nsg_access_name(r->access), protos[r->proto]);
		for (int k = 0; k < r->n_addr[0]; k++)
			fprintf(stderr, " %s", addrs[r->addr[0][k]].text);
		fprintf(stderr, " sport");
		for (int k = 0; k < r->n_port[0]; k++)
			fprintf(stderr, " %s", ports[r->port[0][k]].text);
		fprintf(stderr, " dst");
		for (int k = 0; k < r->n_addr[1]; k++)
			fprintf(stderr, " %s", addrs[r->addr[1][k]].text);
		fprintf(stderr, " dport");
		for (int k = 0; k < r->n_port[1]; k++)
			fprintf(stderr, " %s", ports[r->port[1][k]].text);
		fprintf(stderr, "\n");
	}
}

static void check_stage(const struct nsg_decision *d, const struct ref_decision *w, const char *what)
{
	if (d->present != w->present)
		abort();
	if (!d->present)
		return;
	if (strcmp(d->rule, w->rule) != 0 || d->is_default != w->is_default ||
	    d->builtin_default != w->builtin || d->access != w->access || d->priority != w->prio ||
	    d->uncertain != w->uncertain || d->win_below != w->win_below) {
		fprintf(stderr, "%s: got %s %d %s unc=%d below=%d, want %s %d %s unc=%d below=%d\n",
			what, d->rule, d->priority, nsg_access_name(d->access), d->uncertain, d->win_below,
			w->rule, w->prio, nsg_access_name(w->access), w->uncertain, w->win_below);
		abort();
	}
	if (d->n_notes > NSG_NOTE_MAX || memchr(d->notes, 0, sizeof(d->notes)) == NULL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = {data, size};
	struct rnsg g[NSG_STAGES];
	struct nsg *n[NSG_STAGES];
	struct rflow rf;
	struct nsg_flow f;
	struct nsg_ctx ctx;
	struct nsg_result res;
	struct nsg_remedy rem[NSG_STAGES];
	struct ref_decision want[NSG_STAGES];
	static const enum nsg_proto fp[] = {NSG_PROTO_TCP, NSG_PROTO_UDP, NSG_PROTO_ICMP};
	enum nsg_access overall = NSG_ALLOW;
	int k;

	gen_nsg(&in, &g[NSG_STAGE_SUBNET], &n[NSG_STAGE_SUBNET], "subnet-nsg");
	gen_nsg(&in, &g[NSG_STAGE_NIC], &n[NSG_STAGE_NIC], "vm1-nsg");
	rf.dir = take(&in, 4) == 0 ? NSG_OUTBOUND : NSG_INBOUND;
	rf.proto = (int)take(&in, 3);
	rf.src = (int)take(&in, N_IPS);
	rf.dst = (int)take(&in, N_IPS);
	rf.sport = (int)take(&in, N_PORT_VALUES);
	rf.dport = (int)take(&in, N_PORT_VALUES);
	rf.src_asg = take(&in, 3) == 0;
	rf.dst_asg = take(&in, 3) == 0;

	nsg_ctx_init(&ctx);
	nsg_ctx_add_vnet(&ctx, "10.20.0.0/16");
	nsg_ctx_add_vnet(&ctx, "fd00:20::/48");
	if (nsg_flow_init(&f, rf.dir, fp[rf.proto], ips[rf.src], port_values[rf.sport], ips[rf.dst],
			  port_values[rf.dport]) < 0)
		abort();
	if (rf.src_asg)
		f.src_asg[f.n_src_asg++] = "/A/Web";
	if (rf.dst_asg)
		f.dst_asg[f.n_dst_asg++] = "/a/WEB";
	nsg_evaluate(n[0], n[1], &ctx, &f, &res);
	dump(&g[0], "subnet");
	dump(&g[1], "nic");
	if (getenv("FUZZ_DEBUG"))
		fprintf(stderr, "flow %s %d %s -> %s:%d %s; %s\n", nsg_dir_name(rf.dir), rf.proto,
			ips[rf.src], ips[rf.dst], port_values[rf.dport], nsg_proto_name(fp[rf.proto]),
			res.summary);

	for (int s = 0; s < NSG_STAGES; s++) {
		ref_eval(&g[s], &rf, &want[s]);
		check_stage(&res.stage[s], &want[s], s == 0 ? "subnet" : "nic");
		if (want[s].present && want[s].access == NSG_DENY)
			overall = NSG_DENY;
	}
	if (res.access != overall || (overall == NSG_ALLOW) != (res.decider < 0))
		abort();
	if (overall == NSG_DENY) {
		int first = rf.dir == NSG_INBOUND ? (want[0].present && want[0].access == NSG_DENY ? 0 : 1)
						  : (want[1].present && want[1].access == NSG_DENY ? 1 : 0);

		if (res.decider != first)
			abort();
	}
	if (!memchr(res.summary, 0, sizeof(res.summary)) || res.summary[0] == '\0')
		abort();

	k = nsg_propose_allow(n[0], n[1], &f, &res, rem);
	{
		int want_k = 0;

		for (int s = 0; s < NSG_STAGES; s++)
			want_k += want[s].present && want[s].access == NSG_DENY;
		if (k != want_k)
			abort();
	}
	for (int i = 0; i < k; i++) {
		int p = ref_priority(&g[rem[i].stage], want[rem[i].stage].win_below);

		if (rem[i].possible != (p >= 0) || (p >= 0 && rem[i].priority != p)) {
			fprintf(stderr, "remedy: got %d %d, want %d\n", rem[i].possible, rem[i].priority, p);
			abort();
		}
	}
	nsg_free(n[0]);
	nsg_free(n[1]);
	return 0;
}
