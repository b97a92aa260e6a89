/* The checks of lab 05_net_veth: a network namespace wired to the host by a
 * veth pair. Every run draws its addresses from a random 10.x.y.0/24 (and
 * its port at random), so a lab that ignores --ip or --host-ip fails. The
 * host is the test world, which has a network namespace of its own. */
#define _GNU_SOURCE
#include "checks.h"
#include "faults.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define NETNS "05_net_veth.md#the-network-namespace"
#define VETH "05_net_veth.md#a-pair-of-virtual-ethernet-devices"
#define INSIDE "05_net_veth.md#inside-lo-and-eth0"
#define HANDSHAKE "05_net_veth.md#the-handshake"
#define NOTHING_LEFT "05_net_veth.md#leaving-nothing-behind"
#define OPTIONS "05_net_veth.md#the-options"

/* One run's addresses: a random 10.a.b.0/24, two hosts in it, a port. */
struct net_plan {
    char ip[24], host_ip[24];       /* "10.a.b.c/24" */
    char ip_addr[16], host_addr[16];
    char target[32];                /* "HOST:PORT" for the probe's --connect */
    unsigned port;
};

static void plan(struct net_plan *p, unsigned avoid_b)
{
    unsigned a = rand_range(1, 199), b, host = rand_range(1, 254), guest;

    do
        b = rand_range(0, 255);
    while (b == avoid_b);
    do
        guest = rand_range(1, 254);
    while (guest == host);
    snprintf(p->ip_addr, sizeof p->ip_addr, "10.%u.%u.%u", a, b, guest);
    snprintf(p->host_addr, sizeof p->host_addr, "10.%u.%u.%u", a, b, host);
    snprintf(p->ip, sizeof p->ip, "%s/24", p->ip_addr);
    snprintf(p->host_ip, sizeof p->host_ip, "%s/24", p->host_addr);
    p->port = rand_range(20000, 60000);
    snprintf(p->target, sizeof p->target, "%s:%u", p->host_addr, p->port);
}

/* ---- the host's side: a listener, and netlink's view of a link ---------- */

/* The listener of this world (W is one process: setup and during share it). */
static int listener_fd[2] = { -1, -1 };

/* In setup: listen on the host end's address before it exists (IP_FREEBIND:
 * the lab makes the address later). */
static void listen_on(struct world_result *r, int slot, const struct net_plan *p)
{
    struct sockaddr_in at = { .sin_family = AF_INET, .sin_port = htons((uint16_t)p->port) };
    int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    inet_pton(AF_INET, p->host_addr, &at.sin_addr);
    if (fd == -1 || setsockopt(fd, SOL_IP, IP_FREEBIND, &one, sizeof one) == -1 ||
        bind(fd, (struct sockaddr *)&at, sizeof at) == -1 || listen(fd, 4) == -1) {
        world_setup_failed(r, "listen on %s:%u: %s", p->host_addr, p->port, strerror(errno));
        return;
    }
    listener_fd[slot] = fd;
}

/* In during: the peer's address of the connection waiting on the listener,
 * or why there is none, into out. */
static void accepted_peer(int slot, char *out, size_t n)
{
    struct pollfd pfd = { listener_fd[slot], POLLIN, 0 };
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    int fd;

    snprintf(out, n, "no connection arrived");
    if (listener_fd[slot] == -1 || poll(&pfd, 1, 2000) != 1)
        return;
    fd = accept4(listener_fd[slot], (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
    if (fd == -1)
        return;
    inet_ntop(AF_INET, &peer.sin_addr, out, (socklen_t)n);
    close(fd);
}

struct link_info {
    int ifindex, iflink, netnsid, up;
    char kind[32];
};

/* Ask the kernel (rtnetlink, in this network namespace) about link `name`.
 * iflink is the peer's ifindex for a veth; netnsid is -1 when the peer is in
 * this namespace. Returns 0, or -1 when there is no such link. */
static int link_info(const char *name, struct link_info *li)
{
    struct {
        struct nlmsghdr h;
        struct ifinfomsg i;
        char attrs[64];
    } req;
    char buf[16384];
    struct rtattr *a;
    struct nlmsghdr *h;
    ssize_t n;
    int fd, len, found = -1;

    memset(&req, 0, sizeof req);
    memset(li, 0, sizeof *li);
    li->netnsid = -1;
    req.h.nlmsg_type = RTM_GETLINK;
    req.h.nlmsg_flags = NLM_F_REQUEST;
    req.i.ifi_family = AF_UNSPEC;
    a = (struct rtattr *)((char *)&req + NLMSG_ALIGN(NLMSG_LENGTH(sizeof req.i)));
    a->rta_type = IFLA_IFNAME;
    a->rta_len = (unsigned short)RTA_LENGTH(strlen(name) + 1);
    memcpy(RTA_DATA(a), name, strlen(name) + 1);
    req.h.nlmsg_len = NLMSG_ALIGN(NLMSG_LENGTH(sizeof req.i)) + RTA_ALIGN(a->rta_len);
    fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd == -1 || send(fd, &req, req.h.nlmsg_len, 0) == -1 || (n = recv(fd, buf, sizeof buf, 0)) <= 0) {
        if (fd != -1)
            close(fd);
        return -1;
    }
    close(fd);
    for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
        struct ifinfomsg *ifi = NLMSG_DATA(h);
        if (h->nlmsg_type != RTM_NEWLINK)
            continue;
        found = 0;
        li->ifindex = ifi->ifi_index;
        li->iflink = ifi->ifi_index;
        li->up = (ifi->ifi_flags & IFF_UP) != 0;
        len = (int)IFLA_PAYLOAD(h);
        for (a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
            if (a->rta_type == IFLA_LINK)
                li->iflink = *(int *)RTA_DATA(a);
            else if (a->rta_type == IFLA_LINK_NETNSID)
                li->netnsid = *(int *)RTA_DATA(a);
            else if (a->rta_type == IFLA_LINKINFO) {
                struct rtattr *in = RTA_DATA(a);
                int inlen = (int)RTA_PAYLOAD(a);
                for (; RTA_OK(in, inlen); in = RTA_NEXT(in, inlen))
                    if (in->rta_type == IFLA_INFO_KIND)
                        snprintf(li->kind, sizeof li->kind, "%s", (char *)RTA_DATA(in));
            }
        }
    }
    return found;
}

/* The name of the world's link that has IPv4 address `addr`, from the
 * world's snapshot ("addr NAME ADDRESS"), or "". */
static void link_with_address(const char *snapshot, const char *addr, char *name, size_t n)
{
    char *line = NULL, *copy = strdup(snapshot), *save = NULL;

    name[0] = '\0';
    for (line = copy ? strtok_r(copy, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
        char ifname[IF_NAMESIZE + 1], a[64];
        if (sscanf(line, "addr %16s %63s", ifname, a) == 2 && strcmp(a, addr) == 0) {
            snprintf(name, n, "%s", ifname);
            break;
        }
    }
    free(copy);
}

/* ---- the probe's view from inside ---------------------------------------- */

/* The probe's "link NAME STATE" lines as "NAME:STATE " in order, e.g.
 * "lo:up eth0:up ". */
static void probe_links(const struct world_result *r, char *out, size_t n)
{
    char *copy = strdup(r->probe), *line, *save = NULL;

    out[0] = '\0';
    for (line = copy ? strtok_r(copy, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
        char name[64], state[16];
        if (sscanf(line, "link %63s %15s", name, state) == 2 && !fallback_tunnel(line + 5))
            appendf(out, n, "%s:%s ", name, state);
    }
    free(copy);
}

/* Is "NAME:STATE" among probe_links's words? */
static int has_word(const char *words, const char *word)
{
    size_t len = strlen(word);
    const char *p = words;

    while ((p = strstr(p, word))) {
        if ((p == words || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
            return 1;
        p += len;
    }
    return 0;
}

static int count_words(const char *words)
{
    int n = 0;

    for (; *words; words++)
        if (*words == ' ')
            n++;
    return n;
}

/* ---- the checks ----------------------------------------------------------- */

/* `ip` itself, inside: eth0 with --ip and lo with 127.0.0.1, both up. */
CHECK(net_ip_shows_eth0_and_lo)
{
    struct net_plan p = { 0 };
    struct world_result *r;
    char eth0[96], lo[96], *copy, *line, *save = NULL;
    int eth0_addr = 0, lo_addr = 0, eth0_up = 0, lo_up = 0;

    plan(&p, 256);
    r = lab_run(c, NULL, ARGS("--ip", p.ip, "--host-ip", p.host_ip, "--", "/bin/sh", "-c", "ip -o link; ip -o -4 addr"));
    expect_exit(c, r, 0);
    snprintf(eth0, sizeof eth0, " inet %s ", p.ip);
    copy = strdup(r->out);
    for (line = copy ? strtok_r(copy, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
        char num[16], name[64], flags[256];
        if (sscanf(line, "%15s %63s %255s", num, name, flags) != 3)
            continue;
        name[strcspn(name, "@:")] = '\0';
        if (flags[0] == '<') {   /* ip -o link: "2: eth0@if5: <BROADCAST,...,UP,LOWER_UP> ..." */
            int up = strstr(flags, ",UP,") || strstr(flags, "<UP,") || strstr(flags, ",UP>");
            if (strcmp(name, "eth0") == 0)
                eth0_up = up;
            else if (strcmp(name, "lo") == 0)
                lo_up = up;
        } else if (strcmp(name, "eth0") == 0 && strstr(line, eth0)) {
            eth0_addr = 1;
        } else if (strcmp(name, "lo") == 0 && strstr(line, " inet 127.0.0.1/8 ")) {
            lo_addr = 1;
        }
    }
    free(copy);
    snprintf(lo, sizeof lo, "lo up with 127.0.0.1/8, and eth0 up with %s", p.ip);
    if (!eth0_addr || !lo_addr || !eth0_up || !lo_up)
        check_fail(c, lo, "%s%s%s%s`ip -o link; ip -o -4 addr` inside printed:\n%s",
                   eth0_addr ? "" : "no eth0 with --ip's address; ", eth0_up ? "" : "eth0 not up; ",
                   lo_addr ? "" : "lo without 127.0.0.1; ", lo_up ? "" : "lo not up; ", r->out);
}

/* The probe sees two links, lo and eth0, both up, and eth0's address. */
CHECK(net_probe_sees_exactly_lo_and_eth0)
{
    struct net_plan p = { 0 };
    struct world_result *r;
    char links[1024], addr[64];

    plan(&p, 256);
    r = lab_run(c, NULL, ARGS("--ip", p.ip, "--host-ip", p.host_ip, "--", probe(), "--net"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    probe_links(r, links, sizeof links);
    snprintf(addr, sizeof addr, "addr eth0 %s", p.ip);
    if (count_words(links) != 2 || !has_word(links, "lo:up") || !has_word(links, "eth0:up") || !has_line(r->probe, addr))
        check_fail(c, "exactly two links inside, lo and eth0, both up, eth0 with --ip",
                   "the probe saw the links %s(NAME:STATE) and these addresses:\n%s", links[0] ? links : "(none) ",
                   strstr(r->probe, "addr ") ? strstr(r->probe, "addr ") : "(none)\n");
}

struct tcp_data {
    struct net_plan p[2];
};

static void tcp_setup(struct world_result *r, void *data)
{
    listen_on(r, 0, &((struct tcp_data *)data)->p[0]);
}

static void tcp_during(struct world_result *r, void *data)
{
    (void)data;
    accepted_peer(0, r->user, sizeof r->user);
}

/* A TCP connection from inside to the host end's address: the host sees
 * it come from --ip. */
CHECK(net_tcp_reaches_the_host_end)
{
    struct tcp_data d = { 0 };
    /* A first SYN may be lost while the pair comes up: TCP sends it again
     * after a second. */
    struct world_spec spec = { .setup = tcp_setup, .during = tcp_during, .data = &d, .timeout = 6 };
    struct world_result *r;
    char expected[160];

    plan(&d.p[0], 256);
    r = lab_run(c, &spec, ARGS("--ip", d.p[0].ip, "--host-ip", d.p[0].host_ip, "--", probe(), "--connect",
                               d.p[0].target, "--wait"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    snprintf(expected, sizeof expected, "a TCP connection from inside to %s, arriving from %s", d.p[0].target,
             d.p[0].ip_addr);
    if (strcmp(probe_value(r, "connect"), "ok") != 0 || strcmp(r->user, d.p[0].ip_addr) != 0)
        check_fail(c, expected, "the probe inside: connect %s; the listener on the host: %s",
                   probe_value(r, "connect"), r->user);
}

struct world_link {
    char name[IF_NAMESIZE], peer[IF_NAMESIZE];
};

/* The world's own link, made before the run: a dummy, or a veth pair where
 * the kernel has no dummy driver. Made with the machine's `ip`. */
static void world_link_setup(struct world_result *r, void *data)
{
    struct world_link *w = data;
    char cmd[256];

    snprintf(cmd, sizeof cmd, "ip link add name %s type dummy 2>/dev/null || "
             "ip link add name %s type veth peer name %s", w->name, w->name, w->peer);
    if (system(cmd) != 0)
        world_setup_failed(r, "could not make a link on the host: %s", cmd);
}

/* A link the world made before the run is not seen inside. */
CHECK(net_host_link_not_visible)
{
    struct world_link w;
    struct world_spec spec = { .setup = world_link_setup, .data = &w };
    struct net_plan p = { 0 };
    struct world_result *r;
    char hex[9], links[1024], word[32];

    rand_hex(hex, 8);
    snprintf(w.name, sizeof w.name, "nsw%s", hex);
    snprintf(w.peer, sizeof w.peer, "nsp%s", hex);
    plan(&p, 256);
    r = lab_run(c, &spec, ARGS("--ip", p.ip, "--host-ip", p.host_ip, "--", probe(), "--net"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    probe_links(r, links, sizeof links);
    snprintf(word, sizeof word, "%s:", w.name);
    if (strstr(links, word) || !strstr(r->before, w.name))
        check_fail(c, "the host's own link not to be seen inside", "the host has link %s; inside, the probe saw %s",
                   w.name, links);
}

CHECK(net_namespace_differs)
{
    struct net_plan p = { 0 };
    struct world_result *r;

    plan(&p, 256);
    r = lab_run(c, NULL, ARGS("--ip", p.ip, "--host-ip", p.host_ip, "--", probe(), "--wait"));
    expect_exit(c, r, 0);
    expect_ns_differs(c, r, NS_NET);
}

struct pair_data {
    struct net_plan p;
};

/* In during: find the host end by its address, and its peer from inside
 * the probe's network namespace; both must name each other. */
static void pair_during(struct world_result *r, void *data)
{
    struct pair_data *d = data;
    struct link_info host, inside;
    char name[IF_NAMESIZE + 1], rel[64];
    int pipe_fds[2], fd;
    pid_t child;

    link_with_address(r->during_snap, d->p.host_addr, name, sizeof name);
    if (!name[0]) {
        snprintf(r->user, sizeof r->user, "no link on the host has the address %s", d->p.host_addr);
        return;
    }
    if (link_info(name, &host) == -1) {
        snprintf(r->user, sizeof r->user, "link %s has %s but netlink does not know it", name, d->p.host_addr);
        return;
    }
    snprintf(rel, sizeof rel, "%d/ns/net", (int)r->probe_pid);
    fd = r->probe_pid ? proc_open(rel, O_RDONLY) : -1;
    if (fd == -1 || pipe(pipe_fds) == -1) {
        snprintf(r->user, sizeof r->user, "cannot open the container's network namespace");
        if (fd != -1)
            close(fd);
        return;
    }
    child = fork();
    if (child == 0) {
        /* In the container's network namespace: what is eth0 paired with? */
        struct link_info li;
        int ok = setns(fd, CLONE_NEWNET) == 0 && link_info("eth0", &li) == 0;
        if (!ok)
            memset(&li, 0, sizeof li);
        _exit(write(pipe_fds[1], &li, sizeof li) == (ssize_t)sizeof li ? 0 : 1);
    }
    close(pipe_fds[1]);
    close(fd);
    memset(&inside, 0, sizeof inside);
    if (child == -1 || read(pipe_fds[0], &inside, sizeof inside) != (ssize_t)sizeof inside)
        memset(&inside, 0, sizeof inside);
    close(pipe_fds[0]);
    if (child > 0)
        waitpid(child, NULL, 0);
    snprintf(r->user, sizeof r->user, "name %s kind %s up %d ifindex %d iflink %d netnsid %d; inside: eth0 ifindex %d "
             "iflink %d", name, host.kind[0] ? host.kind : "?", host.up, host.ifindex, host.iflink, host.netnsid,
             inside.ifindex, inside.iflink);
    if (strcmp(host.kind, "veth") == 0 && host.up && host.netnsid >= 0 && inside.ifindex > 0 &&
        host.iflink == inside.ifindex && inside.iflink == host.ifindex)
        appendf(r->user, sizeof r->user, "; paired");
}

/* From outside: the host holds a veth, up, with --host-ip, whose peer is
 * the container's eth0. */
CHECK(net_host_end_is_paired_with_eth0)
{
    struct pair_data d = { 0 };
    struct world_spec spec = { .during = pair_during, .data = &d };
    struct world_result *r;
    char expected[160];

    plan(&d.p, 256);
    r = lab_run(c, &spec, ARGS("--ip", d.p.ip, "--host-ip", d.p.host_ip, "--", probe(), "--wait"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    snprintf(expected, sizeof expected, "a veth on the host with %s, up, whose peer is eth0 in the container's "
             "network namespace", d.p.host_ip);
    if (!strstr(r->user, "; paired"))
        check_fail(c, expected, "the host end, seen by netlink: %s", r->user);
}

/* The lines of a snapshot about the network (links, addresses, routes). */
static char *network_of(const char *snapshot)
{
    char *copy = strdup(snapshot), *out = calloc(1, strlen(snapshot) + 1), *line, *save = NULL;

    for (line = copy && out ? strtok_r(copy, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save))
        if (strncmp(line, "link ", 5) == 0 || strncmp(line, "addr ", 5) == 0 || strncmp(line, "route", 5) == 0) {
            strcat(out, line);
            strcat(out, "\n");
        }
    free(copy);
    return out;
}

/* What changed in the host's links, addresses and routes during the run
 * (- before, + after), or NULL; malloc'd. */
static char *network_changes(const struct world_result *r)
{
    char *before = network_of(r->before), *after = network_of(r->after), *changes;

    changes = diff_lines(before, after);
    free(before);
    free(after);
    return changes;
}

static void network_after(struct world_result *r, void *data)
{
    (void)data;
    /* The host end's name, as `during` saw it, must be gone now. */
    if (r->user[0] && if_nametoindex(r->user))
        appendf(r->note, sizeof r->note, "after the run the host still has link %s\n", r->user);
}

static void network_during(struct world_result *r, void *data)
{
    struct pair_data *d = data;
    char rel[64];

    link_with_address(r->during_snap, d->p.host_addr, r->user, sizeof r->user);
    /* Hold the container's network namespace open until the end: the kernel
     * then cannot take the pair away with it, so a lab that leaves its host
     * end behind is seen doing so every time, not only when it is quicker
     * than the kernel's clean-up. (W's exit closes it.) */
    snprintf(rel, sizeof rel, "%d/ns/net", (int)r->probe_pid);
    if (r->probe_pid)
        proc_open(rel, O_RDONLY);
}

/* After the run, no link, address or route of the container is left. */
CHECK(net_nothing_left_on_the_host)
{
    struct pair_data d = { 0 };
    struct world_spec spec = { .during = network_during, .after = network_after, .data = &d };
    struct world_result *r;
    char *changes;

    plan(&d.p, 256);
    r = lab_run(c, &spec, ARGS("--ip", d.p.ip, "--host-ip", d.p.host_ip, "--", probe(), "--wait"));
    expect_exit(c, r, 0);
    if (!r->user[0])
        check_fail(c, "a host end with --host-ip while the container ran", "no link on the host had %s",
                   d.p.host_addr);
    changes = network_changes(r);
    if (changes || strstr(r->note, "still has link")) {
        char seen[8192];
        snprintf(seen, sizeof seen, "the host's links, addresses and routes changed (- before, + after):\n%s%s",
                 changes ? changes : "", r->note);
        free(changes);
        check_fail(c, "the host's network as it was before the run", "%s", seen);
    }
}

static void two_setup(struct world_result *r, void *data)
{
    struct tcp_data *d = data;

    listen_on(r, 0, &d->p[0]);
    listen_on(r, 1, &d->p[1]);
}

/* While the first container runs (its probe waits), a second one starts. */
static void two_during(struct world_result *r, void *data)
{
    struct tcp_data *d = data;
    char *argv[16], out[3072], peer0[64], peer1[64];
    int status;

    /* (Lab 10 on: the same root as the first.) */
    lab_argv(argv, sizeof argv / sizeof argv[0],
             ARGS("--ip", d->p[1].ip, "--host-ip", d->p[1].host_ip, "--", probe(), "--connect", d->p[1].target), 1);
    status = world_run_second(argv, NULL, 4.0, out, sizeof out);
    accepted_peer(0, peer0, sizeof peer0);
    accepted_peer(1, peer1, sizeof peer1);
    snprintf(r->user, sizeof r->user, "first: %s; second: %s, exit status %d, its output and report:\n%s",
             peer0, peer1, status == -1 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), out);
    if (strcmp(peer0, d->p[0].ip_addr) == 0 && strcmp(peer1, d->p[1].ip_addr) == 0 && status == 0)
        appendf(r->note, sizeof r->note, "both reached their host ends\n");
}

/* Two containers at once, each with its own pair and addresses. */
CHECK(net_two_containers_at_once)
{
    struct tcp_data d = { 0 };
    struct world_spec spec = { .setup = two_setup, .during = two_during, .data = &d, .timeout = 8 };
    struct world_result *r;
    char expected[256];

    plan(&d.p[0], 256);
    /* A second subnet: the two /24s must differ. */
    do
        plan(&d.p[1], 256);
    while (strncmp(d.p[1].ip_addr, d.p[0].ip_addr, (size_t)(strrchr(d.p[0].ip_addr, '.') - d.p[0].ip_addr) + 1) == 0);
    r = lab_run(c, &spec, ARGS("--ip", d.p[0].ip, "--host-ip", d.p[0].host_ip, "--", probe(), "--connect",
                               d.p[0].target, "--wait"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    snprintf(expected, sizeof expected, "two containers at once (%s and %s) each to reach its own host end",
             d.p[0].ip, d.p[1].ip);
    if (!strstr(r->note, "both reached"))
        check_fail(c, expected, "the first container's probe: connect %s; the host's listeners saw %s",
                   probe_value(r, "connect"), r->user);
}

/* Holding or refusing one call of the lab and letting the others go on
 * takes Linux 5.5 (SECCOMP_USER_NOTIF_FLAG_CONTINUE); before, the check
 * cannot run here (ENV). */

/* The world holds the lab's first open or netlink send after its clone for
 * 300 ms: a child that goes on without waiting finds no eth0 (lab 05) or no
 * ID maps (lab 06), however fast the machine. */
CHECK(net_child_waits_for_the_parent)
{
    static const struct world_faults faults = { .slow_parent = 1 };
    struct world_spec spec = { .faults = &faults };
    struct net_plan p = { 0 };
    struct world_result *r;
    char addr[64], links[1024];

    need_linux_5_5(c);
    plan(&p, 256);
    r = lab_run(c, &spec, ARGS("--ip", p.ip, "--host-ip", p.host_ip, "--", probe(), "--net"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    probe_links(r, links, sizeof links);
    snprintf(addr, sizeof addr, "addr eth0 %s", p.ip);
    if (!has_word(links, "eth0:up") || !has_line(r->probe, addr))
        check_fail(c, "with a slow parent, the command to start only once eth0 is there, up, with --ip",
                   "the probe saw the links %s", links);
}

/* The world kills the parent just before it would make the pair (its first
 * open or netlink request after the clone): the child, waiting on the
 * pipe, must see the end of it and end by itself, without running the
 * command, and nothing may be left (the world gives it a second). */
CHECK(net_child_ends_when_the_parent_dies)
{
    static const struct world_faults faults = { .kill_parent = 1 };
    struct world_spec spec = { .faults = &faults };
    struct net_plan p = { 0 };
    struct world_result *r;

    need_linux_5_5(c);
    plan(&p, 256);
    r = lab_run(c, &spec, ARGS("--ip", p.ip, "--host-ip", p.host_ip, "--", probe()));
    if (!WIFSIGNALED(r->lab_status))
        check_fail(c, "the parent to be killed before it made the pair (its first open or netlink request after "
                   "the clone)", "the lab exited with status %d: it made no request after the clone?",
                   WEXITSTATUS(r->lab_status));
    if (r->probe[0])
        check_fail(c, "the child not to run the command once its parent is dead",
                   "the command ran; the probe reported:\n%.2000s", r->probe);
}

/* The world refuses the parent's second netlink request after its clone
 * (the first makes the pair, in a lab like the reference): the lab must
 * give up with 125 and one line, its child gone, and remove what it made.
 * The world holds the child's network namespace open, so the kernel cannot
 * remove a forgotten pair behind the lab's back. */
CHECK(net_failed_setup_removes_what_it_made)
{
    static const struct world_faults faults = { .fail_parent_send = 2 };
    struct world_spec spec = { .faults = &faults };
    struct net_plan p = { 0 };
    struct world_result *r;
    char *changes;

    need_linux_5_5(c);
    plan(&p, 256);
    r = lab_run(c, &spec, ARGS("--ip", p.ip, "--host-ip", p.host_ip, "--", "true"));
    expect_exit(c, r, 125);
    expect_one_error_line(c, r);
    changes = network_changes(r);
    if (changes) {
        char seen[8192];
        snprintf(seen, sizeof seen, "after a set-up that failed half-way, the host's links, addresses and routes "
                 "changed (- before, + after):\n%s", changes);
        free(changes);
        check_fail(c, "the host's network as it was", "%s", seen);
    }
}

CHECK(net_verbose_narrates)
{
    struct world_result *r;

    expect_verbose_names(c, "CLONE_NEWNET");
    r = lab_run(c, NULL, ARGS("-v", "--", "true"));
    if (!strstr(r->err, "veth"))
        check_fail(c, "--verbose to narrate the veth pair", "stderr:\n%s", r->err);
}

/* Bad addresses: 125, one line naming the option, nothing made. */
CHECK(net_bad_address_exit_125)
{
    static char *const bad[][4] = {
        { "--ip", "10.1.2.300/24", "--ip", NULL },
        { "--ip", "banana", "--ip", NULL },
        { "--host-ip", "10.1.2.1/33", "--host-ip", NULL },
        { "--ip", "10.9.8.7/24", "--host-ip", "10.9.8.7/24" },
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct world_result *r = bad[i][3] ? lab_run(c, NULL, ARGS(bad[i][0], bad[i][1], bad[i][2], bad[i][3], "--", "true"))
                                           : lab_run(c, NULL, ARGS(bad[i][0], bad[i][1], "--", "true"));
        expect_usage_error(c, r, bad[i][0]);
    }
}

static const struct check_info checks[] = {
    CHECK_ENTRY(net_ip_shows_eth0_and_lo, "inside, ip shows eth0 with --ip and lo with 127.0.0.1, both up", INSIDE),
    CHECK_ENTRY(net_probe_sees_exactly_lo_and_eth0, "inside, a program sees exactly two links: lo and eth0", INSIDE),
    CHECK_ENTRY(net_tcp_reaches_the_host_end, "a TCP connection from inside reaches the host end, from --ip", VETH),
    CHECK_ENTRY(net_host_link_not_visible, "a link the host made before the run is not seen inside", NETNS),
    CHECK_ENTRY(net_namespace_differs, "the network namespace differs from the host's, seen from outside", NETNS),
    CHECK_ENTRY(net_host_end_is_paired_with_eth0, "the host has a veth with --host-ip whose peer is the container's eth0",
                VETH),
    CHECK_ENTRY(net_nothing_left_on_the_host, "after the run no link, address or route of it is left on the host",
                NOTHING_LEFT),
    CHECK_ENTRY(net_two_containers_at_once, "two containers at once each reach their own host end", VETH),
    CHECK_ENTRY(net_child_waits_for_the_parent, "the child waits until the parent has wired the network (the parent "
                "is slowed on purpose)", HANDSHAKE),
    CHECK_ENTRY(net_child_ends_when_the_parent_dies, "when the parent dies before it lets the child go, the child "
                "ends by itself", HANDSHAKE),
    CHECK_ENTRY(net_failed_setup_removes_what_it_made, "a set-up that fails half-way gives 125, one line, and "
                "leaves nothing on the host", NOTHING_LEFT),
    CHECK_ENTRY(net_verbose_narrates, "--verbose names CLONE_NEWNET and the veth", NETNS),
    CHECK_ENTRY(net_bad_address_exit_125, "bad --ip or --host-ip: exit 125 with one line naming the option", OPTIONS),
    { NULL, NULL, NULL, NULL },
};

LAYER("05_net_veth", checks);
