#include "config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azure/netjson.h"
#include "azure/runcmd.h"

static char *dup_bounded(const char *s, size_t n, size_t *len)
{
	char *d;

	if (n > RUNCMD_OUT_MAX)
		n = RUNCMD_OUT_MAX;
	d = malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	*len = n;
	return d;
}

/* Splits "...[stdout]\n<out>\n[stderr]\n<err>" into its two streams. */
static int split_linux(const char *msg, struct runcmd_result *r)
{
	const char *o = strstr(msg, "[stdout]\n"), *e = strstr(msg, "[stderr]\n");
	const char *oend;

	if (!o && !e)
		return -1;
	if (o) {
		o += 9;
		oend = e && e > o ? e : o + strlen(o);
		if (oend > o && oend[-1] == '\n')
			oend--;
		r->out = dup_bounded(o, (size_t)(oend - o), &r->out_len);
	}
	if (e) {
		e += 9;
		r->err = dup_bounded(e, strlen(e), &r->err_len);
	}
	return 0;
}

int runcmd_parse(const char *json, size_t len, struct runcmd_result *r, char *errmsg, size_t errlen)
{
	char why[NETJSON_ERR_LEN];
	/* strict: a status code given twice must not make a failed run read as succeeded */
	cJSON *root = netjson_parse_strict(json, len, why, sizeof(why));
	const cJSON *output = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(root, "properties"), "output");
	const cJSON *value, *s;
	int rc = -1;

	/* an Azure-AsyncOperation status body carries the answer in properties.output */
	value = cJSON_GetObjectItemCaseSensitive(cJSON_IsObject(output) ? output : root, "value");

	memset(r, 0, sizeof(*r));
	if (!root) {
		snprintf(errmsg, errlen, "the Run Command answer is unusable: %s", why);
		goto out;
	}
	if (!cJSON_IsArray(value) || cJSON_GetArraySize(value) == 0) {
		snprintf(errmsg, errlen, "the Run Command answer has no statuses");
		goto out;
	}
	cJSON_ArrayForEach(s, value) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(s, "code");
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(s, "message");
		const char *m = cJSON_IsString(msg) ? msg->valuestring : "";

		if (!cJSON_IsString(code))
			continue;
		if (!r->code[0])
			snprintf(r->code, sizeof(r->code), "%.95s", code->valuestring);
		if (strstr(code->valuestring, "succeeded"))
			r->succeeded = true;
		if (strstr(code->valuestring, "/StdOut/") && !r->out)
			r->out = dup_bounded(m, strlen(m), &r->out_len);
		else if (strstr(code->valuestring, "/StdErr/") && !r->err)
			r->err = dup_bounded(m, strlen(m), &r->err_len);
		else if (!r->out && !r->err)
			split_linux(m, r);
	}
	if (!r->code[0]) {
		snprintf(errmsg, errlen, "the Run Command answer has no status code");
		goto out;
	}
	if (!r->out)
		r->out = dup_bounded("", 0, &r->out_len);
	if (!r->err)
		r->err = dup_bounded("", 0, &r->err_len);
	if (!r->out || !r->err) {
		snprintf(errmsg, errlen, "out of memory");
		goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		runcmd_free(r);
	cJSON_Delete(root);
	return rc;
}

void runcmd_free(struct runcmd_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
	r->out_len = r->err_len = 0;
}

bool runcmd_field(const char *text, const char *key, char *val, size_t vallen)
{
	size_t k = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, key, k) == 0 && p[k] == '=') {
			size_t n = strcspn(p + k + 1, "\r\n");

			if (n >= vallen)
				n = vallen - 1;
			memcpy(val, p + k + 1, n);
			val[n] = '\0';
			return true;
		}
	}
	return false;
}
