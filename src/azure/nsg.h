/* nsg: Azure network security groups, evaluated offline.
 *
 * Pure: no I/O, no globals, no sockets (inet_pton/inet_ntop only convert text).  An NSG is a
 * list of security rules as Azure holds them; nsg_evaluate decides one flow the way Azure
 * does: inbound, the subnet's NSG first, then the NIC's (outbound the other way round); within
 * an NSG the matching rule with the lowest priority number decides; every NSG that is present
 * must allow; a missing NSG (NULL) allows.
 *
 * Faithful, not clever: NSGs see traffic after NAT, so a rule naming the VM's public IP never
 * matches traffic to its private address, and the evaluator does not pretend otherwise.
 *
 * Address items: "*" (any), a CIDR or single IP (v4 or v6; "0.0.0.0/0" is every IPv4 address,
 * not IPv6), or a service tag.  Known tags: VirtualNetwork (the context's VNet prefixes),
 * AzureLoadBalancer (the context's probe address, 168.63.129.16), Internet (any address that is
 * neither).  Other tags (Storage, AzureCloud...) and unparseable items never match; when such an
 * item could have changed the outcome the decision says so in a note and is marked uncertain.
 * Application security groups match by resource id (case-insensitive, as ARM ids are).
 *
 * Ownership: nsg_new returns an NSG the caller frees with nsg_free (NULL-safe); everything added
 * to it is owned by it.  Results and remedies are caller-owned plain structs. */
#ifndef SSHTRIAGE_AZURE_NSG_H
#define SSHTRIAGE_AZURE_NSG_H

#include <stdbool.h>
#include <stddef.h>

#define NSG_NAME_LEN 128          /* NSG and rule names (Azure allows 80): longer ones are cut */
#define NSG_ID_LEN 512            /* resource ids */
#define NSG_MAX_RULES 1100        /* Azure: 1000 custom rules + 6 defaults; nsg_add_rule refuses more */
#define NSG_MAX_ITEMS 4096        /* prefixes, port ranges or ASGs in one list of one rule side */
#define NSG_MAX_TOTAL_ITEMS 65536 /* all of those in one NSG; past either bound adding fails */
#define NSG_ITEM_TEXT 64          /* the first never-matching item of a side, kept for notes */
#define NSG_PRIORITY_MIN 100      /* custom rules */
#define NSG_PRIORITY_MAX 4096

enum nsg_dir { NSG_INBOUND, NSG_OUTBOUND };
enum nsg_access { NSG_ALLOW, NSG_DENY };
enum nsg_proto { NSG_PROTO_ANY, NSG_PROTO_TCP, NSG_PROTO_UDP, NSG_PROTO_ICMP, NSG_PROTO_ESP,
		 NSG_PROTO_AH };
enum nsg_side { NSG_SRC, NSG_DST };
enum nsg_stage { NSG_STAGE_SUBNET, NSG_STAGE_NIC, NSG_STAGES };

struct nsg_ip {
	unsigned char family;     /* 4 or 6 */
	unsigned char a[16];      /* network order; IPv4 in a[0..3] */
};

enum nsg_addr_kind {
	NSG_ADDR_ANY,             /* "*" */
	NSG_ADDR_NET,             /* CIDR or single IP */
	NSG_ADDR_INTERNET,
	NSG_ADDR_VNET,
	NSG_ADDR_ALB,
	NSG_ADDR_UNKNOWN,         /* other service tag, or not understood: never matches */
};

struct nsg_addr {
	unsigned char kind;       /* enum nsg_addr_kind */
	unsigned char bits;       /* NSG_ADDR_NET: prefix length */
	struct nsg_ip ip;         /* NSG_ADDR_NET: the network, masked */
};

struct nsg_portrange {
	int lo, hi;               /* inclusive; lo > hi: not understood, never matches */
};

/* The read-only view of a rule; build rules with the nsg_add_* / nsg_rule_add_* calls. */
struct nsg_rule_side {
	int n_addr, cap_addr;
	struct nsg_addr *addr;
	int n_port, cap_port;
	struct nsg_portrange *port;
	int n_asg, cap_asg;
	char **asg;               /* application security group ids */
	char unknown[NSG_ITEM_TEXT]; /* first item of this side that can never match, as written */
};

struct nsg_rule {
	char name[NSG_NAME_LEN];
	int priority;
	enum nsg_dir dir;
	enum nsg_access access;
	enum nsg_proto proto;
	bool is_default;          /* one of defaultSecurityRules[] */
	struct nsg_rule_side side[2]; /* [NSG_SRC], [NSG_DST] */
};

struct nsg {
	char name[NSG_NAME_LEN];
	char id[NSG_ID_LEN];
	int n_rules, cap_rules;
	struct nsg_rule *rules;   /* in the order added */
	int n_items;              /* against NSG_MAX_TOTAL_ITEMS */
};

/* What the tags mean for this flow's network. */
#define NSG_CTX_MAX_PREFIXES 64
struct nsg_ctx {
	int n_vnet;
	struct nsg_addr vnet[NSG_CTX_MAX_PREFIXES]; /* VirtualNetwork: VNet, peered, on-prem... */
	struct nsg_ip alb;        /* AzureLoadBalancer; nsg_ctx_init sets 168.63.129.16 */
};

#define NSG_FLOW_MAX_ASG 32
struct nsg_flow {
	enum nsg_dir dir;
	enum nsg_proto proto;     /* a real protocol, never NSG_PROTO_ANY */
	struct nsg_ip src, dst;
	int sport, dport;         /* TCP/UDP only */
	int n_src_asg, n_dst_asg;
	const char *src_asg[NSG_FLOW_MAX_ASG]; /* borrowed: ASG ids of the source NIC */
	const char *dst_asg[NSG_FLOW_MAX_ASG]; /* borrowed: ASG ids of the destination NIC */
};

#define NSG_NOTE_MAX 4
#define NSG_NOTE_LEN 240
#define NSG_SUMMARY_LEN 480

/* How one NSG decided the flow. */
struct nsg_decision {
	bool present;             /* false: no NSG here, which allows */
	char nsg[NSG_NAME_LEN];
	enum nsg_access access;
	char rule[NSG_NAME_LEN];  /* the deciding rule */
	int priority;
	bool is_default;
	bool builtin_default;     /* no rule in the data matched: Azure's default rules decided */
	bool uncertain;           /* a rule that could not be evaluated offline might decide instead */
	int win_below;            /* an Allow rule needs a priority below this to win (deny only) */
	int n_notes, notes_dropped;
	char notes[NSG_NOTE_MAX][NSG_NOTE_LEN];
};

struct nsg_result {
	enum nsg_access access;   /* overall: Allow only when every present NSG allows */
	int decider;              /* enum nsg_stage of the first NSG in traffic order that denies; -1 */
	bool uncertain;
	struct nsg_decision stage[NSG_STAGES];
	char summary[NSG_SUMMARY_LEN]; /* one line; rule and NSG names are raw: sanitise to show */
};

#define NSG_REMEDY_RULE "sshtriage-allow-ssh"

/* Parameters for the nsg.allow_ssh remedy on one denying NSG. */
struct nsg_remedy {
	enum nsg_stage stage;
	char nsg[NSG_NAME_LEN];
	char nsg_id[NSG_ID_LEN];
	bool possible;
	int priority;             /* possible: free in that NSG, 100..4096, below win_below */
	enum nsg_proto proto;
	int port;
	char source[64];          /* "198.51.100.7/32" or ".../128" */
	char deny_rule[NSG_NAME_LEN];
	int deny_priority;
	char why[320];            /* what the rule does, or why no rule can win */
};

/* Building.  nsg_new copies (and cuts) name and id; NULL on allocation failure. */
struct nsg *nsg_new(const char *name, const char *id);
void nsg_free(struct nsg *n);
/* Appends a rule with no addresses or ports yet.  The pointer stays valid until the next
 * nsg_add_rule on the same NSG.  NULL when the NSG holds NSG_MAX_RULES or memory ran out. */
struct nsg_rule *nsg_add_rule(struct nsg *n, const char *name, int priority, enum nsg_dir dir,
			      enum nsg_access access, enum nsg_proto proto, bool is_default);
/* Adds one item (len bytes, no NUL needed) to a side of r, which belongs to n.  An item that
 * is not understood is kept as never-matching (and remembered for notes): 0.  -1 only when a
 * bound is reached or memory ran out. */
int nsg_rule_add_addr(struct nsg *n, struct nsg_rule *r, enum nsg_side s, const char *text,
		      size_t len);
int nsg_rule_add_ports(struct nsg *n, struct nsg_rule *r, enum nsg_side s, const char *text,
		       size_t len);
int nsg_rule_add_asg(struct nsg *n, struct nsg_rule *r, enum nsg_side s, const char *id);
/* One rule from text, for tests and the lab's fault syntax.  dir "Inbound"/"Outbound", access
 * "Allow"/"Deny", proto as nsg_parse_proto; src, sport, dst and dport are one item or a
 * comma-separated list, items starting "asg:" name application security groups.  0 or -1. */
int nsg_add_rule_text(struct nsg *n, const char *name, int priority, const char *dir,
		      const char *access, const char *proto, const char *src, const char *sport,
		      const char *dst, const char *dport, bool is_default);
/* The six rules Azure puts in every NSG (flagged default).  0 or -1. */
int nsg_add_default_rules(struct nsg *n);

/* Parsing and naming.  Case-insensitive; len-delimited text. */
bool nsg_parse_ip(const char *text, size_t len, struct nsg_ip *out);
bool nsg_parse_addr(const char *text, size_t len, struct nsg_addr *out); /* false: UNKNOWN */
bool nsg_parse_ports(const char *text, size_t len, struct nsg_portrange *out);
bool nsg_parse_proto(const char *text, size_t len, enum nsg_proto *out); /* Tcp... * All Any */
bool nsg_parse_access(const char *text, size_t len, enum nsg_access *out);
bool nsg_parse_dir(const char *text, size_t len, enum nsg_dir *out);
const char *nsg_proto_name(enum nsg_proto p);   /* "TCP", "UDP", ..., "*" */
const char *nsg_access_name(enum nsg_access a); /* "Allow" / "Deny" */
const char *nsg_dir_name(enum nsg_dir d);       /* "Inbound" / "Outbound" */
const char *nsg_stage_name(enum nsg_stage s);   /* "subnet" / "NIC" */
void nsg_ip_format(const struct nsg_ip *ip, char *buf, size_t len);
void nsg_addr_format(const struct nsg_addr *a, char *buf, size_t len); /* "10.0.0.0/8", tags */

/* Context and flow. */
void nsg_ctx_init(struct nsg_ctx *c);
/* Does address item a hold ip (tags read through ctx)? */
bool nsg_addr_match(const struct nsg_addr *a, const struct nsg_ip *ip, const struct nsg_ctx *ctx);
int nsg_ctx_add_vnet(struct nsg_ctx *c, const char *cidr); /* -1: not a CIDR/IP, or full */
/* A flow without ASGs; -1 when an address does not parse, proto is ANY, or a TCP/UDP port is
 * outside 0..65535.  Add ASGs by filling src_asg/dst_asg (at most NSG_FLOW_MAX_ASG). */
int nsg_flow_init(struct nsg_flow *f, enum nsg_dir dir, enum nsg_proto proto, const char *src,
		  int sport, const char *dst, int dport);

/* Evaluation.  subnet or nic may be NULL (no NSG there).  Always fills out. */
void nsg_evaluate_one(const struct nsg *n, const struct nsg_ctx *ctx, const struct nsg_flow *f,
		      struct nsg_decision *out);
void nsg_evaluate(const struct nsg *subnet, const struct nsg *nic, const struct nsg_ctx *ctx,
		  const struct nsg_flow *f, struct nsg_result *out);

/* The nsg.allow_ssh remedy: one proposal per NSG that denies, in traffic order.  The new rule
 * gets the highest free priority (not used by any rule of that NSG, either direction) below
 * the decision's win_below and within 100..4096; when there is none (the deny is at 100, or
 * every number below it is taken) the proposal says so with possible = false.  r must come
 * from nsg_evaluate on the same NSGs and flow.  Returns the number of proposals (0: allowed). */
int nsg_propose_allow(const struct nsg *subnet, const struct nsg *nic, const struct nsg_flow *f,
		      const struct nsg_result *r, struct nsg_remedy out[NSG_STAGES]);

#endif
