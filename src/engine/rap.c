#include "engine/rap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Bits of a NAL unit's payload, emulation prevention bytes removed. */
typedef struct Bits {
    const uint8_t *p;
    int n, pos;               ///< bytes, bit position
} Bits;

static int get_bit(Bits *b)
{
    if (b->pos >= b->n * 8)
        return -1;
    int v = (b->p[b->pos >> 3] >> (7 - (b->pos & 7))) & 1;
    b->pos++;
    return v;
}

/* Exp-Golomb ue(v); -1 when the data runs out or the code is too long. */
static int64_t get_ue(Bits *b)
{
    int zeros = 0, bit;
    int64_t v = 0;
    while ((bit = get_bit(b)) == 0)
        if (++zeros > 31)
            return -1;
    if (bit < 0)
        return -1;
    for (int i = 0; i < zeros; i++) {
        if ((bit = get_bit(b)) < 0)
            return -1;
        v = v << 1 | bit;
    }
    return (((int64_t)1 << zeros) - 1) + v;
}

/* Copy at most `cap` payload bytes of a NAL unit, dropping the 0x03 of
 * every 00 00 03 sequence. Returns the bytes written. */
static int unescape(uint8_t *dst, int cap, const uint8_t *src, int n)
{
    int o = 0, zeros = 0;
    for (int i = 0; i < n && o < cap; i++) {
        if (zeros >= 2 && src[i] == 3) {
            zeros = 0;
            continue;
        }
        zeros = src[i] ? 0 : zeros + 1;
        dst[o++] = src[i];
    }
    return o;
}

void rd_rap_init(RdRap *r, const AVCodecParameters *par)
{
    const uint8_t *x = par->extradata;
    int n = par->extradata_size;

    memset(r, 0, sizeof(*r));
    r->codec = par->codec_id;
    if (r->codec == AV_CODEC_ID_H264 && n >= 7 && x[0] == 1)
        r->nal_len = (x[4] & 3) + 1;            /* avcC */
    else if (r->codec == AV_CODEC_ID_HEVC && n >= 23 && x[0] == 1)
        r->nal_len = (x[21] & 3) + 1;           /* hvcC */
}

/* The next NAL unit of a packet from offset *pos: sets *nal, returns its
 * size, 0 at the end. */
static int next_nal(const RdRap *r, const uint8_t *d, int n, int *pos, const uint8_t **nal)
{
    int i = *pos;
    if (r->nal_len) {
        uint32_t len = 0;
        if (i + r->nal_len > n)
            return 0;
        for (int k = 0; k < r->nal_len; k++)
            len = len << 8 | d[i + k];
        i += r->nal_len;
        if (len == 0 || len > (uint32_t)(n - i))
            return 0;
        *nal = d + i;
        *pos = i + (int)len;
        return (int)len;
    }
    while (i + 3 <= n && !(d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1))
        i++;
    if (i + 3 > n)
        return 0;
    i += 3;
    int end = i;
    while (end + 3 <= n && !(d[end] == 0 && d[end + 1] == 0 && (d[end + 2] == 1 || d[end + 2] == 0)))
        end++;
    if (end + 3 > n)
        end = n;
    *nal = d + i;
    *pos = end;
    return end - i;
}

/* The recovery_frame_cnt of a recovery point SEI message in an H.264 SEI
 * NAL unit (header byte included); -1 when there is none. */
static int64_t sei_recovery(const uint8_t *nal, int size)
{
    uint8_t *buf = malloc(size > 1 ? size : 1);
    int n, i = 1;
    int64_t found = -1;

    if (!buf)
        return -1;
    n = unescape(buf, size, nal, size);
    while (i + 2 <= n && buf[i] != 0x80) {
        int type = 0, len = 0;
        while (i < n && buf[i] == 0xff)
            type += buf[i++];
        if (i >= n)
            break;
        type += buf[i++];
        while (i < n && buf[i] == 0xff)
            len += buf[i++];
        if (i >= n)
            break;
        len += buf[i++];
        if (len > n - i)
            break;
        if (type == 6) {
            Bits b = { buf + i, len, 0 };
            found = get_ue(&b);
            break;
        }
        i += len;
    }
    free(buf);
    return found;
}

/* The slice header's slice_type is I (or SI). */
static int h264_intra_slice(const uint8_t *nal, int size)
{
    uint8_t buf[32];
    int n = unescape(buf, sizeof(buf), nal + 1, size - 1);
    Bits b = { buf, n, 0 };
    int64_t type;
    if (get_ue(&b) < 0 || (type = get_ue(&b)) < 0)
        return 0;
    return type % 5 == 2 || type % 5 == 4;
}

/* 1 for a random-access point; *recovery gets the recovery point's frame
 * count (-1: none). */
static int h264_rap(const RdRap *r, const AVPacket *pkt, int64_t *recovery)
{
    const uint8_t *nal;
    int pos = 0, size;

    *recovery = -1;
    while ((size = next_nal(r, pkt->data, pkt->size, &pos, &nal)) > 0) {
        int type = nal[0] & 0x1f;
        if (type == 5)
            return 1;
        if (type == 6 && *recovery < 0)
            *recovery = sei_recovery(nal, size);
        if (type == 1)  /* the first slice decides: an open-GOP I picture */
            return *recovery == 0 && h264_intra_slice(nal, size);
    }
    return 0;
}

static int hevc_rap(const RdRap *r, const AVPacket *pkt)
{
    const uint8_t *nal;
    int pos = 0, size;

    while ((size = next_nal(r, pkt->data, pkt->size, &pos, &nal)) > 0) {
        int type = (nal[0] >> 1) & 0x3f;
        if (type < 32)  /* the first VCL unit: BLA, IDR or CRA */
            return type >= 16 && type <= 23;
    }
    return 0;
}

int rd_rap_check(const RdRap *r, const AVPacket *pkt)
{
    if (!(pkt->flags & AV_PKT_FLAG_KEY))
        return 0;
    int64_t recovery;
    switch (r->codec) {
    case AV_CODEC_ID_H264: return h264_rap(r, pkt, &recovery);
    case AV_CODEC_ID_HEVC: return hevc_rap(r, pkt);
    default:               return 1;
    }
}

int64_t rd_rap_recovery(const RdRap *r, const AVPacket *pkt)
{
    int64_t recovery;
    if (!(pkt->flags & AV_PKT_FLAG_KEY) || r->codec != AV_CODEC_ID_H264 || h264_rap(r, pkt, &recovery))
        return -1;
    return recovery > 0 ? recovery : -1;
}

int rd_rap_is_ref(const RdRap *r, const AVPacket *pkt)
{
    const uint8_t *nal;
    int pos = 0, size;
    if (r->codec != AV_CODEC_ID_H264)
        return 0;
    while ((size = next_nal(r, pkt->data, pkt->size, &pos, &nal)) > 0) {
        int type = nal[0] & 0x1f;
        if (type == 1 || type == 5)
            return (nal[0] >> 5) != 0;
    }
    return 0;
}
