#include "config.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

#include "core/diag.h"
#include "core/report.h"
#include "tap.h"

int main(void)
{
	struct model m;
	struct target t = {.user = "azureuser", .host = "vm1.example", .address = "203.0.113.10", .port = 22};
	struct check c;
	char *text, *mem = NULL;
	size_t memlen = 0;
	cJSON *j, *comps, *v;
	FILE *f;

	model_init(&m, &t);
	for (int i = 0; i < CK_COUNT; i++) {
		check_init(&c, (enum check_id)i);
		check_set(&c, ST_OK, OUT_OK, "ok");
		model_set_check(&m, &c);
	}
	check_init(&c, CK_VM_BANNER);
	check_set(&c, ST_FAIL, OUT_NOT_SSH, "not SSH: \x1b]0;owned\x07\xe2\x80\xae" "evil");
	check_evidence(&c, "raw \x1b[2J bytes");
	model_set_check(&m, &c);
	m.done = true;
	m.elapsed_ms = 1234;
	diag_run(&m);

	text = report_json(&m);
	ok(text != NULL, "JSON produced");
	j = cJSON_ParseWithLength(text, strlen(text));
	ok(j != NULL, "JSON parses back");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(j, "schema")), "sshtriage/report/v1", "schema");
	ok(cJSON_IsNumber(cJSON_GetObjectItem(j, "elapsed_ms")) &&
	   cJSON_GetObjectItem(j, "elapsed_ms")->valuedouble == 1234, "elapsed_ms");
	ok(cJSON_IsFalse(cJSON_GetObjectItem(j, "reachable")), "reachable false");
	ok(cJSON_IsBool(cJSON_GetObjectItem(j, "handshake")), "handshake is a bool");
	ok(cJSON_IsNull(cJSON_GetObjectItem(j, "authenticated")) ||
	   cJSON_IsBool(cJSON_GetObjectItem(j, "authenticated")), "authenticated bool or null");
	v = cJSON_GetObjectItem(j, "verdict");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(v, "component")), "vm", "verdict component");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(v, "check")), "vm.banner", "verdict check");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(v, "confidence")), "proven", "verdict confidence");
	comps = cJSON_GetObjectItem(j, "components");
	ok(cJSON_GetArraySize(comps) == 5, "five components");
	{
		const char *order[] = {"client", "edge", "endpoint", "nsg", "vm"};

		for (int i = 0; i < 5; i++)
			is_str(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(comps, i), "id")),
			       order[i], "component %d in path order", i);
	}
	ok(cJSON_IsArray(cJSON_GetObjectItem(j, "remedies")), "remedies array present");
	ok(strchr(text, 0x1b) == NULL && strstr(text, "\\u001b") == NULL, "no ESC in the JSON");
	ok(strstr(text, "\xe2\x80\xae") == NULL, "no bidi override in the JSON");
	/* Check ids are <component>.<name> and sit under their component. */
	{
		int good = 1;
		cJSON *co;

		cJSON_ArrayForEach(co, comps) {
			const char *cid = cJSON_GetStringValue(cJSON_GetObjectItem(co, "id"));
			cJSON *ck;

			cJSON_ArrayForEach(ck, cJSON_GetObjectItem(co, "checks")) {
				const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(ck, "id"));

				good &= id && strncmp(id, cid, strlen(cid)) == 0 && id[strlen(cid)] == '.';
			}
		}
		ok(good, "every check id is prefixed by its component");
	}
	cJSON_Delete(j);
	free(text);

	f = open_memstream(&mem, &memlen);
	report_text(f, &m, true);
	fclose(f);
	ok(strstr(mem, "[FAIL]") != NULL, "text report marks the failure without colour");
	ok(strchr(mem, 0x1b) == NULL && strchr(mem, 0x07) == NULL, "text report has no escapes");
	ok(strstr(mem, "Verdict: vm") != NULL, "text verdict");
	free(mem);

	/* A working path: verdict null, reachable true. */
	model_init(&m, &t);
	for (int i = 0; i < CK_COUNT; i++) {
		check_init(&c, (enum check_id)i);
		check_set(&c, ST_OK, OUT_OK, "ok");
		model_set_check(&m, &c);
	}
	m.done = true;
	diag_run(&m);
	text = report_json(&m);
	j = cJSON_Parse(text);
	ok(cJSON_IsNull(cJSON_GetObjectItem(j, "verdict")), "verdict null when the path works");
	ok(cJSON_IsTrue(cJSON_GetObjectItem(j, "reachable")), "reachable true");
	cJSON_Delete(j);
	free(text);
	return tap_done();
}
