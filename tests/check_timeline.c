#include "suites.h"
#include "engine/timeline.h"

#include <string.h>
#include <libavutil/avutil.h>

/* n packets in decode order with these pts and dts (AV_NOPTS_VALUE allowed),
 * each lasting `dur`. */
static AVPacket **make(const int64_t *pts, const int64_t *dts, int n, int64_t dur)
{
    AVPacket **p = av_calloc(n, sizeof(*p));
    ck_assert_ptr_nonnull(p);
    for (int i = 0; i < n; i++) {
        ck_assert_ptr_nonnull(p[i] = av_packet_alloc());
        p[i]->pts = pts[i];
        p[i]->dts = dts ? dts[i] : AV_NOPTS_VALUE;
        p[i]->duration = dur;
    }
    return p;
}

static void drop(AVPacket **p, int n)
{
    for (int i = 0; i < n; i++)
        av_packet_free(&p[i]);
    av_free(p);
}

static void expect_dts(AVPacket **p, const int64_t *want, int n)
{
    for (int i = 0; i < n; i++)
        ck_assert_msg(p[i]->dts == want[i], "packet %d: dts %lld, want %lld", i,
                      (long long)p[i]->dts, (long long)want[i]);
}

/* x264 in MP4 (1/12800, 512 a frame), B-pyramid: the CLI writes these. */
static const int64_t X_PTS[] = { 0, 2048, 1024, 512, 1536, 3072, 2560 };
static const int64_t X_DTS[] = { -1024, -512, 0, 512, 1024, 1536, 2048 };

START_TEST(test_declared_depth)
{
    RdTimeline t;
    char err[256] = "";
    AVPacket **p = make(X_PTS, X_DTS, 7, 512);
    rd_timeline_init(&t, 2);
    ck_assert_int_eq(rd_timeline_assign(&t, p, 7, 0, err, sizeof(err)), 0);
    expect_dts(p, X_DTS, 7);
    ck_assert_int_eq(t.depth, 2);
    rd_timeline_free(&t);
    drop(p, 7);
}
END_TEST

/* libx265 declares 0; its own dts lag two frames: the CLI's output again. */
START_TEST(test_undeclared_lag)
{
    RdTimeline t;
    char err[256] = "";
    AVPacket **p = make(X_PTS, X_DTS, 7, 512);
    rd_timeline_init(&t, 0);
    ck_assert_int_eq(rd_timeline_assign(&t, p, 7, 0, err, sizeof(err)), 0);
    expect_dts(p, X_DTS, 7);
    rd_timeline_free(&t);
    drop(p, 7);
}
END_TEST

/* libx264 lossless (-qp 0) declares 2 but has no B-frames: its dts are
 * its pts, and so are the CLI's. */
START_TEST(test_declared_not_lagging)
{
    static const int64_t pts[] = { 0, 512, 1024, 1536 };
    RdTimeline t;
    char err[256] = "";
    AVPacket **p = make(pts, pts, 4, 512);
    rd_timeline_init(&t, 2);
    ck_assert_int_eq(rd_timeline_assign(&t, p, 4, 0, err, sizeof(err)), 0);
    expect_dts(p, pts, 4);
    ck_assert_int_eq(t.depth, 0);
    rd_timeline_free(&t);
    drop(p, 4);
}
END_TEST

/* A first chunk too short to show the lag: what the encoder declares. */
START_TEST(test_short_first_chunk)
{
    static const int64_t pts[] = { 0 }, dts[] = { -1024 }, want[] = { -1024 };
    RdTimeline t;
    char err[256] = "";
    AVPacket **p = make(pts, dts, 1, 512);
    rd_timeline_init(&t, 2);
    ck_assert_int_eq(rd_timeline_assign(&t, p, 1, 0, err, sizeof(err)), 0);
    expect_dts(p, want, 1);
    ck_assert_int_eq(t.depth, 2);
    rd_timeline_free(&t);
    drop(p, 1);
}
END_TEST

/* No dts from the encoder, nothing declared: the depth the packets show. */
START_TEST(test_measured_depth)
{
    static const int64_t pts[] = { 0, 3, 1, 2, 6, 4, 5 };
    static const int64_t want[] = { -1, 0, 1, 2, 3, 4, 5 };
    RdTimeline t;
    char err[256] = "";
    AVPacket **p = make(pts, NULL, 7, 1);
    ck_assert_int_eq(rd_timeline_depth(p, 7), 1);
    rd_timeline_init(&t, 0);
    ck_assert_int_eq(rd_timeline_assign(&t, p, 7, 0, err, sizeof(err)), 0);
    expect_dts(p, want, 7);
    rd_timeline_free(&t);
    drop(p, 7);
}
END_TEST

/* The join: the second chunk continues the timeline, its encoder's own
 * dts (restarting from its first frame) are not used. */
START_TEST(test_join)
{
    static const int64_t pts2[] = { 3584, 5632, 4608, 4096, 5120 };
    static const int64_t dts2[] = { 2560, 3072, 3584, 4096, 4608 };
    static const int64_t want2[] = { 2560, 3072, 3584, 4096, 4608 };
    RdTimeline t;
    char err[256] = "";
    AVPacket **a = make(X_PTS, X_DTS, 7, 512), **b = make(pts2, dts2, 5, 512);
    for (int i = 0; i < 5; i++)
        b[i]->dts -= 3584; /* a fresh encoder's timeline */
    rd_timeline_init(&t, 2);
    ck_assert_int_eq(rd_timeline_assign(&t, a, 7, 0, err, sizeof(err)), 0);
    ck_assert_int_eq(rd_timeline_assign(&t, b, 5, 1, err, sizeof(err)), 0);
    expect_dts(b, want2, 5);
    rd_timeline_free(&t);
    drop(a, 7);
    drop(b, 5);
}
END_TEST

/* A later chunk reorders deeper than the first: squeezed into the room a
 * fine time base leaves; an error when there is none. */
START_TEST(test_deeper_later)
{
    static const int64_t pts1[] = { 0, 512, 1024, 1536, 2048 };
    static const int64_t pts2[] = { 2560, 3584, 3072 };
    static const int64_t want2[] = { 2560, 3071, 3072 };
    static const int64_t cpts1[] = { 0, 1, 2, 3, 4 };
    static const int64_t cpts2[] = { 5, 7, 6 };
    RdTimeline t;
    char err[256] = "";
    AVPacket **a = make(pts1, pts1, 5, 512), **b = make(pts2, NULL, 3, 512);
    AVPacket **c = make(cpts1, cpts1, 5, 1), **d = make(cpts2, NULL, 3, 1);

    rd_timeline_init(&t, 0);
    ck_assert_int_eq(rd_timeline_assign(&t, a, 5, 0, err, sizeof(err)), 0);
    ck_assert_int_eq(t.depth, 0);
    ck_assert_int_eq(rd_timeline_assign(&t, b, 3, 1, err, sizeof(err)), 0);
    expect_dts(b, want2, 3);
    rd_timeline_free(&t);

    rd_timeline_init(&t, 0);
    ck_assert_int_eq(rd_timeline_assign(&t, c, 5, 0, err, sizeof(err)), 0);
    ck_assert_int_lt(rd_timeline_assign(&t, d, 3, 1, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "chunk 1"));
    rd_timeline_free(&t);
    drop(a, 5);
    drop(b, 3);
    drop(c, 5);
    drop(d, 3);
}
END_TEST

/* Frames without timestamps follow the frame before them (this overflowed). */
START_TEST(test_no_pts)
{
    static const int64_t pts[] = { AV_NOPTS_VALUE, AV_NOPTS_VALUE, AV_NOPTS_VALUE };
    static const int64_t want[] = { 0, 40, 80 };
    RdTimeline t;
    char err[256] = "";
    AVPacket **p = make(pts, pts, 3, 40);
    rd_timeline_init(&t, 0);
    ck_assert_int_eq(rd_timeline_assign(&t, p, 3, 0, err, sizeof(err)), 0);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(p[i]->pts, want[i]);
    expect_dts(p, want, 3);
    rd_timeline_free(&t);
    drop(p, 3);
}
END_TEST

START_TEST(test_same_time)
{
    static const int64_t pts[] = { 0, 40, 40 };
    RdTimeline t;
    char err[256] = "";
    AVPacket **p = make(pts, NULL, 3, 40);
    rd_timeline_init(&t, 0);
    ck_assert_int_lt(rd_timeline_assign(&t, p, 3, 4, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "chunk 4"));
    rd_timeline_free(&t);
    drop(p, 3);
}
END_TEST

/* x264 at 30 fps in Matroska or FLV (1/1000): two frames before the first
 * are 2/30 s, which the CLI rescales to 67 ms, not 2 x 33. */
START_TEST(test_coarse_grid)
{
    static const int64_t pts[] = { 0, 133, 67, 33, 100 };
    static const int64_t want[] = { -67, -33, 0, 33, 67 };
    RdTimeline t;
    char err[256] = "";
    AVPacket **p = make(pts, want, 5, 33);
    rd_timeline_init(&t, 2);
    rd_timeline_grid(&t, (AVRational){ 1, 30 }, (AVRational){ 1, 1000 });
    ck_assert_int_eq(rd_timeline_assign(&t, p, 5, 0, err, sizeof(err)), 0);
    expect_dts(p, want, 5);
    rd_timeline_free(&t);
    drop(p, 5);
}
END_TEST

Suite *make_timeline_suite(void)
{
    Suite *s = suite_create("timeline");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_declared_depth);
    tcase_add_test(tc, test_undeclared_lag);
    tcase_add_test(tc, test_declared_not_lagging);
    tcase_add_test(tc, test_short_first_chunk);
    tcase_add_test(tc, test_measured_depth);
    tcase_add_test(tc, test_join);
    tcase_add_test(tc, test_deeper_later);
    tcase_add_test(tc, test_no_pts);
    tcase_add_test(tc, test_same_time);
    tcase_add_test(tc, test_coarse_grid);
    suite_add_tcase(s, tc);
    return s;
}
