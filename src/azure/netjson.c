#include "config.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azure/netjson.h"

/* Where the first error goes.  Every helper returns -1 after writing it, so callers only
 * pass the failure up. */
struct jx {
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct jx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->err && x->errlen) {
		va_start(ap, fmt);
		vsnprintf(x->err, x->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void clear_err(char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
}

/* "where.key", or "key" at the root.  Paths hold only our own keys and indexes. */
static void path(char *buf, size_t len, const char *where, const char *key)
{
	snprintf(buf, len, "%.*s%s%.*s", 120, where, where[0] ? "." : "", 60, key);
}

static void path_index(char *buf, size_t len, const char *where, const char *key, int i)
{
	snprintf(buf, len, "%.*s%s%.*s[%d]", 120, where, where[0] ? "." : "", 60, key, i);
}

#define PATH_LEN 200

static const char *type_name(const cJSON *v)
{
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsObject(v))
		return "an object";
	return "something unknown";
}

/* ---------------------------------------------------------------- parsing */

/* A NUL byte, or a \u0000 escape inside a string: cJSON would cut the string there. */
static bool nul_at(const char *s, size_t len, size_t *off)
{
	bool in_str = false;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\0') {
			*off = i;
			return true;
		}
		if (!in_str) {
			if (s[i] == '"')
				in_str = true;
			continue;
		}
		if (s[i] == '"') {
			in_str = false;
		} else if (s[i] == '\\' && i + 1 < len && s[i + 1] != '\0') {
			if (s[i + 1] == 'u' && i + 5 < len && memcmp(s + i + 2, "0000", 4) == 0) {
				*off = i;
				return true;
			}
			i++;   /* the escaped character, so \\" does not end the string */
		}
	}
	return false;
}

static cJSON *parse(struct jx *x, const char *text, size_t len)
{
	const char *end = NULL;
	char *copy;
	cJSON *root;
	size_t off;

	if (!text || len == 0) {
		fail(x, "empty body");
		return NULL;
	}
	if (len > NETJSON_MAX_BODY) {
		fail(x, "body of %zu bytes is over the %u-byte limit", len, NETJSON_MAX_BODY);
		return NULL;
	}
	if (nul_at(text, len, &off)) {
		fail(x, "NUL character (\\u0000) at byte %zu: refused, a string would be cut short", off);
		return NULL;
	}
	/* Exact length for the parser, and a NUL after it so no reader can run past the end. */
	copy = malloc(len + 1);
	if (!copy) {
		fail(x, "out of memory");
		return NULL;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	root = cJSON_ParseWithLengthOpts(copy, len, &end, 0);
	if (!root) {
		off = end ? (size_t)(end - copy) : 0;
		free(copy);
		fail(x, "not valid JSON (stopped at byte %zu of %zu%s)", off, len,
		     off + 1 >= len ? ": truncated?" : "");
		return NULL;
	}
	off = end ? (size_t)(end - copy) : len;
	while (off < len && (copy[off] == ' ' || copy[off] == '\t' || copy[off] == '\r' ||
			     copy[off] == '\n'))
		off++;
	free(copy);
	if (off < len) {
		cJSON_Delete(root);
		fail(x, "trailing data after the JSON value, at byte %zu of %zu", off, len);
		return NULL;
	}
	if (!cJSON_IsObject(root)) {
		fail(x, "expected a JSON object, got %s", type_name(root));
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

static int by_key(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* The first key given twice in any object of the tree, or NULL.  Sorting keeps a 100 000-key
 * object cheap; small objects are compared pairwise. */
static const char *dup_key(const cJSON *v, bool *oom)
{
	const char *d = NULL;
	size_t n = 0, i = 0;
	const cJSON **keys;

	for (const cJSON *c = v->child; c; c = c->next) {
		n++;
		if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && (d = dup_key(c, oom)) != NULL)
			return d;
	}
	if (!cJSON_IsObject(v) || n < 2)
		return NULL;
	if (n <= 16) {
		for (const cJSON *a = v->child; a; a = a->next)
			for (const cJSON *b = a->next; b; b = b->next)
				if (a->string && b->string && strcmp(a->string, b->string) == 0)
					return a->string;
		return NULL;
	}
	keys = malloc(n * sizeof(*keys));
	if (!keys) {
		*oom = true;
		return NULL;
	}
	for (const cJSON *c = v->child; c; c = c->next)
		if (c->string)
			keys[i++] = c;
	qsort(keys, i, sizeof(*keys), by_key);
	for (size_t k = 1; k < i && !d; k++)
		if (strcmp(keys[k - 1]->string, keys[k]->string) == 0)
			d = keys[k]->string;
	free(keys);
	return d;
}

cJSON *netjson_parse_strict(const char *text, size_t len, char *err, size_t errlen)
{
	struct jx x = { err, errlen };
	cJSON *root;
	const char *d;
	bool oom = false;

	clear_err(err, errlen);
	root = parse(&x, text, len);
	if (!root)
		return NULL;
	d = dup_key(root, &oom);
	if (d || oom) {
		if (oom)
			fail(&x, "out of memory");
		else
			fail(&x, "key \"%.60s\" given twice in one object: which one counts is undefined", d);
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* ---------------------------------------------------------------- typed members */

enum { T_OBJ = 1, T_ARR = 2, T_STR = 4, T_NUM = 8, T_BOOL = 16 };

static int type_bit(const cJSON *v)
{
	if (cJSON_IsObject(v))
		return T_OBJ;
	if (cJSON_IsArray(v))
		return T_ARR;
	if (cJSON_IsString(v) && v->valuestring)
		return T_STR;
	if (cJSON_IsNumber(v))
		return T_NUM;
	if (cJSON_IsBool(v))
		return T_BOOL;
	return 0;
}

static const char *want_name(int types)
{
	switch (types) {
	case T_OBJ: return "an object";
	case T_ARR: return "an array";
	case T_STR: return "a string";
	case T_NUM: return "a number";
	case T_BOOL: return "true or false";
	case T_STR | T_NUM: return "a string or a number";
	}
	return "something else";
}

/* Looks key up in o.  1: found with an accepted type; 0: absent or null and not required;
 * -1: error.  A key given twice is an error: JSON leaves it undefined which one counts. */
static int get(struct jx *x, const cJSON *o, const char *where, const char *key, int types,
	       bool required, const cJSON **out)
{
	const cJSON *v = NULL;
	char p[PATH_LEN];

	*out = NULL;
	for (const cJSON *c = o->child; c; c = c->next) {
		if (!c->string || strcmp(c->string, key) != 0)
			continue;
		if (v) {
			path(p, sizeof(p), where, key);
			return fail(x, "%s: duplicate key", p);
		}
		v = c;
	}
	if (!v || cJSON_IsNull(v)) {
		if (!required)
			return 0;
		path(p, sizeof(p), where, key);
		return fail(x, "%s: %s", p, v ? "is null" : "missing");
	}
	if (!(type_bit(v) & types)) {
		path(p, sizeof(p), where, key);
		return fail(x, "%s: expected %s, got %s", p, want_name(types), type_name(v));
	}
	*out = v;
	return 1;
}

/* Copies s.  Too long: an error for identifiers (cut == false), cut at a UTF-8 boundary for
 * free text. */
static int put_str(struct jx *x, const char *s, const char *p, char *buf, size_t buflen, bool cut)
{
	size_t n = strlen(s);

	if (n >= buflen) {
		if (!cut)
			return fail(x, "%s: %zu bytes, more than the %zu this field holds", p, n, buflen - 1);
		n = buflen - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 1;
}

static int get_str(struct jx *x, const cJSON *o, const char *where, const char *key, bool required,
		   char *buf, size_t buflen, bool cut)
{
	const cJSON *v;
	char p[PATH_LEN];
	int rc = get(x, o, where, key, T_STR, required, &v);

	buf[0] = '\0';
	if (rc <= 0)
		return rc;
	path(p, sizeof(p), where, key);
	return put_str(x, v->valuestring, p, buf, buflen, cut);
}

static int check_int(struct jx *x, double d, const char *p, long min, long max, int *out)
{
	/* Written so that NaN and infinities fail too. */
	if (!(d >= (double)min && d <= (double)max) || d != (double)(long)d)
		return fail(x, "%s: %.17g is not a whole number in %ld..%ld", p, d, min, max);
	*out = (int)d;
	return 1;
}

static int get_int(struct jx *x, const cJSON *o, const char *where, const char *key, bool required,
		   long min, long max, int *out)
{
	const cJSON *v;
	char p[PATH_LEN];
	int rc = get(x, o, where, key, T_NUM, required, &v);

	if (rc <= 0)
		return rc;
	path(p, sizeof(p), where, key);
	return check_int(x, v->valuedouble, p, min, max, out);
}

/* A port given as 8080 or "8080" (firewall policies use strings). */
static int get_port(struct jx *x, const cJSON *o, const char *where, const char *key, int *out)
{
	const cJSON *v;
	char p[PATH_LEN];
	int rc = get(x, o, where, key, T_STR | T_NUM, false, &v);
	long n = 0;
	size_t len;

	*out = -1;
	if (rc <= 0)
		return rc;
	path(p, sizeof(p), where, key);
	if (cJSON_IsNumber(v))
		return check_int(x, v->valuedouble, p, 0, 65535, out);
	len = strlen(v->valuestring);
	if (len == 0 || len > 5)
		return fail(x, "%s: '%.*s' is not a port number", p, 16, v->valuestring);
	for (size_t i = 0; i < len; i++) {
		if (v->valuestring[i] < '0' || v->valuestring[i] > '9')
			return fail(x, "%s: '%.*s' is not a port number", p, 16, v->valuestring);
		n = n * 10 + (v->valuestring[i] - '0');
	}
	if (n > 65535)
		return fail(x, "%s: %ld is not a port number", p, n);
	*out = (int)n;
	return 1;
}

static int get_bool(struct jx *x, const cJSON *o, const char *where, const char *key, bool *out)
{
	const cJSON *v;
	int rc = get(x, o, where, key, T_BOOL, false, &v);

	*out = false;
	if (rc <= 0)
		return rc;
	*out = cJSON_IsTrue(v);
	return 1;
}

/* key: {"id": "..."}; buf is "" when absent. */
static int get_id(struct jx *x, const cJSON *o, const char *where, const char *key, bool required,
		  char *buf, size_t buflen)
{
	const cJSON *v;
	char p[PATH_LEN];
	int rc = get(x, o, where, key, T_OBJ, required, &v);

	buf[0] = '\0';
	if (rc <= 0)
		return rc;
	path(p, sizeof(p), where, key);
	return get_str(x, v, p, "id", true, buf, buflen, false);
}

/* An IP address member: must parse; "a.b.c.d/nn" gives the address and *prefix. */
static int get_ip(struct jx *x, const cJSON *o, const char *where, const char *key, char *buf,
		  size_t buflen, int *prefix)
{
	char p[PATH_LEN], *slash;
	struct nsg_ip ip;
	int rc = get_str(x, o, where, key, false, buf, buflen, false);

	if (prefix)
		*prefix = -1;
	if (rc <= 0)
		return rc;
	path(p, sizeof(p), where, key);
	slash = strchr(buf, '/');
	if (slash && prefix) {
		struct nsg_addr a;

		if (!nsg_parse_addr(buf, strlen(buf), &a) || a.kind != NSG_ADDR_NET)
			return fail(x, "%s: '%.*s' is not an IP address", p, 64, buf);
		*prefix = a.bits;
		*slash = '\0';
	}
	if (!nsg_parse_ip(buf, strlen(buf), &ip))
		return fail(x, "%s: '%.*s' is not an IP address", p, 64, buf);
	return 1;
}

static int count(const cJSON *arr)
{
	int n = 0;

	for (const cJSON *c = arr ? arr->child : NULL; c && n <= NETJSON_MAX_LIST; c = c->next)
		n++;
	return n;
}

static int check_count(struct jx *x, const cJSON *arr, const char *where, const char *key, int max)
{
	char p[PATH_LEN];

	if (count(arr) > max) {
		path(p, sizeof(p), where, key);
		return fail(x, "%s: more than %d elements", p, max);
	}
	return 0;
}

/* ---------------------------------------------------------------- tables of objects */

/* Maps one object c (at where) into item.  0 or -1. */
typedef int (*item_fn)(struct jx *x, const cJSON *c, const char *where, void *item);
/* Frees what an item holds (not the item). */
typedef void (*item_done_fn)(void *item);

/* The objects of arr (where.key) mapped by fn, elsize bytes each: the first keep into items
 * (counted in *n before they are mapped, so a free after a failure sees the last one too),
 * the others into a scratch item, so they are checked as well, and counted in *dropped. */
static int map_items(struct jx *x, const cJSON *arr, const char *where, const char *key,
		     size_t elsize, item_fn fn, void *items, int keep, int *n, int *dropped)
{
	char p[PATH_LEN], *scratch = NULL;
	int i = 0, rc = 0;

	for (const cJSON *c = arr->child; c && rc == 0; c = c->next, i++) {
		char *item = i < keep ? (char *)items + (size_t)i * elsize : NULL;

		path_index(p, sizeof(p), where, key, i);
		if (item) {
			(*n)++;
		} else {
			if (!scratch && !(scratch = malloc(elsize))) {
				rc = fail(x, "out of memory");
				break;
			}
			memset(scratch, 0, elsize);
			item = scratch;
			(*dropped)++;
		}
		if (!cJSON_IsObject(c))
			rc = fail(x, "%s: expected an object, got %s", p, type_name(c));
		else
			rc = fn(x, c, p, item) < 0 ? -1 : 0;
	}
	free(scratch);
	return rc;
}

/* key: an optional array of objects into a fixed table items (keep of them).  More than limit
 * elements is an error; past keep (<= limit) they are counted in *dropped. */
static int get_first(struct jx *x, const cJSON *o, const char *where, const char *key, int limit,
		     size_t elsize, item_fn fn, void *items, int keep, int *n, int *dropped)
{
	const cJSON *arr;
	int rc = get(x, o, where, key, T_ARR, false, &arr);

	*n = *dropped = 0;
	if (rc <= 0)
		return rc;
	if (check_count(x, arr, where, key, limit) < 0)
		return -1;
	return map_items(x, arr, where, key, elsize, fn, items, keep, n, dropped) < 0 ? -1 : 1;
}

struct table {
	void *v;        /* calloc'd, n items; NULL when there are none */
	int n;
};

static void table_free(struct table *t, size_t elsize, item_done_fn done)
{
	for (int i = 0; done && i < t->n; i++)
		done((char *)t->v + (size_t)i * elsize);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* key: an array of at most max objects into a new table.  On error nothing is kept (done, may
 * be NULL, frees what an item holds). */
static int get_table(struct jx *x, const cJSON *o, const char *where, const char *key,
		     bool required, int max, size_t elsize, item_fn fn, item_done_fn done,
		     struct table *t)
{
	const cJSON *arr;
	int rc = get(x, o, where, key, T_ARR, required, &arr), dropped = 0;

	t->v = NULL;
	t->n = 0;
	if (rc <= 0)
		return rc;
	if (check_count(x, arr, where, key, max) < 0)
		return -1;
	if (!arr->child)
		return 1;
	t->v = calloc((size_t)count(arr), elsize);
	if (!t->v)
		return fail(x, "out of memory");
	if (map_items(x, arr, where, key, elsize, fn, t->v, count(arr), &t->n, &dropped) < 0) {
		table_free(t, elsize, done);
		return -1;
	}
	return 1;
}

/* {"id": "..."} into a char[NETJSON_ID_LEN] item. */
static int map_id(struct jx *x, const cJSON *c, const char *where, void *item)
{
	return get_str(x, c, where, "id", true, item, NETJSON_ID_LEN, false) < 0 ? -1 : 0;
}

/* Parses the body and maps the root object with fn (where ""); out (outsize bytes, may be 0)
 * is zeroed first. */
static int map_body(const char *text, size_t len, item_fn fn, void *out, size_t outsize,
		    char *err, size_t errlen)
{
	struct jx x = {err, errlen};
	cJSON *root;
	int rc;

	clear_err(err, errlen);
	if (outsize)
		memset(out, 0, outsize);
	root = parse(&x, text, len);
	if (!root)
		return -1;
	rc = fn(&x, root, "", out) < 0 ? -1 : 0;
	cJSON_Delete(root);
	return rc;
}

/* Not tolower: the locale (a Turkish one lowers 'I' to a dotless i) must not matter. */
static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Without ASCII case and spaces: "West Europe" == "westeurope", "inprogress" == "InProgress". */
static bool same_word(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ')
			a++;
		while (*b == ' ')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if (ascii_lower(*a) != ascii_lower(*b))
			return false;
		a++;
		b++;
	}
}

/* ---------------------------------------------------------------- security rules */

static const char *const side_key[2][5] = {
	{"sourceAddressPrefix", "sourceAddressPrefixes", "expandedSourceAddressPrefix",
	 "sourceApplicationSecurityGroups", "source"},
	{"destinationAddressPrefix", "destinationAddressPrefixes", "expandedDestinationAddressPrefix",
	 "destinationApplicationSecurityGroups", "destination"},
};
static const char *const port_key[2][2] = {
	{"sourcePortRange", "sourcePortRanges"},
	{"destinationPortRange", "destinationPortRanges"},
};

static int bound_fail(struct jx *x, const char *p)
{
	return fail(x, "%s: too many items (at most %d in a list, %d in one NSG)", p, NSG_MAX_ITEMS,
		    NSG_MAX_TOTAL_ITEMS);
}

static int add_str_items(struct jx *x, struct nsg *n, struct nsg_rule *r, enum nsg_side s,
			 const cJSON *arr, const char *where, const char *key, bool ports)
{
	char p[PATH_LEN];
	int i = 0;

	for (const cJSON *c = arr->child; c; c = c->next, i++) {
		size_t len;
		int rc;

		path_index(p, sizeof(p), where, key, i);
		if (!cJSON_IsString(c) || !c->valuestring)
			return fail(x, "%s: expected a string, got %s", p, type_name(c));
		len = strlen(c->valuestring);
		rc = ports ? nsg_rule_add_ports(n, r, s, c->valuestring, len)
			   : nsg_rule_add_addr(n, r, s, c->valuestring, len);
		if (rc < 0)
			return bound_fail(x, p);
	}
	return i;
}

static int map_side(struct jx *x, struct nsg *n, struct nsg_rule *r, const cJSON *props,
		    const char *where, enum nsg_side s, bool effective)
{
	const char *const *k = side_key[s];
	const cJSON *single, *plural, *expanded = NULL, *asgs, *list = NULL;
	const char *list_key = NULL;
	char p[PATH_LEN];
	int added = 0, i = 0, rc;

	if (get(x, props, where, k[0], T_STR, false, &single) < 0 ||
	    get(x, props, where, k[1], T_ARR, false, &plural) < 0 ||
	    (effective && get(x, props, where, k[2], T_ARR, false, &expanded) < 0) ||
	    get(x, props, where, k[3], T_ARR, false, &asgs) < 0)
		return -1;
	/* What Azure expanded a tag to beats our reading of the tag; plural beats singular. */
	if (expanded && expanded->child && count(expanded) <= NSG_MAX_ITEMS) {
		list = expanded;
		list_key = k[2];
	} else if (plural && plural->child) {
		list = plural;
		list_key = k[1];
	}
	if (list) {
		if ((rc = add_str_items(x, n, r, s, list, where, list_key, false)) < 0)
			return -1;
		added += rc;
	} else if (single) {
		path(p, sizeof(p), where, k[0]);
		if (nsg_rule_add_addr(n, r, s, single->valuestring, strlen(single->valuestring)) < 0)
			return bound_fail(x, p);
		added++;
	}
	for (const cJSON *c = asgs ? asgs->child : NULL; c; c = c->next, i++) {
		char id[NETJSON_ID_LEN];

		path_index(p, sizeof(p), where, k[3], i);
		if (!cJSON_IsObject(c))
			return fail(x, "%s: expected an object, got %s", p, type_name(c));
		if (get_str(x, c, p, "id", true, id, sizeof(id), false) < 0)
			return -1;
		if (nsg_rule_add_asg(n, r, s, id) < 0)
			return bound_fail(x, p);
		added++;
	}
	if (!added)
		return fail(x, "%s: no %s address prefix or application security group", where, k[4]);
	return 0;
}

static int map_ports(struct jx *x, struct nsg *n, struct nsg_rule *r, const cJSON *props,
		     const char *where, enum nsg_side s)
{
	const cJSON *single, *plural;
	char p[PATH_LEN];

	if (get(x, props, where, port_key[s][0], T_STR, false, &single) < 0 ||
	    get(x, props, where, port_key[s][1], T_ARR, false, &plural) < 0)
		return -1;
	if (plural && plural->child)
		return add_str_items(x, n, r, s, plural, where, port_key[s][1], true) < 0 ? -1 : 0;
	if (single) {
		path(p, sizeof(p), where, port_key[s][0]);
		if (nsg_rule_add_ports(n, r, s, single->valuestring, strlen(single->valuestring)) < 0)
			return bound_fail(x, p);
		return 0;
	}
	return fail(x, "%s: no %s port range", where, side_key[s][4]);
}

/* A string member that must be one of a few words, read by parse_fn. */
#define GET_ENUM(x, o, where, key, parse_fn, outp, what)                                       \
	do {                                                                                   \
		char b_[24], p_[PATH_LEN];                                                     \
		if (get_str(x, o, where, key, true, b_, sizeof(b_), true) < 0)                 \
			return -1;                                                             \
		if (!parse_fn(b_, strlen(b_), outp)) {                                         \
			path(p_, sizeof(p_), where, key);                                      \
			return fail(x, "%s: '%.*s' is not %s", p_, 20, b_, what);              \
		}                                                                              \
	} while (0)

static int map_rule(struct jx *x, struct nsg *n, const cJSON *item, const char *where,
		    bool is_default, bool effective)
{
	char name[NSG_NAME_LEN], pw[PATH_LEN];
	const char *shown = name;
	const cJSON *props = item;
	int prio;
	enum nsg_access access;
	enum nsg_dir dir;
	enum nsg_proto proto;
	struct nsg_rule *r;

	if (!cJSON_IsObject(item))
		return fail(x, "%s: expected an object, got %s", where, type_name(item));
	if (get_str(x, item, where, "name", true, name, sizeof(name), false) < 0)
		return -1;
	if (effective) {
		/* Effective rules are flat and named "securityRules/x" or "defaultSecurityRules/x". */
		snprintf(pw, sizeof(pw), "%s", where);
		if (strncmp(name, "securityRules/", 14) == 0) {
			shown = name + 14;
		} else if (strncmp(name, "defaultSecurityRules/", 21) == 0) {
			shown = name + 21;
			is_default = true;
		}
	} else {
		path(pw, sizeof(pw), where, "properties");
		if (get(x, item, where, "properties", T_OBJ, true, &props) < 0)
			return -1;
	}
	if (get_int(x, props, pw, "priority", true, 0, 65535, &prio) < 0)
		return -1;
	GET_ENUM(x, props, pw, "access", nsg_parse_access, &access, "Allow or Deny");
	GET_ENUM(x, props, pw, "direction", nsg_parse_dir, &dir, "Inbound or Outbound");
	GET_ENUM(x, props, pw, "protocol", nsg_parse_proto, &proto, "Tcp, Udp, Icmp, Esp, Ah, * or All");
	r = nsg_add_rule(n, shown, prio, dir, access, proto, is_default);
	if (!r)
		return fail(x, "%s: more than %d rules in one NSG", where, NSG_MAX_RULES);
	if (map_side(x, n, r, props, pw, NSG_SRC, effective) < 0 ||
	    map_side(x, n, r, props, pw, NSG_DST, effective) < 0 ||
	    map_ports(x, n, r, props, pw, NSG_SRC) < 0 || map_ports(x, n, r, props, pw, NSG_DST) < 0)
		return -1;
	return 0;
}

static int map_rules(struct jx *x, struct nsg *n, const cJSON *arr, const char *where,
		     const char *key, bool is_default, bool effective)
{
	char p[PATH_LEN];
	int i = 0;

	for (const cJSON *c = arr->child; c; c = c->next, i++) {
		path_index(p, sizeof(p), where, key, i);
		if (map_rule(x, n, c, p, is_default, effective) < 0)
			return -1;
	}
	return i;
}

struct nsg *netjson_nsg(const char *text, size_t len, char *err, size_t errlen)
{
	struct jx x = {err, errlen};
	char name[NSG_NAME_LEN], id[NSG_ID_LEN];
	const cJSON *props, *rules, *defaults;
	struct nsg *n = NULL;
	cJSON *root;

	clear_err(err, errlen);
	root = parse(&x, text, len);
	if (!root)
		return NULL;
	if (get_str(&x, root, "", "name", true, name, sizeof(name), false) < 0 ||
	    get_str(&x, root, "", "id", true, id, sizeof(id), false) < 0 ||
	    get(&x, root, "", "properties", T_OBJ, true, &props) < 0 ||
	    get(&x, props, "properties", "securityRules", T_ARR, false, &rules) < 0 ||
	    get(&x, props, "properties", "defaultSecurityRules", T_ARR, false, &defaults) < 0)
		goto bad;
	n = nsg_new(name, id);
	if (!n) {
		fail(&x, "out of memory");
		goto bad;
	}
	if ((rules && map_rules(&x, n, rules, "properties", "securityRules", false, false) < 0) ||
	    (defaults && map_rules(&x, n, defaults, "properties", "defaultSecurityRules", true,
				   false) < 0))
		goto bad;
	cJSON_Delete(root);
	return n;
bad:
	nsg_free(n);
	cJSON_Delete(root);
	return NULL;
}

int netjson_rule_list(const char *text, size_t len, struct nsg *n, bool is_default, char *err,
		      size_t errlen)
{
	struct jx x = {err, errlen};
	const cJSON *value;
	cJSON *root;
	int rc = -1;

	clear_err(err, errlen);
	if (!n)
		return fail(&x, "no NSG to add the rules to");
	root = parse(&x, text, len);
	if (!root)
		return -1;
	if (get(&x, root, "", "value", T_ARR, true, &value) > 0)
		rc = map_rules(&x, n, value, "", "value", is_default, false);
	cJSON_Delete(root);
	return rc;
}

int netjson_rule(const char *text, size_t len, struct nsg *n, bool is_default, char *err,
		 size_t errlen)
{
	struct jx x = {err, errlen};
	cJSON *root;
	int rc;

	clear_err(err, errlen);
	if (!n)
		return fail(&x, "no NSG to add the rule to");
	root = parse(&x, text, len);
	if (!root)
		return -1;
	rc = map_rule(&x, n, root, "", is_default, false);
	cJSON_Delete(root);
	return rc;
}

void netjson_id_name(const char *id, char *out, size_t outlen)
{
	size_t end, start;

	if (!outlen)
		return;
	out[0] = '\0';
	if (!id)
		return;
	end = strlen(id);
	while (end > 0 && id[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && id[start - 1] != '/')
		start--;
	snprintf(out, outlen, "%.*s", (int)(end - start), id + start);
}

struct netjson_effective *netjson_effective(const char *text, size_t len, char *err,
					    size_t errlen)
{
	struct jx x = {err, errlen};
	struct netjson_effective *e = NULL;
	const cJSON *value;
	cJSON *root;
	int i = 0;

	clear_err(err, errlen);
	root = parse(&x, text, len);
	if (!root)
		return NULL;
	if (get(&x, root, "", "value", T_ARR, true, &value) < 0 ||
	    check_count(&x, value, "", "value", NETJSON_MAX_EFFECTIVE) < 0)
		goto bad;
	e = calloc(1, sizeof(*e));
	if (!e) {
		fail(&x, "out of memory");
		goto bad;
	}
	for (const cJSON *c = value->child; c; c = c->next, i++) {
		struct netjson_effective_nsg *it = &e->item[e->n];
		const cJSON *assoc, *rules;
		char p[PATH_LEN], pa[PATH_LEN], name[NSG_NAME_LEN];

		path_index(p, sizeof(p), "", "value", i);
		if (!cJSON_IsObject(c)) {
			fail(&x, "%s: expected an object, got %s", p, type_name(c));
			goto bad;
		}
		path(pa, sizeof(pa), p, "association");
		if (get_id(&x, c, p, "networkSecurityGroup", true, it->nsg_id, sizeof(it->nsg_id)) < 0 ||
		    get(&x, c, p, "association", T_OBJ, false, &assoc) < 0 ||
		    (assoc && get_id(&x, assoc, pa, "subnet", false, it->subnet_id,
				     sizeof(it->subnet_id)) < 0) ||
		    (assoc && get_id(&x, assoc, pa, "networkInterface", false, it->nic_id,
				     sizeof(it->nic_id)) < 0) ||
		    get(&x, c, p, "effectiveSecurityRules", T_ARR, false, &rules) < 0)
			goto bad;
		netjson_id_name(it->nsg_id, name, sizeof(name));
		it->nsg = nsg_new(name, it->nsg_id);
		if (!it->nsg) {
			fail(&x, "out of memory");
			goto bad;
		}
		e->n++;
		if (rules && map_rules(&x, it->nsg, rules, p, "effectiveSecurityRules", false, true) < 0)
			goto bad;
	}
	cJSON_Delete(root);
	return e;
bad:
	netjson_effective_free(e);
	cJSON_Delete(root);
	return NULL;
}

void netjson_effective_free(struct netjson_effective *e)
{
	if (!e)
		return;
	for (int i = 0; i < e->n; i++)
		nsg_free(e->item[i].nsg);
	free(e);
}

/* ---------------------------------------------------------------- NIC */

/* key: [{"id": ...}, ...] into a fixed table of ids; more than max is an error. */
static int get_id_list(struct jx *x, const cJSON *o, const char *where, const char *key,
		       char (*ids)[NETJSON_ID_LEN], int max, int *n)
{
	int dropped;

	return get_first(x, o, where, key, max, NETJSON_ID_LEN, map_id, ids, max, n, &dropped);
}

static int map_ipconf(struct jx *x, const cJSON *c, const char *where, void *item)
{
	struct netjson_ipconf *ic = item;
	const cJSON *props;
	char pp[PATH_LEN];
	int plen = -1;

	ic->prefix_len = -1;
	path(pp, sizeof(pp), where, "properties");
	if (get_str(x, c, where, "name", true, ic->name, sizeof(ic->name), false) < 0 ||
	    get_str(x, c, where, "id", false, ic->id, sizeof(ic->id), false) < 0 ||
	    get(x, c, where, "properties", T_OBJ, true, &props) < 0 ||
	    get_ip(x, props, pp, "privateIPAddress", ic->private_ip, sizeof(ic->private_ip),
		   &ic->prefix_len) < 0 ||
	    get_int(x, props, pp, "privateIPAddressPrefixLength", false, 0, 128, &plen) < 0 ||
	    get_id(x, props, pp, "publicIPAddress", false, ic->public_ip_id,
		   sizeof(ic->public_ip_id)) < 0 ||
	    get_id(x, props, pp, "subnet", false, ic->subnet_id, sizeof(ic->subnet_id)) < 0 ||
	    get_bool(x, props, pp, "primary", &ic->primary) < 0 ||
	    get_id_list(x, props, pp, "loadBalancerInboundNatRules", ic->nat_rule_ids,
			NETJSON_MAX_NAT, &ic->n_nat) < 0 ||
	    get_id_list(x, props, pp, "applicationSecurityGroups", ic->asg_ids, NETJSON_MAX_ASG,
			&ic->n_asg) < 0)
		return -1;
	if (ic->prefix_len < 0 && plen >= 0)
		ic->prefix_len = plen;
	return 0;
}

struct netjson_nic *netjson_nic(const char *text, size_t len, char *err, size_t errlen)
{
	struct jx x = {err, errlen};
	struct netjson_nic *nic = NULL;
	const cJSON *props;
	struct table t;
	cJSON *root;

	clear_err(err, errlen);
	root = parse(&x, text, len);
	if (!root)
		return NULL;
	nic = calloc(1, sizeof(*nic));
	if (!nic) {
		fail(&x, "out of memory");
		goto bad;
	}
	if (get_str(&x, root, "", "name", true, nic->name, sizeof(nic->name), false) < 0 ||
	    get_str(&x, root, "", "id", true, nic->id, sizeof(nic->id), false) < 0 ||
	    get(&x, root, "", "properties", T_OBJ, true, &props) < 0 ||
	    get_id(&x, props, "properties", "networkSecurityGroup", false, nic->nsg_id,
		   sizeof(nic->nsg_id)) < 0 ||
	    get_id(&x, props, "properties", "virtualMachine", false, nic->vm_id,
		   sizeof(nic->vm_id)) < 0 ||
	    get_table(&x, props, "properties", "ipConfigurations", true, NETJSON_MAX_LIST,
		      sizeof(*nic->ipconf), map_ipconf, NULL, &t) < 0)
		goto bad;
	nic->ipconf = t.v;
	nic->n_ipconf = t.n;
	if (t.n == 0) {
		fail(&x, "properties.ipConfigurations: empty (a NIC has at least one)");
		goto bad;
	}
	cJSON_Delete(root);
	return nic;
bad:
	netjson_nic_free(nic);
	cJSON_Delete(root);
	return NULL;
}

void netjson_nic_free(struct netjson_nic *nic)
{
	if (!nic)
		return;
	free(nic->ipconf);
	free(nic);
}

const struct netjson_ipconf *netjson_nic_primary(const struct netjson_nic *nic)
{
	if (!nic || nic->n_ipconf == 0)
		return NULL;
	for (int i = 0; i < nic->n_ipconf; i++)
		if (nic->ipconf[i].primary)
			return &nic->ipconf[i];
	return &nic->ipconf[0];
}

/* ---------------------------------------------------------------- public IP */

static int map_public_ip(struct jx *x, const cJSON *o, const char *where, void *item)
{
	struct netjson_public_ip *out = item;
	const cJSON *props, *dns = NULL;
	char pp[PATH_LEN], pd[PATH_LEN];

	path(pp, sizeof(pp), where, "properties");
	path(pd, sizeof(pd), pp, "dnsSettings");
	return (get_str(x, o, where, "name", true, out->name, sizeof(out->name), false) < 0 ||
		get_str(x, o, where, "id", true, out->id, sizeof(out->id), false) < 0 ||
		get(x, o, where, "properties", T_OBJ, true, &props) < 0 ||
		get_ip(x, props, pp, "ipAddress", out->ip_address, sizeof(out->ip_address), NULL) < 0 ||
		get_str(x, props, pp, "publicIPAllocationMethod", false, out->allocation,
			sizeof(out->allocation), false) < 0 ||
		get_str(x, props, pp, "publicIPAddressVersion", false, out->version,
			sizeof(out->version), false) < 0 ||
		get_id(x, props, pp, "ipConfiguration", false, out->ipconf_id,
		       sizeof(out->ipconf_id)) < 0 ||
		get_str(x, props, pp, "provisioningState", false, out->provisioning,
			sizeof(out->provisioning), false) < 0 ||
		get(x, props, pp, "dnsSettings", T_OBJ, false, &dns) < 0 ||
		(dns && get_str(x, dns, pd, "fqdn", false, out->fqdn, sizeof(out->fqdn), false) < 0))
		? -1 : 0;
}

int netjson_public_ip(const char *text, size_t len, struct netjson_public_ip *out, char *err,
		      size_t errlen)
{
	return map_body(text, len, map_public_ip, out, sizeof(*out), err, errlen);
}

/* A page of an ARM list: value[] into a new table, each element mapped by fn. */
struct page {
	size_t elsize;
	item_fn fn;
	item_done_fn done;
	struct table t;
};

static int map_page(struct jx *x, const cJSON *root, const char *where, void *arg)
{
	struct page *pg = arg;

	return get_table(x, root, where, "value", true, NETJSON_MAX_LIST, pg->elsize, pg->fn,
			 pg->done, &pg->t) < 0 ? -1 : 0;
}

/* Returns the number of items, or -1; pg->t holds them. */
static int read_page(const char *text, size_t len, struct page *pg, char *err, size_t errlen)
{
	pg->t.v = NULL;
	pg->t.n = 0;
	return map_body(text, len, map_page, pg, 0, err, errlen) < 0 ? -1 : pg->t.n;
}

int netjson_public_ip_list(const char *text, size_t len, struct netjson_public_ip **out, char *err,
			   size_t errlen)
{
	struct page pg = {sizeof(**out), map_public_ip, NULL, {NULL, 0}};
	int n = read_page(text, len, &pg, err, errlen);

	*out = pg.t.v;
	return n;
}

/* ---------------------------------------------------------------- load balancer */

static int map_nat(struct jx *x, const cJSON *c, const char *where, void *item)
{
	struct netjson_nat_rule *r = item;
	const cJSON *props;
	char pp[PATH_LEN];

	r->frontend_port = r->frontend_port_start = r->frontend_port_end = -1;
	path(pp, sizeof(pp), where, "properties");
	if (get_str(x, c, where, "name", true, r->name, sizeof(r->name), false) < 0 ||
	    get_str(x, c, where, "id", false, r->id, sizeof(r->id), false) < 0 ||
	    get(x, c, where, "properties", T_OBJ, true, &props) < 0 ||
	    get_str(x, props, pp, "protocol", true, r->protocol, sizeof(r->protocol), false) < 0 ||
	    get_int(x, props, pp, "frontendPort", false, 0, 65535, &r->frontend_port) < 0 ||
	    get_int(x, props, pp, "frontendPortRangeStart", false, 0, 65535,
		    &r->frontend_port_start) < 0 ||
	    get_int(x, props, pp, "frontendPortRangeEnd", false, 0, 65535, &r->frontend_port_end) < 0 ||
	    get_int(x, props, pp, "backendPort", true, 0, 65535, &r->backend_port) < 0 ||
	    get_id(x, props, pp, "frontendIPConfiguration", false, r->frontend_ipconf_id,
		   sizeof(r->frontend_ipconf_id)) < 0 ||
	    get_id(x, props, pp, "backendIPConfiguration", false, r->backend_ipconf_id,
		   sizeof(r->backend_ipconf_id)) < 0)
		return -1;
	if (strcmp(r->protocol, "Tcp") != 0 && strcmp(r->protocol, "Udp") != 0 &&
	    strcmp(r->protocol, "All") != 0) {
		char p[PATH_LEN];

		path(p, sizeof(p), pp, "protocol");
		return fail(x, "%s: '%s' is not Tcp, Udp or All", p, r->protocol);
	}
	return 0;
}

int netjson_nat_rule(const char *text, size_t len, struct netjson_nat_rule *out, char *err,
		     size_t errlen)
{
	return map_body(text, len, map_nat, out, sizeof(*out), err, errlen);
}

/* A load balancer frontend, or an Azure Firewall IP configuration: the same four fields. */
static int map_frontend(struct jx *x, const cJSON *c, const char *where, void *item)
{
	struct netjson_frontend *f = item;
	const cJSON *fp;
	char pp[PATH_LEN];

	path(pp, sizeof(pp), where, "properties");
	return (get_str(x, c, where, "name", true, f->name, sizeof(f->name), false) < 0 ||
		get_str(x, c, where, "id", false, f->id, sizeof(f->id), false) < 0 ||
		get(x, c, where, "properties", T_OBJ, false, &fp) < 0 ||
		(fp && get_ip(x, fp, pp, "privateIPAddress", f->private_ip, sizeof(f->private_ip),
			      NULL) < 0) ||
		(fp && get_id(x, fp, pp, "publicIPAddress", false, f->public_ip_id,
			      sizeof(f->public_ip_id)) < 0)) ? -1 : 0;
}

struct netjson_lb *netjson_lb(const char *text, size_t len, char *err, size_t errlen)
{
	struct jx x = {err, errlen};
	struct netjson_lb *lb = NULL;
	const cJSON *props;
	struct table fes, nats;
	cJSON *root;

	clear_err(err, errlen);
	root = parse(&x, text, len);
	if (!root)
		return NULL;
	lb = calloc(1, sizeof(*lb));
	if (!lb) {
		fail(&x, "out of memory");
		goto bad;
	}
	if (get_str(&x, root, "", "name", true, lb->name, sizeof(lb->name), false) < 0 ||
	    get_str(&x, root, "", "id", true, lb->id, sizeof(lb->id), false) < 0 ||
	    get(&x, root, "", "properties", T_OBJ, true, &props) < 0 ||
	    get_table(&x, props, "properties", "frontendIPConfigurations", false, NETJSON_MAX_LIST,
		      sizeof(*lb->frontend), map_frontend, NULL, &fes) < 0)
		goto bad;
	lb->frontend = fes.v;
	lb->n_frontend = fes.n;
	if (get_table(&x, props, "properties", "inboundNatRules", false, NETJSON_MAX_LIST,
		      sizeof(*lb->nat), map_nat, NULL, &nats) < 0)
		goto bad;
	lb->nat = nats.v;
	lb->n_nat = nats.n;
	cJSON_Delete(root);
	return lb;
bad:
	netjson_lb_free(lb);
	cJSON_Delete(root);
	return NULL;
}

void netjson_lb_free(struct netjson_lb *lb)
{
	if (!lb)
		return;
	free(lb->frontend);
	free(lb->nat);
	free(lb);
}

/* ---------------------------------------------------------------- Azure Firewall */

static int map_firewall(struct jx *x, const cJSON *root, const char *where, void *item)
{
	struct netjson_firewall *fw = item;
	const cJSON *props;
	char pp[PATH_LEN];

	path(pp, sizeof(pp), where, "properties");
	return (get_str(x, root, where, "name", true, fw->name, sizeof(fw->name), false) < 0 ||
		get_str(x, root, where, "id", true, fw->id, sizeof(fw->id), false) < 0 ||
		get(x, root, where, "properties", T_OBJ, true, &props) < 0 ||
		get_id(x, props, pp, "firewallPolicy", false, fw->policy_id,
		       sizeof(fw->policy_id)) < 0 ||
		get_first(x, props, pp, "ipConfigurations", NETJSON_MAX_LIST, sizeof(fw->ipconf[0]),
			  map_frontend, fw->ipconf, NETJSON_MAX_FW_IPCONF, &fw->n_ipconf,
			  &fw->ipconf_dropped) < 0) ? -1 : 0;
}

int netjson_firewall(const char *text, size_t len, struct netjson_firewall *out, char *err,
		     size_t errlen)
{
	return map_body(text, len, map_firewall, out, sizeof(*out), err, errlen);
}

struct id_table {
	char (*ids)[NETJSON_ID_LEN];
	int max, n;
};

static int map_fw_policy(struct jx *x, const cJSON *root, const char *where, void *item)
{
	struct id_table *t = item;
	const cJSON *props;
	char pp[PATH_LEN];

	path(pp, sizeof(pp), where, "properties");
	return (get(x, root, where, "properties", T_OBJ, true, &props) < 0 ||
		get_id_list(x, props, pp, "ruleCollectionGroups", t->ids, t->max, &t->n) < 0)
		? -1 : 0;
}

int netjson_fw_policy(const char *text, size_t len, char ids[][NETJSON_ID_LEN], int max,
		      char *err, size_t errlen)
{
	struct id_table t = {ids, max < 0 ? 0 : max, 0};

	return map_body(text, len, map_fw_policy, &t, 0, err, errlen) < 0 ? -1 : t.n;
}

/* ---------------------------------------------------------------- firewall policy */

static void strlist_free(struct netjson_strlist *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->n = 0;
	l->v = NULL;
}

static int get_strlist(struct jx *x, const cJSON *o, const char *where, const char *key,
		       size_t maxlen, struct netjson_strlist *out)
{
	const cJSON *arr;
	char p[PATH_LEN];
	int rc = get(x, o, where, key, T_ARR, false, &arr), i = 0;

	if (rc <= 0)
		return rc;
	if (check_count(x, arr, where, key, NETJSON_MAX_LIST) < 0)
		return -1;
	if (!arr->child)
		return 0;
	out->v = calloc((size_t)count(arr), sizeof(*out->v));
	if (!out->v)
		return fail(x, "out of memory");
	for (const cJSON *c = arr->child; c; c = c->next, i++) {
		path_index(p, sizeof(p), where, key, i);
		if (!cJSON_IsString(c) || !c->valuestring)
			return fail(x, "%s: expected a string, got %s", p, type_name(c));
		if (strlen(c->valuestring) >= maxlen)
			return fail(x, "%s: more than %zu bytes", p, maxlen - 1);
		out->v[i] = strdup(c->valuestring);
		if (!out->v[i])
			return fail(x, "out of memory");
		out->n++;
	}
	return 1;
}

static void dnat_free(struct netjson_dnat_rule *r)
{
	strlist_free(&r->protocols);
	strlist_free(&r->sources);
	strlist_free(&r->source_ip_groups);
	strlist_free(&r->destinations);
	strlist_free(&r->dest_ports);
}

static int map_dnat(struct jx *x, const cJSON *c, const char *where, struct netjson_dnat_rule *r)
{
	return (get_str(x, c, where, "name", true, r->name, sizeof(r->name), false) < 0 ||
		get_strlist(x, c, where, "ipProtocols", 16, &r->protocols) < 0 ||
		get_strlist(x, c, where, "sourceAddresses", 128, &r->sources) < 0 ||
		get_strlist(x, c, where, "sourceIpGroups", NETJSON_ID_LEN, &r->source_ip_groups) < 0 ||
		get_strlist(x, c, where, "destinationAddresses", 128, &r->destinations) < 0 ||
		get_strlist(x, c, where, "destinationPorts", 16, &r->dest_ports) < 0 ||
		get_str(x, c, where, "translatedAddress", false, r->translated_address,
			sizeof(r->translated_address), false) < 0 ||
		get_str(x, c, where, "translatedFqdn", false, r->translated_fqdn,
			sizeof(r->translated_fqdn), false) < 0 ||
		get_port(x, c, where, "translatedPort", &r->translated_port) < 0) ? -1 : 0;
}

/* One rule collection: its DNAT rules appended to g. */
static int map_collection(struct jx *x, const cJSON *c, const char *where, struct netjson_fw_rcg *g,
			  int *cap)
{
	char type[64], name[NETJSON_NAME_LEN], p[PATH_LEN];
	const cJSON *rules;
	int prio = -1, i = 0;

	if (!cJSON_IsObject(c))
		return fail(x, "%s: expected an object, got %s", where, type_name(c));
	if (get_str(x, c, where, "ruleCollectionType", true, type, sizeof(type), true) < 0)
		return -1;
	if (strcmp(type, "FirewallPolicyNatRuleCollection") != 0) {
		g->n_skipped++;
		return 0;
	}
	if (get_str(x, c, where, "name", true, name, sizeof(name), false) < 0 ||
	    get_int(x, c, where, "priority", false, 0, 65535, &prio) < 0 ||
	    get(x, c, where, "rules", T_ARR, false, &rules) < 0)
		return -1;
	for (const cJSON *r = rules ? rules->child : NULL; r; r = r->next, i++) {
		struct netjson_dnat_rule *d;
		char rt[32];

		path_index(p, sizeof(p), where, "rules", i);
		if (!cJSON_IsObject(r))
			return fail(x, "%s: expected an object, got %s", p, type_name(r));
		if (get_str(x, r, p, "ruleType", true, rt, sizeof(rt), true) < 0)
			return -1;
		if (strcmp(rt, "NatRule") != 0) {
			g->n_skipped++;
			continue;
		}
		if (g->n_rules >= NETJSON_MAX_LIST)
			return fail(x, "%s: more than %d DNAT rules", where, NETJSON_MAX_LIST);
		if (g->n_rules == *cap) {
			int nc = *cap ? *cap * 2 : 4;
			struct netjson_dnat_rule *nr = realloc(g->rules, (size_t)nc * sizeof(*nr));

			if (!nr)
				return fail(x, "out of memory");
			g->rules = nr;
			*cap = nc;
		}
		d = &g->rules[g->n_rules++];
		memset(d, 0, sizeof(*d));
		d->translated_port = -1;
		snprintf(d->collection, sizeof(d->collection), "%s", name);
		d->collection_priority = prio;
		if (map_dnat(x, r, p, d) < 0)
			return -1;
	}
	return 0;
}

struct netjson_fw_rcg *netjson_fw_rcg(const char *text, size_t len, char *err, size_t errlen)
{
	struct jx x = {err, errlen};
	struct netjson_fw_rcg *g = NULL;
	const cJSON *props, *cols;
	cJSON *root;
	int i = 0, cap = 0;

	clear_err(err, errlen);
	root = parse(&x, text, len);
	if (!root)
		return NULL;
	g = calloc(1, sizeof(*g));
	if (!g) {
		fail(&x, "out of memory");
		goto bad;
	}
	g->priority = -1;
	if (get_str(&x, root, "", "name", false, g->name, sizeof(g->name), false) < 0 ||
	    get_str(&x, root, "", "id", false, g->id, sizeof(g->id), false) < 0 ||
	    get(&x, root, "", "properties", T_OBJ, true, &props) < 0 ||
	    get_int(&x, props, "properties", "priority", false, 0, 65535, &g->priority) < 0 ||
	    get(&x, props, "properties", "ruleCollections", T_ARR, true, &cols) < 0 ||
	    check_count(&x, cols, "properties", "ruleCollections", NETJSON_MAX_LIST) < 0)
		goto bad;
	for (const cJSON *c = cols->child; c; c = c->next, i++) {
		char p[PATH_LEN];

		path_index(p, sizeof(p), "properties", "ruleCollections", i);
		if (map_collection(&x, c, p, g, &cap) < 0)
			goto bad;
	}
	cJSON_Delete(root);
	return g;
bad:
	netjson_fw_rcg_free(g);
	cJSON_Delete(root);
	return NULL;
}

void netjson_fw_rcg_free(struct netjson_fw_rcg *g)
{
	if (!g)
		return;
	for (int i = 0; i < g->n_rules; i++)
		dnat_free(&g->rules[i]);
	free(g->rules);
	free(g);
}

/* ---------------------------------------------------------------- IP flow verify */

int netjson_ipflow(const char *text, size_t len, struct netjson_ipflow *out, char *err,
		   size_t errlen)
{
	static const struct {
		const char *prefix;
		bool is_default;
	} prefixes[] = {
		{"securityRules/", false}, {"defaultSecurityRules/", true},
		{"UserRule_", false},      {"DefaultRule_", true},
	};
	struct jx x = {err, errlen};
	cJSON *root;
	int rc = -1;

	clear_err(err, errlen);
	memset(out, 0, sizeof(*out));
	root = parse(&x, text, len);
	if (!root)
		return -1;
	{
		char b[24];

		if (get_str(&x, root, "", "access", true, b, sizeof(b), true) < 0)
			goto out;
		if (!nsg_parse_access(b, strlen(b), &out->access)) {
			fail(&x, "access: '%.*s' is not Allow or Deny", 20, b);
			goto out;
		}
	}
	if (get_str(&x, root, "", "ruleName", false, out->rule_name, sizeof(out->rule_name),
		    false) < 0)
		goto out;
	{
		const char *r = out->rule_name;

		for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
			size_t pl = strlen(prefixes[i].prefix);

			if (strncmp(r, prefixes[i].prefix, pl) == 0) {
				r += pl;
				out->is_default = prefixes[i].is_default;
				break;
			}
		}
		if (strlen(r) >= sizeof(out->rule)) {
			fail(&x, "ruleName: longer than %zu bytes", sizeof(out->rule) - 1);
			goto out;
		}
		snprintf(out->rule, sizeof(out->rule), "%.*s", (int)sizeof(out->rule) - 1, r);
	}
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

/* ---------------------------------------------------------------- ARM error */

/* details[i] into a char[256] item: "code: message". */
static int map_detail(struct jx *x, const cJSON *d, const char *where, void *item)
{
	char code[128], msg[256];

	if (get_str(x, d, where, "code", false, code, sizeof(code), true) < 0 ||
	    get_str(x, d, where, "message", false, msg, sizeof(msg), true) < 0)
		return -1;
	snprintf(item, sizeof(((struct netjson_arm_error *)0)->details[0]), "%.*s%s%.*s", 100, code,
		 code[0] && msg[0] ? ": " : "", 150, msg);
	return 0;
}

/* The error object e (at w): code and message required. */
static int map_arm_error(struct jx *x, const cJSON *e, const char *w, struct netjson_arm_error *out)
{
	return (get_str(x, e, w, "code", true, out->code, sizeof(out->code), true) < 0 ||
		get_str(x, e, w, "message", true, out->message, sizeof(out->message), true) < 0 ||
		get_str(x, e, w, "target", false, out->target, sizeof(out->target), true) < 0 ||
		get_first(x, e, w, "details", NETJSON_MAX_LIST, sizeof(out->details[0]), map_detail,
			  out->details, NETJSON_MAX_DETAILS, &out->n_details,
			  &out->details_dropped) < 0) ? -1 : 0;
}

static int map_error_body(struct jx *x, const cJSON *root, const char *where, void *item)
{
	const cJSON *e, *code;

	if (get(x, root, where, "error", T_OBJ, false, &e) < 0)
		return -1;
	if (e)
		return map_arm_error(x, e, "error", item);
	/* Some answers put code and message at the top. */
	if (get(x, root, where, "code", T_STR, false, &code) < 0)
		return -1;
	if (!code)
		return fail(x, "no \"error\" object");
	return map_arm_error(x, root, where, item);
}

int netjson_arm_error(const char *text, size_t len, struct netjson_arm_error *out, char *err,
		      size_t errlen)
{
	return map_body(text, len, map_error_body, out, sizeof(*out), err, errlen);
}

/* "[http ]code: message[ (first detail[; ...])]" */
static void arm_error_text(const struct netjson_arm_error *e, const char *http, char *out,
			   size_t outlen)
{
	int n = snprintf(out, outlen, "%s%s%.*s: %.*s", http, http[0] ? " " : "", 100, e->code,
			 (int)sizeof(e->message), e->message);

	if (e->n_details > 0 && n >= 0 && (size_t)n < outlen)
		snprintf(out + n, outlen - (size_t)n, " (%.*s%s)", 200, e->details[0],
			 e->n_details + e->details_dropped > 1 ? "; ..." : "");
}

void netjson_error_line(const char *text, size_t len, int status, char *out, size_t outlen)
{
	struct netjson_arm_error e;
	char why[NETJSON_ERR_LEN], http[24] = "";

	if (!out || !outlen)
		return;
	if (status > 0)
		snprintf(http, sizeof(http), "HTTP %d", status);
	if (netjson_arm_error(text, len, &e, why, sizeof(why)) == 0) {
		arm_error_text(&e, http, out, outlen);
	} else {
		snprintf(out, outlen, "%s%sthe answer is not an ARM error body (%.*s)", http,
			 http[0] ? ": " : "", (int)sizeof(why), why);
	}
}

/* ---------------------------------------------------------------- subnet, VNet */

int netjson_subnet(const char *text, size_t len, struct netjson_subnet *out, char *err,
		   size_t errlen)
{
	struct jx x = {err, errlen};
	const cJSON *props, *list;
	cJSON *root;
	int rc = -1;

	clear_err(err, errlen);
	memset(out, 0, sizeof(*out));
	root = parse(&x, text, len);
	if (!root)
		return -1;
	if (get(&x, root, "", "properties", T_OBJ, true, &props) < 0 ||
	    get_str(&x, props, "properties", "addressPrefix", false, out->address_prefix,
		    sizeof(out->address_prefix), false) < 0 ||
	    get_id(&x, props, "properties", "networkSecurityGroup", false, out->nsg_id,
		   sizeof(out->nsg_id)) < 0 ||
	    get(&x, props, "properties", "addressPrefixes", T_ARR, false, &list) < 0)
		goto out;
	/* newer subnets may carry only the plural form */
	if (!out->address_prefix[0] && list && cJSON_IsString(list->child) &&
	    put_str(&x, list->child->valuestring, "properties.addressPrefixes[0]", out->address_prefix,
		    sizeof(out->address_prefix), false) < 0)
		goto out;
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

int netjson_vnet_prefixes(const char *text, size_t len, char out[][NETJSON_IP_LEN], int max,
			  char *err, size_t errlen)
{
	struct jx x = {err, errlen};
	const cJSON *props, *space, *list, *v;
	cJSON *root;
	int n = -1;

	clear_err(err, errlen);
	root = parse(&x, text, len);
	if (!root)
		return -1;
	if (get(&x, root, "", "properties", T_OBJ, true, &props) < 0 ||
	    get(&x, props, "properties", "addressSpace", T_OBJ, true, &space) < 0 ||
	    get(&x, space, "properties.addressSpace", "addressPrefixes", T_ARR, true, &list) < 0)
		goto out;
	n = 0;
	cJSON_ArrayForEach(v, list)
		if (n < max && cJSON_IsString(v) &&
		    put_str(&x, v->valuestring, "properties.addressSpace.addressPrefixes[]", out[n],
			    NETJSON_IP_LEN, false) > 0)
			n++;
out:
	cJSON_Delete(root);
	return n;
}

/* ---------------------------------------------------------------- paged lists */

struct link {
	char *out;
	size_t outlen;
};

static int map_next_link(struct jx *x, const cJSON *root, const char *where, void *item)
{
	struct link *l = item;
	const cJSON *value;
	char p[PATH_LEN];

	path(p, sizeof(p), where, "nextLink");
	if (get(x, root, where, "value", T_ARR, true, &value) < 0 ||
	    get_str(x, root, where, "nextLink", false, l->out, l->outlen, false) < 0)
		return -1;
	/* It becomes a request line: no room for a space, CR or LF. */
	for (size_t i = 0; l->out[i]; i++)
		if ((unsigned char)l->out[i] <= ' ' || l->out[i] == 0x7f)
			return fail(x, "%s: byte %zu is a space or a control character", p, i);
	return 0;
}

int netjson_next_link(const char *text, size_t len, char *out, size_t outlen, char *err,
		      size_t errlen)
{
	struct link l = {out, outlen};
	struct jx x = {err, errlen};

	if (!out || !outlen)
		return fail(&x, "no buffer for the nextLink");
	out[0] = '\0';
	if (map_body(text, len, map_next_link, &l, 0, err, errlen) < 0) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- VM list */

static void vm_done(void *item)
{
	struct netjson_vm *vm = item;

	free(vm->nics);
	vm->nics = NULL;
}

static int map_vm(struct jx *x, const cJSON *c, const char *where, void *item)
{
	struct netjson_vm *vm = item;
	const cJSON *props, *np = NULL;
	struct table t = {NULL, 0};
	char pp[PATH_LEN], pn[PATH_LEN], p[PATH_LEN], last[NETJSON_ID_LEN];

	path(pp, sizeof(pp), where, "properties");
	path(pn, sizeof(pn), pp, "networkProfile");
	if (get_str(x, c, where, "id", true, vm->id, sizeof(vm->id), false) < 0 ||
	    get_str(x, c, where, "name", false, vm->name, sizeof(vm->name), false) < 0 ||
	    get_str(x, c, where, "location", true, vm->location, sizeof(vm->location), false) < 0 ||
	    get(x, c, where, "properties", T_OBJ, false, &props) < 0 ||
	    (props && get(x, props, pp, "networkProfile", T_OBJ, false, &np) < 0) ||
	    (np && get_table(x, np, pn, "networkInterfaces", false, NETJSON_MAX_VM_NICS,
			     NETJSON_ID_LEN, map_id, NULL, &t) < 0))
		return -1;
	vm->nics = t.v;
	vm->n_nics = t.n;
	if (!vm->name[0]) {
		path(p, sizeof(p), where, "id");
		netjson_id_name(vm->id, last, sizeof(last));
		return put_str(x, last, p, vm->name, sizeof(vm->name), false) < 0 ? -1 : 0;
	}
	return 0;
}

struct netjson_vm_list *netjson_vm_list(const char *text, size_t len, char *err, size_t errlen)
{
	struct page pg = {sizeof(struct netjson_vm), map_vm, vm_done, {NULL, 0}};
	struct netjson_vm_list *l;
	int n = read_page(text, len, &pg, err, errlen);

	if (n < 0)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (!l) {
		struct jx x = {err, errlen};

		table_free(&pg.t, pg.elsize, vm_done);
		fail(&x, "out of memory");
		return NULL;
	}
	l->vm = pg.t.v;
	l->n = n;
	return l;
}

void netjson_vm_list_free(struct netjson_vm_list *l)
{
	struct table t;

	if (!l)
		return;
	t.v = l->vm;
	t.n = l->n;
	table_free(&t, sizeof(*l->vm), vm_done);
	free(l);
}

/* ---------------------------------------------------------------- resource health */

/* recommendedActions[i] into a char[256] item. */
static int map_action(struct jx *x, const cJSON *c, const char *where, void *item)
{
	return get_str(x, c, where, "action", false, item,
		       sizeof(((struct netjson_health *)0)->actions[0]), true) < 0 ? -1 : 0;
}

static int map_health(struct jx *x, const cJSON *root, const char *where, void *item)
{
	struct netjson_health *h = item;
	const cJSON *props;
	char pp[PATH_LEN];

	path(pp, sizeof(pp), where, "properties");
	return (get(x, root, where, "properties", T_OBJ, true, &props) < 0 ||
		get_str(x, props, pp, "availabilityState", true, h->availability_state,
			sizeof(h->availability_state), false) < 0 ||
		get_str(x, props, pp, "title", false, h->title, sizeof(h->title), true) < 0 ||
		get_str(x, props, pp, "summary", false, h->summary, sizeof(h->summary), true) < 0 ||
		get_str(x, props, pp, "reasonType", false, h->reason_type, sizeof(h->reason_type),
			true) < 0 ||
		get_str(x, props, pp, "occuredTime", false, h->occurred, sizeof(h->occurred),
			true) < 0 ||
		get_str(x, props, pp, "detailedStatus", false, h->detailed_status,
			sizeof(h->detailed_status), true) < 0 ||
		get_first(x, props, pp, "recommendedActions", NETJSON_MAX_LIST,
			  sizeof(h->actions[0]), map_action, h->actions, NETJSON_MAX_ACTIONS,
			  &h->n_actions, &h->actions_dropped) < 0) ? -1 : 0;
}

int netjson_health(const char *text, size_t len, struct netjson_health *out, char *err,
		   size_t errlen)
{
	return map_body(text, len, map_health, out, sizeof(*out), err, errlen);
}

/* ---------------------------------------------------------------- network watchers */

static int map_watcher(struct jx *x, const cJSON *c, const char *where, void *item)
{
	struct netjson_watcher *w = item;
	const cJSON *props;
	char pp[PATH_LEN];

	path(pp, sizeof(pp), where, "properties");
	return (get_str(x, c, where, "id", true, w->id, sizeof(w->id), false) < 0 ||
		get_str(x, c, where, "location", true, w->location, sizeof(w->location), false) < 0 ||
		get(x, c, where, "properties", T_OBJ, false, &props) < 0 ||
		(props && get_str(x, props, pp, "provisioningState", false, w->provisioning,
				  sizeof(w->provisioning), false) < 0)) ? -1 : 0;
}

int netjson_watchers(const char *text, size_t len, struct netjson_watcher **out, char *err,
		     size_t errlen)
{
	struct page pg = {sizeof(**out), map_watcher, NULL, {NULL, 0}};
	int n = read_page(text, len, &pg, err, errlen);

	*out = pg.t.v;
	return n;
}

bool netjson_same_location(const char *a, const char *b)
{
	return a && b && !same_word(a, "") && same_word(a, b);
}

int netjson_watcher_in(const char *text, size_t len, const char *location, char *out,
		       size_t outlen, char *err, size_t errlen)
{
	struct jx x = {err, errlen};
	struct netjson_watcher *w;
	const struct netjson_watcher *pick = NULL;
	int n, rc;

	if (!out || !outlen)
		return fail(&x, "no buffer for the watcher's id");
	out[0] = '\0';
	n = netjson_watchers(text, len, &w, err, errlen);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (netjson_same_location(w[i].location, location) &&
		    (!pick || (!same_word(pick->provisioning, "Succeeded") &&
			       same_word(w[i].provisioning, "Succeeded"))))
			pick = &w[i];
	rc = 0;
	if (pick) {
		char pi[PATH_LEN], p[PATH_LEN];

		path_index(pi, sizeof(pi), "", "value", (int)(pick - w));
		path(p, sizeof(p), pi, "id");
		rc = put_str(&x, pick->id, p, out, outlen, false);
	}
	free(w);
	return rc;
}

/* ---------------------------------------------------------------- Azure-AsyncOperation */

struct async {
	struct netjson_async *a;
	char **output;
	size_t *output_len;
};

static int map_async(struct jx *x, const cJSON *root, const char *where, void *item)
{
	static const struct {
		const char *word;
		enum netjson_async_state state;
	} final[] = {
		{"Succeeded", NETJSON_ASYNC_SUCCEEDED},
		{"Failed", NETJSON_ASYNC_FAILED},
		{"Canceled", NETJSON_ASYNC_CANCELED},
	};
	struct async *as = item;
	struct netjson_async *a = as->a;
	struct netjson_arm_error e;
	const cJSON *props = NULL, *out = NULL, *eo;
	char pp[PATH_LEN], pe[PATH_LEN];

	path(pp, sizeof(pp), where, "properties");
	path(pe, sizeof(pe), where, "error");
	memset(&e, 0, sizeof(e));
	if (get_str(x, root, where, "status", true, a->status, sizeof(a->status), true) < 0 ||
	    get(x, root, where, "error", T_OBJ, false, &eo) < 0 ||
	    (eo && map_arm_error(x, eo, pe, &e) < 0) ||
	    get(x, root, where, "properties", T_OBJ, false, &props) < 0 ||
	    (props && get(x, props, pp, "output", T_OBJ | T_ARR | T_STR | T_NUM | T_BOOL, false,
			  &out) < 0))
		return -1;
	if (!a->status[0])
		return fail(x, "status: empty");
	for (size_t i = 0; i < sizeof(final) / sizeof(final[0]); i++)
		if (same_word(a->status, final[i].word))
			a->state = final[i].state;
	if (eo)
		arm_error_text(&e, "", a->error_line, sizeof(a->error_line));
	a->has_output = out != NULL;
	if (out && as->output) {
		char *printed = cJSON_PrintUnformatted(out);
		size_t n = printed ? strlen(printed) : 0;

		/* A copy from malloc, so that the caller's free() matches whatever cJSON uses. */
		*as->output = printed ? malloc(n + 1) : NULL;
		if (*as->output)
			memcpy(*as->output, printed, n + 1);
		cJSON_free(printed);
		if (!*as->output)
			return fail(x, "out of memory");
		if (as->output_len)
			*as->output_len = n;
	}
	return 0;
}

int netjson_async_status(const char *text, size_t len, struct netjson_async *out, char **output,
			 size_t *output_len, char *err, size_t errlen)
{
	struct async as = {out, output, output_len};

	memset(out, 0, sizeof(*out));
	if (output)
		*output = NULL;
	if (output_len)
		*output_len = 0;
	return map_body(text, len, map_async, &as, 0, err, errlen);
}
