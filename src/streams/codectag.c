#include "streams/codectag.h"

#include <stdlib.h>
#include <string.h>
#include <libavutil/intreadwrite.h>

uint32_t rd_codectag_parse(const char *arg)
{
    char *next;
    uint32_t tag = (uint32_t)strtol(arg, &next, 0);
    if (*next) { /* not a number: up to four characters, zero-padded */
        uint8_t buf[4] = { 0 };
        size_t n = strlen(arg);
        memcpy(buf, arg, n < sizeof(buf) ? n : sizeof(buf));
        tag = AV_RL32(buf);
    }
    return tag;
}

static const char *tag_of(const RdCodecTags *t, enum AVMediaType type)
{
    switch (type) {
    case AVMEDIA_TYPE_VIDEO:      return t->v;
    case AVMEDIA_TYPE_AUDIO:      return t->a;
    case AVMEDIA_TYPE_SUBTITLE:   return t->s;
    case AVMEDIA_TYPE_DATA:       return t->d;
    case AVMEDIA_TYPE_ATTACHMENT: return t->t;
    default:                      return NULL;
    }
}

void rd_codectag_apply(AVFormatContext *oc, const RdCodecTags *t)
{
    if (!t)
        return;
    for (unsigned i = 0; i < oc->nb_streams; i++) {
        AVCodecParameters *par = oc->streams[i]->codecpar;
        const char *arg = tag_of(t, par->codec_type);
        /* ffmpeg's 0 (an empty or zero tag) leaves the muxer's choice. */
        if (arg && rd_codectag_parse(arg))
            par->codec_tag = rd_codectag_parse(arg);
    }
}
