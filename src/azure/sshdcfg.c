#include "config.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "azure/sshdcfg.h"

static void note_error(struct sshd_cfg *c, long line, const char *what)
{
	if (!c->errors++)
		snprintf(c->first_error, sizeof(c->first_error), "line %ld: %.200s", line, what);
}

static int yes_no(const char *v)
{
	if (!strcasecmp(v, "yes"))
		return SSHDCFG_YES;
	if (!strcasecmp(v, "no"))
		return SSHDCFG_NO;
	return -2;
}

/* First value wins, as in sshd. */
static void set_str(char *dst, size_t len, const char *v)
{
	if (!dst[0])
		snprintf(dst, len, "%.*s", (int)len - 1, v);
}

static void set_tri(struct sshd_cfg *c, int *dst, const char *v, long line, const char *kw)
{
	int t = yes_no(v);

	if (t == -2) {
		char m[SSHDCFG_VAL];

		snprintf(m, sizeof(m), "%.40s takes yes or no, not '%.80s'", kw, v);
		note_error(c, line, m);
	} else if (*dst == SSHDCFG_UNSET) {
		*dst = t;
	}
}

static void parse_text(const char *text, size_t len, sshdcfg_include_fn inc, void *arg,
		       struct sshd_cfg *c, int depth, bool *in_match);

static void handle(struct sshd_cfg *c, char *kw, char *val, long line, sshdcfg_include_fn inc,
		   void *arg, int depth, bool *in_match)
{
	if (!strcasecmp(kw, "Match")) {
		c->n_match++;
		*in_match = true;
		return;
	}
	if (!strcasecmp(kw, "Include")) {
		char *save = NULL;

		if (depth >= SSHDCFG_INCLUDE_DEPTH) {
			c->include_loop = true;
			note_error(c, line, "Include nested too deeply (a loop?)");
			return;
		}
		/* strtok_r keeps its place per level, so nested Includes do not disturb it */
		for (char *pat = strtok_r(val, " \t", &save); pat; pat = strtok_r(NULL, " \t", &save)) {
			size_t n = 0;
			const char *t = inc ? inc(arg, pat, &n) : NULL;

			if (t && c->n_include >= SSHDCFG_INCLUDE_MAX) {
				c->include_loop = true;
				note_error(c, line, "too many Included files (a loop?)");
				return;
			}
			if (t) {
				c->n_include++;
				parse_text(t, n, inc, arg, c, depth + 1, in_match);
			}
		}
		return;
	}
	if (*in_match)
		return;      /* conditional: not the global setting */
	if (!strcasecmp(kw, "Port")) {
		char *end;
		long p = strtol(val, &end, 10);

		if (*end || p < 1 || p > 65535)
			note_error(c, line, "bad Port");
		else if (c->n_ports < SSHDCFG_PORTS_MAX)
			c->ports[c->n_ports++] = (int)p;
	} else if (!strcasecmp(kw, "ListenAddress")) {
		if (c->n_listen < SSHDCFG_PORTS_MAX)
			snprintf(c->listen[c->n_listen++], SSHDCFG_VAL, "%.*s", SSHDCFG_VAL - 1, val);
	} else if (!strcasecmp(kw, "PubkeyAuthentication")) {
		set_tri(c, &c->pubkey, val, line, kw);
	} else if (!strcasecmp(kw, "PasswordAuthentication")) {
		set_tri(c, &c->password, val, line, kw);
	} else if (!strcasecmp(kw, "StrictModes")) {
		set_tri(c, &c->strict_modes, val, line, kw);
	} else if (!strcasecmp(kw, "PermitRootLogin")) {
		set_str(c->permit_root, sizeof(c->permit_root), val);
	} else if (!strcasecmp(kw, "AllowUsers")) {
		set_str(c->allow_users, sizeof(c->allow_users), val);
	} else if (!strcasecmp(kw, "DenyUsers")) {
		set_str(c->deny_users, sizeof(c->deny_users), val);
	} else if (!strcasecmp(kw, "AllowGroups")) {
		set_str(c->allow_groups, sizeof(c->allow_groups), val);
	} else if (!strcasecmp(kw, "DenyGroups")) {
		set_str(c->deny_groups, sizeof(c->deny_groups), val);
	} else if (!strcasecmp(kw, "AuthenticationMethods")) {
		set_str(c->auth_methods, sizeof(c->auth_methods), val);
	} else if (!strcasecmp(kw, "AuthorizedKeysFile")) {
		set_str(c->authorized_keys_file, sizeof(c->authorized_keys_file), val);
	}
}

static void parse_text(const char *text, size_t len, sshdcfg_include_fn inc, void *arg,
		       struct sshd_cfg *c, int depth, bool *in_match)
{
	const char *p = text, *end = text + len;
	long line = 0;
	bool outer_match = *in_match;

	/* a Match inside an included file ends with that file, as in sshd */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		char buf[SSHDCFG_LINE_MAX], *kw, *val;

		line++;
		if (n >= sizeof(buf)) {
			note_error(c, line, "line too long");
			p = nl ? nl + 1 : end;
			continue;
		}
		memcpy(buf, p, n);
		buf[n] = '\0';
		p = nl ? nl + 1 : end;
		buf[strcspn(buf, "\r")] = '\0';
		kw = buf + strspn(buf, " \t");
		if (!*kw || *kw == '#')
			continue;
		val = kw + strcspn(kw, " \t=");
		if (*val)
			*val++ = '\0';
		val += strspn(val, " \t=");
		while (*val && isspace((unsigned char)val[strlen(val) - 1]))
			val[strlen(val) - 1] = '\0';
		if (!*val) {
			char m[SSHDCFG_VAL];

			snprintf(m, sizeof(m), "%.60s has no value", kw);
			note_error(c, line, m);
			continue;
		}
		handle(c, kw, val, line, inc, arg, depth, in_match);
	}
	if (depth > 0)
		*in_match = outer_match;
}

void sshdcfg_parse(const char *text, size_t len, sshdcfg_include_fn inc, void *arg,
		   struct sshd_cfg *cfg)
{
	bool in_match = false;

	memset(cfg, 0, sizeof(*cfg));
	cfg->pubkey = cfg->password = cfg->strict_modes = SSHDCFG_UNSET;
	parse_text(text, len, inc, arg, cfg, 0, &in_match);
}

int sshdcfg_ports(const struct sshd_cfg *cfg, int *ports, int max)
{
	if (cfg->n_ports == 0) {
		if (max > 0)
			ports[0] = 22;
		return 1;
	}
	for (int i = 0; i < cfg->n_ports && i < max; i++)
		ports[i] = cfg->ports[i];
	return cfg->n_ports;
}

bool sshdcfg_pubkey_offered(const struct sshd_cfg *cfg)
{
	if (cfg->pubkey == SSHDCFG_NO)
		return false;
	/* "AuthenticationMethods password" alone leaves no room for a key */
	if (cfg->auth_methods[0] && strcmp(cfg->auth_methods, "any") != 0 &&
	    !strstr(cfg->auth_methods, "publickey"))
		return false;
	return true;
}

/* Any pattern of list (space-separated, user or user@host) matching user. */
static bool list_matches(const char *list, const char *user)
{
	char copy[SSHDCFG_VAL], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", list);
	for (char *pat = strtok_r(copy, " \t,", &save); pat; pat = strtok_r(NULL, " \t,", &save)) {
		char *at = strchr(pat, '@');

		if (at)
			*at = '\0';
		if (fnmatch(pat, user, 0) == 0)
			return true;
	}
	return false;
}

bool sshdcfg_user_allowed(const struct sshd_cfg *cfg, const char *user, char *why, size_t whylen)
{
	why[0] = '\0';
	if (cfg->deny_users[0] && list_matches(cfg->deny_users, user)) {
		snprintf(why, whylen, "DenyUsers %.200s matches %.40s", cfg->deny_users, user);
		return false;
	}
	if (cfg->allow_users[0] && !list_matches(cfg->allow_users, user)) {
		snprintf(why, whylen, "AllowUsers %.200s does not list %.40s", cfg->allow_users, user);
		return false;
	}
	if (cfg->allow_groups[0] || cfg->deny_groups[0])
		snprintf(why, whylen, "AllowGroups/DenyGroups are set: group membership not checked here");
	return true;
}
