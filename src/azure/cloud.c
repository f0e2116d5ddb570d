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

struct cloud {
	struct arm *arm;
	struct auth *auth;
	struct model *m;             /* the model of the running round (not owned) */
	char vm_id[VMJSON_ID];
	char arm_ep[512];
	bool busy, retried_401;
	long long started;
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

void cloud_free(struct cloud *c)
{
	if (!c)
		return;
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
	    why ? why : "the public IP, NAT and DNAT rules are not read by this build yet", NULL);
	set(m, CK_NSG_CLOUD, ST_UNKNOWN, OUT_UNAVAILABLE, ms,
	    why ? why : "the NSG rules are not read by this build yet", NULL);
	model_log(m, "azure: %d ARM calls in %ld ms", arm_calls_made(c->arm), ms);
	c->busy = false;
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
	finish_round(c, NULL);
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
	c->m = m;
	c->busy = true;
	c->retried_401 = false;
	c->started = clock_ms();
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
	int a = arm_timeout(c->arm), b = auth_timeout(c->auth);

	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

void cloud_handle(struct cloud *c, const struct pollfd *fds, int n, struct model *m)
{
	c->m = m;
	arm_handle(c->arm, fds, n);
	auth_handle(c->auth, fds, n);
}
