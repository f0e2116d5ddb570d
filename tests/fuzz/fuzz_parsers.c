/* One harness for the pure parsers of answers from outside: the first byte picks the
 * parser, the rest is its input.  Each must end in a result or an error: no crash, no
 * leak, no read past the input (ASan), no undefined behaviour (UBSan). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "azure/bootlog.h"
#include "azure/guest.h"
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

static void fuzz_guest(const char *in, size_t n)
{
	static struct guest_facts g;
	static char script[GUEST_SCRIPT_MAX];
	char why[256], user[48];
	int ports[GUEST_PORTS_MAX], len;
	size_t un = n < sizeof(user) - 1 ? n : sizeof(user) - 1;

	guest_parse(in, n, &g);
	if (g.n_hostkeys > GUEST_HOSTKEYS_MAX || g.n_fw > GUEST_PORTS_MAX || g.n_listen > GUEST_LISTEN_MAX ||
	    g.complete != (g.begun && g.ended) || strlen(g.sshd_test_err) >= sizeof(g.sshd_test_err) ||
	    strlen(g.user_name) > GUEST_USER_MAX)
		abort();
	guest_strictmodes_bad(&g, NULL, why, sizeof(why));
	guest_strictmodes_bad(&g, "azureuser", why, sizeof(why));
	guest_shell_nologin(&g);
	guest_disk_full(&g, why, sizeof(why));
	guest_listens(&g, 22);
	guest_fw_port(&g, 22);
	if (g.n_hostkeys && !guest_hostkey_has(&g, g.hostkeys[0].fp))
		abort();
	/* the input as a user name: the script is built only for a valid one */
	memcpy(user, in, un);
	user[un] = '\0';
	for (int i = 0; i < GUEST_PORTS_MAX; i++)
		ports[i] = i < (int)n ? (unsigned char)in[i] * 257 : 22;
	len = guest_script(user, ports, (int)(n % (GUEST_PORTS_MAX + 1)), script, sizeof(script));
	if (len >= 0 && (strchr(user, '\'') || strchr(user, '\n') || (size_t)len != strlen(script)))
		abort();
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
	/* 'G' starts no seed of the parsers below, so the guest facts need no new modulo
	 * (which would send every seed to another parser) */
	if (data[0] == 'G') {
		fuzz_guest(in, n);
		return 0;
	}
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
