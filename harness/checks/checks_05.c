/* The checks of lab 05_net_veth: a network namespace wired to the host by a
 * veth pair. Every run draws its addresses from a random 10.x.y.0/24 (and
 * its port at random), so a lab that ignores --ip or --host-ip fails. The
 * host is the test world, which has a network namespace of its own. */
#define _GNU_SOURCE
#include "checks.h"
#include "faults.h"
#include "util.h"

#include <arpa/inet.h>
#include <dirent.h>
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

/* One run's addresses: a random subnet of 10.0.0.0/8 with a random prefix
 * length (16 to 30 but 24: a lab that reads only /24, or gives eth0 a prefix
 * of its own, fails), two hosts in it, a port. */
struct net_plan {
    char ip[24], host_ip[24];       /* "10.a.b.c/PREFIX" */
    char ip_addr[16], host_addr[16];
    char target[32];                /* "HOST:PORT" for the probe's --connect */
    unsigned port, prefix, a;       /* a: the subnet's second byte, 10.a.x.y */
};

static void dotted(char *out, size_t n, unsigned addr)
{
    snprintf(out, n, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255, addr & 255);
}

/* avoid_a: another plan's `a` (its subnet lies in 10.a.0.0/16, so the two
 * cannot overlap), or 0. */
static void plan(struct net_plan *p, unsigned avoid_a)
{
    unsigned size, net, host, guest;

    /* Never 24, the default's: a lab that ignores the prefix is caught
     * every time. */
    do
        p->prefix = rand_range(16, 30);
    while (p->prefix == 24);
    do
        p->a = rand_range(1, 199);
    while (p->a == avoid_a);
    size = 1u << (32 - p->prefix);
    net = (10u << 24 | p->a << 16 | rand_range(0, 65535)) & ~(size - 1);
    host = rand_range(1, size - 2);
    do
        guest = rand_range(1, size - 2);
    while (guest == host);
    dotted(p->ip_addr, sizeof p->ip_addr, net + guest);
    dotted(p->host_addr, sizeof p->host_addr, net + host);
    snprintf(p->ip, sizeof p->ip, "%s/%u", p->ip_addr, p->prefix);
    snprintf(p->host_ip, sizeof p->host_ip, "%s/%u", p->host_addr, p->prefix);
    p->port = rand_range(20000, 60000);
    snprintf(p->target, sizeof p->target, "%s:%u", p->host_addr, p->port);
}

struct pair_data {
    struct net_plan p;
};

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
    char other_prefix[64] = "", bare[40];

    plan(&p, 0);
    r = lab_run(c, NULL, ARGS("--ip", p.ip, "--host-ip", p.host_ip, "--", "/bin/sh", "-c", "ip -o link; ip -o -4 addr"));
    expect_exit(c, r, 0);
    snprintf(eth0, sizeof eth0, " inet %s ", p.ip);
    snprintf(bare, sizeof bare, " inet %s/", p.ip_addr);
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
        } else if (strcmp(name, "eth0") == 0 && strstr(line, bare)) {
            snprintf(other_prefix, sizeof other_prefix, "eth0 has --ip's address with /%d, not --ip's prefix /%u; ",
                     atoi(strstr(line, bare) + strlen(bare)), p.prefix);
        } else if (strcmp(name, "lo") == 0 && strstr(line, " inet 127.0.0.1/8 ")) {
            lo_addr = 1;
        }
    }
    free(copy);
    snprintf(lo, sizeof lo, "lo up with 127.0.0.1/8, and eth0 up with %s", p.ip);
    if (!eth0_addr || !lo_addr || !eth0_up || !lo_up)
        check_fail(c, lo, "%s%s%s%s`ip -o link; ip -o -4 addr` inside printed:\n%s",
                   eth0_addr ? "" : other_prefix[0] ? other_prefix : "no eth0 with --ip's address; ", eth0_up ? "" : "eth0 not up; ",
                   lo_addr ? "" : "lo without 127.0.0.1; ", lo_up ? "" : "lo not up; ", r->out);
}

/* The probe sees two links, lo and eth0, both up, and eth0's address. */
CHECK(net_probe_sees_exactly_lo_and_eth0)
{
    struct net_plan p = { 0 };
    struct world_result *r;
    char links[1024], addr[64];

    plan(&p, 0);
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

static void default_host_end(struct world_result *r, void *data)
{
    (void)data;
    link_with_address(r->during_snap, "10.200.0.1", r->user, sizeof r->user);
}

/* With no --ip or --host-ip, the defaults: 10.200.0.2/24 inside, 10.200.0.1
 * on the host end. */
CHECK(net_default_addresses)
{
    struct world_spec spec = { .during = default_host_end };
    struct world_result *r = lab_run(c, &spec, ARGS("--", probe(), "--net", "--wait"));

    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    if (!has_line(r->probe, "addr eth0 10.200.0.2/24") || !r->user[0])
        check_fail(c, "with no address given, eth0 with 10.200.0.2/24 inside and a host end with 10.200.0.1",
                   "the host end: %s; inside, the probe saw these addresses:\n%s",
                   r->user[0] ? r->user : "no link of the host had 10.200.0.1",
                   strstr(r->probe, "addr ") ? strstr(r->probe, "addr ") : "(none)\n");
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

    plan(&d.p[0], 0);
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

/* A link of the world's own named `name`: a dummy, or a veth pair (its
 * peer `peer`) where the kernel has no dummy driver. Made with the
 * machine's `ip`. 0, or -1 after world_setup_failed(). */
static int make_world_link(struct world_result *r, const char *name, const char *peer)
{
    char cmd[256];

    snprintf(cmd, sizeof cmd, "ip link add name %s type dummy 2>/dev/null || "
             "ip link add name %s type veth peer name %s", name, name, peer);
    if (system(cmd) == 0)
        return 0;
    world_setup_failed(r, "could not make a link on the host: %s", cmd);
    return -1;
}

/* The world's own link, made before the run. */
static void world_link_setup(struct world_result *r, void *data)
{
    struct world_link *w = data;

    make_world_link(r, w->name, w->peer);
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
    plan(&p, 0);
    r = lab_run(c, &spec, ARGS("--ip", p.ip, "--host-ip", p.host_ip, "--", probe(), "--net"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    probe_links(r, links, sizeof links);
    snprintf(word, sizeof word, "%s:", w.name);
    if (strstr(links, word) || !strstr(r->before, w.name))
        check_fail(c, "the host's own link not to be seen inside", "the host has link %s; inside, the probe saw %s",
                   w.name, links);
}

/* The host has an eth0 of its own, as most hosts do. */
static void host_eth0_setup(struct world_result *r, void *data)
{
    char hex[9], peer[IF_NAMESIZE];

    (void)data;
    rand_hex(hex, 8);
    snprintf(peer, sizeof peer, "nsp%s", hex);
    make_world_link(r, "eth0", peer);
}

/* With an eth0 on the host, the container still gets its own: the peer is
 * born in the container's namespace, where that name is free (made on the
 * host first, it clashes). The host's eth0 is left as it was (the world's
 * snapshots compare it). */
CHECK(net_host_eth0_left_alone)
{
    struct world_spec spec = { .setup = host_eth0_setup };
    struct net_plan p = { 0 };
    struct world_result *r;
    char addr[64], links[1024], expected[160];

    plan(&p, 0);
    r = lab_run(c, &spec, ARGS("--ip", p.ip, "--host-ip", p.host_ip, "--", probe(), "--net"));
    snprintf(expected, sizeof expected, "with an eth0 of the host's own, the container's own eth0, up, with %s",
             p.ip);
    if (!WIFEXITED(r->lab_status) || WEXITSTATUS(r->lab_status) != 0)
        check_fail(c, expected, "the lab exited with status %d (was the peer made on the host, where the name eth0 "
                   "is taken, and moved after?); stderr:\n%s", WEXITSTATUS(r->lab_status), r->err[0] ? r->err :
                   "(empty)\n");
    expect_probe_ready(c, r);
    probe_links(r, links, sizeof links);
    snprintf(addr, sizeof addr, "addr eth0 %s", p.ip);
    if (!has_word(links, "eth0:up") || !has_line(r->probe, addr))
        check_fail(c, expected, "the probe saw the links %s(NAME:STATE) and these addresses:\n%s",
                   links[0] ? links : "(none) ", strstr(r->probe, "addr ") ? strstr(r->probe, "addr ") : "(none)\n");
}

/* The descriptors the command has beyond 0-4 (what the world gave the
 * lab: stdin, stdout, stderr, the probe's report and its "go"), as "N ->
 * TARGET; ", into r->user; "none" when there is none. */
static void command_descriptors(struct world_result *r, void *data)
{
    char rel[64], target[256];
    struct dirent *e;
    DIR *dir;
    int fd;

    (void)data;
    snprintf(rel, sizeof rel, "%d/fd", (int)r->probe_pid);
    fd = r->probe_pid ? proc_open(rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd == -1 || !(dir = fdopendir(fd))) {
        snprintf(r->user, sizeof r->user, "?: cannot read /proc/%d/fd", (int)r->probe_pid);
        if (fd != -1)
            close(fd);
        return;
    }
    while ((e = readdir(dir))) {
        ssize_t n;
        if (e->d_name[0] == '.' || atoi(e->d_name) <= 4)
            continue;
        n = readlinkat(dirfd(dir), e->d_name, target, sizeof target - 1);
        target[n > 0 ? n : 0] = '\0';
        appendf(r->user, sizeof r->user, "%s -> %s; ", e->d_name, target);
    }
    closedir(dir);
    if (!r->user[0])
        snprintf(r->user, sizeof r->user, "none");
}

/* The command inherits no descriptor of the lab's: the handshake pipe
 * closes at exec (O_CLOEXEC), so the command can neither read the parent's
 * byte nor hold the pipe open. */
CHECK(net_command_inherits_no_pipe)
{
    struct world_spec spec = { .during = command_descriptors };
    struct net_plan p = { 0 };
    struct world_result *r;

    plan(&p, 0);
    r = lab_run(c, &spec, ARGS("--ip", p.ip, "--host-ip", p.host_ip, "--", probe(), "--wait"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    if (strcmp(r->user, "none") != 0)
        check_fail(c, "the command to have only the descriptors the lab was given (0 to 4), none of the lab's own "
                   "(the handshake pipe closed at exec: O_CLOEXEC)", "the command (PID %d in the world) also had: %s",
                   (int)r->probe_pid, r->user);
}

/* A host end of this name or that one is taken: the world has links named
 * nsv<PID> for the PIDs that the lab and its child are about to get. */
#define TAKEN_PIDS 6

struct taken_data {
    unsigned first;     /* the first PID the world gives out after setup */
    char names[160];    /* the links it made, "nsvN " each */
    char name[TAKEN_PIDS][IF_NAMESIZE], peer[TAKEN_PIDS][IF_NAMESIZE];
    char host_addr[16];                 /* --host-ip's address */
    char host_end[IF_NAMESIZE + 1];     /* the link that held it while the command ran, if any */
};

/* In during: the lab's host end, found by its address. */
static void taken_during(struct world_result *r, void *data)
{
    struct taken_data *d = data;

    link_with_address(r->during_snap, d->host_addr, d->host_end, sizeof d->host_end);
}

static void taken_setup(struct world_result *r, void *data)
{
    struct taken_data *d = data;
    char name[IF_NAMESIZE], peer[IF_NAMESIZE], hex[9], last[16];
    unsigned i;

    d->names[0] = '\0';
    for (i = 0; i < TAKEN_PIDS; i++) {
        snprintf(name, sizeof name, "nsv%u", d->first + i);
        rand_hex(hex, 8);
        snprintf(peer, sizeof peer, "nsq%s", hex);
        if (make_world_link(r, name, peer) == -1)
            return;
        appendf(d->names, sizeof d->names, "%s ", name);
        memcpy(d->name[i], name, sizeof name);
        memcpy(d->peer[i], peer, sizeof peer);
    }
    /* The next process the world starts (the lab) gets PID first: the
     * world's root may set where its PID namespace counts from. */
    snprintf(last, sizeof last, "%u", d->first - 1);
    if (write_file("/proc/sys/kernel/ns_last_pid", last) == -1)
        world_setup_failed(r, "could not set /proc/sys/kernel/ns_last_pid: %s", strerror(errno));
}

/* In after: which of the world's links did the lab remove? Named in
 * r->user, and put back into the after snapshot (the check says so itself,
 * in the lab's terms, rather than as a bare difference of snapshots). */
static void taken_after(struct world_result *r, void *data)
{
    struct taken_data *d = data;
    char line[32];
    unsigned i;

    for (i = 0; i < TAKEN_PIDS && d->name[i][0]; i++) {
        if (if_nametoindex(d->name[i]))
            continue;
        appendf(r->user, sizeof r->user, "%s ", d->name[i]);
        snprintf(line, sizeof line, "link %s\n", d->name[i]);
        appendf(r->after, sizeof r->after, "%s", line);
        snprintf(line, sizeof line, "link %s\n", d->peer[i]);
        if (strstr(r->before, line) && !if_nametoindex(d->peer[i]))
            appendf(r->after, sizeof r->after, "%s", line);
    }
}

/* The name of the host end is taken by another's link: making the pair
 * fails, and the lab must give up (125, one line) without removing that
 * link, which is not its own. A lab whose host end has another name runs
 * as usual. */
CHECK(net_taken_name_left_alone)
{
    struct taken_data d;
    struct world_spec spec = { .setup = taken_setup, .during = taken_during, .after = taken_after, .data = &d };
    struct net_plan p = { 0 };
    struct world_result *r;
    int status;

    memset(&d, 0, sizeof d);
    d.first = rand_range(2000, 30000);
    plan(&p, 0);
    snprintf(d.host_addr, sizeof d.host_addr, "%s", p.host_addr);
    r = lab_run(c, &spec, ARGS("--ip", p.ip, "--host-ip", p.host_ip, "--", probe(), "--wait"));
    if (r->user[0])
        check_fail(c, "the host's own links left alone: the lab removes only the link it made",
                   "the lab removed %s(the host's own link, whose name its host end wanted: the pair was never "
                   "made): remove by the index kept once your pair exists, and only then; stderr:\n%s", r->user,
                   r->err[0] ? r->err : "(empty)\n");
    status = WIFEXITED(r->lab_status) ? WEXITSTATUS(r->lab_status) : -1;
    if (status == 125)
        expect_one_error_line(c, r);
    else if (status != 0)
        check_fail(c, "the host end's name taken by a link of the host's: exit 125 with one line (or 0, when the "
                   "lab's host end has another name)", "exit status %d, with the host's links %sin place; stderr:\n%s",
                   status, d.names, r->err[0] ? r->err : "(empty)\n");
    else if (!d.host_end[0])
        check_fail(c, "the host end's name taken by a link of the host's: exit 125 with one line, or, when the lab's "
                   "host end has another name, its pair made as usual", "exit status 0, and while the command ran no "
                   "link of the host's had --host-ip %s: the pair was never made", p.host_ip);
}

/* In during: the host end, found by its address, is removed from outside,
 * as the kernel does once the container's network namespace is gone. */
static void remove_host_end(struct world_result *r, void *data)
{
    struct pair_data *d = data;
    char name[IF_NAMESIZE + 1], cmd[128];

    link_with_address(r->during_snap, d->p.host_addr, name, sizeof name);
    if (!name[0]) {
        snprintf(r->user, sizeof r->user, "no link on the host had %s", d->p.host_addr);
        return;
    }
    snprintf(cmd, sizeof cmd, "ip link del %s", name);
    snprintf(r->user, sizeof r->user, "%s: %s", cmd, system(cmd) == 0 ? "done" : "failed");
}

/* The host end is already gone when the lab removes it: no failure, no
 * line on stderr, and the command's status stands. */
CHECK(net_host_end_gone_is_no_failure)
{
    struct pair_data d = { 0 };
    struct world_spec spec = { .during = remove_host_end, .data = &d };
    struct world_result *r;
    unsigned code = rand_range(1, 99);
    char script[160], expected[200];

    plan(&d.p, 0);
    snprintf(script, sizeof script, "%s --wait; exit %u", probe(), code);
    r = lab_run(c, &spec, ARGS("--ip", d.p.ip, "--host-ip", d.p.host_ip, "--", "/bin/sh", "-c", script));
    expect_probe_ready(c, r);
    if (!strstr(r->user, ": done"))
        check_fail(c, "a host end with --host-ip while the container ran", "%s", r->user);
    snprintf(expected, sizeof expected, "with the host end already gone at the end (the world removed it), exit "
             "status %u (the command's) and nothing on stderr: a link already gone is no failure", code);
    if (!WIFEXITED(r->lab_status) || WEXITSTATUS(r->lab_status) != (int)code || r->err[0])
        check_fail(c, expected, "exit status %d; stderr:\n%s", WEXITSTATUS(r->lab_status), r->err[0] ? r->err :
                   "(empty)\n");
}

/* In during: the host end, found by its address, gets another name (it is
 * still the link the lab made), and the container's network namespace is
 * held open, so that only the lab can remove the pair. */
struct rename_data {
    struct net_plan p;
    char renamed[IF_NAMESIZE];
};

static void rename_host_end(struct world_result *r, void *data)
{
    struct rename_data *d = data;
    char name[IF_NAMESIZE + 1], hex[9], cmd[256], rel[64];

    link_with_address(r->during_snap, d->p.host_addr, name, sizeof name);
    if (!name[0]) {
        snprintf(r->user, sizeof r->user, "no link on the host had %s", d->p.host_addr);
        return;
    }
    rand_hex(hex, 8);
    snprintf(d->renamed, sizeof d->renamed, "nsr%s", hex);
    snprintf(cmd, sizeof cmd, "ip link set %s down && ip link set %s name %s && ip link set %s up", name, name,
             d->renamed, d->renamed);
    snprintf(r->user, sizeof r->user, "%s: %s", cmd, system(cmd) == 0 ? "done" : "failed");
    snprintf(rel, sizeof rel, "%d/ns/net", (int)r->probe_pid);
    if (r->probe_pid)
        proc_open(rel, O_RDONLY);   /* (W's exit closes it) */
}

/* In after: is the renamed host end still there? Said in r->user, and its
 * lines taken out of the after snapshot (the check names it itself; any
 * other leftover still shows as a change of the host). */
static void renamed_after(struct world_result *r, void *data)
{
    struct rename_data *d = data;
    char *in, *out, word[IF_NAMESIZE + 2];

    if (!d->renamed[0] || !if_nametoindex(d->renamed))
        return;
    appendf(r->user, sizeof r->user, "; after the run, %s is still on the host", d->renamed);
    snprintf(word, sizeof word, " %s", d->renamed);
    for (in = out = r->after; *in;) {
        size_t len = strcspn(in, "\n") + (in[strcspn(in, "\n")] == '\n');
        const char *sp = memchr(in, ' ', len);
        size_t wlen = strlen(word);
        int mine = sp && (size_t)(in + len - sp) > wlen && strncmp(sp, word, wlen) == 0 &&
                   (sp[wlen] == ' ' || sp[wlen] == '\n');
        if (!mine) {
            memmove(out, in, len);
            out += len;
        }
        in += len;
    }
    *out = '\0';
}

/* The host end is renamed while the container runs: the lab still removes
 * the link it made (by its index), not whatever has the name it gave. */
CHECK(net_renamed_host_end_removed)
{
    struct rename_data d;
    struct world_spec spec = { .during = rename_host_end, .after = renamed_after, .data = &d };
    struct world_result *r;

    memset(&d, 0, sizeof d);
    plan(&d.p, 0);
    r = lab_run(c, &spec, ARGS("--ip", d.p.ip, "--host-ip", d.p.host_ip, "--", probe(), "--wait"));
    expect_probe_ready(c, r);
    if (!strstr(r->user, ": done"))
        check_fail(c, "a host end with --host-ip while the container ran, which the world could rename", "%s",
                   r->user);
    if (strstr(r->user, "is still on the host"))
        check_fail(c, "the link the lab made removed at the end, whatever its name by then",
                   "the lab did not remove the link it made: the world renamed it while the container ran (%s), "
                   "and a removal by its old name misses it (keep its index, if_nametoindex(3), once it exists, "
                   "and delete by that)", r->user);
    expect_exit(c, r, 0);
}

CHECK(net_namespace_differs)
{
    struct net_plan p = { 0 };
    struct world_result *r;

    plan(&p, 0);
    r = lab_run(c, NULL, ARGS("--ip", p.ip, "--host-ip", p.host_ip, "--", probe(), "--wait"));
    expect_exit(c, r, 0);
    expect_ns_differs(c, r, NS_NET);
}

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

    plan(&d.p, 0);
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

    plan(&d.p, 0);
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

    plan(&d.p[0], 0);
    plan(&d.p[1], d.p[0].a);   /* a subnet of its own */
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
    plan(&p, 0);
    r = lab_run(c, &spec, ARGS("--ip", p.ip, "--host-ip", p.host_ip, "--", probe(), "--net"));
    if (!WIFEXITED(r->lab_status) || WEXITSTATUS(r->lab_status) != 0)
        check_fail(c, "with a slow parent (the world holds its first request after the clone 300 ms), exit status 0, "
                   "the command started once eth0 was there", "exit status %d: did the child go on before the "
                   "parent was done, and find no eth0 (or no ID maps)? stderr:\n%s", WEXITSTATUS(r->lab_status),
                   r->err[0] ? r->err : "(empty)\n");
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
    plan(&p, 0);
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
    plan(&p, 0);
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

/* Bad addresses: 125, one line naming the option, nothing made. Besides
 * the plainly wrong, what a loose parser lets through: trailing junk
 * (atoi, sscanf), a short form (inet_aton reads 10.1.2 as 10.1.0.2),
 * blanks (sscanf and strtol skip them), no prefix at all. Each comes with
 * the other end in the subnet a loose parser would read, so that only the
 * parsing can refuse it. */
CHECK(net_bad_address_exit_125)
{
    static char *const bad[][5] = {
        { "--ip", "10.1.2.300/24", "--host-ip", "10.1.2.1/24", "a number over 255" },
        { "--ip", "banana", "--host-ip", "10.1.2.1/24", "no address at all" },
        { "--host-ip", "10.1.2.1/33", "--ip", "10.1.2.3/24", "a prefix over 32" },
        { "--ip", "10.1.2.3/24x", "--host-ip", "10.1.2.1/24", "junk after the prefix" },
        { "--host-ip", "10.1.2/24", "--ip", "10.1.0.3/24", "three numbers, not four: inet_aton would read 10.1.0.2" },
        { "--ip", "10.1.2.3", "--host-ip", "10.1.2.1/24", "no prefix" },
        { "--host-ip", " 10.1.2.1/24", "--ip", "10.1.2.3/24", "a blank before the address" },
        { "--ip", "10.1.2.3/ 24", "--host-ip", "10.1.2.1/24", "a blank before the prefix" },
        { "--ip", "10.1.2.3/0", "--host-ip", "10.1.2.1/0", "a prefix of 0" },
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct world_result *r = lab_run(c, NULL, ARGS(bad[i][0], bad[i][1], bad[i][2], bad[i][3], "--", "true"));
        char expected[200];
        snprintf(expected, sizeof expected, "%s \"%s\" (%s) refused: exit 125, one line naming %s", bad[i][0],
                 bad[i][1], bad[i][4], bad[i][0]);
        if (!WIFEXITED(r->lab_status) || WEXITSTATUS(r->lab_status) != 125)
            check_fail(c, expected, "exit status %d; stderr:\n%s", WEXITSTATUS(r->lab_status),
                       r->err[0] ? r->err : "(empty)\n");
        expect_usage_error(c, r, bad[i][0]);
    }
}

/* Two ends that could not reach each other: the same address, or
 * addresses in different subnets. 125 and one line naming an option. */
CHECK(net_unreachable_ends_refused)
{
    struct net_plan p = { 0 }, q = { 0 };
    char *const *pairs[2];
    char other[24];
    int i;

    plan(&p, 0);
    plan(&q, p.a);
    /* q's host, with p's prefix: another subnet. */
    snprintf(other, sizeof other, "%s/%u", q.host_addr, p.prefix);
    pairs[0] = ARGS("--ip", p.ip, "--host-ip", p.ip, "--", "true");
    pairs[1] = ARGS("--ip", p.ip, "--host-ip", other, "--", "true");
    for (i = 0; i < 2; i++) {
        struct world_result *r = lab_run(c, NULL, pairs[i]);
        char expected[160];
        snprintf(expected, sizeof expected, "--ip %s with --host-ip %s (%s) refused: exit 125, one line naming "
                 "--ip or --host-ip", p.ip, i ? other : p.ip, i ? "another subnet" : "the same address");
        if (!WIFEXITED(r->lab_status) || WEXITSTATUS(r->lab_status) != 125)
            check_fail(c, expected, "exit status %d; stderr:\n%s", WEXITSTATUS(r->lab_status),
                       r->err[0] ? r->err : "(empty)\n");
        expect_one_error_line(c, r);
        if (!strstr(r->err, "--ip") && !strstr(r->err, "--host-ip"))
            check_fail(c, expected, "stderr: %s", r->err);
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
    CHECK_ENTRY(net_default_addresses, "with no option, eth0 has 10.200.0.2/24 and the host end 10.200.0.1",
                OPTIONS),
    CHECK_ENTRY(net_unreachable_ends_refused, "--ip and --host-ip equal, or in different subnets: exit 125 with one "
                "line", OPTIONS),
    CHECK_ENTRY(net_host_eth0_left_alone, "with an eth0 on the host, the container still gets its own, and the "
                "host's is left alone", VETH),
    CHECK_ENTRY(net_command_inherits_no_pipe, "the command inherits no descriptor of the lab's (the handshake pipe "
                "closes at exec)", HANDSHAKE),
    CHECK_ENTRY(net_taken_name_left_alone, "a host end's name taken by the host's own link: exit 125, and that link "
                "left alone", NOTHING_LEFT),
    CHECK_ENTRY(net_renamed_host_end_removed, "the host end renamed while the container ran is still removed: the "
                "link the lab made, not a name", NOTHING_LEFT),
    CHECK_ENTRY(net_host_end_gone_is_no_failure, "a host end the kernel already removed is no failure: the command's "
                "status, nothing on stderr", NOTHING_LEFT),
    { NULL, NULL, NULL, NULL },
};

LAYER("05_net_veth", checks);
