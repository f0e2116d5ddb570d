/* sig: signals into the poll loop (self-pipe), and the terminal coming back on fatal ones.
 * INT, TERM, HUP (a dropped serial line) and QUIT become a byte on sig_fd(); SEGV, ABRT,
 * BUS, FPE, ILL restore the terminal through the hook and re-raise, so cores still work. */
#ifndef SSHTRIAGE_EV_SIG_H
#define SSHTRIAGE_EV_SIG_H

/* restore: called from the fatal-signal path (may be NULL). */
int sig_init(void (*restore)(void));
int sig_fd(void);
/* Reads pending signal numbers; returns the last one seen, 0 if none. */
int sig_drain(void);

#endif
