/* The commands of nslab-check besides running checks (main.c), each in a
 * file of its own. Every one gets the kit's list of labs, already read. */
#ifndef NSLAB_COMMANDS_H
#define NSLAB_COMMANDS_H

#include "registry.h"

/* ask.c: what scripts ask of the list of labs. */
int cmd_list(const struct registry *reg, int argc, char **argv);
int cmd_registry(const struct registry *reg, int argc, char **argv);
int cmd_info(const struct registry *reg, int argc, char **argv);
int cmd_needs(const struct registry *reg, int argc, char **argv);
int cmd_compile(const struct registry *reg, int argc, char **argv);

/* byhand.c: a lab by hand (make tryNN), and a world with no lab (the demos). */
int cmd_try(const struct registry *reg, int lab, const char *program, char **args, int nargs);
int cmd_world(const struct registry *reg, int argc, char **argv);

/* doctor.c: what this machine can grade, lab by lab. */
int cmd_doctor(const struct registry *reg, int argc, char **argv);

/* main.c: the path of the list of labs read. */
const char *registry_path(void);
/* main.c: the lab named by arg ("3", "03", "03_pid") that is ready, or exit 2
 * with the list of labs (`what` names the command, for the message). */
int ready_lab(const struct registry *reg, const char *arg, const char *what);

#endif
