#include "config.h"

#include <string.h>

#include "azure/bootlog.h"

static const struct {
	enum bootlog_sig sig;
	const char *needle;
} signatures[] = {
	{BOOTLOG_EMERGENCY, "You are in emergency mode"},
	{BOOTLOG_EMERGENCY, "Welcome to emergency mode"},
	{BOOTLOG_EMERGENCY, "You are in rescue mode"},
	{BOOTLOG_FSTAB, "Dependency failed for Local File Systems"},
	{BOOTLOG_FSTAB, "Failed to mount "},
	{BOOTLOG_FSTAB, "Timed out waiting for device"},
	{BOOTLOG_PANIC, "Kernel panic - not syncing"},
	{BOOTLOG_DISK_FULL, "No space left on device"},
	{BOOTLOG_SSHD, "Failed to start OpenBSD Secure Shell server"},
	{BOOTLOG_SSHD, "Failed to start ssh.service"},
	{BOOTLOG_SSHD, "Failed to start sshd.service"},
	{BOOTLOG_SSHD, "sshd: no hostkeys available"},
	{BOOTLOG_SSHD, "ssh.service: Main process exited, code=exited, status=255"},
};

static const char *const sig_names[BOOTLOG_SIG_COUNT] = {
	"emergency_mode", "fstab_mount", "kernel_panic", "disk_full", "sshd_failed",
};

static const char *const sig_titles[BOOTLOG_SIG_COUNT] = {
	"emergency mode", "fstab mount failed", "kernel panic", "disk full", "sshd failed",
};

const char *bootlog_sig_name(enum bootlog_sig s)
{
	return s < BOOTLOG_SIG_COUNT ? sig_names[s] : "?";
}

const char *bootlog_sig_title(enum bootlog_sig s)
{
	return s < BOOTLOG_SIG_COUNT ? sig_titles[s] : "?";
}

void bootlog_keep(struct model *m, const char *data, size_t len, const struct bootlog_result *r)
{
	model_boot_log_set(m, data, len);
	/* the worst first (the enum's order), so a short status line still names it */
	for (int s = 0; s < BOOTLOG_SIG_COUNT; s++)
		for (int i = 0; i < r->n_hits; i++)
			if (r->hits[i].sig == (enum bootlog_sig)s)
				model_boot_log_hit(m, r->hits[i].line, bootlog_sig_title(r->hits[i].sig));
}

static bool contains(const char *line, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (line[i] == needle[0] && memcmp(line + i, needle, k) == 0)
			return true;
	return false;
}

static void copy_line(char *dst, const char *line, size_t n)
{
	if (n >= BOOTLOG_LINE_MAX)
		n = BOOTLOG_LINE_MAX - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = line[i] ? line[i] : '?';
	dst[n] = '\0';
}

void bootlog_scan(const char *data, size_t len, struct bootlog_result *r)
{
	const char *p = data, *end = data + len;
	bool in_block = false;
	int n_block = 0;
	char block[BOOTLOG_FP_MAX][BOOTLOG_LINE_MAX];

	memset(r, 0, sizeof(*r));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		r->lines++;
		if (n && p[n - 1] == '\r')
			n--;
		if (contains(p, n, "-----BEGIN SSH HOST KEY FINGERPRINTS-----")) {
			in_block = true;
			n_block = 0;
		} else if (in_block && contains(p, n, "-----END SSH HOST KEY FINGERPRINTS-----")) {
			in_block = false;
			/* the last complete block wins: a later boot printed newer keys */
			r->n_fp = n_block;
			memcpy(r->fp, block, sizeof(block));
		} else if (in_block && n_block < BOOTLOG_FP_MAX && contains(p, n, "SHA256:")) {
			/* cloud-init prefixes "ec2: " or a timestamp; keep from the key size on */
			const char *s = p;
			size_t m = n;
			const char *sha = NULL;

			for (size_t i = 0; i + 7 <= n; i++)
				if (memcmp(p + i, "SHA256:", 7) == 0) {
					sha = p + i;
					break;
				}
			while (sha && sha > p && sha[-1] == ' ')
				sha--;
			while (sha && sha > p && sha[-1] >= '0' && sha[-1] <= '9')
				sha--;
			if (sha) {
				m = n - (size_t)(sha - p);
				s = sha;
			}
			copy_line(block[n_block++], s, m);
		}
		for (size_t i = 0; i < sizeof(signatures) / sizeof(signatures[0]); i++) {
			if (!contains(p, n, signatures[i].needle))
				continue;
			r->count[signatures[i].sig]++;
			if (r->n_hits < BOOTLOG_HITS_MAX) {
				struct bootlog_hit *h = &r->hits[r->n_hits++];

				h->sig = signatures[i].sig;
				h->line = r->lines;
				copy_line(h->text, p, n);
			}
			break;   /* one signature per line */
		}
		p = nl ? nl + 1 : end;
	}
	r->fp_unterminated = in_block;
}
