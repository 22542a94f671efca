/*
 * seidup.h - the encoder's own notes, once per file.
 *
 * libx264 writes a user-data SEI with its version and options in the
 * first access unit it codes (identified by x264's UUID). Every chunk's
 * encoder is a first one, so joined as they are the note comes back at
 * each join, where the CLI's file has it once: ffprobe shows it as side
 * data on those frames and the decoder exports it with them. The first
 * packet's user-data SEI NAL units are learnt; the same notes (by UUID)
 * in later packets are cut out, nothing else is touched. H.264 in Annex B
 * (as libavcodec's H.264 encoders give it); other packets pass untouched.
 */
#ifndef RD_SEIDUP_H
#define RD_SEIDUP_H

#include <stdint.h>
#include <libavcodec/avcodec.h>

#define RD_SEIDUP_MAX 4

typedef struct RdSeiDup {
    int on;                            ///< H.264: packets are looked at
    int learnt;                        ///< the first packet was seen
    int n;                             ///< UUIDs learnt
    uint8_t uuid[RD_SEIDUP_MAX][16];
    int64_t cut;                       ///< NAL units cut so far
} RdSeiDup;

/** Set up for the encoder's codec. */
void rd_seidup_init(RdSeiDup *s, enum AVCodecID id);

/**
 * The next packet of the joined stream, in order: the first is learnt
 * from, later ones lose NAL units that repeat its notes. Returns 0 or a
 * negative AVERROR (ENOMEM).
 */
int rd_seidup_packet(RdSeiDup *s, AVPacket *pkt);

#endif
