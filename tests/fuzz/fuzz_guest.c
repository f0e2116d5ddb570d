/* fuzz_guest: the guest facts reader (the stdout of guest_script, via Run Command), the
 * judgements made on its facts, and the script builder with a user name from outside.
 *
 * Properties: no crash, leak or over-read (the stdout sits in a buffer of its exact size);
 * every list keeps its bound and holds valid distinct ports; every text field is
 * NUL-terminated and the user name is within GUEST_USER_MAX; tri-states, modes, disk numbers
 * and firewall verdicts keep their documented ranges; complete == begun && ended; a host key
 * taken is "SHA256:" and 43 base64 characters and is found again by guest_hostkey_has; the
 * judgements always fill their reason; a script is built only for a valid user name and
 * ports, and then says exactly that user. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azure/guest.h"
#include "fuzz.h"

static void check_ports(const int *p, int n, int max)
{
	if (n < 0 || n > max)
		abort();
	for (int i = 0; i < n; i++) {
		if (p[i] < 1 || p[i] > 65535)
			abort();
		for (int j = 0; j < i; j++)
			if (p[i] == p[j])
				abort();
	}
}

static void check_mode(const struct guest_mode *m)
{
	if (m->mode < -2 || m->mode > 07777)
		abort();
	FUZZ_STR(m->owner);
}

static void check_facts(const struct guest_facts *g)
{
	if (g->complete != (g->begun && g->ended) || g->lines < 0 || g->bad_lines < 0 ||
	    g->long_lines < 0 || g->unknown_keys < 0 || strlen(g->user_name) > GUEST_USER_MAX)
		abort();
	fuzz_check_tri(g->sshd_active);
	fuzz_check_tri(g->sshd_socket);
	fuzz_check_tri(g->sshd_test_ok);
	fuzz_check_tri(g->strict_modes);
	fuzz_check_tri(g->pubkey);
	fuzz_check_tri(g->password);
	fuzz_check_tri(g->use_pam);
	fuzz_check_tri(g->user_exists);
	fuzz_check_tri(g->user_locked);
	fuzz_check_tri(g->user_expired);
	fuzz_check_tri(g->nologin);
	check_ports(g->socket_ports, g->n_socket_ports, GUEST_LISTEN_MAX);
	check_ports(g->listen, g->n_listen, GUEST_LISTEN_MAX);
	check_ports(g->listen_all, g->n_listen_all, GUEST_LISTEN_MAX);
	check_ports(g->cfg_ports, g->n_cfg_ports, GUEST_LISTEN_MAX);
	FUZZ_STR(g->sshd_state);
	FUZZ_STR(g->listen_addr);
	FUZZ_STR(g->sshd_test);
	FUZZ_STR(g->sshd_test_err);
	FUZZ_STR(g->permit_root);
	FUZZ_STR(g->listen_address);
	FUZZ_STR(g->auth_methods);
	FUZZ_STR(g->authkeys_file);
	FUZZ_STR(g->allow_users);
	FUZZ_STR(g->deny_users);
	FUZZ_STR(g->allow_groups);
	FUZZ_STR(g->deny_groups);
	FUZZ_STR(g->fw_tool);
	FUZZ_STR(g->user_home);
	FUZZ_STR(g->user_shell);
	FUZZ_STR(g->user_pw);
	FUZZ_STR(g->authkeys_path);
	if (g->fw_policy > GUEST_FW_REJECT || g->fw_catchall > GUEST_FW_REJECT)
		abort();
	if (g->n_fw < 0 || g->n_fw > GUEST_PORTS_MAX)
		abort();
	for (int i = 0; i < g->n_fw; i++) {
		const struct guest_fw_port *f = &g->fw[i];

		if (f->port < 1 || f->port > 65535 || f->verdict > GUEST_FW_REJECT || f->cond < 0 ||
		    guest_fw_port(g, f->port) == NULL || !guest_fw_name(f->verdict))
			abort();
		FUZZ_STR(f->rule);
	}
	for (int d = 0; d < GUEST_DISKS; d++) {
		const struct guest_disk *k = &g->disk[d];

		FUZZ_STR(k->mount);
		if (k->avail_kb < -1 || k->use_pct < -1 || k->use_pct > 100 || k->ifree < -1 ||
		    !guest_disk_path((enum guest_disk_id)d))
			abort();
	}
	if (g->expire_days < -1 || g->today_days < -1 || g->authkeys_keys < -1)
		abort();
	check_mode(&g->home);
	check_mode(&g->sshdir);
	check_mode(&g->authkeys);
	if (g->n_hostkeys < 0 || g->n_hostkeys > GUEST_HOSTKEYS_MAX)
		abort();
	for (int i = 0; i < g->n_hostkeys; i++) {
		const struct guest_hostkey *h = &g->hostkeys[i];

		FUZZ_STR(h->fp);
		FUZZ_STR(h->type);
		if (strncmp(h->fp, "SHA256:", 7) != 0 || strlen(h->fp) != 7 + 43 || h->bits < 1 ||
		    !guest_hostkey_has(g, h->fp))
			abort();
	}
}

static void judge(const struct guest_facts *g)
{
	char why[256];

	memset(why, 'x', sizeof(why));
	if (guest_strictmodes_bad(g, NULL, why, sizeof(why)) && why[0] == '\0')
		abort();
	FUZZ_STR(why);
	memset(why, 'x', sizeof(why));
	if (guest_strictmodes_bad(g, "azureuser", why, sizeof(why)) && why[0] == '\0')
		abort();
	FUZZ_STR(why);
	memset(why, 'x', sizeof(why));
	if (guest_disk_full(g, why, sizeof(why)) > 0 && why[0] == '\0')
		abort();
	if (guest_disk_full(g, why, sizeof(why)) > GUEST_DISKS)
		abort();
	guest_shell_nologin(g);
	guest_listens(g, 22);
	if (g->n_listen && !guest_listens(g, g->listen[0]))
		abort();
}

/* The input as a user name and ports: a script only for what guest_user_ok and 1..65535 take. */
static void script(const char *in, size_t n)
{
	static char out[GUEST_SCRIPT_MAX];
	char user[48], head[80];
	int ports[GUEST_PORTS_MAX], n_ports = (int)(n % (GUEST_PORTS_MAX + 1)), len;
	size_t un = n < sizeof(user) - 1 ? n : sizeof(user) - 1;
	bool ports_ok = true;

	memcpy(user, in, un);
	user[un] = '\0';
	for (int i = 0; i < GUEST_PORTS_MAX; i++) {
		ports[i] = i < (int)n ? (unsigned char)in[i] * 257 : 22;
		if (i < n_ports && (ports[i] < 1 || ports[i] > 65535))
			ports_ok = false;
	}
	len = guest_script(user, ports, n_ports, out, sizeof(out));
	if ((len >= 0) != (guest_user_ok(user) && ports_ok))
		abort();
	if (len < 0) {
		if (out[0] != '\0')
			abort();
		return;
	}
	snprintf(head, sizeof(head), "U='%s'\n", user);
	if ((size_t)len != strlen(out) || strncmp(out, head, strlen(head)) != 0 || strchr(user, '\''))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guest_facts g;
	char *in = fuzz_copy(data, size);
	int taken;

	memset(&g, 'x', sizeof(g));
	taken = guest_parse(in, size, &g);
	if (taken < 0 || taken > g.lines)
		abort();
	check_facts(&g);
	judge(&g);
	script(in, size);
	free(in);
	return 0;
}
