#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <libavutil/error.h>

#include "suites.h"
#include "ui/procstat.h"

/* A trimmed /proc/stat from a 2-core machine (Linux 5.x field layout). */
static const char stat_2core[] =
    "cpu  3000 100 1000 50000 400 0 20 0 0 0\n"
    "cpu0 1000 50 500 25000 200 0 10 0 0 0\n"
    "cpu1 2000 50 500 25000 200 0 10 5 300 0\n"
    "intr 123456 1 2 3 4 5 6 7 8 9\n"
    "ctxt 987654\n"
    "btime 1700000000\n"
    "cpu9 1 1 1 1\n"; /* after the block: must not be read */

START_TEST(test_parse_fields)
{
    RdCpuTimes t[4];
    ck_assert_int_eq(rd_procstat_parse(stat_2core, t, 4), 2);
    ck_assert_int_eq(t[0].id, 0);
    ck_assert_uint_eq(t[0].idle, 25000 + 200);
    ck_assert_uint_eq(t[0].total, 1000 + 50 + 500 + 25000 + 200 + 0 + 10 + 0);
    ck_assert_int_eq(t[1].id, 1);
    /* steal counts, guest (already inside user) does not count twice */
    ck_assert_uint_eq(t[1].total, 2000 + 50 + 500 + 25000 + 200 + 0 + 10 + 5);
}
END_TEST

START_TEST(test_parse_old_kernel_and_gaps)
{
    /* 2.4 kernels: four fields; offline cores leave gaps in the numbering */
    RdCpuTimes t[4];
    ck_assert_int_eq(rd_procstat_parse("cpu 2 2 2 2\ncpu0 1 1 1 10\ncpu2 4 0 0 6", t, 4), 2);
    ck_assert_int_eq(t[1].id, 2);
    ck_assert_uint_eq(t[0].idle, 10);
    ck_assert_uint_eq(t[0].total, 13);
    ck_assert_uint_eq(t[1].total, 10);
}
END_TEST

START_TEST(test_parse_more_than_max)
{
    RdCpuTimes t[1] = {{ .id = -7 }};
    ck_assert_int_eq(rd_procstat_parse(stat_2core, t, 1), 2);
    ck_assert_int_eq(t[0].id, 0);
    ck_assert_int_eq(rd_procstat_parse(stat_2core, NULL, 0), 2);
}
END_TEST

START_TEST(test_parse_invalid)
{
    RdCpuTimes t[2];
    ck_assert_int_eq(rd_procstat_parse("", t, 2), AVERROR_INVALIDDATA);
    ck_assert_int_eq(rd_procstat_parse("cpu 1 2 3 4\nintr 5\n", t, 2), AVERROR_INVALIDDATA);
    ck_assert_int_eq(rd_procstat_parse("cpu0 1 2\n", t, 2), AVERROR_INVALIDDATA);
    ck_assert_int_eq(rd_procstat_parse("cpux 1 2 3 4\n", t, 2), AVERROR_INVALIDDATA);
}
END_TEST

/* prev (idle, total), cur (idle, total), expected busy */
static const struct { uint64_t pi, pt, ci, ct; double busy; } busy_cases[] = {
    {   0,   0,  50, 100, 0.50 },  /* half idle */
    { 100, 200, 100, 300, 1.00 },  /* no idle tick: fully busy */
    { 100, 200, 200, 300, 0.00 },  /* all idle */
    { 100, 200, 125, 300, 0.75 },
    { 100, 200, 100, 200, 0.00 },  /* no time passed */
    { 100, 200,  90, 300, 1.00 },  /* iowait went backwards: no idle change */
    { 100, 200, 150, 150, 0.00 },  /* total went backwards: nothing to say */
};

START_TEST(test_busy_table)
{
    RdCpuTimes a = { 0, busy_cases[_i].pi, busy_cases[_i].pt };
    RdCpuTimes b = { 0, busy_cases[_i].ci, busy_cases[_i].ct };
    ck_assert_double_eq_tol(rd_procstat_busy(&a, &b), busy_cases[_i].busy, 1e-9);
}
END_TEST

START_TEST(test_busy_iowait_is_idle)
{
    /* a core that only waited for the disk is idle, as htop shows it */
    RdCpuTimes a[1], b[1];
    rd_procstat_parse("cpu0 100 0 100 1000 0 0 0 0\n", a, 1);
    rd_procstat_parse("cpu0 100 0 100 1000 100 0 0 0\n", b, 1);
    ck_assert_double_eq_tol(rd_procstat_busy(a, b), 0.0, 1e-9);
}
END_TEST

START_TEST(test_sum)
{
    RdCpuTimes t[2], s;
    rd_procstat_parse(stat_2core, t, 2);
    rd_procstat_sum(t, 2, &s);
    ck_assert_int_eq(s.id, -1);
    ck_assert_uint_eq(s.idle, t[0].idle + t[1].idle);
    ck_assert_uint_eq(s.total, t[0].total + t[1].total);
}
END_TEST

START_TEST(test_read_whole_lines)
{
    char path[] = "/tmp/rd-procstat-XXXXXX", buf[24];
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    /* 23 bytes fit, so the second line is cut: only the first is kept */
    ck_assert_int_eq(write(fd, "cpu0 1 2 3 4\ncpu1 5 6 7 8\n", 26), 26);
    close(fd);
    ck_assert_int_eq(rd_procstat_read(path, buf, sizeof(buf)), 13);
    ck_assert_str_eq(buf, "cpu0 1 2 3 4\n");
    unlink(path);
    ck_assert_int_eq(rd_procstat_read("/nonexistent/stat", buf, sizeof(buf)), AVERROR(ENOENT));
}
END_TEST

START_TEST(test_read_real)
{
    static char buf[1 << 16];
    RdCpuTimes t[8];
    if (access("/proc/stat", R_OK))
        return; /* not Linux: nothing to read */
    ck_assert_int_gt(rd_procstat_read("/proc/stat", buf, sizeof(buf)), 0);
    ck_assert_int_ge(rd_procstat_parse(buf, t, 8), 1);
    ck_assert_uint_ge(t[0].total, t[0].idle);
}
END_TEST

Suite *make_procstat_suite(void)
{
    Suite *s = suite_create("procstat");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_parse_fields);
    tcase_add_test(tc, test_parse_old_kernel_and_gaps);
    tcase_add_test(tc, test_parse_more_than_max);
    tcase_add_test(tc, test_parse_invalid);
    tcase_add_loop_test(tc, test_busy_table, 0, sizeof(busy_cases) / sizeof(busy_cases[0]));
    tcase_add_test(tc, test_busy_iowait_is_idle);
    tcase_add_test(tc, test_sum);
    tcase_add_test(tc, test_read_whole_lines);
    tcase_add_test(tc, test_read_real);
    suite_add_tcase(s, tc);
    return s;
}
