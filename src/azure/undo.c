#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "azure/netjson.h"
#include "azure/undo.h"
#include "util/audit.h"

#define UNDO_FILE "undo.json"
#define UNDO_SCHEMA "sshtriage/undo/v1"

void undo_rec_free(struct undo_rec *r)
{
	for (int i = 0; i < UNDO_STEPS; i++) {
		free(r->step[i].body);
		r->step[i].body = NULL;
	}
	r->n_steps = 0;
}

/* The records array of the file's text (a new document when old is empty). */
static cJSON *open_doc(const char *old, size_t oldlen, char *err, size_t errlen)
{
	cJSON *doc, *recs;

	if (!old || oldlen == 0) {
		doc = cJSON_CreateObject();
		if (doc && cJSON_AddStringToObject(doc, "schema", UNDO_SCHEMA) &&
		    cJSON_AddArrayToObject(doc, "records"))
			return doc;
		cJSON_Delete(doc);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	doc = netjson_parse_strict(old, oldlen, err, errlen);
	recs = cJSON_GetObjectItemCaseSensitive(doc, "records");
	if (doc && !cJSON_IsArray(recs)) {
		snprintf(err, errlen, "no \"records\" array");
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
}

static bool same_vm(const cJSON *rec, const char *vm_id)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, "vm");

	/* resource ids compare without case, as ARM does */
	return cJSON_IsString(v) && strcasecmp(v->valuestring, vm_id) == 0;
}

static void drop_vm(cJSON *recs, const char *vm_id)
{
	for (int i = cJSON_GetArraySize(recs) - 1; i >= 0; i--)
		if (same_vm(cJSON_GetArrayItem(recs, i), vm_id))
			cJSON_DeleteItemFromArray(recs, i);
}

static char *print_doc(cJSON *doc, char *err, size_t errlen)
{
	char *s = cJSON_Print(doc);

	cJSON_Delete(doc);
	if (!s)
		snprintf(err, errlen, "out of memory");
	return s;
}

char *undo_encode(const char *old, size_t oldlen, const struct undo_rec *rec, char *err,
		  size_t errlen)
{
	cJSON *doc = open_doc(old, oldlen, err, errlen), *recs, *r, *steps;

	if (!doc)
		return NULL;
	recs = cJSON_GetObjectItemCaseSensitive(doc, "records");
	drop_vm(recs, rec->vm_id);
	while (cJSON_GetArraySize(recs) >= UNDO_RECORDS_MAX)
		cJSON_DeleteItemFromArray(recs, 0);        /* the oldest first */
	r = cJSON_CreateObject();
	cJSON_AddItemToArray(recs, r);
	cJSON_AddStringToObject(r, "vm", rec->vm_id);
	cJSON_AddStringToObject(r, "remedy", remedy_name(rec->id));
	cJSON_AddStringToObject(r, "applied", rec->when);
	steps = cJSON_AddArrayToObject(r, "steps");
	for (int i = 0; i < rec->n_steps && steps; i++) {
		cJSON *s = cJSON_CreateObject();

		cJSON_AddItemToArray(steps, s);
		cJSON_AddStringToObject(s, "method", rec->step[i].method);
		cJSON_AddStringToObject(s, "url", rec->step[i].url);
		if (rec->step[i].body)
			cJSON_AddStringToObject(s, "body", rec->step[i].body);
	}
	return print_doc(doc, err, errlen);
}

char *undo_remove(const char *old, size_t oldlen, const char *vm_id, char *err, size_t errlen)
{
	cJSON *doc = open_doc(old, oldlen, err, errlen);

	if (!doc)
		return NULL;
	drop_vm(cJSON_GetObjectItemCaseSensitive(doc, "records"), vm_id);
	return print_doc(doc, err, errlen);
}

static int bad(struct undo_rec *out, char *err, size_t errlen, const char *why)
{
	undo_rec_free(out);
	snprintf(err, errlen, "%s", why);
	return -1;
}

/* A string member that fits len: copied into dst. */
static bool take(const cJSON *o, const char *key, char *dst, size_t len)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(v) || strlen(v->valuestring) >= len)
		return false;
	memcpy(dst, v->valuestring, strlen(v->valuestring) + 1);
	return true;
}

int undo_decode(const char *text, size_t len, const char *vm_id, struct undo_rec *out,
		char *err, size_t errlen)
{
	cJSON *doc, *recs, *rec = NULL, *steps, *s;
	char name[64];
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!text || len == 0)
		return 0;
	doc = open_doc(text, len, err, errlen);
	if (!doc)
		return -1;
	recs = cJSON_GetObjectItemCaseSensitive(doc, "records");
	cJSON_ArrayForEach(s, recs)
		if (same_vm(s, vm_id))
			rec = s;             /* the newest (last) one */
	if (!rec)
		goto out;
	steps = cJSON_GetObjectItemCaseSensitive(rec, "steps");
	if (!take(rec, "vm", out->vm_id, sizeof(out->vm_id)) ||
	    !take(rec, "remedy", name, sizeof(name)) || !remedy_parse(name, &out->id) ||
	    !take(rec, "applied", out->when, sizeof(out->when)) || !cJSON_IsArray(steps) ||
	    cJSON_GetArraySize(steps) < 1 || cJSON_GetArraySize(steps) > UNDO_STEPS) {
		rc = bad(out, err, errlen, "a record without remedy, time or steps");
		goto out;
	}
	cJSON_ArrayForEach(s, steps) {
		struct undo_step *st = &out->step[out->n_steps++];
		const cJSON *body = cJSON_GetObjectItemCaseSensitive(s, "body");

		/* only what the remedies write (a GET is a guard: its body says what must
		 * hold); the URL is checked again when it is called (https on the ARM host
		 * only: a token never goes elsewhere) */
		if (!take(s, "method", st->method, sizeof(st->method)) ||
		    (strcmp(st->method, "DELETE") != 0 && strcmp(st->method, "PUT") != 0 &&
		     strcmp(st->method, "GET") != 0) ||
		    !take(s, "url", st->url, sizeof(st->url)) || strncmp(st->url, "https://", 8) != 0 ||
		    (body && !cJSON_IsString(body)) ||
		    (cJSON_IsString(body) && strlen(body->valuestring) > UNDO_BODY_MAX) ||
		    (strcmp(st->method, "DELETE") != 0) != cJSON_IsString(body)) {
			rc = bad(out, err, errlen, "a step that is not a GET, DELETE or PUT (with a "
				 "body but for DELETE) to an https URL");
			goto out;
		}
		if (cJSON_IsString(body) && !(st->body = strdup(body->valuestring))) {
			rc = bad(out, err, errlen, "out of memory");
			goto out;
		}
	}
	rc = 1;
out:
	cJSON_Delete(doc);
	return rc;
}

/* ---- the file --------------------------------------------------------------------------- */

/* The file's text (NULL and *len 0 when there is none yet); -1 with why. */
static int read_file(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	ssize_t n;

	*text = NULL;
	*len = 0;
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_size > UNDO_FILE_MAX) {
		snprintf(err, errlen, "%s: not a regular file of this user under %d bytes", path,
			 UNDO_FILE_MAX);
		close(fd);
		return -1;
	}
	*text = malloc((size_t)st.st_size + 1);
	if (!*text) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (*len < (size_t)st.st_size &&
	       ((n = read(fd, *text + *len, (size_t)st.st_size - *len)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			*len += (size_t)n;
	(*text)[*len] = '\0';
	close(fd);
	return 0;
}

/* Replaces the file with text: a 0600 temporary beside it, written, synced, renamed. */
static int write_file(const char *path, const char *text, char *err, size_t errlen)
{
	char tmp[4200];
	size_t len = strlen(text), at = 0;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	while (at < len) {
		ssize_t n = write(fd, text + at, len - at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		at += (size_t)n;
	}
	if (at < len || fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
		if (at < len)
			close(fd);
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Reads the file, lets change make the new text, writes it back. */
static int update(char *(*change)(const char *, size_t, const void *, char *, size_t),
		  const void *arg, char *err, size_t errlen)
{
	char path[4096], *old, *text;
	size_t len;
	int rc;

	if (audit_state_path(UNDO_FILE, path, sizeof(path)) != 0 || audit_make_dirs(path) != 0) {
		snprintf(err, errlen, "no state directory for the undo record (HOME or XDG_STATE_HOME)");
		return -1;
	}
	if (read_file(path, &old, &len, err, errlen) != 0)
		return -1;
	text = change(old, len, arg, err, errlen);
	free(old);
	if (!text)
		return -1;
	rc = write_file(path, text, err, errlen);
	free(text);
	return rc;
}

static char *change_put(const char *old, size_t len, const void *arg, char *err, size_t errlen)
{
	return undo_encode(old, len, arg, err, errlen);
}

static char *change_drop(const char *old, size_t len, const void *arg, char *err, size_t errlen)
{
	return undo_remove(old, len, arg, err, errlen);
}

int undo_save(const struct undo_rec *rec, char *err, size_t errlen)
{
	return update(change_put, rec, err, errlen);
}

int undo_forget(const char *vm_id, char *err, size_t errlen)
{
	return update(change_drop, vm_id, err, errlen);
}

int undo_load(const char *vm_id, struct undo_rec *out, char *err, size_t errlen)
{
	char path[4096], *text;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	if (audit_state_path(UNDO_FILE, path, sizeof(path)) != 0)
		return 0;
	if (read_file(path, &text, &len, err, errlen) != 0)
		return -1;
	rc = undo_decode(text, len, vm_id, out, err, errlen);
	free(text);
	return rc;
}
