#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe/classify.h"
#include "probe/net.h"
#include "util/clock.h"

int net_resolve(const char *host, char *addr, size_t addrlen, struct check *c)
{
	struct addrinfo hints, *res = NULL, *ai, *pick = NULL;
	long long t0 = clock_ms();
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	rc = getaddrinfo(host, NULL, &hints, &res);
	c->elapsed_ms = clock_ms() - t0;
	if (rc != 0) {
		enum outcome o = (rc == EAI_NONAME || rc == EAI_NODATA) ? OUT_DNS_NXDOMAIN : OUT_DNS_FAIL;

		check_set(c, ST_FAIL, o, "cannot resolve %s: %s", host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next)
		if (!pick || (ai->ai_family == AF_INET && pick->ai_family != AF_INET))
			pick = ai;
	getnameinfo(pick->ai_addr, pick->ai_addrlen, addr, (socklen_t)addrlen, NULL, 0, NI_NUMERICHOST);
	for (ai = res; ai; ai = ai->ai_next) {
		char a[64];

		getnameinfo(ai->ai_addr, ai->ai_addrlen, a, sizeof(a), NULL, 0, NI_NUMERICHOST);
		if (ai->ai_socktype == SOCK_STREAM)
			check_evidence(c, "%s has address %s", host, a);
	}
	freeaddrinfo(res);
	if (strcmp(addr, host) == 0)
		check_set(c, ST_OK, OUT_OK, "%s is a numeric address", host);
	else
		check_set(c, ST_OK, OUT_OK, "%s resolves to %s", host, addr);
	return 0;
}

static int fill_sockaddr(const char *addr, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((unsigned short)port);
		*len = sizeof(*in4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)port);
		*len = sizeof(*in6);
		return AF_INET6;
	}
	return -1;
}

int net_connect(const char *addr, int port, int timeout_ms, enum outcome *outcome, int *err)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	int family = fill_sockaddr(addr, port, &ss, &sslen);
	int fd, e = 0;

	*err = 0;
	if (family < 0) {
		*err = EINVAL;
		*outcome = OUT_ERROR;
		return -1;
	}
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*err = errno;
		*outcome = OUT_ERROR;
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&ss, sslen) < 0 && errno != EINPROGRESS) {
		e = errno;
	} else {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int n;

		do
			n = poll(&p, 1, timeout_ms);
		while (n < 0 && errno == EINTR);
		if (n == 0) {
			e = ETIMEDOUT;
		} else {
			socklen_t l = sizeof(e);

			getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l);
		}
	}
	*err = e;
	*outcome = classify_connect_errno(e);
	if (e == ECONNRESET) {
		/* The handshake completed and the peer reset the connection before we looked (a
		 * refused SYN is ECONNREFUSED): TCP reached a listener, so it connected, and the
		 * reset is the next step's finding.  A failed connect here would depend on who is
		 * faster, and blames the edge when the vantage host connects. */
		*outcome = OUT_OK;
	} else if (e) {
		close(fd);
		return -1;
	}
	/* Back to blocking: libssh and the banner reader poll with their own deadlines. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int net_probe_tcp(struct check *c, const char *what, const char *addr, int port, int timeout_ms)
{
	long long t0 = clock_ms();
	enum outcome o;
	int err, fd = net_connect(addr, port, timeout_ms, &o, &err);

	c->elapsed_ms = clock_ms() - t0;
	switch (o) {
	case OUT_OK:
		check_set(c, ST_OK, o, "TCP %s port %d connects (%ld ms)", addr, port, c->elapsed_ms);
		break;
	case OUT_TIMEOUT:
		check_set(c, ST_FAIL, o, "TCP %s port %d: no answer in %d ms (SYN silently dropped)",
			  addr, port, timeout_ms);
		break;
	case OUT_REFUSED:
		check_set(c, ST_FAIL, o, "TCP %s port %d: connection refused (RST or port unreachable)",
			  addr, port);
		break;
	case OUT_UNREACH:
		check_set(c, ST_FAIL, o, "TCP %s port %d: %s (ICMP from a router or a local filter)",
			  addr, port, strerror(err));
		break;
	default:
		check_set(c, ST_FAIL, o, "TCP %s port %d: %s", addr, port, strerror(err));
		break;
	}
	check_evidence(c, "%s: connect(%s, %d) -> %s after %ld ms", what, addr, port,
		       !err ? "connected" : fd >= 0 ? "connected, then reset by the peer" : strerror(err),
		       c->elapsed_ms);
	return fd;
}

static int tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t l = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l) == 0 ? ti.tcpi_state : -1;
}

enum outcome net_probe_banner(struct check *c, int fd, int timeout_ms)
{
	char buf[8192];
	size_t len = 0;
	struct banner_obs o = {.first_byte_ms = -1};
	long long t0 = clock_ms();
	const char *line;
	size_t line_len;
	enum outcome r;

	for (;;) {
		long long left = timeout_ms - (clock_ms() - t0);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (left <= 0) {
			o.timed_out = true;
			break;
		}
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = recv(fd, buf + len, sizeof(buf) - len, 0);
		if (n == 0) {
			/* after a FIN the socket waits in CLOSE_WAIT; closed, it was reset and
			 * connect() took the error (net_connect) */
			o.reset = tcp_state(fd) == TCP_CLOSE;
			o.eof = !o.reset;
			break;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			o.reset = errno == ECONNRESET;
			o.eof = !o.reset;
			break;
		}
		if (o.first_byte_ms < 0)
			o.first_byte_ms = clock_ms() - t0;
		len += (size_t)n;
		if (banner_complete(buf, len))
			break;
		if (len == sizeof(buf))
			break;
	}
	o.data = buf;
	o.len = len;
	o.total_ms = clock_ms() - t0;
	if (len == sizeof(buf))
		o.timed_out = true;
	r = classify_banner(&o, &line, &line_len);
	c->elapsed_ms = o.total_ms;
	switch (r) {
	case OUT_OK:
		check_set(c, ST_OK, r, "%.*s", (int)(line_len > 200 ? 200 : line_len), line);
		/* RFC 4253: printable US-ASCII only.  Anything else is a broken or hostile peer. */
		for (size_t i = 0; i < line_len; i++)
			if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] >= 0x7F) {
				c->state = ST_WARN;
				check_evidence(c, "the identification line holds control or non-ASCII "
					       "bytes (shown as '?')");
				break;
			}
		break;
	case OUT_SLOW_BANNER:
		check_set(c, ST_WARN, r, "identification line is slow (%ld ms): %.*s", o.total_ms,
			  (int)(line_len > 160 ? 160 : line_len), line ? line : "");
		if (!line)
			check_set(c, ST_FAIL, r, "the identification line trickles in and is not "
				  "complete at the deadline (%zu bytes in %ld ms)", len, o.total_ms);
		break;
	case OUT_NO_BANNER:
		check_set(c, ST_FAIL, r, "connected, but no SSH banner in %d ms: sshd is hung or "
			  "something else accepts on the port", timeout_ms);
		break;
	case OUT_FLOOD:
		check_set(c, ST_FAIL, r, "%zu bytes of lines and no SSH identification line", len);
		break;
	case OUT_NOT_SSH:
		if (line && line_len >= BANNER_MAX_LEN && line + line_len == buf + len)
			check_set(c, ST_FAIL, r, "the identification line has no end in its first %zu "
				  "bytes (RFC 4253 allows %d): \"%.60s\"", line_len, BANNER_MAX_LEN, line);
		else if (line && line_len >= BANNER_MAX_LEN)
			check_set(c, ST_FAIL, r, "the identification line is %zu bytes, more than RFC 4253 "
				  "allows (%d): strict clients such as libssh refuse it (OpenSSH takes up "
				  "to 8 KiB): \"%.60s\"", line_len + 1, BANNER_MAX_LEN, line);
		else
			check_set(c, ST_FAIL, r, "the server is not an SSH-2 server: \"%.*s\"",
				  (int)(len > 80 ? 80 : len), buf);
		break;
	case OUT_RESET:
		check_set(c, ST_FAIL, r, "connection reset before any banner");
		break;
	default:
		check_set(c, ST_FAIL, r, "connection closed before any banner (%zu bytes)", len);
		break;
	}
	check_evidence(c, "first byte after %ld ms, %zu bytes, %s", o.first_byte_ms, len,
		       o.timed_out ? "deadline reached" : o.eof ? "peer closed" : o.reset ? "reset" : "complete");
	return r;
}
