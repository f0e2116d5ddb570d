#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/diag.h"

static bool finished(const struct model *m, enum check_id id)
{
	enum state s = m->checks[id].state;

	return m->done || (s != ST_PENDING && s != ST_RUNNING);
}

static enum outcome out(const struct model *m, enum check_id id)
{
	return m->checks[id].outcome;
}

static bool failed(const struct model *m, enum check_id id)
{
	return m->checks[id].state == ST_FAIL;
}

/* A connect-level outcome that means the SYN got no useful answer. */
static bool silent(enum outcome o)
{
	return o == OUT_TIMEOUT || o == OUT_UNREACH || o == OUT_DEADLINE;
}

static void blame(struct model *m, enum comp_id comp, enum check_id check, enum confidence conf,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void blame(struct model *m, enum comp_id comp, enum check_id check, enum confidence conf,
		  const char *fmt, ...)
{
	va_list ap;

	if (m->verdict.present)
		return;          /* the first finding in path order wins */
	m->verdict.present = true;
	m->verdict.comp = comp;
	m->verdict.check = check;
	m->verdict.confidence = conf;
	m->comp_state[comp] = conf == CONF_PROVEN ? ST_FAIL : ST_WARN;
	va_start(ap, fmt);
	vsnprintf(m->verdict.summary, sizeof(m->verdict.summary), fmt, ap);
	va_end(ap);
}

void diag_find_fp(const char *s, char *out, size_t len)
{
	const char *p = strstr(s, "SHA256:");
	size_t n = 7;

	out[0] = '\0';
	if (!p)
		return;
	while (p[n] && (isalnum((unsigned char)p[n]) || p[n] == '+' || p[n] == '/' || p[n] == '='))
		n++;
	if (n < len)
		snprintf(out, len, "%.*s", (int)n, p);
}

const struct check *diag_host_key_source(const struct model *m)
{
	const struct check *vm = &m->checks[CK_VM_HOST_KEY];

	/* Run Command's reading, else the fingerprints cloud-init printed at the last boot */
	if (vm->state != ST_OK)
		vm = &m->checks[CK_VM_BOOT_LOG];
	return vm->state == ST_OK || vm->state == ST_WARN || vm->state == ST_FAIL ? vm : NULL;
}

enum diag_hostkey diag_host_key(const struct model *m, char *net_fp, size_t len)
{
	const struct check *kh = &m->checks[CK_CLIENT_KNOWN_HOSTS], *vm = diag_host_key_source(m);
	char fp[128];
	int known = 0;

	diag_find_fp(kh->summary, net_fp, len);
	if (!net_fp[0])
		diag_find_fp(m->checks[CK_VM_HANDSHAKE].summary, net_fp, len);
	if (!net_fp[0] || !vm)
		return DIAG_HK_UNKNOWN;
	for (int i = 0; i < vm->n_evidence && i < CHECK_EVIDENCE_MAX; i++) {
		diag_find_fp(vm->evidence[i], fp, sizeof(fp));
		if (fp[0] && strcmp(fp, net_fp) == 0)
			return DIAG_HK_MATCH;
		known += fp[0] != '\0';
	}
	/* no fingerprint to compare with proves nothing; nor does the boot log's, which is as
	 * old as the last boot (keys may have been made anew since) */
	return known && vm == &m->checks[CK_VM_HOST_KEY] ? DIAG_HK_MISMATCH : DIAG_HK_UNKNOWN;
}

/* Client-side findings that break the path whatever the network does. */
static void diag_client(struct model *m)
{
	static const enum check_id local[] = {CK_CLIENT_RESOLVE, CK_CLIENT_SSH_DIR, CK_CLIENT_KEY};
	enum diag_hostkey hk;
	char fp[128];

	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		if (failed(m, local[i]))
			blame(m, COMP_CLIENT, local[i], CONF_PROVEN, "%s", m->checks[local[i]].summary);
	if (failed(m, CK_CLIENT_FIREWALL) && silent(out(m, CK_VM_TCP)))
		blame(m, COMP_CLIENT, CK_CLIENT_FIREWALL, CONF_PROVEN, "%s",
		      m->checks[CK_CLIENT_FIREWALL].summary);
	if (failed(m, CK_CLIENT_REFERENCE) && out(m, CK_VM_TCP) != OUT_OK &&
	    finished(m, CK_VM_TCP))
		blame(m, COMP_CLIENT, CK_CLIENT_REFERENCE, CONF_PROVEN,
		      "the reference host on this side of the edge fails too (%s): the problem "
		      "is on this machine", outcome_name(out(m, CK_CLIENT_REFERENCE)));
	hk = diag_host_key(m, fp, sizeof(fp));
	if (hk == DIAG_HK_MISMATCH)
		/* whatever known_hosts says: the key on the wire is not the VM's */
		blame(m, COMP_CLIENT, CK_CLIENT_KNOWN_HOSTS, CONF_PROVEN,
		      "POSSIBLE INTERCEPTION: the host key presented on the network (%s) is NOT one "
		      "of the VM's own keys read by Run Command; do not trust or accept it", fp);
	if (out(m, CK_CLIENT_KNOWN_HOSTS) == OUT_KH_CHANGED && hk == DIAG_HK_MATCH)
		blame(m, COMP_CLIENT, CK_CLIENT_KNOWN_HOSTS, CONF_PROVEN,
		      "stale known_hosts entry: the key the network presents (%s) is the VM's own "
		      "(read by Run Command), so the old entry can be replaced", fp);
	if (out(m, CK_CLIENT_KNOWN_HOSTS) == OUT_KH_CHANGED ||
	    out(m, CK_CLIENT_KNOWN_HOSTS) == OUT_KH_OTHER ||
	    out(m, CK_CLIENT_KNOWN_HOSTS) == OUT_KH_REVOKED)
		blame(m, COMP_CLIENT, CK_CLIENT_KNOWN_HOSTS, CONF_PROVEN, "%s",
		      m->checks[CK_CLIENT_KNOWN_HOSTS].summary);
}

/* The first check of ids (path order) that failed, or NULL. */
static const enum check_id *first_failed(const struct model *m, const enum check_id *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (failed(m, ids[i]))
			return &ids[i];
	return NULL;
}

/* TCP from the client did not connect: who is to blame? */
static void diag_connect(struct model *m)
{
	enum outcome tcp = out(m, CK_VM_TCP), van = out(m, CK_EDGE_VANTAGE);
	enum outcome port_out = out(m, CK_EDGE_PORT_OUT);
	const struct target *t = &m->target;

	static const enum check_id cloud_net[] = {CK_ENDPOINT_CLOUD, CK_ENDPOINT_PORTS,
		CK_ENDPOINT_ACL, CK_NSG_CLOUD, CK_NSG_FLOW_VERIFY};
	static const enum check_id guest[] = {CK_VM_BOOT_LOG, CK_VM_GUEST_SSHD, CK_VM_GUEST_FIREWALL};
	const enum check_id *hit;

	if (!finished(m, CK_EDGE_VANTAGE) || !finished(m, CK_EDGE_PORT_OUT) ||
	    !finished(m, CK_CLIENT_REFERENCE) || !finished(m, CK_VM_POWER) ||
	    !finished(m, CK_NSG_CLOUD) || !finished(m, CK_ENDPOINT_CLOUD) ||
	    !finished(m, CK_ENDPOINT_PORTS) || !finished(m, CK_ENDPOINT_ACL))
		return;          /* wait: the outside view and the cloud's view decide */
	hit = first_failed(m, cloud_net, sizeof(cloud_net) / sizeof(cloud_net[0]));
	if (silent(port_out) && silent(tcp))
		blame(m, COMP_EDGE, CK_EDGE_PORT_OUT, CONF_PROVEN,
		      "TCP port %d out of the organisation fails to the vantage host too (%s): "
		      "the edge blocks outbound SSH", t->port, outcome_name(port_out));
	/* The endpoint and NSG read for this client's own public address beat the vantage
	 * comparison: the vantage host has another source address, which a rule may admit. */
	else if (hit)
		blame(m, check_comp(*hit), *hit, CONF_PROVEN, "%s", m->checks[*hit].summary);
	else if (van == OUT_OK)
		blame(m, COMP_EDGE, CK_EDGE_VANTAGE, CONF_PROVEN,
		      "the vantage host outside the organisation connects to %s port %d, but "
		      "this client gets %s: the organisation's edge blocks it",
		      t->address, t->port, outcome_name(tcp));
	else if (failed(m, CK_VM_POWER))
		blame(m, COMP_VM, CK_VM_POWER, CONF_PROVEN, "%s", m->checks[CK_VM_POWER].summary);
	else if ((hit = first_failed(m, guest, sizeof(guest) / sizeof(guest[0]))) != NULL)
		blame(m, COMP_VM, *hit, CONF_PROVEN, "%s", m->checks[*hit].summary);
	else if (tcp == OUT_REFUSED || tcp == OUT_RESET)
		blame(m, COMP_VM, CK_VM_TCP, van == OUT_REFUSED ? CONF_PROVEN : CONF_LIKELY,
		      "%s port %d refuses connections%s: nothing listens there in the VM (sshd "
		      "stopped, on another port, or the guest firewall rejects)", t->address, t->port,
		      van == OUT_REFUSED ? " from inside and outside the organisation" : "");
	else if (silent(tcp) && (van == OUT_TIMEOUT || van == OUT_DEADLINE) &&
		 m->checks[CK_NSG_CLOUD].state == ST_OK)
		blame(m, COMP_VM, CK_VM_TCP, CONF_LIKELY,
		      "TCP %d to %s is silently dropped beyond the edge (the vantage host times out "
		      "too) although the endpoint and the NSG rules admit it: the guest (firewall or "
		      "a hung VM) is the likely cause", t->port, t->address);
	else if (silent(tcp) && (van == OUT_TIMEOUT || van == OUT_DEADLINE))
		blame(m, COMP_VM, CK_VM_TCP, CONF_LIKELY,
		      "TCP %d to %s is silently dropped beyond the edge (the vantage host times out "
		      "too, the edge passes port %d); without Azure credentials the endpoint and "
		      "NSG cannot be read, so the guest (firewall or a hung VM) is the likely cause",
		      t->port, t->address, t->port);
	else if (silent(tcp))
		blame(m, COMP_EDGE, CK_VM_TCP, CONF_LIKELY,
		      "TCP %d to %s gets no answer (%s) and no vantage host was given to tell the "
		      "organisation's edge from the cloud side (--vantage-host)",
		      t->port, t->address, outcome_name(tcp));
	else
		blame(m, COMP_VM, CK_VM_TCP, CONF_LIKELY, "TCP connect to %s port %d failed: %s",
		      t->address, t->port, m->checks[CK_VM_TCP].summary);
}

/* Connected: the rest is between the client and sshd. */
static void diag_ssh(struct model *m)
{
	static const enum check_id steps[] = {CK_VM_BANNER, CK_VM_HANDSHAKE, CK_VM_AUTH, CK_VM_SESSION};

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		enum check_id s = steps[i];

		if (!failed(m, s))
			continue;
		/* A key refused while the client's key is sound: the guest's sshd, account or
		 * file modes refuse it, but only the guest's own view can prove which. */
		if (out(m, s) == OUT_AUTH_DENIED || s == CK_VM_SESSION) {
			static const enum check_id why[] = {CK_VM_GUEST_ACCOUNT, CK_VM_GUEST_MODES,
							    CK_VM_GUEST_DISK, CK_VM_GUEST_SSHD};
			const enum check_id *hit = first_failed(m, why, sizeof(why) / sizeof(why[0]));

			if (hit) {
				blame(m, COMP_VM, *hit, CONF_PROVEN, "%s", m->checks[*hit].summary);
				return;
			}
		}
		blame(m, COMP_VM, s, out(m, s) == OUT_AUTH_DENIED ? CONF_LIKELY : CONF_PROVEN, "%s",
		      m->checks[s].summary);
		return;
	}
}

/* Configuration read from Azure, not seen on the network path: a failed one breaks its
 * component whoever gets the blame.  (The guest's facts are left out: a VM that is fine
 * looks broken at a port an earlier component sends it to by mistake.) */
static bool cloud_fact(enum check_id id)
{
	return check_comp(id) == COMP_ENDPOINT || check_comp(id) == COMP_NSG || id == CK_VM_POWER;
}

static void derive_states(struct model *m)
{
	bool tcp_ok = out(m, CK_VM_TCP) == OUT_OK;

	for (int c = 0; c < COMP_COUNT; c++) {
		bool running = false, warn = false, any = false, fail = false;

		if (m->verdict.present && m->verdict.comp == (enum comp_id)c)
			continue;
		for (int i = 0; i < CK_COUNT; i++) {
			if (check_comp((enum check_id)i) != (enum comp_id)c)
				continue;
			if (!finished(m, (enum check_id)i))
				running = true;
			if (m->checks[i].state == ST_WARN)
				warn = true;
			if (m->checks[i].state == ST_OK)
				any = true;
			if (m->checks[i].state == ST_FAIL && cloud_fact((enum check_id)i))
				fail = true;
		}
		if (running && !(m->verdict.present && (enum comp_id)c > m->verdict.comp))
			m->comp_state[c] = ST_RUNNING;
		else if ((c == COMP_ENDPOINT || c == COMP_NSG) && tcp_ok)
			m->comp_state[c] = ST_OK;     /* crossed: whatever a rule seems to say */
		else if (fail)
			m->comp_state[c] = ST_FAIL;   /* proven broken, though blame lies earlier */
		else if (c == COMP_ENDPOINT || c == COMP_NSG)
			/* Without cloud facts these are known only by what crosses them. */
			m->comp_state[c] = warn ? ST_WARN : any ? ST_OK : ST_UNKNOWN;
		else if (c == COMP_EDGE && m->verdict.present && m->verdict.comp > COMP_EDGE)
			/* Blame lies beyond: the vantage host's and the traceroute's failures
			 * are evidence about the far side, not about the edge. */
			m->comp_state[c] = ST_OK;
		else if (c == COMP_EDGE)
			m->comp_state[c] = (tcp_ok || out(m, CK_EDGE_PORT_OUT) == OUT_OK)
						   ? (warn ? ST_WARN : ST_OK) : ST_UNKNOWN;
		else if (c == COMP_VM && !m->handshake)
			m->comp_state[c] = m->verdict.present ? ST_UNKNOWN : ST_RUNNING;
		else
			m->comp_state[c] = warn ? ST_WARN : any ? ST_OK : ST_UNKNOWN;
	}
}

void diag_run(struct model *m)
{
	memset(&m->verdict, 0, sizeof(m->verdict));
	m->handshake = m->checks[CK_VM_HANDSHAKE].state == ST_OK ||
		       m->checks[CK_VM_HANDSHAKE].state == ST_WARN;
	m->authenticated = out(m, CK_VM_AUTH) == OUT_OK ? 1
			   : (out(m, CK_VM_AUTH) == OUT_AUTH_DENIED ||
			      out(m, CK_VM_AUTH) == OUT_AUTH_NO_PUBKEY || out(m, CK_VM_AUTH) == OUT_BAD_KEY)
			   ? 0 : -1;

	diag_client(m);
	if (finished(m, CK_VM_TCP) && out(m, CK_VM_TCP) != OUT_OK)
		diag_connect(m);
	else
		diag_ssh(m);
	derive_states(m);
	m->reachable = m->done && !m->verdict.present && m->handshake && m->authenticated != 0 &&
		       (m->authenticated == -1 || out(m, CK_VM_SESSION) == OUT_OK);
	if (m->done && !m->verdict.present && !m->reachable)
		blame(m, COMP_VM, CK_VM_HANDSHAKE, CONF_LIKELY,
		      "the path did not complete and no single check explains it");
}
