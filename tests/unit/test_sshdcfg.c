#include "config.h"

#include <stdlib.h>

#include "azure/sshdcfg.h"
#include "tap.h"

static void parse(const char *t, struct sshd_cfg *c)
{
	sshdcfg_parse(t, strlen(t), NULL, NULL, c);
}

/* Included files by name; "loop.conf" includes itself. */
static const char *inc(void *arg, const char *pattern, size_t *len)
{
	const char *t = NULL;

	(void)arg;
	if (!strcmp(pattern, "/etc/ssh/sshd_config.d/*.conf"))
		t = "PasswordAuthentication no\nPort 2222\n";
	else if (!strcmp(pattern, "loop.conf"))
		t = "Include loop.conf\n";
	else if (!strcmp(pattern, "fan.conf"))
		t = "Include fan.conf fan.conf fan.conf fan.conf\nPort 2\n";
	else if (!strcmp(pattern, "match.conf"))
		t = "Match User bob\nPubkeyAuthentication no\n";
	if (t)
		*len = strlen(t);
	return t;
}

int main(void)
{
	static struct sshd_cfg c;
	int ports[8], n;
	char why[300];

	parse("", &c);
	n = sshdcfg_ports(&c, ports, 8);
	ok(n == 1 && ports[0] == 22, "no Port: 22");
	ok(sshdcfg_pubkey_offered(&c), "defaults offer publickey");
	ok(c.errors == 0, "empty is valid");

	parse("Port 22\nPort 2222\r\nport=443\n", &c);
	n = sshdcfg_ports(&c, ports, 8);
	ok(n == 3 && ports[1] == 2222 && ports[2] == 443, "Port accumulates; CRLF and '=' accepted");

	parse("PubkeyAuthentication no\nPubkeyAuthentication yes\n", &c);
	ok(!sshdcfg_pubkey_offered(&c), "first value wins");
	parse("AuthenticationMethods password\n", &c);
	ok(!sshdcfg_pubkey_offered(&c), "AuthenticationMethods without publickey");
	parse("AuthenticationMethods publickey,password\n", &c);
	ok(sshdcfg_pubkey_offered(&c), "AuthenticationMethods with publickey");

	parse("Match User alice\n  PubkeyAuthentication no\n  Port 9\n", &c);
	ok(sshdcfg_pubkey_offered(&c) && c.n_ports == 0 && c.n_match == 1,
	   "settings in a Match block are not global");

	parse("AllowUsers admin ops@10.0.0.*\n", &c);
	ok(!sshdcfg_user_allowed(&c, "azureuser", why, sizeof(why)) && strstr(why, "AllowUsers"),
	   "AllowUsers without the user");
	ok(sshdcfg_user_allowed(&c, "ops", why, sizeof(why)), "user@host pattern counts for the user");
	parse("DenyUsers azure*\n", &c);
	ok(!sshdcfg_user_allowed(&c, "azureuser", why, sizeof(why)) && strstr(why, "DenyUsers"),
	   "DenyUsers wildcard");

	parse("Port\nPubkeyAuthentication maybe\nPort 70000\n", &c);
	ok(c.errors == 3 && strstr(c.first_error, "line 1"), "broken lines are counted, first named");

	sshdcfg_parse("Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication yes\n",
		      strlen("Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication yes\n"),
		      inc, NULL, &c);
	ok(c.password == SSHDCFG_NO && c.n_ports == 1 && c.ports[0] == 2222,
	   "Include is read in place (Debian's sshd_config.d comes first)");
	sshdcfg_parse("Include loop.conf\n", 18, inc, NULL, &c);
	ok(c.include_loop && c.errors >= 1, "recursive Include ends and is reported");
	sshdcfg_parse("Include fan.conf\n", 17, inc, NULL, &c);
	ok(c.include_loop && c.n_include == SSHDCFG_INCLUDE_MAX && c.errors >= 1,
	   "an Include fanning out at every level ends too (fuzz_sshdcfg: 4^8 files before)");
	sshdcfg_parse("Include match.conf\nPort 2200\n", 29, inc, NULL, &c);
	ok(c.n_ports == 1 && c.ports[0] == 2200 && c.pubkey == SSHDCFG_UNSET,
	   "a Match in an included file ends with that file");

	{
		size_t big = 1 << 20;
		char *t = malloc(big + 32);

		memset(t, 'x', big);
		strcpy(t + big, "\nPort 2022\n");
		parse(t, &c);
		ok(c.errors == 1 && c.n_ports == 1 && c.ports[0] == 2022, "a 1 MB line is skipped, the rest read");
		free(t);
	}
	parse("StrictModes no\nAuthorizedKeysFile .ssh/authorized_keys .ssh/authorized_keys2\n", &c);
	ok(c.strict_modes == SSHDCFG_NO, "StrictModes");
	is_str(c.authorized_keys_file, ".ssh/authorized_keys .ssh/authorized_keys2", "AuthorizedKeysFile");
	return tap_done();
}
