/* report: the batch outputs.  Pure (writes to a FILE the caller owns).
 * report_json follows DESIGN §3 (schema sshtriage/report/v1): every string that came from
 * outside is sanitised, all five components are listed in path order. */
#ifndef SSHTRIAGE_CORE_REPORT_H
#define SSHTRIAGE_CORE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/model.h"

/* Returns a malloc'd JSON text (caller frees), or NULL when out of memory. */
char *report_json(const struct model *m);

/* Human-readable report, one check per line, for --batch and dumb terminals. */
void report_text(FILE *f, const struct model *m, bool utf8);

/* The exit status of DESIGN §2 for a finished triage: 0 or 10..14. */
int report_exit_status(const struct model *m);

#endif
