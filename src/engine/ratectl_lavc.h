/*
 * ratectl_lavc.h - two passes across chunks for libavcodec's own encoders
 * (mpeg4, mpeg1/2video, msmpeg4, wmv, flv, h263, mjpeg, snow ...).
 *
 * These share libavcodec's mpegvideo rate control (ratecontrol.c). Its
 * one-pass ABR starts every encoder at a low quantiser: run per chunk, the
 * first second of every chunk costs about twice the steady state, and a
 * clip cut in 8 chunks came out 2.6x the CLI's size at the same -b:v. Its
 * two passes keep the stats in memory: with flags +pass1 the encoder
 * leaves one line per coded picture in stats_out; with flags +pass2 it
 * reads them back from stats_in (a C field, set before avcodec_open2) and
 * plans every picture's quantiser to meet the bitrate over exactly the
 * frames of its stats. So each chunk runs pass 1 at the bitrate (as the
 * CLI's -pass 1), its stats are kept, the file's bits are shared among
 * the chunks with the rate control's own model, and each chunk runs pass
 * 2 on its own stats at its share.
 *
 * The encoders are found by what they are, not by name: their private
 * options include "rc_eq", the rate control's equation.
 */
#ifndef RD_RATECTL_LAVC_H
#define RD_RATECTL_LAVC_H

#include <stddef.h>
#include <stdint.h>
#include <libavcodec/avcodec.h>
#include <libavutil/dict.h>

struct RdRateCtl;

/** What the share needs of the encoder every chunk opens (its template's values). */
typedef struct RdRcModel {
    double fps;      ///< the frame rate the rate control counts in (avctx->framerate), > 0; 0 = unknown
    int bframes;     ///< avctx->max_b_frames: pass 2 plans that many pictures more than its stats hold
    double qcomp;    ///< avctx->qcompress (default 0.5): rc_eq's tex^qComp
    int qmin, qmax;  ///< the quantiser's bounds (avctx->qmin, qmax: 2, 31)
    double i_factor, i_offset; ///< I pictures' bounds: x |i_quant_factor| + i_quant_offset (-0.8, 0)
} RdRcModel;

/** 1 when `codec` runs libavcodec's mpegvideo rate control (its private class has "rc_eq"). */
int rd_ratectl_lavc_codec(const AVCodec *codec);

/**
 * The bitrate encoder `name` with options `opts` and -b:v `vbitrate` (0 =
 * none) aims at when it is one of those: the -b:v, else the one the
 * options set, else the encoder's default (200k) -- and 0 when it is not
 * one of those, or its options ask for a constant quantiser (-q:v,
 * flags +qscale), which has no rate control. Never fails.
 */
int64_t rd_ratectl_lavc_bitrate(const char *name, const AVDictionary *opts, int64_t vbitrate);

/** The model's values from an opened (or configured) encoder. */
void rd_ratectl_lavc_model(RdRcModel *m, const AVCodecContext *enc);

/** Append one stats_out line to *buf (*len bytes, NUL-terminated). Returns 0 or AVERROR(ENOMEM). */
int rd_ratectl_lavc_append(char **buf, size_t *len, const char *line);

/**
 * Share `video_bits` among rc's chunks as one pass 2 over the whole stats
 * would plan them: a picture of complexity c (its texture bits times its
 * pass-1 quantiser) gets the quantiser c^(1-qcomp) / r, held between qmin
 * and qmax, and so c / q texture bits; its motion and header bits stay; r
 * is what meets video_bits. Sets each chunk's bits, its floor (every
 * picture at qmax) and its bitrate so that its pass 2 (which counts
 * bitrate x (pictures + bframes) / fps) aims at its share. Chunks without
 * stats get their share by duration. Pure. Returns 0 or a negative AVERROR.
 */
int rd_ratectl_lavc_share(struct RdRateCtl *rc, double video_bits);

/** 1 when chunk `i` can run libavcodec's pass 2 on its stats at its share; 0: not (no stats, or a share at its floor). */
int rd_ratectl_lavc_can_plan(const struct RdRateCtl *rc, int i);

#endif
