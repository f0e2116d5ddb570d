/* classify: turn raw observations of the probes into outcomes.  Pure: the probes gather
 * bytes, errno values and exit statuses; these functions decide what they mean, so the
 * decisions are unit-tested without a network. */
#ifndef SSHTRIAGE_PROBE_CLASSIFY_H
#define SSHTRIAGE_PROBE_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/model.h"

/* True once data holds a complete line starting with "SSH-": the reader can stop. */
bool banner_complete(const char *data, size_t len);

/* A connect() that failed with err (0 = connected). */
enum outcome classify_connect_errno(int err);

/* What the plain-socket banner read saw. */
struct banner_obs {
	const char *data;        /* bytes received before the deadline or the SSH- line */
	size_t len;
	bool eof;                /* the peer closed */
	bool reset;              /* the peer reset */
	bool timed_out;          /* the deadline passed */
	long first_byte_ms;      /* -1 when nothing came */
	long total_ms;
};
#define BANNER_SLOW_MS 2000  /* an identification line slower than this is "slow" */
#define BANNER_MAX_LINES 20  /* RFC 4253 lets a server send lines first; more is a flood */
#define BANNER_MAX_LEN 255   /* RFC 4253 4.2: the identification line, CR LF included */

/* Returns OUT_OK (an SSH-2.0 or SSH-1.99 identification line), OUT_SLOW_BANNER,
 * OUT_NO_BANNER, OUT_FLOOD, OUT_NOT_SSH (e.g. HTTP, SSH-1.5, an identification line longer
 * than BANNER_MAX_LEN, finished or not), OUT_RESET or OUT_CLOSED.
 * On OUT_OK/OUT_SLOW_BANNER, *line and *line_len give the identification line without CR LF;
 * an identification line too long has *line_len >= BANNER_MAX_LEN (all of it that came). */
enum outcome classify_banner(const struct banner_obs *o, const char **line, size_t *line_len);

/* The trivial command run after authentication: its exit status (-1 when the channel
 * closed without one) and what it printed (stdout and stderr). */
enum outcome classify_session(int exit_status, const char *output, const char *expect_token);

/* File modes as OpenSSH's StrictModes-like client checks see them.  Returns NULL when the
 * mode is acceptable, or why it is not. */
const char *classify_private_key_mode(mode_t mode);
const char *classify_ssh_dir_mode(mode_t mode);

/* The vantage host's report of its own TCP test: the text the remote snippet printed. */
enum outcome classify_vantage(const char *output);

/* Scans the text of `nft list ruleset` for a rule in an output-hook chain that drops or
 * rejects TCP to port.  Returns true and the offending rule (trimmed) in rule. */
bool classify_nft_output_block(const char *ruleset, int port, char *rule, size_t rulelen);

#endif
