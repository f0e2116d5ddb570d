/* One harness for the pure parsers of answers from outside: the first byte picks the
 * parser, the rest is its input.  Each must end in a result or an error: no crash, no
 * leak, no read past the input (ASan), no undefined behaviour (UBSan). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "azure/bootlog.h"
#include "azure/retry.h"
#include "azure/runcmd.h"
#include "azure/sshdcfg.h"
#include "azure/token.h"
#include "azure/vmjson.h"
#include "probe/classify.h"

static const char *no_include(void *arg, const char *pattern, size_t *len)
{
	(void)arg;
	(void)pattern;
	(void)len;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in;
	char err[256], tok[TOKEN_MAX], *copy;
	size_t n;

	if (size < 1)
		return 0;
	in = (const char *)data + 1;
	n = size - 1;
	switch (data[0] % 7) {
	case 0: {
		static struct vm_info vi;

		vmjson_parse(in, n, &vi, err, sizeof(err));
		break;
	}
	case 1: {
		time_t exp;

		token_parse(in, n, 1000, tok, sizeof(tok), &exp, err, sizeof(err));
		break;
	}
	case 2: {
		struct runcmd_result r;

		if (runcmd_parse(in, n, &r, err, sizeof(err)) == 0) {
			runcmd_field(r.out, "PORTS", err, sizeof(err));
			runcmd_free(&r);
		}
		break;
	}
	case 3: {
		static struct bootlog_result r;

		bootlog_scan(in, n, &r);
		break;
	}
	case 4: {
		static struct sshd_cfg c;

		sshdcfg_parse(in, n, no_include, NULL, &c);
		sshdcfg_pubkey_offered(&c);
		sshdcfg_user_allowed(&c, "azureuser", err, sizeof(err));
		break;
	}
	case 5: {
		bool capped;
		long ms;

		copy = malloc(n + 1);
		memcpy(copy, in, n);
		copy[n] = '\0';
		ms = retry_after_ms(copy, 1000000, &capped);
		free(copy);
		if (ms < RETRY_AFTER_MIN_MS || ms > RETRY_AFTER_MAX_MS)
			abort();
		break;
	}
	default: {
		struct banner_obs o = {in, n, n % 2, n % 3 == 0, n % 5 == 0, (long)(n % 3000), (long)n};
		const char *line;
		size_t ll;

		classify_banner(&o, &line, &ll);
		if (line && (line < in || line + ll > in + n))
			abort();
		banner_complete(in, n);
		copy = malloc(n + 1);
		memcpy(copy, in, n);
		copy[n] = '\0';
		classify_session(n % 256 - 1, copy, "tok");
		classify_vantage(copy);
		classify_nft_output_block(copy, 22, err, sizeof(err));
		free(copy);
		break;
	}
	}
	return 0;
}
