/* Hostile lab: connects to every path socket it can find (a walk of the
 * whole tree it sees, and the usual places: the system bus, journald,
 * Docker, the users' buses), to reach services of the machine. None may
 * accept: the world has none of the machine's sockets. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int tried;

static void try_connect(const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET }, i;

    if (strlen(path) >= sizeof a.sun_path)
        return;
    strcpy(a.sun_path, path);
    tried++;
    for (i = 0; i < 3; i++) {
        int s = socket(AF_UNIX, types[i], 0);
        if (s != -1 && connect(s, (struct sockaddr *)&a, sizeof a) == 0)
            fprintf(stderr, "connect %s: succeeded\n", path);
        if (s != -1)
            close(s);
    }
}

static void walk(const char *dir, int depth)
{
    DIR *d = depth > 12 ? NULL : opendir(dir);
    struct dirent *e;

    while (d && (e = readdir(d))) {
        char path[4096];
        struct stat st;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", strcmp(dir, "/") ? dir : "", e->d_name);
        if (!strcmp(path, "/proc") || !strcmp(path, "/sys") || lstat(path, &st) == -1)
            continue;
        if (S_ISSOCK(st.st_mode))
            try_connect(path);
        else if (S_ISDIR(st.st_mode))
            walk(path, depth + 1);
    }
    if (d)
        closedir(d);
}

int main(void)
{
    static const char *const usual[] = { "/run/dbus/system_bus_socket", "/var/run/dbus/system_bus_socket",
                                         "/run/systemd/journal/socket", "/run/systemd/journal/stdout",
                                         "/dev/log", "/run/systemd/private", "/var/run/docker.sock",
                                         "/run/docker.sock", "/run/containerd/containerd.sock" };
    size_t i;

    for (i = 0; i < sizeof usual / sizeof usual[0]; i++)
        try_connect(usual[i]);
    walk("/", 0);
    fprintf(stderr, "tried %d sockets\n", tried);
    return 121;
}
