/*
 * input.h - opening the input for reading: only through the protocols the
 * user allowed (paths.h), whoever opens it (probe, chunks, tracks, tags).
 *
 * A local input is opened once (rd_input_pin): every later open reads that
 * very file, the same inode, through the descriptor held since the probe,
 * so a file renamed over INPUT mid-run cannot mix two files into one
 * output; a file changed in place (size or modification time) is caught by
 * rd_input_verify before the output is finished.
 */
#ifndef RD_INPUT_H
#define RD_INPUT_H

#include <libavformat/avformat.h>

/**
 * Open PATH for reading with only stream `keep` enabled (-1: all) and read
 * its stream info. A pinned PATH is read from its pinned file (with the
 * format found when it was pinned). Returns 0 or a negative AVERROR; on
 * failure *pic is NULL.
 */
int rd_input_open(AVFormatContext **pic, const char *path, int keep);

/**
 * Pin PATH: when it is a local file (no protocol, or file:), open it once
 * and from now on open that file whenever PATH is opened, whatever is at
 * the name later. Pins are counted; call before the threads that open PATH
 * start, and rd_input_unpin() after they end. Another protocol (concat:,
 * http: where allowed) is opened by name as before: returns 0 without a
 * pin, and so is a name that is no file (an image sequence's pattern:
 * the demuxer opens it, or says why not). Returns 0 or AVERROR(ENOMEM).
 */
int rd_input_pin(const char *path);

/**
 * Open PATH once as every later open will (its pin, its format and the
 * line's demuxer options, demuxopts.h). Returns 0 or a negative AVERROR;
 * an option the demuxer does not take is AVERROR_OPTION_NOT_FOUND, with
 * one line in err naming it (ffmpeg stops there too); a format forced by
 * the line that cannot read the file also says so in err.
 */
int rd_input_check(const char *path, char *err, int errlen);

/**
 * The format PATH is opened as, when that is known without opening it:
 * forced by the line (-f before -i) or found when it was pinned. NULL:
 * not known (not pinned, or opened by name).
 */
const AVInputFormat *rd_input_format(const char *path);

/** Release one pin of PATH (no-op when not pinned). */
void rd_input_unpin(const char *path);

/**
 * 0 when PATH's pinned file still has the size and modification time it
 * had when pinned (or PATH is not pinned); AVERROR(EAGAIN) with the reason
 * in why (may be NULL) when it changed under the run.
 */
int rd_input_verify(const char *path, char *why, int whylen);

#endif
