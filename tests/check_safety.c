/*
 * check_safety.c - the pure parts of issue 12's rules: the temporary files
 * (outfile.c), the path checks (paths.c), the memory model (memory.c).
 * Each test works in its own mkdtemp directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <libavutil/error.h>
#include <libavutil/intreadwrite.h>

#include "suites.h"
#include "engine/sizes.h"
#include "io/memory.h"
#include "io/outfile.h"
#include "io/paths.h"
#include "io/threads.h"

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof(dir), "%s/rd-check-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void put_in(const char *where, const char *name, const char *text)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s", where, name);
    ck_assert_ptr_nonnull(f = fopen(path, "w"));
    fputs(text, f);
    fclose(f);
}

static void put(const char *name, const char *text)
{
    put_in(dir, name, text);
}

static int exists(const char *name)
{
    char p[512];
    struct stat st;
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    return lstat(p, &st) == 0;
}

static const char *at(const char *name)
{
    static char p[4][512];
    static int i;
    i = (i + 1) % 4;
    snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
    return p[i];
}

/* ---- outfile ------------------------------------------------------------- */

/* libgomp's reading of OMP_STACKSIZE; a malformed value leaves the default. */
START_TEST(test_threads_stack)
{
    size_t def;
    unsetenv("OMP_STACKSIZE");
    unsetenv("GOMP_STACKSIZE");
    def = rd_threads_stack();
    ck_assert_uint_gt(def, 0);
    setenv("OMP_STACKSIZE", "64M", 1);
    ck_assert_uint_eq(rd_threads_stack(), (size_t)64 << 20);
    setenv("OMP_STACKSIZE", " 512 ", 1);
    ck_assert_uint_eq(rd_threads_stack(), (size_t)512 << 10);
    setenv("OMP_STACKSIZE", "2g", 1);
    ck_assert_uint_eq(rd_threads_stack(), (size_t)2 << 30);
    setenv("OMP_STACKSIZE", "100B", 1);
    ck_assert_uint_eq(rd_threads_stack(), 100);
    setenv("OMP_STACKSIZE", "12Q", 1);
    ck_assert_uint_eq(rd_threads_stack(), def);
    unsetenv("OMP_STACKSIZE");
    setenv("GOMP_STACKSIZE", "1M", 1);
    ck_assert_uint_eq(rd_threads_stack(), (size_t)1 << 20);
    unsetenv("GOMP_STACKSIZE");
}
END_TEST

/* Threads that can be made are made and joined; the count includes the caller. */
START_TEST(test_threads_try)
{
    int e = -1;
    ck_assert_int_eq(rd_threads_try(1, 0, &e), 1);
    ck_assert_int_eq(e, 0);
    ck_assert_int_eq(rd_threads_try(4, (size_t)1 << 20, &e), 4);
    ck_assert_int_eq(e, 0);
}
END_TEST

START_TEST(test_create_exclusive)
{
    char tmp[600], link[600];
    int fd;
    snprintf(link, sizeof(link), "%s/o.mp4.part-%ld", dir, (long)getpid());
    put("victim", "precious");
    ck_assert_int_eq(symlink(at("victim"), link), 0);
    fd = rd_outfile_create(at("o.mp4"), RD_OUTFILE_PART, tmp, sizeof(tmp));
    ck_assert_int_eq(fd, AVERROR(EEXIST));
    unlink(link);
    fd = rd_outfile_create(at("o.mp4"), RD_OUTFILE_PART, tmp, sizeof(tmp));
    ck_assert_int_ge(fd, 0);
    ck_assert_str_eq(tmp, link);
    close(fd);
    rd_outfile_unlink_all(); /* what a signal handler does */
    ck_assert(!exists(strrchr(link, '/') + 1));
}
END_TEST

START_TEST(test_commit_noreplace)
{
    char tmp[600];
    int fd = rd_outfile_create(at("o.mp4"), RD_OUTFILE_PART, tmp, sizeof(tmp));
    ck_assert_int_ge(fd, 0);
    close(fd);
    put("o.mp4", "appeared");
    ck_assert_int_eq(rd_outfile_commit(tmp, at("o.mp4"), 0), AVERROR(EEXIST));
    ck_assert_int_eq(access(tmp, F_OK), -1); /* removed on failure */
    fd = rd_outfile_create(at("o.mp4"), RD_OUTFILE_PART, tmp, sizeof(tmp));
    close(fd);
    ck_assert_int_eq(rd_outfile_commit(tmp, at("o.mp4"), 1), 0);
    ck_assert_int_eq(access(tmp, F_OK), -1);
    ck_assert(exists("o.mp4"));
}
END_TEST

START_TEST(test_clean_stale)
{
    char name[64], mine[64];
    pid_t dead = fork();
    if (!dead) { /* a render that dies without cleaning up */
        char t[600];
        _exit(rd_outfile_create(at("o.mp4"), RD_OUTFILE_PART, t, sizeof(t)) < 0);
    }
    waitpid(dead, NULL, 0);
    snprintf(name, sizeof(name), "o.mp4.part-%ld", (long)dead);
    ck_assert(exists(name));
    snprintf(mine, sizeof(mine), "o.mp4.part-%ld", (long)dead + 1);
    put(mine, "x");                    /* a user's file, named like ours, pid dead or not */
    put("o.mp4.part-12a", "x");        /* not the pattern */
    put("oo.mp4.part-999999", "x");    /* another OUTPUT */
    ck_assert_int_eq(rd_outfile_clean_stale(at("o.mp4"), RD_OUTFILE_PART), 1);
    ck_assert(!exists(name));
    ck_assert(exists(mine));
    ck_assert(exists("o.mp4.part-12a"));
    ck_assert(exists("oo.mp4.part-999999"));
}
END_TEST

/* The signal handler's registry has no fixed size: every file goes. */
START_TEST(test_registry_many)
{
    enum { N = 40 };
    char t[N][600], name[64];
    for (int i = 0; i < N; i++) {
        int fd;
        snprintf(name, sizeof(name), "r%d.json", i);
        fd = rd_outfile_create(at(name), RD_OUTFILE_TMP, t[i], sizeof(t[i]));
        ck_assert_int_ge(fd, 0);
        close(fd);
    }
    rd_outfile_discard(t[3]); /* a freed entry is reused, not lost */
    ck_assert_int_ge(close(rd_outfile_create(at("r3.json"), RD_OUTFILE_TMP, t[3], sizeof(t[3]))), 0);
    rd_outfile_unlink_all();
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(access(t[i], F_OK), -1);
}
END_TEST

/* A live run's file (locked) stays, whatever its pid. */
START_TEST(test_clean_live)
{
    char t[600];
    int fd = rd_outfile_create(at("l.mp4"), RD_OUTFILE_PART, t, sizeof(t));
    pid_t other;
    int st = -1;
    ck_assert_int_ge(fd, 0);
    other = fork();
    if (!other) /* another process: our own pid is skipped by name */
        _exit(rd_outfile_clean_stale(at("l.mp4"), RD_OUTFILE_PART));
    waitpid(other, &st, 0);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ck_assert_int_eq(access(t, F_OK), 0);
    close(fd);
    rd_outfile_discard(t);
}
END_TEST

/* Any legal OUTPUT has a temporary name: a long last component is cut,
 * never in the middle of a UTF-8 character. */
START_TEST(test_temp_name)
{
    char base[256], buf[700];
    const char *b;
    size_t n;
    memset(base, 'a', 255);
    base[255] = 0;
    ck_assert_int_eq(rd_outfile_temp_name(buf, sizeof(buf), base, RD_OUTFILE_PART), 0);
    ck_assert_uint_le(strlen(buf), 255);
    ck_assert(strstr(buf, RD_OUTFILE_PART));
    for (int i = 0; i < 127; i++)
        memcpy(base + 2 * i, "\xc3\xa9", 2);
    base[254] = 'x';
    snprintf(buf, sizeof(buf), "d/%s", base);
    ck_assert_int_eq(rd_outfile_temp_name(buf, sizeof(buf), "d/x", RD_OUTFILE_PART), 0);
    ck_assert(!strncmp(buf, "d/x" RD_OUTFILE_PART, 9));
    {
        char path[300];
        snprintf(path, sizeof(path), "d/%s", base);
        ck_assert_int_eq(rd_outfile_temp_name(buf, sizeof(buf), path, RD_OUTFILE_PART), 0);
    }
    b = buf + 2;
    n = strcspn(b, ".");
    ck_assert_uint_le(strlen(b), 255);
    ck_assert_int_eq(n % 2, 0); /* whole two-byte characters only */
    ck_assert_int_eq(rd_outfile_temp_name(buf, 8, "d/o.mp4", RD_OUTFILE_PART), AVERROR(ENAMETOOLONG));
}
END_TEST

/* ---- paths --------------------------------------------------------------- */

START_TEST(test_protocols)
{
    ck_assert_int_eq(rd_paths_set_protocols(NULL), 0);
    ck_assert_str_eq(rd_paths_protocols(), "file");
    ck_assert_int_eq(rd_paths_set_protocols("concat"), 0);
    ck_assert_str_eq(rd_paths_protocols(), "file,concat");
    ck_assert_int_eq(rd_paths_set_protocols("http,file"), 0);
    ck_assert_str_eq(rd_paths_protocols(), "http,file");
    ck_assert_int_lt(rd_paths_set_protocols("a,,b"), 0);
    ck_assert_int_lt(rd_paths_set_protocols("x;y"), 0);
    rd_paths_set_protocols(NULL);
    ck_assert_str_eq(rd_paths_local("file:a.mp4"), "a.mp4");
    ck_assert_str_eq(rd_paths_local("a.mp4"), "a.mp4");
}
END_TEST

START_TEST(test_same_file)
{
    char err[512], in[600], r1[600], r2[600], r3[600];
    const char *side[RD_SIDECARS] = { NULL };
    put("in.mp4", "x");
    snprintf(r1, sizeof(r1), "%s", at("in.mp4"));
    snprintf(r2, sizeof(r2), "%s", at("o.mp4"));
    snprintf(r3, sizeof(r3), "%s", at("r.json"));
    snprintf(in, sizeof(in), "file:%s", at("in.mp4"));
    ck_assert_int_lt(rd_paths_check(in, at("in.mp4"), side, RD_SIDECARS, 1, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "is the input"));
    side[RD_SIDECAR_REPORT] = r1;
    ck_assert_int_lt(rd_paths_check(at("in.mp4"), at("o.mp4"), side, RD_SIDECARS, 1, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "--report would write over the input"));
    side[RD_SIDECAR_REPORT] = r2; /* neither exists yet: same name */
    ck_assert_int_lt(rd_paths_check(at("in.mp4"), at("o.mp4"), side, RD_SIDECARS, 1, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "would write over OUTPUT"));
    side[RD_SIDECAR_REPORT] = r3;
    ck_assert_int_eq(rd_paths_check(at("in.mp4"), at("o.mp4"), side, RD_SIDECARS, 0, err, sizeof(err)), 0);
    put("r.json", "{}");
    ck_assert_int_eq(rd_paths_check(at("in.mp4"), at("o.mp4"), side, RD_SIDECARS, 0, err, sizeof(err)),
                     AVERROR(EEXIST));
    ck_assert_int_eq(rd_paths_check(at("in.mp4"), at("o.mp4"), side, RD_SIDECARS, 1, err, sizeof(err)), 0);
    side[RD_SIDECAR_REPORT] = "/";
    ck_assert_int_eq(rd_paths_check(at("in.mp4"), at("o.mp4"), side, RD_SIDECARS, 1, err, sizeof(err)),
                     AVERROR(EISDIR));
}
END_TEST

START_TEST(test_not_local)
{
    char err[512], fifo[600];
    const char *side[RD_SIDECARS] = { NULL };
    put("in.mp4", "x");
    rd_paths_set_protocols(NULL);
    ck_assert_int_lt(rd_paths_check("concat:a|b", NULL, side, 0, 0, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "protocol 'concat' is not allowed"));
    ck_assert_int_lt(rd_paths_check(at("in.mp4"), "tee:a.mp4|b.mp4", side, 0, 0, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "must be a local file name"));
    snprintf(fifo, sizeof(fifo), "%s", at("f"));
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(rd_paths_check(fifo, NULL, side, 0, 0, err, sizeof(err)), AVERROR(ESPIPE));
    ck_assert_int_eq(rd_paths_check("pipe:0", NULL, side, 0, 0, err, sizeof(err)), AVERROR(ESPIPE));
    ck_assert_int_eq(rd_paths_set_protocols("concat"), 0);
    ck_assert_int_eq(rd_paths_check("concat:a|b", NULL, side, 0, 0, err, sizeof(err)), 0);
    rd_paths_set_protocols(NULL);
}
END_TEST

/* ---- memory -------------------------------------------------------------- */

START_TEST(test_memory_model)
{
    RdMemoryInput a = { 320, 240, AV_PIX_FMT_YUV420P, 320, 240, AV_PIX_FMT_YUV420P, "libx264", NULL, NULL, 0, 0 };
    RdMemoryInput b = a;
    int64_t small, big;
    ck_assert_int_eq(rd_memory_frame_bytes(320, 240, AV_PIX_FMT_YUV420P), 320 * 240 * 3 / 2);
    small = rd_memory_worker_bytes(&a);
    b.out_w = b.out_h = 16000;
    big = rd_memory_worker_bytes(&b);
    ck_assert_int_gt(big, 30ll << 30);            /* 384 MB frames, ~100 held */
    ck_assert_int_lt(small, 200ll << 20);
    ck_assert_double_gt(rd_memory_encoder_frames("libx264", "medium", NULL),
                        rd_memory_encoder_frames("libx264", "ultrafast", NULL));
    ck_assert_int_eq(rd_memory_fit_workers(10ll << 30, 1ll << 30, 4), 4);
    ck_assert_int_eq(rd_memory_fit_workers(10ll << 30, 3ll << 30, 4), 2);
    ck_assert_int_eq(rd_memory_fit_workers(1ll << 30, 3ll << 30, 4), 0);
    ck_assert_int_eq(rd_memory_fit_workers(-1, 3ll << 30, 4), 4);
}
END_TEST

/* 64x64 frames that become 16000x8000: the decoder's frames at the largest
 * size, and the graph's output for them before the autoscale. */
START_TEST(test_memory_largest_frame)
{
    RdMemoryInput a = { 64, 64, AV_PIX_FMT_YUV420P, 64, 64, AV_PIX_FMT_YUV420P, "libx264", "ultrafast", NULL, 0, 0 };
    RdMemoryInput b = a, c = a;
    int64_t big = rd_memory_frame_bytes(16000, 8000, AV_PIX_FMT_YUV420P);
    b.max_w = 16000;
    b.max_h = 8000;
    c.max_w = c.max_h = 32;                       /* smaller: counts as the first */
    ck_assert_int_lt(rd_memory_worker_bytes(&a), 40ll << 20);
    ck_assert_int_eq(rd_memory_worker_bytes(&c), rd_memory_worker_bytes(&a));
    /* 20 decoder and graph-input frames, 4 graph-output frames, at the large size */
    ck_assert_int_eq(rd_memory_worker_bytes(&b) - rd_memory_worker_bytes(&a),
                     big * 24 - rd_memory_frame_bytes(64, 64, AV_PIX_FMT_YUV420P) * 20);
}
END_TEST

/* Sizes from AV_PKT_DATA_PARAM_CHANGE side data and from a parser. */
START_TEST(test_sizes_packets)
{
    AVCodecParameters *par = avcodec_parameters_alloc();
    AVPacket *pkt = av_packet_alloc();
    RdSizes s;
    uint8_t *d;
    ck_assert_ptr_nonnull(par);
    ck_assert_ptr_nonnull(pkt);
    par->codec_type = AVMEDIA_TYPE_VIDEO;
    par->codec_id = AV_CODEC_ID_H264;
    par->width = 64;
    par->height = 48;
    ck_assert_int_eq(rd_sizes_init(&s, par), 0);
    ck_assert_int_eq(s.max_w, 64);
    ck_assert_int_eq(s.max_h, 48);
    ck_assert_int_eq(av_new_packet(pkt, 16), 0);
    memset(pkt->data, 0, 16);
    ck_assert_ptr_nonnull(d = av_packet_new_side_data(pkt, AV_PKT_DATA_PARAM_CHANGE, 12));
    AV_WL32(d, 8);                                /* dimensions */
    AV_WL32(d + 4, 16000);
    AV_WL32(d + 8, 8000);
    rd_sizes_packet(&s, pkt);
    ck_assert_int_eq(s.max_w, 16000);
    ck_assert_int_eq(s.max_h, 8000);
    rd_sizes_seen(&s, 40000, 100);                /* past any decoder's limit: ignored */
    ck_assert_int_eq(s.max_w, 16000);
    rd_sizes_free(&s);
    av_packet_free(&pkt);
    avcodec_parameters_free(&par);
}
END_TEST

/* The cgroup's room: limit less usage, the least over v2 and v1 layouts;
 * "max" and v1's 2^63 are no limit (RENDER_TEST_CGROUP_ROOT, a test hook). */
START_TEST(test_memory_cgroup)
{
    char root[] = "/tmp/render-cg-XXXXXX", v1[64], cmd[128];
    ck_assert_ptr_nonnull(mkdtemp(root));
    setenv("RENDER_TEST_CGROUP_ROOT", root, 1);
    ck_assert_int_eq(rd_memory_cgroup_room(), -1);            /* nothing there: no limit */
    put_in(root, "memory.max", "max\n");
    put_in(root, "memory.current", "1000\n");
    ck_assert_int_eq(rd_memory_cgroup_room(), -1);
    put_in(root, "memory.max", "5000\n");
    ck_assert_int_eq(rd_memory_cgroup_room(), 4000);
    snprintf(v1, sizeof(v1), "%s/memory", root);
    ck_assert_int_eq(mkdir(v1, 0700), 0);
    put_in(v1, "memory.limit_in_bytes", "9223372036854771712\n");
    put_in(v1, "memory.usage_in_bytes", "100\n");
    ck_assert_int_eq(rd_memory_cgroup_room(), 4000);
    put_in(v1, "memory.limit_in_bytes", "3000\n");
    ck_assert_int_eq(rd_memory_cgroup_room(), 2900);
    put_in(v1, "memory.usage_in_bytes", "3500\n");               /* over the limit: no room */
    ck_assert_int_eq(rd_memory_cgroup_room(), 0);
    ck_assert_int_le(rd_memory_available(), 0);
    unsetenv("RENDER_TEST_CGROUP_ROOT");
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *make_safety_suite(void)
{
    Suite *s = suite_create("safety");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_create_exclusive);
    tcase_add_test(tc, test_commit_noreplace);
    tcase_add_test(tc, test_clean_stale);
    tcase_add_test(tc, test_clean_live);
    tcase_add_test(tc, test_registry_many);
    tcase_add_test(tc, test_temp_name);
    tcase_add_test(tc, test_protocols);
    tcase_add_test(tc, test_same_file);
    tcase_add_test(tc, test_not_local);
    tcase_add_test(tc, test_memory_model);
    tcase_add_test(tc, test_memory_largest_frame);
    tcase_add_test(tc, test_sizes_packets);
    tcase_add_test(tc, test_memory_cgroup);
    tcase_add_test(tc, test_threads_stack);
    tcase_add_test(tc, test_threads_try);
    suite_add_tcase(s, tc);
    return s;
}
