/* clock: monotonic milliseconds for deadlines (never the wall clock). */
#ifndef SSHTRIAGE_UTIL_CLOCK_H
#define SSHTRIAGE_UTIL_CLOCK_H

long long clock_ms(void);

#endif
