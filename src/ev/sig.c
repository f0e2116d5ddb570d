#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "ev/sig.h"

/* Signal handlers can only reach file-scope state; this is the one place that has any. */
static int pipe_fds[2] = {-1, -1};
static void (*restore_hook)(void);

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	if (write(pipe_fds[1], &b, 1) < 0) {
		/* pipe full: a signal is already pending, nothing is lost that matters */
	}
	errno = saved;
}

static void on_fatal(int sig)
{
	if (restore_hook)
		restore_hook();
	signal(sig, SIG_DFL);
	raise(sig);
}

int sig_init(void (*restore)(void))
{
	static const int soft[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	static const int fatal[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
	struct sigaction sa;

	restore_hook = restore;
	if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < sizeof(soft) / sizeof(soft[0]); i++)
		sigaction(soft[i], &sa, NULL);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

int sig_fd(void)
{
	return pipe_fds[0];
}

int sig_drain(void)
{
	unsigned char b;
	int last = 0;

	while (read(pipe_fds[0], &b, 1) == 1)
		last = b;
	return last;
}
