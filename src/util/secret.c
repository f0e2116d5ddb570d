#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "util/secret.h"

void secret_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void secret_wipe_free(void *p)
{
	if (p) {
		explicit_bzero(p, malloc_usable_size(p));
		free(p);
	}
}

void *secret_wipe_realloc(void *p, size_t n)
{
	size_t had;
	void *q;

	if (!p)
		return malloc(n);
	if (n == 0) {
		secret_wipe_free(p);
		return NULL;
	}
	had = malloc_usable_size(p);
	if (n <= had)
		return p;
	/* realloc would move the block and free the old one unwiped: move it by hand */
	q = malloc(n);
	if (q) {
		memcpy(q, p, had);
		secret_wipe_free(p);
	}
	return q;
}

char *secret_take_env(const char *name)
{
	char *v = getenv(name), *copy = NULL;

	if (v && *v)
		copy = strdup(v);
	/* /proc/PID/environ shows the original block: overwrite it, then drop the variable */
	if (v)
		explicit_bzero(v, strlen(v));
	unsetenv(name);
	return copy;
}

char *secret_read_file(const char *path, const char *what, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	struct stat st;
	char *buf;
	ssize_t n;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", what, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) ||
	    (st.st_uid != getuid() && st.st_uid != 0)) {
		close(fd);
		snprintf(err, errlen, "%s must be a regular file of yours, mode 0600 or stricter", what);
		return NULL;
	}
	buf = calloc(1, SECRET_MAX + 1);
	n = buf ? read(fd, buf, SECRET_MAX + 1) : -1;
	close(fd);
	if (n <= 0 || n > SECRET_MAX) {
		if (buf)
			explicit_bzero(buf, SECRET_MAX + 1);
		free(buf);
		snprintf(err, errlen, "%s is empty, unreadable or too large", what);
		return NULL;
	}
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf;
}

/* The terminal whose echo is off, and how it was: for secret_tty_restore from a handler. */
static volatile sig_atomic_t tty_saved_fd = -1;
static struct termios tty_saved;

void secret_tty_restore(void)
{
	int fd = tty_saved_fd;

	if (fd >= 0) {
		tcsetattr(fd, TCSAFLUSH, &tty_saved);
		tty_saved_fd = -1;
	}
}

/* One line from fd into buf (len bytes, the newline dropped): 1 read, 0 end of input,
 * -1 error or too long, -2 cancel_fd became readable. */
static int read_line(int fd, int cancel_fd, char *buf, size_t len)
{
	size_t at = 0;
	bool too_long = false;

	for (;;) {
		struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = cancel_fd, .events = POLLIN}};
		char ch;
		ssize_t n;

		if (poll(p, cancel_fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (cancel_fd >= 0 && (p[1].revents & POLLIN))
			return -2;
		n = read(fd, &ch, 1);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return n == 0 && at == 0 && !too_long ? 0 : -1;
		if (ch == '\n' || ch == '\r') {
			buf[at] = '\0';
			return too_long ? -1 : 1;
		}
		if (at + 1 < len)
			buf[at++] = ch;
		else
			too_long = true;
	}
}

char *secret_read_tty(const char *prompt, const char *again, int cancel_fd, bool *cancelled,
		      char *err, size_t errlen)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	struct termios quiet;
	char *one = calloc(1, SECRET_MAX + 1), *two = calloc(1, SECRET_MAX + 1), *out = NULL;
	int rc = -1;

	*cancelled = false;
	if (fd < 0 || !one || !two || tcgetattr(fd, &tty_saved) != 0) {
		snprintf(err, errlen, "no terminal to ask on (%s)", fd < 0 ? strerror(errno) :
			 !one || !two ? "out of memory" : "not a terminal");
		goto done;
	}
	quiet = tty_saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	quiet.c_lflag |= ECHONL;           /* the Enter still shows as a new line */
	tty_saved_fd = fd;
	if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0) {
		tty_saved_fd = -1;
		snprintf(err, errlen, "cannot turn the terminal's echo off: %s", strerror(errno));
		goto done;
	}
	if (write(fd, prompt, strlen(prompt)) < 0 ||
	    (rc = read_line(fd, cancel_fd, one, SECRET_MAX + 1)) != 1)
		goto restore;
	if (again && (write(fd, again, strlen(again)) < 0 ||
		      (rc = read_line(fd, cancel_fd, two, SECRET_MAX + 1)) != 1))
		goto restore;
	rc = 1;
restore:
	secret_tty_restore();
	if (rc == -2) {
		*cancelled = true;
		if (write(fd, "\n", 1) < 0) {
			/* the line is gone with the terminal: nothing to tidy */
		}
		snprintf(err, errlen, "interrupted");
	} else if (rc != 1) {
		snprintf(err, errlen, "no password read (end of input, or longer than %d bytes)",
			 SECRET_MAX);
	} else if (!one[0]) {
		snprintf(err, errlen, "the password is empty");
	} else if (again && strcmp(one, two) != 0) {
		snprintf(err, errlen, "the two passwords differ");
	} else {
		out = strdup(one);
		if (!out)
			snprintf(err, errlen, "out of memory");
	}
done:
	if (fd >= 0)
		close(fd);
	if (one)
		explicit_bzero(one, SECRET_MAX + 1);
	if (two)
		explicit_bzero(two, SECRET_MAX + 1);
	free(one);
	free(two);
	return out;
}
