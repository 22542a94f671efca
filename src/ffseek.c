/*
 * ffseek.c - -sseof before -i: ffmpeg 5.1 (open_input_file) reads the
 * input's duration once its streams are found and seeks to duration - T,
 * then runs as an input -ss there. A -ss given too wins (ffmpeg warns);
 * a duration it does not know, or a point before the start, and ffmpeg
 * ignores -sseof with a warning: render does the same.
 */
#include "ffopts.h"

#include <stdio.h>
#include <libavformat/avformat.h>

#include "io/input.h"
#include "io/paths.h"

int rd_ff_resolve_sseof(RdFf *f, const RdSettings *s, char *err, int errlen)
{
    AVFormatContext *ic = NULL;
    int64_t at;
    const char *why = NULL;

    if (!f->has_sseof)
        return 0;
    if (f->ss_in_given) {
        why = "-ss and -sseof both: using -ss (as ffmpeg)";
        goto warn;
    }
    /* A FIFO or a forbidden protocol is not opened here: the engine
     * refuses it in its own line before anything is read. */
    if (rd_paths_check(s->input, NULL, NULL, 0, 1, err, errlen) < 0 ||
        rd_input_open(&ic, s->input, -1) < 0) {
        *err = 0;
        return 0;
    }
    if (ic->duration <= 0) {
        why = "-sseof: the input's duration is not known; ignored (as ffmpeg)";
    } else if ((at = ic->duration + f->sseof_us) < 0) {
        why = "-sseof seeks to before the input's start; ignored (as ffmpeg)";
    } else {
        f->ss[0] = at / 1e6;
    }
    avformat_close_input(&ic);
warn:
    if (why && !s->quiet)
        fprintf(stderr, "render: %s: %s\n", s->input, why);
    return 0;
}
