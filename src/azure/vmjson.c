#include "config.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "azure/netjson.h"
#include "azure/vmjson.h"

static void copy_str(char *dst, size_t len, const cJSON *v)
{
	dst[0] = '\0';
	if (cJSON_IsString(v) && v->valuestring)
		snprintf(dst, len, "%.*s", (int)(len - 1), v->valuestring);
}

/* statuses[] of an instance view: "ProvisioningState/x", "PowerState/y". */
static void read_statuses(const cJSON *iv, struct vm_info *vi)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(iv, "statuses"), *s;
	const cJSON *agent = cJSON_GetObjectItemCaseSensitive(iv, "vmAgent");

	if (cJSON_IsArray(st))
		cJSON_ArrayForEach(s, st) {
			const cJSON *code = cJSON_GetObjectItemCaseSensitive(s, "code");

			if (!cJSON_IsString(code) || strncmp(code->valuestring, "PowerState/", 11) != 0)
				continue;
			snprintf(vi->power, sizeof(vi->power), "%.*s", (int)sizeof(vi->power) - 1,
				 code->valuestring + 11);
			copy_str(vi->power_display, sizeof(vi->power_display),
				 cJSON_GetObjectItemCaseSensitive(s, "displayStatus"));
		}
	st = cJSON_GetObjectItemCaseSensitive(agent, "statuses");
	if (cJSON_IsArray(st) && cJSON_GetArraySize(st) > 0)
		copy_str(vi->agent, sizeof(vi->agent),
			 cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(st, 0), "displayStatus"));
}

int vmjson_parse(const char *json, size_t len, struct vm_info *vi, char *err, size_t errlen)
{
	char why[NETJSON_ERR_LEN];
	cJSON *o = netjson_parse_strict(json, len, why, sizeof(why));
	const cJSON *props, *nics, *n, *boot, *en;

	memset(vi, 0, sizeof(*vi));
	vi->boot_diagnostics = -1;
	if (!o) {
		/* an ambiguous answer is no fact: a duplicated power state must not decide */
		snprintf(err, errlen, "the VM answer is unusable: %s", why);
		return -1;
	}
	props = cJSON_GetObjectItemCaseSensitive(o, "properties");
	if (cJSON_IsObject(props)) {
		copy_str(vi->name, sizeof(vi->name), cJSON_GetObjectItemCaseSensitive(o, "name"));
		copy_str(vi->location, sizeof(vi->location), cJSON_GetObjectItemCaseSensitive(o, "location"));
		copy_str(vi->provisioning, sizeof(vi->provisioning),
			 cJSON_GetObjectItemCaseSensitive(props, "provisioningState"));
		nics = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(props, "networkProfile"),
							"networkInterfaces");
		if (cJSON_IsArray(nics))
			cJSON_ArrayForEach(n, nics) {
				const cJSON *id = cJSON_GetObjectItemCaseSensitive(n, "id");

				if (vi->n_nics < VMJSON_NICS_MAX && cJSON_IsString(id))
					copy_str(vi->nics[vi->n_nics++], VMJSON_ID, id);
			}
		read_statuses(cJSON_GetObjectItemCaseSensitive(props, "instanceView"), vi);
		boot = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(props, "diagnosticsProfile"), "bootDiagnostics");
		en = cJSON_GetObjectItemCaseSensitive(boot, "enabled");
		vi->boot_diagnostics = cJSON_IsBool(en) ? cJSON_IsTrue(en) : -1;
	} else if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "statuses"))) {
		read_statuses(o, vi);   /* GET VM/instanceView */
	} else {
		snprintf(err, errlen, "the answer is neither a virtual machine nor an instance view");
		cJSON_Delete(o);
		return -1;
	}
	cJSON_Delete(o);
	return 0;
}

/* It becomes a request line: no room for a space, CR, LF or any other control byte. */
static bool url_chars_ok(const char *u)
{
	for (; *u; u++)
		if ((unsigned char)*u <= ' ' || *u == 0x7f)
			return false;
	return true;
}

int vmjson_boot_log_uri(const char *json, size_t len, char *out, size_t outlen, char *err,
			size_t errlen)
{
	char why[NETJSON_ERR_LEN];
	cJSON *o = netjson_parse_strict(json, len, why, sizeof(why));
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(o, "serialConsoleLogBlobUri");
	int rc = -1;

	out[0] = '\0';
	if (!o)
		snprintf(err, errlen, "the boot diagnostics answer is unusable: %s", why);
	else if (!cJSON_IsString(u) || !u->valuestring[0])
		snprintf(err, errlen, "the answer has no serialConsoleLogBlobUri");
	else if (strlen(u->valuestring) >= outlen)
		snprintf(err, errlen, "serialConsoleLogBlobUri is too long");
	else if (strncmp(u->valuestring, "https://", 8) != 0)
		snprintf(err, errlen, "serialConsoleLogBlobUri is not an https URL");
	else if (!url_chars_ok(u->valuestring))
		snprintf(err, errlen, "serialConsoleLogBlobUri holds a space or a control character");
	else {
		snprintf(out, outlen, "%s", u->valuestring);
		rc = 0;
	}
	cJSON_Delete(o);
	return rc;
}
