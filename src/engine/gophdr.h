/*
 * gophdr.h - MPEG-1/2 GOP headers of joined chunks, numbered as one encoder
 * numbers them.
 *
 * FFmpeg's MPEG-1/2 encoder writes into each GOP header a time code (the
 * picture's number in coding order, from -gop_timecode's start, drop-frame
 * when asked) and marks the encoder's first GOP closed. Every chunk's
 * encoder counts from 0, so written as they are the time codes start over
 * at each join (00:00:00:00 again in the middle of the file, where the
 * ffmpeg CLI goes on counting) and each join's GOP is marked closed. The
 * pictures are not touched: only those four bytes of each GOP header are
 * rewritten, to what one encoder writes there.
 */
#ifndef RD_GOPHDR_H
#define RD_GOPHDR_H

#include <stdint.h>
#include <libavcodec/avcodec.h>

typedef struct RdGopHdr {
    int on;             ///< 1: MPEG-1/2 video from FFmpeg's encoder; 0: packets pass untouched
    int64_t tc_start;   ///< the time code's start, frames (-gop_timecode; 0 without)
    int drop;           ///< drop-frame time codes
    int always_closed;  ///< every GOP closed (-flags +cgop, or intra-only)
    char *tc_str;       ///< -gop_timecode as given, parsed at the first sequence header (it needs the rate), NULL = none
} RdGopHdr;

/**
 * Set up from an encoder opened as the chunks' are. Returns 0 or a negative
 * AVERROR (ENOMEM).
 */
int rd_gophdr_init(RdGopHdr *g, const AVCodecContext *enc);

/**
 * Pass one video packet, `coded` packets of the stream written before it:
 * a GOP header in it gets the time code and closed flag one encoder would
 * have written. Returns 0 or a negative AVERROR.
 */
int rd_gophdr_packet(RdGopHdr *g, AVPacket *p, int64_t coded);

/** Free what rd_gophdr_init() kept. */
void rd_gophdr_free(RdGopHdr *g);

#endif
