#include "ffopts_ext.h"

#include <stdio.h>
#include <string.h>

/* -tag[:TYPE] TAG: the last one that names a stream wins, as ffmpeg's
 * per-stream options do; an index (-tag:a:1) would tell apart tracks of
 * one type, which render's per-type setting does not. */
RD_FF_HANDLER(rd_ffx_tag)
{
    RdCodecTags *t = &s->tags;
    (void)f;
    if (*spec && (!strchr("vasdt", spec[0]) || spec[1])) {
        snprintf(err, errlen, "-tag:%s: render sets one tag per stream type (-tag:v, -tag:a, -tag:s, "
                 "-tag:d, -tag:t, or -tag for every stream)", spec);
        return AVERROR(EINVAL);
    }
    if (!*spec || spec[0] == 'v') t->v = val;
    if (!*spec || spec[0] == 'a') t->a = val;
    if (!*spec || spec[0] == 's') t->s = val;
    if (!*spec || spec[0] == 'd') t->d = val;
    if (!*spec || spec[0] == 't') t->t = val;
    return 0;
}

#define ALIAS_TAG(fn, type) \
RD_FF_HANDLER(fn) { (void)spec; return rd_ffx_tag(f, s, type, val, err, errlen); }
ALIAS_TAG(rd_ffx_vtag, "v")
ALIAS_TAG(rd_ffx_atag, "a")
ALIAS_TAG(rd_ffx_stag, "s")
