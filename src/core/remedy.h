/* remedy: the catalog of remedies (remedies.def, DESIGN §4) and which of them the
 * diagnosis makes applicable.  Pure: reads a model, keeps nothing. */
#ifndef SSHTRIAGE_CORE_REMEDY_H
#define SSHTRIAGE_CORE_REMEDY_H

#include <stdbool.h>

#include "core/model.h"

enum remedy_how { REMEDY_LOCAL, REMEDY_ARM, REMEDY_RUN, REMEDY_VMACCESS };

const char *remedy_name(enum remedy_id r);        /* "nsg.allow_ssh" */
const char *remedy_title(enum remedy_id r);
enum comp_id remedy_comp(enum remedy_id r);
bool remedy_destructive(enum remedy_id r);
enum remedy_how remedy_how(enum remedy_id r);
/* "nsg.allow_ssh" -> RM_NSG_ALLOW_SSH; false for an unknown id. */
bool remedy_parse(const char *name, enum remedy_id *out);

/* The remedies the model's findings call for, in path order; returns how many. */
int remedy_applicable(const struct model *m, enum remedy_id out[RM_COUNT]);
bool remedy_is_applicable(const struct model *m, enum remedy_id r);

#endif
