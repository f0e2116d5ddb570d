/* client.update_known_host's pure parts: the carried key, the host's name in known_hosts,
 * the entry line, ssh-keygen -F output, and the trust decision. */
#include "config.h"

#include <stdarg.h>

#include "core/diag.h"
#include "core/knownhost.h"
#include "tap.h"

#define ED "AAAAC3NzaC1lZDI1NTE5AAAAIFs2cnldrtj2PCAFrNZcTqJL9gOBq3WUe9CRhRgAW+Yc"

static void test_split(void)
{
	char type[KH_TYPE_LEN], b64[2048], small[20];

	ok(kh_key_split("ssh-ed25519 " ED, type, sizeof(type), b64, sizeof(b64)), "ed25519 key splits");
	is_str(type, "ssh-ed25519", "its type");
	is_str(b64, ED, "its base64");
	ok(kh_key_split("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY=", type, sizeof(type),
			b64, sizeof(b64)), "padding at the end is fine");
	ok(!kh_key_split("", type, sizeof(type), b64, sizeof(b64)), "empty: no key");
	ok(!kh_key_split("ssh-ed25519", type, sizeof(type), b64, sizeof(b64)), "type alone: no key");
	ok(!kh_key_split("ssh-ed25519  " ED, type, sizeof(type), b64, sizeof(b64)), "two spaces: no");
	ok(!kh_key_split("ssh-ed25519 " ED " comment", type, sizeof(type), b64, sizeof(b64)),
	   "a trailing comment: no");
	ok(!kh_key_split("ssh-ed25519 " ED "\n", type, sizeof(type), b64, sizeof(b64)), "a newline: no");
	ok(!kh_key_split("ssh-ed25519 AAAA=AAAAAAAAAAAAAAAAAAAAAAAA", type, sizeof(type), b64,
			 sizeof(b64)), "'=' inside: no");
	ok(!kh_key_split("SSH-ED25519 " ED, type, sizeof(type), b64, sizeof(b64)), "upper-case type: no");
	ok(!kh_key_split("ssh\x1b[31m " ED, type, sizeof(type), b64, sizeof(b64)), "escape in type: no");
	ok(!kh_key_split("ssh-ed25519 AAAAC3Nz", type, sizeof(type), b64, sizeof(b64)), "too short: no");
	ok(!kh_key_split("ssh-ed25519 " ED, type, sizeof(type), small, sizeof(small)),
	   "does not fit: no");
}

static void test_pattern(void)
{
	char out[300];

	ok(kh_host_pattern("203.0.113.10", 22, out, sizeof(out)), "IPv4, port 22");
	is_str(out, "203.0.113.10", "plain on port 22");
	ok(kh_host_pattern("VM1.Lab.Test", 2222, out, sizeof(out)), "name, port 2222");
	is_str(out, "[vm1.lab.test]:2222", "bracketed with the port, lower case");
	ok(kh_host_pattern("2001:db8::1", 22, out, sizeof(out)), "IPv6");
	is_str(out, "2001:db8::1", "IPv6 on 22 as is");
	ok(!kh_host_pattern("-oProxyCommand=x", 22, out, sizeof(out)), "a leading '-' is refused");
	ok(!kh_host_pattern("a b", 22, out, sizeof(out)), "a space is refused");
	ok(!kh_host_pattern("*.example", 22, out, sizeof(out)), "a wildcard is refused");
	ok(!kh_host_pattern("a,b", 22, out, sizeof(out)), "a comma is refused");
	ok(!kh_host_pattern("|1|x", 22, out, sizeof(out)), "a hash marker is refused");
	ok(!kh_host_pattern("", 22, out, sizeof(out)), "empty is refused");
	ok(!kh_host_pattern("h", 0, out, sizeof(out)), "port 0 is refused");
	ok(!kh_host_pattern("host.example", 2222, out, 8), "does not fit: refused");
}

static void test_entry(void)
{
	char line[400];

	ok(kh_entry_line("[h]:2222", "ssh-ed25519", ED, line, sizeof(line)) == 0, "entry built");
	is_str(line, "[h]:2222 ssh-ed25519 " ED, "pattern, type, key");
	ok(kh_entry_line("h", "ssh-ed25519", ED, line, 20) == -1, "does not fit: -1");
}

static void test_found(void)
{
	int lines[4], kept, n;

	n = kh_found_lines("# Host 1.2.3.4 found: line 1 \n1.2.3.4 ssh-ed25519 AAAA\n"
			   "# Host 1.2.3.4 found: line 9 \n|1|abc|def ssh-ed25519 AAAA\n"
			   "# Host 1.2.3.4 found: line 12 REVOKED\n@revoked 1.2.3.4 ssh-rsa AAAA\n"
			   "# Host 1.2.3.4 found: line 13 CA\n", lines, 4, &kept);
	ok(n == 2 && lines[0] == 1 && lines[1] == 9, "two entries, lines 1 and 9 (%d)", n);
	ok(kept == 2, "the @revoked and @cert-authority lines stay (%d)", kept);
	n = kh_found_lines("", lines, 4, &kept);
	ok(n == 0 && kept == 0, "nothing found");
	n = kh_found_lines("# Host x found: line 1\n# Host x found: line 2\n# Host x found: line 3\n",
			   lines, 2, &kept);
	ok(n == 2, "at most max");
	n = kh_found_lines("x # Host h found: line 5\n# Host h found: line 0\n# Host h found: line -3\n"
			   "# Host h found: line x\n", lines, 4, &kept);
	ok(n == 0, "not at a line start, zero, negative or no number: none");
}

static void host_key_check(struct check *c, enum check_id id, int n, ...)
{
	va_list ap;

	check_init(c, id);
	check_set(c, ST_OK, OUT_OK, "%d host key(s) read inside the VM (out of band)", n);
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		check_evidence(c, "%s", va_arg(ap, const char *));
	va_end(ap);
}

static void test_verify(void)
{
	char oob[CHECK_EVIDENCE_MAX][KH_FP_LEN], text[1400];
	struct check c;
	int n;

	host_key_check(&c, CK_VM_HOST_KEY, 3, "ED25519 SHA256:vmed25519fp", "no fingerprint here",
		       "ECDSA SHA256:vmecdsafp");
	n = kh_oob_fps(&c, oob, CHECK_EVIDENCE_MAX);
	ok(n == 2, "two fingerprints in the evidence (%d)", n);
	is_str(oob[1], "SHA256:vmecdsafp", "the second one");
	ok(kh_oob_fps(NULL, oob, 4) == 0, "no source: none");
	ok(kh_verify("SHA256:vmecdsafp", "SHA256:vmecdsafp", oob, n) == KH_OK, "network = VM: trust");
	ok(kh_verify("SHA256:other", "SHA256:other", oob, n) == KH_MISMATCH,
	   "network is not the VM's: interception");
	ok(kh_verify("SHA256:vmecdsafp", "SHA256:vmed25519fp", oob, n) == KH_KEY_NOT_SEEN,
	   "the carried key is not the one the probe showed: refused");
	ok(kh_verify("SHA256:vmecdsafp", "", oob, n) == KH_KEY_NOT_SEEN, "no network fingerprint");
	ok(kh_verify("SHA256:vmecdsafp", "SHA256:vmecdsafp", oob, 0) == KH_NO_OOB,
	   "nothing read out of band: refused");
	ok(kh_verify("", "SHA256:x", oob, n) == KH_NO_KEY, "no key");
	ok(kh_verify("MD5:aa", "MD5:aa", oob, n) == KH_NO_KEY, "not a SHA256 fingerprint");
	ok(kh_verify("SHA256:vmecdsaf", "SHA256:vmecdsaf", oob, n) == KH_MISMATCH,
	   "a prefix of the VM's is not the VM's");
	kh_describe("SHA256:netfp", &c, text, sizeof(text));
	is_str(text, "the network presents SHA256:netfp; the VM's own keys, read out of band (Run "
	       "Command): ED25519 SHA256:vmed25519fp, ECDSA SHA256:vmecdsafp", "both sides in a line");
	host_key_check(&c, CK_VM_BOOT_LOG, 0);
	kh_describe("", &c, text, sizeof(text));
	is_str(text, "the network presents no key; the VM's own keys, read out of band (boot log): "
	       "none", "nothing on either side");
	for (int v = KH_OK; v <= KH_MISMATCH; v++)
		ok(kh_verdict_text((enum kh_verdict)v)[0] != '?', "verdict %d has words", v);
}

int main(void)
{
	test_split();
	test_pattern();
	test_entry();
	test_found();
	test_verify();
	return tap_done();
}
