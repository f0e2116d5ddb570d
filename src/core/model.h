/* model: the state of one triage — the target, every check's latest result, the component
 * states and verdict the diagnosis derived, and a bounded log.
 *
 * Plain values, no pointers into other objects: a struct model can be copied, and a probe
 * worker can send a struct check over a pipe as bytes.  Strings in a check are raw bytes
 * from outside (banners, peer messages); views and the report sanitise them when they show
 * them, never before, so the diagnosis sees what the peer really sent. */
#ifndef SSHTRIAGE_CORE_MODEL_H
#define SSHTRIAGE_CORE_MODEL_H

#include <stdbool.h>
#include <stddef.h>

enum comp_id { COMP_CLIENT, COMP_EDGE, COMP_ENDPOINT, COMP_NSG, COMP_VM, COMP_COUNT };

enum state { ST_PENDING, ST_RUNNING, ST_OK, ST_WARN, ST_FAIL, ST_UNKNOWN, ST_SKIPPED };

enum check_id {
#define X(e, id, comp, title) e,
#include "core/checks.def"
#undef X
	CK_COUNT
};

enum outcome {
#define X(e, name) e,
#include "core/outcomes.def"
#undef X
	OUT_COUNT
};

enum remedy_id {
#define X(e, id, comp, title, destructive, how) e,
#include "core/remedies.def"
#undef X
	RM_COUNT
};

enum confidence { CONF_PROVEN, CONF_LIKELY };

#define CHECK_SUMMARY_LEN 256
#define CHECK_EVIDENCE_MAX 8
#define CHECK_EVIDENCE_LEN 200

struct check {
	enum check_id id;
	enum state state;        /* as the probe saw it; the diagnosis decides blame */
	enum outcome outcome;
	long elapsed_ms;
	char summary[CHECK_SUMMARY_LEN];
	int n_evidence;
	char evidence[CHECK_EVIDENCE_MAX][CHECK_EVIDENCE_LEN];
};

struct target {
	char user[64];
	char host[256];          /* as given */
	char address[64];        /* numeric, once resolved */
	int port;
	char azure_vm[512];
	char client_ip[64];      /* this client's public address: --client-ip, or what the
				  * what-is-my-IP probe saw; "" while unknown */
};

struct verdict {
	bool present;            /* false: the path works */
	enum comp_id comp;
	enum check_id check;
	enum confidence confidence;
	char summary[CHECK_SUMMARY_LEN * 2];
};

#define MODEL_LOG_MAX 64
#define MODEL_LOG_LEN 160

struct model {
	struct target target;
	struct check checks[CK_COUNT];
	enum state comp_state[COMP_COUNT];
	struct verdict verdict;
	bool reachable;
	bool handshake;
	/* the host key the path probe's handshake saw, "TYPE BASE64" as in known_hosts ("" none):
	 * raw from the peer, checked (core/knownhost.h) and hashed again before any use */
#define MODEL_HOSTKEY_LEN 2048
	char host_key[MODEL_HOSTKEY_LEN];
	int authenticated;       /* -1 not tried, 0 false, 1 true */
	bool done;               /* every probe of this round has finished */
	int arm_calls;           /* HTTP requests to Azure this round (each retry counts) */
	int arm_in_flight;       /* Azure calls under way right now (the screen shows them) */
	/* the Azure objects each component is made of, e.g. "lab-pip -> lab-lb NAT ssh-vm1";
	 * "" when none were read (raw names: sanitise to show) */
	char objects[COMP_COUNT][128];
	/* what each remedy would change, as the cloud side worked it out ("" when not known
	 * yet; the report then gives the catalog's title alone) — raw, sanitise to show */
	char remedy_changes[RM_COUNT][200];
	/* a remedy offered on the screen: its preview, waiting for the operator's yes */
#define REMEDY_PREVIEW_LEN 8192
	struct remedy_offer {
		int id;              /* enum remedy_id; -1 none */
		bool ready;          /* planned: text is the preview; else error says why not */
		char text[REMEDY_PREVIEW_LEN];   /* raw: sanitise to show */
		char error[CHECK_SUMMARY_LEN];
		char confirm[64];    /* a destructive one: what must be typed (the VM's name) */
	} offer;
	/* a remedy being applied (--fix, the menu): it ends in a new probe round */
	struct remedy_run {
		int id;              /* enum remedy_id; -1 none */
		enum state state;    /* RUNNING, then OK (applied) or FAIL */
		char status[CHECK_SUMMARY_LEN];
		long elapsed_ms;
		unsigned round;      /* the probe round that shows its effect; 0 while none */
		bool undo;           /* it takes back an earlier remedy (id) */
	} fix;
	/* the last remedy applied to this VM that can be taken back (azure/undo.h): the screen's
	 * menu offers its undo; id -1 when there is none */
	struct remedy_undo {
		int id;
		char applied[32];    /* UTC time it was applied */
	} undo;
	/* the VM's serial log (boot diagnostics) as the last round read it, for the boot-log
	 * viewer: its last MODEL_BOOT_LOG_MAX bytes, cut at a line start (raw, NULs made '?':
	 * sanitise to show); len 0 while not read, and then the vm.boot_log check says why */
#define MODEL_BOOT_LOG_MAX (256 * 1024)
#define MODEL_BOOT_HITS_MAX 32
	struct boot_log {
		size_t len;
		long first_line;     /* the number, in the whole log, of text's first line */
		bool cut;            /* the log was longer: text is its tail */
		int n_hits;          /* the lines that matched a known failure signature */
		struct boot_hit {
			long line;   /* 1-based, in the whole log (as first_line) */
			char what[32];   /* the signature, for people: "emergency mode" */
		} hits[MODEL_BOOT_HITS_MAX];
		unsigned serial;     /* bumped at each change: views re-index the text then */
		char text[MODEL_BOOT_LOG_MAX];
	} boot_log;
	/* the rescue console: shell commands run on the VM by Run Command, one at a time.
	 * text is the transcript ("$ command", its output, a status line), oldest lines
	 * dropped past MODEL_RESCUE_MAX; raw guest output: sanitise to show.  In memory only. */
#define MODEL_RESCUE_MAX (64 * 1024)
	struct rescue {
		enum state state;    /* PENDING: none yet; RUNNING; OK or FAIL: how the last ended */
		bool queued;         /* a second command waits for the running one */
		long elapsed_ms;     /* of the running command, or of the last one */
		char status[CHECK_SUMMARY_LEN];  /* "exit status 0 in 1.2 s" */
		size_t len;
		unsigned serial;
		char text[MODEL_RESCUE_MAX];
	} rescue;
	long elapsed_ms;         /* round start to last result */
	unsigned round;          /* bumped by each re-run */
	unsigned generation;     /* bumped by every change: views repaint when it moves */
	/* ring of log lines, oldest first from log_head */
	int log_len, log_head;
	char log[MODEL_LOG_MAX][MODEL_LOG_LEN];
};

/* Tables (from checks.def / outcomes.def). */
const char *comp_name(enum comp_id c);          /* "client" ... "vm" */
const char *comp_title(enum comp_id c);         /* "Client" ... "VM" */
const char *state_name(enum state s);           /* "ok", "fail", ... (report) */
const char *state_marker(enum state s);         /* "[ OK ]", "[FAIL]"... (fixed width 6) */
const char *check_name(enum check_id c);        /* "vm.banner" */
const char *check_title(enum check_id c);
enum comp_id check_comp(enum check_id c);
/* Read from Azure or from inside the guest (Run Command), not probed on the network path. */
bool check_from_cloud(enum check_id c);
const char *outcome_name(enum outcome o);
const char *confidence_name(enum confidence c);

/* Lifecycle: model_init clears everything and marks every check pending. */
void model_init(struct model *m, const struct target *t);
/* Starts a new probe round: every check back to pending, round and generation bumped. */
void model_new_round(struct model *m);
/* Stores a probe result (copied) and bumps the generation. */
void model_set_check(struct model *m, const struct check *c);
void model_set_running(struct model *m, enum check_id id);
/* Names a component's Azure objects (printf-style; cut to fit). */
void model_set_objects(struct model *m, enum comp_id c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* How many Azure calls are under way (bumps the generation only when it changes). */
void model_set_arm_in_flight(struct model *m, int n);
/* Appends a printf-style line to the log ring (truncated to MODEL_LOG_LEN). */
void model_log(struct model *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* i-th log line, 0 = oldest; NULL past the end. */
const char *model_log_line(const struct model *m, int i);

/* The boot log: keeps the last MODEL_BOOT_LOG_MAX bytes of data (len), dropping hits;
 * then each signature hit by its line number in the whole log.  clear: none read. */
void model_boot_log_set(struct model *m, const char *data, size_t len);
void model_boot_log_hit(struct model *m, long line, const char *what);
void model_boot_log_clear(struct model *m);
/* Appends len bytes to the rescue transcript, dropping its oldest lines when full. */
void model_rescue_append(struct model *m, const char *data, size_t len);

/* Helpers for probes filling a check. */
void check_init(struct check *c, enum check_id id);
/* The summary may be one of the arguments ("...: %s", c->summary). */
void check_set(struct check *c, enum state s, enum outcome o, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void check_evidence(struct check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
