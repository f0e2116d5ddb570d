#include "config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "azure/arm.h"
#include "azure/auth.h"
#include "azure/cloud.h"
#include "azure/cloud_priv.h"
#include "azure/endpoint.h"
#include "azure/guest.h"
#include "azure/bootlog.h"
#include "azure/runcmd.h"
#include "azure/netjson.h"
#include "azure/vmjson.h"
#include "util/clock.h"

static const struct {
	int job;
	enum check_id ck;
} cloud_checks[] = {
	{J_VM, CK_VM_POWER},
	{J_DISCOVERY, CK_ENDPOINT_CLOUD}, {J_DISCOVERY, CK_ENDPOINT_PORTS},
	{J_DISCOVERY, CK_ENDPOINT_ACL}, {J_DISCOVERY, CK_NSG_CLOUD},
	{J_FLOW, CK_NSG_FLOW_VERIFY},
	{J_HEALTH, CK_VM_HEALTH},
	{J_BOOT, CK_VM_BOOT_LOG},
	{J_GUEST, CK_VM_GUEST_SSHD}, {J_GUEST, CK_VM_GUEST_FIREWALL},
	{J_GUEST, CK_VM_GUEST_ACCOUNT}, {J_GUEST, CK_VM_GUEST_MODES},
	{J_GUEST, CK_VM_GUEST_DISK}, {J_GUEST, CK_VM_HOST_KEY},
	{J_SIBLING, CK_VM_SIBLING},
};
#define N_CLOUD_CHECKS (sizeof(cloud_checks) / sizeof(cloud_checks[0]))

bool cloud_valid_vm_id(const char *id)
{
	const char *p;

	if (strncmp(id, "/subscriptions/", 15) != 0 || strlen(id) >= VMJSON_ID ||
	    !strstr(id, "/providers/Microsoft.Compute/virtualMachines/"))
		return false;
	for (p = id; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      strchr("-_./()", *p)))
			return false;
	return id[strlen(id) - 1] != '/';
}

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

static void on_unauthorized(void *arg);

struct cloud *cloud_new(const char *azure_vm, const char *scope, char *err, size_t errlen)
{
	struct cloud *c;
	const char *ep = env_or("SSHTRIAGE_ARM_ENDPOINT", "https://management.azure.com");
	struct arm_config cfg = {ep, env_or("SSHTRIAGE_CA_FILE", NULL),
				 env_or("SSHTRIAGE_IMDS_ENDPOINT", "http://169.254.169.254")};

	if (!azure_vm[0] && (strncmp(scope, "/subscriptions/", 15) != 0 || strlen(scope) >= 256)) {
		snprintf(err, errlen, "no Azure VM and no scope to find it in");
		return NULL;
	}
	if (azure_vm[0] && !cloud_valid_vm_id(azure_vm)) {
		snprintf(err, errlen, "--azure-vm must be a VM resource id: "
			 "/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/NAME");
		return NULL;
	}
	if (strlen(ep) >= 500) {
		snprintf(err, errlen, "SSHTRIAGE_ARM_ENDPOINT is too long");
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(c->vm_id, sizeof(c->vm_id), "%s", azure_vm);
	snprintf(c->scope, sizeof(c->scope), "%s", scope);
	c->find_vm = !azure_vm[0];
	/* no trailing slash: resource ids start with one */
	snprintf(c->arm_ep, sizeof(c->arm_ep), "%s", ep);
	if (c->arm_ep[strlen(c->arm_ep) - 1] == '/')
		c->arm_ep[strlen(c->arm_ep) - 1] = '\0';
	c->arm = arm_new(&cfg, err, errlen);
	c->auth = c->arm ? auth_new(c->arm, AUTH_ANY, err, errlen) : NULL;
	if (c->auth)
		arm_on_unauthorized(c->arm, on_unauthorized, c);
	if (!c->auth) {
		cloud_free(c);
		return NULL;
	}
	return c;
}

static void on_refreshed(void *arg, bool ok, const char *why)
{
	struct cloud *c = arg;

	if (c->m)
		model_log(c->m, ok ? "azure: ARM refused the token (401); a new one from the %s"
				   : "azure: ARM refused the token (401) and no new one came: %s",
			  ok ? auth_source_name(c->auth) : why);
	arm_token_refreshed(c->arm, ok, why);
}

/* A call got 401 (an expired or revoked token): every such call waits for a new token and
 * is repeated once with it (arm.c). */
static void on_unauthorized(void *arg)
{
	struct cloud *c = arg;

	auth_invalidate(c->auth);
	auth_get(c->auth, on_refreshed, c);
}

static void found_clear(struct found *f)
{
	netjson_nic_free(f->nic);
	nsg_free(f->nsg_subnet);
	nsg_free(f->nsg_nic);
	free(f->pips);
	for (int i = 0; i < f->n_rcg; i++)
		netjson_fw_rcg_free(f->rcg[i]);
	for (int i = 0; i < 4; i++)
		free(f->nat_raw[i]);
	for (int i = 0; i < NSG_STAGES; i++)
		free(f->nsg_raw[i]);
	for (int i = 0; i < CLOUD_MAX_RCG; i++)
		free(f->rcg_raw[i]);
	runcmd_free(&f->guest_out);
	memset(f, 0, sizeof(*f));
}

void cloud_free(struct cloud *c)
{
	if (!c)
		return;
	found_clear(&c->f);
	auth_free(c->auth);
	arm_free(c->arm);
	free(c);
}

static long round_ms(const struct cloud *c)
{
	return (long)(clock_ms() - c->started);
}

static void set(struct cloud *c, enum check_id id, enum state s, enum outcome o,
		const char *summary, const char *evidence)
{
	struct check k;

	check_init(&k, id);
	check_set(&k, s, o, "%s", summary);
	if (evidence && *evidence)
		check_evidence(&k, "%s", evidence);
	k.elapsed_ms = round_ms(c);
	model_set_check(c->m, &k);
}

static void put(struct cloud *c, struct check *k)
{
	k->elapsed_ms = round_ms(c);
	model_set_check(c->m, k);
}

void cloud_mark_unavailable(struct model *m, const char *why)
{
	for (size_t i = 0; i < N_CLOUD_CHECKS; i++) {
		enum check_id id = cloud_checks[i].ck;
		struct check k;

		/* one check per component says why it stays unknown; the rest do not apply */
		check_init(&k, id);
		if (id == CK_ENDPOINT_CLOUD || id == CK_NSG_CLOUD || id == CK_VM_POWER)
			check_set(&k, ST_UNKNOWN, OUT_UNAVAILABLE, "%s", why);
		else
			check_set(&k, ST_SKIPPED, OUT_SKIPPED, "needs the Azure VM (--azure-vm)");
		model_set_check(m, &k);
	}
}

/* Ends the jobs in mask: their checks still running say why and stay unknown. */
static void end_jobs(struct cloud *c, int mask, const char *why)
{
	mask &= c->jobs;
	if (!mask)
		return;
	for (size_t i = 0; i < N_CLOUD_CHECKS; i++)
		if ((cloud_checks[i].job & mask) && c->m->checks[cloud_checks[i].ck].state == ST_RUNNING)
			set(c, cloud_checks[i].ck, ST_UNKNOWN, OUT_UNAVAILABLE, why ? why : "not checked",
			    NULL);
	c->jobs &= ~mask;
	if (!c->jobs) {
		c->m->arm_calls = arm_calls_made(c->arm) - c->calls_before;
		model_log(c->m, "azure: %d ARM calls in %ld ms", c->m->arm_calls, round_ms(c));
	}
}

static void job_done(struct cloud *c, int job)
{
	end_jobs(c, job, NULL);
}

/* One line for an answer that is not what was asked for. */
void cloud_answer_line(const struct arm_response *r, char *out, size_t len)
{
	char line[200];

	if (r->error[0])
		snprintf(out, len, "%.190s", r->error);
	else if (r->status >= 300 && r->status < 400)
		snprintf(out, len, "HTTP %ld, a redirect to %.120s (not followed: ARM does not "
			 "redirect)", r->status, r->location[0] ? r->location : "nowhere");
	else {
		/* a failed operation's status body holds the error; its HTTP 200 says nothing */
		bool op_failed = r->lro_status && r->lro_status[0] &&
				 strcmp(r->lro_status, "Succeeded") != 0;

		netjson_error_line(r->body, r->len, op_failed ? 0 : (int)r->status, line, sizeof(line));
		snprintf(out, len, "%s", line);
	}
}

/* A job's answer: true when it is a 200 to read; otherwise the job ends, its checks saying
 * "<what>: <why>" (nothing happens for a job that already ended). */
static bool job_answer(struct cloud *c, int job, const struct arm_response *r, const char *what)
{
	char line[200], why[300];

	if (!(c->jobs & job))
		return false;
	if (r->status == 200 && !r->error[0])
		return true;
	cloud_answer_line(r, line, sizeof(line));
	snprintf(why, sizeof(why), "%s: %s", what, line);
	end_jobs(c, job, why);
	return false;
}

int cloud_call(struct cloud *c, const char *method, const char *url, const char *body, int flags,
		arm_done_fn done, char *err, size_t errlen)
{
	return arm_call(c->arm, method, url, body, flags | ARM_BEARER, done, c, err, errlen);
}

/* id + "?api-version=" + api [+ extra], on the ARM endpoint. */
void cloud_arm_url(const struct cloud *c, char *url, size_t len, const char *id, const char *suffix,
		    const char *api)
{
	/* ids are at most NETJSON_ID_LEN, the endpoint under 512: this always fits */
	snprintf(url, len, "%.511s%.600s%.80s?api-version=%.20s", c->arm_ep, id, suffix, api);
}

/* "/subscriptions/S/resourceGroups/RG" of the VM id, into out. */
void cloud_vm_scope(const struct cloud *c, char *out, size_t len, bool with_rg)
{
	const char *p = strstr(c->vm_id, "/providers/");
	const char *rg = strstr(c->vm_id, "/resourceGroups/");
	size_t n = with_rg && p ? (size_t)(p - c->vm_id) : rg ? (size_t)(rg - c->vm_id) : 0;

	snprintf(out, len, "%.*s", (int)n, c->vm_id);
}


/* ---- discovery: VM -> NIC -> subnet, VNet, NSGs, NAT rules; public IPs; firewall -------- */

static void discovery_failed(const char *what, const struct arm_response *r, const char *err,
			     char *slot, size_t slotlen)
{
	char line[200];

	if (slot[0])
		return;
	if (err)
		snprintf(line, sizeof(line), "%.190s", err);
	else
		cloud_answer_line(r, line, sizeof(line));
	snprintf(slot, slotlen, "reading the %s failed: %s", what, line);
}

#define FAILED(c, what, r, err) \
	discovery_failed((what), (r), (err), (c)->f.failed, sizeof((c)->f.failed))
#define EP_FAILED(c, what, r, err) \
	discovery_failed((what), (r), (err), (c)->f.ep_failed, sizeof((c)->f.ep_failed))

static void get_url(struct cloud *c, const char *url, arm_done_fn done)
{
	char err[200];

	if (cloud_call(c, "GET", url, NULL, 0, done, err, sizeof(err)) != 0)
		FAILED(c, "network objects", NULL, err);
	else
		c->pending++;
}

static void get(struct cloud *c, const char *id, const char *api, arm_done_fn done)
{
	char url[1200];

	cloud_arm_url(c, url, sizeof(url), id, "", api);
	get_url(c, url, done);
}

static bool answer_ok(struct cloud *c, const char *what, const struct arm_response *r, bool ep)
{
	c->pending--;
	if (!(c->jobs & (J_DISCOVERY | J_LOCATE)))
		return false;        /* the job ended (deadline): a late answer is dropped */
	if (r->status == 200)
		return true;
	if (ep)
		EP_FAILED(c, what, r, NULL);
	else
		FAILED(c, what, r, NULL);
	return false;
}

static void on_nsg(struct cloud *c, const struct arm_response *r, struct nsg **slot, const char *what)
{
	char err[NETJSON_ERR_LEN];

	if (!answer_ok(c, what, r, false))
		return;
	*slot = netjson_nsg(r->body, r->len, err, sizeof(err));
	if (!*slot)
		FAILED(c, what, NULL, err);
	else
		c->f.nsg_raw[slot == &c->f.nsg_nic ? NSG_STAGE_NIC : NSG_STAGE_SUBNET] = strdup(r->body);
}

static void on_nsg_subnet(void *arg, const struct arm_response *r)
{
	on_nsg(arg, r, &((struct cloud *)arg)->f.nsg_subnet, "subnet's NSG");
}

static void on_nsg_nic(void *arg, const struct arm_response *r)
{
	on_nsg(arg, r, &((struct cloud *)arg)->f.nsg_nic, "NIC's NSG");
}

static void on_vnet(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	char err[NETJSON_ERR_LEN];
	int n;

	if (!answer_ok(c, "virtual network", r, false))
		return;
	n = netjson_vnet_prefixes(r->body, r->len, c->f.vnet, 8, err, sizeof(err));
	if (n < 0)
		FAILED(c, "virtual network", NULL, err);
	else
		c->f.n_vnet = n;
}

static void on_subnet(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	char err[NETJSON_ERR_LEN];

	if (!answer_ok(c, "subnet", r, false))
		return;
	if (netjson_subnet(r->body, r->len, &c->f.subnet, err, sizeof(err)) != 0) {
		FAILED(c, "subnet", NULL, err);
		return;
	}
	if (c->f.subnet.nsg_id[0])
		get(c, c->f.subnet.nsg_id, NETWORK_API, on_nsg_subnet);
}

static void on_nat(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	char err[NETJSON_ERR_LEN];

	if (!answer_ok(c, "inbound NAT rule", r, true))
		return;
	if (netjson_nat_rule(r->body, r->len, &c->f.nat[c->f.n_nat], err, sizeof(err)) != 0)
		EP_FAILED(c, "inbound NAT rule", NULL, err);
	else
		c->f.nat_raw[c->f.n_nat++] = strdup(r->body);
}

static void start_sibling(struct cloud *c);

static void on_nic(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	char err[NETJSON_ERR_LEN], vnet[NETJSON_ID_LEN], *sub;
	const struct netjson_ipconf *ip;

	c->f.nic_answered = true;
	if (!answer_ok(c, "network interface", r, false))
		return;
	c->f.nic = netjson_nic(r->body, r->len, err, sizeof(err));
	ip = netjson_nic_primary(c->f.nic);
	if (!ip) {
		FAILED(c, "network interface", NULL, c->f.nic ? "no IP configuration" : err);
		return;
	}
	if (c->f.nic->nsg_id[0])
		get(c, c->f.nic->nsg_id, NETWORK_API, on_nsg_nic);
	if (ip->subnet_id[0]) {
		get(c, ip->subnet_id, NETWORK_API, on_subnet);
		snprintf(vnet, sizeof(vnet), "%s", ip->subnet_id);
		sub = strstr(vnet, "/subnets/");
		if (sub) {
			*sub = '\0';
			get(c, vnet, NETWORK_API, on_vnet);
		}
	}
	for (int i = 0; i < ip->n_nat && i < 4; i++)
		get(c, ip->nat_rule_ids[i], NETWORK_API, on_nat);
	if (c->jobs & J_SIBLING)
		start_sibling(c);    /* needs this NIC's subnet and address */
}

static void on_loc_pips(void *arg, const struct arm_response *r);

/* A page of the resource group's public IPs; the next page is read while there is one. */
static void on_pips(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	char err[NETJSON_ERR_LEN], next[2048];
	struct netjson_public_ip *page = NULL, *all;
	int n;

	if (!answer_ok(c, "public IP addresses", r, true))
		return;
	n = netjson_public_ip_list(r->body, r->len, &page, err, sizeof(err));
	if (n < 0 || netjson_next_link(r->body, r->len, next, sizeof(next), err, sizeof(err)) != 0) {
		free(page);
		EP_FAILED(c, "public IP addresses", NULL, err);
		return;
	}
	all = n ? realloc(c->f.pips, sizeof(*all) * (size_t)(c->f.n_pips + n)) : c->f.pips;
	if (n && !all) {
		free(page);
		EP_FAILED(c, "public IP addresses", NULL, "out of memory");
		return;
	}
	if (n)
		memcpy(all + c->f.n_pips, page, sizeof(*all) * (size_t)n);
	free(page);
	c->f.pips = all;
	c->f.n_pips += n;
	if (next[0] && ++c->f.pip_pages < CLOUD_MAX_PAGES) {
		if (!arm_url_is_arm(c->arm, next))
			EP_FAILED(c, "public IP addresses", NULL, "a nextLink off the ARM host");
		else
			get_url(c, next, (c->jobs & J_LOCATE) ? on_loc_pips : on_pips);
		return;
	}
	c->f.pips_done = true;
}

static void on_rcg(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	char err[NETJSON_ERR_LEN];
	struct netjson_fw_rcg *g;

	if (!answer_ok(c, "firewall rule collection group", r, true))
		return;
	g = netjson_fw_rcg(r->body, r->len, err, sizeof(err));
	if (!g)
		EP_FAILED(c, "firewall rule collection group", NULL, err);
	else if (c->f.n_rcg < CLOUD_MAX_RCG) {
		free(c->f.rcg_raw[c->f.n_rcg]);
		c->f.rcg_raw[c->f.n_rcg] = strdup(r->body);
		c->f.rcg[c->f.n_rcg++] = g;
	}
	else
		netjson_fw_rcg_free(g);
}

static void on_policy(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	char err[NETJSON_ERR_LEN], ids[CLOUD_MAX_RCG][NETJSON_ID_LEN];
	int n;

	if (!answer_ok(c, "firewall policy", r, true))
		return;
	n = netjson_fw_policy(r->body, r->len, ids, CLOUD_MAX_RCG, err, sizeof(err));
	if (n < 0)
		EP_FAILED(c, "firewall policy", NULL, err);
	for (int i = 0; i < n; i++)
		get(c, ids[i], NETWORK_API, on_rcg);
}

static void on_firewall(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	char err[NETJSON_ERR_LEN];
	struct netjson_firewall fw;

	if (!answer_ok(c, "Azure Firewall", r, true))
		return;
	if (netjson_firewall(r->body, r->len, &fw, err, sizeof(err)) != 0)
		EP_FAILED(c, "Azure Firewall", NULL, err);
	else if (!fw.policy_id[0])
		EP_FAILED(c, "Azure Firewall", NULL, "it has no firewall policy (classic rules are "
			  "not read by this build)");
	else
		get(c, fw.policy_id, NETWORK_API, on_policy);
}

/* Behind an Azure Firewall the DNAT rules live in its policy: firewall -> policy -> rule
 * collection groups.  Started once the public IPs and the target's address are known. */
/* The firewall that holds public IP p: firewall -> policy -> rule collection groups. */
static bool start_firewall_of(struct cloud *c, const struct netjson_public_ip *p)
{
	static const char seg[] = "/providers/Microsoft.Network/azureFirewalls/";
	char fw[NETJSON_ID_LEN], *at, *end;

	/* ".../azureFirewalls/NAME/<ip configurations>/x" -> ".../azureFirewalls/NAME" */
	snprintf(fw, sizeof(fw), "%s", p->ipconf_id);
	at = strcasestr(fw, seg);
	if (!at || !(end = strchr(at + strlen(seg), '/')))
		return false;
	*end = '\0';
	c->f.fw_started = true;
	get(c, fw, NETWORK_API, on_firewall);
	return true;
}

/* Behind an Azure Firewall the DNAT rules live in its policy.  Started once the public IPs
 * and the target's address are known. */
static void start_firewall(struct cloud *c)
{
	c->f.fw_started = true;
	for (int i = 0; i < c->f.n_pips; i++)
		if (strcmp(c->f.pips[i].ip_address, c->m->target.address) == 0) {
			start_firewall_of(c, &c->f.pips[i]);
			return;
		}
}

/* ---- no host given: the VM's entry address, from what discovery read ---------------- */

static void located(struct cloud *c, const char *addr, int port, const char *how)
{
	struct model *m = c->m;

	snprintf(c->loc_addr, sizeof(c->loc_addr), "%s", addr);
	snprintf(c->loc_how, sizeof(c->loc_how), "%s", how);
	c->loc_port = port;
	c->located = true;
	snprintf(m->target.address, sizeof(m->target.address), "%s", addr);
	snprintf(m->target.host, sizeof(m->target.host), "%s", addr);
	m->target.port = port;
	model_log(m, "azure: the VM's entry is %s port %d (%s)", addr, port, how);
}

/* The first literal address among a DNAT rule's destinations, else the firewall's IP. */
static const char *dnat_destination(const struct netjson_dnat_rule *r, const char *fw_ip)
{
	struct nsg_ip ip;

	for (int i = 0; i < r->destinations.n; i++)
		if (nsg_parse_ip(r->destinations.v[i], strlen(r->destinations.v[i]), &ip))
			return r->destinations.v[i];
	return fw_ip;
}

/* Once the NIC, its NAT rules and the public IPs are read: the public IP on the NIC, else a
 * NAT rule to sshd's port, else a firewall DNAT rule to the VM.  Returns false while a
 * firewall's rules are still to be read. */
static bool locate_entry(struct cloud *c)
{
	const struct netjson_ipconf *ip = netjson_nic_primary(c->f.nic);
	int want = c->m->target.port;
	char how[160];

	for (int i = 0; i < c->f.n_pips; i++)
		if (c->f.pips[i].ip_address[0] && strcasecmp(c->f.pips[i].ipconf_id, ip->id) == 0) {
			snprintf(how, sizeof(how), "public IP %.60s on the NIC", c->f.pips[i].name);
			located(c, c->f.pips[i].ip_address, want, how);
			return true;
		}
	for (int n = 0; n < c->f.n_nat; n++)
		for (int i = 0; i < c->f.n_pips; i++)
			if (c->f.nat[n].backend_port == want && c->f.pips[i].ip_address[0] &&
			    strcasecmp(c->f.pips[i].ipconf_id, c->f.nat[n].frontend_ipconf_id) == 0) {
				snprintf(how, sizeof(how), "%.60s, NAT rule %.60s", c->f.pips[i].name,
					 c->f.nat[n].name);
				located(c, c->f.pips[i].ip_address, c->f.nat[n].frontend_port, how);
				return true;
			}
	for (int i = 0; i < c->f.n_pips; i++) {
		const struct netjson_public_ip *p = &c->f.pips[i];

		if (!strcasestr(p->ipconf_id, "/azureFirewalls/") || !p->ip_address[0])
			continue;
		if (!c->f.fw_started) {
			if (start_firewall_of(c, p))
				return false;
			continue;
		}
		for (int g = 0; g < c->f.n_rcg; g++)
			for (int k = 0; k < c->f.rcg[g]->n_rules; k++) {
				const struct netjson_dnat_rule *r = &c->f.rcg[g]->rules[k];
				struct nsg_portrange pr;

				if (strcmp(r->translated_address, ip->private_ip) != 0 ||
				    (r->translated_port > 0 && r->translated_port != want) ||
				    r->dest_ports.n < 1 ||
				    !nsg_parse_ports(r->dest_ports.v[0], strlen(r->dest_ports.v[0]), &pr))
					continue;
				snprintf(how, sizeof(how), "%.60s on a firewall, DNAT rule %.60s", p->name,
					 r->name);
				located(c, dnat_destination(r, p->ip_address), pr.lo, how);
				return true;
			}
	}
	snprintf(c->loc_failed, sizeof(c->loc_failed), "Azure shows no public IP, NAT rule or DNAT "
		 "rule that leads to port %d of this VM", want);
	return true;
}

bool cloud_take_located(struct cloud *c, char *addr, size_t len, int *port, char *how,
			size_t howlen)
{
	if (!c->located || c->located_taken)
		return false;
	c->located_taken = true;
	snprintf(addr, len, "%s", c->loc_addr);
	snprintf(how, howlen, "%s", c->loc_how);
	*port = c->loc_port;
	return true;
}

const char *cloud_locate_failed(const struct cloud *c)
{
	if (c->loc_failed[0])
		return c->loc_failed;
	if (c->find_address && !c->located && !(c->jobs & (J_VM | J_DISCOVERY | J_LOCATE)))
		return c->f.failed[0] ? c->f.failed : c->f.ep_failed[0] ? c->f.ep_failed :
		       "Azure did not name the VM's public address";
	return "";
}

static void on_watchers(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	char err[NETJSON_ERR_LEN];

	c->pending--;
	c->f.watchers_done = true;
	if (!(c->jobs & J_DISCOVERY))
		return;
	if (r->status != 200) {
		/* no watcher is no reason to doubt the NSG rules: only IP flow verify is lost */
		cloud_answer_line(r, err, sizeof(err));
		model_log(c->m, "azure: network watchers not read: %.100s", err);
		return;
	}
	if (netjson_watcher_in(r->body, r->len, c->f.vi.location, c->f.watcher,
			       sizeof(c->f.watcher), err, sizeof(err)) < 0)
		model_log(c->m, "azure: network watchers: %.100s", err);
}

/* The ports sshd listens on, as Run Command read them (n 0: unknown). */


static void evaluate_endpoint(struct cloud *c)
{
	const struct netjson_ipconf *ip = netjson_nic_primary(c->f.nic);
	const struct netjson_fw_rcg *rcg[CLOUD_MAX_RCG];
	struct check pip, ports, acl;
	int sshd[8];
	struct endpoint_input in = {
		.target_addr = c->m->target.address, .target_port = c->m->target.port,
		.client_ip = c->m->target.client_ip, .vm_ipconf_id = ip->id,
		.vm_private_ip = ip->private_ip, .pips = c->f.pips, .n_pips = c->f.n_pips,
		.nat = c->f.nat, .n_nat = c->f.n_nat, .rcg = rcg, .n_rcg = c->f.n_rcg,
		.sshd_ports = sshd,
	};
	struct endpoint_out eo;

	for (int i = 0; i < c->f.n_rcg; i++)
		rcg[i] = c->f.rcg[i];
	in.n_sshd_ports = cloud_guest_ports(c, sshd, 8);
	if (c->f.ep_failed[0]) {
		set(c, CK_ENDPOINT_CLOUD, ST_UNKNOWN, OUT_UNAVAILABLE, c->f.ep_failed, NULL);
		set(c, CK_ENDPOINT_PORTS, ST_UNKNOWN, OUT_UNAVAILABLE, c->f.ep_failed, NULL);
		set(c, CK_ENDPOINT_ACL, ST_UNKNOWN, OUT_UNAVAILABLE, c->f.ep_failed, NULL);
		c->f.backend_port = c->f.n_nat ? c->f.nat[0].backend_port : c->m->target.port;
		return;
	}
	endpoint_evaluate(&in, &pip, &ports, &acl, &eo);
	put(c, &pip);
	put(c, &ports);
	put(c, &acl);
	/* where the entry delivers: the NSGs and the guest see this port */
	c->f.backend_port = eo.port ? eo.port : c->m->target.port;
	if (eo.objects[0])
		model_set_objects(c->m, COMP_ENDPOINT, "%s", eo.objects);
	model_log(c->m, "azure: entry %s, delivers to port %d", endpoint_kind_name(eo.kind),
		  c->f.backend_port);
}

/* The NSG check, offline from the rules read. */
static void evaluate_nsgs(struct cloud *c)
{
	struct model *m = c->m;
	const struct netjson_ipconf *ip = netjson_nic_primary(c->f.nic);
	struct nsg_ctx ctx;
	struct nsg_flow flow;
	struct nsg_result res;
	int port = c->f.backend_port ? c->f.backend_port : m->target.port;
	char ev[CHECK_EVIDENCE_LEN];
	struct check k;

	nsg_ctx_init(&ctx);
	for (int i = 0; i < c->f.n_vnet; i++)
		nsg_ctx_add_vnet(&ctx, c->f.vnet[i]);
	if (!c->f.n_vnet && c->f.subnet.address_prefix[0])
		nsg_ctx_add_vnet(&ctx, c->f.subnet.address_prefix);
	if (nsg_flow_init(&flow, NSG_INBOUND, NSG_PROTO_TCP, m->target.client_ip, 50000,
			  ip->private_ip, port) != 0) {
		set(c, CK_NSG_CLOUD, ST_UNKNOWN, OUT_UNAVAILABLE,
		    "the client's or the VM's address does not parse", NULL);
		return;
	}
	for (int i = 0; i < ip->n_asg && i < NSG_FLOW_MAX_ASG; i++)
		flow.dst_asg[flow.n_dst_asg++] = ip->asg_ids[i];
	nsg_evaluate(c->f.nsg_subnet, c->f.nsg_nic, &ctx, &flow, &res);
	c->f.n_nsg_props = nsg_propose_allow(c->f.nsg_subnet, c->f.nsg_nic, &flow, &res, c->f.nsg_props);
	if (c->f.n_nsg_props > 0) {
		const struct nsg_remedy *p = &c->f.nsg_props[0];

		if (p->possible)
			snprintf(m->remedy_changes[RM_NSG_ALLOW_SSH], sizeof(m->remedy_changes[0]),
				 "PUT securityRules/sshtriage-allow-ssh on %.50s: Allow TCP %d from %.40s at "
				 "priority %d%s", p->nsg, p->port, p->source, p->priority,
				 c->f.n_nsg_props > 1 ? " (and the other NSG)" : "");
		else
			snprintf(m->remedy_changes[RM_NSG_ALLOW_SSH], sizeof(m->remedy_changes[0]),
				 "moves rule %.40s of %.40s to a free priority above %d, Allow TCP "
				 "%d from %.30s at %d", p->deny_rule, p->nsg, p->deny_priority, p->port,
				 p->source, p->deny_priority);
	}
	model_set_objects(m, COMP_NSG, "subnet %s, NIC %s",
			  res.stage[NSG_STAGE_SUBNET].present ? res.stage[NSG_STAGE_SUBNET].nsg : "none",
			  res.stage[NSG_STAGE_NIC].present ? res.stage[NSG_STAGE_NIC].nsg : "none");
	c->f.nsg_known = true;
	c->f.nsg_access = res.access;
	check_init(&k, CK_NSG_CLOUD);
	if (res.access == NSG_DENY)
		check_set(&k, ST_FAIL, OUT_BLOCKED, "%s", res.summary);
	else
		check_set(&k, res.uncertain ? ST_WARN : ST_OK, res.uncertain ? OUT_WARN : OUT_OK, "%s",
			  res.summary);
	for (int s = 0; s < NSG_STAGES; s++) {
		const struct nsg_decision *d = &res.stage[s];

		if (!d->present)
			snprintf(ev, sizeof(ev), "%s: no NSG", nsg_stage_name((enum nsg_stage)s));
		else
			snprintf(ev, sizeof(ev), "%s NSG %.60s: rule %.60s (priority %d) %s%s",
				 nsg_stage_name((enum nsg_stage)s), d->nsg, d->rule, d->priority,
				 nsg_access_name(d->access), d->is_default || d->builtin_default ? ", a default rule" : "");
		check_evidence(&k, "%s", ev);
	}
	check_evidence(&k, "flow: TCP from %s to %s port %d", m->target.client_ip, ip->private_ip,
		       port);
	put(c, &k);
}

static void start_flow_verify(struct cloud *c);
static void evaluate_guest(struct cloud *c);

/* Called from cloud_handle: once every discovery answer is in (and the client's public
 * address and the target's address are known), decide the endpoint and NSG checks. */
static void discovery_step(struct cloud *c)
{
	struct model *m = c->m;
	/* the client's public address comes from what-is-my-IP or the vantage host */
	bool whoami_done = m->checks[CK_EDGE_PUBLIC_IP].state != ST_PENDING &&
			   m->checks[CK_EDGE_PUBLIC_IP].state != ST_RUNNING &&
			   m->checks[CK_EDGE_VANTAGE].state != ST_PENDING &&
			   m->checks[CK_EDGE_VANTAGE].state != ST_RUNNING;

	if (!(c->jobs & J_DISCOVERY) || c->pending > 0)
		return;
	if (c->f.nic_answered && !netjson_nic_primary(c->f.nic)) {
		/* without the NIC nothing of the path can be judged, no entry found, no sibling
		 * chosen: end now, with the reason, instead of at the round's deadline */
		const char *why = c->f.failed[0] ? c->f.failed : "the network interface was not read";

		if (c->find_address && !c->located && !c->loc_failed[0])
			snprintf(c->loc_failed, sizeof(c->loc_failed), "%s", why);
		end_jobs(c, J_DISCOVERY | J_FLOW | J_SIBLING, why);
		return;
	}
	if (!c->f.nic)
		return;
	if (c->find_address && !c->located && !c->loc_failed[0]) {
		if (!c->f.pips_done || !locate_entry(c))
			return;
		if (c->loc_failed[0]) {
			end_jobs(c, J_DISCOVERY | J_FLOW, c->loc_failed);
			return;
		}
	}
	if (!m->target.address[0] && !m->done)
		return;          /* the name is still being resolved */
	if (c->f.pips_done && !c->f.fw_started && m->target.address[0]) {
		start_firewall(c);
		if (c->pending > 0)
			return;
	}
	if (!m->target.client_ip[0] && !whoami_done && !m->done)
		return;          /* the what-is-my-IP probe is still running */
	if (c->f.failed[0]) {
		end_jobs(c, J_DISCOVERY | J_FLOW, c->f.failed);
		return;
	}
	if (!m->target.address[0])
		c->f.ep_failed[0] ? (void)0 : (void)snprintf(c->f.ep_failed, sizeof(c->f.ep_failed),
			"the target's address is unknown");
	evaluate_endpoint(c);
	c->f.evaluated = true;
	if (m->target.client_ip[0])
		evaluate_nsgs(c);
	else
		set(c, CK_NSG_CLOUD, ST_UNKNOWN, OUT_UNAVAILABLE,
		    "NSGs read, but this client's public address is unknown (--client-ip or "
		    "--whoami-url)", NULL);
	if (c->f.have_guest)
		evaluate_guest(c);   /* the port the path delivers to is known now */
	job_done(c, J_DISCOVERY);
	start_flow_verify(c);
}


/* ---- Network Watcher IP flow verify: Azure's own view of the NSG decision -------------- */

static void on_flow(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	struct netjson_ipflow fl;
	char err[NETJSON_ERR_LEN];
	struct check k;

	if (!job_answer(c, J_FLOW, r, "IP flow verify failed"))
		return;
	if (netjson_ipflow(r->body, r->len, &fl, err, sizeof(err)) != 0) {
		char why[NETJSON_ERR_LEN + 40];

		snprintf(why, sizeof(why), "IP flow verify answer unreadable: %s", err);
		end_jobs(c, J_FLOW, why);
		return;
	}
	check_init(&k, CK_NSG_FLOW_VERIFY);
	if (fl.access == NSG_DENY)
		check_set(&k, ST_FAIL, OUT_BLOCKED, "Network Watcher: rule %s denies TCP %d from %s",
			  fl.rule, c->f.backend_port, c->m->target.client_ip);
	else
		check_set(&k, ST_OK, OUT_OK, "Network Watcher: rule %s allows TCP %d from %s", fl.rule,
			  c->f.backend_port, c->m->target.client_ip);
	check_evidence(&k, "ipFlowVerify answered %s by %s", nsg_access_name(fl.access), fl.rule_name);
	if (c->f.nsg_known)
		check_evidence(&k, c->f.nsg_access == fl.access ? "the offline evaluation agrees" :
			       "the offline evaluation DISAGREES (effective rules win: trust this one)");
	put(c, &k);
	job_done(c, J_FLOW);
}

static void start_flow_verify(struct cloud *c)
{
	const struct netjson_ipconf *ip = netjson_nic_primary(c->f.nic);
	char url[1200], body[2048], err[200];

	if (!(c->jobs & J_FLOW) || c->f.flow_started || !c->f.watchers_done)
		return;          /* not before the watchers are read: cloud_handle calls again */
	c->f.flow_started = true;
	if (!c->f.watcher[0]) {
		end_jobs(c, J_FLOW, "no network watcher in the VM's region: the offline evaluation "
			 "stands alone");
		return;
	}
	if (!c->m->target.client_ip[0]) {
		end_jobs(c, J_FLOW, "this client's public address is unknown (--client-ip or "
			 "--whoami-url)");
		return;
	}
	cloud_arm_url(c, url, sizeof(url), c->f.watcher, "/ipFlowVerify", NETWORK_API);
	snprintf(body, sizeof(body), "{\"targetResourceId\":\"%s\",\"direction\":\"Inbound\","
		 "\"protocol\":\"TCP\",\"localPort\":\"%d\",\"remotePort\":\"*\","
		 "\"localIPAddress\":\"%s\",\"remoteIPAddress\":\"%s\"}",
		 c->vm_id, c->f.backend_port, ip->private_ip, c->m->target.client_ip);
	if (cloud_call(c, "POST", url, body, ARM_LRO, on_flow, err, sizeof(err)) != 0)
		end_jobs(c, J_FLOW, err);
}


/* ---- resource health and the boot log -------------------------------------------------- */

static void on_health(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	struct netjson_health h;
	char err[NETJSON_ERR_LEN];
	struct check k;

	if (!job_answer(c, J_HEALTH, r, "resource health not read"))
		return;
	if (netjson_health(r->body, r->len, &h, err, sizeof(err)) != 0) {
		end_jobs(c, J_HEALTH, err);
		return;
	}
	check_init(&k, CK_VM_HEALTH);
	if (strcasecmp(h.availability_state, "Available") == 0)
		check_set(&k, ST_OK, OUT_OK, "Azure reports the VM Available");
	else
		check_set(&k, ST_WARN, OUT_UNHEALTHY, "Azure reports the VM %s: %.150s",
			  h.availability_state, h.summary[0] ? h.summary : h.title);
	if (h.reason_type[0])
		check_evidence(&k, "reason: %s", h.reason_type);
	if (h.title[0])
		check_evidence(&k, "%s", h.title);
	put(c, &k);
	job_done(c, J_HEALTH);
}

static void on_boot_blob(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	struct bootlog_result *b;
	struct check k;

	if (!job_answer(c, J_BOOT, r, "the serial log could not be read"))
		return;
	b = malloc(sizeof(*b));
	if (!b) {
		end_jobs(c, J_BOOT, "out of memory");
		return;
	}
	bootlog_scan(r->body, r->len, b);
	bootlog_keep(c->m, r->body, r->len, b);     /* the text, for the boot-log viewer */
	check_init(&k, CK_VM_BOOT_LOG);
	if (b->n_hits == 0)
		check_set(&k, ST_OK, OUT_OK, "no known failure in the serial log (%ld lines)", b->lines);
	else
		check_set(&k, b->hits[0].sig == BOOTLOG_EMERGENCY || b->hits[0].sig == BOOTLOG_PANIC ||
			  b->count[BOOTLOG_EMERGENCY] || b->count[BOOTLOG_PANIC] ? ST_FAIL : ST_WARN,
			  OUT_BOOT_FAILURE, "the serial log shows %s%s%s",
			  b->count[BOOTLOG_EMERGENCY] ? "emergency mode: the guest booted without "
			  "sshd" : bootlog_sig_name(b->hits[0].sig),
			  b->count[BOOTLOG_FSTAB] ? " (a mount in /etc/fstab failed)" : "",
			  b->count[BOOTLOG_PANIC] ? " (kernel panic)" : "");
	/* the host keys cloud-init printed at boot: a second, older out-of-band source */
	for (int i = 0; i < b->n_fp && k.n_evidence < CHECK_EVIDENCE_MAX - 2; i++)
		check_evidence(&k, "host key at boot (cloud-init): %s", b->fp[i]);
	for (int i = 0; i < b->n_hits && k.n_evidence < CHECK_EVIDENCE_MAX; i++)
		check_evidence(&k, "line %ld: %s", b->hits[i].line, b->hits[i].text);
	put(c, &k);
	free(b);
	job_done(c, J_BOOT);
}

static void on_boot_uri(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	char uri[2048], err[200];

	if (!job_answer(c, J_BOOT, r, "boot diagnostics not read"))
		return;
	if (vmjson_boot_log_uri(r->body, r->len, uri, sizeof(uri), err, sizeof(err)) != 0) {
		end_jobs(c, J_BOOT, err);
		return;
	}
	/* a SAS URL: the signature is the credential, so no bearer token goes with it */
	if (arm_call(c->arm, "GET", uri, NULL, 0, on_boot_blob, c, err, sizeof(err)) != 0)
		end_jobs(c, J_BOOT, err);
}

static void start_boot(struct cloud *c)
{
	char url[1200], err[200];

	if (c->f.vi.boot_diagnostics == 0) {
		end_jobs(c, J_BOOT, "boot diagnostics are off for this VM: no serial log to read");
		return;
	}
	snprintf(url, sizeof(url), "%.511s%.600s/retrieveBootDiagnosticsData?"
		 "sasUriExpirationTimeInMinutes=5&api-version=" COMPUTE_API, c->arm_ep, c->vm_id);
	if (cloud_call(c, "POST", url, NULL, 0, on_boot_uri, err, sizeof(err)) != 0)
		end_jobs(c, J_BOOT, err);
}

static void start_health(struct cloud *c)
{
	char url[1200], err[200];

	cloud_arm_url(c, url, sizeof(url), c->vm_id,
		"/providers/Microsoft.ResourceHealth/availabilityStatuses/current", HEALTH_API);
	if (cloud_call(c, "GET", url, NULL, 0, on_health, err, sizeof(err)) != 0)
		end_jobs(c, J_HEALTH, err);
}


/* ---- Run Command: the guest's own facts, and a sibling VM's view ------------------------ */

/* POSTs a RunShellScript of script (lines split at '\n') to the VM vm_id. */
int cloud_run_command(struct cloud *c, const char *vm_id, const char *script, arm_done_fn done,
		       char *err, size_t errlen)
{
	cJSON *body = cJSON_CreateObject(), *lines = cJSON_AddArrayToObject(body, "script");
	char url[1200], *json;
	const char *p = script;
	int rc = -1;

	cJSON_AddStringToObject(body, "commandId", "RunShellScript");
	while (lines && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, n);

		if (!line || !cJSON_AddItemToArray(lines, cJSON_CreateString(line))) {
			free(line);
			break;
		}
		free(line);
		p += n + (nl != NULL);
	}
	json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	if (!json || *p) {
		snprintf(err, errlen, "out of memory");
		free(json);
		return -1;
	}
	snprintf(url, sizeof(url), "%.511s%.600s/runCommand?api-version=" COMPUTE_API, c->arm_ep, vm_id);
	/* a POST action is not repeated blindly (ARM_NO_RETRY): it only reads, but a second
	 * one while the first runs is refused by the agent */
	rc = cloud_call(c, "POST", url, json, ARM_LRO | ARM_NO_RETRY, done, err, errlen);
	free(json);
	return rc;
}

/* The guest's stdout from a finished Run Command, or NULL with why. */
bool cloud_run_output(const struct arm_response *r, struct runcmd_result *out, char *why, size_t len)
{
	char line[200], err[200];

	memset(out, 0, sizeof(*out));
	if (r->status != 200 || r->error[0] || strcmp(r->lro_status, "Succeeded") != 0) {
		cloud_answer_line(r, line, sizeof(line));
		snprintf(why, len, "Run Command failed: %.200s", line);
		return false;
	}
	if (runcmd_parse(r->body, r->len, out, err, sizeof(err)) != 0) {
		snprintf(why, len, "Run Command answer unreadable: %.200s", err);
		return false;
	}
	if (!out->succeeded) {
		snprintf(why, len, "Run Command did not succeed (%.90s): %.100s", out->code,
			 out->err && out->err[0] ? out->err : "no output");
		runcmd_free(out);
		return false;
	}
	return true;
}

/* The sibling: another VM of the same subnet, asked by Run Command to open TCP to this
 * VM's private address and read the banner — the path without the internet, the endpoint
 * or the NSG rules for internet traffic. */
static struct sibling *sib_of(struct cloud *c)
{
	return &c->f.sib;
}

static void sibling_next(struct cloud *c);

static void mode_text(const struct guest_mode *md, char *buf, size_t len)
{
	if (md->mode == -1)
		snprintf(buf, len, "missing");
	else if (md->mode < 0)
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "%o %s", (unsigned)md->mode, md->owner);
}

static void judge_sshd(struct cloud *c, const struct guest_facts *g, int port)
{
	struct check k;
	char ports[160] = "";
	size_t at = 0;

	for (int i = 0; i < g->n_listen && at + 8 < sizeof(ports); i++)
		at += (size_t)snprintf(ports + at, sizeof(ports) - at, "%s%d", i ? ", " : "", g->listen[i]);
	check_init(&k, CK_VM_GUEST_SSHD);
	if (g->sshd_active == GUEST_NO && g->sshd_test_ok == GUEST_NO)
		check_set(&k, ST_FAIL, OUT_SSHD_CONFIG, "sshd is not running: `sshd -t` rejects its "
			  "configuration (%.150s)", g->sshd_test_err);
	else if (g->sshd_active == GUEST_NO)
		check_set(&k, ST_FAIL, OUT_SSHD_DOWN, "sshd is not running in the guest (%s)",
			  g->sshd_state[0] ? g->sshd_state : "no sshd process");
	else if (g->sshd_active == GUEST_YES && g->have_listen && !guest_listens(g, port))
		check_set(&k, ST_FAIL, OUT_SSHD_NOT_LISTENING, "sshd runs but listens on %s, not on "
			  "port %d where the path delivers", ports[0] ? ports : "no TCP port", port);
	else if (g->sshd_active == GUEST_YES && g->sshd_test_ok == GUEST_NO)
		check_set(&k, ST_WARN, OUT_SSHD_CONFIG, "sshd runs, but its configuration no longer "
			  "passes `sshd -t`: the next restart fails (%.120s)", g->sshd_test_err);
	else if (g->sshd_active == GUEST_YES)
		check_set(&k, ST_OK, OUT_OK, "sshd runs and listens on port %d", port);
	else
		check_set(&k, ST_UNKNOWN, OUT_UNAVAILABLE, "the guest did not say whether sshd runs");
	check_evidence(&k, "listening: %s; sshd -t: %s", ports[0] ? ports : "none",
		       g->sshd_test[0] ? g->sshd_test : "not run");
	if (g->sshd_test_err[0])
		check_evidence(&k, "sshd -t: %.180s", g->sshd_test_err);
	if (g->n_cfg_ports)
		check_evidence(&k, "sshd -T: port %d%s, strictmodes %s, pubkeyauthentication %s",
			       g->cfg_ports[0], g->n_cfg_ports > 1 ? " (and more)" : "",
			       g->strict_modes == GUEST_NO ? "no" : "yes",
			       g->pubkey == GUEST_NO ? "no" : "yes");
	put(c, &k);
}

static void judge_firewall(struct cloud *c, const struct guest_facts *g, int port)
{
	const struct guest_fw_port *fw = guest_fw_port(g, port);
	struct check k;

	check_init(&k, CK_VM_GUEST_FIREWALL);
	if (!fw || fw->verdict == GUEST_FW_UNKNOWN)
		check_set(&k, ST_UNKNOWN, OUT_UNAVAILABLE, "the guest firewall was not read for port %d",
			  port);
	else if (fw->verdict == GUEST_FW_DROP || fw->verdict == GUEST_FW_REJECT)
		check_set(&k, ST_FAIL, OUT_BLOCKED, "the guest firewall (%s) %ss TCP port %d",
			  g->fw_tool[0] ? g->fw_tool : "?", guest_fw_name(fw->verdict), port);
	else if (fw->verdict == GUEST_FW_NONE &&
		 (g->fw_catchall == GUEST_FW_DROP || g->fw_catchall == GUEST_FW_REJECT))
		check_set(&k, ST_FAIL, OUT_BLOCKED, "the guest firewall (%s) %ss everything it does "
			  "not accept, and nothing accepts TCP port %d", g->fw_tool,
			  guest_fw_name(g->fw_catchall), port);
	else
		check_set(&k, ST_OK, OUT_OK, "the guest firewall (%s) lets TCP port %d in",
			  g->fw_tool[0] ? g->fw_tool : "none", port);
	if (fw && fw->rule[0])
		check_evidence(&k, "rule: %.180s", fw->rule);
	if (fw && fw->cond)
		check_evidence(&k, "%d rule(s) for port %d apply to some sources only (not judged)",
			       fw->cond, port);
	put(c, &k);
}

static void judge_account(struct cloud *c, const struct guest_facts *g)
{
	const char *u = c->m->target.user;
	struct check k;

	check_init(&k, CK_VM_GUEST_ACCOUNT);
	if (g->user_exists == GUEST_NO)
		check_set(&k, ST_FAIL, OUT_NO_USER, "there is no user %s in the guest", u);
	else if (g->user_expired == GUEST_YES)
		check_set(&k, ST_FAIL, OUT_ACCT_EXPIRED, "account %s expired (day %lld; today is day "
			  "%lld): sshd refuses it", u, g->expire_days, g->today_days);
	else if (g->user_locked == GUEST_YES && g->use_pam != GUEST_YES)
		check_set(&k, ST_FAIL, OUT_ACCT_LOCKED, "account %s is locked ('!' in /etc/shadow) "
			  "and sshd runs without PAM, so it refuses every login", u);
	else if (guest_shell_nologin(g))
		check_set(&k, ST_FAIL, OUT_NOLOGIN_SHELL, "account %s has the shell %.100s: it cannot "
			  "log in", u, g->user_shell);
	else if (g->nologin == GUEST_YES && strcmp(u, "root") != 0)
		check_set(&k, ST_FAIL, OUT_NOLOGIN_FILE, "/etc/nologin exists: only root may log in");
	else if (g->user_exists == GUEST_YES && g->user_locked == GUEST_YES)
		check_set(&k, ST_WARN, OUT_ACCT_LOCKED, "account %s is locked ('!' in /etc/shadow); "
			  "with PAM, keys still work", u);
	else if (g->user_exists == GUEST_YES)
		check_set(&k, ST_OK, OUT_OK, "account %s exists, is not expired, and may log in", u);
	else
		check_set(&k, ST_UNKNOWN, OUT_UNAVAILABLE, "the guest did not report account %s", u);
	if (g->user_exists == GUEST_YES)
		check_evidence(&k, "home %.80s, shell %.80s, password %s", g->user_home, g->user_shell,
			       g->user_pw[0] ? g->user_pw : "?");
	put(c, &k);
}

static void judge_modes(struct cloud *c, const struct guest_facts *g)
{
	char why[200], h[80], d[80], a[80];
	struct check k;

	check_init(&k, CK_VM_GUEST_MODES);
	mode_text(&g->home, h, sizeof(h));
	mode_text(&g->sshdir, d, sizeof(d));
	mode_text(&g->authkeys, a, sizeof(a));
	if (guest_strictmodes_bad(g, c->m->target.user, why, sizeof(why)))
		check_set(&k, ST_FAIL, OUT_BAD_MODE, "StrictModes refuses the keys: %s", why);
	else if (g->home.mode == -2 && g->authkeys.mode == -2)
		check_set(&k, ST_UNKNOWN, OUT_UNAVAILABLE, "the guest did not report the modes");
	else
		check_set(&k, ST_OK, OUT_OK, "home, ~/.ssh and authorized_keys pass StrictModes");
	check_evidence(&k, "home %s, ~/.ssh %s, %.60s %s", h, d,
		       g->authkeys_path[0] ? g->authkeys_path : "authorized_keys", a);
	put(c, &k);
}

static void judge_disk(struct cloud *c, const struct guest_facts *g)
{
	char why[200];
	struct check k;

	check_init(&k, CK_VM_GUEST_DISK);
	if (guest_disk_full(g, why, sizeof(why)) > 0)
		check_set(&k, ST_FAIL, OUT_DISK_FULL, "a guest file system is full: %s", why);
	else if (!g->disk[GUEST_DISK_ROOT].present)
		check_set(&k, ST_UNKNOWN, OUT_UNAVAILABLE, "the guest did not report its disks");
	else
		check_set(&k, ST_OK, OUT_OK, "%lld MB free on /", g->disk[GUEST_DISK_ROOT].avail_kb / 1024);
	for (int i = 0; i < GUEST_DISKS; i++)
		if (g->disk[i].present)
			check_evidence(&k, "%s on %.60s: %lld KB free, %d%% used", guest_disk_path(i),
				       g->disk[i].mount, g->disk[i].avail_kb, g->disk[i].use_pct);
	put(c, &k);
}

static void judge_host_keys(struct cloud *c, const struct guest_facts *g)
{
	struct check k;

	check_init(&k, CK_VM_HOST_KEY);
	if (g->n_hostkeys == 0)
		check_set(&k, ST_UNKNOWN, OUT_UNAVAILABLE, "no host key fingerprint came back");
	else
		check_set(&k, ST_OK, OUT_OK, "%d host key(s) read inside the VM (out of band)",
			  g->n_hostkeys);
	/* diag_host_key compares these with the key the network presents */
	for (int i = 0; i < g->n_hostkeys && i < CHECK_EVIDENCE_MAX; i++)
		check_evidence(&k, "%s %s", g->hostkeys[i].type, g->hostkeys[i].fp);
	put(c, &k);
}

/* The guest checks from the facts Run Command brought back; again once discovery knows
 * the port the path really delivers to. */
static void evaluate_guest(struct cloud *c)
{
	struct guest_facts *g = malloc(sizeof(*g));
	int port = c->f.evaluated && c->f.backend_port ? c->f.backend_port : c->m->target.port;

	if (!g || guest_parse(c->f.guest_out.out, c->f.guest_out.out_len, g) == 0) {
		free(g);
		end_jobs(c, J_GUEST, "Run Command ran, but the guest reported no facts");
		return;
	}
	judge_sshd(c, g, port);
	judge_firewall(c, g, port);
	judge_account(c, g);
	judge_modes(c, g);
	judge_disk(c, g);
	judge_host_keys(c, g);
	if (!g->complete)
		model_log(c->m, "azure: the guest's answer was cut; facts past the cut are unknown");
	free(g);
	job_done(c, J_GUEST);
}

int cloud_guest_ports(const struct cloud *c, int *ports, int max)
{
	struct guest_facts *g;
	int n = 0;

	if (!c->f.have_guest || !(g = malloc(sizeof(*g))))
		return 0;
	if (guest_parse(c->f.guest_out.out, c->f.guest_out.out_len, g) > 0 &&
	    g->sshd_active == GUEST_YES)
		for (int i = 0; i < g->n_listen && n < max; i++)
			ports[n++] = g->listen[i];
	free(g);
	return n;
}

static void on_guest(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	char why[300];

	if (!(c->jobs & J_GUEST))
		return;
	if (!cloud_run_output(r, &c->f.guest_out, why, sizeof(why))) {
		end_jobs(c, J_GUEST, why);
		return;
	}
	c->f.have_guest = true;
	evaluate_guest(c);
	if (c->f.evaluated)
		evaluate_endpoint(c);    /* now that sshd's ports are known */
}

static void start_guest(struct cloud *c)
{
	int ports[2] = {c->m->target.port, 22}, n = c->m->target.port == 22 ? 1 : 2;
	char *script = malloc(GUEST_SCRIPT_MAX), err[200];

	if (!script || guest_script(c->m->target.user[0] ? c->m->target.user : "root", ports, n,
				    script, GUEST_SCRIPT_MAX) < 0) {
		free(script);
		end_jobs(c, J_GUEST, "no guest script for this user name (Run Command takes "
			 "[a-z_][a-z0-9_.-]* only)");
		return;
	}
	if (cloud_run_command(c, c->vm_id, script, on_guest, err, sizeof(err)) != 0)
		end_jobs(c, J_GUEST, err);
	else
		c->slow_started |= J_GUEST;
	free(script);
}

static void on_sibling_run(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	struct runcmd_result out;
	char why[300], rc[16] = "", banner[120] = "", err[160] = "";
	const char *ip = netjson_nic_primary(c->f.nic)->private_ip;
	int port = c->f.backend_port ? c->f.backend_port : c->m->target.port;
	struct check k;

	if (!(c->jobs & J_SIBLING))
		return;
	if (!cloud_run_output(r, &out, why, sizeof(why))) {
		char s[400];

		snprintf(s, sizeof(s), "sibling %.60s: %.300s", sib_of(c)->name, why);
		end_jobs(c, J_SIBLING, s);
		return;
	}
	runcmd_field(out.out, "SIBLING_RC", rc, sizeof(rc));
	runcmd_field(out.out, "SIBLING_BANNER", banner, sizeof(banner));
	runcmd_field(out.out, "SIBLING_ERR", err, sizeof(err));
	runcmd_free(&out);
	check_init(&k, CK_VM_SIBLING);
	if (strcmp(rc, "0") == 0 && strncmp(banner, "SSH-", 4) == 0)
		check_set(&k, ST_OK, OUT_OK, "%s reaches %s port %d inside the VNet and gets the SSH "
			  "banner", sib_of(c)->name, ip, port);
	else if (strcmp(rc, "124") == 0 || strcmp(rc, "3") == 0)
		check_set(&k, ST_FAIL, strcmp(rc, "3") == 0 ? OUT_NO_BANNER : OUT_TIMEOUT,
			  "%s gets %s from %s port %d inside the VNet too", sib_of(c)->name,
			  strcmp(rc, "3") == 0 ? "no banner" : "no answer (dropped)", ip, port);
	else if (strstr(err, "refused"))
		check_set(&k, ST_FAIL, OUT_REFUSED, "%s is refused by %s port %d inside the VNet too",
			  sib_of(c)->name, ip, port);
	else
		check_set(&k, ST_WARN, OUT_WARN, "%s could not test %s port %d (exit %s)",
			  sib_of(c)->name, ip, port, rc[0] ? rc : "unknown");
	if (banner[0])
		check_evidence(&k, "banner: %s", banner);
	if (err[0])
		check_evidence(&k, "%s", err);
	put(c, &k);
	job_done(c, J_SIBLING);
}

static void start_sibling_run(struct cloud *c, const char *vm_id)
{
	const struct netjson_ipconf *ip = netjson_nic_primary(c->f.nic);
	struct nsg_ip parsed;
	char script[1024], err[200];
	int port = c->m->target.port;

	netjson_id_name(vm_id, sib_of(c)->name, sizeof(sib_of(c)->name));
	/* the address goes into a script: it must be an address and nothing else */
	if (!nsg_parse_ip(ip->private_ip, strlen(ip->private_ip), &parsed)) {
		end_jobs(c, J_SIBLING, "the VM's private address does not parse");
		return;
	}
	for (int i = 0; i < c->f.n_nat; i++)
		if (c->f.nat[i].frontend_port == port)
			port = c->f.nat[i].backend_port;
	snprintf(script, sizeof(script),
		 "T=; command -v timeout >/dev/null 2>&1 && T='timeout 5'\n"
		 "if command -v bash >/dev/null 2>&1; then\n"
		 "  out=$($T bash -c 'exec 3<>/dev/tcp/%s/%d || exit 2; IFS= read -r -t 4 l <&3 || exit 3; printf \"%%s\\n\" \"$l\"' 2>/tmp/.sshtriage-sib.$$); rc=$?\n"
		 "else out=; rc=127; echo 'no bash on the sibling' >/tmp/.sshtriage-sib.$$; fi\n"
		 "echo SIBLING_RC=$rc\n"
		 "printf 'SIBLING_BANNER=%%s\\n' \"$(printf '%%s' \"$out\" | head -c 100 | tr -d '\\r')\"\n"
		 "printf 'SIBLING_ERR=%%s\\n' \"$(head -n 1 /tmp/.sshtriage-sib.$$ | head -c 150)\"\n"
		 "rm -f /tmp/.sshtriage-sib.$$\n", ip->private_ip, port);
	c->slow_started |= J_SIBLING;
	if (cloud_run_command(c, vm_id, script, on_sibling_run, err, sizeof(err)) != 0)
		end_jobs(c, J_SIBLING, err);
}

static void on_sibling_nic(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	struct sibling *s = sib_of(c);
	struct netjson_nic *nic;
	const struct netjson_ipconf *mine = netjson_nic_primary(c->f.nic), *its;
	char err[NETJSON_ERR_LEN];

	if (!(c->jobs & J_SIBLING))
		return;
	nic = r->status == 200 ? netjson_nic(r->body, r->len, err, sizeof(err)) : NULL;
	its = netjson_nic_primary(nic);
	if (its && strcasecmp(its->subnet_id, mine->subnet_id) == 0) {
		netjson_nic_free(nic);
		start_sibling_run(c, s->vm[s->at]);
		return;
	}
	netjson_nic_free(nic);
	s->at++;
	sibling_next(c);
}

static void sibling_next(struct cloud *c)
{
	struct sibling *s = sib_of(c);
	char url[1200], err[200];

	if (s->at >= s->n) {
		char why[300];

		/* "none" is only a fact when the whole list was read */
		snprintf(why, sizeof(why), "no other VM %s is in this VM's subnet%s%s",
			 s->unread[0] ? "of the VMs read" : "of the resource group",
			 s->unread[0] ? ": " : "", s->unread);
		end_jobs(c, J_SIBLING, why);
		return;
	}
	cloud_arm_url(c, url, sizeof(url), s->nic[s->at], "", NETWORK_API);
	if (cloud_call(c, "GET", url, NULL, 0, on_sibling_nic, err, sizeof(err)) != 0)
		end_jobs(c, J_SIBLING, err);
}

static void on_sibling_list(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	struct sibling *s = sib_of(c);
	struct netjson_vm_list *l;
	char err[NETJSON_ERR_LEN], next[2048];

	if (!job_answer(c, J_SIBLING, r, "listing the VMs failed"))
		return;
	l = netjson_vm_list(r->body, r->len, err, sizeof(err));
	if (!l || netjson_next_link(r->body, r->len, next, sizeof(next), err, sizeof(err)) != 0) {
		netjson_vm_list_free(l);
		end_jobs(c, J_SIBLING, err);
		return;
	}
	for (int i = 0; i < l->n && s->n < SIBLING_MAX; i++)
		if (strcasecmp(l->vm[i].id, c->vm_id) != 0 && l->vm[i].n_nics > 0) {
			snprintf(s->vm[s->n], sizeof(s->vm[0]), "%s", l->vm[i].id);
			snprintf(s->nic[s->n++], sizeof(s->nic[0]), "%s", l->vm[i].nics[0]);
		}
	netjson_vm_list_free(l);
	if (next[0] && s->n < SIBLING_MAX) {
		if (!arm_url_is_arm(c->arm, next))
			snprintf(s->unread, sizeof(s->unread), "the list went on at a nextLink off the "
				 "ARM host (not followed)");
		else if (++s->pages >= CLOUD_MAX_PAGES)
			snprintf(s->unread, sizeof(s->unread), "the list went on past %d pages (not "
				 "read)", CLOUD_MAX_PAGES);
		else {
			if (cloud_call(c, "GET", next, NULL, 0, on_sibling_list, err, sizeof(err)) != 0)
				end_jobs(c, J_SIBLING, err);
			return;
		}
	}
	sibling_next(c);
}

static void start_sibling(struct cloud *c)
{
	char scope[600], url[1200], err[200];

	memset(&c->f.sib, 0, sizeof(c->f.sib));   /* the locate step may have used it */
	cloud_vm_scope(c, scope, sizeof(scope), true);
	cloud_arm_url(c, url, sizeof(url), scope, "/providers/Microsoft.Compute/virtualMachines", COMPUTE_API);
	if (cloud_call(c, "GET", url, NULL, 0, on_sibling_list, err, sizeof(err)) != 0)
		end_jobs(c, J_SIBLING, err);
}


/* ---- no --azure-vm: the VM that holds the target's address, in the scope given -------- */

static void start_vm(struct cloud *c);

static void found_vm(struct cloud *c, const char *vm_id, const char *how)
{
	if (!(c->jobs & J_LOCATE))
		return;
	if (!cloud_valid_vm_id(vm_id)) {
		end_jobs(c, J_ALL, "the address leads to something that is not a virtual machine");
		return;
	}
	snprintf(c->vm_id, sizeof(c->vm_id), "%s", vm_id);
	snprintf(c->m->target.azure_vm, sizeof(c->m->target.azure_vm), "%s", vm_id);
	model_log(c->m, "azure: %s holds %s (%s)", vm_id, c->m->target.address, how);
	c->jobs &= ~J_LOCATE;
	start_vm(c);
}

static void locate_fail(struct cloud *c, const char *why)
{
	char msg[CHECK_SUMMARY_LEN];

	snprintf(msg, sizeof(msg), "no VM found for %.46s: %.150s", c->m->target.address, why);
	end_jobs(c, J_ALL, msg);
}

static void on_loc_nic(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	char err[NETJSON_ERR_LEN];
	struct netjson_nic *nic;

	c->pending--;
	if (!job_answer(c, J_LOCATE, r, "reading the network interface failed"))
		return;
	nic = netjson_nic(r->body, r->len, err, sizeof(err));
	if (!nic)
		locate_fail(c, err);
	else if (!nic->vm_id[0])
		locate_fail(c, "the network interface that holds it is attached to no VM");
	else
		found_vm(c, nic->vm_id, "its network interface");
	netjson_nic_free(nic);
}

/* ".../networkInterfaces/NIC/ipConfigurations/x" -> GET ".../networkInterfaces/NIC" */
static void get_nic_of_ipconf(struct cloud *c, const char *ipconf)
{
	char nic[NETJSON_ID_LEN], *p;

	snprintf(nic, sizeof(nic), "%s", ipconf);
	p = strcasestr(nic, "/ipConfigurations/");
	if (!p || !strcasestr(nic, "/networkInterfaces/")) {
		locate_fail(c, "it leads to an IP configuration that is not a network interface's");
		return;
	}
	*p = '\0';
	get(c, nic, NETWORK_API, on_loc_nic);
}

static void on_loc_lb(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	char err[NETJSON_ERR_LEN];
	struct netjson_lb *lb;
	const struct netjson_public_ip *p = NULL;

	c->pending--;
	if (!job_answer(c, J_LOCATE, r, "reading the load balancer failed"))
		return;
	for (int i = 0; i < c->f.n_pips; i++)
		if (strcmp(c->f.pips[i].ip_address, c->m->target.address) == 0)
			p = &c->f.pips[i];
	lb = netjson_lb(r->body, r->len, err, sizeof(err));
	if (!lb || !p) {
		locate_fail(c, lb ? "the public IP went away" : err);
		netjson_lb_free(lb);
		return;
	}
	for (int i = 0; i < lb->n_nat; i++)
		if (strcasecmp(lb->nat[i].frontend_ipconf_id, p->ipconf_id) == 0 &&
		    lb->nat[i].frontend_port == c->m->target.port && lb->nat[i].backend_ipconf_id[0]) {
			get_nic_of_ipconf(c, lb->nat[i].backend_ipconf_id);
			netjson_lb_free(lb);
			return;
		}
	netjson_lb_free(lb);
	locate_fail(c, "no inbound NAT rule of its load balancer maps that port to a VM");
}

/* The firewall's DNAT rule names a private address: the VM whose NIC has it. */
static void on_loc_vm_nic(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	struct sibling *s = &c->f.sib;       /* its candidate list serves here too */
	char err[NETJSON_ERR_LEN], url[1200];
	struct netjson_nic *nic;
	const struct netjson_ipconf *ip;

	if (!job_answer(c, J_LOCATE, r, "reading a network interface failed"))
		return;
	nic = netjson_nic(r->body, r->len, err, sizeof(err));
	ip = netjson_nic_primary(nic);
	if (ip && strcmp(ip->private_ip, c->loc_addr) == 0) {
		found_vm(c, s->vm[s->at], "the firewall's DNAT rule");
		netjson_nic_free(nic);
		return;
	}
	netjson_nic_free(nic);
	if (++s->at >= s->n) {
		locate_fail(c, "no VM of the scope has the address the DNAT rule translates to");
		return;
	}
	cloud_arm_url(c, url, sizeof(url), s->nic[s->at], "", NETWORK_API);
	if (cloud_call(c, "GET", url, NULL, 0, on_loc_vm_nic, err, sizeof(err)) != 0)
		locate_fail(c, err);
}

static void on_loc_vms(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	struct sibling *s = &c->f.sib;
	struct netjson_vm_list *l;
	char err[NETJSON_ERR_LEN], url[1200];

	if (!job_answer(c, J_LOCATE, r, "listing the VMs failed"))
		return;
	l = netjson_vm_list(r->body, r->len, err, sizeof(err));
	if (!l) {
		locate_fail(c, err);
		return;
	}
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < l->n && s->n < SIBLING_MAX; i++)
		if (l->vm[i].n_nics > 0) {
			snprintf(s->vm[s->n], sizeof(s->vm[0]), "%s", l->vm[i].id);
			snprintf(s->nic[s->n++], sizeof(s->nic[0]), "%s", l->vm[i].nics[0]);
		}
	netjson_vm_list_free(l);
	if (!s->n) {
		locate_fail(c, "the scope has no VM with a network interface");
		return;
	}
	cloud_arm_url(c, url, sizeof(url), s->nic[0], "", NETWORK_API);
	if (cloud_call(c, "GET", url, NULL, 0, on_loc_vm_nic, err, sizeof(err)) != 0)
		locate_fail(c, err);
}

/* Called from cloud_handle: the firewall's rules are in: the DNAT rule for the address. */
static void locate_fw_step(struct cloud *c)
{
	char url[1200], err[200];
	const char *to = NULL;

	if (!(c->jobs & J_LOCATE) || !c->f.fw_started || c->pending > 0 || c->loc_addr[0])
		return;
	for (int g = 0; g < c->f.n_rcg && !to; g++)
		for (int k = 0; k < c->f.rcg[g]->n_rules && !to; k++) {
			const struct netjson_dnat_rule *r = &c->f.rcg[g]->rules[k];

			for (int d = 0; d < r->destinations.n && !to; d++)
				for (int p = 0; p < r->dest_ports.n && !to; p++) {
					struct nsg_portrange pr;

					if ((strcmp(r->destinations.v[d], c->m->target.address) == 0 ||
					     strcmp(r->destinations.v[d], "*") == 0) &&
					    nsg_parse_ports(r->dest_ports.v[p], strlen(r->dest_ports.v[p]), &pr) &&
					    pr.lo <= c->m->target.port && c->m->target.port <= pr.hi &&
					    r->translated_address[0])
						to = r->translated_address;
				}
		}
	if (!to) {
		locate_fail(c, c->f.ep_failed[0] ? c->f.ep_failed : "no DNAT rule of the firewall "
			    "policy translates that address and port");
		return;
	}
	snprintf(c->loc_addr, sizeof(c->loc_addr), "%s", to);
	cloud_arm_url(c, url, sizeof(url), c->scope, "/providers/Microsoft.Compute/virtualMachines", COMPUTE_API);
	if (cloud_call(c, "GET", url, NULL, 0, on_loc_vms, err, sizeof(err)) != 0)
		locate_fail(c, err);
}

static void on_loc_pips(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	const struct netjson_public_ip *p = NULL;
	char id[NETJSON_ID_LEN], *cut;

	on_pips(arg, r);                     /* pages and accumulates into c->f.pips */
	if (!(c->jobs & J_LOCATE) || !c->f.pips_done || c->pending > 0)
		return;
	if (c->f.ep_failed[0]) {
		locate_fail(c, c->f.ep_failed);
		return;
	}
	for (int i = 0; i < c->f.n_pips; i++)
		if (strcmp(c->f.pips[i].ip_address, c->m->target.address) == 0)
			p = &c->f.pips[i];
	if (!p) {
		locate_fail(c, "no public IP of the scope has this address");
		return;
	}
	snprintf(id, sizeof(id), "%s", p->ipconf_id);
	if (!id[0])
		locate_fail(c, "its public IP is attached to nothing");
	else if (strcasestr(id, "/networkInterfaces/"))
		get_nic_of_ipconf(c, id);
	else if ((cut = strcasestr(id, "/frontendIPConfigurations/")) && strcasestr(id, "/loadBalancers/")) {
		*cut = '\0';
		get(c, id, NETWORK_API, on_loc_lb);
	} else if (!start_firewall_of(c, p))
		locate_fail(c, "its public IP is attached to something sshtriage does not read");
}

static void start_locate(struct cloud *c)
{
	char url[1200];

	c->f.pips_done = false;
	cloud_arm_url(c, url, sizeof(url), c->scope, "/providers/Microsoft.Network/publicIPAddresses",
		NETWORK_API);
	get_url(c, url, on_loc_pips);
}


/* ---- the round ------------------------------------------------------------------------- */

static void on_auth(void *arg, bool ok, const char *why);

static void start_discovery(struct cloud *c)
{
	char scope[600], url[1200];

	/* the locate step may have read public IPs and firewall rules of a wider scope */
	free(c->f.pips);
	c->f.pips = NULL;
	c->f.n_pips = c->f.pip_pages = 0;
	c->f.pips_done = c->f.fw_started = false;
	for (int i = 0; i < c->f.n_rcg; i++) {
		netjson_fw_rcg_free(c->f.rcg[i]);
		free(c->f.rcg_raw[i]);
		c->f.rcg_raw[i] = NULL;
	}
	c->f.n_rcg = 0;
	c->f.ep_failed[0] = '\0';
	get(c, c->f.vi.nics[0], NETWORK_API, on_nic);
	cloud_vm_scope(c, scope, sizeof(scope), true);
	cloud_arm_url(c, url, sizeof(url), scope, "/providers/Microsoft.Network/publicIPAddresses", NETWORK_API);
	get_url(c, url, on_pips);
	cloud_vm_scope(c, scope, sizeof(scope), false);
	cloud_arm_url(c, url, sizeof(url), scope, "/providers/Microsoft.Network/networkWatchers", NETWORK_API);
	get_url(c, url, on_watchers);
}

static void on_vm(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	struct vm_info *vi = &c->f.vi;
	char msg[400], sum[CHECK_SUMMARY_LEN];

	if (!(c->jobs & J_VM))
		return;
	if (r->status != 200 || r->error[0]) {
		cloud_answer_line(r, sum, sizeof(sum));
		/* not "unreachable": the error may be an answer we refused (too big, bad TLS) */
		snprintf(msg, sizeof(msg), r->error[0] ? "no usable answer from ARM: %s"
			 : "ARM answered %s", sum);
		end_jobs(c, J_ALL, msg);
		return;
	}
	if (vmjson_parse(r->body, r->len, vi, msg, sizeof(msg)) != 0) {
		end_jobs(c, J_ALL, msg);
		return;
	}
	snprintf(msg, sizeof(msg), "provisioning %.60s, power %.60s, agent %.60s, %d NIC(s)",
		 vi->provisioning[0] ? vi->provisioning : "?", vi->power[0] ? vi->power : "?",
		 vi->agent[0] ? vi->agent : "?", vi->n_nics);
	if (strcmp(vi->power, "running") == 0 && vi->provisioning[0] &&
	    strcasecmp(vi->provisioning, "Succeeded") != 0 && strcasecmp(vi->provisioning, "Updating") != 0) {
		snprintf(sum, sizeof(sum), "VM %.100s runs, but its provisioning state is %.40s (an "
			 "extension or a change failed)", vi->name, vi->provisioning);
		set(c, CK_VM_POWER, ST_WARN, OUT_WARN, sum, msg);
	} else if (strcmp(vi->power, "running") == 0) {
		snprintf(sum, sizeof(sum), "VM %.100s is running", vi->name);
		set(c, CK_VM_POWER, ST_OK, OUT_OK, sum, msg);
	} else if (strcmp(vi->power, "deallocated") == 0 || strcmp(vi->power, "stopped") == 0 ||
		   strcmp(vi->power, "deallocating") == 0 || strcmp(vi->power, "stopping") == 0) {
		snprintf(sum, sizeof(sum), "VM %.100s is %.60s: nothing answers until it is started", vi->name,
			 vi->power);
		set(c, CK_VM_POWER, ST_FAIL, OUT_VM_STOPPED, sum, msg);
	} else {
		snprintf(sum, sizeof(sum), "VM %.100s power state is %.60s", vi->name, vi->power[0] ? vi->power : "unknown");
		set(c, CK_VM_POWER, ST_WARN, OUT_WARN, sum, msg);
	}
	model_set_objects(c->m, COMP_VM, "%s (%s, %s)", vi->name, vi->location,
			  vi->power[0] ? vi->power : "power unknown");
	job_done(c, J_VM);
	start_health(c);
	if (strcmp(vi->power, "running") == 0) {
		start_guest(c);
		start_boot(c);
	} else {
		if (vi->power[0])
			snprintf(sum, sizeof(sum), "the VM is %.60s: Run Command needs it running",
				 vi->power);
		else
			snprintf(sum, sizeof(sum), "Azure did not say whether the VM runs: Run Command "
				 "not tried");
		end_jobs(c, J_GUEST | J_SIBLING, sum);
		start_boot(c);
	}
	if (vi->n_nics == 0) {
		end_jobs(c, J_DISCOVERY | J_FLOW | J_SIBLING, "the VM has no network interface");
		return;
	}
	start_discovery(c);
}

static void start_vm(struct cloud *c);

static void on_auth(void *arg, bool ok, const char *why)
{
	struct cloud *c = arg;
	char msg[CHECK_SUMMARY_LEN];

	if (!ok) {
		snprintf(msg, sizeof(msg), "no Azure credentials: %s", why);
		end_jobs(c, J_ALL, msg);
		return;
	}
	model_log(c->m, "azure: token from the %s", auth_source_name(c->auth));
	c->token_ok = true;
	if (c->jobs & J_LOCATE)
		return;          /* cloud_handle starts looking once the address is known */
	start_vm(c);
}

static void start_vm(struct cloud *c)
{
	char url[1200], err[200];

	snprintf(url, sizeof(url), "%.511s%.600s?api-version=" COMPUTE_API "&$expand=instanceView",
		 c->arm_ep, c->vm_id);
	if (cloud_call(c, "GET", url, NULL, 0, on_vm, err, sizeof(err)) != 0)
		end_jobs(c, J_ALL, err);
}

void cloud_start(struct cloud *c, struct model *m)
{
	arm_cancel_all(c->arm);       /* a previous round's late answers must not land here */
	auth_cancel(c->auth);
	found_clear(&c->f);
	c->pending = 0;
	c->calls_before = arm_calls_made(c->arm);
	c->m = m;
	c->jobs = J_ALL & ~J_LOCATE;
	/* what the menu can take back (a small file beside the audit log) */
	m->undo.id = cloud_undo_available(c, m->undo.applied, sizeof(m->undo.applied));
	c->slow_started = 0;
	c->find_address = !m->target.host[0];
	c->located = c->located_taken = false;
	c->loc_addr[0] = c->loc_how[0] = c->loc_failed[0] = '\0';
	c->loc_started = c->token_ok = false;
	if (c->find_vm) {
		c->vm_id[0] = '\0';
		c->jobs |= J_LOCATE;
	}
	c->started = clock_ms();
	c->deadline = c->started + CLOUD_ROUND_MS;
	c->guest_deadline = c->started + CLOUD_GUEST_MS;
	for (size_t i = 0; i < N_CLOUD_CHECKS; i++)
		model_set_running(m, cloud_checks[i].ck);
	auth_get(c->auth, on_auth, c);
}

void cloud_cancel(struct cloud *c, struct model *m)
{
	if (!c->jobs)
		return;
	/* Dropping the calls is safe: a round only reads (Run Command scripts included). */
	arm_cancel_all(c->arm);
	auth_cancel(c->auth);
	c->m = m;
	end_jobs(c, J_ALL, "cancelled");
}

bool cloud_busy(const struct cloud *c)
{
	return c->jobs != 0 || c->fixing;
}

int cloud_calls_made(const struct cloud *c)
{
	return arm_calls_made(c->arm);
}

int cloud_pollfds(const struct cloud *c, struct pollfd *fds, int max)
{
	int n = arm_pollfds(c->arm, fds, max);

	return n + auth_pollfds(c->auth, fds + n, max - n);
}

int cloud_timeout(const struct cloud *c)
{
	int a = arm_timeout(c->arm), b = auth_timeout(c->auth), t = a < 0 ? b : b < 0 ? a : a < b ? a : b;
	long long due = (c->jobs & ~J_SLOW) ? c->deadline : c->guest_deadline, left = due - clock_ms();

	if (c->fixing && c->fix_verify_at) {
		long long w = c->fix_verify_at - clock_ms();

		if (w < 0)
			w = 0;
		if (t < 0 || w < t)
			t = (int)w;
	}
	if (!c->jobs)
		return t;
	if (left < 0)
		left = 0;
	return t < 0 || left < t ? (int)left : t;
}

void cloud_handle(struct cloud *c, const struct pollfd *fds, int n, struct model *m)
{
	long long now = clock_ms();
	char why[120];

	c->m = m;
	arm_handle(c->arm, fds, n);
	auth_handle(c->auth, fds, n);
	if ((c->jobs & J_LOCATE) && !c->loc_started && m->target.address[0] && c->token_ok) {
		c->loc_started = true;
		start_locate(c);
	} else if ((c->jobs & J_LOCATE) && !m->target.address[0] && m->done) {
		end_jobs(c, J_ALL, "the target's address is unknown, so no VM can be found by it");
	}
	locate_fw_step(c);
	discovery_step(c);
	cloud_fix_tick(c, now);
	model_set_arm_in_flight(m, c->jobs || c->fixing ? arm_in_flight(c->arm) : 0);
	if (c->f.watchers_done && !(c->jobs & J_DISCOVERY))
		start_flow_verify(c);
	if ((c->jobs & ~J_SLOW) && now >= c->deadline) {
		snprintf(why, sizeof(why), "Azure did not answer within %d s", CLOUD_ROUND_MS / 1000);
		/* a Run Command not started by now never will be: the VM or its NIC is unknown */
		end_jobs(c, (c->jobs & ~J_SLOW) | (J_SLOW & ~c->slow_started), why);
	}
	if ((c->jobs & J_SLOW) && now >= c->guest_deadline) {
		snprintf(why, sizeof(why), "Run Command did not finish within %d s", CLOUD_GUEST_MS / 1000);
		end_jobs(c, J_SLOW, why);
	}
	if (!c->jobs && !c->fixing && !c->rescuing && arm_in_flight(c->arm))
		arm_cancel_all(c->arm);  /* late calls of ended jobs: drop them */
}
