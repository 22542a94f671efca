/* The ffmpeg form's parser (ffopts.c, its table) and ffmpeg's CFR frame sync (framesync.c). */
#include <string.h>
#include <libavutil/error.h>

#include "suites.h"
#include "cli.h"
#include "engine/framesync.h"
#include "engine/outseek.h"
#include "io/demuxopts.h"

static int parse(RdCli *c, const char **args, char *err)
{
    int argc = 0;
    while (args[argc])
        argc++;
    return rd_cli_parse(c, argc, (char **)args, err, 256);
}

/* Each container's defaults are its own, asked of libavformat. */
static const struct { const char *out, *v, *a, *s; } DEFAULTS[] = {
    { "o.mp4",  "libx264",    "aac",        "none" },   /* the mp4 muxer names no subtitle codec: ffmpeg picks none */
    { "o.mkv",  "libx264",    "libvorbis",  "ssa" },    /* the first ASS encoder */
    { "o.webm", "libvpx-vp9", "libopus",    "webvtt" },
    { "o.avi",  "mpeg4",      "libmp3lame", "none" },
};

START_TEST(test_defaults)
{
    RdCli c;
    char err[256] = "";
    const char *args[] = { "render", "-i", "in.mp4", DEFAULTS[_i].out, NULL };
    ck_assert_int_eq(parse(&c, args, err), 0);
    ck_assert_str_eq(c.s.input, "in.mp4");
    ck_assert_str_eq(c.s.output, DEFAULTS[_i].out);
    ck_assert_str_eq(c.s.vf, "null");
    ck_assert_str_eq(c.s.vcodec, DEFAULTS[_i].v);
    ck_assert_str_eq(c.s.acodec, DEFAULTS[_i].a);
    ck_assert_str_eq(c.s.scodec, DEFAULTS[_i].s);
    ck_assert_int_eq(c.s.ff_select, 1);
    ck_assert_int_eq(c.s.frame_grid, 1);
    rd_cli_free(&c);
}
END_TEST

START_TEST(test_line)
{
    RdCli c;
    char err[256] = "";
    const char *args[] = { "render", "-w", "3", "-y", "-i", "in.mkv", "-vf", "scale=640:-2", "-s", "320x240",
                           "-pix_fmt", "yuv444p", "-c:v", "libx264", "-crf", "20.5", "-preset", "fast",
                           "-x264-params", "keyint=50", "-b:a", "96k", "-ar", "44100", "-ac", "1",
                           "-movflags", "+faststart", "-metadata:s:a:0", "language=ger",
                           "-disposition:a:0", "default", "--report", "r.json", "out.mp4", NULL };
    ck_assert_int_eq(parse(&c, args, err), 0);
    ck_assert_int_eq(c.s.workers, 3);
    ck_assert_int_eq(c.s.overwrite, 1);
    ck_assert_str_eq(c.s.vf, "scale=640:-2,scale=320:240,format=yuv444p");
    ck_assert_str_eq(av_dict_get(c.s.venc_opts, "crf", NULL, 0)->value, "20.5");
    ck_assert_str_eq(av_dict_get(c.s.venc_opts, "preset", NULL, 0)->value, "fast");
    ck_assert_str_eq(av_dict_get(c.s.venc_opts, "x264-params", NULL, 0)->value, "keyint=50");
    ck_assert_ptr_null(av_dict_get(c.s.aenc_opts, "crf", NULL, 0));
    ck_assert_str_eq(av_dict_get(c.s.aenc_opts, "b", NULL, 0)->value, "96k");
    ck_assert_str_eq(av_dict_get(c.s.mux_opts, "movflags", NULL, 0)->value, "+faststart");
    ck_assert_int_eq(c.s.sample_rate, 44100);
    ck_assert_int_eq(c.s.channels, 1);
    ck_assert_int_eq(c.s.nstream_sets, 2);
    ck_assert_int_eq(c.s.stream_sets[0].type, 'a');
    ck_assert_int_eq(c.s.stream_sets[0].nth, 0);
    ck_assert_str_eq(c.s.stream_sets[0].key, "language");
    ck_assert_ptr_null(c.s.stream_sets[1].key);
    ck_assert_str_eq(c.report_path, "r.json");
    rd_cli_free(&c);
}
END_TEST

START_TEST(test_complex)
{
    RdCli c;
    char err[256] = "";
    const char *args[] = { "render", "-i", "in.mp4", "-filter_complex", "[0:v]split[a][b];[a][b]hstack[v]",
                           "-map", "[v]", "-map", "0:a", "-aspect", "16:9", "o.mkv", NULL };
    ck_assert_int_eq(parse(&c, args, err), 0);
    ck_assert_str_eq(c.s.vf, "[in]split[a][b];[a][b]hstack[ffout];[ffout]setdar=dar=16/9:max=255[out]");
    ck_assert_int_eq(c.s.map_video, 1);
    ck_assert_int_eq(c.s.nmaps, 1);
    ck_assert_str_eq(c.s.maps[0], "0:a");
    rd_cli_free(&c);
}
END_TEST

/* An audio branch becomes -af and a map of its stream, where -map "[a]"
 * stands among the maps; the video's place moves with it. */
START_TEST(test_audio_branch)
{
    RdCli c;
    char err[256] = "";
    const char *args[] = { "render", "-i", "in.mp4", "-filter_complex",
                           "[0:a:1]asplit[x][y];[x][y]amix[au];[0:v]hflip[v]", "-map", "0:s", "-map", "[au]",
                           "-map", "[v]", "o.mkv", NULL };
    ck_assert_int_eq(parse(&c, args, err), 0);
    ck_assert_str_eq(c.s.af, "asplit[x][y];[x][y]amix");
    ck_assert_str_eq(c.s.vf, "[in]hflip[ffout];[ffout]null[out]");
    ck_assert_int_eq(c.s.nmaps, 2);
    ck_assert_str_eq(c.s.maps[0], "0:s");
    ck_assert_str_eq(c.s.maps[1], "0:a:1");
    ck_assert_int_eq(c.s.map_video, 3); /* after 0:s and the audio */
    ck_assert_int_eq(c.s.audio_graph, 1);
    rd_cli_free(&c);
}
END_TEST

/* -c:a:N names one audio stream; a later -c:a names them all again (the
 * last given wins, as in ffmpeg); -b:a:N likewise. */
START_TEST(test_per_stream)
{
    RdCli c;
    char err[256] = "";
    const char *a1[] = { "render", "-i", "in.mkv", "-map", "0", "-c:a:1", "copy", "-b:a:0", "64k", "-c:a", "aac",
                         "-c:s:0", "srt", "o.mkv", NULL };
    const char *a2[] = { "render", "-i", "in.mkv", "-map", "0", "-b:a", "96k", "-b:a:2", "32k", "o.mkv", NULL };
    const char *a3[] = { "render", "-i", "in.mkv", "-c:a:x", "aac", "o.mkv", NULL };
    ck_assert_int_eq(parse(&c, a1, err), 0);
    ck_assert_str_eq(c.s.acodec, "aac");
    ck_assert_int_eq(c.s.naudio_at, 2);
    ck_assert_ptr_null(c.s.audio_at[1].codec);
    ck_assert_str_eq(c.s.audio_at[0].bitrate, "64k");
    ck_assert_int_eq(c.s.nsub_at, 1);
    ck_assert_str_eq(c.s.sub_at[0].codec, "srt");
    rd_cli_free(&c);
    ck_assert_int_eq(parse(&c, a2, err), 0);
    ck_assert_int_eq(c.s.naudio_at, 3);
    ck_assert_str_eq(c.s.audio_at[2].bitrate, "32k");
    ck_assert_ptr_null(c.s.audio_at[0].bitrate);
    rd_cli_free(&c);
    ck_assert_int_eq(parse(&c, a3, err), AVERROR(EINVAL));
    rd_cli_free(&c);
}
END_TEST

/* -q and -v: ffmpeg's with a value, render's alone. */
START_TEST(test_q_v)
{
    RdCli c;
    char err[256] = "";
    const char *a1[] = { "render", "-q", "-i", "in.mp4", "-c:v", "mpeg4", "-q:v", "4", "-v", "error", "o.avi", NULL };
    ck_assert_int_eq(parse(&c, a1, err), 0);
    ck_assert_int_eq(c.s.quiet, 1);
    ck_assert_str_eq(av_dict_get(c.s.venc_opts, "global_quality", NULL, 0)->value, "472");
    ck_assert_str_eq(av_dict_get(c.s.venc_opts, "flags", NULL, 0)->value, "+qscale");
    rd_cli_free(&c);
}
END_TEST

/* Every refused row of the table is refused in one line that names it. */
START_TEST(test_refused_rows)
{
    for (int i = 0; rd_ff_row(i); i++) {
        const RdFfOpt *o = rd_ff_row(i);
        char opt[64], err[256] = "";
        RdCli c;
        const char *args[] = { "render", "-i", "in.mp4", opt, "1", "o.mp4", NULL };
        if (!rd_ff_refusal(o))
            continue;
        snprintf(opt, sizeof(opt), "-%s", rd_ff_name(o));
        ck_assert_int_eq(parse(&c, args, err), AVERROR(EINVAL));
        ck_assert_msg(strstr(err, opt) != NULL, "%s: %s", opt, err);
        ck_assert_ptr_null(strchr(err, '\n'));
        rd_cli_free(&c);
    }
}
END_TEST

static const struct { const char *args[8]; const char *word; } BAD[] = {
    { { "-i", "in.mp4", "-nosuch", "1", "o.mp4" }, "-nosuch" },
    { { "-i", "in.mp4", "-c:v", "mpeg4", "-crf", "20", "o.mp4" }, "-crf" },
    { { "-vf", "null", "-i", "in.mp4", "o.mp4" }, "-vf" },
    { { "-i", "in.mp4", "o.mp4", "-crf", "20" }, "after OUTPUT" },
    { { "-i", "in.mp4", "-i", "b.mp4", "o.mp4" }, "only as an image" },
    { { "-i", "in.mp4", "-an", "-i", "b.png", "o.mp4" }, "one video input" },
    { { "-i", "in.mp4", "o.mp4", "p.mp4" }, "two outputs" },
    { { "-i", "in.mp4", "-minrate", "1M", "o.mp4" }, "-minrate" },
    { { "-i", "in.mp4", "-b:v", "fast", "o.mp4" }, "-b:v" },
    { { "-i", "in.mp4", "-c:a:x", "aac", "o.mp4" }, "-c:a:x" },
    { { "-i", "in.mp4", "-ar:a:x", "8000", "o.mp4" }, "-ar:a:x" },
    { { "-i", "in.mp4", "-ac:a:99", "2", "o.mp4" }, "-ac:a:99" },
    { { "-i", "in.mp4", "-map", "[v]", "o.mp4" }, "[v]" },
    { { "-i", "in.mp4" }, "OUTPUT" },
    { { "-t", "1", "-i", "in.mp4", "-ss", "2", "o.mp4" }, "nothing to write" },
    { { "-r", "abc", "-i", "in.mp4", "o.mp4" }, "-r abc" },
    { { "-sseof", "0", "-i", "in.mp4", "o.mp4" }, "-sseof" },
    { { "-i", "in.mp4", "-r", "0", "o.mp4" }, "-r 0" },
};

START_TEST(test_bad_lines)
{
    const char *args[10] = { "render" };
    char err[256] = "";
    RdCli c;
    for (int k = 0; k < 8 && BAD[_i].args[k]; k++)
        args[k + 1] = BAD[_i].args[k];
    ck_assert_int_eq(parse(&c, args, err), AVERROR(EINVAL));
    ck_assert_msg(strstr(err, BAD[_i].word) != NULL, "%s", err);
    rd_cli_free(&c);
}
END_TEST

/* ffmpeg's CFR sync: frames on the grid pass one for one; a video that
 * starts half a tick late gets its first frame twice; a 5 s hole at 25 fps
 * (125 ticks) is filled with 125 copies: the 100 frames that the
 * CLI writes as 225. */
START_TEST(test_framesync)
{
    int64_t pts[200], dups, drops;
    RdSyncInput in = { pts, NULL, 100, { 1, 1000 }, 0, { 25, 1 }, { RD_SYNC_CFR, 1, 0, 0 }, 0 };
    for (int i = 0; i < 100; i++)
        pts[i] = i * 40;
    ck_assert_int_eq(rd_framesync_cfr(&in, &dups, &drops), 0);
    for (int i = 0; i < 100; i++)
        pts[i] = 23 + i * 40;
    ck_assert_int_eq(rd_framesync_cfr(&in, &dups, &drops), 1);
    ck_assert_int_eq(dups, 1);
    in.cfg.mode = RD_SYNC_VSCFR; /* one stream: the first frame's own tick starts the grid */
    ck_assert_int_eq(rd_framesync_cfr(&in, &dups, &drops), 0);
    in.cfg.mode = RD_SYNC_CFR;
    for (int i = 0; i < 100; i++)
        pts[i] = i * 40 + (i >= 50 ? 5000 : 0);
    rd_framesync_cfr(&in, &dups, &drops);
    ck_assert_int_eq(dups, 125);
    ck_assert_int_eq(drops, 0);
    for (int i = 0; i < 100; i++) /* 50 fps into 25: dropped once 1.1 ticks behind (ffmpeg -r 25 writes 52) */
        pts[i] = i * 20;
    rd_framesync_cfr(&in, &dups, &drops);
    ck_assert_int_eq(drops, 48);
}
END_TEST

/* The table the chunks follow: a 5 s hole after frame 49. With a graph
 * the frame after the hole brings 124 copies of the one before it; without
 * one (frames last their packets' durations, the one before the hole 5 s)
 * the frame before it is written for its whole duration. 225 either way. */
START_TEST(test_framesync_table)
{
    int64_t pts[100], dur[100];
    RdSyncFrame t[100];
    RdSyncInput in = { pts, NULL, 100, { 1, 1000 }, 0, { 25, 1 }, { RD_SYNC_CFR, 1, 0, 0 }, 0 };
    for (int i = 0; i < 100; i++) {
        pts[i] = i * 40 + (i >= 50 ? 5000 : 0);
        dur[i] = i == 49 ? 5040 : 40;
    }
    ck_assert_int_eq(rd_sync_table(&in, t), 225);
    ck_assert_int_eq(t[49].copies, 125);
    ck_assert_int_eq(t[50].copies, 2);
    ck_assert_int_eq(t[50].pts, 174);
    in.dur = dur;
    ck_assert_int_eq(rd_sync_table(&in, t), 225);
    ck_assert_int_eq(t[49].copies, 126);
    ck_assert_int_eq(t[50].copies, 1);
    ck_assert_int_eq(t[50].pts, 175);
    in.cfg.max_frames = 60; /* -frames:v 60 */
    ck_assert_int_eq(rd_sync_table(&in, t), 60);
    ck_assert_int_eq(t[49].copies, 11);
    ck_assert_int_eq(t[50].copies, 0);
    in.cfg = (RdSyncConfig){ RD_SYNC_VFR, 1, 0, 0 }; /* vfr: the frames and their ticks */
    in.dur = NULL;
    ck_assert_int_eq(rd_sync_table(&in, t), 100);
    ck_assert_int_eq(t[50].pts, 175);
    in.cfg.max_tick = 175; /* -t 7: the encoder stops at tick 175, the frame there is not written */
    ck_assert_int_eq(rd_sync_table(&in, t), 50);
    ck_assert_int_eq(t[50].copies, 0);
    in.cfg = (RdSyncConfig){ RD_SYNC_CFR, 1, 0, 60 }; /* -t 2.4 in cfr: the copies in the hole stop at it */
    ck_assert_int_eq(rd_sync_table(&in, t), 60);
    ck_assert_int_eq(t[49].copies, 11);
}
END_TEST

/* passthrough: each frame once, at its own time rounded to the tick (a
 * start 13 ms late: 0.325 of a tick, tick 0; 27 ms: 0.675, tick 1), never
 * clipped to the tick before, as vfr's first frame is not either. */
START_TEST(test_framesync_passthrough)
{
    int64_t pts[4] = { 13, 53, 93, 133 };
    RdSyncFrame t[4];
    RdSyncInput in = { pts, NULL, 4, { 1, 1000 }, 0, { 25, 1 }, { RD_SYNC_PASS, 1, 0, 0 }, 0 };
    ck_assert_int_eq(rd_sync_table(&in, t), 4);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(t[i].copies, 1);
        ck_assert_int_eq(t[i].pts, i);
    }
    for (int i = 0; i < 4; i++)
        pts[i] = 27 + 40 * i;
    ck_assert_int_eq(rd_sync_table(&in, t), 4);
    ck_assert_int_eq(t[0].pts, 1);
    ck_assert_int_eq(t[3].pts, 4);
}
END_TEST

/* ffmpeg's output trim: after -ss from the output's start, for -t alone
 * only a duration (counted by the trim from its first frame); a graph
 * labelled [out] gets it on that label. */
START_TEST(test_outseek_graph)
{
    char *g = rd_outseek_graph("setpts=2*PTS", 1000000, 1300000, 1000000);
    ck_assert_str_eq(g, "setpts=2*PTS,trim@rd_output_limit=start=2.300000:duration=1.000000");
    av_free(g);
    g = rd_outseek_graph(NULL, 1000000, AV_NOPTS_VALUE, 1100000);
    ck_assert_str_eq(g, "null,trim@rd_output_limit=duration=1.100000");
    av_free(g);
    g = rd_outseek_graph("[in]fps=10[out]", 0, 500000, 0);
    ck_assert_str_eq(g, "[in]fps=10[rd_outseek];[rd_outseek]trim@rd_output_limit=start=0.500000[out]");
    av_free(g);
}
END_TEST

/* Options before -i go to the demuxer when some demuxer (or libavformat)
 * reads them; a muxer's option or a made-up name is none. What is set
 * for a path is what every open of it gets. */
START_TEST(test_demuxopts)
{
    AVDictionary *d = NULL, *got = NULL;
    const AVInputFormat *fmt;
    ck_assert(rd_demuxopts_known("framerate"));
    ck_assert(rd_demuxopts_known("video_size"));
    ck_assert(rd_demuxopts_known("fflags"));
    ck_assert(!rd_demuxopts_known("movflags"));
    ck_assert(!rd_demuxopts_known("nosuchoption"));
    ck_assert_int_eq(rd_demuxopts_set("x.yuv", "nosuchformat", NULL), AVERROR(EINVAL));
    av_dict_set(&d, "video_size", "320x240", 0);
    ck_assert_int_eq(rd_demuxopts_set("x.yuv", "rawvideo", d), 0);
    ck_assert_int_eq(rd_demuxopts_get("x.yuv", &fmt, &got), 0);
    ck_assert_str_eq(fmt->name, "rawvideo");
    ck_assert_str_eq(av_dict_get(got, "video_size", NULL, 0)->value, "320x240");
    av_dict_free(&got);
    ck_assert_int_eq(rd_demuxopts_has("x.yuv", &fmt), 1);
    ck_assert_str_eq(fmt->name, "rawvideo");
    ck_assert_int_eq(rd_demuxopts_has("other.yuv", NULL), 0);
    ck_assert_int_eq(rd_demuxopts_get("other.yuv", &fmt, &got), 0);
    ck_assert_ptr_null(fmt);
    ck_assert_ptr_null(got);
    av_dict_free(&d);
}
END_TEST

/* -t/-to as ffmpeg resolves them: -to is -t without -ss, -t wins in one
 * place, an input and an output limit both hold; -frames:v and -vframes;
 * an output -ss adds to the input's seek, and the input's limit counts
 * from the input's -ss, the output's from the output's. */
static const struct {
    const char *pre[5], *post[7];
    double limit;
    int64_t frames;
    double in_limit, out_limit, seek, seek_out;
} RANGES[] = {
    { { NULL },            { "-to", "1.5", NULL },                 1.5, 0, 0, 1.5, 0, 0 },
    { { "-to", "2", NULL }, { NULL },                               2.0, 0, 2, 0, 0, 0 },
    { { "-t", "3", NULL },  { "-t", "1.2", NULL },                  1.2, 0, 3, 1.2, 0, 0 },
    { { "-t", "1", NULL },  { "-t", "3", NULL },                    1.0, 0, 1, 3, 0, 0 },
    { { NULL },            { "-to", "3", "-t", "0.8", NULL },      0.8, 0, 0, 0.8, 0, 0 },
    { { NULL },            { "-t", "0.8", "-to", "0.5", NULL },    0.8, 0, 0, 0.8, 0, 0 },
    { { NULL },            { "-to", "00:01:02.5", NULL },         62.5, 0, 0, 62.5, 0, 0 },
    { { NULL },            { "-frames:v", "7", NULL },             0.0, 7, 0, 0, 0, 0 },
    { { NULL },            { "-vframes", "9", "-t", "2", NULL },   2.0, 9, 0, 2, 0, 0 },
    { { "-ss", "2", NULL }, { NULL },                               0.0, 0, 0, 0, 2, 0 },
    { { NULL },            { "-ss", "1", "-t", "1.5", NULL },      1.5, 0, 0, 1.5, 1, 1 },
    { { "-ss", "0.5", NULL }, { "-ss", "1", "-to", "2.5", NULL },   1.5, 0, 0, 1.5, 1.5, 1 },
    { { "-t", "3", NULL },  { "-ss", "1", NULL },                   2.0, 0, 3, 0, 1, 1 },
    { { "-ss", "1.5", "-t", "1.5", NULL }, { "-ss", "0.3", "-t", "0.5", NULL }, 0.5, 0, 1.5, 0.5, 1.8, 0.3 },
};

START_TEST(test_ranges)
{
    RdCli c;
    char err[256] = "";
    const char *args[20] = { "render" };
    int n = 1;
    for (int k = 0; RANGES[_i].pre[k]; k++)
        args[n++] = RANGES[_i].pre[k];
    args[n++] = "-i";
    args[n++] = "in.mp4";
    for (int k = 0; RANGES[_i].post[k]; k++)
        args[n++] = RANGES[_i].post[k];
    args[n++] = "out.mkv";
    args[n] = NULL;
    ck_assert_int_eq(parse(&c, args, err), 0);
    ck_assert_double_eq_tol(c.s.limit_s, RANGES[_i].limit, 1e-9);
    ck_assert_int_eq(c.s.max_vframes, RANGES[_i].frames);
    ck_assert_double_eq_tol(c.s.out_limit_s, RANGES[_i].out_limit, 1e-9);
    ck_assert_double_eq_tol(c.s.seek_s, RANGES[_i].seek, 1e-9);
    ck_assert_double_eq_tol(c.s.seek_out_s, RANGES[_i].seek_out, 1e-9);
    ck_assert_double_eq_tol(c.s.in_limit_s, RANGES[_i].in_limit, 1e-9);
    rd_cli_free(&c);
}
END_TEST

Suite *make_ffopts_suite(void)
{
    Suite *s = suite_create("ffopts");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_defaults, 0, sizeof(DEFAULTS) / sizeof(DEFAULTS[0]));
    tcase_add_test(tc, test_line);
    tcase_add_test(tc, test_complex);
    tcase_add_test(tc, test_audio_branch);
    tcase_add_test(tc, test_per_stream);
    tcase_add_test(tc, test_q_v);
    tcase_add_test(tc, test_refused_rows);
    tcase_add_loop_test(tc, test_bad_lines, 0, sizeof(BAD) / sizeof(BAD[0]));
    tcase_add_test(tc, test_framesync);
    tcase_add_test(tc, test_framesync_passthrough);
    tcase_add_test(tc, test_framesync_table);
    tcase_add_test(tc, test_outseek_graph);
    tcase_add_test(tc, test_demuxopts);
    tcase_add_loop_test(tc, test_ranges, 0, sizeof(RANGES) / sizeof(RANGES[0]));
    suite_add_tcase(s, tc);
    return s;
}
