/*
 * sizes.h - the largest frame size a video stream can have, read from its
 * packets without decoding them.
 *
 * The memory guard (io/memory.h) must count the largest frame a worker's
 * decoder will hold, not the first: a stream may start at 64x64 and change
 * to 16000x8000 (concatenated MPEG-TS, a raw H.264 stream with a new
 * sequence header, a parameter change). The probe's packet scan passes
 * every video packet here; a codec parser reads each one's headers
 * (H.264/HEVC SPS, MPEG-1/2/4 sequence headers, AV1, VP9 ...: what the
 * parser of that codec reports), and AV_PKT_DATA_PARAM_CHANGE side data
 * gives new dimensions where a demuxer signals them. Cheap: no slice data
 * is decoded.
 */
#ifndef RD_SIZES_H
#define RD_SIZES_H

#include <libavcodec/avcodec.h>

typedef struct RdSizes {
    AVCodecParserContext *parser;   ///< NULL when the codec has none
    AVCodecContext *ctx;            ///< the parser's context (extradata)
    int max_w, max_h;               ///< largest width and height seen, pixels (each on its own)
} RdSizes;

/** Start with the stream parameters' size. 0 or a negative AVERROR (ENOMEM only). */
int rd_sizes_init(RdSizes *s, const AVCodecParameters *par);

/** Read one video packet's headers and side data. */
void rd_sizes_packet(RdSizes *s, const AVPacket *pkt);

/** Widen to w x h (a decoded frame's size). */
void rd_sizes_seen(RdSizes *s, int w, int h);

void rd_sizes_free(RdSizes *s);

#endif
