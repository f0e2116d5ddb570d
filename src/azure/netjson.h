/* netjson: ARM JSON bodies of the network objects -> model structs.
 *
 * Pure: text in, structs out; no I/O, no globals of ours (cJSON keeps its own last-error
 * pointer, which we never read).  Every mapper takes the body as len bytes (no NUL needed),
 * parses it with cJSON_ParseWithLengthOpts on exactly those bytes, and trusts nothing:
 *   - not JSON, truncated, trailing garbage, nesting past cJSON's 1000 levels, NaN, a lone
 *     surrogate (\ud800): an error saying where;
 *   - a NUL byte or \u0000 anywhere in the body: an error (cJSON would cut the string short,
 *     so what we kept would not be what the server sent);
 *   - a key we read given twice (duplicate keys): an error, so no two readers can disagree;
 *   - a wrong type ("priority":"100", null where a value is required, an array for an
 *     object), a number out of range or not an integer (70 digits): an error naming the path,
 *     e.g. "properties.securityRules[0].properties.priority: expected a number, got a string";
 *   - a leading UTF-8 BOM is skipped (cJSON does), a body over NETJSON_MAX_BODY refused.
 * null for an optional member reads as absent.  Names, ids and addresses that do not fit
 * their buffer are errors; free text (messages) is cut at a UTF-8 boundary.  Strings are kept
 * as the bytes the server sent (ESC from \u001b included): sanitise them (util/sanitize.h)
 * before they reach a terminal.
 *
 * Return values: pointer mappers give NULL on error, int mappers -1; err (errlen bytes, may be
 * NULL) then holds one line saying why.  Past a count bound a mapper fails and says which,
 * except where a struct says it keeps the first few and counts the rest (those are still
 * checked).
 * Ownership: every *_free is NULL-safe and frees what its mapper returned; the caller owns
 * plain structs it passes in. */
#ifndef SSHTRIAGE_AZURE_NETJSON_H
#define SSHTRIAGE_AZURE_NETJSON_H

#include <stdbool.h>
#include <stddef.h>

#include "azure/nsg.h"

#define NETJSON_MAX_BODY (16u * 1024 * 1024)
#define NETJSON_ERR_LEN 256          /* a good size for err buffers */
#define NETJSON_NAME_LEN NSG_NAME_LEN
#define NETJSON_ID_LEN NSG_ID_LEN
#define NETJSON_IP_LEN 64
#define NETJSON_MAX_LIST 4096        /* elements of any array we map */

/* ---- any ARM answer */

/* The whole body as a JSON object, read by the rules above (exact length, no NUL, no trailing
 * data, no BOM trouble) and with no key given twice in any object of the tree: for readers
 * that walk the tree themselves (VM, Run Command, token, operation status).  NULL with err
 * on error; the caller frees the tree with cJSON_Delete. */
struct cJSON;
struct cJSON *netjson_parse_strict(const char *text, size_t len, char *err, size_t errlen);

/* ---- NSGs */

/* NSG GET: name, id, properties.securityRules[] and properties.defaultSecurityRules[] (the
 * latter flagged default).  Either array may be absent (empty); nsg_evaluate falls back to
 * Azure's built-in defaults when no rule matches.  A rule needs name, priority (integer
 * 0..65535), access, direction, protocol, an address or ASG on each side and a port range on
 * each side; plural fields, when non-empty, replace the singular ones. */
struct nsg *netjson_nsg(const char *text, size_t len, char *err, size_t errlen);
/* {"value":[rule...]} (DefaultSecurityRuleList, SecurityRules_List): adds to n.  Returns the
 * number of rules added.  A nextLink is not followed. */
int netjson_rule_list(const char *text, size_t len, struct nsg *n, bool is_default, char *err,
		      size_t errlen);
/* One rule (SecurityRules_Get / CreateOrUpdate answer): adds it to n.  0 or -1. */
int netjson_rule(const char *text, size_t len, struct nsg *n, bool is_default, char *err,
		 size_t errlen);

/* POST .../effectiveNetworkSecurityGroups: value[] of NSG + association + effective rules.
 * Rule names lose their "securityRules/" or "defaultSecurityRules/" prefix (the latter sets
 * is_default); protocol "All" is any; an expanded{Source,Destination}AddressPrefix list, when
 * present and within NSG_MAX_ITEMS, replaces the tag it expands. */
#define NETJSON_MAX_EFFECTIVE 8
struct netjson_effective_nsg {
	char nsg_id[NETJSON_ID_LEN];
	char subnet_id[NETJSON_ID_LEN];  /* association.subnet.id, "" when absent */
	char nic_id[NETJSON_ID_LEN];     /* association.networkInterface.id, "" when absent */
	struct nsg *nsg;                 /* owned; named after the last segment of nsg_id */
};
struct netjson_effective {
	int n;
	struct netjson_effective_nsg item[NETJSON_MAX_EFFECTIVE];
};
struct netjson_effective *netjson_effective(const char *text, size_t len, char *err,
					    size_t errlen);
void netjson_effective_free(struct netjson_effective *e);

/* ---- NIC */

#define NETJSON_MAX_NAT 16   /* inbound NAT rules per IP configuration */
#define NETJSON_MAX_ASG 20   /* ASGs per IP configuration (Azure's limit) */
struct netjson_ipconf {
	char name[NETJSON_NAME_LEN];
	char id[NETJSON_ID_LEN];
	char private_ip[NETJSON_IP_LEN]; /* address only: "172.20.2.16/28" gives "172.20.2.16" */
	int prefix_len;                  /* from "/28" or privateIPAddressPrefixLength; -1 */
	char public_ip_id[NETJSON_ID_LEN];
	char subnet_id[NETJSON_ID_LEN];
	bool primary;
	int n_nat;
	char nat_rule_ids[NETJSON_MAX_NAT][NETJSON_ID_LEN];
	int n_asg;
	char asg_ids[NETJSON_MAX_ASG][NETJSON_ID_LEN];
};
struct netjson_nic {
	char name[NETJSON_NAME_LEN];
	char id[NETJSON_ID_LEN];
	char nsg_id[NETJSON_ID_LEN];     /* properties.networkSecurityGroup.id, "" when none */
	char vm_id[NETJSON_ID_LEN];      /* properties.virtualMachine.id, "" when none */
	int n_ipconf;
	struct netjson_ipconf *ipconf;   /* owned, n_ipconf of them (at least 1) */
};
struct netjson_nic *netjson_nic(const char *text, size_t len, char *err, size_t errlen);
void netjson_nic_free(struct netjson_nic *nic);
/* The primary IP configuration, else the first; NULL for NULL. */
const struct netjson_ipconf *netjson_nic_primary(const struct netjson_nic *nic);

/* ---- public IP */

struct netjson_public_ip {
	char name[NETJSON_NAME_LEN];
	char id[NETJSON_ID_LEN];
	char ip_address[NETJSON_IP_LEN]; /* "" when absent (dynamic and not allocated) */
	char allocation[16];             /* "Static", "Dynamic" or "" */
	char version[8];                 /* "IPv4", "IPv6" or "" */
	char ipconf_id[NETJSON_ID_LEN];  /* what it is attached to, "" when unattached */
	char fqdn[256];                  /* dnsSettings.fqdn, "" when none */
	char provisioning[32];
};
int netjson_public_ip(const char *text, size_t len, struct netjson_public_ip *out, char *err,
		      size_t errlen);
/* A page of PublicIPAddresses_List / ListAll, {"value":[publicIPAddress...], "nextLink"?}: each
 * element read as netjson_public_ip reads one.  Returns how many (at most NETJSON_MAX_LIST) and
 * sets *out to a malloc'd array of them that the caller frees with free() (NULL when there are
 * none); -1 on error, *out NULL.  The nextLink is read by netjson_next_link. */
int netjson_public_ip_list(const char *text, size_t len, struct netjson_public_ip **out, char *err,
			   size_t errlen);

/* ---- load balancer */

struct netjson_nat_rule {
	char name[NETJSON_NAME_LEN];
	char id[NETJSON_ID_LEN];
	char protocol[8];                /* "Tcp", "Udp", "All" */
	int frontend_port;               /* -1 when absent (port-range rules) */
	int frontend_port_start, frontend_port_end; /* -1 when absent */
	int backend_port;
	char frontend_ipconf_id[NETJSON_ID_LEN];
	char backend_ipconf_id[NETJSON_ID_LEN]; /* "" when not bound to a NIC */
};
/* InboundNatRules_Get. */
int netjson_nat_rule(const char *text, size_t len, struct netjson_nat_rule *out, char *err,
		     size_t errlen);

struct netjson_frontend {
	char name[NETJSON_NAME_LEN];
	char id[NETJSON_ID_LEN];
	char private_ip[NETJSON_IP_LEN];
	char public_ip_id[NETJSON_ID_LEN];
};
struct netjson_lb {
	char name[NETJSON_NAME_LEN];
	char id[NETJSON_ID_LEN];
	int n_frontend;
	struct netjson_frontend *frontend;  /* owned */
	int n_nat;
	struct netjson_nat_rule *nat;       /* owned: properties.inboundNatRules[] */
};
/* LoadBalancers_Get. */
struct netjson_lb *netjson_lb(const char *text, size_t len, char *err, size_t errlen);
void netjson_lb_free(struct netjson_lb *lb);

/* ---- Azure Firewall (Microsoft.Network/azureFirewalls) and its policy */

#define NETJSON_MAX_FW_IPCONF 16
struct netjson_firewall {
	char name[NETJSON_NAME_LEN];
	char id[NETJSON_ID_LEN];
	char policy_id[NETJSON_ID_LEN];  /* properties.firewallPolicy.id, "" when none (classic
					    rules, which are not read) */
	/* properties.ipConfigurations[]: name, id, privateIPAddress ("" when absent: only the
	 * first one has it), publicIPAddress.id; the same four fields as an LB frontend.  None for
	 * a secured-hub firewall (AZFW_Hub: its addresses are in hubIPAddresses, not read).  The
	 * first NETJSON_MAX_FW_IPCONF are kept; the others (a firewall may have 250 public IPs)
	 * are checked and counted in ipconf_dropped. */
	int n_ipconf, ipconf_dropped;
	struct netjson_frontend ipconf[NETJSON_MAX_FW_IPCONF];
};
/* AzureFirewalls_Get: name and id required.  0 or -1. */
int netjson_firewall(const char *text, size_t len, struct netjson_firewall *out, char *err,
		     size_t errlen);
/* FirewallPolicies_Get: properties.ruleCollectionGroups[].id into ids; returns how many (0
 * when none), -1 on error, and more than max is an error.  A basePolicy's groups, which
 * apply too, are not listed. */
int netjson_fw_policy(const char *text, size_t len, char ids[][NETJSON_ID_LEN], int max,
		      char *err, size_t errlen);

/* ---- Azure Firewall policy: DNAT rules of a rule collection group */

struct netjson_strlist {
	int n;
	char **v;                        /* owned copies */
};
struct netjson_dnat_rule {
	char collection[NETJSON_NAME_LEN];
	int collection_priority;         /* -1 when absent */
	char name[NETJSON_NAME_LEN];
	struct netjson_strlist protocols, sources, source_ip_groups, destinations, dest_ports;
	char translated_address[NETJSON_IP_LEN];
	char translated_fqdn[256];
	int translated_port;             /* "8080" or 8080; -1 when absent */
};
struct netjson_fw_rcg {
	char name[NETJSON_NAME_LEN];     /* "" in a PUT request body */
	char id[NETJSON_ID_LEN];
	int priority;                    /* -1 when absent */
	int n_rules;
	struct netjson_dnat_rule *rules; /* owned: rules of every DNAT collection, in order */
	int n_skipped;                   /* collections or rules that are not DNAT/NatRule */
};
/* FirewallPolicyRuleCollectionGroups_Get (or a PUT body): {..., "properties": {priority,
 * ruleCollections[]}}. */
struct netjson_fw_rcg *netjson_fw_rcg(const char *text, size_t len, char *err, size_t errlen);
void netjson_fw_rcg_free(struct netjson_fw_rcg *g);

/* ---- Network Watcher IP flow verify */

struct netjson_ipflow {
	enum nsg_access access;
	char rule_name[NETJSON_NAME_LEN * 2]; /* as sent, e.g. "securityRules/DenySSH" */
	char rule[NETJSON_NAME_LEN];     /* without a securityRules/ defaultSecurityRules/
					    UserRule_ DefaultRule_ prefix */
	bool is_default;                 /* the prefix named a default rule */
};
int netjson_ipflow(const char *text, size_t len, struct netjson_ipflow *out, char *err,
		   size_t errlen);

/* ---- ARM error body */

#define NETJSON_MAX_DETAILS 4
struct netjson_arm_error {
	char code[128];
	char message[1024];              /* cut at a UTF-8 boundary */
	char target[256];
	int n_details, details_dropped;
	char details[NETJSON_MAX_DETAILS][256]; /* "code: message" */
};
/* {"error":{"code","message","target"?,"details"?:[...]}} (or code/message at the top, as
 * some answers have).  code and message are required. */
int netjson_arm_error(const char *text, size_t len, struct netjson_arm_error *out, char *err,
		      size_t errlen);
/* Always writes one line (raw bytes: sanitise to show): "HTTP 404 ResourceNotFound: ..." for
 * an ARM error body, else "HTTP 502: the answer is not an ARM error body (why)".  status <= 0
 * leaves out the "HTTP n" part. */
void netjson_error_line(const char *text, size_t len, int status, char *out, size_t outlen);

/* ---- subnet and virtual network (for the NSG on the subnet and the VirtualNetwork tag) */
struct netjson_subnet {
	char address_prefix[NETJSON_IP_LEN];     /* properties.addressPrefix, or the first of
						  * addressPrefixes; "" when absent */
	char nsg_id[NETJSON_ID_LEN];             /* "" when the subnet has no NSG */
};
int netjson_subnet(const char *text, size_t len, struct netjson_subnet *out, char *err,
		   size_t errlen);
/* properties.addressSpace.addressPrefixes[] into out (at most max); returns how many. */
int netjson_vnet_prefixes(const char *text, size_t len, char out[][NETJSON_IP_LEN], int max,
			  char *err, size_t errlen);

/* ---- paged lists */

/* The nextLink of a page of an ARM list, {"value":[...], "nextLink":"https://..."}, into out:
 * 0, with "" when there is none (absent, null or "") or the link; -1 on error (no value array,
 * a link that is not a string, longer than outlen - 1, or holding a space or control byte).
 * The caller checks that the link is on the ARM host (arm_url_is_arm) before following it. */
int netjson_next_link(const char *text, size_t len, char *out, size_t outlen, char *err,
		      size_t errlen);

/* ---- VM list (VirtualMachines_List / ListAll / ListByLocation) */

#define NETJSON_LOC_LEN 64
#define NETJSON_MAX_VM_NICS 16          /* NICs per VM (Azure's largest sizes allow 8) */
struct netjson_vm {
	char id[NETJSON_ID_LEN];
	char name[NETJSON_NAME_LEN];     /* the last segment of id when the body has no name */
	char location[NETJSON_LOC_LEN];
	int n_nics;
	char (*nics)[NETJSON_ID_LEN];    /* owned: properties.networkProfile.networkInterfaces[].id,
					    in order; NULL when none (no properties: minimal lists) */
};
struct netjson_vm_list {
	int n;
	struct netjson_vm *vm;           /* owned, n of them (at most NETJSON_MAX_LIST) */
};
/* A page {"value":[VM...], "nextLink"?}: id and location required.  The nextLink is read by
 * netjson_next_link. */
struct netjson_vm_list *netjson_vm_list(const char *text, size_t len, char *err, size_t errlen);
void netjson_vm_list_free(struct netjson_vm_list *l);

/* ---- resource health: availabilityStatuses/current */

#define NETJSON_MAX_ACTIONS 4
struct netjson_health {
	char availability_state[24];     /* "Available", "Unavailable", "Degraded", "Unknown": as
					    sent (required) */
	char title[128];                 /* the free text below is cut at a UTF-8 boundary; "" */
	char summary[512];
	char reason_type[64];            /* e.g. "Unplanned", "Customer Initiated" */
	char occurred[48];               /* properties.occuredTime (Azure's spelling), as sent */
	char detailed_status[512];       /* detailedStatus, "" when absent */
	int n_actions, actions_dropped;  /* recommendedActions[].action ($expand=recommendedactions):
					    the first NETJSON_MAX_ACTIONS, the rest counted */
	char actions[NETJSON_MAX_ACTIONS][256];
};
int netjson_health(const char *text, size_t len, struct netjson_health *out, char *err,
		   size_t errlen);

/* ---- network watchers (NetworkWatchers_ListAll / List) */

struct netjson_watcher {
	char id[NETJSON_ID_LEN];
	char location[NETJSON_LOC_LEN];
	char provisioning[32];           /* properties.provisioningState, "" when absent */
};
/* {"value":[networkWatcher...]}: id and location required.  Returns how many and sets *out to a
 * malloc'd array the caller frees with free() (NULL when none); -1 on error, *out NULL. */
int netjson_watchers(const char *text, size_t len, struct netjson_watcher **out, char *err,
		     size_t errlen);
/* The id of the watcher of that list in location (netjson_same_location), one whose
 * provisioningState is Succeeded first, into out: 1; 0 and "" when there is none; -1 on error
 * (the list does not map, or the id does not fit in outlen). */
int netjson_watcher_in(const char *text, size_t len, const char *location, char *out,
		       size_t outlen, char *err, size_t errlen);
/* Azure location names compared without case and spaces: "West Europe" == "westeurope".
 * false when either is NULL or empty. */
bool netjson_same_location(const char *a, const char *b);

/* ---- Azure-AsyncOperation status body */

enum netjson_async_state {
	NETJSON_ASYNC_IN_PROGRESS,       /* any status other than the three below ("InProgress",
					    "Running", "Accepted", "Creating", ...) */
	NETJSON_ASYNC_SUCCEEDED,
	NETJSON_ASYNC_FAILED,
	NETJSON_ASYNC_CANCELED,
};
struct netjson_async {
	enum netjson_async_state state;  /* from status, without case */
	char status[32];                 /* as sent (required, not empty), cut */
	char error_line[512];            /* "Code: message (first detail)" from error, "" when the
					    body has none */
	bool has_output;                 /* properties.output is there and not null */
};
/* {"status":..., "error":{code, message, ...}?, "properties":{"output":...}?}.  When output is
 * not NULL and properties.output is there, *output is set to it printed back as compact JSON
 * (malloc'd, NUL-terminated, caller frees with free(); *output_len its length, output_len may
 * be NULL): what runcmd_parse reads.  Else *output is NULL.  0, or -1 (*output NULL). */
int netjson_async_status(const char *text, size_t len, struct netjson_async *out, char **output,
			 size_t *output_len, char *err, size_t errlen);

/* The last segment of a resource id ("/.../networkSecurityGroups/nsg1" -> "nsg1"). */
void netjson_id_name(const char *id, char *out, size_t outlen);

#endif
