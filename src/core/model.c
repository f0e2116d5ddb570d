#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/model.h"

static const struct {
	const char *id, *title;
	enum comp_id comp;
} check_table[CK_COUNT] = {
#define X(e, id, comp, title) [e] = {id, title, comp},
#include "core/checks.def"
#undef X
};

static const char *const outcome_table[OUT_COUNT] = {
#define X(e, name) [e] = name,
#include "core/outcomes.def"
#undef X
};

static const char *const comp_names[COMP_COUNT] = {"client", "edge", "endpoint", "nsg", "vm"};
static const char *const comp_titles[COMP_COUNT] = {"Client", "Edge", "Endpoint", "NSG", "VM"};

static const struct {
	const char *name, *marker;
} state_table[] = {
	[ST_PENDING] = {"pending", "[    ]"}, [ST_RUNNING] = {"running", "[....]"},
	[ST_OK] = {"ok", "[ OK ]"},           [ST_WARN] = {"warn", "[WARN]"},
	[ST_FAIL] = {"fail", "[FAIL]"},       [ST_UNKNOWN] = {"unknown", "[ ?? ]"},
	[ST_SKIPPED] = {"skipped", "[SKIP]"},
};

const char *comp_name(enum comp_id c) { return c < COMP_COUNT ? comp_names[c] : "?"; }
const char *comp_title(enum comp_id c) { return c < COMP_COUNT ? comp_titles[c] : "?"; }
const char *state_name(enum state s) { return state_table[s].name; }
const char *state_marker(enum state s) { return state_table[s].marker; }
const char *check_name(enum check_id c) { return c < CK_COUNT ? check_table[c].id : "?"; }
const char *check_title(enum check_id c) { return c < CK_COUNT ? check_table[c].title : "?"; }
enum comp_id check_comp(enum check_id c) { return check_table[c].comp; }
bool check_from_cloud(enum check_id c)
{
	return c >= CK_ENDPOINT_CLOUD && c <= CK_VM_SIBLING;
}

const char *outcome_name(enum outcome o) { return o < OUT_COUNT ? outcome_table[o] : "?"; }
const char *confidence_name(enum confidence c) { return c == CONF_PROVEN ? "proven" : "likely"; }

void check_init(struct check *c, enum check_id id)
{
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->state = ST_PENDING;
	c->outcome = OUT_NONE;
}

void check_set(struct check *c, enum state s, enum outcome o, const char *fmt, ...)
{
	va_list ap;

	char buf[sizeof(c->summary)];

	c->state = s;
	c->outcome = o;
	/* through a copy: callers may pass the old summary as an argument */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	memcpy(c->summary, buf, strlen(buf) + 1);   /* the tail stays as check_init left it */
}

void check_evidence(struct check *c, const char *fmt, ...)
{
	va_list ap;

	if (c->n_evidence >= CHECK_EVIDENCE_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(c->evidence[c->n_evidence++], CHECK_EVIDENCE_LEN, fmt, ap);
	va_end(ap);
}

void model_new_round(struct model *m)
{
	for (int i = 0; i < CK_COUNT; i++)
		check_init(&m->checks[i], (enum check_id)i);
	for (int i = 0; i < COMP_COUNT; i++)
		m->comp_state[i] = ST_PENDING;
	memset(&m->verdict, 0, sizeof(m->verdict));
	m->reachable = false;
	m->handshake = false;
	m->host_key[0] = '\0';
	m->authenticated = -1;
	m->done = false;
	m->arm_calls = 0;
	m->arm_in_flight = 0;
	memset(m->objects, 0, sizeof(m->objects));
	memset(m->remedy_changes, 0, sizeof(m->remedy_changes));
	model_boot_log_clear(m);     /* this round reads it again, or says why not */
	m->elapsed_ms = 0;
	m->round++;
	m->generation++;
}

void model_init(struct model *m, const struct target *t)
{
	memset(m, 0, sizeof(*m));
	if (t)
		m->target = *t;
	model_new_round(m);
	m->round = 0;
	m->fix.id = -1;
	m->offer.id = -1;
	m->undo.id = -1;
}

void model_set_check(struct model *m, const struct check *c)
{
	if (c->id >= CK_COUNT)
		return;
	m->checks[c->id] = *c;
	m->generation++;
}

void model_set_objects(struct model *m, enum comp_id c, const char *fmt, ...)
{
	va_list ap;

	if ((unsigned)c >= COMP_COUNT)
		return;
	va_start(ap, fmt);
	vsnprintf(m->objects[c], sizeof(m->objects[c]), fmt, ap);
	va_end(ap);
	m->generation++;
}

void model_set_arm_in_flight(struct model *m, int n)
{
	if (m->arm_in_flight == n)
		return;
	m->arm_in_flight = n;
	m->generation++;
}

void model_set_running(struct model *m, enum check_id id)
{
	m->checks[id].state = ST_RUNNING;
	m->generation++;
}

void model_log(struct model *m, const char *fmt, ...)
{
	va_list ap;
	int slot;

	if (m->log_len < MODEL_LOG_MAX) {
		slot = (m->log_head + m->log_len) % MODEL_LOG_MAX;
		m->log_len++;
	} else {
		slot = m->log_head;
		m->log_head = (m->log_head + 1) % MODEL_LOG_MAX;
	}
	va_start(ap, fmt);
	vsnprintf(m->log[slot], MODEL_LOG_LEN, fmt, ap);
	va_end(ap);
	m->generation++;
}

const char *model_log_line(const struct model *m, int i)
{
	if (i < 0 || i >= m->log_len)
		return NULL;
	return m->log[(m->log_head + i) % MODEL_LOG_MAX];
}

void model_boot_log_clear(struct model *m)
{
	m->boot_log.len = 0;
	m->boot_log.n_hits = 0;
	m->boot_log.first_line = 1;
	m->boot_log.cut = false;
	m->boot_log.serial++;
	m->generation++;
}

void model_boot_log_set(struct model *m, const char *data, size_t len)
{
	struct boot_log *b = &m->boot_log;
	size_t from = 0;

	model_boot_log_clear(m);
	if (len > MODEL_BOOT_LOG_MAX) {
		/* the tail is what tells why the last boot failed; start it at a whole line */
		const char *nl;

		from = len - MODEL_BOOT_LOG_MAX;
		nl = memchr(data + from, '\n', len - from);
		from = nl ? (size_t)(nl - data) + 1 : len;
		b->cut = true;
		for (size_t i = 0; i < from; i++)
			b->first_line += data[i] == '\n';
	}
	b->len = len - from;
	for (size_t i = 0; i < b->len; i++)
		b->text[i] = data[from + i] ? data[from + i] : '?';
}

void model_boot_log_hit(struct model *m, long line, const char *what)
{
	struct boot_log *b = &m->boot_log;
	struct boot_hit *h;

	if (b->n_hits >= MODEL_BOOT_HITS_MAX)
		return;
	h = &b->hits[b->n_hits++];
	h->line = line;
	snprintf(h->what, sizeof(h->what), "%s", what);
	b->serial++;
	m->generation++;
}

void model_rescue_append(struct model *m, const char *data, size_t len)
{
	struct rescue *r = &m->rescue;

	if (len > MODEL_RESCUE_MAX / 2)         /* only the end of a huge output */
		data += len - MODEL_RESCUE_MAX / 2, len = MODEL_RESCUE_MAX / 2;
	if (r->len + len > MODEL_RESCUE_MAX) {
		/* drop the oldest lines: at least what the new text needs, up to a line end */
		size_t drop = r->len + len - MODEL_RESCUE_MAX;
		const char *nl = memchr(r->text + drop, '\n', r->len - drop);

		drop = nl ? (size_t)(nl - r->text) + 1 : r->len;
		memmove(r->text, r->text + drop, r->len - drop);
		r->len -= drop;
	}
	for (size_t i = 0; i < len; i++)
		r->text[r->len++] = data[i] ? data[i] : '?';
	r->serial++;
	m->generation++;
}
