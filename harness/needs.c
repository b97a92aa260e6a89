/* What a lab needs of the machine, from grading/labs.tsv, checked before any
 * test world is made (as LTP's needs_* fields are): the namespace types of
 * its layers and of the world itself, the kernel, the tools its checks run.
 * When something is missing, every check ends in ENV with the reason and the
 * fix, and nothing runs. */
#define _GNU_SOURCE
#include "needs.h"
#include "util.h"
#include "world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* The test world's own namespaces (world.c's WORLD_FLAGS). */
static const char world_ns[] = "user,uts,ipc,mnt,net,pid,cgroup";

static void missing_ns(const char *list, char *why, size_t n)
{
    char copy[256], *save = NULL, *t, path[64];

    snprintf(copy, sizeof copy, "%s", list);
    for (t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        snprintf(path, sizeof path, "/proc/self/ns/%s", t);
        if (access(path, F_OK) == -1 && !strstr(why, path))
            appendf(why, n, "this kernel has no %s namespaces (%s is missing): a kernel built with them; ", t, path);
    }
}

static int on_path(const char *command)
{
    const char *path = getenv("PATH");
    char copy[4200], *save = NULL, *dir, file[4300];

    /* The world's PATH has the sbin folders, whatever a user's has (Debian's
     * users have no /usr/sbin, where capsh is). */
    snprintf(copy, sizeof copy, "%s:/usr/local/sbin:/usr/sbin:/sbin", path ? path : "/usr/bin:/bin");
    for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        snprintf(file, sizeof file, "%s/%s", dir, command);
        if (access(file, X_OK) == 0)
            return 1;
    }
    return 0;
}

static void missing_tools(const char *list, char *why, size_t n)
{
    char copy[256], *save = NULL, *t;

    snprintf(copy, sizeof copy, "%s", list);
    for (t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *package = strchr(t, ':');
        if (package)
            *package++ = '\0';
        if (!on_path(t))
            appendf(why, n, "no `%s` on this machine: apt-get install %s; ", t, package ? package : t);
    }
}

/* Is "6.18.4-foo" at least "5.6"? */
static int kernel_at_least(const char *release, const char *want)
{
    int have_major = 0, have_minor = 0, want_major = 0, want_minor = 0;

    sscanf(release, "%d.%d", &have_major, &have_minor);
    sscanf(want, "%d.%d", &want_major, &want_minor);
    return have_major > want_major || (have_major == want_major && have_minor >= want_minor);
}

const char *lab_needs_unmet(const struct registry *reg, int upto)
{
    static char why[2048];
    struct utsname u;
    int i;

    why[0] = '\0';
    if (world_unavailable())
        appendf(why, sizeof why, "%s; ", world_unavailable());
    missing_ns(world_ns, why, sizeof why);
    uname(&u);
    for (i = 0; i <= upto && i < reg->n; i++) {
        const struct lab_entry *e = &reg->labs[i];
        missing_ns(e->needs_ns, why, sizeof why);
        missing_tools(e->tools, why, sizeof why);
        if (e->kernel[0] && !kernel_at_least(u.release, e->kernel) && !strstr(why, "needs Linux"))
            appendf(why, sizeof why, "%s needs Linux %s or newer; this is %s; ", e->name, e->kernel, u.release);
    }
    if (!why[0])
        return NULL;
    why[strlen(why) - 2] = '\0';   /* the last "; " */
    return why;
}
