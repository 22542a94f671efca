/*
 * check_filterfx.c - the filter graph as a door (filterfx.h): the test
 * walks the filter table, and every filter with a file, URL, socket or
 * plugin is tried: what it reads through the protocol whitelist, what it
 * writes as a sidecar (the input refused, a new file given a temporary
 * name), sockets and plugins refused unless named.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>

#include "suites.h"
#include "engine/filterfx.h"
#include "io/paths.h"

static char dir[] = "/tmp/check_filterfx.XXXXXX";
static char input[600];

static void setup(void)
{
    FILE *f;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(input, sizeof(input), "%s/in.mp4", dir);
    ck_assert_ptr_nonnull(f = fopen(input, "w"));
    fputs("x", f);
    fclose(f);
    rd_paths_set_protocols(NULL);
}

static void teardown(void)
{
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static int try_graph(const char *vf, const char *allow, RdFilterFx *fx, char *err, int errlen)
{
    RdFilterFxPolicy pol = { .input = input, .output = NULL, .allow = allow };
    *err = 0;
    return rd_filterfx_open(fx, vf, &pol, err, errlen);
}

/* The first option name of a comma-separated table column. */
static void first(const char *list, char *buf, int len)
{
    snprintf(buf, len, "%.*s", (int)strcspn(list, ","), list);
}

START_TEST(test_walk_table)
{
    int reads = 0, writes = 0, effects = 0;
    for (int i = 0; i < rd_filtertab_count(); i++) {
        const RdFilterInfo *row = rd_filtertab_at(i);
        RdFilterFx fx;
        char vf[1400], opt[64], err[1024];
        int ret;
        if (!avfilter_get_by_name(row->name))
            continue; /* not in this libavfilter build */
        if (row->effects & (RD_FX_NET | RD_FX_PLUGIN)) {
            ret = try_graph(row->name, NULL, &fx, err, sizeof(err));
            rd_filterfx_free(&fx);
            ck_assert_msg(ret == AVERROR(EPERM) && strstr(err, "--allow-filter"),
                          "%s: a socket or plugin not refused (%s)", row->name, err);
            ret = try_graph(row->name, row->name, &fx, err, sizeof(err));
            rd_filterfx_free(&fx);
            ck_assert_msg(ret >= 0, "%s: refused although named (%s)", row->name, err);
            effects++;
            continue; /* their file options are the plugin's own */
        }
        for (const char *p = row->reads; p && *p; p += strcspn(p, ",") + !!p[strcspn(p, ",")]) {
            first(p, opt, sizeof(opt));
            snprintf(vf, sizeof(vf), "%s=%s=http\\\\://127.0.0.1\\\\:9/x", row->name, opt);
            ret = try_graph(vf, NULL, &fx, err, sizeof(err));
            rd_filterfx_free(&fx);
            ck_assert_msg(ret == AVERROR(EPERM) && strstr(err, "protocol 'http'"),
                          "%s: %s=http: read past --protocols (%s)", row->name, opt, err);
            reads++;
        }
        for (const char *p = row->writes; p && *p; p += strcspn(p, ",") + !!p[strcspn(p, ",")]) {
            first(p, opt, sizeof(opt));
            snprintf(vf, sizeof(vf), "%s=%s=%s", row->name, opt, input);
            ret = try_graph(vf, NULL, &fx, err, sizeof(err));
            rd_filterfx_free(&fx);
            ck_assert_msg(ret < 0 && strstr(err, "would write over the input"),
                          "%s: %s=INPUT not refused (%s)", row->name, opt, err);
            snprintf(vf, sizeof(vf), "%s=%s=%s/new.txt", row->name, opt, dir);
            ret = try_graph(vf, NULL, &fx, err, sizeof(err));
            ck_assert_msg(ret >= 0 && fx.n == 1 && strstr(fx.vf, ".tmp-") && !strstr(fx.vf, "new.txt="),
                          "%s: %s=new.txt not given a temporary name (%s; %s)", row->name, opt, err,
                          fx.vf ? fx.vf : "");
            ck_assert_int_eq(access(fx.tmp[0], F_OK), 0);
            rd_filterfx_free(&fx); /* a run that did not finish: removed */
            snprintf(vf, sizeof(vf), "%s/new.txt", dir);
            ck_assert_msg(access(vf, F_OK) < 0, "%s: the file was written", row->name);
            writes++;
        }
    }
    /* The table has them (metadata, psnr, vidstabdetect; movie, subtitles; zmq, frei0r). */
    ck_assert_int_ge(reads, 10);
    ck_assert_int_ge(writes, 5);
    ck_assert_int_ge(effects, 2);
}
END_TEST

static int collect(void *opaque, const RdFilterInfo *row, const char *name, const RdFxFile *file)
{
    (void)row; (void)name;
    if (file && file->write)
        snprintf(opaque, 700, "%s", file->value);
    return 0;
}

/* Positional values take the options in order, as libavfilter reads them,
 * and escapes are undone twice. */
START_TEST(test_positional_and_escapes)
{
    RdFilterFx fx;
    char err[1024], vf[1400];
    snprintf(vf, sizeof(vf), "null,metadata=print:%s", input); /* the second value is the key, not a file */
    ck_assert_int_ge(try_graph(vf, NULL, &fx, err, sizeof(err)), 0);
    ck_assert_int_eq(fx.n, 0);
    rd_filterfx_free(&fx);
    snprintf(vf, sizeof(vf), "[in]null[a];[a]metadata@x=print:file=%s[out]", input);
    ck_assert_int_lt(try_graph(vf, NULL, &fx, err, sizeof(err)), 0);
    rd_filterfx_free(&fx);
    ck_assert_int_lt(try_graph("movie='concat\\:a|b'", NULL, &fx, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "protocol 'concat'"));
    rd_filterfx_free(&fx);
    ck_assert_int_lt(try_graph("movie=subfile\\\\:,,start,0,end,0,,\\\\:x", NULL, &fx, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "protocol 'subfile'"));
    rd_filterfx_free(&fx);
    /* A name with the graph's and the options' special characters survives the rewrite. */
    snprintf(vf, sizeof(vf), "metadata=print:file='%s/a\\,b\\:c;d'", dir);
    ck_assert_int_ge(try_graph(vf, NULL, &fx, err, sizeof(err)), 0);
    ck_assert_int_eq(fx.n, 1);
    snprintf(vf, sizeof(vf), "%s/a,b:c;d", dir);
    ck_assert_str_eq(fx.final[0], vf);
    {
        char got[700] = ""; /* the rewritten graph names the temporary file, read as libavfilter reads it */
        ck_assert_int_ge(rd_filterfx_scan(fx.vf, collect, got), 0);
        ck_assert_str_eq(got, fx.tmp[0]);
    }
    rd_filterfx_free(&fx);
}
END_TEST

Suite *make_filterfx_suite(void)
{
    Suite *s = suite_create("filterfx");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_walk_table);
    tcase_add_test(tc, test_positional_and_escapes);
    suite_add_tcase(s, tc);
    return s;
}
