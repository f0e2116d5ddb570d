/* cloudfix: the write side of the Azure module — the remedies that change an Azure
 * resource or run a script in the guest, worked out from what the last round read and
 * carried out on the same loop (long-running operations polled to their end). */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "azure/cloud.h"
#include "azure/cloud_priv.h"
#include "azure/creds.h"
#include "azure/guest.h"
#include "azure/guestfix.h"
#include "azure/netjson.h"
#include "azure/undo.h"
#include "core/remedy.h"
#include "util/audit.h"
#include "util/clock.h"

#define RULE_NAME "sshtriage-allow-ssh"

static void steps_free(struct cloud_fix_step *st, int n)
{
	for (int i = 0; i < n; i++) {
		if (st[i].body) {
			explicit_bzero(st[i].body, strlen(st[i].body));
			free(st[i].body);
		}
		free(st[i].shown);
	}
}

void cloud_fix_free(struct cloud_fix *fx)
{
	if (!fx)
		return;
	steps_free(fx->step, CLOUD_FIX_STEPS);
	steps_free(fx->back, CLOUD_FIX_STEPS);
	free(fx->script);
	memset(fx, 0, sizeof(*fx));
}

static int put_step(struct cloud_fix_step *steps, int *n, const char *method, const char *url,
		    char *body, char *shown)
{
	struct cloud_fix_step *st;

	if (*n == CLOUD_FIX_STEPS) {
		free(body);
		free(shown);
		return -1;
	}
	st = &steps[(*n)++];
	snprintf(st->method, sizeof(st->method), "%s", method);
	snprintf(st->url, sizeof(st->url), "%s", url);
	st->body = body;
	st->shown = shown ? shown : body ? strdup(body) : NULL;
	return 0;
}

/* A step; body (may be NULL) is taken over; shown NULL: the body is shown as it is. */
static int add_step(struct cloud_fix *fx, const char *method, const char *url, char *body,
		    char *shown)
{
	return put_step(fx->step, &fx->n_steps, method, url, body, shown);
}

/* A step of the undo (never a secret in one: no VMAccess or Run Command remedy has one). */
static int add_back(struct cloud_fix *fx, const char *method, const char *url, char *body)
{
	return put_step(fx->back, &fx->n_back, method, url, body, NULL);
}

/* An undo guard: before anything is taken back, url must still hold value at path (what
 * this remedy wrote there); otherwise someone changed it since, and writing back what was
 * read before would lose their change.  path and value are taken over. */
static void add_guard(struct cloud_fix *fx, const char *url, cJSON *path, cJSON *value)
{
	cJSON *g = cJSON_CreateObject();
	char *s;

	if (!g || !path || !value) {
		cJSON_Delete(path);
		cJSON_Delete(value);
		cJSON_Delete(g);
		return;
	}
	cJSON_AddItemToObject(g, "path", path);
	cJSON_AddItemToObject(g, "value", value);
	s = cJSON_PrintUnformatted(g);
	cJSON_Delete(g);
	if (s)
		add_back(fx, "GET", url, s);
}

/* Guards first, then the DELETEs (a moved rule's old priority must be free again), then
 * the PUTs back; otherwise in the order planned. */
static void back_order(struct cloud_fix *fx)
{
	static const char *const order[] = {"GET", "DELETE", "PUT"};
	struct cloud_fix_step sorted[CLOUD_FIX_STEPS];
	int n = 0;

	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++)
		for (int i = 0; i < fx->n_back; i++)
			if (strcmp(fx->back[i].method, order[o]) == 0)
				sorted[n++] = fx->back[i];
	if (n == fx->n_back)
		memcpy(fx->back, sorted, sizeof(sorted[0]) * (size_t)n);
}

/* ["properties", key] */
static cJSON *props_path(const char *key)
{
	const char *p[] = {"properties", key};

	return cJSON_CreateStringArray(p, 2);
}

static char *print_json(cJSON *j)
{
	char *s = cJSON_Print(j);

	cJSON_Delete(j);
	return s;
}

/* The lowest priority above from that no rule of n uses (either direction); 0: none. */
static int free_priority_above(const struct nsg *n, int from)
{
	for (int p = from + 1; p <= 4096; p++) {
		bool used = false;

		for (int i = 0; i < n->n_rules && !used; i++)
			used = !n->rules[i].is_default && n->rules[i].priority == p;
		if (!used)
			return p;
	}
	return 0;
}

/* A deny no new rule can overtake (it sits at 100, or every number below it is taken):
 * the denying rule moves up to a free priority, read back from the NSG as it was, with
 * nothing else changed; the Allow then takes its place.  Returns the Allow's priority. */
static int plan_move_deny(struct cloud *c, const struct nsg_remedy *p, struct cloud_fix *fx,
			  char *err, size_t errlen)
{
	const struct nsg *n = p->stage == NSG_STAGE_NIC ? c->f.nsg_nic : c->f.nsg_subnet;
	cJSON *j = n ? cJSON_Parse(c->f.nsg_raw[p->stage] ? c->f.nsg_raw[p->stage] : "") : NULL;
	cJSON *rules = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "properties"),
							"securityRules"), *r, *body;
	int to = n ? free_priority_above(n, p->deny_priority) : 0;
	char url[1200], suffix[NSG_NAME_LEN + 20];

	cJSON_ArrayForEach(r, rules) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(r, "name");

		if (cJSON_IsString(name) && strcmp(name->valuestring, p->deny_rule) == 0)
			break;
	}
	if (!r || !to || !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(r, "properties"))) {
		cJSON_Delete(j);
		snprintf(err, errlen, "no Allow rule can win in %s, and rule %s cannot be moved: %s",
			 p->nsg, p->deny_rule, p->why);
		return -1;
	}
	body = cJSON_CreateObject();
	cJSON_AddItemToObject(body, "properties",
			      cJSON_DetachItemFromObjectCaseSensitive(r, "properties"));
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(body, "properties"),
						"provisioningState");
	cJSON_Delete(j);
	snprintf(suffix, sizeof(suffix), "/securityRules/%s", p->deny_rule);
	cloud_arm_url(c, url, sizeof(url), p->nsg_id, suffix, NETWORK_API);
	/* undo: the rule back at its own priority, once it is still where this moved it */
	add_back(fx, "PUT", url, cJSON_Print(body));
	add_guard(fx, url, props_path("priority"), cJSON_CreateNumber(to));
	cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(body, "properties"),
					      "priority", cJSON_CreateNumber(to));
	add_step(fx, "PUT", url, print_json(body), NULL);
	snprintf(fx->undo, sizeof(fx->undo), "DELETE .../securityRules/%s, and rule %s back to "
		 "priority %d", RULE_NAME, p->deny_rule, p->deny_priority);
	return p->deny_priority;
}

static int plan_nsg(struct cloud *c, const struct model *m, struct cloud_fix *fx, char *err,
		    size_t errlen)
{
	char url[1200];
	int n = 0;

	for (int i = 0; i < c->f.n_nsg_props; i++) {
		const struct nsg_remedy *p = &c->f.nsg_props[i];
		cJSON *j, *pr;
		char port[16], desc[200];
		int prio = p->priority;

		if (!p->possible && (prio = plan_move_deny(c, p, fx, err, errlen)) < 0)
			return -1;
		j = cJSON_CreateObject();
		pr = cJSON_AddObjectToObject(j, "properties");
		snprintf(port, sizeof(port), "%d", p->port);
		snprintf(desc, sizeof(desc), "sshtriage: SSH from %.40s (was denied by %.60s)", p->source,
			 p->deny_rule);
		cJSON_AddStringToObject(pr, "protocol", "Tcp");
		cJSON_AddStringToObject(pr, "sourcePortRange", "*");
		cJSON_AddStringToObject(pr, "destinationPortRange", port);
		cJSON_AddStringToObject(pr, "sourceAddressPrefix", p->source);
		cJSON_AddStringToObject(pr, "destinationAddressPrefix", "*");
		cJSON_AddStringToObject(pr, "access", "Allow");
		cJSON_AddNumberToObject(pr, "priority", prio);
		cJSON_AddStringToObject(pr, "direction", "Inbound");
		cJSON_AddStringToObject(pr, "description", desc);
		cloud_arm_url(c, url, sizeof(url), p->nsg_id, "/securityRules/" RULE_NAME, NETWORK_API);
		if (add_step(fx, "PUT", url, print_json(j), NULL) != 0)
			break;
		add_back(fx, "DELETE", url, NULL);
		n++;
	}
	if (!n) {
		snprintf(err, errlen, "the last round found no NSG that denies this client");
		return -1;
	}
	snprintf(fx->what, sizeof(fx->what), "adds rule %s to %.60s%s: Allow TCP %d from %.44s%s",
		 RULE_NAME, c->f.nsg_props[0].nsg, n > 1 ? " (and the other NSG)" : "",
		 c->f.nsg_props[0].port, c->f.nsg_props[0].source,
		 fx->n_steps > n ? ", after moving the denying rule to a free priority" : "");
	snprintf(fx->cost, sizeof(fx->cost), "opens port %d to %s only; every other rule stays%s",
		 c->f.nsg_props[0].port, c->f.nsg_props[0].source,
		 fx->n_steps > n ? " (the denying rule keeps its meaning, one step lower)" : "");
	if (!fx->undo[0])
		snprintf(fx->undo, sizeof(fx->undo), "DELETE .../securityRules/%s", RULE_NAME);
	back_order(fx);
	(void)m;
	return 0;
}

static int plan_power(struct cloud *c, enum remedy_id id, struct cloud_fix *fx)
{
	static const struct {
		enum remedy_id id;
		const char *action, *what, *cost;
	} acts[] = {
		{RM_VM_START, "start", "starts the VM", "compute billing resumes"},
		{RM_VM_RESTART, "restart", "restarts the VM (the guest reboots)",
		 "running sessions and unsaved work in the guest are lost"},
		{RM_VM_REDEPLOY, "redeploy", "moves the VM to a new Azure host and starts it there",
		 "DESTRUCTIVE: the temporary disk's data and dynamic IP addresses are lost; the VM "
		 "is down for minutes"},
	};
	char url[1200];

	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (acts[i].id == id) {
			char suffix[32];

			snprintf(suffix, sizeof(suffix), "/%s", acts[i].action);
			cloud_arm_url(c, url, sizeof(url), c->vm_id, suffix, COMPUTE_API);
			add_step(fx, "POST", url, NULL, NULL);
			cloud_arm_url(c, fx->verify_url, sizeof(fx->verify_url), c->vm_id,
				      "/instanceView", COMPUTE_API);
			snprintf(fx->what, sizeof(fx->what), "%s", acts[i].what);
			snprintf(fx->cost, sizeof(fx->cost), "%s", acts[i].cost);
			return 0;
		}
	return -1;
}

/* A VMAccessForLinux extension PUT body: protectedSettings {"reset_ssh": true}, or cr's
 * credentials for user (masked: the password as the preview shows it).  Printed by
 * creds_print, so a password is copied nowhere but the body (cloud_fix_free wipes it). */
static char *vmaccess_body(const struct cloud *c, const struct vm_creds *cr, const char *user,
			   bool masked)
{
	cJSON *j = cJSON_CreateObject(), *pr = cJSON_AddObjectToObject(j, "properties"), *ps;

	cJSON_AddStringToObject(j, "location", c->f.vi.location);
	cJSON_AddStringToObject(pr, "publisher", "Microsoft.OSTCExtensions");
	cJSON_AddStringToObject(pr, "type", "VMAccessForLinux");
	cJSON_AddStringToObject(pr, "typeHandlerVersion", "1.5");
	cJSON_AddBoolToObject(pr, "autoUpgradeMinorVersion", 1);
	cJSON_AddObjectToObject(pr, "settings");
	ps = cJSON_AddObjectToObject(pr, "protectedSettings");
	if (!cr)
		cJSON_AddBoolToObject(ps, "reset_ssh", 1);
	else if (creds_settings(ps, cr, user, masked) != 0) {
		cJSON_Delete(j);
		return NULL;
	}
	return creds_print(j);
}

/* vm.reset_ssh_config (cr NULL) or vm.reset_credentials (cr: what to set for user). */
static int plan_vmaccess(struct cloud *c, const struct vm_creds *cr, const char *user,
			 struct cloud_fix *fx, char *err, size_t errlen)
{
	char url[1200], *body, *shown = NULL;

	if (!c->f.vi.location[0]) {
		snprintf(err, errlen, "the VM's location is unknown");
		return -1;
	}
	body = vmaccess_body(c, cr, user, false);
	if (body && cr && cr->password && !(shown = vmaccess_body(c, cr, user, true))) {
		explicit_bzero(body, strlen(body));
		free(body);
		body = NULL;
	}
	if (!body) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cloud_arm_url(c, url, sizeof(url), c->vm_id, "/extensions/VMAccessForLinux", COMPUTE_API);
	add_step(fx, "PUT", url, body, shown);
	if (cr)
		return 0;
	snprintf(fx->what, sizeof(fx->what), "VMAccessForLinux reset_ssh: sshd_config back to the "
		 "image's stock file (port 22), guest firewall drops of port 22 removed, sshd restarted");
	snprintf(fx->cost, sizeof(fx->cost), "every custom sshd setting is lost (the old file is kept "
		 "as a backup by the extension); the extension stays installed on the VM");
	return 0;
}

/* vm.reset_credentials: the key and/or password given (cloud_set_creds) for their user, or
 * the target's; VMAccess creates the user when it does not exist. */
static int plan_credentials(struct cloud *c, const struct model *m, struct cloud_fix *fx,
			    char *err, size_t errlen)
{
	const struct vm_creds *cr = c->creds;
	const char *user = cr && cr->user[0] ? cr->user : m->target.user;
	bool is_target = strcmp(user, m->target.user) == 0;
	bool missing = is_target && m->checks[CK_VM_GUEST_ACCOUNT].outcome == OUT_NO_USER;
	char did[180];

	if (!cr || (!cr->pubkey && !cr->password)) {
		snprintf(err, errlen, "no new key or password given. Quit, then: sshtriage --fix "
			 "vm.reset_credentials --public-key FILE (without a key it asks for a password, "
			 "not echoed); or start sshtriage with --public-key FILE or "
			 "SSHTRIAGE_NEW_PASSWORD_FILE set");
		return -1;
	}
	if (!creds_user_ok(user)) {
		snprintf(err, errlen, "VMAccess takes user names of [a-z_][a-z0-9_.-] (at most %d), "
			 "not '%.40s': name one with --reset-user", CREDS_USER_MAX, user);
		return -1;
	}
	if (plan_vmaccess(c, cr, user, fx, err, errlen) != 0)
		return -1;
	if (cr->pubkey)
		snprintf(did, sizeof(did), "adds the public key %.100s to ~/.ssh/authorized_keys%s",
			 cr->key_info, cr->password ? " and sets a new password" : "");
	else
		snprintf(did, sizeof(did), "sets a new password");
	snprintf(fx->what, sizeof(fx->what), "VMAccessForLinux for user %.32s%s: %.180s", user,
		 missing ? " (created: it does not exist)" : is_target ? "" :
		 " (created if it does not exist)", did);
	snprintf(fx->cost, sizeof(fx->cost), "VMAccess gives the user sudo (/etc/sudoers.d/waagent)"
		 "%s; the extension stays installed on the VM", cr->password ? "; a password also "
		 "turns on PasswordAuthentication in sshd_config (sshd restarted)" : "");
	snprintf(fx->undo, sizeof(fx->undo), "%s%s%s", cr->pubkey ? "the key's line out of "
		 "~/.ssh/authorized_keys, by hand" : "", cr->pubkey && (missing || !is_target) ? "; " : "",
		 missing || !is_target ? "a user it created: VMAccessForLinux remove_user" : "");
	return 0;
}

void cloud_set_creds(struct cloud *c, const struct vm_creds *cr)
{
	c->creds = cr;
}

/* The sshd port the path should deliver to: where Run Command saw sshd listen. */
static int sshd_port(const struct cloud *c)
{
	int ports[8], n = cloud_guest_ports(c, ports, 8);

	return n > 0 ? ports[0] : 0;
}

/* Edits the raw body of what was read into a PUT body; NULL when it does not parse. */
static cJSON *raw_props(const char *raw)
{
	cJSON *j = raw ? cJSON_Parse(raw) : NULL;

	if (j && !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "properties"))) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

/* The firewall DNAT rule for the target, as a cJSON node in group j (NULL: none); *path
 * gets its place, ["properties","ruleCollections",C,"rules",R]. */
static cJSON *dnat_rule(cJSON *j, const char *vm_ip, cJSON **path)
{
	cJSON *cols = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "properties"),
						       "ruleCollections"), *col, *r;
	int ci = 0, ri;

	cJSON_ArrayForEach(col, cols) {
		ri = 0;
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(col, "rules")) {
			const cJSON *ta = cJSON_GetObjectItemCaseSensitive(r, "translatedAddress");

			if (cJSON_IsString(ta) && strcmp(ta->valuestring, vm_ip) == 0) {
				*path = props_path("ruleCollections");
				cJSON_AddItemToArray(*path, cJSON_CreateNumber(ci));
				cJSON_AddItemToArray(*path, cJSON_CreateString("rules"));
				cJSON_AddItemToArray(*path, cJSON_CreateNumber(ri));
				return r;
			}
			ri++;
		}
		ci++;
	}
	return NULL;
}

static int plan_endpoint(struct cloud *c, const struct model *m, enum remedy_id id,
			 struct cloud_fix *fx, char *err, size_t errlen)
{
	const struct netjson_ipconf *ip = netjson_nic_primary(c->f.nic);
	int port = sshd_port(c);
	char url[1200], num[16];

	if (!ip) {
		snprintf(err, errlen, "the VM's network interface was not read");
		return -1;
	}
	if (id == RM_ENDPOINT_NAT_PORT && !port) {
		snprintf(err, errlen, "where sshd listens is unknown (Run Command did not say)");
		return -1;
	}
	snprintf(num, sizeof(num), "%d", port);
	for (int i = 0; id == RM_ENDPOINT_NAT_PORT && i < c->f.n_nat; i++) {
		cJSON *j;

		if (c->f.nat[i].frontend_port != m->target.port || !(j = raw_props(c->f.nat_raw[i])))
			continue;
		cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "properties"),
						      "backendPort", cJSON_CreateNumber(port));
		cloud_arm_url(c, url, sizeof(url), c->f.nat[i].id, "", NETWORK_API);
		add_step(fx, "PUT", url, print_json(j), NULL);
		add_guard(fx, url, props_path("backendPort"), cJSON_CreateNumber(port));
		add_back(fx, "PUT", url, strdup(c->f.nat_raw[i]));      /* as read */
		snprintf(fx->what, sizeof(fx->what), "NAT rule %s: backend port %d -> %d (where sshd "
			 "listens)", c->f.nat[i].name, c->f.nat[i].backend_port, port);
		snprintf(fx->cost, sizeof(fx->cost), "connections to frontend port %d go to port %d "
			 "of the VM from now on", c->f.nat[i].frontend_port, port);
		snprintf(fx->undo, sizeof(fx->undo), "the same PUT with backendPort %d",
			 c->f.nat[i].backend_port);
		return 0;
	}
	for (int g = 0; g < c->f.n_rcg; g++) {
		cJSON *path = NULL, *j = raw_props(c->f.rcg_raw[g]);
		cJSON *r = j ? dnat_rule(j, ip->private_ip, &path) : NULL;
		const char *changed = id == RM_ENDPOINT_NAT_PORT ? "translatedPort" : "sourceAddresses";
		char cidr[80];

		if (!r) {
			cJSON_Delete(j);
			continue;
		}
		if (id == RM_ENDPOINT_NAT_PORT) {
			cJSON_ReplaceItemInObjectCaseSensitive(r, "translatedPort", cJSON_CreateString(num));
			snprintf(fx->what, sizeof(fx->what), "DNAT rule %s: translated port -> %d (where "
				 "sshd listens)", c->f.rcg[g]->name, port);
			snprintf(fx->cost, sizeof(fx->cost), "the whole rule collection group is written "
				 "back as read, with that one change");
			snprintf(fx->undo, sizeof(fx->undo), "the group written back as read now, while "
				 "the rule still holds this change");
		} else {
			cJSON *src = cJSON_GetObjectItemCaseSensitive(r, "sourceAddresses");

			if (!m->target.client_ip[0] || !cJSON_IsArray(src)) {
				cJSON_Delete(j);
				cJSON_Delete(path);
				snprintf(err, errlen, "this client's public address is unknown");
				return -1;
			}
			snprintf(cidr, sizeof(cidr), "%s/%s", m->target.client_ip,
				 strchr(m->target.client_ip, ':') ? "128" : "32");
			cJSON_AddItemToArray(src, cJSON_CreateString(cidr));
			snprintf(fx->what, sizeof(fx->what), "DNAT rule of %s: adds %s to its source "
				 "addresses", c->f.rcg[g]->name, cidr);
			snprintf(fx->cost, sizeof(fx->cost), "that address (the organisation's public "
				 "address: everyone behind it) may reach the VM through the firewall");
			snprintf(fx->undo, sizeof(fx->undo), "the same PUT without %s", cidr);
		}
		cloud_arm_url(c, url, sizeof(url), c->f.rcg[g]->id, "", NETWORK_API);
		cJSON_AddItemToArray(path, cJSON_CreateString(changed));
		add_guard(fx, url, path, cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(r, changed), true));
		add_back(fx, "PUT", url, strdup(c->f.rcg_raw[g]));      /* the group as read */
		add_step(fx, "PUT", url, print_json(j), NULL);
		return 0;
	}
	snprintf(err, errlen, "the last round read no NAT or DNAT rule to change");
	return -1;
}

/* A Run Command remedy: the guest script for the account and the port the path delivers to. */
static int plan_run(struct cloud *c, const struct model *m, enum remedy_id id,
		    struct cloud_fix *fx, char *err, size_t errlen)
{
	enum guestfix_id g;
	int port = c->f.backend_port ? c->f.backend_port : m->target.port;

	if (!guestfix_lookup(remedy_name(id), &g)) {
		snprintf(err, errlen, "%s has no guest script", remedy_name(id));
		return -1;
	}
	fx->script = malloc(GUESTFIX_SCRIPT_MAX);
	if (!fx->script || guestfix_script(g, m->target.user, port, fx->script, GUESTFIX_SCRIPT_MAX) < 0) {
		snprintf(err, errlen, "no guest script for user '%s' and port %d", m->target.user, port);
		return -1;
	}
	snprintf(fx->what, sizeof(fx->what), "%s", guestfix_describe(g));
	snprintf(fx->cost, sizeof(fx->cost), "runs as root in the guest through the VM agent (Run "
		 "Command); each run is logged by Azure in the VM's activity log");
	return 0;
}

int cloud_undo_available(const struct cloud *c, char *when, size_t len)
{
	struct undo_rec rec;
	char err[300];
	int id = -1;

	memset(&rec, 0, sizeof(rec));      /* freed below even when nothing was loaded */
	if (c->vm_id[0] && undo_load(c->vm_id, &rec, err, sizeof(err)) == 1) {
		id = (int)rec.id;
		snprintf(when, len, "%s", rec.when);
	}
	undo_rec_free(&rec);
	return id;
}

int cloud_undo_plan(struct cloud *c, struct cloud_fix *fx, char *err, size_t errlen)
{
	struct undo_rec rec;
	int rc, puts = 0;

	memset(fx, 0, sizeof(*fx));
	if (c->jobs || c->fixing) {
		snprintf(err, errlen, "the round is still running");
		return -1;
	}
	rc = c->vm_id[0] ? undo_load(c->vm_id, &rec, err, errlen) : 0;
	if (rc <= 0) {
		if (rc == 0)
			snprintf(err, errlen, "no remedy applied to this VM is on record to undo");
		return -1;
	}
	fx->id = rec.id;
	fx->is_undo = true;
	snprintf(fx->applied, sizeof(fx->applied), "%s", rec.when);
	for (int i = 0; i < rec.n_steps; i++) {
		puts += strcmp(rec.step[i].method, "PUT") == 0;
		add_step(fx, rec.step[i].method, rec.step[i].url, rec.step[i].body, NULL);
		rec.step[i].body = NULL;                 /* taken over */
	}
	undo_rec_free(&rec);
	snprintf(fx->what, sizeof(fx->what), "takes back %s, applied %s: %s", remedy_name(fx->id),
		 fx->applied, puts ? "what it changed goes back to how it was read before" :
		 "the rule it added is deleted");
	snprintf(fx->cost, sizeof(fx->cost), "%s", fx->id == RM_NSG_ALLOW_SSH ?
		 "SSH from this client is denied again, as before the remedy" :
		 "the path goes back to how it was before the remedy (broken, as then)");
	return 0;
}

int cloud_fix_plan(struct cloud *c, const struct model *m, enum remedy_id id,
		   struct cloud_fix *fx, char *err, size_t errlen)
{
	int rc = -1;

	memset(fx, 0, sizeof(*fx));
	fx->id = id;
	if (c->jobs) {
		snprintf(err, errlen, "the round is still running");
		return -1;
	}
	switch (id) {
	case RM_NSG_ALLOW_SSH:
		rc = plan_nsg(c, m, fx, err, errlen);
		break;
	case RM_VM_START:
	case RM_VM_RESTART:
	case RM_VM_REDEPLOY:
		rc = plan_power(c, id, fx);
		break;
	case RM_VM_RESET_SSH_CONFIG:
		rc = plan_vmaccess(c, NULL, NULL, fx, err, errlen);
		break;
	case RM_VM_RESET_CREDENTIALS:
		rc = plan_credentials(c, m, fx, err, errlen);
		break;
	case RM_ENDPOINT_NAT_PORT:
	case RM_ENDPOINT_ACL:
		rc = plan_endpoint(c, m, id, fx, err, errlen);
		break;
	case RM_VM_RESTART_SSHD:
	case RM_VM_OPEN_FIREWALL:
	case RM_VM_FIX_PERMISSIONS:
	case RM_VM_UNEXPIRE_USER:
	case RM_VM_REMOVE_NOLOGIN:
		rc = plan_run(c, m, id, fx, err, errlen);
		break;
	default:
		snprintf(err, errlen, "%s is not carried out by this build yet", remedy_name(id));
		break;
	}
	if (rc != 0)
		cloud_fix_free(fx);
	return rc;
}

/* After a remedy: its undo record kept (or, after an undo, dropped).  A record that cannot
 * be written is said in the log: the change itself stands. */
static void keep_undo(struct cloud *c)
{
	struct cloud_fix *fx = c->fix;
	struct undo_rec rec;
	char err[300];
	time_t now = time(NULL);

	if (fx->is_undo) {
		if (undo_forget(c->vm_id, err, sizeof(err)) != 0)
			model_log(c->m, "undo record: %.200s", err);
		c->m->undo.id = -1;
		return;
	}
	if (!fx->n_back)
		return;
	memset(&rec, 0, sizeof(rec));
	snprintf(rec.vm_id, sizeof(rec.vm_id), "%s", c->vm_id);
	rec.id = fx->id;
	strftime(rec.when, sizeof(rec.when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	for (int i = 0; i < fx->n_back && i < UNDO_STEPS; i++) {
		snprintf(rec.step[i].method, sizeof(rec.step[i].method), "%s", fx->back[i].method);
		snprintf(rec.step[i].url, sizeof(rec.step[i].url), "%s", fx->back[i].url);
		rec.step[i].body = fx->back[i].body;    /* borrowed */
		rec.n_steps++;
	}
	if (fx->n_back > UNDO_STEPS || undo_save(&rec, err, sizeof(err)) != 0) {
		model_log(c->m, "undo record not kept: %.200s", fx->n_back > UNDO_STEPS ?
			  "too many steps" : err);
		return;
	}
	c->m->undo.id = (int)fx->id;
	snprintf(c->m->undo.applied, sizeof(c->m->undo.applied), "%s", rec.when);
}

static void fix_end(struct cloud *c, enum state st, const char *what, const char *detail)
{
	struct model *m = c->m;

	if (st == ST_OK)
		keep_undo(c);
	m->fix.state = st;
	snprintf(m->fix.status, sizeof(m->fix.status), "%.60s%.190s", what, detail);
	m->fix.elapsed_ms = (long)(clock_ms() - c->fix_started);
	m->generation++;
	c->fixing = false;
	model_log(m, "fix %s: %s", remedy_name((enum remedy_id)m->fix.id), m->fix.status);
}

static int fix_step(struct cloud *c, int i, char *err, size_t errlen);

/* The instance view read back after an answer that left the action's fate open. */
static void on_fix_verify(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	struct vm_info vi;
	char line[300], err[300];

	if (!c->fixing)
		return;
	if (r->error[0] || r->status != 200) {
		cloud_answer_line(r, line, sizeof(line));
		snprintf(err, sizeof(err), "%.90s; reading the VM back failed too: %.90s",
			 c->fix_first, line);
		fix_end(c, ST_FAIL, "whether it happened is unknown: ", err);
	} else if (vmjson_parse(r->body, r->len, &vi, err, sizeof(err)) != 0) {
		fix_end(c, ST_FAIL, "whether it happened is unknown: ", err);
	} else if (strcmp(vi.power, "running") == 0) {
		snprintf(line, sizeof(line), "Azure answered %.90s, but the VM reads back running",
			 c->fix_first);
		fix_end(c, ST_OK, "done: ", line);
	} else if (strcmp(vi.power, "starting") == 0 && clock_ms() < c->fix_started + ARM_LRO_MAX_MS) {
		/* it did happen and is under way: look again (cloud_fix_tick) */
		c->fix_verify_at = clock_ms() + 2000;
		snprintf(c->m->fix.status, sizeof(c->m->fix.status), "Azure answered %.90s, but the "
			 "VM is starting: waiting for it", c->fix_first);
		c->m->generation++;
	} else {
		snprintf(line, sizeof(line), "%.90s; the VM reads back %.40s", c->fix_first,
			 vi.power[0] ? vi.power : "with no power state");
		fix_end(c, ST_FAIL, "Azure refused or failed it: ", line);
	}
}

/* From cloud_handle: the next read-back of a power action, when due. */
void cloud_fix_tick(struct cloud *c, long long now)
{
	char err[200];

	if (!c->fixing || !c->fix_verify_at || now < c->fix_verify_at)
		return;
	c->fix_verify_at = 0;
	if (cloud_call(c, "GET", c->fix->verify_url, NULL, 0, on_fix_verify, err, sizeof(err)) != 0)
		fix_end(c, ST_FAIL, "whether it happened is unknown: ", err);
}

/* An undo guard (add_guard) against the resource as read now: true when it still holds
 * what the remedy wrote, else false with why. */
static bool guard_holds(const struct arm_response *r, const char *guard, char *why, size_t len)
{
	cJSON *g = cJSON_Parse(guard), *doc = netjson_parse_strict(r->body, r->len, why, len), *at = doc;
	const cJSON *p, *want = cJSON_GetObjectItemCaseSensitive(g, "value");
	bool ok;

	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(g, "path")) {
		if (cJSON_IsString(p))
			at = cJSON_GetObjectItemCaseSensitive(at, p->valuestring);
		else
			at = cJSON_IsNumber(p) ? cJSON_GetArrayItem(at, p->valueint) : NULL;
	}
	ok = doc && want && at && cJSON_Compare(at, want, true);
	if (doc && !ok)
		snprintf(why, len, "it was changed after sshtriage's remedy (it no longer holds what "
			 "the remedy wrote): writing back the old state would undo that change too");
	cJSON_Delete(g);
	cJSON_Delete(doc);
	return ok;
}

static void on_fix(void *arg, const struct arm_response *r)
{
	struct cloud *c = arg;
	struct cloud_fix *fx = c->fix;
	char line[300], err[200];
	int done = c->fix_at;               /* the step that just finished */
	const struct cloud_fix_step *st = &fx->step[done];

	if (!c->fixing)
		return;
	if (fx->is_undo && !r->error[0] && r->status == 404 && strcmp(st->method, "DELETE") == 0) {
		model_log(c->m, "undo: %.200s was gone already", st->url);
	} else if (strcmp(st->method, "GET") == 0) {
		if (r->error[0] || r->status != 200)
			cloud_answer_line(r, err, sizeof(err));
		if (r->error[0] || r->status != 200 || !guard_holds(r, st->body, err, sizeof(err))) {
			const char *q = strchr(st->url, '?'), *s = st->url;

			for (const char *t = s; *t && (!q || t < q); t++)
				if (*t == '/')
					s = t + 1;      /* the resource's name: the last part of the path */
			snprintf(line, sizeof(line), "%.*s: %.200s", (int)(q && q - s < 80 ? q - s : 80),
				 s, err);
			fix_end(c, ST_FAIL, "nothing was undone: ", line);
			return;
		}
	} else if (r->error[0] || r->status >= 300 ||
	    (r->lro_status[0] && strcasecmp(r->lro_status, "Succeeded") != 0)) {
		cloud_answer_line(r, line, sizeof(line));
		/* a 5xx or a lost answer says nothing of whether the action ran: look */
		if ((r->error[0] || r->status >= 500) && fx->verify_url[0]) {
			snprintf(c->fix_first, sizeof(c->fix_first), "%.150s", line);
			if (cloud_call(c, "GET", fx->verify_url, NULL, 0, on_fix_verify, err,
				       sizeof(err)) == 0)
				return;
		}
		fix_end(c, ST_FAIL, "Azure refused or failed it: ", line);
		return;
	}
	if (fx->script) {
		struct runcmd_result out;
		struct guestfix_result *g = malloc(sizeof(*g));

		if (!g || !cloud_run_output(r, &out, line, sizeof(line))) {
			free(g);
			fix_end(c, ST_FAIL, "", g ? line : "out of memory");
			return;
		}
		guestfix_parse(out.out, out.out_len, g);
		runcmd_free(&out);
		/* the script says whether it reached its goal, and what it did */
		if (g->ok != GUEST_YES)
			fix_end(c, ST_FAIL, "the guest script did not succeed: ",
				g->err[0] ? g->err : "it gave no result (cut or killed)");
		else
			fix_end(c, ST_OK, "done: ", g->did[0] ? g->did : "nothing needed changing");
		free(g);
		return;
	}
	if (done + 1 < fx->n_steps) {
		c->fix_at = done + 1;
		if (fix_step(c, done + 1, err, sizeof(err)) != 0)
			fix_end(c, ST_FAIL, "", err);
		return;
	}
	fix_end(c, ST_OK, "done: ", fx->what);
}

static int fix_step(struct cloud *c, int i, char *err, size_t errlen)
{
	const struct cloud_fix_step *st = &c->fix->step[i];

	if (strcmp(st->method, "GET") == 0)          /* an undo guard: its body is ours */
		return cloud_call(c, "GET", st->url, NULL, 0, on_fix, err, errlen);
	/* ARM_NO_RETRY: a change is never sent twice blindly; ARM_LRO: followed to its end */
	return cloud_call(c, st->method, st->url, st->body, ARM_LRO | ARM_NO_RETRY, on_fix, err,
			  errlen);
}

int cloud_fix_start(struct cloud *c, struct model *m, struct cloud_fix *fx, char *err,
		    size_t errlen)
{
	if (c->jobs || c->fixing) {
		snprintf(err, errlen, "Azure is busy with this triage");
		return -1;
	}
	c->m = m;
	c->fix = fx;
	c->fixing = true;
	c->fix_started = clock_ms();
	m->fix.id = (int)fx->id;
	m->fix.undo = fx->is_undo;
	m->fix.state = ST_RUNNING;
	snprintf(m->fix.status, sizeof(m->fix.status), "%.250s", fx->what);
	m->fix.elapsed_ms = 0;
	c->fix_at = 0;
	c->fix_verify_at = 0;
	if (fx->script) {
		if (cloud_run_command(c, c->vm_id, fx->script, on_fix, err, errlen) != 0) {
			c->fixing = false;
			return -1;
		}
		return 0;
	}
	if (fx->n_steps < 1 || fix_step(c, 0, err, errlen) != 0) {
		if (fx->n_steps < 1)
			snprintf(err, errlen, "nothing to do");
		c->fixing = false;
		return -1;
	}
	return 0;
}

/* Appends printf-style text at *at in out (len bytes), cutting at the end. */
static void put_text(char *out, size_t len, size_t *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void put_text(char *out, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*at >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(out + *at, len - *at, fmt, ap);
	va_end(ap);
	*at = n < 0 ? len : *at + (size_t)n >= len ? len - 1 : *at + (size_t)n;
}

void cloud_fix_text(const struct cloud_fix *fx, char *out, size_t len)
{
	size_t at = 0;

	out[0] = '\0';
	if (fx->is_undo)
		put_text(out, len, &at, "Undo %s (applied %s): %s\n", remedy_name(fx->id), fx->applied,
			 remedy_title(fx->id));
	else
		put_text(out, len, &at, "Remedy %s: %s%s\n", remedy_name(fx->id), remedy_title(fx->id),
			 remedy_destructive(fx->id) ? " (DESTRUCTIVE)" : "");
	put_text(out, len, &at, "  changes: %s\n  costs:   %s\n", fx->what, fx->cost);
	if (fx->undo[0])
		put_text(out, len, &at, "  undo:    %s\n", fx->undo);
	for (int i = 0; i < fx->n_steps; i++) {
		const char *p = fx->step[i].shown;

		put_text(out, len, &at, "  %s %s\n", fx->step[i].method, fx->step[i].url);
		if (strcmp(fx->step[i].method, "GET") == 0) {     /* an undo's guard */
			put_text(out, len, &at, "    must still hold: %s\n", p ? p : "");
			continue;
		}
		while (p && *p) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);

			put_text(out, len, &at, "    %.*s\n", (int)n, p);
			p += n + (nl != NULL);
		}
	}
	if (fx->script)
		put_text(out, len, &at, "  Run Command script (runs as root in the guest):\n%s\n",
			 fx->script);
}

int cloud_fix_audit(const struct model *m, enum remedy_id id, const struct cloud_fix *fx,
		    const char *outcome, const char *status, char *err, size_t errlen)
{
	char req[1300];
	int first = 0;

	while (fx && first < fx->n_steps - 1 && strcmp(fx->step[first].method, "GET") == 0)
		first++;                 /* an undo's guards only read */
	if (fx && fx->script)
		snprintf(req, sizeof(req), "Run Command on %.1000s", m->target.azure_vm);
	else if (fx && fx->n_steps)
		snprintf(req, sizeof(req), "%s%s %.1200s%s", fx->is_undo ? "undo: " : "",
			 fx->step[first].method, fx->step[first].url,
			 fx->n_steps > first + 1 ? " (and more)" : "");
	else
		snprintf(req, sizeof(req), "none");
	return audit_append(m, remedy_name(id), req, outcome, status, err, errlen);
}
