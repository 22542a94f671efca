#include "engine/sampletab.h"

#include <stdio.h>
#include <string.h>
#include <inttypes.h>

int rd_sampletab_check(AVFormatContext *ic, char *err, int errlen)
{
    int64_t fsize;
    if (!ic->iformat || strncmp(ic->iformat->name, "mov,", 4) || !ic->pb ||
        (fsize = avio_size(ic->pb)) <= 0)
        return 0;
    for (unsigned i = 0; i < ic->nb_streams; i++) {
        AVStream *st = ic->streams[i];
        int n = avformat_index_get_entries_count(st);
        if (st->discard == AVDISCARD_ALL) /* hidden by the demuxer (chapter tracks): never read */
            continue;
        for (int k = 0; k < n; k++) {
            const AVIndexEntry *e = avformat_index_get_entry(st, k);
            /* The entry keeps 30 bits: a size from 2^29 on reads negative. */
            int64_t size = e && e->size < 0 ? e->size + (INT64_C(1) << 30) : e ? e->size : 0;
            if (!e || e->pos < 0 || (e->size >= 0 && e->pos + size <= fsize))
                continue;
            snprintf(err, errlen, "stream %u (%s) sample %d claims %" PRId64 " bytes at byte %" PRId64
                     ", past the end of the file (%" PRId64 " bytes): a damaged sample table "
                     "(the ffmpeg CLI's output would end where its demuxer gives up)", i,
                     av_get_media_type_string(st->codecpar->codec_type) ?
                     av_get_media_type_string(st->codecpar->codec_type) : "data",
                     k, size, e->pos, fsize);
            return AVERROR_INVALIDDATA;
        }
    }
    return 0;
}
