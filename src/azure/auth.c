#include "config.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "azure/auth.h"
#include "azure/netjson.h"
#include "azure/token.h"
#include "util/clock.h"
#include "util/secret.h"

#define AUTH_CLI_TIMEOUT_MS 20000

struct auth {
	struct arm *arm;
	enum auth_source only, trying, got;
	char tenant[128], client_id[128], authority[512], imds[512], resource[512];
	char *secret;
	char token[TOKEN_MAX];
	time_t expires;
	char why[768];
	void (*ready)(void *arg, bool ok, const char *why);
	void *arg;
	bool busy, ready_due, ready_ok;
	pid_t cli_pid;
	int cli_fd;
	char cli_buf[32768];
	size_t cli_len;
	long long cli_deadline;
};

static const char *source_names[] = {"none", "service principal", "managed identity", "Azure CLI"};

const char *auth_source_name(const struct auth *au)
{
	return source_names[au->got];
}

bool auth_busy(const struct auth *au)
{
	return au->busy;
}

static int copy_env(char *dst, size_t len, const char *name, const char *dflt)
{
	const char *v = getenv(name);

	if (!v || !*v)
		v = dflt;
	if (!v) {
		dst[0] = '\0';
		return 0;
	}
	if (strlen(v) >= len || strpbrk(v, " \t\r\n"))
		return -1;
	snprintf(dst, len, "%s", v);
	return 0;
}

/* The secret taken out of the environment at start (auth_take_env_secret), until auth_new
 * moves it into its auth. */
static char *taken_secret;

void auth_take_env_secret(void)
{
	/* no child (probe workers, nft, az) inherits it */
	char *secret = secret_take_env("AZURE_CLIENT_SECRET");

	if (secret && !taken_secret)
		taken_secret = secret;
	else
		secret_free(secret);
}

struct auth *auth_new(struct arm *arm, enum auth_source only, char *err, size_t errlen)
{
	struct auth *au = calloc(1, sizeof(*au));
	const char *file = getenv("AZURE_CLIENT_SECRET_FILE");
	char *secret;
	const char *arm_ep = getenv("SSHTRIAGE_ARM_ENDPOINT");

	if (!au) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	au->arm = arm;
	au->only = only;
	au->cli_fd = -1;
	if (copy_env(au->tenant, sizeof(au->tenant), "AZURE_TENANT_ID", NULL) ||
	    copy_env(au->client_id, sizeof(au->client_id), "AZURE_CLIENT_ID", NULL) ||
	    copy_env(au->authority, sizeof(au->authority), "AZURE_AUTHORITY_HOST",
		     "https://login.microsoftonline.com") ||
	    copy_env(au->imds, sizeof(au->imds), "SSHTRIAGE_IMDS_ENDPOINT", "http://169.254.169.254")) {
		snprintf(err, errlen, "an AZURE_* or SSHTRIAGE_* variable is too long or holds spaces");
		auth_free(au);
		return NULL;
	}
	/* the token's audience is the ARM endpoint, with one trailing slash */
	snprintf(au->resource, sizeof(au->resource), "%.500s%s",
		 arm_ep && *arm_ep ? arm_ep : "https://management.azure.com",
		 arm_ep && *arm_ep && arm_ep[strlen(arm_ep) - 1] == '/' ? "" : "/");
	/* From here on the secret lives only in au (main took it out of the environment
	 * first thing; this covers callers that did not) */
	auth_take_env_secret();
	secret = taken_secret;
	taken_secret = NULL;
	if (file && *file) {
		secret_free(secret);
		au->secret = secret_read_file(file, "AZURE_CLIENT_SECRET_FILE", err, errlen);
		if (!au->secret) {
			auth_free(au);
			return NULL;
		}
	} else {
		au->secret = secret;
	}
	if (only == AUTH_SP && !(au->tenant[0] && au->client_id[0] && au->secret)) {
		snprintf(err, errlen, "a service principal needs AZURE_TENANT_ID, AZURE_CLIENT_ID and "
			 "AZURE_CLIENT_SECRET or AZURE_CLIENT_SECRET_FILE");
		auth_free(au);
		return NULL;
	}
	return au;
}

static void cli_stop(struct auth *au)
{
	if (au->cli_pid > 0) {
		kill(au->cli_pid, SIGKILL);
		waitpid(au->cli_pid, NULL, 0);
		au->cli_pid = 0;
	}
	if (au->cli_fd >= 0) {
		close(au->cli_fd);
		au->cli_fd = -1;
	}
}

void auth_free(struct auth *au)
{
	if (!au)
		return;
	cli_stop(au);
	secret_free(au->secret);
	memset(au->token, 0, sizeof(au->token));
	free(au);
}

void auth_cancel(struct auth *au)
{
	cli_stop(au);
	au->busy = false;
	au->ready_due = false;
}

void auth_invalidate(struct auth *au)
{
	memset(au->token, 0, sizeof(au->token));
	au->expires = 0;
	arm_set_token(au->arm, NULL);
}

static void try_next(struct auth *au);

/* Appends "source: detail" to the reasons every source failed. */
static void add_why(struct auth *au, const char *detail)
{
	size_t n = strlen(au->why);

	snprintf(au->why + n, sizeof(au->why) - n, "%s%s: %s", n ? "; " : "",
		 source_names[au->trying], detail);
}

static void got_token(struct auth *au, const char *json, size_t len)
{
	char err[160];

	if (token_parse(json, len, time(NULL), au->token, sizeof(au->token), &au->expires, err,
			sizeof(err)) != 0) {
		add_why(au, err);
		try_next(au);
		return;
	}
	au->got = au->trying;
	arm_set_token(au->arm, au->token);
	au->busy = false;
	au->ready_due = true;
	au->ready_ok = true;
}

/* An OAuth error answer names its error code; the description may echo input: skip it. */
static void oauth_error(struct auth *au, const struct arm_response *r)
{
	char why[NETJSON_ERR_LEN];
	cJSON *o = r->len ? netjson_parse_strict(r->body, r->len, why, sizeof(why)) : NULL;
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");
	char msg[160];

	if (r->error[0])
		snprintf(msg, sizeof(msg), "%s", r->error);
	else if (cJSON_IsString(e))
		snprintf(msg, sizeof(msg), "HTTP %ld %.60s", r->status, e->valuestring);
	else if (cJSON_IsObject(e) && cJSON_IsString(cJSON_GetObjectItem(e, "code")))
		snprintf(msg, sizeof(msg), "HTTP %ld %.60s", r->status, cJSON_GetObjectItem(e, "code")->valuestring);
	else
		snprintf(msg, sizeof(msg), "HTTP %ld", r->status);
	cJSON_Delete(o);
	add_why(au, msg);
}

static void on_token_answer(void *arg, const struct arm_response *r)
{
	struct auth *au = arg;

	if (r->status == 200 && r->len) {
		got_token(au, r->body, r->len);
		return;
	}
	oauth_error(au, r);
	try_next(au);
}

static void start_sp(struct auth *au)
{
	char url[1024], err[160];
	char *id = curl_easy_escape(NULL, au->client_id, 0), *sec = curl_easy_escape(NULL, au->secret, 0);
	char scope[600], *esc_scope;
	char *body;
	size_t blen;

	snprintf(scope, sizeof(scope), "%s.default", au->resource);
	esc_scope = curl_easy_escape(NULL, scope, 0);
	snprintf(url, sizeof(url), "%s/%s/oauth2/v2.0/token", au->authority, au->tenant);
	blen = (id ? strlen(id) : 0) + (sec ? strlen(sec) : 0) + (esc_scope ? strlen(esc_scope) : 0) + 128;
	body = id && sec && esc_scope ? malloc(blen) : NULL;
	if (body) {
		snprintf(body, blen, "grant_type=client_credentials&client_id=%s&client_secret=%s&scope=%s",
			 id, sec, esc_scope);
		if (arm_call(au->arm, "POST", url, body, ARM_FORM, on_token_answer, au, err, sizeof(err)) != 0) {
			add_why(au, err);
			memset(body, 0, strlen(body));
			free(body);
			body = NULL;
		} else {
			memset(body, 0, strlen(body));
			free(body);
		}
	} else {
		add_why(au, "out of memory");
	}
	if (sec)
		memset(sec, 0, strlen(sec));
	curl_free(id);
	curl_free(sec);
	curl_free(esc_scope);
	if (!body)
		try_next(au);
}

static void start_imds(struct auth *au)
{
	char url[1200], err[160];
	char *res = curl_easy_escape(NULL, au->resource, 0);

	snprintf(url, sizeof(url), "%s/metadata/identity/oauth2/token?api-version=2018-02-01&resource=%s",
		 au->imds, res ? res : "");
	curl_free(res);
	if (arm_call(au->arm, "GET", url, NULL, ARM_METADATA | ARM_NO_RETRY, on_token_answer, au, err,
		     sizeof(err)) != 0) {
		add_why(au, err);
		try_next(au);
	}
}

static void start_cli(struct auth *au)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0) {
		add_why(au, strerror(errno));
		try_next(au);
		return;
	}
	au->cli_pid = fork();
	if (au->cli_pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(p[1], 1);
		dup2(null, 2);
		/* the CLI needs no secret of ours */
		unsetenv("AZURE_CLIENT_SECRET");
		unsetenv("AZURE_CLIENT_SECRET_FILE");
		execlp("az", "az", "account", "get-access-token", "--resource", au->resource,
		       "--output", "json", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if (au->cli_pid < 0) {
		close(p[0]);
		au->cli_pid = 0;
		add_why(au, "cannot fork");
		try_next(au);
		return;
	}
	au->cli_fd = p[0];
	fcntl(au->cli_fd, F_SETFL, O_NONBLOCK);
	au->cli_len = 0;
	au->cli_deadline = clock_ms() + AUTH_CLI_TIMEOUT_MS;
}

static void cli_finish(struct auth *au, bool timed_out)
{
	int status = 0;

	if (au->cli_fd >= 0) {
		close(au->cli_fd);
		au->cli_fd = -1;
	}
	if (timed_out)
		kill(au->cli_pid, SIGKILL);
	waitpid(au->cli_pid, &status, 0);
	au->cli_pid = 0;
	if (timed_out)
		add_why(au, "`az` did not answer in time");
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		add_why(au, "`az` is not installed");
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		add_why(au, "`az account get-access-token` failed (not logged in?)");
	else {
		got_token(au, au->cli_buf, au->cli_len);
		memset(au->cli_buf, 0, sizeof(au->cli_buf));
		return;
	}
	memset(au->cli_buf, 0, sizeof(au->cli_buf));
	try_next(au);
}

static void try_next(struct auth *au)
{
	for (;;) {
		if (au->only != AUTH_ANY && au->trying == au->only)
			au->trying = AUTH_CLI + 1;        /* the one named source failed */
		else if (au->only != AUTH_ANY && au->trying < au->only)
			au->trying = au->only;
		else
			au->trying++;
		if (au->trying > AUTH_CLI) {
			au->busy = false;
			au->ready_due = true;
			au->ready_ok = false;
			return;
		}
		if (au->trying == AUTH_SP && !(au->tenant[0] && au->client_id[0] && au->secret)) {
			if (au->only == AUTH_ANY)
				continue;         /* not configured: silently next */
		}
		switch (au->trying) {
		case AUTH_SP:
			start_sp(au);
			return;
		case AUTH_IMDS:
			start_imds(au);
			return;
		default:
			start_cli(au);
			return;
		}
	}
}

void auth_get(struct auth *au, void (*ready)(void *arg, bool ok, const char *why), void *arg)
{
	au->ready = ready;
	au->arg = arg;
	if (au->busy)
		return;
	if (au->token[0] && !token_stale(au->expires, time(NULL))) {
		au->ready_due = true;
		au->ready_ok = true;
		return;
	}
	au->why[0] = '\0';
	au->busy = true;
	au->trying = AUTH_ANY;
	try_next(au);
}

int auth_pollfds(const struct auth *au, struct pollfd *fds, int max)
{
	if (au->cli_fd < 0 || max < 1)
		return 0;
	fds[0].fd = au->cli_fd;
	fds[0].events = POLLIN;
	fds[0].revents = 0;
	return 1;
}

int auth_timeout(const struct auth *au)
{
	long long left;

	if (au->ready_due)
		return 0;
	if (au->cli_fd < 0)
		return -1;
	left = au->cli_deadline - clock_ms();
	return left < 0 ? 0 : (int)left;
}

void auth_handle(struct auth *au, const struct pollfd *fds, int n)
{
	if (au->cli_fd >= 0) {
		bool eof = false;

		for (int i = 0; i < n; i++)
			if (fds[i].fd == au->cli_fd && fds[i].revents)
				for (;;) {
					ssize_t got = read(au->cli_fd, au->cli_buf + au->cli_len,
							   sizeof(au->cli_buf) - au->cli_len);

					if (got > 0 && (au->cli_len += (size_t)got) < sizeof(au->cli_buf))
						continue;
					eof = got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR) ||
					      au->cli_len == sizeof(au->cli_buf);
					break;
				}
		if (eof)
			cli_finish(au, false);
		else if (clock_ms() >= au->cli_deadline)
			cli_finish(au, true);
	}
	if (au->ready_due) {
		au->ready_due = false;
		if (au->ready)
			au->ready(au->arg, au->ready_ok, au->ready_ok ? "" : au->why);
	}
}
