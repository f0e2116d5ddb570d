#include "config.h"

#include <string.h>

#include "core/diag.h"
#include "core/remedy.h"

static const struct {
	const char *name, *title;
	enum comp_id comp;
	bool destructive;
	enum remedy_how how;
} catalog[RM_COUNT] = {
#define X(e, id, comp, title, destructive, how) [e] = {id, title, comp, destructive, how},
#include "core/remedies.def"
#undef X
};

const char *remedy_name(enum remedy_id r)
{
	return (unsigned)r < RM_COUNT ? catalog[r].name : "?";
}

const char *remedy_title(enum remedy_id r)
{
	return (unsigned)r < RM_COUNT ? catalog[r].title : "?";
}

enum comp_id remedy_comp(enum remedy_id r)
{
	return (unsigned)r < RM_COUNT ? catalog[r].comp : COMP_VM;
}

bool remedy_destructive(enum remedy_id r)
{
	return (unsigned)r < RM_COUNT && catalog[r].destructive;
}

enum remedy_how remedy_how(enum remedy_id r)
{
	return (unsigned)r < RM_COUNT ? catalog[r].how : REMEDY_LOCAL;
}

bool remedy_parse(const char *name, enum remedy_id *out)
{
	for (int r = 0; r < RM_COUNT; r++)
		if (strcmp(name, catalog[r].name) == 0) {
			*out = (enum remedy_id)r;
			return true;
		}
	return false;
}

static bool is(const struct model *m, enum check_id id, enum state s, enum outcome o)
{
	return m->checks[id].state == s && (o == OUT_NONE || m->checks[id].outcome == o);
}

static bool outcome_is(const struct model *m, enum check_id id, enum outcome o)
{
	return m->checks[id].outcome == o;
}

bool remedy_is_applicable(const struct model *m, enum remedy_id r)
{
	char fp[128];
	bool running = m->checks[CK_VM_POWER].state == ST_OK;
	bool vm_verdict = m->verdict.present && m->verdict.comp == COMP_VM;

	switch (r) {
	case RM_CLIENT_FIX_KEY_PERMS:
		return is(m, CK_CLIENT_SSH_DIR, ST_FAIL, OUT_BAD_MODE);
	case RM_CLIENT_UPDATE_KNOWN:
		/* only once the VM's own key, read out of band, matches what the network shows */
		return (outcome_is(m, CK_CLIENT_KNOWN_HOSTS, OUT_KH_CHANGED) ||
			outcome_is(m, CK_CLIENT_KNOWN_HOSTS, OUT_KH_OTHER)) &&
		       diag_host_key(m, fp, sizeof(fp)) == DIAG_HK_MATCH;
	case RM_ENDPOINT_NAT_PORT:
		/* also when sshd moved: the rule can follow it */
		return outcome_is(m, CK_ENDPOINT_PORTS, OUT_PORT_MISMATCH);
	case RM_ENDPOINT_ACL:
		return is(m, CK_ENDPOINT_ACL, ST_FAIL, OUT_SOURCE_DENIED);
	case RM_NSG_ALLOW_SSH:
		return is(m, CK_NSG_CLOUD, ST_FAIL, OUT_BLOCKED) ||
		       is(m, CK_NSG_FLOW_VERIFY, ST_FAIL, OUT_BLOCKED);
	case RM_VM_START:
		return is(m, CK_VM_POWER, ST_FAIL, OUT_VM_STOPPED);
	case RM_VM_RESTART:
	case RM_VM_REDEPLOY:
		/* a VM that runs but does not answer: a boot failure, or a hung guest */
		return running && (is(m, CK_VM_BOOT_LOG, ST_FAIL, OUT_NONE) ||
				   (vm_verdict && (m->verdict.check == CK_VM_TCP ||
						   m->verdict.check == CK_VM_BANNER ||
						   m->verdict.check == CK_VM_HANDSHAKE)));
	case RM_VM_RESET_SSH_CONFIG:
		return running && (is(m, CK_VM_GUEST_SSHD, ST_FAIL, OUT_SSHD_CONFIG) ||
				   is(m, CK_VM_GUEST_SSHD, ST_FAIL, OUT_SSHD_NOT_LISTENING) ||
				   is(m, CK_VM_AUTH, ST_FAIL, OUT_AUTH_NO_PUBKEY));
	case RM_VM_RESET_CREDENTIALS:
		return running && (is(m, CK_VM_AUTH, ST_FAIL, OUT_AUTH_DENIED) ||
				   is(m, CK_VM_GUEST_ACCOUNT, ST_FAIL, OUT_NO_USER));
	case RM_VM_RESTART_SSHD:
		return running && (is(m, CK_VM_GUEST_SSHD, ST_FAIL, OUT_SSHD_DOWN) ||
				   is(m, CK_VM_BANNER, ST_FAIL, OUT_NO_BANNER));
	case RM_VM_OPEN_FIREWALL:
		return running && is(m, CK_VM_GUEST_FIREWALL, ST_FAIL, OUT_BLOCKED);
	case RM_VM_FIX_PERMISSIONS:
		return running && is(m, CK_VM_GUEST_MODES, ST_FAIL, OUT_BAD_MODE);
	case RM_VM_UNEXPIRE_USER:
		return running && (is(m, CK_VM_GUEST_ACCOUNT, ST_FAIL, OUT_ACCT_EXPIRED) ||
				   is(m, CK_VM_GUEST_ACCOUNT, ST_FAIL, OUT_ACCT_LOCKED));
	case RM_VM_REMOVE_NOLOGIN:
		return running && (is(m, CK_VM_GUEST_ACCOUNT, ST_FAIL, OUT_NOLOGIN_FILE) ||
				   is(m, CK_VM_SESSION, ST_FAIL, OUT_NOLOGIN_FILE));
	default:
		return false;
	}
}

int remedy_applicable(const struct model *m, enum remedy_id out[RM_COUNT])
{
	int n = 0;

	for (int r = 0; r < RM_COUNT; r++)
		if (remedy_is_applicable(m, (enum remedy_id)r))
			out[n++] = (enum remedy_id)r;
	return n;
}
