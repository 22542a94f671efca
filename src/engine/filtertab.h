/*
 * filtertab.h - every libavfilter video filter, one row each: what a chunk
 * must give it so that the chunked run makes the frames the whole-stream
 * run makes (its chunk contract), and what it may touch besides frames
 * (files, sockets, plugins). One table for both concerns, read by small
 * code; tests walk it against av_filter_iterate().
 *
 * A row holds the filter's contract with its default options; options that
 * change it (a window length, a mode, an expression that uses frame
 * numbers) are read from the configured filter instance by
 * rd_filtertab_contract(), never from the graph's text.
 */
#ifndef RD_FILTERTAB_H
#define RD_FILTERTAB_H

#include <libavfilter/avfilter.h>

/** What a chunk must do for one filter, from cheapest to dearest. */
typedef enum RdFcKind {
    RD_FC_LOCAL = 0,  ///< output frame k is made from input frame k alone: nothing to do
    RD_FC_WINDOW,     ///< made from input frames k-back .. k+ahead: pre-roll back, post-roll ahead; exact
    RD_FC_TIMELINE,   ///< adds, drops or retimes frames (fps, setpts, yadif=1 ...): ownership decided in output time on the whole-stream grid, with back/ahead as context
    RD_FC_FRAMENUM,   ///< depends on whole-stream frame numbers or the stream's start (n, N, start_frame, STARTPTS ...): exact only with the whole-stream numbering
    RD_FC_RECURSIVE,  ///< carries state from every earlier frame, fading (hqdn3d's temporal part): approximate after a pre-roll of back frames
    RD_FC_REPLAY,     ///< carries state made from every earlier frame's pixels alone, never their times (minterpolate's EPZS vectors): exact when each chunk's graph is first fed every frame from the stream's first at frozen times, their output thrown away (contract.h replay)
    RD_FC_WHOLE,      ///< needs the whole stream (reverse, loop, palettegen, vidstab ...): one chunk
} RdFcKind;

/** Side effects beyond frames (the effects field). */
#define RD_FX_NET    0x1u  ///< opens sockets or listens (zmq ...)
#define RD_FX_PLUGIN 0x2u  ///< loads and runs code from a shared library (frei0r, ladspa, lv2 ...)

/**
 * What the contract depends on besides frames (the flags field), whatever
 * the kind: the chunk's graph is exact only when it is given these.
 */
#define RD_FCF_LINK_COUNT 0x1u ///< counts frames on its links (expression n/N, start_frame, parity): exact when the chunk's link counters start at the whole-stream number of its first frame
#define RD_FCF_FIRST_PTS  0x2u ///< depends on the first pts it sees (STARTPTS, start_pts, trim duration, framerate's output grid): exact when that first pts is the whole stream's
#define RD_FCF_RETIMES   0x10u ///< adds, drops or retimes frames though its kind is another (minterpolate is recursive, trim and metadata's select mode local): the output's frame sync cannot be planned on the input's times
#define RD_FCF_SOURCE     0x4u ///< a source: makes its frames by itself, from its own frame 0 in every chunk's graph as in the whole run (costs the frames before the chunk)

typedef struct RdFilterInfo {
    const char *name;     ///< libavfilter's name of the filter
    RdFcKind kind;        ///< contract with the default options
    int back, ahead;      ///< frames of look-back and look-ahead with the default options, >= 0
    const char *reads;    ///< comma-separated options naming a file or URL the filter opens for reading; NULL = none
    const char *writes;   ///< comma-separated options naming a file the filter writes; NULL = none
    unsigned effects;     ///< RD_FX_* bits; 0 = none
    const char *why;      ///< one line on the contract, for --dry-run, warnings and docs
    unsigned flags;       ///< RD_FCF_* bits with the default options; 0 = none
} RdFilterInfo;

/** The contract of one configured filter instance. */
typedef struct RdFilterContract {
    RdFcKind kind;        ///< as RdFilterInfo.kind, refined by the instance's option values
    int back, ahead;      ///< frames, >= 0
    const char *why;      ///< static text: why this kind (e.g. "expression uses n"); never NULL
    unsigned flags;       ///< RD_FCF_* bits of the instance
} RdFilterContract;

/** The row for filter NAME, or NULL when the table does not know it. */
const RdFilterInfo *rd_filtertab_find(const char *name);

/** Row i (0 <= i < rd_filtertab_count()), in name order. */
const RdFilterInfo *rd_filtertab_at(int i);
int rd_filtertab_count(void);

/**
 * The contract of the configured instance `f` (after the graph is parsed
 * and its filters initialised): its row's, refined by the instance's
 * option values (window lengths, modes, expressions using frame numbers or
 * the stream start). A filter the table does not know gets RD_FC_WHOLE
 * ("not in render's filter table"). Returns 0 or a negative AVERROR.
 */
int rd_filtertab_contract(const AVFilterContext *f, RdFilterContract *c);

/**
 * Folds what libavfilter expression `expr` uses into `c` (never lowers
 * it): variables are read as tokens, so `sin(t)` does not use n.
 * n, N, in, on: the link's frame count (RD_FC_FRAMENUM, RD_FCF_LINK_COUNT),
 * or RD_FC_WHOLE when `own_count` says the filter counts them itself
 * (setpts's N); STARTPTS, start_t ...: RD_FCF_FIRST_PTS; prev_pts,
 * PREV_INPTS ...: one frame back; scene: two back; selected_n,
 * prev_selected_*, PREV_OUTPTS, RTCTIME, and the functions st() and
 * random(), which keep state between frames: RD_FC_WHOLE. t, pts, pos and
 * picture variables are the frame's own. NULL or "" changes nothing.
 */
void rd_filtertab_expr(const char *expr, int own_count, RdFilterContract *c);

#endif
