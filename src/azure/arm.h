/* arm: HTTPS calls to Azure Resource Manager and the token endpoints, on the libcurl multi
 * interface, driven by the one poll loop (CURLMOPT_SOCKETFUNCTION/TIMERFUNCTION): no call
 * ever blocks the screen.
 *
 * The rules of hardening.md live here, once: HTTPS only (plain http only for the metadata
 * service), TLS verification always on, TLS 1.2 minimum, no redirects, bodies capped in the
 * write callback, the bearer token only to https URLs on the configured ARM host (so never
 * to a foreign nextLink, polling URL or blob SAS host), 429 honoured through Retry-After
 * (bounded), 5xx and network errors retried with jittered backoff a bounded number of
 * times, never CURLOPT_VERBOSE. */
#ifndef SSHTRIAGE_AZURE_ARM_H
#define SSHTRIAGE_AZURE_ARM_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#define ARM_BODY_MAX (4L * 1024 * 1024)  /* larger answers are cut off and fail */
#define ARM_ATTEMPTS 4                   /* per call, 429s and 5xx included */
#define ARM_CALL_TIMEOUT_MS 20000        /* one HTTP exchange */

struct arm_config {
	const char *arm_endpoint;    /* "https://management.azure.com" */
	const char *ca_file;         /* extra trust anchor (SSHTRIAGE_CA_FILE) or NULL */
	const char *imds_endpoint;   /* "http://169.254.169.254": the only plain-http host */
};

enum arm_flags {
	ARM_BEARER = 1,              /* send the ARM token (refused unless the URL is the ARM host) */
	ARM_FORM = 2,                /* body is application/x-www-form-urlencoded */
	ARM_METADATA = 4,            /* IMDS: "Metadata: true", no proxy, plain http allowed */
	ARM_NO_RETRY = 8,            /* a POST action: the caller reads back before retrying */
	ARM_LRO = 16,                /* a long-running operation: poll it to its end (below) */
};

/* ARM_LRO: a 201/202 answer naming Azure-AsyncOperation (preferred) or Location is polled
 * with GET on that URL (only on the ARM host, with the token), Retry-After seconds apart
 * (ARM_LRO_POLL_MIN_MS..ARM_LRO_POLL_MAX_MS, ARM_LRO_POLL_DEFAULT_MS when absent), for at
 * most ARM_LRO_MAX_MS.  The callback then gets the last answer: the status body of an
 * Azure-AsyncOperation (lro_status "Succeeded", "Failed" or "Canceled"), or the final
 * answer of a Location URL (lro_status "Succeeded" for 200/204).  An operation that
 * outlives the bound, or names a polling URL off the ARM host, ends with error set. */
#define ARM_LRO_POLL_MIN_MS 500
#define ARM_LRO_POLL_DEFAULT_MS 2000
#define ARM_LRO_POLL_MAX_MS 10000
#define ARM_LRO_MAX_MS 120000

struct arm_response {
	long status;                 /* HTTP status, 0 when no answer */
	const char *body;            /* NUL-terminated copy of the body (len bytes) */
	size_t len;
	const char *async_operation; /* Azure-AsyncOperation header or "" */
	const char *location;        /* Location header or "" */
	const char *retry_after;     /* Retry-After header or "" */
	const char *error;           /* transport or policy error, "" when an answer came */
	const char *lro_status;      /* ARM_LRO: "Succeeded", "Failed", "Canceled"; else "" */
	int polls;                   /* ARM_LRO: polling GETs made */
	int attempts;
	long elapsed_ms;
};

/* Called once per call, from arm_handle() (never from arm_call()).  r and its strings
 * are valid only during the call. */
typedef void (*arm_done_fn)(void *arg, const struct arm_response *r);

struct arm;

struct arm *arm_new(const struct arm_config *cfg, char *err, size_t errlen);
/* Cancels every call (their callbacks are not run) and frees; NULL-safe. */
void arm_free(struct arm *a);

/* Drops every call without running its callback. */
void arm_cancel_all(struct arm *a);

/* The bearer token for ARM_BEARER calls (copied; NULL forgets it).  Never logged. */
void arm_set_token(struct arm *a, const char *token);

/* After a 401 to an ARM_BEARER call, the call waits and fn(arg) is asked (once for all such
 * calls) to get a new token; the caller then sets it (arm_set_token) and calls
 * arm_token_refreshed: the waiting calls repeat once with it, or, when !ok, end with their
 * 401 (or, for calls started while waiting, with error "no new token: why").  Without fn a
 * 401 is handed over as it is. */
typedef void (*arm_refresh_fn)(void *arg);
void arm_on_unauthorized(struct arm *a, arm_refresh_fn fn, void *arg);
void arm_token_refreshed(struct arm *a, bool ok, const char *why);

/* Starts a call.  method "GET", "PUT", "POST", "DELETE"; body may be NULL.  Returns 0, or
 * -1 with the reason in err when the call is refused before it starts (a URL that is not
 * https, a bearer call to a foreign host...).  Header values are copied. */
int arm_call(struct arm *a, const char *method, const char *url, const char *body, int flags,
	     arm_done_fn done, void *arg, char *err, size_t errlen);

/* True when url is https on the configured ARM host (the only place a token may go). */
bool arm_url_is_arm(const struct arm *a, const char *url);

int arm_in_flight(const struct arm *a);
/* Calls made since arm_new (each attempt counts). */
int arm_calls_made(const struct arm *a);

/* poll() integration. */
int arm_pollfds(const struct arm *a, struct pollfd *fds, int max);
int arm_timeout(const struct arm *a);        /* ms until arm_handle is due, -1: none */
void arm_handle(struct arm *a, const struct pollfd *fds, int n);

#endif
