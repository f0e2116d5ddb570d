#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azure/nsg.h"

enum tri { NO, YES, MAYBE };

/* ASCII-only, so the locale cannot change what a tag or protocol means. */
static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool ieq(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);

	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

static bool ieq_str(const char *a, const char *b)
{
	return ieq(a, strlen(a), b);
}

static void copy_cut(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t n = srclen < dstlen - 1 ? srclen : dstlen - 1;

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ---------------------------------------------------------------- building */

struct nsg *nsg_new(const char *name, const char *id)
{
	struct nsg *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	if (name)
		copy_cut(n->name, sizeof(n->name), name, strlen(name));
	if (id)
		copy_cut(n->id, sizeof(n->id), id, strlen(id));
	return n;
}

static void side_free(struct nsg_rule_side *s)
{
	free(s->addr);
	free(s->port);
	for (int i = 0; i < s->n_asg; i++)
		free(s->asg[i]);
	free(s->asg);
}

void nsg_free(struct nsg *n)
{
	if (!n)
		return;
	for (int i = 0; i < n->n_rules; i++) {
		side_free(&n->rules[i].side[NSG_SRC]);
		side_free(&n->rules[i].side[NSG_DST]);
	}
	free(n->rules);
	free(n);
}

/* arr with room for one more element (count n, capacity *cap), or NULL with arr untouched.
 * Returned rather than stored through a void ** so no pointer is written as another type. */
static void *grow(void *arr, int n, int *cap, size_t sz)
{
	void *p;
	int c;

	if (n < *cap)
		return arr;
	c = *cap ? *cap * 2 : 4;
	p = realloc(arr, (size_t)c * sz);
	if (!p)
		return NULL;
	*cap = c;
	return p;
}

struct nsg_rule *nsg_add_rule(struct nsg *n, const char *name, int priority, enum nsg_dir dir,
			      enum nsg_access access, enum nsg_proto proto, bool is_default)
{
	struct nsg_rule *r;
	void *p;

	if (!n || n->n_rules >= NSG_MAX_RULES)
		return NULL;
	if (!(p = grow(n->rules, n->n_rules, &n->cap_rules, sizeof(*n->rules))))
		return NULL;
	n->rules = p;
	r = &n->rules[n->n_rules++];
	memset(r, 0, sizeof(*r));
	if (name)
		copy_cut(r->name, sizeof(r->name), name, strlen(name));
	r->priority = priority;
	r->dir = dir;
	r->access = access;
	r->proto = proto;
	r->is_default = is_default;
	return r;
}

static void remember_unknown(struct nsg_rule_side *s, const char *text, size_t len)
{
	if (!s->unknown[0])
		copy_cut(s->unknown, sizeof(s->unknown), text, len);
	if (!s->unknown[0])   /* an empty item: still say something */
		copy_cut(s->unknown, sizeof(s->unknown), "(empty)", 7);
}

int nsg_rule_add_addr(struct nsg *n, struct nsg_rule *r, enum nsg_side s, const char *text,
		      size_t len)
{
	struct nsg_rule_side *sd = &r->side[s];
	void *p;

	if (n->n_items >= NSG_MAX_TOTAL_ITEMS || sd->n_addr >= NSG_MAX_ITEMS)
		return -1;
	if (!(p = grow(sd->addr, sd->n_addr, &sd->cap_addr, sizeof(*sd->addr))))
		return -1;
	sd->addr = p;
	if (!nsg_parse_addr(text, len, &sd->addr[sd->n_addr]))
		remember_unknown(sd, text, len);
	sd->n_addr++;
	n->n_items++;
	return 0;
}

int nsg_rule_add_ports(struct nsg *n, struct nsg_rule *r, enum nsg_side s, const char *text,
		       size_t len)
{
	struct nsg_rule_side *sd = &r->side[s];
	void *p;

	if (n->n_items >= NSG_MAX_TOTAL_ITEMS || sd->n_port >= NSG_MAX_ITEMS)
		return -1;
	if (!(p = grow(sd->port, sd->n_port, &sd->cap_port, sizeof(*sd->port))))
		return -1;
	sd->port = p;
	if (!nsg_parse_ports(text, len, &sd->port[sd->n_port]))
		remember_unknown(sd, text, len);
	sd->n_port++;
	n->n_items++;
	return 0;
}

int nsg_rule_add_asg(struct nsg *n, struct nsg_rule *r, enum nsg_side s, const char *id)
{
	struct nsg_rule_side *sd = &r->side[s];
	char *copy;
	void *p;

	if (n->n_items >= NSG_MAX_TOTAL_ITEMS || sd->n_asg >= NSG_MAX_ITEMS)
		return -1;
	if (!(p = grow(sd->asg, sd->n_asg, &sd->cap_asg, sizeof(*sd->asg))))
		return -1;
	sd->asg = p;
	copy = strdup(id);
	if (!copy)
		return -1;
	sd->asg[sd->n_asg++] = copy;
	n->n_items++;
	return 0;
}

/* Adds a comma-separated list of items to one side: addresses (or "asg:" ids) or ports. */
static int add_list(struct nsg *n, struct nsg_rule *r, enum nsg_side s, const char *list,
		    bool ports)
{
	const char *p = list;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int rc;

		if (ports) {
			rc = nsg_rule_add_ports(n, r, s, p, len);
		} else if (len > 4 && ieq(p, 4, "asg:")) {
			char id[NSG_ID_LEN];

			copy_cut(id, sizeof(id), p + 4, len - 4);
			rc = nsg_rule_add_asg(n, r, s, id);
		} else {
			rc = nsg_rule_add_addr(n, r, s, p, len);
		}
		if (rc < 0)
			return -1;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

int nsg_add_rule_text(struct nsg *n, const char *name, int priority, const char *dir,
		      const char *access, const char *proto, const char *src, const char *sport,
		      const char *dst, const char *dport, bool is_default)
{
	enum nsg_dir d;
	enum nsg_access a;
	enum nsg_proto p;
	struct nsg_rule *r;

	if (!n || !dir || !access || !proto || !src || !sport || !dst || !dport ||
	    !nsg_parse_dir(dir, strlen(dir), &d) || !nsg_parse_access(access, strlen(access), &a) ||
	    !nsg_parse_proto(proto, strlen(proto), &p))
		return -1;
	r = nsg_add_rule(n, name, priority, d, a, p, is_default);
	if (!r)
		return -1;
	if (add_list(n, r, NSG_SRC, src, false) < 0 || add_list(n, r, NSG_SRC, sport, true) < 0 ||
	    add_list(n, r, NSG_DST, dst, false) < 0 || add_list(n, r, NSG_DST, dport, true) < 0)
		return -1;
	return 0;
}

/* Azure's default rules: the same table serves nsg_add_default_rules and the evaluation of an
 * NSG whose data lacks them (Azure never lacks them). */
static const struct {
	const char *name;
	int priority;
	enum nsg_dir dir;
	enum nsg_access access;
	const char *src, *dst;
} default_rules[] = {
	{"AllowVnetInBound", 65000, NSG_INBOUND, NSG_ALLOW, "VirtualNetwork", "VirtualNetwork"},
	{"AllowAzureLoadBalancerInBound", 65001, NSG_INBOUND, NSG_ALLOW, "AzureLoadBalancer", "*"},
	{"DenyAllInBound", 65500, NSG_INBOUND, NSG_DENY, "*", "*"},
	{"AllowVnetOutBound", 65000, NSG_OUTBOUND, NSG_ALLOW, "VirtualNetwork", "VirtualNetwork"},
	{"AllowInternetOutBound", 65001, NSG_OUTBOUND, NSG_ALLOW, "*", "Internet"},
	{"DenyAllOutBound", 65500, NSG_OUTBOUND, NSG_DENY, "*", "*"},
};
#define N_DEFAULT_RULES (sizeof(default_rules) / sizeof(default_rules[0]))

int nsg_add_default_rules(struct nsg *n)
{
	for (size_t i = 0; i < N_DEFAULT_RULES; i++)
		if (nsg_add_rule_text(n, default_rules[i].name, default_rules[i].priority,
				      nsg_dir_name(default_rules[i].dir),
				      nsg_access_name(default_rules[i].access), "*",
				      default_rules[i].src, "*", default_rules[i].dst, "*", true) < 0)
			return -1;
	return 0;
}

/* ---------------------------------------------------------------- parsing and naming */

bool nsg_parse_ip(const char *text, size_t len, struct nsg_ip *out)
{
	char buf[64];

	memset(out, 0, sizeof(*out));
	if (!text || len == 0 || len >= sizeof(buf) || memchr(text, '\0', len))
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (memchr(buf, ':', len)) {
		if (inet_pton(AF_INET6, buf, out->a) != 1)
			return false;
		out->family = 6;
	} else {
		if (inet_pton(AF_INET, buf, out->a) != 1)
			return false;
		out->family = 4;
	}
	return true;
}

static int ip_bits(const struct nsg_ip *ip)
{
	return ip->family == 4 ? 32 : 128;
}

static void mask_to(struct nsg_ip *ip, int bits)
{
	for (int i = 0; i < 16; i++) {
		int keep = bits - i * 8;

		if (keep <= 0)
			ip->a[i] = 0;
		else if (keep < 8)
			ip->a[i] &= (unsigned char)(0xFF << (8 - keep));
	}
}

static bool in_net(const struct nsg_ip *ip, const struct nsg_ip *net, int bits)
{
	int full = bits / 8, rest = bits % 8;

	if (ip->family != net->family)
		return false;
	if (memcmp(ip->a, net->a, (size_t)full) != 0)
		return false;
	if (rest) {
		unsigned char m = (unsigned char)(0xFF << (8 - rest));

		if ((ip->a[full] & m) != (net->a[full] & m))
			return false;
	}
	return true;
}

static bool ip_eq(const struct nsg_ip *a, const struct nsg_ip *b)
{
	return a->family == b->family && memcmp(a->a, b->a, 16) == 0;
}

bool nsg_parse_addr(const char *text, size_t len, struct nsg_addr *out)
{
	const char *slash;

	memset(out, 0, sizeof(*out));
	out->kind = NSG_ADDR_UNKNOWN;
	if (!text)
		return false;
	if (ieq(text, len, "*") || ieq(text, len, "any")) {
		out->kind = NSG_ADDR_ANY;
		return true;
	}
	/* The tags and their older spellings, which Azure still accepts. */
	if (ieq(text, len, "Internet")) {
		out->kind = NSG_ADDR_INTERNET;
		return true;
	}
	if (ieq(text, len, "VirtualNetwork") || ieq(text, len, "VIRTUAL_NETWORK")) {
		out->kind = NSG_ADDR_VNET;
		return true;
	}
	if (ieq(text, len, "AzureLoadBalancer") || ieq(text, len, "AZURE_LOADBALANCER")) {
		out->kind = NSG_ADDR_ALB;
		return true;
	}
	slash = memchr(text, '/', len);
	if (slash) {
		size_t blen = len - (size_t)(slash - text) - 1;
		const char *b = slash + 1;
		int bits = 0;

		if (blen == 0 || blen > 3)
			return false;
		for (size_t i = 0; i < blen; i++) {
			if (b[i] < '0' || b[i] > '9')
				return false;
			bits = bits * 10 + (b[i] - '0');
		}
		if (!nsg_parse_ip(text, (size_t)(slash - text), &out->ip) || bits > ip_bits(&out->ip))
			return false;
		out->bits = (unsigned char)bits;
	} else {
		if (!nsg_parse_ip(text, len, &out->ip))
			return false;
		out->bits = (unsigned char)ip_bits(&out->ip);
	}
	mask_to(&out->ip, out->bits);
	out->kind = NSG_ADDR_NET;
	return true;
}

/* Digits only, at most 5 of them, value <= 65535; -1 otherwise. */
static int port_num(const char *s, size_t len)
{
	int v = 0;

	if (len == 0 || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 65535 ? v : -1;
}

bool nsg_parse_ports(const char *text, size_t len, struct nsg_portrange *out)
{
	const char *dash;

	out->lo = 1;
	out->hi = 0;
	if (!text)
		return false;
	if (ieq(text, len, "*") || ieq(text, len, "any")) {
		out->lo = 0;
		out->hi = 65535;
		return true;
	}
	dash = memchr(text, '-', len);
	if (dash) {
		int lo = port_num(text, (size_t)(dash - text));
		int hi = port_num(dash + 1, len - (size_t)(dash - text) - 1);

		if (lo < 0 || hi < 0 || lo > hi)
			return false;
		out->lo = lo;
		out->hi = hi;
		return true;
	}
	out->lo = out->hi = port_num(text, len);
	if (out->lo < 0) {
		out->lo = 1;
		out->hi = 0;
		return false;
	}
	return true;
}

bool nsg_parse_proto(const char *text, size_t len, enum nsg_proto *out)
{
	static const struct {
		const char *s;
		enum nsg_proto p;
	} t[] = {
		{"tcp", NSG_PROTO_TCP}, {"udp", NSG_PROTO_UDP}, {"icmp", NSG_PROTO_ICMP},
		{"esp", NSG_PROTO_ESP}, {"ah", NSG_PROTO_AH},   {"*", NSG_PROTO_ANY},
		{"all", NSG_PROTO_ANY}, {"any", NSG_PROTO_ANY},
	};

	for (size_t i = 0; text && i < sizeof(t) / sizeof(t[0]); i++)
		if (ieq(text, len, t[i].s)) {
			*out = t[i].p;
			return true;
		}
	return false;
}

bool nsg_parse_access(const char *text, size_t len, enum nsg_access *out)
{
	if (text && ieq(text, len, "Allow"))
		*out = NSG_ALLOW;
	else if (text && ieq(text, len, "Deny"))
		*out = NSG_DENY;
	else
		return false;
	return true;
}

bool nsg_parse_dir(const char *text, size_t len, enum nsg_dir *out)
{
	if (text && ieq(text, len, "Inbound"))
		*out = NSG_INBOUND;
	else if (text && ieq(text, len, "Outbound"))
		*out = NSG_OUTBOUND;
	else
		return false;
	return true;
}

const char *nsg_proto_name(enum nsg_proto p)
{
	switch (p) {
	case NSG_PROTO_TCP: return "TCP";
	case NSG_PROTO_UDP: return "UDP";
	case NSG_PROTO_ICMP: return "ICMP";
	case NSG_PROTO_ESP: return "ESP";
	case NSG_PROTO_AH: return "AH";
	case NSG_PROTO_ANY: break;
	}
	return "*";
}

const char *nsg_access_name(enum nsg_access a)
{
	return a == NSG_DENY ? "Deny" : "Allow";
}

const char *nsg_dir_name(enum nsg_dir d)
{
	return d == NSG_OUTBOUND ? "Outbound" : "Inbound";
}

const char *nsg_stage_name(enum nsg_stage s)
{
	return s == NSG_STAGE_NIC ? "NIC" : "subnet";
}

void nsg_ip_format(const struct nsg_ip *ip, char *buf, size_t len)
{
	char tmp[INET6_ADDRSTRLEN];

	if (len == 0)
		return;
	if (!inet_ntop(ip->family == 6 ? AF_INET6 : AF_INET, ip->a, tmp, sizeof(tmp)))
		copy_cut(tmp, sizeof(tmp), "?", 1);
	copy_cut(buf, len, tmp, strlen(tmp));
}

void nsg_addr_format(const struct nsg_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (len == 0)
		return;
	switch ((enum nsg_addr_kind)a->kind) {
	case NSG_ADDR_ANY: copy_cut(buf, len, "*", 1); return;
	case NSG_ADDR_INTERNET: copy_cut(buf, len, "Internet", 8); return;
	case NSG_ADDR_VNET: copy_cut(buf, len, "VirtualNetwork", 14); return;
	case NSG_ADDR_ALB: copy_cut(buf, len, "AzureLoadBalancer", 17); return;
	case NSG_ADDR_UNKNOWN: copy_cut(buf, len, "?", 1); return;
	case NSG_ADDR_NET: break;
	}
	nsg_ip_format(&a->ip, ip, sizeof(ip));
	snprintf(buf, len, "%.*s/%d", (int)sizeof(ip), ip, a->bits);
}

/* ---------------------------------------------------------------- context and flow */

void nsg_ctx_init(struct nsg_ctx *c)
{
	memset(c, 0, sizeof(*c));
	nsg_parse_ip("168.63.129.16", 13, &c->alb);
}

int nsg_ctx_add_vnet(struct nsg_ctx *c, const char *cidr)
{
	struct nsg_addr a;

	if (c->n_vnet >= NSG_CTX_MAX_PREFIXES || !cidr || !nsg_parse_addr(cidr, strlen(cidr), &a) ||
	    a.kind != NSG_ADDR_NET)
		return -1;
	c->vnet[c->n_vnet++] = a;
	return 0;
}

static bool proto_has_ports(enum nsg_proto p)
{
	return p == NSG_PROTO_TCP || p == NSG_PROTO_UDP;
}

int nsg_flow_init(struct nsg_flow *f, enum nsg_dir dir, enum nsg_proto proto, const char *src,
		  int sport, const char *dst, int dport)
{
	memset(f, 0, sizeof(*f));
	f->dir = dir;
	f->proto = proto;
	if (proto == NSG_PROTO_ANY || !src || !dst || !nsg_parse_ip(src, strlen(src), &f->src) ||
	    !nsg_parse_ip(dst, strlen(dst), &f->dst))
		return -1;
	if (proto_has_ports(proto)) {
		if (sport < 0 || sport > 65535 || dport < 0 || dport > 65535)
			return -1;
		f->sport = sport;
		f->dport = dport;
	}
	return 0;
}

/* ---------------------------------------------------------------- evaluation */

static bool in_vnet(const struct nsg_ctx *ctx, const struct nsg_ip *ip)
{
	for (int i = 0; i < ctx->n_vnet; i++)
		if (in_net(ip, &ctx->vnet[i].ip, ctx->vnet[i].bits))
			return true;
	return false;
}

bool nsg_addr_match(const struct nsg_addr *a, const struct nsg_ip *ip, const struct nsg_ctx *ctx)
{
	switch ((enum nsg_addr_kind)a->kind) {
	case NSG_ADDR_ANY: return true;
	case NSG_ADDR_NET: return in_net(ip, &a->ip, a->bits);
	case NSG_ADDR_VNET: return in_vnet(ctx, ip);
	case NSG_ADDR_ALB: return ip_eq(ip, &ctx->alb);
	case NSG_ADDR_INTERNET: return !in_vnet(ctx, ip) && !ip_eq(ip, &ctx->alb);
	case NSG_ADDR_UNKNOWN: break;
	}
	return false;
}

static enum tri addr_side(const struct nsg_rule_side *s, const struct nsg_ip *ip,
			  const char *const *asg, int n_asg, const struct nsg_ctx *ctx)
{
	bool maybe = false;

	for (int i = 0; i < s->n_addr; i++) {
		if (s->addr[i].kind == NSG_ADDR_UNKNOWN)
			maybe = true;
		else if (nsg_addr_match(&s->addr[i], ip, ctx))
			return YES;
	}
	for (int i = 0; i < s->n_asg; i++)
		for (int j = 0; j < n_asg && j < NSG_FLOW_MAX_ASG; j++)
			if (asg[j] && ieq_str(s->asg[i], asg[j]))
				return YES;
	return maybe ? MAYBE : NO;
}

static enum tri port_side(const struct nsg_rule_side *s, int port)
{
	bool maybe = false;

	for (int i = 0; i < s->n_port; i++) {
		if (s->port[i].lo > s->port[i].hi)
			maybe = true;
		else if (s->port[i].lo <= port && port <= s->port[i].hi)
			return YES;
	}
	return maybe ? MAYBE : NO;
}

static bool all_ports(const struct nsg_rule_side *s)
{
	for (int i = 0; i < s->n_port; i++)
		if (s->port[i].lo == 0 && s->port[i].hi == 65535)
			return true;
	return false;
}

static enum tri rule_match(const struct nsg_rule *r, const struct nsg_flow *f,
			   const struct nsg_ctx *ctx)
{
	enum tri part[4], res = YES;

	if (r->dir != f->dir || (r->proto != NSG_PROTO_ANY && r->proto != f->proto))
		return NO;
	part[0] = addr_side(&r->side[NSG_SRC], &f->src, f->src_asg, f->n_src_asg, ctx);
	part[1] = addr_side(&r->side[NSG_DST], &f->dst, f->dst_asg, f->n_dst_asg, ctx);
	if (proto_has_ports(f->proto)) {
		part[2] = port_side(&r->side[NSG_SRC], f->sport);
		part[3] = port_side(&r->side[NSG_DST], f->dport);
	} else if (r->proto == NSG_PROTO_ANY) {
		/* A "*" rule limited to some ports only catches TCP and UDP (as the lab renders it). */
		part[2] = all_ports(&r->side[NSG_SRC]) ? YES : NO;
		part[3] = all_ports(&r->side[NSG_DST]) ? YES : NO;
	} else {
		part[2] = part[3] = YES;
	}
	for (int i = 0; i < 4; i++) {
		if (part[i] == NO)
			return NO;
		if (part[i] == MAYBE)
			res = MAYBE;
	}
	return res;
}

/* First-match order: priority, then Deny before Allow on a tie (Azure refuses ties; when the
 * data has one anyway, the safer reading), then the order given. */
static bool before(const struct nsg_rule *a, int ia, const struct nsg_rule *b, int ib)
{
	if (a->priority != b->priority)
		return a->priority < b->priority;
	if (a->access != b->access)
		return a->access == NSG_DENY;
	return ia < ib;
}

__attribute__((format(printf, 2, 3)))
static void note(struct nsg_decision *d, const char *fmt, ...)
{
	va_list ap;

	if (d->n_notes >= NSG_NOTE_MAX) {
		d->notes_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(d->notes[d->n_notes++], NSG_NOTE_LEN, fmt, ap);
	va_end(ap);
}

static const char *unknown_text(const struct nsg_rule *r)
{
	return r->side[NSG_SRC].unknown[0] ? r->side[NSG_SRC].unknown : r->side[NSG_DST].unknown;
}

/* No rule in the data matched: Azure's own default rules, which every NSG has, decide. */
static void builtin_default(struct nsg_decision *d, const struct nsg_ctx *ctx,
			    const struct nsg_flow *f)
{
	for (size_t i = 0; i < N_DEFAULT_RULES; i++) {
		struct nsg_addr s, t;

		if (default_rules[i].dir != f->dir)
			continue;
		nsg_parse_addr(default_rules[i].src, strlen(default_rules[i].src), &s);
		nsg_parse_addr(default_rules[i].dst, strlen(default_rules[i].dst), &t);
		if (!nsg_addr_match(&s, &f->src, ctx) || !nsg_addr_match(&t, &f->dst, ctx))
			continue;
		copy_cut(d->rule, sizeof(d->rule), default_rules[i].name, strlen(default_rules[i].name));
		d->priority = default_rules[i].priority;
		d->access = default_rules[i].access;
		d->is_default = true;
		d->builtin_default = true;
		note(d, "no rule in the data matched: Azure's default rule %s decides", d->rule);
		return;
	}
}

void nsg_evaluate_one(const struct nsg *n, const struct nsg_ctx *ctx, const struct nsg_flow *f,
		      struct nsg_decision *d)
{
	int win = -1;

	memset(d, 0, sizeof(*d));
	d->access = NSG_ALLOW;
	if (!n)
		return;
	d->present = true;
	copy_cut(d->nsg, sizeof(d->nsg), n->name, strlen(n->name));
	/* The lowest matching rule is the first match: no sort needed. */
	for (int i = 0; i < n->n_rules; i++)
		if ((win < 0 || before(&n->rules[i], i, &n->rules[win], win)) &&
		    rule_match(&n->rules[i], f, ctx) == YES)
			win = i;
	if (win >= 0) {
		const struct nsg_rule *w = &n->rules[win];

		copy_cut(d->rule, sizeof(d->rule), w->name, strlen(w->name));
		d->priority = w->priority;
		d->access = w->access;
		d->is_default = w->is_default;
	} else {
		builtin_default(d, ctx, f);
	}
	d->win_below = d->priority;
	/* Rules that tie with the winner, and rules before it that could not be evaluated. */
	for (int i = 0; i < n->n_rules; i++) {
		const struct nsg_rule *r = &n->rules[i];
		enum tri m;

		if (i == win || r->priority > d->priority)
			continue;
		m = rule_match(r, f, ctx);
		if (m == YES && win >= 0 && r->priority == d->priority) {
			note(d, "rules %.*s and %.*s share priority %d (Azure refuses that); %.*s "
			     "was taken first", 60, d->rule, 60, r->name, d->priority, 60, d->rule);
			if (r->access != d->access)
				d->uncertain = true;
		} else if (m == MAYBE && (win < 0 || before(r, i, &n->rules[win], win))) {
			note(d, "rule %.*s (priority %d, %s) uses '%.*s', which cannot be evaluated "
			     "offline: taken as not matching", 60, r->name, r->priority,
			     nsg_access_name(r->access), 60, unknown_text(r));
			if (r->access != d->access)
				d->uncertain = true;
			if (r->access == NSG_DENY && r->priority < d->win_below)
				d->win_below = r->priority;
		}
	}
}

static int flow_text(const struct nsg_flow *f, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	nsg_ip_format(f->dir == NSG_INBOUND ? &f->src : &f->dst, ip, sizeof(ip));
	if (proto_has_ports(f->proto))
		return snprintf(buf, len, "%s %d %s %.*s", nsg_proto_name(f->proto), f->dport,
				f->dir == NSG_INBOUND ? "from" : "to", (int)sizeof(ip), ip);
	return snprintf(buf, len, "%s %s %.*s", nsg_proto_name(f->proto),
			f->dir == NSG_INBOUND ? "from" : "to", (int)sizeof(ip), ip);
}

static int rule_text(const struct nsg_decision *d, char *buf, size_t len)
{
	return snprintf(buf, len, "NSG %.*s %s %.*s (priority %d)", 100, d->nsg,
			d->is_default ? "default rule" : "rule", 100, d->rule, d->priority);
}

static void summarise(struct nsg_result *r, const struct nsg_flow *f, const enum nsg_stage *order)
{
	char flow[96], a[260], b[260];
	const struct nsg_decision *first = NULL, *second = NULL;

	flow_text(f, flow, sizeof(flow));
	if (r->access == NSG_DENY) {
		for (int k = 0; k < NSG_STAGES; k++) {
			const struct nsg_decision *d = &r->stage[order[k]];

			if (d->present && d->access == NSG_DENY) {
				if (!first)
					first = d;
				else
					second = d;
			}
		}
		rule_text(first, a, sizeof(a));
		snprintf(r->summary, sizeof(r->summary), "%.*s denies %.*s", 240, a, 90, flow);
		if (second) {
			size_t l = strlen(r->summary);

			rule_text(second, b, sizeof(b));
			snprintf(r->summary + l, sizeof(r->summary) - l, "; %.*s denies it too",
				 (int)(sizeof(r->summary) - l), b);
		}
	} else {
		const struct nsg_decision *s = &r->stage[NSG_STAGE_SUBNET], *n = &r->stage[NSG_STAGE_NIC];

		if (!s->present && !n->present) {
			snprintf(r->summary, sizeof(r->summary),
				 "no NSG on the subnet or the NIC: %.*s is not filtered", 90, flow);
			return;
		}
		a[0] = b[0] = '\0';
		if (s->present)
			rule_text(s, a, sizeof(a));
		if (n->present)
			rule_text(n, b, sizeof(b));
		snprintf(r->summary, sizeof(r->summary), "%.*s allowed: %.*s%s; %.*s%s", 90, flow,
			 150, s->present ? a : "no subnet NSG", s->present ? " allows" : "",
			 150, n->present ? b : "no NIC NSG", n->present ? " allows" : "");
	}
	if (r->uncertain) {
		size_t l = strlen(r->summary);

		snprintf(r->summary + l, sizeof(r->summary) - l,
			 " (not certain: see the notes)");
	}
}

void nsg_evaluate(const struct nsg *subnet, const struct nsg *nic, const struct nsg_ctx *ctx,
		  const struct nsg_flow *f, struct nsg_result *out)
{
	static const enum nsg_stage in_order[NSG_STAGES] = {NSG_STAGE_SUBNET, NSG_STAGE_NIC};
	static const enum nsg_stage out_order[NSG_STAGES] = {NSG_STAGE_NIC, NSG_STAGE_SUBNET};
	const enum nsg_stage *order = f->dir == NSG_INBOUND ? in_order : out_order;

	memset(out, 0, sizeof(*out));
	/* Both are evaluated even after a deny, so each names its own deciding rule. */
	nsg_evaluate_one(subnet, ctx, f, &out->stage[NSG_STAGE_SUBNET]);
	nsg_evaluate_one(nic, ctx, f, &out->stage[NSG_STAGE_NIC]);
	out->access = NSG_ALLOW;
	out->decider = -1;
	for (int k = 0; k < NSG_STAGES; k++) {
		const struct nsg_decision *d = &out->stage[order[k]];

		if (!d->present)
			continue;
		if (d->uncertain)
			out->uncertain = true;
		if (d->access == NSG_DENY && out->decider < 0) {
			out->decider = (int)order[k];
			out->access = NSG_DENY;
		}
	}
	summarise(out, f, order);
}

/* ---------------------------------------------------------------- remedy */

static bool priority_used(const struct nsg *n, int p)
{
	for (int i = 0; i < n->n_rules; i++)
		if (n->rules[i].priority == p)
			return true;
	return false;
}

static void propose(const struct nsg *n, const struct nsg_decision *d, enum nsg_stage st,
		    const struct nsg_flow *f, struct nsg_remedy *rem)
{
	char ip[INET6_ADDRSTRLEN];
	int ceiling = d->win_below > NSG_PRIORITY_MAX + 1 ? NSG_PRIORITY_MAX + 1 : d->win_below;

	memset(rem, 0, sizeof(*rem));
	rem->stage = st;
	copy_cut(rem->nsg, sizeof(rem->nsg), d->nsg, strlen(d->nsg));
	if (n)
		copy_cut(rem->nsg_id, sizeof(rem->nsg_id), n->id, strlen(n->id));
	copy_cut(rem->deny_rule, sizeof(rem->deny_rule), d->rule, strlen(d->rule));
	rem->deny_priority = d->priority;
	rem->proto = f->proto;
	rem->port = f->dport;
	nsg_ip_format(&f->src, ip, sizeof(ip));
	snprintf(rem->source, sizeof(rem->source), "%.*s/%d", (int)sizeof(ip), ip,
		 f->src.family == 6 ? 128 : 32);
	for (int p = ceiling - 1; p >= NSG_PRIORITY_MIN; p--) {
		if (n && priority_used(n, p))
			continue;
		rem->possible = true;
		rem->priority = p;
		snprintf(rem->why, sizeof(rem->why),
			 "add Allow rule %s (priority %d) to NSG %.*s: %s %d from %.*s, ahead of "
			 "%.*s (priority %d)", NSG_REMEDY_RULE, p, 60, rem->nsg,
			 nsg_proto_name(f->proto), f->dport, (int)sizeof(rem->source), rem->source,
			 60, rem->deny_rule, rem->deny_priority);
		return;
	}
	if (ceiling <= NSG_PRIORITY_MIN)
		snprintf(rem->why, sizeof(rem->why),
			 "NSG %.*s: a Deny at priority %d cannot be overtaken (100 is the lowest "
			 "number Azure allows); change or delete rule %.*s instead", 60, rem->nsg,
			 ceiling, 60, rem->deny_rule);
	else
		snprintf(rem->why, sizeof(rem->why),
			 "NSG %.*s: every priority from 100 to %d is taken, so no Allow rule can come "
			 "before %.*s (priority %d); free one or change that rule", 60, rem->nsg,
			 ceiling - 1, 60, rem->deny_rule, rem->deny_priority);
}

int nsg_propose_allow(const struct nsg *subnet, const struct nsg *nic, const struct nsg_flow *f,
		      const struct nsg_result *r, struct nsg_remedy out[NSG_STAGES])
{
	static const enum nsg_stage in_order[NSG_STAGES] = {NSG_STAGE_SUBNET, NSG_STAGE_NIC};
	static const enum nsg_stage out_order[NSG_STAGES] = {NSG_STAGE_NIC, NSG_STAGE_SUBNET};
	const enum nsg_stage *order = f->dir == NSG_INBOUND ? in_order : out_order;
	int k = 0;

	for (int i = 0; i < NSG_STAGES; i++) {
		enum nsg_stage st = order[i];
		const struct nsg_decision *d = &r->stage[st];

		if (!d->present || d->access != NSG_DENY)
			continue;
		propose(st == NSG_STAGE_SUBNET ? subnet : nic, d, st, f, &out[k++]);
	}
	return k;
}
