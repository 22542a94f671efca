/*
 * rawpic.h - wrapped_avframe's packets made to travel.
 *
 * wrapped_avframe (the default encoder of -f null and of yuv4mpegpipe,
 * .y4m) puts a pointer to the picture in its packet, not the picture's
 * bytes. Such a packet cannot cross to rank 0 over MPI or be journaled for
 * --resume, and the muxer needs the picture itself. A chunk therefore
 * flattens it to the picture's bytes (rawvideo's layout) and the merge wraps
 * the bytes again just before the muxer reads them.
 */
#ifndef RD_RAWPIC_H
#define RD_RAWPIC_H

#include <libavcodec/avcodec.h>

/** Replace wrapped_avframe packet `pkt`'s picture by its bytes (packed, no
 * padding between lines). Returns 0 or a negative AVERROR. */
int rd_rawpic_flatten(AVPacket *pkt);

/** The reverse, for stream parameters `par` (size and pixel format): `pkt`
 * carries an AVFrame that points into its former bytes. Returns 0 or a
 * negative AVERROR (AVERROR_INVALIDDATA when the size is not one picture's). */
int rd_rawpic_wrap(AVPacket *pkt, const AVCodecParameters *par);

#endif
