/*
 * rap.h - is a keyframe packet a real random-access point?
 *
 * Containers flag packets as keyframes by what the encoder or muxer said:
 * MP4 sync samples and Matroska key flags mark x264 intra-refresh recovery
 * points too, and decoding from one of those shows frames that are not
 * recovered yet. A chunk may start only where a decode from that packet
 * gives exactly the frames a sequential decode gives. This module reads the
 * packet's own bitstream headers (no decoding) to tell.
 */
#ifndef RD_RAP_H
#define RD_RAP_H

#include <libavcodec/avcodec.h>

/** Parsing state for one stream: how its NAL units are framed. */
typedef struct RdRap {
    enum AVCodecID codec;   ///< stream codec
    int nal_len;            ///< 0 = Annex B start codes, else length-prefix bytes (1, 2 or 4)
} RdRap;

/** Set up for a stream from its parameters (reads the extradata's framing). */
void rd_rap_init(RdRap *r, const AVCodecParameters *par);

/**
 * 1 when `pkt` (flagged a keyframe by the demuxer) is a random-access point:
 * H.264: an IDR picture, or an I picture carrying a recovery point SEI with
 * recovery_frame_cnt 0 (open GOP: the leading frames before it in
 * presentation order belong to the chunk before). HEVC/VVC-like: an IRAP
 * picture (IDR, BLA, CRA; a CRA's RASL pictures show before it, so they
 * also belong to the chunk before). Other codecs: the keyframe flag.
 * 0 otherwise.
 */
int rd_rap_check(const RdRap *r, const AVPacket *pkt);

/**
 * For a keyframe packet that is not a random-access point but an H.264
 * recovery point (x264 intra refresh): its recovery_frame_cnt N > 0. A
 * decode that starts there gives, from the N-th reference picture after it
 * on (decode order; frame_num counts reference pictures) and in
 * presentation order from that picture on, exactly what a sequential decode
 * gives, and flags the frames before it AV_FRAME_FLAG_CORRUPT (under
 * AV_CODEC_FLAG2_SHOW_ALL). -1 for any other packet.
 */
int64_t rd_rap_recovery(const RdRap *r, const AVPacket *pkt);

/** 1 when an H.264 packet holds a reference picture (nal_ref_idc != 0). */
int rd_rap_is_ref(const RdRap *r, const AVPacket *pkt);

#endif
