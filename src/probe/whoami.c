#include "config.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "probe/whoami.h"
#include "util/clock.h"

#define WHOAMI_MAX 256           /* an address, not a page: anything longer is refused */

struct body {
	char buf[WHOAMI_MAX + 1];
	size_t len;
	bool too_big;
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct body *b = arg;
	size_t got = size * n;

	/* libcurl 7.88 cannot cap a body of unknown length itself: stop it here. */
	if (b->len + got > WHOAMI_MAX) {
		b->too_big = true;
		return 0;
	}
	memcpy(b->buf + b->len, p, got);
	b->len += got;
	return got;
}

void whoami_probe(struct check *c, const char *url, int timeout_ms, char *ip, size_t iplen)
{
	struct body b = {.len = 0};
	long long t0 = clock_ms();
	CURL *h = curl_easy_init();
	CURLcode rc;
	long status = 0;
	unsigned char tmp[sizeof(struct in6_addr)];

	if (!h) {
		check_set(c, ST_UNKNOWN, OUT_ERROR, "libcurl could not start");
		return;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "sshtriage/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	c->elapsed_ms = clock_ms() - t0;
	b.buf[b.len] = '\0';
	b.buf[strcspn(b.buf, " \t\r\n")] = '\0';
	check_evidence(c, "GET %s -> %s, HTTP %ld, %zu bytes", url,
		       rc == CURLE_OK ? "ok" : curl_easy_strerror(rc), status, b.len);
	if (b.too_big)
		check_set(c, ST_WARN, OUT_ERROR, "the what-is-my-IP answer is not an address (over %d bytes)",
			  WHOAMI_MAX);
	else if (rc != CURLE_OK)
		check_set(c, ST_WARN, rc == CURLE_OPERATION_TIMEDOUT ? OUT_TIMEOUT : OUT_ERROR,
			  "web traffic out fails too: %s", curl_easy_strerror(rc));
	else if (status != 200 || (inet_pton(AF_INET, b.buf, tmp) != 1 && inet_pton(AF_INET6, b.buf, tmp) != 1))
		check_set(c, ST_WARN, OUT_ERROR, "the what-is-my-IP service answered HTTP %ld without an address",
			  status);
	else {
		check_set(c, ST_OK, OUT_OK, "web traffic gets out; this client's public address is %s", b.buf);
		snprintf(ip, iplen, "%s", b.buf);
	}
}
