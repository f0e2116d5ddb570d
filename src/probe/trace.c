#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe/trace.h"
#include "util/clock.h"

struct hop {
	int fd;
	unsigned short sport;
	char from[INET_ADDRSTRLEN];
	const char *what;        /* "time exceeded", "connected", "refused", ... */
};

static bool private_v4(const char *a)
{
	struct in_addr in;
	unsigned long h;

	if (inet_pton(AF_INET, a, &in) != 1)
		return false;
	h = ntohl(in.s_addr);
	return (h >> 24) == 10 || (h >> 20) == (172 << 4 | 1) || (h >> 16) == (192 << 8 | 168) ||
	       (h >> 22) == (100 << 2 | 1);   /* 100.64/10 carrier-grade NAT */
}

/* Matches an ICMP error to the probe whose SYN it quotes (by TCP source port). */
static void read_icmp(int raw, struct hop *hops, int n)
{
	unsigned char buf[1500];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t len = recvfrom(raw, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
	const struct ip *outer = (const struct ip *)buf, *inner;
	const struct icmp *ic;
	size_t ohl, ihl;
	unsigned short sport;

	if (len < (ssize_t)sizeof(struct ip))
		return;
	ohl = (size_t)outer->ip_hl * 4;
	if ((size_t)len < ohl + 8 + sizeof(struct ip))
		return;
	ic = (const struct icmp *)(buf + ohl);
	inner = (const struct ip *)(buf + ohl + 8);
	ihl = (size_t)inner->ip_hl * 4;
	if (inner->ip_p != IPPROTO_TCP || (size_t)len < ohl + 8 + ihl + 4)
		return;
	memcpy(&sport, buf + ohl + 8 + ihl, 2);
	for (int i = 0; i < n; i++) {
		if (hops[i].sport != ntohs(sport) || hops[i].what)
			continue;
		inet_ntop(AF_INET, &from.sin_addr, hops[i].from, sizeof(hops[i].from));
		hops[i].what = ic->icmp_type == ICMP_TIMXCEED ? "time exceeded"
			       : ic->icmp_type == ICMP_UNREACH ? "unreachable" : "icmp";
	}
}

void trace_probe(struct check *c, const char *addr, int port, int timeout_ms)
{
	struct hop hops[TRACE_MAX_HOPS];
	struct sockaddr_in dst;
	long long t0 = clock_ms();
	int raw, last = -1, reached = -1;

	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, addr, &dst.sin_addr) != 1) {
		check_set(c, ST_SKIPPED, OUT_SKIPPED, "TCP traceroute is IPv4 only");
		return;
	}
	raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (raw < 0) {
		check_set(c, ST_UNKNOWN, OUT_UNAVAILABLE, "TCP traceroute needs root or CAP_NET_RAW "
			  "(%s); skipped", strerror(errno));
		return;
	}
	/* One SYN per TTL, all at once: the answers come back in one round trip. */
	for (int i = 0; i < TRACE_MAX_HOPS; i++) {
		struct sockaddr_in me;
		socklen_t ml = sizeof(me);
		int ttl = i + 1;

		memset(&hops[i], 0, sizeof(hops[i]));
		hops[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (hops[i].fd < 0)
			continue;
		setsockopt(hops[i].fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
		connect(hops[i].fd, (struct sockaddr *)&dst, sizeof(dst));
		getsockname(hops[i].fd, (struct sockaddr *)&me, &ml);
		hops[i].sport = ntohs(me.sin_port);
	}
	while (clock_ms() - t0 < timeout_ms) {
		struct pollfd pf[TRACE_MAX_HOPS + 1];
		bool pending = false;

		pf[0].fd = raw;
		pf[0].events = POLLIN;
		for (int i = 0; i < TRACE_MAX_HOPS; i++) {
			pf[i + 1].fd = hops[i].what ? -1 : hops[i].fd;
			pf[i + 1].events = POLLOUT;
			pending |= !hops[i].what && hops[i].fd >= 0;
		}
		if (!pending || poll(pf, TRACE_MAX_HOPS + 1, 100) < 0)
			break;
		if (pf[0].revents & POLLIN)
			read_icmp(raw, hops, TRACE_MAX_HOPS);
		for (int i = 0; i < TRACE_MAX_HOPS; i++) {
			int e = 0;
			socklen_t l = sizeof(e);

			if (hops[i].what || !(pf[i + 1].revents & (POLLOUT | POLLERR | POLLHUP)))
				continue;
			getsockopt(hops[i].fd, SOL_SOCKET, SO_ERROR, &e, &l);
			if (e == 0 || e == ECONNREFUSED) {
				hops[i].what = e ? "refused (destination)" : "connected (destination)";
				snprintf(hops[i].from, sizeof(hops[i].from), "%s", addr);
			}
		}
		/* Stop waiting once the destination answered and every lower TTL has too. */
		for (int i = 0; i < TRACE_MAX_HOPS && reached < 0; i++)
			if (hops[i].what && strstr(hops[i].what, "destination"))
				reached = i;
		if (reached >= 0) {
			bool all = true;

			for (int i = 0; i < reached; i++)
				all &= hops[i].what != NULL;
			if (all)
				break;
		}
	}
	close(raw);
	/* The nearest TTL that reached the destination is the hop count (higher TTLs get
	 * there too and may have answered first). */
	for (int i = 0; i < TRACE_MAX_HOPS; i++)
		if (hops[i].what && strstr(hops[i].what, "destination")) {
			reached = i;
			break;
		}
	for (int i = 0; i < TRACE_MAX_HOPS; i++) {
		if (hops[i].fd >= 0)
			close(hops[i].fd);
		if (reached >= 0 && i > reached)
			continue;
		if (hops[i].what)
			last = i;
		check_evidence(c, "%2d  %-15s %s", i + 1, hops[i].what ? hops[i].from : "*",
			       hops[i].what ? hops[i].what : "");
		if (c->n_evidence == CHECK_EVIDENCE_MAX)
			break;
	}
	c->elapsed_ms = clock_ms() - t0;
	if (reached >= 0)
		check_set(c, ST_OK, OUT_OK, "SYNs reach %s port %d in %d hops", addr, port, reached + 1);
	else if (last < 0)
		check_set(c, ST_WARN, OUT_TIMEOUT, "no hop answered: the SYNs die right after this host");
	else
		check_set(c, ST_WARN, OUT_TIMEOUT, "the SYNs die after hop %d (%s, %s address)",
			  last + 1, hops[last].from, private_v4(hops[last].from) ? "private" : "public");
}
