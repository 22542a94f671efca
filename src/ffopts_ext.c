#include "ffopts_ext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavutil/avstring.h>
#include <libavutil/channel_layout.h>
#include <libavutil/samplefmt.h>

/* -tag[:TYPE] TAG: the last one that names a stream wins, as ffmpeg's
 * per-stream options do; an index (-tag:a:1) would tell apart tracks of
 * one type, which render's per-type setting does not. */
RD_FF_HANDLER(rd_ffx_tag)
{
    RdCodecTags *t = &s->tags;
    (void)f;
    if (*spec && (!strchr("vasdt", spec[0]) || spec[1])) {
        snprintf(err, errlen, "-tag:%s: render sets one tag per stream type (-tag:v, -tag:a, -tag:s, "
                 "-tag:d, -tag:t, or -tag for every stream)", spec);
        return AVERROR(EINVAL);
    }
    if (!*spec || spec[0] == 'v') t->v = val;
    if (!*spec || spec[0] == 'a') t->a = val;
    if (!*spec || spec[0] == 's') t->s = val;
    if (!*spec || spec[0] == 'd') t->d = val;
    if (!*spec || spec[0] == 't') t->t = val;
    return 0;
}

#define ALIAS_TAG(fn, type) \
RD_FF_HANDLER(fn) { (void)spec; return rd_ffx_tag(f, s, type, val, err, errlen); }
ALIAS_TAG(rd_ffx_vtag, "v")
ALIAS_TAG(rd_ffx_atag, "a")
ALIAS_TAG(rd_ffx_stag, "s")

/* ffmpeg 5.1's names (any case); "drop" strips the video's timestamps and
 * lets the muxer invent them, which render's joined timeline does not do. */
static int sync_name(const char *val, int *mode)
{
    static const struct { const char *name; int mode; } names[] = {
        { "passthrough", RD_FPS_PASSTHROUGH }, { "cfr", RD_FPS_CFR }, { "vfr", RD_FPS_VFR },
        { "auto", RD_FPS_AUTO }, { "drop", -1 },
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!av_strcasecmp(val, names[i].name)) {
            *mode = names[i].mode;
            return 0;
        }
    return -1;
}

static int sync_drop(const char *opt, char *err, int errlen)
{
    snprintf(err, errlen, "-%s drop: the video without timestamps, made up by the muxer, is not "
             "supported (passthrough keeps every frame at its time)", opt);
    return AVERROR(EINVAL);
}

RD_FF_HANDLER(rd_ffx_fps_mode)
{
    int mode;
    if (*spec && strcmp(spec, "v") && strcmp(spec, "v:0")) {
        snprintf(err, errlen, "-fps_mode:%s: render writes one video (-fps_mode or -fps_mode:v)", spec);
        return AVERROR(EINVAL);
    }
    if (sync_name(val, &mode) < 0) {
        snprintf(err, errlen, "-fps_mode %s: not a frame sync (passthrough, cfr, vfr, drop, auto)", val);
        return AVERROR(EINVAL);
    }
    if (mode < 0)
        return sync_drop("fps_mode", err, errlen);
    s->fps_mode = mode;
    f->fps_mode_given = 1;
    return 0;
}

/* -vsync: ffmpeg's global form, overridden by -fps_mode; a number -1..2
 * (auto, passthrough, cfr, vfr), but not the word "auto". */
RD_FF_HANDLER(rd_ffx_vsync)
{
    static const int by_number[] = { RD_FPS_AUTO, RD_FPS_PASSTHROUGH, RD_FPS_CFR, RD_FPS_VFR };
    char *end;
    double d;
    int mode;
    (void)spec;
    if (av_strcasecmp(val, "auto") && sync_name(val, &mode) == 0) {
        if (mode < 0)
            return sync_drop("vsync", err, errlen);
    } else {
        d = strtod(val, &end);
        if (end == val || *end || d < -1 || d > 2 || d != (int)d) {
            snprintf(err, errlen, "-vsync %s: not a frame sync (passthrough, cfr, vfr, drop, or -1 to 2)", val);
            return AVERROR(EINVAL);
        }
        mode = by_number[(int)d + 1];
    }
    if (!f->fps_mode_given)
        s->fps_mode = mode;
    return 0;
}

/* -sample_fmt F: the audio encoders' format; one an encoder does not take
 * fails when it opens, as in ffmpeg. */
RD_FF_HANDLER(rd_ffx_sample_fmt)
{
    (void)f; (void)spec;
    if (av_get_sample_fmt(val) == AV_SAMPLE_FMT_NONE) {
        snprintf(err, errlen, "-sample_fmt %s: no such sample format (s16, s32, flt, fltp ...)", val);
        return AVERROR(EINVAL);
    }
    s->sample_fmt = val;
    return 0;
}

/* -ch_layout L / -channel_layout L: read as libavutil reads it; the older
 * forms ffmpeg 5.1 still takes with a warning are refused. */
RD_FF_HANDLER(rd_ffx_ch_layout)
{
    AVChannelLayout l = { 0 };
    int ret = av_channel_layout_from_string(&l, val);
    (void)f; (void)spec;
    av_channel_layout_uninit(&l);
    if (ret < 0) {
        snprintf(err, errlen, "-ch_layout %s: not a channel layout (mono, stereo, 5.1, FL+FR, 0x3, 3c ...)", val);
        return AVERROR(EINVAL);
    }
    s->ch_layout = val;
    return 0;
}

/* -bsf[:v|a|s] CHAIN: the chain is read at once, so that a misspelt
 * filter is named before anything runs; an index (-bsf:a:1) would tell
 * apart tracks of one type, which render's per-type setting does not. */
RD_FF_HANDLER(rd_ffx_bsf)
{
    (void)f;
    if (*spec && (!strchr("vas", spec[0]) || spec[1])) {
        snprintf(err, errlen, "-bsf:%s: render filters the packets of a stream type (-bsf:v, -bsf:a, "
                 "-bsf:s, or -bsf for every stream)", spec);
        return AVERROR(EINVAL);
    }
    if (rd_bsf_check(val) < 0) {
        snprintf(err, errlen, "-bsf %s: not a bitstream filter chain (NAME[=opt=value:...][,NAME...]; "
                 "ffmpeg -bsfs lists them)", val);
        return AVERROR(EINVAL);
    }
    if (!*spec || spec[0] == 'v') s->bsf.v = val;
    if (!*spec || spec[0] == 'a') s->bsf.a = val;
    if (!*spec || spec[0] == 's') s->bsf.s = val;
    return 0;
}

RD_FF_HANDLER(rd_ffx_shortest)
{
    (void)s; (void)spec; (void)val; (void)err; (void)errlen;
    f->shortest = 1;
    return 0;
}

/* ffmpeg 5.1 (fftools/ffmpeg.c) closes an output stream when its input
 * file ends, or earlier when its filter graph ends (trim); -shortest then
 * moves the file's end to that stream's. With one input, only a graph can
 * end one stream before the others. */
int rd_ffx_check_shortest(const RdFf *f, const RdSettings *s, char *err, int errlen)
{
    if (!f->shortest || !(f->vf || f->complex || s->af))
        return 0;
    snprintf(err, errlen, "-shortest with a filter graph (-vf, -af, -filter_complex) is not supported: "
             "where ffmpeg 5.1 ends the other streams then depends on its decoder threads");
    return AVERROR(EINVAL);
}

/* -itsoffset T: every stream T later; the video's leading gap is then the
 * frame sync's, as any gap (copies from 0 for MP4, the first frame at T
 * for Matroska). Checked against ffmpeg 5.1 for T > 0 on an encoded video
 * without a graph; the rest stays refused until it is made exact. */
int rd_ffx_check_itsoffset(const RdFf *f, const RdSettings *s, char *err, int errlen)
{
    const char *what = NULL;
    if (s->itsoffset_s == 0)
        return 0;
    if (s->itsoffset_s < 0)
        what = "a negative T";
    else if (f->vf || f->complex || f->size || f->pix_fmt || f->aspect)
        what = "a filter graph (-vf, -filter_complex, -s, -pix_fmt, -aspect)";
    else if (s->vcodec && !strcmp(s->vcodec, "copy"))
        what = "-c copy / -c:v copy";
    else if (f->ss[0] > 0 || f->ss[1] > 0 || f->has_sseof || f->t[0] > 0 || f->t[1] > 0 ||
             f->to[0] > 0 || f->to[1] > 0)
        what = "-ss, -sseof, -t or -to";
    else if (s->rate.num > 0 || s->max_vframes > 0 || s->force_kf)
        what = "-r, -frames:v or -force_key_frames";
    if (!what)
        return 0;
    snprintf(err, errlen, "-itsoffset with %s is not supported yet", what);
    return AVERROR(EINVAL);
}
