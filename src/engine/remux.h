/*
 * remux.h - `-c:v copy` (and `-c copy`): the video's packets copied into
 * OUTPUT as the ffmpeg CLI 5.1 copies them, in one pass, with no chunks
 * and no decoding. There is nothing to share among workers: reading and
 * writing packets costs far less than decoding one frame.
 *
 * The timestamps are the CLI's: the input's start time (and an input -ss)
 * is taken off every packet, pts, dts, duration and flags are kept, the
 * first packet written is a keyframe, decode times that step back are
 * moved forward as the CLI's muxing does, and MPEG-TS jumps are undone as
 * its reading does (tsfix.h). Input -ss T seeks as the CLI does (to the
 * keyframe at or before T, 3/23 s earlier when the input has B-frames) and
 * the packets before T are kept, with negative times, as the CLI keeps
 * them. -t and -to end the video at the first packet whose decode time is
 * at or past the limit. Every other stream goes through tracks.h (copied,
 * or audio encoded once), with the same -map, tags, chapters and
 * dispositions as a render; the video stream's side data (rotation
 * included) is copied whole.
 */
#ifndef RD_REMUX_H
#define RD_REMUX_H

#include "engine/engine.h"

/** 1 when the settings ask for the video to be copied (-c:v copy). */
int rd_remux_wanted(const RdSettings *s);

/**
 * Copy s->input to s->output (through a temporary file, with the output
 * rules of outfile.h). Fills `rep` (remux = 1, no chunks; the caller frees
 * it with rd_report_free). Returns 0 or a negative AVERROR with one line in
 * err; on failure nothing is left behind.
 */
int rd_remux_run(const RdSettings *s, RdReport *rep, char *err, int errlen);

/** --dry-run of a remux: the input described in `rep` (remux = 1, dry_run = 1); nothing written. */
int rd_remux_plan(const RdSettings *s, RdReport *rep, char *err, int errlen);

#endif
