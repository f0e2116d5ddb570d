/* knownhost: the pure parts of client.update_known_host — checking the host key the path
 * probe carried, naming the host as known_hosts does, building the new entry, reading
 * `ssh-keygen -F` output, and deciding whether the key may be trusted: only when its
 * fingerprint is one of the VM's own, read out of band (Run Command), and is the one the
 * network presented.  No I/O; strings in, strings out. */
#ifndef SSHTRIAGE_CORE_KNOWNHOST_H
#define SSHTRIAGE_CORE_KNOWNHOST_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"

#define KH_FP_LEN 128
#define KH_TYPE_LEN 64

/* Splits "TYPE BASE64" (model.host_key) into its parts.  false when it is not exactly
 * that: TYPE of [a-z0-9@.-] (1-63 characters), one space, base64 (16 characters or more,
 * '=' only at the end), nothing else.  Nothing is written on false. */
bool kh_key_split(const char *key, char *type, size_t tlen, char *b64, size_t blen);

/* How known_hosts names host on port: "host" for 22, else "[host]:port"; lower case, as
 * ssh and libssh look it up.  false when host is not a plain name or address ([A-Za-z0-9.:_-],
 * not starting with '-') or the port is out of range: it goes to ssh-keygen's argv and into
 * the file. */
bool kh_host_pattern(const char *host, int port, char *out, size_t len);

/* The new known_hosts line, "PATTERN TYPE BASE64" (no newline).  0, or -1 when it does
 * not fit. */
int kh_entry_line(const char *pattern, const char *type, const char *b64, char *out, size_t len);

/* The line numbers `ssh-keygen -F HOST -f FILE` reports ("# Host H found: line N", hashed
 * entries included), in order, at most max; *kept counts the @revoked / @cert-authority
 * lines among them, which ssh-keygen -R leaves (they are not listed).  Returns how many. */
int kh_found_lines(const char *out, int *lines, int max, int *kept);

/* The fingerprints ("SHA256:...") in c's evidence (the VM's own keys, read out of band);
 * c may be NULL.  Returns how many (at most max). */
int kh_oob_fps(const struct check *c, char fps[][KH_FP_LEN], int max);

enum kh_verdict {
	KH_OK,             /* key_fp is the network's and one of the VM's own: trust it */
	KH_NO_KEY,         /* no key (or no fingerprint of it) to write */
	KH_KEY_NOT_SEEN,   /* the carried key is not the one whose fingerprint the probe showed */
	KH_NO_OOB,         /* no fingerprint read out of band: nothing to trust it by */
	KH_MISMATCH,       /* the network's key is not one of the VM's: possible interception */
};
/* key_fp: the fingerprint recomputed from the carried key; net_fp: the one the probe
 * reported; oob: the VM's own (n of them). */
enum kh_verdict kh_verify(const char *key_fp, const char *net_fp, char oob[][KH_FP_LEN], int n);
const char *kh_verdict_text(enum kh_verdict v);

/* Both sides in a line: "the network presents SHA256:...; the VM's own keys, read out of
 * band (SOURCE): ED25519 SHA256:..., ECDSA SHA256:..." from src's evidence (raw: sanitise
 * to show). */
void kh_describe(const char *net_fp, const struct check *src, char *out, size_t len);

#endif
