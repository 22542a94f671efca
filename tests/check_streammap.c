#include <string.h>

#include "suites.h"
#include "streams/streammap.h"

/* The multi.mkv layout: video, two audio, two subtitles, an attachment, a
 * cover picture and a data stream. */
static const RdStreamKind K[] = {
    { .type = AVMEDIA_TYPE_VIDEO, .cover = 0 }, { .type = AVMEDIA_TYPE_AUDIO, .cover = 0 }, { .type = AVMEDIA_TYPE_AUDIO, .cover = 0 },
    { .type = AVMEDIA_TYPE_SUBTITLE, .cover = 0 }, { .type = AVMEDIA_TYPE_SUBTITLE, .cover = 0 }, { .type = AVMEDIA_TYPE_ATTACHMENT, .cover = 0 },
    { .type = AVMEDIA_TYPE_VIDEO, .cover = 1 }, { .type = AVMEDIA_TYPE_DATA, .cover = 0 },
};
#define NK ((int)(sizeof(K) / sizeof(K[0])))

typedef struct Case {
    const char *maps[4];
    int an, sn, dn;
    const char *want;   /* output order: input indexes, "v" the rendered video (0); NULL = an error */
    int map_video;      /* -map "[v]" after this many maps, plus one; 0 none */
} Case;

static const Case cases[] = {
    { { NULL }, 0, 0, 0, "v 1 2 3 4 5 6 7", 0 },             /* default: everything, the video first */
    { { "0" }, 0, 0, 0, "v 1 2 3 4 5 6 7", 0 },
    { { "0:v", "0:a:1", "0:s:0" }, 0, 0, 0, "v 6 2 3", 0 },  /* 0:v takes the cover too */
    { { "0:V", "0:a:1", "0:s:0" }, 0, 0, 0, "v 2 3", 0 },
    { { "0", "-0:a:0" }, 0, 0, 0, "v 2 3 4 5 6 7", 0 },
    { { "0:0", "0:s", "0:a" }, 0, 0, 0, "v 3 4 1 2", 0 },    /* map order is output order */
    { { "0:a", "0:0" }, 0, 0, 0, "1 2 v", 0 },               /* ... the video's place too */
    { { "0:s", "0:v" }, 0, 0, 0, "3 4 v 6", 0 },
    { { "0", "-0:0", "0:0" }, 0, 0, 0, "1 2 3 4 5 6 7 v", 0 },
    { { "0", "0:a" }, 0, 0, 0, "v 1 2 3 4 5 6 7 1 2", 0 },   /* audio mapped twice: written twice, as ffmpeg */
    { { "0:v", "0:a:0", "0:a:0", "0:s:1" }, 0, 0, 0, "v 6 1 1 4", 0 },
    { { "0:v", "0:s", "0:s:0" }, 0, 0, 0, "v 6 3 4 3", 0 },
    { { "0:a", "0:v", "-0:a:0", "0:a" }, 0, 0, 0, "2 v 6 1 2", 0 },  /* a removal takes every copy */
    { { "0:0", "0:v" }, 0, 0, 0, NULL, 0 },                  /* the rendered video twice */
    { { "0:v", "0:t", "0:5" }, 0, 0, 0, NULL, 0 },           /* an attachment twice */
    { { NULL }, 1, 0, 0, "v 3 4 5 6 7", 0 },                 /* -an */
    { { NULL }, 0, 1, 1, "v 1 2 5 6", 0 },                   /* -sn -dn */
    { { "0:v", "0:a" }, 1, 0, 0, "v 6", 0 },                 /* -an also drops mapped audio */
    { { "0:t", "0:0" }, 0, 0, 0, "5 v", 0 },
    { { "0:a:9?", "0:0" }, 0, 0, 0, "v", 0 },                /* ? matches nothing quietly */
    { { "0:a:9", "0:0" }, 0, 0, 0, NULL, 0 },                /* matches no stream */
    { { "0:a" }, 0, 0, 0, NULL, 0 },                         /* the rendered video left out */
    { { "0", "-0:v" }, 0, 0, 0, NULL, 0 },
    { { "1:a", "0" }, 0, 0, 0, NULL, 0 },                    /* one input only */
    { { "0:x" }, 0, 0, 0, NULL, 0 },
    { { "0:a:" }, 0, 0, 0, NULL, 0 },
    { { NULL }, 0, 0, 0, "v", 1 },                           /* -map "[v]" alone: the graph's video only */
    { { "0:a" }, 0, 0, 0, "v 1 2", 1 },                      /* -map "[v]" -map 0:a */
    { { "0:a" }, 0, 0, 0, "1 2 v", 2 },                      /* -map 0:a -map "[v]" */
    { { "0:s", "0:a:0" }, 0, 0, 0, "3 4 v 1", 2 },
    { { "0" }, 0, 0, 0, NULL, 2 },                           /* the input's video would be a second one */
};

START_TEST(test_map_table)
{
    const Case *c = &cases[_i];
    int n = 0, order[NK * 5 + 1], norder = -1, vpos = -1, ret;
    char got[64] = "", err[256] = "";
    RdMapOptions o = { .maps = c->maps, .an = c->an, .sn = c->sn, .dn = c->dn, .map_video = c->map_video };
    while (n < 4 && c->maps[n])
        n++;
    o.nmaps = n;
    ret = rd_map_select(K, NK, 0, &o, order, &norder, &vpos, err, sizeof(err));
    if (!c->want) {
        ck_assert_int_lt(ret, 0);
        ck_assert_msg(*err && !strchr(err, '\n'), "one line: '%s'", err);
        return;
    }
    ck_assert_msg(ret == 0, "case %d: %s", _i, err);
    ck_assert(vpos >= 0 && vpos <= norder);
    for (int i = 0; i <= norder; i++) {
        if (i == vpos)
            snprintf(got + strlen(got), sizeof(got) - strlen(got), "%sv", *got ? " " : "");
        if (i < norder)
            snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%d", *got ? " " : "", order[i]);
    }
    ck_assert_str_eq(got, c->want);
}
END_TEST

/* -vn: no rendered video (vindex -1), no video stream the maps name
 * either, the cover picture included, as ffmpeg drops them. */
START_TEST(test_vn)
{
    static const struct { const char *maps[3]; const char *want; } vn[] = {
        { { NULL }, "1 2 3 4 5 7" },        /* every stream but the videos, the cover too */
        { { "0" }, "1 2 3 4 5 7" },
        { { "0:a", "0:v" }, "1 2" },
        { { "0:s:1", "0:a:0" }, "4 1" },
    };
    for (size_t k = 0; k < sizeof(vn) / sizeof(vn[0]); k++) {
        int n = 0, order[NK], norder = -1, vpos = -1;
        char got[64] = "", err[256] = "";
        RdMapOptions o = { .maps = vn[k].maps, .vn = 1 };
        while (n < 3 && vn[k].maps[n])
            n++;
        o.nmaps = n;
        ck_assert_msg(rd_map_select(K, NK, -1, &o, order, &norder, &vpos, err, sizeof(err)) == 0, "%s", err);
        for (int i = 0; i < norder; i++)
            snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%d", *got ? " " : "", order[i]);
        ck_assert_str_eq(got, vn[k].want);
    }
}
END_TEST

START_TEST(test_valid)
{
    ck_assert(rd_map_valid("0"));
    ck_assert(rd_map_valid("0:a:1"));
    ck_assert(rd_map_valid("-0:s?"));
    ck_assert(rd_map_valid("0:12"));
    ck_assert(!rd_map_valid("1"));
    ck_assert(!rd_map_valid("0:"));
    ck_assert(!rd_map_valid("0:a:b"));
    ck_assert(!rd_map_valid("a"));
    ck_assert(!rd_map_valid(""));
    ck_assert(rd_map_valid("0:m:language:eng"));
    ck_assert(rd_map_valid("0:a:m:title:A: B?"));    /* the value is all that follows */
    ck_assert(rd_map_valid("0:#0x101"));
    ck_assert(rd_map_valid("-0:i:257?"));
    ck_assert(!rd_map_valid("0:m:"));
    ck_assert(!rd_map_valid("0:#"));
    ck_assert(!rd_map_valid("0:#12x"));
}
END_TEST

/* Streams picked by their tags (m:KEY[:VALUE]) and container ids (#ID,
 * i:ID), as libavformat's stream specifiers pick them. */
START_TEST(test_tags_and_ids)
{
    static const struct { const char *maps[3]; const char *want; } T[] = {
        { { "0:v", "0:m:language:fre" }, "v 2" },
        { { "0:v", "0:m:language" }, "v 1 2" },              /* the key alone: any value */
        { { "0:v", "0:m:LANGUAGE:fre" }, "v 2" },            /* keys in any case */
        { { "0:v", "0:m:language:FRE" }, NULL },             /* values exactly */
        { { "0", "-0:m:language:eng" }, "v 2 3" },
        { { "0:v", "0:a:m:title:A: B" }, "v 1" },            /* ':' in the value */
        { { "0:v", "0:s:m:title:A: B?" }, "v" },
        { { "0:#0x100", "0:#0x102" }, "v 2" },
        { { "0:i:256", "0:a:i:0x101" }, "v 1" },
        { { "0:i:256", "0:s:#0x101" }, NULL },               /* type and id both */
    };
    AVDictionary *m[4] = { NULL };
    RdStreamKind k[4] = { { .type = AVMEDIA_TYPE_VIDEO }, { .type = AVMEDIA_TYPE_AUDIO },
                          { .type = AVMEDIA_TYPE_AUDIO }, { .type = AVMEDIA_TYPE_SUBTITLE } };
    av_dict_set(&m[1], "language", "eng", 0);
    av_dict_set(&m[1], "title", "A: B", 0);
    av_dict_set(&m[2], "language", "fre", 0);
    for (int i = 0; i < 4; i++) {
        k[i].meta = m[i];
        k[i].id = 0x100 + i;
    }
    for (unsigned c = 0; c < sizeof(T) / sizeof(T[0]); c++) {
        int order[16], norder = -1, vpos = -1, nm = 0, ret;
        char got[64] = "", err[256] = "";
        while (nm < 3 && T[c].maps[nm])
            nm++;
        RdMapOptions o = { .maps = T[c].maps, .nmaps = nm };
        ret = rd_map_select(k, 4, 0, &o, order, &norder, &vpos, err, sizeof(err));
        if (!T[c].want) {
            ck_assert_msg(ret < 0, "case %u: an error expected", c);
            continue;
        }
        ck_assert_msg(ret == 0, "case %u: %s", c, err);
        for (int j = 0; j <= norder; j++) {
            if (j == vpos)
                strcat(got, *got ? " v" : "v");
            if (j < norder)
                snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%d", *got ? " " : "", order[j]);
        }
        ck_assert_msg(!strcmp(got, T[c].want), "case %u: got '%s', want '%s'", c, got, T[c].want);
    }
    for (int i = 0; i < 4; i++)
        av_dict_free(&m[i]);
}
END_TEST

Suite *make_streammap_suite(void)
{
    Suite *s = suite_create("streammap");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_vn);
    tcase_add_loop_test(tc, test_map_table, 0, sizeof(cases) / sizeof(cases[0]));
    tcase_add_test(tc, test_valid);
    tcase_add_test(tc, test_tags_and_ids);
    suite_add_tcase(s, tc);
    return s;
}
