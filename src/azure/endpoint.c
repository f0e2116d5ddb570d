#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "azure/endpoint.h"

const char *endpoint_kind_name(enum endpoint_kind k)
{
	static const char *const names[] = {"unknown", "pip", "lb", "fw", "other"};

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "unknown";
}

static bool sshd_listens(const struct endpoint_input *in, int port)
{
	for (int i = 0; i < in->n_sshd_ports; i++)
		if (in->sshd_ports[i] == port)
			return true;
	return false;
}

static void sshd_port_list(const struct endpoint_input *in, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int i = 0; i < in->n_sshd_ports && at + 8 < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%d", i ? ", " : "", in->sshd_ports[i]);
}

/* The port the entry delivers to, judged against where sshd listens.  A translated port
 * (back != front) that sshd does not listen on is the endpoint's fault; an untranslated one
 * means sshd moved, which the guest's check blames, so it is only a warning here. */
static void judge_backend(const struct endpoint_input *in, struct check *k, const char *what,
			  int front, int back)
{
	char ports[64];

	sshd_port_list(in, ports, sizeof(ports));
	if (in->n_sshd_ports == 0) {
		if (back == front)
			check_set(k, ST_OK, OUT_OK, "%s maps port %d to port %d on the VM (where sshd "
				  "listens was not read)", what, front, back);
		else
			check_set(k, ST_WARN, OUT_WARN, "%s maps port %d to port %d on the VM; whether "
				  "sshd listens on %d could not be read (Run Command)", what, front, back,
				  back);
	} else if (sshd_listens(in, back)) {
		check_set(k, ST_OK, OUT_OK, "%s maps port %d to port %d, where sshd listens", what,
			  front, back);
	} else if (back != front) {
		check_set(k, ST_FAIL, OUT_PORT_MISMATCH, "%s sends port %d to port %d on the VM, but "
			  "sshd listens on %s", what, front, back, ports);
	} else {
		check_set(k, ST_WARN, OUT_PORT_MISMATCH, "%s sends port %d to port %d, but sshd "
			  "listens on %s: sshd was moved (or the rule must follow it)", what, front,
			  back, ports);
	}
}

static const struct netjson_public_ip *find_pip(const struct endpoint_input *in)
{
	for (int i = 0; i < in->n_pips; i++)
		if (in->pips[i].ip_address[0] && strcmp(in->pips[i].ip_address, in->target_addr) == 0)
			return &in->pips[i];
	return NULL;
}

/* The VM's own public IP (attached to its IP configuration), or NULL. */
static const struct netjson_public_ip *vm_pip(const struct endpoint_input *in)
{
	for (int i = 0; i < in->n_pips; i++)
		if (in->vm_ipconf_id[0] && strcasecmp(in->pips[i].ipconf_id, in->vm_ipconf_id) == 0)
			return &in->pips[i];
	return NULL;
}

/* "/.../loadBalancers/lb1/frontendIPConfigurations/fe" holds "/loadBalancers/": the owner
 * kind of an IP configuration id. */
static enum endpoint_kind holder_kind(const struct endpoint_input *in, const char *ipconf)
{
	if (strcasecmp(ipconf, in->vm_ipconf_id) == 0)
		return ENDPOINT_PIP;
	if (strcasestr(ipconf, "/providers/Microsoft.Network/loadBalancers/"))
		return ENDPOINT_LB;
	if (strcasestr(ipconf, "/providers/Microsoft.Network/azureFirewalls/"))
		return ENDPOINT_FW;
	return ENDPOINT_OTHER;
}

static void eval_lb(const struct endpoint_input *in, const struct netjson_public_ip *p,
		    struct check *ports, int *port)
{
	const struct netjson_nat_rule *other = NULL;
	char what[NETJSON_NAME_LEN + 24];

	for (int i = 0; i < in->n_nat; i++) {
		const struct netjson_nat_rule *r = &in->nat[i];

		if (strcasecmp(r->frontend_ipconf_id, p->ipconf_id) != 0)
			continue;
		if (r->frontend_port != in->target_port) {
			other = r;
			continue;
		}
		snprintf(what, sizeof(what), "NAT rule %s", r->name);
		*port = r->backend_port;
		judge_backend(in, ports, what, r->frontend_port, r->backend_port);
		check_evidence(ports, "inbound NAT rule %s: %s frontend %d -> backend %d", r->name,
			       r->protocol, r->frontend_port, r->backend_port);
		return;
	}
	check_set(ports, ST_FAIL, OUT_PORT_MISMATCH, "no inbound NAT rule of the load balancer maps "
		  "port %d of %s to this VM", in->target_port, in->target_addr);
	if (other)
		check_evidence(ports, "NAT rule %s maps frontend port %d -> %d instead", other->name,
			       other->frontend_port, other->backend_port);
}

static bool list_has_port(const struct netjson_strlist *l, int port)
{
	for (int i = 0; i < l->n; i++) {
		struct nsg_portrange r;

		if (nsg_parse_ports(l->v[i], strlen(l->v[i]), &r) && r.lo <= port && port <= r.hi)
			return true;
	}
	return false;
}

static bool list_has_word(const struct netjson_strlist *l, const char *a, const char *b)
{
	for (int i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], a) == 0 || (b && strcasecmp(l->v[i], b) == 0))
			return true;
	return false;
}

static bool sources_admit(const struct netjson_strlist *l, const char *client)
{
	struct nsg_ip ip;
	struct nsg_ctx ctx;

	if (!nsg_parse_ip(client, strlen(client), &ip))
		return false;
	nsg_ctx_init(&ctx);
	for (int i = 0; i < l->n; i++) {
		struct nsg_addr a;

		if (strcasecmp(l->v[i], "Any") == 0 ||
		    (nsg_parse_addr(l->v[i], strlen(l->v[i]), &a) && nsg_addr_match(&a, &ip, &ctx)))
			return true;
	}
	return false;
}

static void list_text(const struct netjson_strlist *l, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int i = 0; i < l->n && at + 4 < len; i++) {
		int w = snprintf(buf + at, len - at, "%s%s", i ? ", " : "", l->v[i]);

		if (w < 0 || (size_t)w >= len - at) {
			snprintf(buf + (len > 5 ? len - 5 : 0), len > 5 ? 5 : len, " ...");
			return;
		}
		at += (size_t)w;
	}
}

/* Firewall DNAT: rules are matched in collection priority order; the first rule for this
 * destination and port whose sources admit the client decides. */
static void eval_fw(const struct endpoint_input *in, struct check *ports, struct check *acl,
		    int *port)
{
	const struct netjson_dnat_rule *best = NULL, *first = NULL;
	int best_prio = 0, first_prio = 0;
	char what[NETJSON_NAME_LEN * 2 + 32], buf[CHECK_EVIDENCE_LEN];

	for (int g = 0; g < in->n_rcg; g++)
		for (int i = 0; i < in->rcg[g]->n_rules; i++) {
			const struct netjson_dnat_rule *r = &in->rcg[g]->rules[i];
			int prio = in->rcg[g]->priority * 100000 + r->collection_priority;

			if (!(list_has_word(&r->destinations, in->target_addr, "*")) ||
			    !list_has_port(&r->dest_ports, in->target_port) ||
			    !(r->protocols.n == 0 || list_has_word(&r->protocols, "TCP", "Any")))
				continue;
			if (!first || prio < first_prio) {
				first = r;
				first_prio = prio;
			}
			if (in->client_ip[0] && sources_admit(&r->sources, in->client_ip) &&
			    (!best || prio < best_prio)) {
				best = r;
				best_prio = prio;
			}
		}
	if (!first) {
		check_set(ports, ST_FAIL, OUT_PORT_MISMATCH, "no DNAT rule of the firewall policy "
			  "translates %s port %d", in->target_addr, in->target_port);
		check_set(acl, ST_UNKNOWN, OUT_UNAVAILABLE, "no DNAT rule for this port, so no source "
			  "list to read");
		return;
	}
	if (!best)
		best = first;
	*port = best->translated_port > 0 ? best->translated_port : in->target_port;
	snprintf(what, sizeof(what), "DNAT rule %s/%s", best->collection, best->name);
	if (best->translated_address[0] && strcmp(best->translated_address, in->vm_private_ip) != 0)
		check_set(ports, ST_FAIL, OUT_ADDR_MISMATCH, "%s translates %s port %d to %s, not to "
			  "this VM's %s", what, in->target_addr, in->target_port,
			  best->translated_address, in->vm_private_ip);
	else
		judge_backend(in, ports, what, in->target_port, *port);
	check_evidence(ports, "%s: %s port %d -> %s port %d", what, in->target_addr,
		       in->target_port, best->translated_address[0] ? best->translated_address :
		       best->translated_fqdn, best->translated_port > 0 ? best->translated_port :
		       in->target_port);
	list_text(&best->sources, buf, sizeof(buf) - 40);
	if (!in->client_ip[0]) {
		check_set(acl, ST_UNKNOWN, OUT_UNAVAILABLE, "%s admits %s; this client's public address "
			  "is unknown (--client-ip or --whoami-url)", what, buf);
	} else if (best != first || sources_admit(&best->sources, in->client_ip)) {
		check_set(acl, ST_OK, OUT_OK, "%s admits this client's public address %s", what,
			  in->client_ip);
		check_evidence(acl, "source addresses: %s", buf);
	} else if (best->source_ip_groups.n > 0) {
		check_set(acl, ST_WARN, OUT_WARN, "%s lists IP groups, which this build does not read; "
			  "its addresses do not admit %s", what, in->client_ip);
		check_evidence(acl, "source addresses: %s", buf);
	} else {
		check_set(acl, ST_FAIL, OUT_SOURCE_DENIED, "%s admits only some sources, and this "
			  "client's public address %s is not among them", what, in->client_ip);
		check_evidence(acl, "source addresses: %s", buf);
	}
}

static enum endpoint_kind evaluate(const struct endpoint_input *in, struct check *pip,
				   struct check *ports, struct check *acl, int *port,
				   const struct netjson_public_ip **used)
{
	const struct netjson_public_ip *p = find_pip(in), *own = vm_pip(in);
	enum endpoint_kind kind;

	check_init(pip, CK_ENDPOINT_CLOUD);
	check_init(ports, CK_ENDPOINT_PORTS);
	check_init(acl, CK_ENDPOINT_ACL);
	*port = 0;
	if (!p) {
		if (own)
			check_set(pip, ST_FAIL, OUT_ADDR_MISMATCH, "the VM's public IP %s is %s, but the "
				  "target is %s", own->name, own->ip_address[0] ? own->ip_address :
				  "not allocated", in->target_addr);
		else
			check_set(pip, ST_WARN, OUT_WARN, "no public IP of the VM's resource group has "
				  "the address %s (another group, or a name that points elsewhere?)",
				  in->target_addr);
		check_set(ports, ST_UNKNOWN, OUT_UNAVAILABLE, "no entry point found for %s",
			  in->target_addr);
		check_set(acl, ST_UNKNOWN, OUT_UNAVAILABLE, "no entry point found for %s",
			  in->target_addr);
		return ENDPOINT_UNKNOWN;
	}
	if (!p->ipconf_id[0]) {
		check_set(pip, ST_FAIL, OUT_NOT_ATTACHED, "public IP %s (%s) is attached to nothing: "
			  "no NIC, load balancer or firewall receives its traffic", p->name,
			  p->ip_address);
		check_set(ports, ST_UNKNOWN, OUT_UNAVAILABLE, "the public IP leads nowhere");
		check_set(acl, ST_UNKNOWN, OUT_UNAVAILABLE, "the public IP leads nowhere");
		return ENDPOINT_UNKNOWN;
	}
	*used = p;
	kind = holder_kind(in, p->ipconf_id);
	switch (kind) {
	case ENDPOINT_PIP:
		check_set(pip, ST_OK, OUT_OK, "public IP %s (%s) is on the VM's NIC", p->name,
			  p->ip_address);
		*port = in->target_port;
		check_set(ports, ST_OK, OUT_OK, "no translation: port %d reaches the VM as %d",
			  in->target_port, in->target_port);
		check_set(acl, ST_SKIPPED, OUT_SKIPPED, "a public IP on the NIC has no source list "
			  "(the NSGs filter)");
		break;
	case ENDPOINT_LB:
		check_set(pip, ST_OK, OUT_OK, "public IP %s (%s) is a load balancer frontend", p->name,
			  p->ip_address);
		eval_lb(in, p, ports, port);
		check_set(acl, ST_SKIPPED, OUT_SKIPPED, "inbound NAT rules have no source list (the "
			  "NSGs filter)");
		break;
	case ENDPOINT_FW:
		check_set(pip, ST_OK, OUT_OK, "public IP %s (%s) is on an Azure Firewall", p->name,
			  p->ip_address);
		eval_fw(in, ports, acl, port);
		break;
	default:
		check_set(pip, ST_FAIL, OUT_ADDR_MISMATCH, "public IP %s (%s) is attached to something "
			  "else, not to this VM or a load balancer or firewall in front of it", p->name,
			  p->ip_address);
		check_set(ports, ST_UNKNOWN, OUT_UNAVAILABLE, "the public IP leads elsewhere");
		check_set(acl, ST_UNKNOWN, OUT_UNAVAILABLE, "the public IP leads elsewhere");
		break;
	}
	check_evidence(pip, "attached to %s", p->ipconf_id);
	return kind;
}

/* The owner's name in an IP configuration id: ".../loadBalancers/NAME/frontend..." */
static void owner_name(const char *ipconf, const char *kind, char *out, size_t len)
{
	const char *p = strcasestr(ipconf, kind), *e;

	out[0] = '\0';
	if (!p)
		return;
	p += strlen(kind);
	e = strchr(p, '/');
	snprintf(out, len, "%.*s", (int)(e ? (size_t)(e - p) : strlen(p)), p);
}

void endpoint_evaluate(const struct endpoint_input *in, struct check *pip, struct check *ports,
		       struct check *acl, struct endpoint_out *out)
{
	const struct netjson_public_ip *p = NULL;
	char owner[NETJSON_NAME_LEN];

	memset(out, 0, sizeof(*out));
	out->kind = evaluate(in, pip, ports, acl, &out->port, &p);
	if (!p)
		return;
	switch (out->kind) {
	case ENDPOINT_PIP:
		snprintf(out->objects, sizeof(out->objects), "public IP %s on the NIC", p->name);
		break;
	case ENDPOINT_LB:
		owner_name(p->ipconf_id, "/loadBalancers/", owner, sizeof(owner));
		snprintf(out->objects, sizeof(out->objects), "%s -> load balancer %s", p->name, owner);
		break;
	case ENDPOINT_FW:
		owner_name(p->ipconf_id, "/azureFirewalls/", owner, sizeof(owner));
		snprintf(out->objects, sizeof(out->objects), "%s -> firewall %s (DNAT)", p->name, owner);
		break;
	default:
		snprintf(out->objects, sizeof(out->objects), "public IP %s", p->name);
		break;
	}
}
