/* Hostile lab: mounts every cgroup hierarchy of the machine (each v1 one,
 * as /proc/cgroups groups its controllers, a named one, and cgroup2) and
 * looks at what it shows. The world gets pids, memory and cpu; in any
 * other, a world never put in a cgroup of its own has its cgroup namespace
 * rooted at the grader's cgroup, and the lab sees it: the machine's root
 * cgroup (its release_agent; cgroup2's root has no cgroup.type) or the
 * grader's sub-cgroups. It must see only empty cgroups of the world's. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static void look(const char *type, const char *options)
{
    char dir[] = "/tmp/cg-look", path[512];
    struct dirent *e;
    DIR *d;
    int subs = 0, root;

    mkdir(dir, 0755);
    if (mount("cgroup", dir, type, 0, options) == -1) {
        fprintf(stderr, "mount %s %s: %s\n", type, options ? options : "", strerror(errno));
        return;
    }
    snprintf(path, sizeof path, "%s/%s", dir, strcmp(type, "cgroup") ? "cgroup.type" : "release_agent");
    root = strcmp(type, "cgroup") ? access(path, F_OK) != 0 : access(path, F_OK) == 0;
    d = opendir(dir);
    while (d && (e = readdir(d)))
        subs += e->d_type == DT_DIR && e->d_name[0] != '.';
    if (d)
        closedir(d);
    fprintf(stderr, "%s %s: %s%d cgroups below%s\n", type, options ? options : "",
            root ? "the machine's root cgroup, " : "", subs, root || subs ? ": OUTSIDE THE WORLD" : "");
    umount2(dir, MNT_DETACH);
}

int main(void)
{
    char line[256], name[64], seen[32][128];
    unsigned hierarchy, nseen = 0, i;
    FILE *f = fopen("/proc/cgroups", "r");

    memset(seen, 0, sizeof seen);
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "%63s %u", name, &hierarchy) == 2 && name[0] != '#' && hierarchy > 0 && hierarchy < 32) {
            /* Controllers of one hierarchy are mounted together. */
            if (seen[hierarchy][0])
                strncat(seen[hierarchy], ",", sizeof seen[hierarchy] - strlen(seen[hierarchy]) - 1);
            strncat(seen[hierarchy], name, sizeof seen[hierarchy] - strlen(seen[hierarchy]) - 1);
            nseen++;
        }
    if (f)
        fclose(f);
    for (i = 0; i < 32; i++)
        if (seen[i][0])
            look("cgroup", seen[i]);
    look("cgroup", "none,name=systemd");
    look("cgroup2", NULL);
    fprintf(stderr, "%u controllers\n", nseen);
    return 121;
}
