#include "engine/seidup.h"

#include <string.h>
#include <libavutil/error.h>

#define NAL_SEI 6
#define SEI_USER_DATA_UNREGISTERED 5

void rd_seidup_init(RdSeiDup *s, enum AVCodecID id)
{
    memset(s, 0, sizeof(*s));
    s->on = id == AV_CODEC_ID_H264;
}

/* The next start code (00 00 01) at or after `p`; `end` when none. */
static const uint8_t *next_start(const uint8_t *p, const uint8_t *end)
{
    for (; p + 3 <= end; p++)
        if (!p[0] && !p[1] && p[2] == 1)
            return p;
    return end;
}

/* The UUID of an SEI NAL unit (its header byte at `nal`) whose first
 * message is user data unregistered; 0 when it is something else. The
 * emulation prevention bytes of the first bytes are undone. */
static int sei_uuid(const uint8_t *nal, const uint8_t *end, uint8_t uuid[16])
{
    uint8_t rbsp[64];
    int n = 0, zeros = 0, i = 0, type = 0;

    if ((nal[0] & 0x1f) != NAL_SEI)
        return 0;
    for (const uint8_t *p = nal + 1; p < end && n < (int)sizeof(rbsp); p++) {
        if (zeros >= 2 && *p == 3) {
            zeros = 0;
            continue;
        }
        zeros = *p ? 0 : zeros + 1;
        rbsp[n++] = *p;
    }
    while (i < n && rbsp[i] == 0xff)
        type += rbsp[i++];
    if (i >= n)
        return 0;
    type += rbsp[i++];
    while (i < n && rbsp[i] == 0xff) /* the payload's size */
        i++;
    i++;
    if (type != SEI_USER_DATA_UNREGISTERED || i + 16 > n)
        return 0;
    memcpy(uuid, rbsp + i, 16);
    return 1;
}

static int known(const RdSeiDup *s, const uint8_t uuid[16])
{
    for (int i = 0; i < s->n; i++)
        if (!memcmp(s->uuid[i], uuid, 16))
            return 1;
    return 0;
}

static void learn(RdSeiDup *s, const AVPacket *pkt)
{
    const uint8_t *end = pkt->data + pkt->size, *p = next_start(pkt->data, end);
    uint8_t uuid[16];
    while (p < end) {
        const uint8_t *nal = p + 3, *next = next_start(nal, end);
        if (nal < end && sei_uuid(nal, next, uuid) && !known(s, uuid) && s->n < RD_SEIDUP_MAX)
            memcpy(s->uuid[s->n++], uuid, 16);
        p = next;
    }
}

/* Where NAL unit k's bytes begin: its start code, with the zero byte of a
 * four-byte one (00 00 00 01). `low` is the least it may be. */
static const uint8_t *span_begin(const uint8_t *sc, const uint8_t *low)
{
    return sc > low && sc[-1] == 0 ? sc - 1 : sc;
}

/* Cut the NAL units that repeat a learnt note, each with its start code;
 * every other byte stays, in order. */
static int cut(RdSeiDup *s, AVPacket *pkt)
{
    const uint8_t *end, *sc, *next, *b0, *b1;
    uint8_t *d, uuid[16];
    int w, found = 0, ret;

    end = pkt->data + pkt->size;
    for (sc = next_start(pkt->data, end); sc < end; sc = next_start(sc + 3, end))
        found |= sc + 3 < end && sei_uuid(sc + 3, next_start(sc + 3, end), uuid) && known(s, uuid);
    if (!found)
        return 0;
    if ((ret = av_packet_make_writable(pkt)) < 0)
        return ret;
    d = pkt->data;
    end = d + pkt->size;
    sc = next_start(d, end);
    b0 = span_begin(sc, d);
    w = (int)(b0 - d); /* what comes before the first start code */
    while (sc < end) {
        next = next_start(sc + 3, end);
        b1 = next < end ? span_begin(next, sc + 3) : end;
        if (sc + 3 < end && sei_uuid(sc + 3, next, uuid) && known(s, uuid))
            s->cut++;
        else {
            memmove(d + w, b0, b1 - b0);
            w += (int)(b1 - b0);
        }
        sc = next;
        b0 = b1;
    }
    av_shrink_packet(pkt, w);
    return 0;
}

int rd_seidup_packet(RdSeiDup *s, AVPacket *pkt)
{
    if (!s->on || !pkt->data || pkt->size < 4)
        return 0;
    if (!s->learnt) {
        s->learnt = 1;
        learn(s, pkt);
        return 0;
    }
    return s->n ? cut(s, pkt) : 0;
}
