/* fuzz_runcmd: the Run Command answer (Linux "[stdout]/[stderr]" message, Windows
 * StdOut/StdErr statuses, or an Azure-AsyncOperation status body holding it), the same
 * answer taken out of the status body by netjson_async_status as cloud.c does, and the
 * KEY=value reader the guest scripts' output goes through.
 *
 * Properties: no crash, leak or over-read; a failure leaves a message and nothing owned; a
 * result has its code, both streams NUL-terminated at their stated length and within
 * RUNCMD_OUT_MAX; runcmd_field's value is terminated, fits, holds no line break and is what
 * follows "KEY=" on some line. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "azure/netjson.h"
#include "azure/runcmd.h"
#include "fuzz.h"

static void field(const char *text, const char *key, size_t vallen)
{
	char val[64];
	size_t k = strlen(key);
	bool found;

	memset(val, 'x', sizeof(val));
	found = runcmd_field(text, key, val, vallen);
	if (!found)
		return;
	if (!memchr(val, '\0', vallen) || strcspn(val, "\r\n") != strlen(val))
		abort();
	/* the value is the start of what follows "KEY=" at the start of a line */
	for (const char *p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, k) == 0 && p[k] == '=' && strncmp(p + k + 1, val, strlen(val)) == 0)
			return;
	abort();
}

static void fields(const char *text, size_t len)
{
	static const char *const keys[] = {"PORTS", "GUEST_END", "SSHD_LISTEN", "A"};
	char key[16];
	size_t kn = strcspn(text, "=\n");

	if (strlen(text) != len)
		abort();
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		field(text, keys[i], 64);
		field(text, keys[i], 1);
	}
	/* the first line's own key, so the fuzzer need not guess one */
	if (kn > 0 && kn < sizeof(key) && text[kn] == '=') {
		memcpy(key, text, kn);
		key[kn] = '\0';
		field(text, key, 8);
	}
}

static void parse(const char *in, size_t size)
{
	struct runcmd_result r;
	char err[256] = "";
	int rc;

	memset(&r, 'x', sizeof(r));
	rc = runcmd_parse(in, size, &r, err, sizeof(err));
	fuzz_check_err(rc < 0, err, sizeof(err));
	if (rc < 0) {
		if (r.out || r.err)
			abort();
		return;
	}
	if (!r.out || !r.err || r.code[0] == '\0' || !memchr(r.code, '\0', sizeof(r.code)) ||
	    r.out_len > RUNCMD_OUT_MAX || r.err_len > RUNCMD_OUT_MAX)
		abort();
	fields(r.out, r.out_len);
	fields(r.err, r.err_len);
	runcmd_free(&r);
	if (r.out || r.err)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_copy(data, size), *text = fuzz_cstr(data, size), *output = NULL, err[256] = "";
	struct netjson_async as;
	size_t olen = 0;

	parse(in, size);
	if (netjson_async_status(in, size, &as, &output, &olen, err, sizeof(err)) == 0 && output) {
		char *exact = fuzz_copy((const uint8_t *)output, olen);

		parse(exact, olen);
		free(exact);
	}
	free(output);
	fields(text, strlen(text));
	free(text);
	free(in);
	return 0;
}
