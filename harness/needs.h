/* What a lab needs of the machine, checked before any world is made. */
#ifndef NSLAB_NEEDS_H
#define NSLAB_NEEDS_H

#include "registry.h"

/* Why this machine cannot run the checks of labs 1..upto+1 (index upto), or
 * NULL when it can. */
const char *lab_needs_unmet(const struct registry *reg, int upto);

#endif
