/*
 * timeline.h - one decode timeline for the whole output stream, built from
 * the packets each chunk's encoder actually produced.
 *
 * Every chunk's encoder starts its own decode timeline, and encoders do not
 * all declare how far they reorder (libx265 declares 0 and reorders 2
 * frames deep). Joined as they are, decode timestamps would step backwards
 * at every join. The timeline keeps the presentation times exactly and
 * gives packet k of the stream, in decode order, the (k - D)-th presentation
 * time (the D before the first frame extrapolated back by one frame each),
 * which is what the ffmpeg CLI writes for a single encoder. D is fixed by
 * the first chunk written: the lag of the encoder's own decode timestamps
 * behind presentation where it gives them (what the CLI writes), else the
 * reorder depth it declares; never less than the depth its packets show,
 * so the CLI's output is matched exactly.
 * A later chunk that reorders deeper still gets valid timestamps: its first
 * decode timestamps are pulled down into the room the time base leaves
 * between the previous chunk's last one and its own frames; only when the
 * time base leaves no room (one tick per frame) is that an error.
 */
#ifndef RD_TIMELINE_H
#define RD_TIMELINE_H

#include <stdint.h>
#include <libavcodec/packet.h>
#include <libavutil/rational.h>

typedef struct RdTimeline {
    int declared;       ///< reorder depth the encoder declared (has_b_frames)
    int depth;          ///< D; -1 until the first chunk
    int64_t *tail;      ///< the last D presentation times written, ascending
    int64_t last_dts;   ///< last decode timestamp written; INT64_MIN before any
    int64_t next_pts;   ///< end of the latest frame written; for packets without pts
    int started;
    AVRational etb;     ///< the encoder's time base, {0, 1} = unknown (rd_timeline_grid)
    AVRational mtb;     ///< the time base of the packets given, with etb
} RdTimeline;

/** Start an empty timeline. `declared` < 0 counts as 0. */
void rd_timeline_init(RdTimeline *t, int declared);

/**
 * The packets given are in `mtb`, rescaled from the encoder's `etb`: the D
 * times before the first frame are then counted back on the encoder's grid
 * and rescaled, as the CLI rescales the encoder's own decode times (one
 * frame of 1/30 s is 33 ms, two are 67, not 66).
 */
void rd_timeline_grid(RdTimeline *t, AVRational etb, AVRational mtb);

/**
 * Give one chunk's packets (decode order, all in one time base) their place
 * in the stream: packets without a presentation time get the end of the
 * frame before them; every dts is replaced so that dts is strictly
 * increasing across chunks and dts <= pts. The incoming dts are read only as
 * the encoder's own lag (first chunk). Returns 0, or a negative AVERROR with
 * a detail in err (two frames at one time, or no room for a deeper chunk).
 */
int rd_timeline_assign(RdTimeline *t, AVPacket **pkts, int n, int chunk, char *err, int errlen);

/**
 * How far decode order runs ahead of presentation order in these packets:
 * the least D for which packet k's pts is at least the (k - D)-th smallest.
 * Packets without pts are ignored. Returns D >= 0, or AVERROR(ENOMEM).
 */
int rd_timeline_depth(AVPacket *const *pkts, int n);

void rd_timeline_free(RdTimeline *t);

#endif
