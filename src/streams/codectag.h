/*
 * codectag.h - -tag, -vtag, -atag, -stag: the output streams' codec tag
 * (FourCC), as the ffmpeg CLI 5.1 sets it (fftools/ffmpeg_opt.c,
 * new_output_stream): a number (strtol base 0: 0x31637668) or the first
 * four characters, little-endian ("hvc1"). Encoded and copied streams
 * alike; the muxer checks it against the codec when the header is
 * written, and refuses a tag that does not fit (as ffmpeg fails).
 */
#ifndef RD_CODECTAG_H
#define RD_CODECTAG_H

#include <stdint.h>
#include <libavformat/avformat.h>

/** A tag per stream type; NULL = the muxer's own choice. */
typedef struct RdCodecTags {
    const char *v, *a, *s, *d, *t;   ///< video, audio, subtitle, data, attachment
} RdCodecTags;

/** The tag ffmpeg reads from `arg`; 0 = none (the muxer chooses). */
uint32_t rd_codectag_parse(const char *arg);

/** Set the tag of every stream of `oc` whose type has one in `t` (may be NULL). Before the header. */
void rd_codectag_apply(AVFormatContext *oc, const RdCodecTags *t);

#endif
