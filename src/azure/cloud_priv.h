/* cloud_priv: what the read side (cloud.c) and the write side (cloudfix.c) of the Azure
 * module share: the round's state and a few call helpers.  Not for other modules. */
#ifndef SSHTRIAGE_AZURE_CLOUD_PRIV_H
#define SSHTRIAGE_AZURE_CLOUD_PRIV_H

#include "azure/arm.h"
#include "azure/auth.h"
#include "azure/netjson.h"
#include "azure/runcmd.h"
#include "azure/vmjson.h"
#include "core/model.h"

#define COMPUTE_API "2024-11-01"
#define NETWORK_API "2024-07-01"
#define HEALTH_API "2022-10-01"
/* The cloud side of a round, retries and Retry-After waits included: past this its checks
 * say Azure did not answer in time, so a throttling storm cannot stall a triage.  Run
 * Command takes tens of seconds on a real VM, so the guest's facts have a longer bound. */
#define CLOUD_ROUND_MS 30000
#define CLOUD_GUEST_MS 90000
#define CLOUD_MAX_PAGES 10           /* of a paged list */
#define CLOUD_MAX_RCG 16             /* rule collection groups read from a firewall policy */

/* Independent parts of a round; each owns some checks and ends by setting them. */
enum job {
	J_VM = 1,             /* GET VM + instance view */
	J_DISCOVERY = 2,      /* network objects: endpoint and NSG checks */
	J_FLOW = 4,           /* Network Watcher IP flow verify */
	J_HEALTH = 8,
	J_BOOT = 16,          /* boot diagnostics: the serial log */
	J_GUEST = 32,         /* Run Command: facts from inside the guest */
	J_SIBLING = 64,       /* Run Command on another VM of the subnet */
	J_LOCATE = 128,       /* finding the VM from the target's address (no checks of its own) */
	J_ALL = 255,
	J_SLOW = J_GUEST | J_SIBLING,   /* bound by CLOUD_GUEST_MS, the rest by CLOUD_ROUND_MS */
};



#define SIBLING_MAX 4
struct sibling {
	int n, at;
	char nic[SIBLING_MAX][NETJSON_ID_LEN];
	char vm[SIBLING_MAX][NETJSON_ID_LEN];
	char name[NETJSON_NAME_LEN];
	int pages;
	char unread[120];         /* why part of the VM list was not read, "" when all was */
};
/* What discovery found: VM -> NIC -> subnet (+ VNet) -> the two NSGs, the NAT rules, the
 * public IPs of the resource group and, behind a firewall, its policy's DNAT rules.
 * Freed at every round. */
struct found {
	struct vm_info vi;
	struct netjson_nic *nic;
	bool nic_answered;            /* on_nic ran: nic is NULL when it was unusable */
	struct netjson_subnet subnet;
	int n_vnet;
	char vnet[8][NETJSON_IP_LEN];
	struct nsg *nsg_subnet, *nsg_nic;
	int n_nat;
	struct netjson_nat_rule nat[4];
	struct netjson_public_ip *pips;  /* of the VM's resource group, all pages */
	int n_pips, pip_pages;
	bool pips_done, fw_started;
	int n_rcg;
	struct netjson_fw_rcg *rcg[CLOUD_MAX_RCG];
	char watcher[NETJSON_ID_LEN];    /* the network watcher of the VM's region, "" none */
	bool watchers_done, flow_started;
	char failed[CHECK_SUMMARY_LEN];  /* first discovery error, "" while none */
	char ep_failed[CHECK_SUMMARY_LEN]; /* first error reading the entry point */
	/* decided by the endpoint and NSG evaluation */
	bool evaluated;
	int backend_port;                /* where the entry delivers; 0 until known */
	enum nsg_access nsg_access;
	bool nsg_known;
	char *nsg_raw[NSG_STAGES];       /* the NSGs as read (subnet, NIC): to move a rule */
	char *nat_raw[4];                /* the NAT rules as read: a remedy edits and PUTs them */
	char *rcg_raw[CLOUD_MAX_RCG];    /* the rule collection groups as read, likewise */
	struct nsg_remedy nsg_props[NSG_STAGES];  /* nsg.allow_ssh: a rule per denying NSG */
	int n_nsg_props;
	struct runcmd_result guest_out;  /* Run Command's answer, kept to re-judge */
	bool have_guest;
	struct sibling sib;
};

struct cloud {
	struct arm *arm;
	struct auth *auth;
	struct model *m;             /* the model of the running round (not owned) */
	char vm_id[VMJSON_ID];
	char arm_ep[512];
	int jobs;                    /* enum job bits still running */
	int pending;                 /* discovery calls in flight */
	int calls_before;            /* arm_calls_made() when the round began */
	struct found f;
	long long started, deadline, guest_deadline;
	/* with no --azure-vm: the scope to find the VM in by the target's address */
	char scope[256];
	bool find_vm, loc_started, token_ok;
	/* with no host: the VM's entry, found from its public IP, NAT or DNAT rule */
	bool find_address, located, located_taken;
	char loc_addr[64], loc_how[160], loc_failed[CHECK_SUMMARY_LEN];
	int loc_port;
	/* the write side (cloudfix.c): one remedy at a time */
	struct cloud_fix *fix;           /* not owned */
	int slow_started;             /* J_SLOW jobs whose Run Command was sent */
	const struct vm_creds *creds;    /* vm.reset_credentials' input (not owned), or NULL */
	bool fixing;
	int fix_at;                      /* the step under way */
	long long fix_started;
	char fix_first[160];             /* the answer that left a power action's fate open */
	long long fix_verify_at;         /* when to read the VM back again; 0: not waiting */
	/* the rescue console (rescue.c): one command at a time */
	bool rescuing;
	long long rescue_started;
	long rescue_shown_s;             /* the elapsed second the model shows */
};

/* The ports sshd listens on, as Run Command read them (n 0: unknown). */
int cloud_guest_ports(const struct cloud *c, int *ports, int max);

/* One line for an answer that is not what was asked for. */
void cloud_answer_line(const struct arm_response *r, char *out, size_t len);
/* An ARM call with the token; done(c, answer). */
int cloud_call(struct cloud *c, const char *method, const char *url, const char *body, int flags,
	       arm_done_fn done, char *err, size_t errlen);
/* endpoint + id + suffix + "?api-version=" + api into url. */
void cloud_arm_url(const struct cloud *c, char *url, size_t len, const char *id, const char *suffix,
		   const char *api);
/* "/subscriptions/S" (with_rg false) or "/subscriptions/S/resourceGroups/RG" of the VM. */
void cloud_vm_scope(const struct cloud *c, char *out, size_t len, bool with_rg);
/* POSTs a RunShellScript (lines split at '\n') to the VM vm_id, polled to its end. */
int cloud_run_command(struct cloud *c, const char *vm_id, const char *script, arm_done_fn done,
		      char *err, size_t errlen);
/* The guest's output of a finished Run Command; false with why. */
bool cloud_run_output(const struct arm_response *r, struct runcmd_result *out, char *why,
		      size_t len);

/* cloudfix.c: a power action's next read-back, when due (from cloud_handle). */
void cloud_fix_tick(struct cloud *c, long long now);

#endif
