/*
 * ratectl.h - rate control over the joined stream, not per chunk.
 *
 * An encoder's own rate control sees one chunk: a bitrate target met
 * chunk by chunk undershoots on short chunks (x264's ABR starts cautious:
 * 12 chunks of a 12 s clip gave 363 kb/s for -b:v 400k), and a VBV buffer
 * that each chunk believes starts 90% full can run dry at a join. So:
 *
 * - A bitrate (-b:v, --two-pass, --target-size) with libx264 takes two
 *   passes over the chunks, both in parallel: the first (x264 pass 1 at
 *   constant quality, its fast first-pass settings) learns what each chunk
 *   needs; each chunk then gets its share of the file's bits, in
 *   proportion, and meets it with x264's own second pass on its own stats.
 *   Other encoders get the bitrate as it is, chunk by chunk (their ABR).
 * - A VBV (-maxrate with -bufsize) is simulated over the joined stream as
 *   the chunks are written in order; a chunk that would run the buffer dry
 *   where it joins is encoded again starting from the buffer the previous
 *   chunk really left (x264's vbv-init, rc_init_occupancy).
 *
 * The x264 stats of each chunk live in files beside OUTPUT, created
 * exclusively, registered for removal on a signal and removed at the end.
 */
#ifndef RD_RATECTL_H
#define RD_RATECTL_H

#include <stddef.h>
#include <stdint.h>
#include <libavutil/dict.h>

#include "engine/encode.h"
#include "engine/ratectl_lavc.h"

struct RdSettings;
struct RdChunkResult;

#define RD_RC_NAME 4200

typedef enum RdRcMode {
    RD_RC_NONE,     ///< the encoder's own rate control (CRF, or what its options say)
    RD_RC_ABR,      ///< every chunk gets the same bitrate (encoders without x264's two passes)
    RD_RC_TWOPASS,  ///< an analysis pass, then each chunk its share (libx264; libavcodec's own encoders, ratectl_lavc.h)
} RdRcMode;

/** A leaky-bucket decoder buffer (the VBV/HRD model x264 enforces). */
typedef struct RdVbv {
    double maxrate;    ///< fill rate, bits/s
    double bufsize;    ///< capacity, bits
    double fill;       ///< bits in the buffer before the next frame is removed
    double min_fill;   ///< least fill seen right after a frame was removed (< 0: underflow)
    int64_t underflows;///< frames that found the buffer short of their size
} RdVbv;

/** Start full to `init` (fraction of bufsize, 0..1). */
void rd_vbv_init(RdVbv *v, double maxrate, double bufsize, double init);

/** One frame, decode order: its size leaves the buffer, then `dur_s` of maxrate flows in (capped at bufsize). */
void rd_vbv_frame(RdVbv *v, int64_t bytes, double dur_s);

typedef struct RdRcChunk {
    int64_t pass1_bytes;     ///< what the analysis pass made of the chunk, bytes
    double duration_s;       ///< media the chunk covers, seconds
    int64_t bitrate;         ///< its share, bits/s (second pass)
    char stats[RD_RC_NAME];  ///< its x264 stats file; "" = not made
    char *lavc_stats;        ///< libavcodec's pass-1 stats of its pictures, encode order (ratectl_lavc.h); NULL = none; owned
    size_t lavc_len;         ///< their length, bytes
    double lavc_bits;        ///< with lavc_stats: its share, bits
    double lavc_floor;       ///< with lavc_stats: its bits with every picture at the largest quantiser
} RdRcChunk;

typedef struct RdRateCtl {
    RdRcMode mode;
    int64_t bitrate;         ///< the whole video's bits/s (two passes: derived from target_size when given)
    int64_t target_size;     ///< the whole OUTPUT, bytes; 0 = none
    int vbv;                 ///< 1: maxrate and bufsize are set: the joined stream is checked
    int vbv_chain;           ///< 1: a chunk can start from another buffer fill (libx264); else a failing join is only said
    double vbv_init;         ///< the first chunk's starting fill, fraction (x264's default 0.9)
    RdVbv state;             ///< the buffer after the chunks written so far (the writer's)
    int joins_redone;        ///< chunks encoded again from the buffer the previous one left
    int joins_short;         ///< joins where the buffer still runs dry (said once)
    int lavc;                ///< 1: libavcodec's own two passes, stats in memory (ratectl_lavc.h); 0: x264's, in files
    int user_bt;             ///< with lavc: the user set the bitrate tolerance (bt): theirs holds
    RdRcModel model;         ///< with lavc: the encoder's frame rate, B-frames and qcompress (set by the engine)
    int n;                   ///< chunks
    RdRcChunk *c;            ///< n entries
    char base[RD_RC_NAME];   ///< OUTPUT: the stats files are named after it
} RdRateCtl;

/** "400k", "1.5M", "2Mi", "8MB" (ffmpeg's suffixes: k 1000, Ki 1024, B x8) -> *out > 0. Returns 0 or AVERROR(EINVAL). */
int rd_ratectl_parse_number(const char *s, int64_t *out);

/** Which mode settings ask of `codec` (see RdRcMode), libx264's rules. Pure. */
RdRcMode rd_ratectl_mode(const char *codec, int crf, int64_t vbitrate, int two_pass, int64_t target_size);

/**
 * The mode of a run: rd_ratectl_mode(), and two passes for libavcodec's
 * own encoders whenever a bitrate applies, theirs by default included
 * (rd_ratectl_lavc_bitrate), as long as no -crf or constant quantiser.
 */
RdRcMode rd_ratectl_mode_of(const struct RdSettings *s);

/**
 * Whether settings make sense together (--two-pass needs -b:v or
 * --target-size, an encoder with x264's two passes, no -crf ...).
 * Returns 0, or AVERROR(EINVAL) with one line in err.
 */
int rd_ratectl_check(const struct RdSettings *s, char *err, int errlen);

/** The rate and keyframe settings into the encoder configuration every chunk uses. */
void rd_ratectl_encode_config(RdEncodeConfig *enc, const struct RdSettings *s);

/** Set up for `n` chunks (durations filled by the caller). Returns 0 or AVERROR(ENOMEM). */
int rd_ratectl_init(RdRateCtl *rc, const struct RdSettings *s, int n);

/** One entry, at -b:v, for the template encoder's first pass (-pass 1 with an OUTPUT, rc_pass 3), its stats files named apart from the chunks'. */
int rd_ratectl_init_template(RdRateCtl *rc, const struct RdSettings *s);

/**
 * Share `video_bits` among the chunks in proportion to their pass-1 bytes
 * (equally by duration where none were measured): sets each chunk's
 * bitrate. With rc->lavc, rd_ratectl_lavc_share(). Pure. Returns 0 or
 * AVERROR(EINVAL).
 */
int rd_ratectl_share(RdRateCtl *rc, double video_bits);

/**
 * Options for chunk `i`'s encoder: pass 1 (constant quality, x264 stats
 * written; the files are created here), pass 2 (its share, its stats
 * read) or 0 (only a VBV start `vbv_init` > 0, fraction). Returns 0 or a
 * negative AVERROR with a reason in err.
 */
int rd_ratectl_chunk_opts(RdRateCtl *rc, int i, int pass, int64_t bitrate, double vbv_init,
                          AVDictionary **d, char *err, int errlen);

/**
 * The joined stream's buffer if chunk `res` is written next: 1 when it
 * holds (or cannot be helped: not x264, or `redone`), 0 when the chunk
 * should be encoded again from *init (fraction). Does not advance.
 */
int rd_ratectl_vbv_fits(const RdRateCtl *rc, const struct RdChunkResult *res, AVRational tb,
                        int redone, double *init);

/** Advance the joined stream's buffer over chunk `res` (written). */
void rd_ratectl_vbv_advance(RdRateCtl *rc, const struct RdChunkResult *res, AVRational tb);

/**
 * The video's bits for --target-size: the target less what the other
 * streams copied from the input take (their packets, up to `limit_us` of
 * the input's time, INT64_MAX = all) and the container's own bytes (an
 * estimate per packet). Returns 0 or a negative AVERROR with a reason.
 */
int rd_ratectl_target_bits(const struct RdSettings *s, int vindex, int64_t frames, int64_t limit_us,
                           double *bits, char *err, int errlen);

/**
 * -pass 2: chunk `i`'s x264 stats as a -pass 1 run left them (passlog.h),
 * written into the chunk's stats files (created here as pass 1 creates
 * them, removed at the end). Returns 0 or a negative AVERROR with a reason.
 */
int rd_ratectl_stats_load(RdRateCtl *rc, int i, const uint8_t *stats, size_t stats_len,
                          const uint8_t *mbtree, size_t mbtree_len, char *err, int errlen);

/** Chunk `i`'s libavcodec stats (*stats, *len) into rc, which owns them after; *stats is NULL after. */
void rd_ratectl_stats_take(RdRateCtl *rc, int i, char **stats, size_t *len);

/** What chunk `i`'s encoder reads as stats_in on `pass` (libavcodec's pass 2), or NULL: none (the encoder then runs one pass at its share). */
const char *rd_ratectl_stats_in(const RdRateCtl *rc, int i, int pass);

/** Remove every stats file and free. NULL-safe. */
void rd_ratectl_free(RdRateCtl *rc);

#endif
