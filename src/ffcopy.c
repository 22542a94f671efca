/*
 * ffcopy.c - what `-c:v copy` (a remux, engine/remux.h) cannot go with.
 * The video is not decoded, so nothing that filters or encodes it can
 * apply. ffmpeg refuses a filter with a copy; encoder options it only
 * warns about and then ignores, and render never ignores an option: each
 * is refused in one line.
 */
#include "ffopts.h"

#include <stdio.h>
#include <string.h>
#include <libavutil/error.h>

static int refuse(char *err, int errlen, const char *what)
{
    snprintf(err, errlen, "%s with -c:v copy: the video is copied, not %s", what,
             what[1] == 'v' || what[1] == 'f' ? "filtered (filtering and streamcopy cannot be used "
             "together, as in ffmpeg)" : "decoded or encoded");
    return AVERROR(EINVAL);
}

int rd_ff_check_copy(const RdFf *f, const RdSettings *s, char *err, int errlen)
{
    if (f->vf)
        return refuse(err, errlen, "-vf");
    if (f->complex || f->map_label)
        return refuse(err, errlen, "-filter_complex");
    if (f->size)
        return refuse(err, errlen, "-s");
    if (f->pix_fmt)
        return refuse(err, errlen, "-pix_fmt");
    if (f->aspect)
        return refuse(err, errlen, "-aspect");
    if (f->qv)
        return refuse(err, errlen, "-q:v");
    if (f->q && (!s->acodec || !strcmp(s->acodec, "copy") || !strcmp(s->acodec, "none")))
        return refuse(err, errlen, "-q");
    if (s->max_vframes > 0) { /* ffmpeg takes it (N packets); render's remux does not count them yet */
        snprintf(err, errlen, "-frames:v with -c:v copy is not supported yet (cut with -t, or "
                 "encode the video)");
        return AVERROR_PATCHWELCOME;
    }
    if (s->vbitrate > 0 || s->two_pass || s->target_size > 0)
        return refuse(err, errlen, s->target_size > 0 ? "--target-size" : "-b:v");
    if (s->maxrate > 0 || s->bufsize > 0)
        return refuse(err, errlen, s->maxrate > 0 ? "-maxrate" : "-bufsize");
    if (s->crf >= 0 || s->preset)
        return refuse(err, errlen, s->crf >= 0 ? "-crf" : "-preset");
    if (s->gop >= 0 || s->keyint_min >= 0 || s->sc_threshold >= 0)
        return refuse(err, errlen, s->gop >= 0 ? "-g" : s->keyint_min >= 0 ? "-keyint_min" : "-sc_threshold");
    return 0;
}
