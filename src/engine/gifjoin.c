#include "engine/gifjoin.h"

#include <stdio.h>
#include <string.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>

/* Length of the header a GIF packet opens with ("GIF87a"/"GIF89a", the
 * 7-byte screen descriptor, the global colour table its flags announce),
 * or 0 when it opens with none. */
static int header_len(const AVPacket *p)
{
    int len;
    if (p->size < 13 || (memcmp(p->data, "GIF87a", 6) && memcmp(p->data, "GIF89a", 6)))
        return 0;
    len = 13 + (p->data[10] & 0x80 ? 3 << ((p->data[10] & 7) + 1) : 0);
    return len <= p->size ? len : 0;
}

int rd_gifjoin_packet(RdGifJoin *g, AVPacket *p, char *err, int errlen)
{
    int len;
    if (!g->on || !(len = header_len(p)))
        return 0;
    if (!g->head) {
        if (!(g->head = av_memdup(p->data + 6, len - 6)))
            return AVERROR(ENOMEM);
        g->head_len = len - 6;
        return 0;
    }
    if (len - 6 != g->head_len || memcmp(p->data + 6, g->head, g->head_len)) {
        snprintf(err, errlen, "the GIF encoder gave a chunk another global palette than the "
                 "first one: its frames cannot join one GIF file (use -w 1, or -c:v gif into "
                 "another container)");
        return AVERROR_PATCHWELCOME;
    }
    p->data += len;
    p->size -= len;
    return 0;
}

void rd_gifjoin_free(RdGifJoin *g)
{
    av_freep(&g->head);
    g->head_len = 0;
}
