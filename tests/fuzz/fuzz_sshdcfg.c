/* fuzz_sshdcfg: the sshd_config reader, with Include.
 *
 * The Include callback answers from the input itself: a pattern starting with 's' includes
 * the whole input again (a loop: the depth limit must end it), one starting with 'm' a fixed
 * file that opens a Match block (which must end with that file), others nothing.
 *
 * Properties: no crash, leak, over-read or stack overflow; the lists keep their bounds;
 * ports are 1..65535 and sshdcfg_ports gives 22 when none is set; the tri-state settings are
 * unset, yes or no; every text field is NUL-terminated; an error count means a first error
 * is said; the user checks always fill their reason. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "azure/sshdcfg.h"
#include "fuzz.h"

struct src {
	const char *text;
	size_t len;
};

static const char match_file[] = "Match User nobody\nPasswordAuthentication yes\nPort 2200\n";

static const char *include(void *arg, const char *pattern, size_t *len)
{
	const struct src *s = arg;

	if (pattern[0] == 's') {
		*len = s->len;
		return s->text;
	}
	if (pattern[0] == 'm') {
		*len = sizeof(match_file) - 1;
		return match_file;
	}
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sshd_cfg c;
	static const char *const users[] = {"azureuser", "root", ""};
	struct src s = {fuzz_copy(data, size), size};
	int ports[SSHDCFG_PORTS_MAX], n;
	char why[256];

	for (int pass = 0; pass < 2; pass++) {
		sshdcfg_parse(s.text, s.len, pass ? include : NULL, &s, &c);
		if (c.n_ports < 0 || c.n_ports > SSHDCFG_PORTS_MAX || c.n_listen < 0 ||
		    c.n_listen > SSHDCFG_PORTS_MAX || c.n_match < 0 || c.errors < 0)
			abort();
		for (int i = 0; i < c.n_ports; i++)
			if (c.ports[i] < 1 || c.ports[i] > 65535)
				abort();
		for (int i = 0; i < c.n_listen; i++)
			FUZZ_STR(c.listen[i]);
		fuzz_check_tri(c.pubkey);
		fuzz_check_tri(c.password);
		fuzz_check_tri(c.strict_modes);
		FUZZ_STR(c.permit_root);
		FUZZ_STR(c.allow_users);
		FUZZ_STR(c.deny_users);
		FUZZ_STR(c.allow_groups);
		FUZZ_STR(c.deny_groups);
		FUZZ_STR(c.auth_methods);
		FUZZ_STR(c.authorized_keys_file);
		FUZZ_STR(c.first_error);
		if ((c.errors > 0) != (c.first_error[0] != '\0') || (c.include_loop && !c.errors))
			abort();
		if (!pass && c.include_loop)
			abort();
		n = sshdcfg_ports(&c, ports, SSHDCFG_PORTS_MAX);
		if (n < 1 || n > SSHDCFG_PORTS_MAX || (c.n_ports == 0 && ports[0] != 22))
			abort();
		for (int i = 0; i < n; i++)
			if (ports[i] != (c.n_ports ? c.ports[i] : 22))
				abort();
		if (c.pubkey == SSHDCFG_NO && sshdcfg_pubkey_offered(&c))
			abort();
		for (size_t u = 0; u < sizeof(users) / sizeof(users[0]); u++) {
			bool ok;

			memset(why, 'x', sizeof(why));
			ok = sshdcfg_user_allowed(&c, users[u], why, sizeof(why));
			FUZZ_STR(why);
			if (!ok && why[0] == '\0')
				abort();
		}
	}
	free((char *)s.text);
	return 0;
}
