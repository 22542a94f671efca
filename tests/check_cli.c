#include <string.h>
#include <libavutil/error.h>

#include "suites.h"
#include "cli.h"

static int parse(RdCli *c, const char **args, char *err)
{
    int argc = 0;
    while (args[argc])
        argc++;
    return rd_cli_parse(c, argc, (char **)args, err, 256);
}

START_TEST(test_defaults)
{
    RdCli c;
    char err[256] = "";
    const char *args[] = { "render", NULL };
    ck_assert_int_eq(parse(&c, args, err), 0);
    ck_assert_str_eq(c.s.input, RD_DEFAULT_INPUT);
    ck_assert_str_eq(c.s.output, RD_DEFAULT_OUTPUT);
    ck_assert_str_eq(c.s.vf, "hqdn3d");
    ck_assert_str_eq(c.s.vcodec, "libx264");
    ck_assert_str_eq(c.s.acodec, "copy");
    ck_assert_int_eq(c.s.workers, 0);
    ck_assert_int_eq(c.s.chunk_factor, 4);
    ck_assert_int_eq(c.s.crf, -1);
    ck_assert_int_eq(c.s.preroll, -1);
    ck_assert_int_eq(c.sweep, 0);
    rd_cli_free(&c);
}
END_TEST

START_TEST(test_full_line)
{
    RdCli c;
    char err[256] = "";
    const char *args[] = { "render", "in.mkv", "-o", "x.mkv", "-w", "3", "--chunks", "9",
                           "--vf", "null", "-c:v", "ffv1", "--crf", "20", "--preset", "fast",
                           "--venc-opt", "g=12", "--venc-opt", "slices=4", "-c:a", "none",
                           "-y", "-q", "--report", "r.json", "--preroll", "0", "-t", "2.5",
                           "--split", "time", NULL };
    ck_assert_int_eq(parse(&c, args, err), 0);
    ck_assert_str_eq(c.s.input, "in.mkv");
    ck_assert_str_eq(c.s.output, "x.mkv");
    ck_assert_int_eq(c.s.workers, 3);
    ck_assert_int_eq(c.s.chunks, 9);
    ck_assert_str_eq(c.s.vcodec, "ffv1");
    ck_assert_int_eq(c.s.crf, 20);
    ck_assert_str_eq(c.s.preset, "fast");
    ck_assert_str_eq(av_dict_get(c.s.venc_opts, "slices", NULL, 0)->value, "4");
    ck_assert_str_eq(c.s.acodec, "none");
    ck_assert_int_eq(c.s.overwrite, 1);
    ck_assert_int_eq(c.s.quiet, 1);
    ck_assert_int_eq(c.s.preroll, 0);
    ck_assert_double_eq_tol(c.s.limit_s, 2.5, 1e-9);
    ck_assert_str_eq(c.report_path, "r.json");
    ck_assert_int_eq(c.s.split_time, 1);
    ck_assert_int_eq(c.s.resume, 0);
    rd_cli_free(&c);
    const char *resume[] = { "render", "--resume", "in.mkv", NULL };
    ck_assert_int_eq(parse(&c, resume, err), 0);
    ck_assert_int_eq(c.s.resume, 1);
    rd_cli_free(&c);
}
END_TEST

START_TEST(test_sweep_forms)
{
    RdCli c;
    char err[256] = "";
    const char *a1[] = { "render", "in.mp4", "--sweep", "--export", "b.json", NULL };
    const char *a2[] = { "render", "--sweep", "1,2,4,8", "in.mp4", NULL };
    const char *a3[] = { "render", "--weak", "2", "in.mp4", NULL };
    ck_assert_int_eq(parse(&c, a1, err), 0);
    ck_assert_int_eq(c.sweep, 1);
    ck_assert_int_eq(c.npoints, 0);
    ck_assert_str_eq(c.export_path, "b.json");
    ck_assert_str_eq(c.s.input, "in.mp4");
    rd_cli_free(&c);
    ck_assert_int_eq(parse(&c, a2, err), 0);
    ck_assert_int_eq(c.npoints, 4);
    ck_assert_int_eq(c.points[3], 8);
    ck_assert_str_eq(c.s.input, "in.mp4");
    rd_cli_free(&c);
    ck_assert_int_eq(parse(&c, a3, err), 0);
    ck_assert_int_eq(c.weak, 1);
    ck_assert_double_eq_tol(c.weak_unit_s, 2, 1e-9);
    ck_assert_str_eq(c.s.input, "in.mp4");
    rd_cli_free(&c);
}
END_TEST

START_TEST(test_track_options)
{
    RdCli c;
    char err[256] = "";
    const char *args[] = { "render", "in.mkv", "-map", "0", "-map", "-0:a:1", "-an", "-sn", "-dn",
                           "-c:s", "srt", "-metadata", "title=A=B", "-metadata", "artist=", NULL };
    ck_assert_int_eq(parse(&c, args, err), 0);
    ck_assert_int_eq(c.s.nmaps, 2);
    ck_assert_str_eq(c.s.maps[0], "0");
    ck_assert_str_eq(c.s.maps[1], "-0:a:1");
    ck_assert_int_eq(c.s.no_audio + c.s.no_subs + c.s.no_data, 3);
    ck_assert_str_eq(c.s.scodec, "srt");
    ck_assert_str_eq(av_dict_get(c.s.metadata, "title", NULL, 0)->value, "A=B");
    ck_assert_str_eq(av_dict_get(c.s.metadata, "artist", NULL, 0)->value, "");
    rd_cli_free(&c);
    const char *none[] = { "render", NULL };
    ck_assert_int_eq(parse(&c, none, err), 0);
    ck_assert_int_eq(c.s.nmaps, 0);
    ck_assert_str_eq(c.s.scodec, "copy");
    rd_cli_free(&c);
}
END_TEST

static const char *const bad[][4] = {
    { "-w", "0", NULL }, { "-w", "abc", NULL }, { "--chunks", "-1", NULL },
    { "--bogus", NULL }, { "-o", NULL }, { "a.mp4", "b.mp4", NULL },
    { "-c:v", "nosuchcodec", NULL }, { "-c:a", "nosuchcodec", NULL },
    { "--venc-opt", "novalue", NULL }, { "--sweep", "0,2", NULL }, { "-t", "-1", NULL },
    { "-c:v", "aac", NULL }, { "--split", "frames", NULL },
    { "-map", "1:a", NULL }, { "-map", "0:q", NULL }, { "-map", NULL }, { "-c:s", "aac", NULL },
    { "-c:s", "nosuchcodec", NULL }, { "-metadata", "novalue", NULL }, { "-metadata", "=x", NULL },
    { "--resume", "--sweep", NULL }, { "--resume", "--export", "b.json", NULL },
};

START_TEST(test_usage_errors)
{
    RdCli c;
    char err[256] = "";
    const char *args[6] = { "render" };
    for (int i = 0; bad[_i][i]; i++)
        args[i + 1] = bad[_i][i];
    ck_assert_int_eq(parse(&c, args, err), AVERROR(EINVAL));
    ck_assert(strlen(err) > 0);
    ck_assert_ptr_null(strchr(err, '\n'));
    rd_cli_free(&c);
}
END_TEST

/* A codec's name stands for the encoder libavcodec picks for it, in both
 * forms; a codec of the wrong type or an unknown name stays as typed. */
START_TEST(test_codec_names)
{
    RdCli c;
    char err[256] = "";
    const char *native[] = { "render", "in.mkv", "-o", "x.mkv", "-c:v", "h264", "-c:a", "mp3", NULL };
    const char *ff[] = { "render", "-i", "in.mkv", "-c:v", "hevc", "-c:a", "aac", "x.mkv", NULL };
    const char *wrong[] = { "render", "-i", "in.mkv", "-c:a", "h264", "x.mkv", NULL };
    ck_assert_int_eq(parse(&c, native, err), 0);
    ck_assert_str_eq(c.s.vcodec, "libx264");
    ck_assert_str_eq(c.s.acodec, "libmp3lame");
    rd_cli_free(&c);
    ck_assert_int_eq(parse(&c, ff, err), 0);
    ck_assert_str_eq(c.s.vcodec, "libx265");
    ck_assert_str_eq(c.s.acodec, "aac");
    rd_cli_free(&c);
    ck_assert_int_lt(parse(&c, wrong, err), 0);
    ck_assert_msg(strstr(err, "'h264'"), "%s", err);
    rd_cli_free(&c);
}
END_TEST

Suite *make_cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_full_line);
    tcase_add_test(tc, test_sweep_forms);
    tcase_add_test(tc, test_track_options);
    tcase_add_test(tc, test_codec_names);
    tcase_add_loop_test(tc, test_usage_errors, 0, sizeof(bad) / sizeof(bad[0]));
    suite_add_tcase(s, tc);
    return s;
}
