/* The remedy catalog (DESIGN §4 ids) and which remedies a diagnosis makes applicable. */
#include "config.h"

#include <stdarg.h>

#include "core/diag.h"
#include "core/remedy.h"
#include "tap.h"

static void base(struct model *m)
{
	struct target t = {.user = "azureuser", .host = "203.0.113.10", .address = "203.0.113.10",
			   .port = 22};

	model_init(m, &t);
	for (int i = 0; i < CK_COUNT; i++) {
		struct check c;

		check_init(&c, (enum check_id)i);
		check_set(&c, ST_OK, OUT_OK, "fine");
		model_set_check(m, &c);
	}
	m->done = true;
}

static void set(struct model *m, enum check_id id, enum state s, enum outcome o)
{
	m->checks[id].state = s;
	m->checks[id].outcome = o;
}

/* The applicable set is exactly want (n of them, path order). */
static void expect(struct model *m, const char *name, int n, ...)
{
	enum remedy_id got[RM_COUNT];
	int k;
	va_list ap;
	bool same;

	diag_run(m);
	k = remedy_applicable(m, got);
	same = k == n;
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		int want = va_arg(ap, int);

		if (i >= k || got[i] != (enum remedy_id)want)
			same = false;
	}
	va_end(ap);
	ok(same, "%s: %d remedies", name, n);
	if (!same)
		for (int i = 0; i < k; i++)
			printf("#   got %s\n", remedy_name(got[i]));
}

int main(void)
{
	static const char *const contract[] = {
		"client.fix_key_permissions", "client.update_known_host",
		"endpoint.fix_nat_backend_port", "endpoint.acl_allow_client", "nsg.allow_ssh",
		"vm.start", "vm.restart", "vm.redeploy", "vm.reset_ssh_config",
		"vm.reset_credentials", "vm.restart_sshd", "vm.open_guest_firewall",
		"vm.fix_ssh_permissions", "vm.unexpire_user", "vm.remove_nologin",
	};
	struct model m;
	enum remedy_id r;

	/* the ids are a contract: all fifteen, and nothing else */
	ok(RM_COUNT == sizeof(contract) / sizeof(contract[0]), "fifteen remedies");
	for (size_t i = 0; i < sizeof(contract) / sizeof(contract[0]); i++) {
		ok(remedy_parse(contract[i], &r) && strcmp(remedy_name(r), contract[i]) == 0,
		   "%s parses and names itself", contract[i]);
		ok(strncmp(contract[i], comp_name(remedy_comp(r)), strlen(comp_name(remedy_comp(r)))) == 0,
		   "%s belongs to its component", contract[i]);
	}
	ok(!remedy_parse("vm.format_disk", &r) && !remedy_parse("", &r), "unknown ids refused");
	ok(remedy_destructive(RM_VM_REDEPLOY) && !remedy_destructive(RM_VM_RESTART),
	   "only redeploy is destructive");

	base(&m);
	expect(&m, "healthy", 0);

	base(&m);
	set(&m, CK_NSG_CLOUD, ST_FAIL, OUT_BLOCKED);
	set(&m, CK_VM_TCP, ST_FAIL, OUT_TIMEOUT);
	expect(&m, "NSG deny", 1, RM_NSG_ALLOW_SSH);

	base(&m);
	set(&m, CK_VM_POWER, ST_FAIL, OUT_VM_STOPPED);
	set(&m, CK_VM_TCP, ST_FAIL, OUT_TIMEOUT);
	expect(&m, "deallocated", 1, RM_VM_START);

	base(&m);
	set(&m, CK_ENDPOINT_PORTS, ST_FAIL, OUT_PORT_MISMATCH);
	set(&m, CK_VM_TCP, ST_FAIL, OUT_TIMEOUT);
	expect(&m, "NAT port", 1, RM_ENDPOINT_NAT_PORT);

	base(&m);
	set(&m, CK_ENDPOINT_ACL, ST_FAIL, OUT_SOURCE_DENIED);
	set(&m, CK_VM_TCP, ST_FAIL, OUT_TIMEOUT);
	expect(&m, "DNAT source list", 1, RM_ENDPOINT_ACL);

	/* sshd stopped, proven by Run Command: restart sshd (not the whole VM) */
	base(&m);
	set(&m, CK_VM_GUEST_SSHD, ST_FAIL, OUT_SSHD_DOWN);
	set(&m, CK_VM_TCP, ST_FAIL, OUT_REFUSED);
	expect(&m, "sshd stopped", 1, RM_VM_RESTART_SSHD);

	/* a broken config: reset it (a restart of sshd would fail again) */
	base(&m);
	set(&m, CK_VM_GUEST_SSHD, ST_FAIL, OUT_SSHD_CONFIG);
	set(&m, CK_VM_TCP, ST_FAIL, OUT_REFUSED);
	expect(&m, "sshd config broken", 1, RM_VM_RESET_SSH_CONFIG);

	/* a hung sshd: a restart of sshd or of the VM, or a redeploy */
	base(&m);
	set(&m, CK_VM_BANNER, ST_FAIL, OUT_NO_BANNER);
	expect(&m, "no banner", 3, RM_VM_RESTART, RM_VM_REDEPLOY, RM_VM_RESTART_SSHD);

	base(&m);
	set(&m, CK_VM_GUEST_FIREWALL, ST_FAIL, OUT_BLOCKED);
	set(&m, CK_VM_TCP, ST_FAIL, OUT_TIMEOUT);
	expect(&m, "guest firewall", 1, RM_VM_OPEN_FIREWALL);

	base(&m);
	set(&m, CK_VM_AUTH, ST_FAIL, OUT_AUTH_DENIED);
	set(&m, CK_VM_GUEST_MODES, ST_FAIL, OUT_BAD_MODE);
	expect(&m, "StrictModes", 2, RM_VM_RESET_CREDENTIALS, RM_VM_FIX_PERMISSIONS);

	base(&m);
	set(&m, CK_VM_AUTH, ST_FAIL, OUT_AUTH_DENIED);
	set(&m, CK_VM_GUEST_ACCOUNT, ST_FAIL, OUT_ACCT_EXPIRED);
	expect(&m, "expired", 2, RM_VM_RESET_CREDENTIALS, RM_VM_UNEXPIRE_USER);

	base(&m);
	set(&m, CK_VM_SESSION, ST_FAIL, OUT_NOLOGIN_FILE);
	set(&m, CK_VM_GUEST_ACCOUNT, ST_FAIL, OUT_NOLOGIN_FILE);
	expect(&m, "nologin", 1, RM_VM_REMOVE_NOLOGIN);

	/* a Run Command remedy needs a running VM */
	base(&m);
	set(&m, CK_VM_POWER, ST_FAIL, OUT_VM_STOPPED);
	set(&m, CK_VM_GUEST_FIREWALL, ST_FAIL, OUT_BLOCKED);
	set(&m, CK_VM_TCP, ST_FAIL, OUT_TIMEOUT);
	expect(&m, "stopped VM: only start", 1, RM_VM_START);

	/* client-side */
	base(&m);
	set(&m, CK_CLIENT_SSH_DIR, ST_FAIL, OUT_BAD_MODE);
	expect(&m, "key modes", 1, RM_CLIENT_FIX_KEY_PERMS);

	/* a changed host key: replaced only when the VM's own key matches the network's */
	base(&m);
	set(&m, CK_CLIENT_KNOWN_HOSTS, ST_FAIL, OUT_KH_CHANGED);
	snprintf(m.checks[CK_CLIENT_KNOWN_HOSTS].summary, CHECK_SUMMARY_LEN, "verify SHA256:abc");
	set(&m, CK_VM_HOST_KEY, ST_UNKNOWN, OUT_UNAVAILABLE);
	expect(&m, "host key changed, VM's key unknown", 0);
	set(&m, CK_VM_HOST_KEY, ST_OK, OUT_OK);
	m.checks[CK_VM_HOST_KEY].n_evidence = 1;
	snprintf(m.checks[CK_VM_HOST_KEY].evidence[0], CHECK_EVIDENCE_LEN, "ED25519 SHA256:abd");
	expect(&m, "host key changed, not the VM's (interception?)", 0);
	snprintf(m.checks[CK_VM_HOST_KEY].evidence[0], CHECK_EVIDENCE_LEN, "ED25519 SHA256:abc");
	expect(&m, "host key changed, the VM's own", 1, RM_CLIENT_UPDATE_KNOWN);
	return tap_done();
}
