/*
 * startup.h - what starting one more chunk costs with this encoder and these
 * settings, measured, for the plan.
 *
 * Every chunk opens its own decoder, graph and encoder, begins with a
 * keyframe and warms the encoder's rate control and lookahead up. The
 * template (chunk.h) times the opening on one frame; the encoder's share
 * only shows over several frames. So two real chunks from the start of the
 * input, of two lengths, are run exactly as workers run them (decode,
 * graph, encoder) and a line is fitted through their CPU time and bytes:
 *
 *     cost(n frames) = start_s + n * frame_s
 *     bytes(n)       = start_bytes + n * frame_bytes
 *
 * start_s is what one more chunk adds in time (opening, the keyframe's
 * extra work, the warm-up), start_bytes what it adds to the output (the
 * keyframe over a steady frame). CPU time of each chunk's own thread is
 * used, not wall time, so a loaded machine disturbs the figures little.
 */
#ifndef RD_STARTUP_H
#define RD_STARTUP_H

#include <stdint.h>

#include "engine/chunk.h"

/** The two chunk lengths measured, frames (a short one and a longer one). */
#define RD_STARTUP_SHORT 4
#define RD_STARTUP_LONG  16

typedef struct RdStartup {
    int measured;          ///< 1 when measured; 0: not (too few frames, one chunk only), every figure 0
    int64_t frames[2];     ///< the two chunks' lengths, frames
    double cpu_s[2];       ///< their CPU time, seconds
    int64_t bytes[2];      ///< their encoded bytes
    double frame_s;        ///< CPU of a steady-state frame, seconds, > 0 when measured
    double start_s;        ///< CPU one more chunk adds (opening, keyframe, warm-up), seconds, >= 0
    double frame_bytes;    ///< bytes of a steady-state frame, > 0 when measured
    double start_bytes;    ///< bytes one more chunk adds (its keyframe over a steady frame), >= 0
    double enc_cpu_s[2];   ///< of cpu_s, the encoder's, seconds
    double dec_cpu_s[2];   ///< and the decoder's, seconds
    double enc_share;      ///< the encoder's share of a steady frame's CPU, 0..1 (what a pre-roll frame, filtered but not encoded, saves)
    double dec_share;      ///< the decoder's share, 0..1 (what a frame decoded only to be thrown away costs)
} RdStartup;

/**
 * Fit the line through frames/cpu_s/bytes (pure). Noise that would make a
 * slope or a start-up negative is clamped: a slope from the longer chunk
 * alone, a start-up of 0. Sets measured = 1.
 */
void rd_startup_fit(RdStartup *s);

/**
 * What a pre-roll frame (decoded and filtered, not encoded) costs against
 * a processed one: 1 - enc_share, at least 0.05; -1 when not measured.
 * A graph that does the heavy work (minterpolate) makes it near 1, a slow
 * encoder after a light graph near 0.
 */
double rd_startup_preroll_weight(const RdStartup *s);

/** What a frame decoded and thrown away costs against a processed one: dec_share, at least 0.01; -1 when not measured. */
double rd_startup_decode_weight(const RdStartup *s);

/** frame_s and start_s (start-ups in frames), start_bytes / frame_bytes (keyframes in frames of bytes); 0 when not measured. */
double rd_startup_frames(const RdStartup *s);
double rd_startup_key_frames(const RdStartup *s);

/**
 * Run chunks [0, RD_STARTUP_SHORT) and [0, RD_STARTUP_LONG) of the input
 * (frame times `pts`, n frames, ascending) with `sh` as workers would, the
 * two at once when `threads` >= 2, and fit. With fewer than
 * 2 * RD_STARTUP_LONG frames, or `threads` < 1 (no worker's memory to
 * spare), nothing is run (measured = 0). Returns 0 or a
 * negative AVERROR with a detail in err; nothing is kept of the chunks.
 */
int rd_startup_measure(RdStartup *s, const RdChunkShared *sh, const int64_t *pts, int64_t n,
                       int threads, char *err, int errlen);

#endif
