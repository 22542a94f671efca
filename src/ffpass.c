/*
 * ffpass.c - the ffmpeg form's -pass 1 / -pass 2 and -passlogfile, as the
 * ffmpeg CLI takes them: the log is PREFIX-0.log (stream 0's), PREFIX
 * "ffmpeg2pass" unless -passlogfile, in the current directory. What the
 * log holds and how the engine uses it: engine/passlog.h.
 */
#include "ffopts.h"

#include <stdio.h>
#include <string.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/mem.h>

#define DEFAULT_PREFIX "ffmpeg2pass"

int rd_ff_check_pass(RdFf *f, RdSettings *s, const AVOutputFormat *of, char *err, int errlen)
{
    int is_null = !strcmp(of->name, "null");
    if (!f->pass) {
        if (f->passlog_prefix) { /* ffmpeg takes it and does nothing: say so */
            snprintf(err, errlen, "-passlogfile without -pass: give -pass 1 or -pass 2");
            return AVERROR(EINVAL);
        }
        if (is_null && s->resume) {
            snprintf(err, errlen, "-f null writes nothing: there is nothing to resume");
            return AVERROR(EINVAL);
        }
        s->null_output = is_null; /* everything is done, the muxer throws it away */
        return 0;
    }
    if (strcmp(s->vcodec, "libx264")) {
        snprintf(err, errlen, "-pass: render's two passes are done with libx264 only (not %s)", s->vcodec);
        return AVERROR(EINVAL);
    }
    if (s->vbitrate <= 0 || s->target_size > 0 || s->crf >= 0 || s->two_pass) {
        snprintf(err, errlen, "-pass needs -b:v (a bitrate to share among the chunks), without -crf, "
                 "--target-size or --two-pass");
        return AVERROR(EINVAL);
    }
    if (is_null && f->pass != 1) {
        snprintf(err, errlen, "-f null writes nothing: render takes it for -pass 1 only");
        return AVERROR(EINVAL);
    }
    if (s->resume) {
        snprintf(err, errlen, "-pass with --resume is not supported: each pass is one run");
        return AVERROR(EINVAL);
    }
    if (!(f->passlog = av_asprintf("%s-0.log", f->passlog_prefix ? f->passlog_prefix : DEFAULT_PREFIX)))
        return AVERROR(ENOMEM);
    s->pass = f->pass;
    s->passlog = f->passlog;
    s->two_pass = 1;
    s->null_output = is_null;
    return 0;
}
