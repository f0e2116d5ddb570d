#include "config.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "core/remedy.h"
#include "core/report.h"
#include "core/target.h"
#include "util/sanitize.h"

/* Adds a sanitised copy of s under key; cJSON escapes what is left (quotes, backslashes). */
static void add_str(cJSON *o, const char *key, const char *s)
{
	char buf[CHECK_SUMMARY_LEN * 2 + 8];

	sanitize(buf, sizeof(buf), s, strlen(s), SANITIZE_UTF8);
	cJSON_AddStringToObject(o, key, buf);
}

static cJSON *check_json(const struct check *c)
{
	cJSON *o = cJSON_CreateObject(), *ev;

	cJSON_AddStringToObject(o, "id", check_name(c->id));
	cJSON_AddStringToObject(o, "title", check_title(c->id));
	cJSON_AddStringToObject(o, "state", state_name(c->state));
	cJSON_AddStringToObject(o, "outcome", outcome_name(c->outcome));
	add_str(o, "summary", c->summary);
	ev = cJSON_AddArrayToObject(o, "evidence");
	for (int i = 0; i < c->n_evidence; i++) {
		char buf[CHECK_EVIDENCE_LEN];

		sanitize(buf, sizeof(buf), c->evidence[i], strlen(c->evidence[i]), SANITIZE_UTF8);
		cJSON_AddItemToArray(ev, cJSON_CreateString(buf));
	}
	cJSON_AddNumberToObject(o, "elapsed_ms", (double)c->elapsed_ms);
	return o;
}

char *report_json(const struct model *m)
{
	cJSON *root = cJSON_CreateObject(), *t, *comps, *v, *rems;
	enum remedy_id ids[RM_COUNT];
	int n;
	char *text;

	if (!root)
		return NULL;
	cJSON_AddStringToObject(root, "schema", "sshtriage/report/v1");
	t = cJSON_AddObjectToObject(root, "target");
	add_str(t, "host", m->target.host);
	if (m->target.address[0])
		add_str(t, "address", m->target.address);
	else
		cJSON_AddNullToObject(t, "address");
	cJSON_AddNumberToObject(t, "port", m->target.port);
	if (m->target.user[0])
		add_str(t, "user", m->target.user);
	else
		cJSON_AddNullToObject(t, "user");
	if (m->target.client_ip[0])
		add_str(t, "client_ip", m->target.client_ip);
	else
		cJSON_AddNullToObject(t, "client_ip");
	if (m->target.azure_vm[0])
		add_str(t, "azure_vm", m->target.azure_vm);
	else
		cJSON_AddNullToObject(t, "azure_vm");
	cJSON_AddNumberToObject(root, "elapsed_ms", (double)m->elapsed_ms);
	cJSON_AddNumberToObject(root, "arm_calls", m->arm_calls);
	cJSON_AddBoolToObject(root, "reachable", m->reachable);
	cJSON_AddBoolToObject(root, "handshake", m->handshake);
	if (m->authenticated < 0)
		cJSON_AddNullToObject(root, "authenticated");
	else
		cJSON_AddBoolToObject(root, "authenticated", m->authenticated);
	if (m->verdict.present) {
		v = cJSON_AddObjectToObject(root, "verdict");
		cJSON_AddStringToObject(v, "component", comp_name(m->verdict.comp));
		cJSON_AddStringToObject(v, "check", check_name(m->verdict.check));
		cJSON_AddStringToObject(v, "confidence", confidence_name(m->verdict.confidence));
		add_str(v, "summary", m->verdict.summary);
	} else {
		cJSON_AddNullToObject(root, "verdict");
	}
	comps = cJSON_AddArrayToObject(root, "components");
	for (int c = 0; c < COMP_COUNT; c++) {
		cJSON *co = cJSON_CreateObject(), *checks;

		cJSON_AddStringToObject(co, "id", comp_name((enum comp_id)c));
		cJSON_AddStringToObject(co, "state", state_name(m->comp_state[c]));
		checks = cJSON_AddArrayToObject(co, "checks");
		for (int i = 0; i < CK_COUNT; i++)
			if (check_comp((enum check_id)i) == (enum comp_id)c)
				cJSON_AddItemToArray(checks, check_json(&m->checks[i]));
		cJSON_AddItemToArray(comps, co);
	}
	rems = cJSON_AddArrayToObject(root, "remedies");
	n = remedy_applicable(m, ids);
	for (int i = 0; i < n; i++) {
		cJSON *r = cJSON_CreateObject();

		cJSON_AddStringToObject(r, "id", remedy_name(ids[i]));
		cJSON_AddStringToObject(r, "component", comp_name(remedy_comp(ids[i])));
		cJSON_AddStringToObject(r, "title", remedy_title(ids[i]));
		add_str(r, "changes", m->remedy_changes[ids[i]][0] ? m->remedy_changes[ids[i]]
								  : remedy_title(ids[i]));
		cJSON_AddBoolToObject(r, "destructive", remedy_destructive(ids[i]));
		cJSON_AddItemToArray(rems, r);
	}
	if (m->fix.id >= 0 && m->fix.id < RM_COUNT) {
		cJSON *fx = cJSON_AddObjectToObject(root, "fix");

		cJSON_AddStringToObject(fx, "id", remedy_name((enum remedy_id)m->fix.id));
		cJSON_AddStringToObject(fx, "state", state_name(m->fix.state));
		add_str(fx, "status", m->fix.status);
		cJSON_AddNumberToObject(fx, "elapsed_ms", (double)m->fix.elapsed_ms);
	}
	text = cJSON_Print(root);
	cJSON_Delete(root);
	return text;
}

void report_text(FILE *f, const struct model *m, bool utf8)
{
	int flags = utf8 ? SANITIZE_UTF8 : 0, n;
	enum remedy_id ids[RM_COUNT];
	char buf[CHECK_SUMMARY_LEN * 2 + 8], tgt[400];

	target_format(&m->target, tgt, sizeof(tgt));
	sanitize(buf, sizeof(buf), tgt, strlen(tgt), flags);
	fprintf(f, "sshtriage: %s", buf);
	if (m->target.address[0] && strcmp(m->target.address, m->target.host) != 0)
		fprintf(f, " (%s)", m->target.address);
	fprintf(f, "  %ld ms\n", m->elapsed_ms);
	for (int c = 0; c < COMP_COUNT; c++) {
		fprintf(f, "\n%s %s\n", state_marker(m->comp_state[c]), comp_title((enum comp_id)c));
		for (int i = 0; i < CK_COUNT; i++) {
			const struct check *k = &m->checks[i];

			if (check_comp((enum check_id)i) != (enum comp_id)c)
				continue;
			sanitize(buf, sizeof(buf), k->summary, strlen(k->summary), flags);
			fprintf(f, "  %s %-26s %s\n", state_marker(k->state), check_title(k->id), buf);
			for (int e = 0; e < k->n_evidence; e++) {
				sanitize(buf, sizeof(buf), k->evidence[e], strlen(k->evidence[e]), flags);
				fprintf(f, "         %s\n", buf);
			}
		}
	}
	if (m->verdict.present) {
		sanitize(buf, sizeof(buf), m->verdict.summary, strlen(m->verdict.summary), flags);
		fprintf(f, "\nVerdict: %s (%s, %s): %s\n", comp_name(m->verdict.comp),
			check_name(m->verdict.check), confidence_name(m->verdict.confidence), buf);
	} else {
		fprintf(f, "\nVerdict: the path works.\n");
	}
	n = remedy_applicable(m, ids);
	if (n)
		fprintf(f, "\nRemedies (sshtriage --fix ID):\n");
	for (int i = 0; i < n; i++) {
		const char *ch = m->remedy_changes[ids[i]];

		sanitize(buf, sizeof(buf), ch, strlen(ch), flags);
		fprintf(f, "  %-30s %s%s%s%s\n", remedy_name(ids[i]), remedy_title(ids[i]),
			remedy_destructive(ids[i]) ? " (DESTRUCTIVE)" : "", *buf ? ": " : "", buf);
	}
}

int report_exit_status(const struct model *m)
{
	if (!m->verdict.present)
		return 0;
	return 10 + (int)m->verdict.comp;
}
