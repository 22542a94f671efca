/*
 * readstop.h - where the ffmpeg CLI's reading stands when -frames:v ends
 * the output.
 *
 * The CLI (5.1) closes every stream of the output once the video has its
 * -frames:v N: what it had read of the other streams by then is written,
 * nothing after. It reads one packet at a time and hands each video packet
 * to its decoder, which gives a picture some packets later: its reorder
 * delay, and with frame threads ("-threads auto": one more than the cores)
 * one packet more per thread. So the reading stops at the packet whose
 * sending made the N-th picture come out, a point that depends on the
 * decoder's threads and so on the machine; it is found here by decoding as
 * the CLI does.
 */
#ifndef RD_READSTOP_H
#define RD_READSTOP_H

#include <stdint.h>

/**
 * Decode video stream `vindex` of `path` as the CLI does (`threads`, 0 =
 * auto; after an input -ss of `seek_s` seconds, from where the CLI's
 * demuxer seeks) until the picture of time `pts_us` (the input's time,
 * AV_TIME_BASE units) or a later one comes out. *at: the decode time of the
 * packet whose sending gave it, same units. Returns 0; AVERROR_EOF when the
 * picture comes out only as the decoder is drained (the CLI read the whole
 * file); another negative AVERROR when the file cannot be decoded here.
 */
int rd_readstop_find(const char *path, int vindex, double seek_s, int threads, int64_t pts_us,
                     int64_t *at);

#endif
