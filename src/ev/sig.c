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

static const int soft_sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGCONT};
static const int fatal_sigs[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};

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
	/* SA_RESETHAND made the action the default; the signal is blocked until this returns,
	 * then it is delivered again (a real fault also recurs at the faulting instruction) */
	signal(sig, SIG_DFL);
	raise(sig);
}

static void soft_action(struct sigaction *sa)
{
	memset(sa, 0, sizeof(*sa));
	sigemptyset(&sa->sa_mask);
	sa->sa_handler = on_signal;
	sa->sa_flags = SA_RESTART;
}

int sig_init(void (*restore)(void))
{
	struct sigaction sa;

	restore_hook = restore;
	if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	soft_action(&sa);
	for (size_t i = 0; i < sizeof(soft_sigs) / sizeof(soft_sigs[0]); i++)
		sigaction(soft_sigs[i], &sa, NULL);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(fatal_sigs) / sizeof(fatal_sigs[0]); i++)
		sigaction(fatal_sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

int sig_fd(void)
{
	return pipe_fds[0];
}

unsigned sig_drain(void)
{
	unsigned char b;
	unsigned set = 0;

	while (read(pipe_fds[0], &b, 1) == 1)
		if (b < 32)
			set |= SIG_BIT(b);
	return set;
}

void sig_stop_self(void)
{
	struct sigaction sa, old;
	sigset_t tstp, prev;

	/* the default action, unblocked, for the one raise(); in an orphaned process group
	 * the kernel discards it and this returns at once */
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTSTP, &sa, &old);
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	sigprocmask(SIG_UNBLOCK, &tstp, &prev);
	raise(SIGTSTP);
	sigprocmask(SIG_SETMASK, &prev, NULL);
	sigaction(SIGTSTP, &old, NULL);
}
