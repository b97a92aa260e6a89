/* Unit tests of the harness's own helpers (harness/util.c). */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

START_TEST(capbuf_keeps_cap_and_counts_the_rest)
{
    char data[11];
    struct capbuf b = { data, 10, 0, 0 };
    int p[2];

    ck_assert_int_eq(pipe2(p, O_NONBLOCK), 0);
    ck_assert_int_eq(write(p[1], "0123456789abcdefghij", 20), 20);
    ck_assert_int_eq(capbuf_read(&b, p[0]), 1);   /* would block: still open */
    ck_assert_str_eq(data, "0123456789");
    ck_assert_uint_eq(b.len, 10);
    ck_assert_uint_eq(b.total, 20);
    close(p[1]);
    ck_assert_int_eq(capbuf_read(&b, p[0]), 0);   /* end of file */
    close(p[0]);
}
END_TEST

START_TEST(rand_hex_is_hex_and_random)
{
    char a[17], b[17];

    rand_hex(a, 16);
    rand_hex(b, 16);
    ck_assert_uint_eq(strlen(a), 16);
    ck_assert_uint_eq(strspn(a, "0123456789abcdef"), 16);
    ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(rand_range_stays_in_range)
{
    int i, seen_lo = 0, seen_hi = 0;

    for (i = 0; i < 2000; i++) {
        unsigned v = rand_range(3, 6);
        ck_assert_uint_ge(v, 3);
        ck_assert_uint_le(v, 6);
        seen_lo |= v == 3;
        seen_hi |= v == 6;
    }
    ck_assert(seen_lo && seen_hi);
}
END_TEST

START_TEST(diff_lines_ignores_order)
{
    ck_assert_ptr_null(diff_lines("a\nb\nc\n", "c\na\nb\n"));
    ck_assert_ptr_null(diff_lines("", ""));
}
END_TEST

START_TEST(diff_lines_shows_added_and_removed)
{
    char *d = diff_lines("hostname a\nlink lo\n", "hostname b\nlink lo\nprocess 5 sh\n");

    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(d, "- hostname a\n+ hostname b\n+ process 5 sh\n");
    free(d);
    d = diff_lines("x\nx\n", "x\n");   /* a multiset: a lost duplicate counts */
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(d, "- x\n");
    free(d);
}
END_TEST

START_TEST(kv_get_finds_whole_keys)
{
    char v[32];
    const char *text = "pid 7\nipc_reach msg no\narg 1 -v\narg 10 x\nREADY\n";

    ck_assert(kv_get(text, "pid", v, sizeof v));
    ck_assert_str_eq(v, "7");
    ck_assert(kv_get(text, "ipc_reach msg", v, sizeof v));
    ck_assert_str_eq(v, "no");
    ck_assert(kv_get(text, "arg 1", v, sizeof v));
    ck_assert_str_eq(v, "-v");   /* not "arg 10"'s value */
    ck_assert(kv_get(text, "READY", v, sizeof v));
    ck_assert_str_eq(v, "");
    ck_assert(!kv_get(text, "ppid", v, sizeof v));
    ck_assert(kv_get("k a-long-value", "k", v, 4));
    ck_assert_str_eq(v, "a-l");   /* cut to the buffer */
}
END_TEST

START_TEST(has_line_matches_whole_lines)
{
    ck_assert(has_line("pid 1\nREADY\n", "READY"));
    ck_assert(has_line("READY", "READY"));
    ck_assert(!has_line("NOT READY\n", "READY"));
    ck_assert(!has_line("READY?\n", "READY"));
}
END_TEST

START_TEST(quote_argv_quotes_like_a_shell)
{
    char *argv[] = { "/bin/sh", "-c", "exit 3", "it's", "", NULL };
    char out[128];

    quote_argv(argv, out, sizeof out);
    ck_assert_str_eq(out, "/bin/sh -c 'exit 3' 'it'\\''s' ''");
}
END_TEST

START_TEST(appendf_never_overflows)
{
    char buf[8] = "";

    appendf(buf, sizeof buf, "%s", "abc");
    appendf(buf, sizeof buf, "%s", "defghij");
    ck_assert_str_eq(buf, "abcdefg");
    appendf(buf, sizeof buf, "more");
    ck_assert_str_eq(buf, "abcdefg");
}
END_TEST

START_TEST(read_file_reads_and_reports_missing)
{
    char buf[64];

    ck_assert_int_gt(read_file("/proc/self/stat", buf, sizeof buf), 0);
    ck_assert_int_eq(read_file("/nonexistent/file", buf, sizeof buf), -1);
}
END_TEST

/* write_file writes an existing file only (it never creates one: /proc and
 * cgroup files exist); opendir_at opens relative to a directory fd. */
START_TEST(write_file_and_opendir_at)
{
    char dir[] = "/tmp/nslab-util-XXXXXX", path[64], buf[16];
    struct dirent *e;
    int fd, found = 0;
    DIR *d;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/f", dir);
    ck_assert_int_eq(write_file(path, "x"), -1);          /* no such file */
    fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    ck_assert_int_ne(fd, -1);
    close(fd);
    ck_assert_int_eq(write_file(path, "hello"), 0);
    ck_assert_int_eq(read_file(path, buf, sizeof buf), 5);
    ck_assert_str_eq(buf, "hello");
    fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    d = opendir_at(fd, ".");
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)))
        found += strcmp(e->d_name, "f") == 0;
    closedir(d);
    ck_assert_int_eq(found, 1);
    ck_assert_ptr_null(opendir_at(fd, "f"));                 /* not a directory */
    close(fd);
    unlink(path);
    rmdir(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("harness util");
    TCase *tc = tcase_create("util");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, capbuf_keeps_cap_and_counts_the_rest);
    tcase_add_test(tc, rand_hex_is_hex_and_random);
    tcase_add_test(tc, rand_range_stays_in_range);
    tcase_add_test(tc, diff_lines_ignores_order);
    tcase_add_test(tc, diff_lines_shows_added_and_removed);
    tcase_add_test(tc, kv_get_finds_whole_keys);
    tcase_add_test(tc, has_line_matches_whole_lines);
    tcase_add_test(tc, quote_argv_quotes_like_a_shell);
    tcase_add_test(tc, appendf_never_overflows);
    tcase_add_test(tc, read_file_reads_and_reports_missing);
    tcase_add_test(tc, write_file_and_opendir_at);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
