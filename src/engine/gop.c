#include "engine/gop.h"

#include <libavutil/avutil.h>

#include <stdlib.h>
#include <string.h>

/* KEY=VALUE in a ':'-separated list (x264-params); "no-KEY" and a bare
 * KEY count as 0 and 1. Returns 1 and *v when found (the last wins). */
static int param(const char *list, const char *key, long *v)
{
    size_t n = strlen(key);
    int found = 0;
    for (const char *p = list; p && *p; p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL) {
        if (!strncmp(p, "no-", 3) && !strncmp(p + 3, key, n) && (p[3 + n] == ':' || !p[3 + n]))
            *v = 0, found = 1;
        else if (!strncmp(p, key, n) && p[n] == '=')
            *v = !strncmp(p + n + 1, "infinite", 8) ? 0 : strtol(p + n + 1, NULL, 10), found = 1;
        else if (!strncmp(p, key, n) && (p[n] == ':' || !p[n]))
            *v = 1, found = 1;
    }
    return found;
}

static const char *params_key(const char *codec)
{
    if (!strncmp(codec, "libx264", 7))
        return "x264-params";
    if (!strcmp(codec, "libx265"))
        return "x265-params";
    return NULL;
}

/* libvpx (VP8, VP9) and libaom key on a fixed interval when the least and
 * the greatest key distance agree (-keyint_min = -g: kf_min_dist =
 * kf_max_dist); otherwise they may key earlier where they choose. */
static int vpx_like(const char *codec)
{
    return !strcmp(codec, "libvpx") || !strcmp(codec, "libvpx-vp9") || !strcmp(codec, "libaom-av1");
}

/* A whole number of frames, or -1 ("5s" is in seconds, negatives are
 * SVT-AV1's automatic choices). */
static long frames_value(const char *v)
{
    char *end;
    long n = strtol(v, &end, 10);
    return end != v && (*end == ':' || !*end) && n > 0 ? n : -1;
}

/* SVT-AV1 (1.4) detects no scene cuts unless scd=1 (or -sc_detection 1)
 * asks it to, so -g N (intra period N - 1) or svtav1-params keyint=N keys
 * every N frames; forward keyframes (irefresh-type=1) are not marked as
 * keyframes. */
static int svt_fixed(long keyint, const AVDictionary *opts)
{
    const AVDictionaryEntry *e = av_dict_get(opts, "sc_detection", NULL, 0);
    long v = 0;
    if (e && strcmp(e->value, "0") && strcmp(e->value, "false"))
        return 0;
    e = av_dict_get(opts, "svtav1-params", NULL, 0);
    for (const char *p = e ? e->value : NULL; p && *p; p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL)
        if (!strncmp(p, "keyint=", 7))
            keyint = frames_value(p + 7);
    if (e && ((param(e->value, "scd", &v) && v) || (param(e->value, "irefresh-type", &v) && v == 1)))
        return 0;
    return keyint > 0 ? (int)keyint : 0;
}

/* FFmpeg's own MPEG-family encoders (mpegvideo_enc.c) code an I frame
 * once gop_size frames (12 unless -g) have passed since the last one.
 * With no B-frames no picture leans across an I frame, so chunks started
 * on that grid give the CLI's keyframes (ffv1 keys every gop_size frames
 * too, but its frames are the same wherever it keys: it keeps its free
 * plan). */
static int lavc_mpeg_family(const char *codec)
{
    static const char *const names[] = { "mpeg1video", "mpeg2video", "mpeg4", "h261", "h263", "h263p",
                                         "msmpeg4v2", "msmpeg4", "wmv1", "wmv2", "flv", "rv10", "rv20" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(codec, names[i]))
            return 1;
    return 0;
}

/* An encoder option given as -name value (opts), else the setting. */
static long setting(const AVDictionary *opts, const char *key, long dflt)
{
    const AVDictionaryEntry *e = av_dict_get(opts, key, NULL, 0);
    return e ? strtol(e->value, NULL, 10) : dflt;
}

static int lavc_grid(const char *codec, long keyint, const AVDictionary *opts)
{
    /* B-frames before an I frame lean on it and on the P frame before */
    if (!lavc_mpeg_family(codec) || setting(opts, "bf", 0) != 0)
        return 0;
    return keyint > 0 ? (int)keyint : keyint < 0 ? 12 : 0;
}

int rd_gop_scene_keys(const char *codec, int sc_threshold, const AVDictionary *opts)
{
    long sc = setting(opts, "sc_threshold", sc_threshold);
    /* mpegvideo keys a picture whose motion search does worse than intra
     * by more than the threshold (default 0); the sum runs over macroblocks
     * of at most a few thousand each, so 1e9 (the usual setting) is off. */
    return codec && lavc_mpeg_family(codec) && sc < 1000000000L;
}

int rd_gop_warmup(const char *codec, const AVDictionary *opts)
{
    return codec && lavc_mpeg_family(codec) && !setting(opts, "skip_threshold", 0) &&
           !setting(opts, "skip_factor", 0);
}

/* x264's and x265's key interval and scene-cut threshold: -g and
 * -sc_threshold (given), then their own options, which come later and
 * win. */
static void x26x_gop(const char *codec, const char *pk, const AVDictionary *opts, long *keyint, long *scenecut)
{
    const AVDictionaryEntry *e;
    long v;
    int said = 0; /* the scene-cut threshold came from x264's own options */

    if ((e = av_dict_get(opts, pk, NULL, 0))) {
        if (param(e->value, "keyint", &v))
            *keyint = v;
        if (param(e->value, "scenecut", &v))
            *scenecut = v, said = 1;
    }
    if (!strncmp(codec, "libx264", 7) && (e = av_dict_get(opts, "x264opts", NULL, 0))) {
        if (param(e->value, "keyint", &v))
            *keyint = v;
        if (param(e->value, "scenecut", &v))
            *scenecut = v, said = 1;
    }
    /* x264 clips its scene-cut threshold to 0..100: a negative one is off. */
    if (*scenecut < 0 && said && !strncmp(codec, "libx264", 7))
        *scenecut = 0;
}

int rd_gop_fixed(const char *codec, int gop, int keyint_min, int sc_threshold, const AVDictionary *opts)
{
    const char *pk;
    long keyint = setting(opts, "g", gop), scenecut = setting(opts, "sc_threshold", sc_threshold);
    long least = setting(opts, "keyint_min", keyint_min);
    int lavc;

    if (!codec)
        return 0;
    if (!strcmp(codec, "libsvtav1"))
        return svt_fixed(keyint, opts);
    if ((lavc = lavc_grid(codec, keyint, opts)))
        return lavc;
    if (vpx_like(codec))
        return keyint > 0 && least == keyint ? (int)keyint : 0;
    /* Other encoders' keyframe rules are not known here: no grid claimed. */
    if (!(pk = params_key(codec)))
        return 0;
    x26x_gop(codec, pk, opts, &keyint, &scenecut);
    return keyint > 0 && scenecut == 0 ? (int)keyint : 0;
}

int rd_gop_x26x_cuts(const char *codec, int sc_threshold, const AVDictionary *opts)
{
    const char *pk = codec ? params_key(codec) : NULL;
    long keyint = 0, scenecut = setting(opts, "sc_threshold", sc_threshold);
    if (!pk)
        return 0;
    x26x_gop(codec, pk, opts, &keyint, &scenecut);
    return scenecut != 0;
}

int rd_gop_off_grid(AVPacket *const *pkts, int n, int64_t first, int grid)
{
    int off = 0;
    for (int i = 0; grid > 0 && i < n; i++) {
        int64_t before = 0;
        if (!(pkts[i]->flags & AV_PKT_FLAG_KEY) || pkts[i]->pts == AV_NOPTS_VALUE)
            continue;
        for (int k = 0; k < n; k++)
            before += pkts[k]->pts != AV_NOPTS_VALUE && pkts[k]->pts < pkts[i]->pts;
        off += (first + before) % grid != 0;
    }
    return off;
}

void rd_gop_anchor(const RdSyncFrame *table, int64_t n, int grid, uint8_t *anchor)
{
    int64_t out = 0, first = -1;
    for (int64_t i = 0; i < n; i++)
        out += table[i].copies;
    /* Backwards: `out` is the output frame number of frame i's first copy. */
    for (int64_t i = n - 1; i >= 0; i--) {
        out -= table[i].copies;
        if (table[i].copies > 0)
            first = out;
        anchor[i] = first >= 0 && grid > 0 && first % grid == 0;
    }
}

const char *rd_gop_forced_unkeyed(const char *codec, const AVDictionary *opts)
{
    const AVDictionaryEntry *e;
    if (!codec)
        return NULL;
    /* FFmpeg 5.1's libsvtav1 never reads a frame's picture type. */
    if (!strcmp(codec, "libsvtav1"))
        return "-force_key_frames with libsvtav1: FFmpeg's wrapper forces no keyframe, and chunks would "
               "start on them; not supported";
    /* libx265 codes a forced frame as an I frame that is no keyframe
     * unless forced-idr is set: chunks would start where the CLI has none. */
    if (!strcmp(codec, "libx265") &&
        (!(e = av_dict_get(opts, "forced-idr", NULL, 0)) || !strcmp(e->value, "0") || !strcmp(e->value, "false")))
        return "-force_key_frames with libx265 gives I frames that are not keyframes unless -forced-idr 1; "
               "not supported";
    return NULL;
}
