#include "config.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "azure/arm.h"
#include "azure/netjson.h"
#include "azure/retry.h"
#include "util/clock.h"
#include "util/secret.h"

#define ARM_MAX_SOCKS 32
#define ARM_MAX_HEADERS 200          /* an answer with more header lines is refused */
#define ARM_URL_MAX 4096

struct call {
	struct call *next;
	CURL *h;
	struct curl_slist *hdrs;         /* the fixed headers */
	struct curl_slist *attempt_hdrs; /* ARM_BEARER: the token's, then the fixed ones */
	char method[8];
	char *url, *body;
	int flags;
	arm_done_fn done;
	void *arg;
	char *buf;
	size_t len, cap;
	bool too_big, too_many_headers;
	int n_headers;
	char async_op[ARM_URL_MAX], location[ARM_URL_MAX], retry_after[128];
	int attempts;
	long long started, not_before;   /* not_before > 0: waiting to retry */
	bool parked;                     /* waiting for a new token (after a 401, or during one) */
	bool retried_401;
	long parked_status;              /* the 401 it got, handed over if no token comes */
	char error[256];
	char curl_err[CURL_ERROR_SIZE];  /* libcurl's own detail (which certificate problem) */
	/* ARM_LRO */
	bool polling;                    /* the call now GETs a polling URL */
	bool async;                      /* ... an Azure-AsyncOperation one */
	int polls;
	long long lro_deadline;
	char lro_status[16];
	char *final_url;                 /* Location given beside Azure-AsyncOperation */
};

struct arm {
	CURLM *m;
	CURLU *arm_url;              /* the ARM endpoint, parsed once */
	char *ca_file, *imds, *token;
	struct call *calls;
	struct {
		curl_socket_t fd;
		short events;
	} socks[ARM_MAX_SOCKS];
	int nsocks;
	long long timer_due;         /* -1: no curl timer */
	arm_refresh_fn refresh;      /* asked for a new token after a 401 */
	void *refresh_arg;
	bool refreshing;
	int calls_made;
	unsigned long rng;
};

/* ---- policy helpers ------------------------------------------------------------------- */

static bool same_origin(CURLU *a, const char *url)
{
	CURLU *b = curl_url();
	char *sa = NULL, *ha = NULL, *pa = NULL, *sb = NULL, *hb = NULL, *pb = NULL;
	bool same = false;

	if (b && curl_url_set(b, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(a, CURLUPART_SCHEME, &sa, 0) == CURLUE_OK &&
	    curl_url_get(b, CURLUPART_SCHEME, &sb, 0) == CURLUE_OK &&
	    curl_url_get(a, CURLUPART_HOST, &ha, 0) == CURLUE_OK &&
	    curl_url_get(b, CURLUPART_HOST, &hb, 0) == CURLUE_OK &&
	    curl_url_get(a, CURLUPART_PORT, &pa, CURLU_DEFAULT_PORT) == CURLUE_OK &&
	    curl_url_get(b, CURLUPART_PORT, &pb, CURLU_DEFAULT_PORT) == CURLUE_OK)
		same = strcmp(sa, "https") == 0 && strcmp(sb, "https") == 0 &&
		       strcasecmp(ha, hb) == 0 && strcmp(pa, pb) == 0;
	curl_free(sa);
	curl_free(sb);
	curl_free(ha);
	curl_free(hb);
	curl_free(pa);
	curl_free(pb);
	curl_url_cleanup(b);
	return same;
}

bool arm_url_is_arm(const struct arm *a, const char *url)
{
	return same_origin(a->arm_url, url);
}

static bool url_is_https(const char *url)
{
	return strncasecmp(url, "https://", 8) == 0;
}

static double next_random(struct arm *a)
{
	/* xorshift: jitter only needs to spread retries, not to be secret */
	a->rng ^= a->rng << 13;
	a->rng ^= a->rng >> 7;
	a->rng ^= a->rng << 17;
	return (double)(a->rng % 1000000) / 1000000.0;
}

/* ---- libcurl callbacks ---------------------------------------------------------------- */

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct call *c = arg;
	size_t got = size * n;

	/* libcurl 7.88 does not stop an unknown-length download at a size limit: we do. */
	if (c->len + got > (size_t)ARM_BODY_MAX) {
		c->too_big = true;
		return 0;
	}
	if (c->len + got + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 16384;
		char *nb;

		while (cap < c->len + got + 1)
			cap *= 2;
		nb = realloc(c->buf, cap);
		if (!nb)
			return 0;
		c->buf = nb;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, p, got);
	c->len += got;
	c->buf[c->len] = '\0';
	return got;
}

static void keep_header(const char *line, size_t n, const char *name, char *dst, size_t dstlen)
{
	size_t k = strlen(name);

	if (n <= k + 1 || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return;
	line += k + 1;
	n -= k + 1;
	while (n && (*line == ' ' || *line == '\t')) {
		line++;
		n--;
	}
	while (n && (line[n - 1] == '\r' || line[n - 1] == '\n' || line[n - 1] == ' '))
		n--;
	if (n >= dstlen)
		n = 0;       /* an oversized value is dropped, never truncated into a wrong URL */
	memcpy(dst, line, n);
	dst[n] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct call *c = arg;
	size_t len = size * n;

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		c->n_headers = 0;    /* a new response (e.g. after 100 Continue) */
		c->async_op[0] = c->location[0] = c->retry_after[0] = '\0';
	}
	if (++c->n_headers > ARM_MAX_HEADERS) {
		c->too_many_headers = true;
		return 0;
	}
	keep_header(p, len, "Azure-AsyncOperation", c->async_op, sizeof(c->async_op));
	keep_header(p, len, "Location", c->location, sizeof(c->location));
	keep_header(p, len, "Retry-After", c->retry_after, sizeof(c->retry_after));
	return len;
}

static int on_socket(CURL *h, curl_socket_t fd, int what, void *arg, void *sockp)
{
	struct arm *a = arg;
	int i;

	(void)h;
	(void)sockp;
	for (i = 0; i < a->nsocks && a->socks[i].fd != fd; i++)
		;
	if (what == CURL_POLL_REMOVE) {
		if (i < a->nsocks)
			a->socks[i] = a->socks[--a->nsocks];
		return 0;
	}
	if (i == a->nsocks) {
		if (a->nsocks == ARM_MAX_SOCKS)
			return -1;
		a->nsocks++;
	}
	a->socks[i].fd = fd;
	a->socks[i].events = (short)(((what & CURL_POLL_IN) ? POLLIN : 0) |
				     ((what & CURL_POLL_OUT) ? POLLOUT : 0));
	return 0;
}

static int on_timer(CURLM *m, long timeout_ms, void *arg)
{
	struct arm *a = arg;

	(void)m;
	a->timer_due = timeout_ms < 0 ? -1 : clock_ms() + timeout_ms;
	return 0;
}

/* ---- calls ---------------------------------------------------------------------------- */

/* Header lists may hold the token: wiped before they are freed. */
static void slist_wipe_free(struct curl_slist *l)
{
	for (struct curl_slist *s = l; s; s = s->next)
		memset(s->data, 0, strlen(s->data));
	curl_slist_free_all(l);
}

static void call_free(struct call *c)
{
	if (!c)
		return;
	curl_slist_free_all(c->hdrs);
	slist_wipe_free(c->attempt_hdrs);
	free(c->url);
	if (c->body) {
		/* request bodies may hold a client secret: wipe before freeing */
		explicit_bzero(c->body, strlen(c->body));
		free(c->body);
	}
	free(c->buf);
	free(c->final_url);
	free(c);
}

static int start_attempt(struct arm *a, struct call *c)
{
	CURL *h = curl_easy_init();
	bool metadata = c->flags & ARM_METADATA;

	if (!h)
		return -1;
	slist_wipe_free(c->attempt_hdrs);
	c->attempt_hdrs = NULL;
	if (c->flags & ARM_BEARER) {
		/* the token of this attempt: a retry after a refresh carries the new one */
		char hdr[8192];
		struct curl_slist *l;

		snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", a->token ? a->token : "");
		l = curl_slist_append(NULL, hdr);
		memset(hdr, 0, sizeof(hdr));
		for (struct curl_slist *s = c->hdrs; s && l; s = s->next)
			if (!curl_slist_append(l, s->data)) {
				slist_wipe_free(l);
				l = NULL;
			}
		if (!l) {
			curl_easy_cleanup(h);
			return -1;
		}
		c->attempt_hdrs = l;
	}
	c->len = 0;
	c->too_big = c->too_many_headers = false;
	c->n_headers = 0;
	c->async_op[0] = c->location[0] = c->retry_after[0] = '\0';
	c->not_before = 0;
	c->attempts++;
	a->calls_made++;
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, metadata ? "http" : "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (a->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, a->ca_file);   /* system CA path stays trusted */
	if (metadata)
		curl_easy_setopt(h, CURLOPT_NOPROXY, "*");          /* never through a proxy */
	/* The metadata service is on-link or absent: waiting long for it only delays the
	 * next credential source. */
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, metadata ? 5000L : (long)ARM_CALL_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, metadata ? 2000L : 10000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "sshtriage/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(h, CURLOPT_PRIVATE, c);
	c->curl_err[0] = '\0';
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_err);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method);
	if (c->body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(c->body));
	} else if (strcmp(c->method, "POST") == 0 || strcmp(c->method, "PUT") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
	} else if (strcmp(c->method, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->attempt_hdrs ? c->attempt_hdrs : c->hdrs);
	c->h = h;
	if (curl_multi_add_handle(a->m, h) != CURLM_OK) {
		curl_easy_cleanup(h);
		c->h = NULL;
		return -1;
	}
	return 0;
}

int arm_call(struct arm *a, const char *method, const char *url, const char *body, int flags,
	     arm_done_fn done, void *arg, char *err, size_t errlen)
{
	struct call *c;

	if (strlen(url) >= ARM_URL_MAX) {
		snprintf(err, errlen, "URL too long");
		return -1;
	}
	if (flags & ARM_METADATA) {
		if (!a->imds || strncmp(url, a->imds, strlen(a->imds)) != 0) {
			snprintf(err, errlen, "metadata calls go only to the metadata service");
			return -1;
		}
	} else if (!url_is_https(url)) {
		snprintf(err, errlen, "refusing a non-https URL");
		return -1;
	}
	if ((flags & ARM_BEARER) && !arm_url_is_arm(a, url)) {
		snprintf(err, errlen, "refusing to send the token to a host that is not the ARM endpoint");
		return -1;
	}
	if ((flags & ARM_BEARER) && !a->token && !a->refreshing) {
		snprintf(err, errlen, "no token");
		return -1;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->url = strdup(url)) || (body && !(c->body = strdup(body)))) {
		call_free(c);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(c->method, sizeof(c->method), "%.7s", method);
	c->flags = flags;
	c->done = done;
	c->arg = arg;
	c->started = clock_ms();
	c->hdrs = curl_slist_append(c->hdrs, (flags & ARM_FORM) ? "Content-Type: application/x-www-form-urlencoded"
								: "Content-Type: application/json");
	c->hdrs = curl_slist_append(c->hdrs, "Accept: application/json");
	c->hdrs = curl_slist_append(c->hdrs, "Expect:");
	if (flags & ARM_METADATA)
		c->hdrs = curl_slist_append(c->hdrs, "Metadata: true");
	if ((flags & ARM_BEARER) && !a->token)
		c->parked = true;        /* a new token is on its way: start with it */
	else if (start_attempt(a, c) != 0) {
		call_free(c);
		snprintf(err, errlen, "libcurl could not start the call");
		return -1;
	}
	c->next = a->calls;
	a->calls = c;
	return 0;
}

static void unlink_call(struct arm *a, struct call *c)
{
	for (struct call **p = &a->calls; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			return;
		}
}

/* The Retry-After of a polling answer, bounded for polling. */
static long poll_wait_ms(const struct call *c)
{
	bool capped = false;
	long w = c->retry_after[0] ? retry_after_ms(c->retry_after, time(NULL), &capped)
				   : ARM_LRO_POLL_DEFAULT_MS;

	if (w < ARM_LRO_POLL_MIN_MS)
		w = ARM_LRO_POLL_MIN_MS;
	return w > ARM_LRO_POLL_MAX_MS ? ARM_LRO_POLL_MAX_MS : w;
}

/* "status" of an Azure-AsyncOperation body, "" when there is none. */
static void async_status(const char *body, size_t len, char *out, size_t outlen)
{
	char why[NETJSON_ERR_LEN];
	/* strict: "InProgress" and "Succeeded" under one key must not end the wait */
	cJSON *j = netjson_parse_strict(body, len, why, sizeof(why));
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "status");

	snprintf(out, outlen, "%s", cJSON_IsString(st) ? st->valuestring : "");
	cJSON_Delete(j);
}

/* Turns the call into (or keeps it as) a poll of url; false with c->error set when the
 * URL may not be polled. */
static bool poll_again(struct arm *a, struct call *c, const char *url, bool async)
{
	char *u;

	if (clock_ms() >= c->lro_deadline) {
		snprintf(c->error, sizeof(c->error), "the operation did not finish within %d s",
			 ARM_LRO_MAX_MS / 1000);
		return false;
	}
	if (!arm_url_is_arm(a, url)) {
		snprintf(c->error, sizeof(c->error), "the operation's polling URL is not on the ARM host");
		return false;
	}
	if (url != c->url) {
		if (!(u = strdup(url))) {
			snprintf(c->error, sizeof(c->error), "out of memory");
			return false;
		}
		free(c->url);
		c->url = u;
	}
	if (c->body) {
		explicit_bzero(c->body, strlen(c->body));
		free(c->body);
		c->body = NULL;
	}
	snprintf(c->method, sizeof(c->method), "GET");
	c->flags &= ~ARM_NO_RETRY;        /* a GET may always repeat */
	c->polling = true;
	c->async = async;
	c->attempts = 0;
	c->polls++;
	c->not_before = clock_ms() + poll_wait_ms(c);
	return true;
}

/* ARM_LRO: decides whether the answer just read ends the operation.  Returns true when the
 * call goes on polling (nothing is delivered yet). */
static bool lro_continue(struct arm *a, struct call *c, long status)
{
	if (c->error[0])
		return false;
	if (!c->polling) {
		if (status != 201 && status != 202)
			return false;    /* done at once (200, 204) or an error: as it is */
		c->lro_deadline = clock_ms() + ARM_LRO_MAX_MS;
		/* the status says when it is done; Location then holds the result (IP flow
		 * verify, Run Command's output) */
		if (c->async_op[0] && c->location[0] && !(c->final_url = strdup(c->location))) {
			snprintf(c->error, sizeof(c->error), "out of memory");
			return false;
		}
		if (c->async_op[0])
			return poll_again(a, c, c->async_op, true);
		if (c->location[0])
			return poll_again(a, c, c->location, false);
		return false;            /* nothing to poll: the answer is final */
	}
	if (c->async) {
		if (status != 200)
			return false;
		async_status(c->buf ? c->buf : "", c->len, c->lro_status, sizeof(c->lro_status));
		/* only three words end an operation; any other ("InProgress", "Creating",
		 * "Updating"...) means it still runs */
		if (strcasecmp(c->lro_status, "Succeeded") != 0 &&
		    strcasecmp(c->lro_status, "Failed") != 0 && strcasecmp(c->lro_status, "Canceled") != 0)
			return poll_again(a, c, c->url, true);
		if (strcasecmp(c->lro_status, "Succeeded") == 0 && c->final_url) {
			char *u = c->final_url;
			bool again;

			c->final_url = NULL;
			again = poll_again(a, c, u, false);
			free(u);
			if (again)
				c->not_before = clock_ms();   /* done already: no need to wait */
			return again;
		}
		return false;
	}
	if (status == 202)
		return poll_again(a, c, c->location[0] ? c->location : c->url, false);
	if (status == 200 || status == 201 || status == 204)
		snprintf(c->lro_status, sizeof(c->lro_status), "Succeeded");
	return false;
}

static void deliver(struct arm *a, struct call *c, long status);

/* An attempt ended: retry it later, or hand the answer to the caller. */
static void finished(struct arm *a, struct call *c, CURLcode rc)
{
	long status = 0;
	bool retry = false;
	long wait = 0;
	bool capped = false;

	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(a->m, c->h);
	curl_easy_cleanup(c->h);
	c->h = NULL;
	c->error[0] = '\0';
	if (c->too_big)
		snprintf(c->error, sizeof(c->error), "the answer is larger than %ld bytes", ARM_BODY_MAX);
	else if (c->too_many_headers)
		snprintf(c->error, sizeof(c->error), "the answer has more than %d header lines", ARM_MAX_HEADERS);
	else if (rc != CURLE_OK)
		snprintf(c->error, sizeof(c->error), "%.250s",
			 c->curl_err[0] ? c->curl_err : curl_easy_strerror(rc));
	if (c->attempts < ARM_ATTEMPTS && !c->too_big && !c->too_many_headers) {
		if (status == 429) {
			/* throttled: the request was not carried out, so even a POST may repeat */
			retry = true;
			wait = retry_after_ms(c->retry_after[0] ? c->retry_after : NULL, time(NULL), &capped);
		} else if (!(c->flags & ARM_NO_RETRY) && (rc != CURLE_OK || status >= 500)) {
			retry = true;
			wait = retry_backoff_ms(c->attempts, next_random(a));
		}
	}
	if (retry) {
		c->not_before = clock_ms() + wait;
		return;
	}
	if (status == 401 && !c->error[0] && (c->flags & ARM_BEARER) && !c->retried_401 && a->refresh) {
		/* an expired or revoked token: once per call, wait for a new one and repeat it
		 * (ARM did nothing with a request it did not authenticate, so a POST may repeat) */
		c->retried_401 = c->parked = true;
		c->parked_status = status;
		if (!a->refreshing) {
			a->refreshing = true;
			a->refresh(a->refresh_arg);
		}
		return;
	}
	if ((c->flags & ARM_LRO) && lro_continue(a, c, status))
		return;
	deliver(a, c, status);
}

/* Hands the call's answer to its caller and frees it. */
static void deliver(struct arm *a, struct call *c, long status)
{
	struct arm_response r;

	memset(&r, 0, sizeof(r));
	r.status = c->error[0] ? 0 : status;
	r.body = c->buf && !c->error[0] ? c->buf : "";
	r.len = c->error[0] ? 0 : c->len;
	r.async_operation = c->async_op;
	r.location = c->location;
	r.retry_after = c->retry_after;
	r.error = c->error;
	r.lro_status = c->lro_status;
	r.polls = c->polls;
	r.attempts = c->attempts;
	r.elapsed_ms = (long)(clock_ms() - c->started);
	unlink_call(a, c);
	if (c->done)
		c->done(c->arg, &r);
	call_free(c);
}

void arm_handle(struct arm *a, const struct pollfd *fds, int n)
{
	int running = 0;
	long long now = clock_ms();
	CURLMsg *msg;
	int left;

	for (int i = 0; i < n; i++) {
		int ev = 0;

		if (!fds[i].revents)
			continue;
		for (int s = 0; s < a->nsocks; s++)
			if (a->socks[s].fd == fds[i].fd) {
				ev = ((fds[i].revents & POLLIN) ? CURL_CSELECT_IN : 0) |
				     ((fds[i].revents & POLLOUT) ? CURL_CSELECT_OUT : 0) |
				     ((fds[i].revents & (POLLERR | POLLHUP)) ? CURL_CSELECT_ERR : 0);
				curl_multi_socket_action(a->m, fds[i].fd, ev, &running);
				break;
			}
	}
	if (a->timer_due >= 0 && now >= a->timer_due) {
		a->timer_due = -1;
		curl_multi_socket_action(a->m, CURL_SOCKET_TIMEOUT, 0, &running);
	}
	/* Calls whose retry time has come start their next attempt. */
	for (struct call *c = a->calls; c; c = c->next)
		if (!c->h && c->not_before && now >= c->not_before && start_attempt(a, c) != 0)
			c->not_before = now + 1000;
	while ((msg = curl_multi_info_read(a->m, &left)) != NULL) {
		struct call *c = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
		if (c)
			finished(a, c, msg->data.result);
	}
}

int arm_pollfds(const struct arm *a, struct pollfd *fds, int max)
{
	int n = 0;

	for (int i = 0; i < a->nsocks && n < max; i++) {
		fds[n].fd = a->socks[i].fd;
		fds[n].events = a->socks[i].events;
		fds[n].revents = 0;
		n++;
	}
	return n;
}

int arm_timeout(const struct arm *a)
{
	long long now = clock_ms(), due = a->timer_due;

	for (const struct call *c = a->calls; c; c = c->next)
		if (!c->h && c->not_before && (due < 0 || c->not_before < due))
			due = c->not_before;
	if (due < 0)
		return -1;
	return due <= now ? 0 : (int)(due - now);
}

int arm_in_flight(const struct arm *a)
{
	int n = 0;

	for (const struct call *c = a->calls; c; c = c->next)
		n++;
	return n;
}

int arm_calls_made(const struct arm *a)
{
	return a->calls_made;
}

void arm_set_token(struct arm *a, const char *token)
{
	if (a->token) {
		memset(a->token, 0, strlen(a->token));
		free(a->token);
	}
	a->token = token ? strdup(token) : NULL;
}

struct arm *arm_new(const struct arm_config *cfg, char *err, size_t errlen)
{
	struct arm *a = calloc(1, sizeof(*a));

	/* curl's buffers (its send buffer holds a small request body whole: a client secret,
	 * a new password) are wiped when it frees them */
	if (!a || curl_global_init_mem(CURL_GLOBAL_DEFAULT, malloc, secret_wipe_free,
				       secret_wipe_realloc, strdup, calloc) != CURLE_OK) {
		free(a);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->timer_due = -1;
	a->rng = (unsigned long)clock_ms() | 1;
	a->arm_url = curl_url();
	if (!a->arm_url || !cfg->arm_endpoint || !url_is_https(cfg->arm_endpoint) ||
	    curl_url_set(a->arm_url, CURLUPART_URL, cfg->arm_endpoint, 0) != CURLUE_OK) {
		snprintf(err, errlen, "the ARM endpoint must be an https:// URL");
		arm_free(a);
		return NULL;
	}
	if ((cfg->ca_file && !(a->ca_file = strdup(cfg->ca_file))) ||
	    (cfg->imds_endpoint && !(a->imds = strdup(cfg->imds_endpoint))) || !(a->m = curl_multi_init())) {
		snprintf(err, errlen, "out of memory");
		arm_free(a);
		return NULL;
	}
	curl_multi_setopt(a->m, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(a->m, CURLMOPT_SOCKETDATA, a);
	curl_multi_setopt(a->m, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(a->m, CURLMOPT_TIMERDATA, a);
	return a;
}

void arm_on_unauthorized(struct arm *a, arm_refresh_fn fn, void *arg)
{
	a->refresh = fn;
	a->refresh_arg = arg;
}

void arm_token_refreshed(struct arm *a, bool ok, const char *why)
{
	a->refreshing = false;
again:
	for (struct call *c = a->calls; c; c = c->next) {
		if (!c->parked)
			continue;
		c->parked = false;
		if (ok && a->token) {
			c->not_before = clock_ms();      /* started by the next arm_handle */
			continue;
		}
		if (!c->parked_status)
			snprintf(c->error, sizeof(c->error), "no new token: %.200s", why ? why : "");
		deliver(a, c, c->parked_status);
		goto again;      /* the callback may have changed the list */
	}
}

void arm_cancel_all(struct arm *a)
{
	a->refreshing = false;
	while (a->calls) {
		struct call *c = a->calls;

		a->calls = c->next;
		if (c->h) {
			curl_multi_remove_handle(a->m, c->h);
			curl_easy_cleanup(c->h);
		}
		call_free(c);
	}
}

void arm_free(struct arm *a)
{
	if (!a)
		return;
	arm_cancel_all(a);
	if (a->m)
		curl_multi_cleanup(a->m);
	curl_url_cleanup(a->arm_url);
	arm_set_token(a, NULL);
	free(a->ca_file);
	free(a->imds);
	free(a);
}
