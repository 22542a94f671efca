/*
 * subtitle.h - a text subtitle track converted to another text format
 * (SRT/ASS -> mov_text for MP4/MOV, mov_text -> SRT for Matroska, anything
 * -> WebVTT for WebM), as the ffmpeg CLI does it: decode each packet to
 * ASS events, encode them again, times kept.
 *
 * Bitmap subtitles cannot become text (nor text bitmaps); the caller drops
 * those with a notice. Choosing the target is tracks.c's job.
 */
#ifndef RD_SUBTITLE_H
#define RD_SUBTITLE_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

typedef struct RdSub RdSub;

/** 1 when `id` is a text subtitle codec (can be converted to and from). */
int rd_sub_is_text(enum AVCodecID id);

/**
 * The text subtitle codec a container takes when the source codec cannot
 * go in as it is: mov_text for MP4/MOV, subrip for Matroska, webvtt for
 * WebM, else the muxer's default; AV_CODEC_ID_NONE when it takes none.
 */
enum AVCodecID rd_sub_target(const AVOutputFormat *of);

/**
 * Open decoder for `ist` and encoder `codec` for `ost` (already in `oc`,
 * before the header): fills ost's parameters and time base. Returns 0 or a
 * negative AVERROR; rd_sub_free() either way.
 */
int rd_sub_open(RdSub **ps, const AVStream *ist, const AVCodec *codec, AVStream *ost);

/**
 * Convert one source packet (input time base). Returns 0 with `out` filled
 * (in the time base rd_sub_open() gave ost, 1/1000, and the
 * input timeline), AVERROR(EAGAIN) when the packet holds no
 * text (an empty cue), or a negative AVERROR. A packet that does not decode
 * is dropped (EAGAIN), as the ffmpeg CLI does.
 */
int rd_sub_convert(RdSub *s, const AVPacket *in, AVPacket *out);

/**
 * Decode one source packet that comes before the output's start and drop
 * it: the decoder counts the events it has seen (ASS's ReadOrder field),
 * and the CLI's decoder saw this one.
 */
void rd_sub_skip(RdSub *s, const AVPacket *in);

void rd_sub_free(RdSub **ps);

#endif
