/* sig: signals into the poll loop (self-pipe), and the terminal coming back on fatal ones.
 *
 * INT, TERM, HUP (a dropped serial line), QUIT, TSTP (Ctrl-Z) and CONT become a byte on
 * sig_fd(); the loop reads them with sig_drain() and acts outside signal context.  SEGV,
 * ABRT, BUS, FPE, ILL call the restore hook and re-raise, so the process still dies of that
 * signal (and dumps core where that is enabled).  SIGPIPE is ignored: a closed pipe is an
 * EPIPE where it happens.  SIGWINCH is left to curses. */
#ifndef SSHTRIAGE_EV_SIG_H
#define SSHTRIAGE_EV_SIG_H

/* The bit of signal s (below 32) in a sig_drain() set. */
#define SIG_BIT(s) (1u << (unsigned)(s))

/* restore: called from the fatal-signal path (may be NULL).  Call before curses starts, so
 * that curses sees our TSTP handler and installs none of its own. */
int sig_init(void (*restore)(void));
int sig_fd(void);
/* Reads every pending signal; returns them as a set of SIG_BIT()s, 0 if none. */
unsigned sig_drain(void);
/* Stops the process the way SIGTSTP does by default; returns once it is continued.  The
 * caller puts the terminal back first and repaints after. */
void sig_stop_self(void);

#endif
