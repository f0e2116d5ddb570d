#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/target.h"
#include "util/audit.h"
#include "util/sanitize.h"

int audit_state_path(const char *name, char *out, size_t len)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int n;

	if (state && state[0] == '/')
		n = snprintf(out, len, "%s/sshtriage/%s", state, name);
	else if (home && home[0] == '/')
		n = snprintf(out, len, "%s/.local/state/sshtriage/%s", home, name);
	else
		return -1;
	return n > 0 && (size_t)n < len ? 0 : -1;
}

int audit_path(char *out, size_t len)
{
	return audit_state_path("audit.jsonl", out, len);
}

int audit_make_dirs(const char *path)
{
	char dir[4096], *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (!p)
		return -1;
	*p = '\0';
	for (p = dir + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(dir, 0700) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(dir, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

static void add_clean(cJSON *o, const char *key, const char *s)
{
	char buf[600];

	sanitize(buf, sizeof(buf), s, strlen(s), SANITIZE_UTF8);
	cJSON_AddStringToObject(o, key, buf);
}

int audit_append(const struct model *m, const char *remedy, const char *request,
		 const char *outcome, const char *status, char *err, size_t errlen)
{
	char path[4096], when[40], tgt[400], *line;
	cJSON *o = cJSON_CreateObject();
	time_t now = time(NULL);
	struct tm tm;
	size_t n;
	ssize_t w;
	int fd;

	if (audit_path(path, sizeof(path)) != 0 || audit_make_dirs(path) != 0) {
		snprintf(err, errlen, "no place for the audit log (HOME or XDG_STATE_HOME)");
		cJSON_Delete(o);
		return -1;
	}
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	target_format(&m->target, tgt, sizeof(tgt));
	cJSON_AddStringToObject(o, "time", when);
	add_clean(o, "target", tgt);
	if (m->target.azure_vm[0])
		add_clean(o, "azure_vm", m->target.azure_vm);
	cJSON_AddStringToObject(o, "remedy", remedy);
	add_clean(o, "request", request);
	cJSON_AddStringToObject(o, "outcome", outcome);
	add_clean(o, "status", status);
	line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!line) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	n = strlen(line);
	line[n] = '\n';       /* cJSON's terminating NUL becomes the newline: one write */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(line);
		return -1;
	}
	w = write(fd, line, n + 1);
	if (close(fd) != 0 || w != (ssize_t)(n + 1)) {
		snprintf(err, errlen, "%s: the line was not written whole", path);
		free(line);
		return -1;
	}
	free(line);
	return 0;
}
