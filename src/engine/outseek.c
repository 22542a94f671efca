#include "engine/outseek.h"

#include <inttypes.h>
#include <string.h>
#include <libavutil/bprint.h>
#include <libavutil/avutil.h>
#include <libavutil/common.h>

int rd_outseek_whole(const RdContract *c)
{
    /* frame numbers count from the input's first frame, not the output's */
    return (c->kind != RD_FC_LOCAL && c->kind != RD_FC_WINDOW) || !c->keeps_times || c->numbered;
}

/* The length of `vf` without a trailing "[out]" label (and blanks), or -1
 * when it has none. */
static int labelled_end(const char *vf)
{
    int n = (int)strlen(vf);
    while (n > 0 && strchr(" \t\n\r", vf[n - 1]))
        n--;
    if (n < 5 || strncmp(vf + n - 5, "[out]", 5))
        return -1;
    return n - 5;
}

char *rd_outseek_graph(const char *vf, int64_t origin, int64_t start_us, int64_t duration_us)
{
    AVBPrint b;
    char *out = NULL;
    int64_t from = start_us == AV_NOPTS_VALUE ? 0 : origin + start_us;
    int cut = vf && *vf ? labelled_end(vf) : -1;
    const char *sep = ",";

    av_bprint_init(&b, 0, AV_BPRINT_SIZE_UNLIMITED);
    if (!vf || !*vf) {
        av_bprintf(&b, "null");
    } else if (cut >= 0) {
        av_bprintf(&b, "%.*s[rd_outseek];[rd_outseek]", cut, vf);
        sep = "";
    } else {
        av_bprintf(&b, "%s", vf);
    }
    /* Microseconds written out as seconds: the trim reads them back
     * exactly and rescales them to its link's time base, as ffmpeg's. */
    /* Named, so that a line about it says "the output's -ss/-t", not a
     * filter the user never wrote (contract.c). */
    av_bprintf(&b, "%strim@" RD_OUTSEEK_TRIM "=", sep);
    if (start_us != AV_NOPTS_VALUE)
        av_bprintf(&b, "start=%s%" PRId64 ".%06" PRId64 "%s", from < 0 ? "-" : "",
                   FFABS(from) / 1000000, FFABS(from) % 1000000, duration_us > 0 ? ":" : "");
    if (duration_us > 0)
        av_bprintf(&b, "duration=%" PRId64 ".%06" PRId64, duration_us / 1000000, duration_us % 1000000);
    if (cut >= 0)
        av_bprintf(&b, "[out]");
    if (av_bprint_finalize(&b, &out) < 0)
        return NULL;
    return out;
}
