/*
 * gifjoin.h - chunks of GIF joined into one GIF file.
 *
 * libavcodec's GIF encoder opens its first packet with the file's header
 * (signature, logical screen descriptor, global colour table) and the gif
 * muxer takes the header from the stream's first packet only. Every chunk's
 * encoder starts anew, so every chunk's first packet carries one: written as
 * it is, a second header lands inside the file and readers take the frame
 * delays wrong (1/100 s more at each join, where the ffmpeg CLI has none).
 * The later headers are cut off when they are the first one byte for byte
 * (a chunk's frames refer to its global colour table); a chunk whose table
 * differs (a palette of its own) cannot be joined and is refused.
 */
#ifndef RD_GIFJOIN_H
#define RD_GIFJOIN_H

#include <stdint.h>
#include <libavcodec/packet.h>

typedef struct RdGifJoin {
    uint8_t *head;      ///< the first packet's header (after the signature), NULL before it
    int head_len;       ///< its length in bytes
    int on;             ///< 1: GIF packets into the gif muxer (set by the caller); 0: packets pass untouched
} RdGifJoin;

/**
 * Pass one video packet, in output order: the first header is kept, a later
 * one equal to it is cut from the packet (data and size moved on). Returns 0,
 * or AVERROR_PATCHWELCOME with one line in err when a later header differs.
 */
int rd_gifjoin_packet(RdGifJoin *g, AVPacket *p, char *err, int errlen);

/** Free what rd_gifjoin_packet() kept. */
void rd_gifjoin_free(RdGifJoin *g);

#endif
