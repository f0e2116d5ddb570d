#include "config.h"

#include <stdlib.h>

#include "azure/bootlog.h"
#include "tap.h"

static void scan(const char *s, struct bootlog_result *r)
{
	bootlog_scan(s, strlen(s), r);
}

int main(void)
{
	static struct bootlog_result r;
	const char *healthy =
		"[    0.000000] Linux version 6.1.0-13-cloud-amd64\n"
		"[  OK  ] Started ssh.service - OpenBSD Secure Shell server.\n"
		"ci-info: no authorized SSH keys fingerprints found for user root.\n"
		"<14>Nov 22 03:00:01 ec2: \n"
		"<14>Nov 22 03:00:01 ec2: #############################################################\n"
		"<14>Nov 22 03:00:01 ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----\n"
		"<14>Nov 22 03:00:01 ec2: 256 SHA256:AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIIIjjjjKKK root@vm1 (ECDSA)\r\n"
		"<14>Nov 22 03:00:01 ec2: 256 SHA256:ZZZZyyyyXXXXwwwwVVVVuuuuTTTTssssRRRRqqqqPPP root@vm1 (ED25519)\n"
		"<14>Nov 22 03:00:01 ec2: -----END SSH HOST KEY FINGERPRINTS-----\n"
		"vm1 login: ";
	const char *emergency =
		"[FAILED] Failed to mount /data.\n"
		"[DEPEND] Dependency failed for Local File Systems.\n"
		"You are in emergency mode. After logging in, type \"journalctl -xb\" to view\n"
		"Cannot open access to console, the root account is locked.\n";

	scan(healthy, &r);
	ok(r.n_hits == 0, "a healthy boot matches no failure signature");
	ok(r.n_fp == 2 && !r.fp_unterminated, "two fingerprints in the cloud-init block");
	is_str(r.fp[0], "256 SHA256:AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIIIjjjjKKK root@vm1 (ECDSA)",
	       "prefix stripped, CR dropped");
	ok(strstr(r.fp[1], "(ED25519)") != NULL, "second fingerprint");

	scan(emergency, &r);
	ok(r.count[BOOTLOG_FSTAB] == 2, "fstab: failed mount and dependency");
	ok(r.count[BOOTLOG_EMERGENCY] == 1, "emergency mode");
	ok(r.n_hits == 3 && r.hits[2].line == 3, "hits carry line numbers");
	is_str(bootlog_sig_name(r.hits[2].sig), "emergency_mode", "signature name");

	scan("Kernel panic - not syncing: VFS: Unable to mount root fs\n", &r);
	ok(r.count[BOOTLOG_PANIC] == 1, "kernel panic");
	scan("sshd[612]: error: Bind to port 22 failed\nsshd: no hostkeys available -- exiting.\n"
	     "[FAILED] Failed to start ssh.service - OpenBSD Secure Shell server.\n", &r);
	ok(r.count[BOOTLOG_SSHD] == 2, "sshd failures");
	scan("cp: error writing 'x': No space left on device\n", &r);
	ok(r.count[BOOTLOG_DISK_FULL] == 1, "disk full");

	/* Two blocks: the later wins.  An unterminated third one is flagged and ignored. */
	scan("-----BEGIN SSH HOST KEY FINGERPRINTS-----\n256 SHA256:old root@x (ED25519)\n"
	     "-----END SSH HOST KEY FINGERPRINTS-----\n"
	     "-----BEGIN SSH HOST KEY FINGERPRINTS-----\n256 SHA256:new root@x (ED25519)\n"
	     "-----END SSH HOST KEY FINGERPRINTS-----\n"
	     "-----BEGIN SSH HOST KEY FINGERPRINTS-----\n256 SHA256:cut root@x (ED25519)\n", &r);
	ok(r.n_fp == 1 && strstr(r.fp[0], "SHA256:new"), "the last complete block wins");
	ok(r.fp_unterminated, "an unterminated block is flagged");

	/* Binary junk with NULs, no newline at all, and many hits. */
	{
		size_t n = 1 << 20;
		char *junk = malloc(n);

		for (size_t i = 0; i < n; i++)
			junk[i] = (char)(i * 131 + 7);
		bootlog_scan(junk, n, &r);
		ok(r.n_hits <= BOOTLOG_HITS_MAX, "1 MiB of binary: bounded");
		for (size_t i = 0; i + 30 < n; i += 60)
			memcpy(junk + i, "Kernel panic - not syncing\n\0\0\0", 30);
		bootlog_scan(junk, n, &r);
		ok(r.n_hits == BOOTLOG_HITS_MAX && r.count[BOOTLOG_PANIC] > BOOTLOG_HITS_MAX &&
		   strcmp(r.hits[0].text, "Kernel panic - not syncing") == 0,
		   "hits capped, counts complete");
		free(junk);
	}
	bootlog_scan("", 0, &r);
	ok(r.lines == 0 && r.n_hits == 0, "empty log");
	return tap_done();
}
