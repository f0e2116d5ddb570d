/* secret: a secret (a client secret, a new password) read from the environment, a file or
 * the terminal — never from argv — held in memory only, and wiped when freed.  The strings
 * these functions return are owned by the caller: free them with secret_free. */
#ifndef SSHTRIAGE_UTIL_SECRET_H
#define SSHTRIAGE_UTIL_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#define SECRET_MAX 4096

/* Takes variable name out of the environment: returns a copy of its value (NULL when unset
 * or empty), overwrites the original (the block /proc/PID/environ shows) and unsets it,
 * so no child inherits it.  Call first thing in main. */
char *secret_take_env(const char *name);

/* The first line of file path (what names it in messages, e.g. the variable): a regular
 * file of ours or root's, mode 0600 or stricter (not readable by group or others), not a
 * symbolic link, at most SECRET_MAX bytes.  NULL with a message. */
char *secret_read_file(const char *path, const char *what, char *err, size_t errlen);

/* Reads a line from /dev/tty with echo off (twice when again is not NULL: both must match),
 * echo restored on every path; cancel_fd (-1: none) readable ends it (a signal's
 * self-pipe): returns NULL with *cancelled true.  NULL with a message when there is no
 * terminal, or the line is empty, too long or the two differ. */
char *secret_read_tty(const char *prompt, const char *again, int cancel_fd, bool *cancelled,
		      char *err, size_t errlen);

/* Puts the terminal's echo back if secret_read_tty turned it off (async-signal-safe: for
 * a fatal signal's handler). */
void secret_tty_restore(void);

/* explicit_bzero of the whole string, then free; NULL-safe. */
void secret_free(char *s);

/* free and realloc that wipe the whole block they let go of (malloc_usable_size): for a
 * library's allocator (curl_global_init_mem), whose buffers may hold a request body. */
void secret_wipe_free(void *p);
void *secret_wipe_realloc(void *p, size_t n);

#endif
