#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "probe/classify.h"
#include "tap.h"

static enum outcome banner(const char *data, bool eof, bool timed_out, long first, long total)
{
	struct banner_obs o = {data, strlen(data), eof, false, timed_out, first, total};
	const char *line;
	size_t len;

	return classify_banner(&o, &line, &len);
}

int main(void)
{
	struct banner_obs o = {"SSH-2.0-OpenSSH_9.2\r\n", 21, false, false, false, 3, 3};
	const char *line;
	size_t len;
	char big[6000], rule[256];

	ok(classify_banner(&o, &line, &len) == OUT_OK && len == 19, "OpenSSH banner, CR stripped");
	ok(banner("hello\r\nworld\r\nSSH-2.0-x\r\n", false, false, 1, 1) == OUT_OK,
	   "lines before the banner are allowed (RFC 4253)");
	ok(banner("SSH-2.0-x\r\n", false, false, 2500, 2500) == OUT_SLOW_BANNER, "slow banner");
	ok(banner("", false, true, -1, 5000) == OUT_NO_BANNER, "nothing before the deadline");
	ok(banner("", true, false, -1, 10) == OUT_CLOSED, "closed at once");
	ok(banner("HTTP/1.1 400 Bad Request\r\n\r\n", true, false, 1, 1) == OUT_NOT_SSH, "HTTP server");
	ok(banner("SSH-1.5-old\r\n", false, false, 1, 1) == OUT_NOT_SSH, "SSH-1.5 refused");
	ok(banner("SSH-1.99-compat\r\n", false, false, 1, 1) == OUT_OK, "SSH-1.99 accepted");
	ok(banner("SS", false, true, 1000, 5000) == OUT_SLOW_BANNER, "1 byte/s trickle is slow");
	{
		struct banner_obs t = {"SSH-2.0-tri", 11, false, false, true, 400, 5000};

		ok(classify_banner(&t, &line, &len) == OUT_SLOW_BANNER && line == NULL,
		   "an unfinished identification line at the deadline is slow, with no line");
	}
	ok(banner("SSH-2.0-cut", true, false, 1, 1) == OUT_CLOSED, "closed in the middle of the line");
	memset(big, 0, sizeof(big));
	for (int i = 0; i < 30; i++)
		strcat(big, "junk line\r\n");
	ok(banner(big, false, true, 1, 5000) == OUT_FLOOD, "30 lines and no banner: flood");
	{
		struct banner_obs r = {"", 0, false, true, false, -1, 1};

		ok(classify_banner(&r, &line, &len) == OUT_RESET, "reset after accept");
	}
	{
		/* RFC 4253 4.2: 255 bytes with CR LF is the longest identification line */
		static char id[8193];
		struct banner_obs l = {id, 0, false, false, false, 1, 1};

		memset(id, 'x', sizeof(id) - 1);
		memcpy(id, "SSH-2.0-", 8);
		memcpy(id + 253, "\r\n", 2);
		l.len = 255;
		ok(classify_banner(&l, &line, &len) == OUT_OK && len == 253, "a 255-byte line is an identification line");
		memcpy(id + 253, "x\r\n", 3);
		l.len = 256;
		ok(classify_banner(&l, &line, &len) == OUT_NOT_SSH && len >= BANNER_MAX_LEN,
		   "a 256-byte identification line is too long");
		memcpy(id + 253, "xxx", 3);
		memcpy(id + 8190, "\r\n", 2);
		l.len = 8192;
		ok(classify_banner(&l, &line, &len) == OUT_NOT_SSH && line == id && len == 8191,
		   "an 8 KiB identification line is too long");
		l.timed_out = true;      /* the reader's cap: 8 KiB and no end of line */
		memset(id + 253, 'x', sizeof(id) - 254);
		ok(classify_banner(&l, &line, &len) == OUT_NOT_SSH && len == 8192,
		   "an identification line cut by the reader's cap is too long, not slow");
	}
	ok(banner_complete("x\nSSH-2.0-y\r\n", 13), "banner_complete after a line");
	ok(!banner_complete("SSH-2.0-y", 9), "banner_complete needs the newline");

	ok(classify_connect_errno(0) == OUT_OK, "connected");
	ok(classify_connect_errno(ECONNREFUSED) == OUT_REFUSED, "refused");
	ok(classify_connect_errno(ETIMEDOUT) == OUT_TIMEOUT, "timeout");
	ok(classify_connect_errno(EHOSTUNREACH) == OUT_UNREACH, "host unreachable");
	ok(classify_connect_errno(ECONNRESET) == OUT_RESET, "reset");

	ok(classify_session(0, "sshtriage-session-ok\n", "sshtriage-session-ok") == OUT_OK, "session ok");
	ok(classify_session(1, "This account is currently not available.\n", "sshtriage-session-ok") ==
	   OUT_NOLOGIN_SHELL, "nologin shell");
	ok(classify_session(1, "mktemp: failed to create file via template '/tmp/tmp.X': No space left on device\n",
			    "sshtriage-session-ok") == OUT_DISK_FULL, "disk full");
	ok(classify_session(254, "System is going down for maintenance\n", "sshtriage-session-ok") ==
	   OUT_NOLOGIN_FILE, "/etc/nologin message");
	ok(classify_session(-1, "", "sshtriage-session-ok") == OUT_SESSION_FAIL, "silent failure");

	ok(classify_private_key_mode(S_IFREG | 0600) == NULL, "0600 key ok");
	ok(classify_private_key_mode(S_IFREG | 0400) == NULL, "0400 key ok");
	ok(classify_private_key_mode(S_IFREG | 0644) != NULL, "0644 key refused");
	ok(classify_private_key_mode(S_IFREG | 0640) != NULL, "0640 key refused");
	ok(classify_ssh_dir_mode(S_IFDIR | 0700) == NULL, "0700 ~/.ssh ok");
	ok(classify_ssh_dir_mode(S_IFDIR | 0777) != NULL, "0777 ~/.ssh refused");

	ok(classify_vantage("sshtriage-connected\nrc=0\n") == OUT_OK, "vantage connected");
	ok(classify_vantage("bash: connect: Connection refused\nrc=1\n") == OUT_REFUSED, "vantage refused");
	ok(classify_vantage("rc=124\n") == OUT_TIMEOUT, "vantage timeout");
	ok(classify_vantage("garbage") == OUT_ERROR, "vantage garbage");

	ok(classify_nft_output_block("table inet t {\n\tchain o {\n\t\ttype filter hook output priority 0; policy accept;\n"
				     "\t\ttcp dport 22 drop\n\t}\n}\n", 22, rule, sizeof(rule)),
	   "nft output drop found");
	is_str(rule, "tcp dport 22 drop", "the offending rule");
	ok(classify_nft_output_block("chain o {\n type filter hook output priority 0;\n tcp dport { 80, 22 } reject\n}\n",
				     22, rule, sizeof(rule)), "nft set with the port");
	ok(classify_nft_output_block("chain o {\n type filter hook output priority 0;\n tcp dport 20-25 drop\n}\n",
				     22, rule, sizeof(rule)), "nft range with the port");
	ok(!classify_nft_output_block("chain i {\n type filter hook input priority 0;\n tcp dport 22 drop\n}\n",
				      22, rule, sizeof(rule)), "input chains do not block outgoing");
	ok(!classify_nft_output_block("chain o {\n type filter hook output priority 0;\n tcp dport 2222 drop\n}\n",
				      22, rule, sizeof(rule)), "another port");
	ok(!classify_nft_output_block("chain o {\n type filter hook output priority 0;\n tcp dport 22 accept\n}\n",
				      22, rule, sizeof(rule)), "accept is not a block");
	return tap_done();
}
