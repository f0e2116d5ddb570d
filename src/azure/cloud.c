#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azure/arm.h"
#include "azure/auth.h"
#include "azure/cloud.h"
#include "azure/netjson.h"
#include "azure/vmjson.h"
#include "util/clock.h"

#define COMPUTE_API "2024-11-01"
#define NETWORK_API "2024-07-01"
/* The whole cloud side of a round, retries and Retry-After waits included: past this the
 * checks say Azure did not answer in time, so a throttling storm cannot stall a triage. */
#define CLOUD_ROUND_MS 30000

/* What discovery found: VM -> NIC -> subnet (+ VNet) -> the two NSGs, and the NAT rule that
 * decides the port the NSGs see.  Freed at every round. */
struct found {
	struct netjson_nic *nic;
	struct netjson_subnet subnet;
	int n_vnet;
	char vnet[8][NETJSON_IP_LEN];
	struct nsg *nsg_subnet, *nsg_nic;
	int backend_port;            /* 0: the target's port */
	char nat_rule[NETJSON_NAME_LEN];
	char failed[CHECK_SUMMARY_LEN];  /* first discovery error, "" while none */
};

struct cloud {
	struct arm *arm;
	struct auth *auth;
	struct model *m;             /* the model of the running round (not owned) */
	char vm_id[VMJSON_ID];
	char arm_ep[512];
	bool busy, retried_401;
	int pending;                 /* discovery calls in flight */
	int calls_before;            /* arm_calls_made() when the round began */
	bool discovering;            /* the NSG check waits for discovery and the client's IP */
	struct found f;
	long long started, deadline;
};

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

struct cloud *cloud_new(const char *azure_vm, char *err, size_t errlen)
{
	struct cloud *c;
	const char *ep = env_or("SSHTRIAGE_ARM_ENDPOINT", "https://management.azure.com");
	struct arm_config cfg = {ep, env_or("SSHTRIAGE_CA_FILE", NULL),
				 env_or("SSHTRIAGE_IMDS_ENDPOINT", "http://169.254.169.254")};

	if (!cloud_valid_vm_id(azure_vm)) {
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
	/* no trailing slash: resource ids start with one */
	snprintf(c->arm_ep, sizeof(c->arm_ep), "%s", ep);
	if (c->arm_ep[strlen(c->arm_ep) - 1] == '/')
		c->arm_ep[strlen(c->arm_ep) - 1] = '\0';
	c->arm = arm_new(&cfg, err, errlen);
	c->auth = c->arm ? auth_new(c->arm, AUTH_ANY, err, errlen) : NULL;
	if (!c->auth) {
		cloud_free(c);
		return NULL;
	}
	return c;
}

static void found_clear(struct found *f)
{
	netjson_nic_free(f->nic);
	nsg_free(f->nsg_subnet);
	nsg_free(f->nsg_nic);
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

static void set(struct model *m, enum check_id id, enum state s, enum outcome o, long ms,
		const char *summary, const char *evidence)
{
	struct check k;

	check_init(&k, id);
	check_set(&k, s, o, "%s", summary);
	if (evidence && *evidence)
		check_evidence(&k, "%s", evidence);
	k.elapsed_ms = ms;
	model_set_check(m, &k);
}

/* The checks this build does not make from the cloud yet stay unknown, saying so. */
static void finish_round(struct cloud *c, const char *why)
{
	struct model *m = c->m;
	long ms = (long)(clock_ms() - c->started);

	if (m->checks[CK_VM_POWER].state == ST_RUNNING)
		set(m, CK_VM_POWER, ST_UNKNOWN, OUT_UNAVAILABLE, ms, why, NULL);
	set(m, CK_ENDPOINT_CLOUD, ST_UNKNOWN, OUT_UNAVAILABLE, ms,
	    why ? why : "the public IP, NAT and DNAT rules are not checked by this build yet", NULL);
	if (m->checks[CK_NSG_CLOUD].state == ST_RUNNING)
		set(m, CK_NSG_CLOUD, ST_UNKNOWN, OUT_UNAVAILABLE, ms, why ? why : "not checked", NULL);
	m->arm_calls = arm_calls_made(c->arm) - c->calls_before;
	model_log(m, "azure: %d ARM calls in %ld ms", m->arm_calls, ms);
	c->busy = false;
	c->discovering = false;
}


/* ---- discovery: VM -> NIC -> subnet, VNet, NSGs, NAT rule ------------------------------ */

static void discovery_failed(struct cloud *c, const char *what, const struct arm_response *r,
			     const char *err)
{
	char line[200];

	if (c->f.failed[0])
		return;
	if (err)
		snprintf(line, sizeof(line), "%.190s", err);
	else if (r->error[0])
		snprintf(line, sizeof(line), "%.190s", r->error);
	else
		netjson_error_line(r->body, r->len, (int)r->status, line, sizeof(line));
	snprintf(c->f.failed, sizeof(c->f.failed), "reading the %s failed: %s", what, line);
}

static void get(struct cloud *c, const char *id, const char *api, arm_done_fn done)
{
	char url[1200], err[200];

	/* ids are at most NETJSON_ID_LEN, the endpoint under 512: this always fits */
	snprintf(url, sizeof(url), "%.511s%.600s?api-version=%.20s", c->arm_ep, id, api);
	if (arm_call(c->arm, "GET", url, NULL, ARM_BEARER, done, c, err, sizeof(err)) != 0)
		discovery_failed(c, "network objects", NULL, err);
	else
		c->pending++;
}

static bool answer_ok(struct cloud *c, const char *what, const struct arm_response *r)
{
	c->pending--;
	if (r->status == 200)
		return true;
	discovery_failed(c, what, r, NULL);
	return false;
}

static void on_nsg(struct cloud *c, const struct arm_response *r, struct nsg **slot, const char *what)
{
	char err[NETJSON_ERR_LEN];

	if (!answer_ok(c, what, r))
		return;
	*slot = netjson_nsg(r->body, r->len, err, sizeof(err));
	if (!*slot)
		discovery_failed(c, what, NULL, err);
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

	if (!answer_ok(c, "virtual network", r))
		return;
	n = netjson_vnet_prefixes(r->body, r->len, c->f.vnet, 8, err, sizeof(err));
	if (n < 0)
		discovery_failed(c, "virtual network", NULL, err);
	else
		c->f.n_vnet = n;
}

static void on_subnet(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	char err[NETJSON_ERR_LEN];

	if (!answer_ok(c, "subnet", r))
		return;
	if (netjson_subnet(r->body, r->len, &c->f.subnet, err, sizeof(err)) != 0) {
		discovery_failed(c, "subnet", NULL, err);
		return;
	}
	if (c->f.subnet.nsg_id[0])
		get(c, c->f.subnet.nsg_id, NETWORK_API, on_nsg_subnet);
}

static void on_nat(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	struct netjson_nat_rule nat;
	char err[NETJSON_ERR_LEN];

	if (!answer_ok(c, "inbound NAT rule", r))
		return;
	if (netjson_nat_rule(r->body, r->len, &nat, err, sizeof(err)) != 0) {
		discovery_failed(c, "inbound NAT rule", NULL, err);
		return;
	}
	/* the NSGs see the packet after NAT: at the backend port */
	c->f.backend_port = nat.backend_port;
	snprintf(c->f.nat_rule, sizeof(c->f.nat_rule), "%s", nat.name);
}

static void on_nic(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	char err[NETJSON_ERR_LEN], vnet[NETJSON_ID_LEN], *sub;
	const struct netjson_ipconf *ip;

	if (!answer_ok(c, "network interface", r))
		return;
	c->f.nic = netjson_nic(r->body, r->len, err, sizeof(err));
	ip = netjson_nic_primary(c->f.nic);
	if (!ip) {
		discovery_failed(c, "network interface", NULL, c->f.nic ? "no IP configuration" : err);
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
	if (ip->n_nat > 0)
		get(c, ip->nat_rule_ids[0], NETWORK_API, on_nat);
}

/* Once discovery is complete and the client's public address is known, decide the NSG
 * check offline. */
static void evaluate_nsgs(struct cloud *c)
{
	struct model *m = c->m;
	const struct netjson_ipconf *ip = netjson_nic_primary(c->f.nic);
	struct nsg_ctx ctx;
	struct nsg_flow flow;
	struct nsg_result res;
	int port = c->f.backend_port ? c->f.backend_port : m->target.port;
	long ms = (long)(clock_ms() - c->started);
	char ev[CHECK_EVIDENCE_LEN];
	struct check k;

	nsg_ctx_init(&ctx);
	for (int i = 0; i < c->f.n_vnet; i++)
		nsg_ctx_add_vnet(&ctx, c->f.vnet[i]);
	if (!c->f.n_vnet && c->f.subnet.address_prefix[0])
		nsg_ctx_add_vnet(&ctx, c->f.subnet.address_prefix);
	if (nsg_flow_init(&flow, NSG_INBOUND, NSG_PROTO_TCP, m->target.client_ip, 50000,
			  ip->private_ip, port) != 0) {
		set(m, CK_NSG_CLOUD, ST_UNKNOWN, OUT_UNAVAILABLE, ms,
		    "the client's or the VM's address does not parse", NULL);
		return;
	}
	for (int i = 0; i < ip->n_asg && i < NSG_FLOW_MAX_ASG; i++)
		flow.dst_asg[flow.n_dst_asg++] = ip->asg_ids[i];
	nsg_evaluate(c->f.nsg_subnet, c->f.nsg_nic, &ctx, &flow, &res);
	check_init(&k, CK_NSG_CLOUD);
	k.elapsed_ms = ms;
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
	check_evidence(&k, "flow: TCP from %s to %s port %d%s%.60s%s", m->target.client_ip,
		       ip->private_ip, port, c->f.nat_rule[0] ? " (after NAT rule " : "", c->f.nat_rule,
		       c->f.nat_rule[0] ? ")" : "");
	model_set_check(m, &k);
}

/* Called from cloud_handle: finishes the round when discovery is over and the NSG check
 * has what it needs. */
static void discovery_step(struct cloud *c)
{
	struct model *m = c->m;
	bool whoami_done = m->checks[CK_EDGE_PUBLIC_IP].state != ST_PENDING &&
			   m->checks[CK_EDGE_PUBLIC_IP].state != ST_RUNNING;

	if (!c->discovering || c->pending > 0)
		return;
	if (c->f.failed[0]) {
		set(m, CK_NSG_CLOUD, ST_UNKNOWN, OUT_UNAVAILABLE, (long)(clock_ms() - c->started),
		    c->f.failed, NULL);
	} else if (m->target.client_ip[0]) {
		evaluate_nsgs(c);
	} else if (whoami_done || m->done) {
		set(m, CK_NSG_CLOUD, ST_UNKNOWN, OUT_UNAVAILABLE, (long)(clock_ms() - c->started),
		    "NSGs read, but this client's public address is unknown (--client-ip or "
		    "--whoami-url)", NULL);
	} else {
		return;          /* the what-is-my-IP probe is still running */
	}
	finish_round(c, NULL);
}

static void on_auth(void *arg, bool ok, const char *why);

static void on_vm(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	struct model *m = c->m;
	struct vm_info vi;
	char msg[400], sum[CHECK_SUMMARY_LEN];
	long ms = (long)(clock_ms() - c->started);

	if (r->status == 401 && !c->retried_401) {
		/* an expired or revoked token: fetch a new one and try once more */
		c->retried_401 = true;
		auth_invalidate(c->auth);
		auth_get(c->auth, on_auth, c);
		return;
	}
	if (r->status != 200) {
		if (r->error[0]) {
			snprintf(msg, sizeof(msg), "ARM unreachable: %s", r->error);
		} else {
			netjson_error_line(r->body, r->len, (int)r->status, sum, sizeof(sum));
			snprintf(msg, sizeof(msg), "ARM answered %s", sum);
		}
		finish_round(c, msg);
		return;
	}
	if (vmjson_parse(r->body, r->len, &vi, msg, sizeof(msg)) != 0) {
		finish_round(c, msg);
		return;
	}
	snprintf(msg, sizeof(msg), "provisioning %.60s, power %.60s, agent %.60s, %d NIC(s)",
		 vi.provisioning[0] ? vi.provisioning : "?", vi.power[0] ? vi.power : "?",
		 vi.agent[0] ? vi.agent : "?", vi.n_nics);
	if (strcmp(vi.power, "running") == 0) {
		snprintf(sum, sizeof(sum), "VM %.100s is running", vi.name);
		set(m, CK_VM_POWER, ST_OK, OUT_OK, ms, sum, msg);
	} else if (strcmp(vi.power, "deallocated") == 0 || strcmp(vi.power, "stopped") == 0 ||
		   strcmp(vi.power, "deallocating") == 0 || strcmp(vi.power, "stopping") == 0) {
		snprintf(sum, sizeof(sum), "VM %.100s is %.60s: nothing answers until it is started", vi.name,
			 vi.power);
		set(m, CK_VM_POWER, ST_FAIL, OUT_VM_STOPPED, ms, sum, msg);
	} else {
		snprintf(sum, sizeof(sum), "VM %.100s power state is %.60s", vi.name, vi.power[0] ? vi.power : "unknown");
		set(m, CK_VM_POWER, ST_WARN, OUT_WARN, ms, sum, msg);
	}
	if (vi.n_nics == 0) {
		finish_round(c, "the VM has no network interface");
		return;
	}
	c->discovering = true;
	get(c, vi.nics[0], NETWORK_API, on_nic);
	discovery_step(c);
}

static void on_auth(void *arg, bool ok, const char *why)
{
	struct cloud *c = arg;
	char url[1200], err[200], msg[CHECK_SUMMARY_LEN];

	if (!ok) {
		snprintf(msg, sizeof(msg), "no Azure credentials: %s", why);
		finish_round(c, msg);
		return;
	}
	model_log(c->m, "azure: token from the %s", auth_source_name(c->auth));
	snprintf(url, sizeof(url), "%s%s?api-version=" COMPUTE_API "&$expand=instanceView", c->arm_ep,
		 c->vm_id);
	if (arm_call(c->arm, "GET", url, NULL, ARM_BEARER, on_vm, c, err, sizeof(err)) != 0)
		finish_round(c, err);
}

void cloud_start(struct cloud *c, struct model *m)
{
	found_clear(&c->f);
	c->pending = 0;
	c->calls_before = arm_calls_made(c->arm);
	c->m = m;
	c->busy = true;
	c->discovering = false;
	c->retried_401 = false;
	c->started = clock_ms();
	c->deadline = c->started + CLOUD_ROUND_MS;
	model_set_running(m, CK_VM_POWER);
	model_set_running(m, CK_ENDPOINT_CLOUD);
	model_set_running(m, CK_NSG_CLOUD);
	auth_get(c->auth, on_auth, c);
}

void cloud_cancel(struct cloud *c, struct model *m)
{
	if (!c->busy)
		return;
	/* Dropping the calls is safe: this round only reads. */
	arm_cancel_all(c->arm);
	auth_cancel(c->auth);
	c->m = m;
	finish_round(c, "cancelled");
}

bool cloud_busy(const struct cloud *c)
{
	return c->busy;
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
	long long left = c->deadline - clock_ms();

	if (!c->busy)
		return t;
	if (left < 0)
		left = 0;
	return t < 0 || left < t ? (int)left : t;
}

void cloud_handle(struct cloud *c, const struct pollfd *fds, int n, struct model *m)
{
	c->m = m;
	arm_handle(c->arm, fds, n);
	auth_handle(c->auth, fds, n);
	discovery_step(c);
	if (c->busy && clock_ms() >= c->deadline) {
		char why[120];

		arm_cancel_all(c->arm);
		auth_cancel(c->auth);
		snprintf(why, sizeof(why), "Azure did not answer within %d s (calls cancelled)",
			 CLOUD_ROUND_MS / 1000);
		finish_round(c, why);
	}
}
