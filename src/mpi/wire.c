/*
 * wire.c - a finished chunk as one byte string, so it can cross MPI in a
 * single message instead of through files on the shared file system.
 *
 * Layout (native byte order: all ranks share one architecture):
 *   int64 index, n, frames, wasted, bytes, reorder_depth, decoded, damaged,
 *         join_first, join_next, src_at_last
 *   n times: int64 pts, dts, duration; int32 flags, size, nside;
 *            nside times: int32 type, size; data
 *            data
 * The muxer reads nothing else from a chunk's packets (pos and
 * stream_index are set when writing).
 */
#include <string.h>
#include <libavutil/mem.h>

#include "mpi/rdmpi.h"

#define HEAD_BYTES (11 * 8)
#define PKT_BYTES (3 * 8 + 3 * 4)
#define SIDE_BYTES (2 * 4)

typedef struct Cursor {
    uint8_t *p;         ///< writer: next byte
    const uint8_t *r;   ///< reader: next byte
    const uint8_t *end; ///< reader: one past the last byte
} Cursor;

static void put(Cursor *c, const void *v, size_t n)
{
    memcpy(c->p, v, n);
    c->p += n;
}

static void put64(Cursor *c, int64_t v) { put(c, &v, 8); }
static void put32(Cursor *c, int32_t v) { put(c, &v, 4); }

/* Copy n bytes out; AVERROR_INVALIDDATA when the string is shorter. */
static int get(Cursor *c, void *v, size_t n)
{
    if ((size_t)(c->end - c->r) < n)
        return AVERROR_INVALIDDATA;
    memcpy(v, c->r, n);
    c->r += n;
    return 0;
}

static size_t packed_size(const RdChunkResult *r)
{
    size_t len = HEAD_BYTES;
    for (int i = 0; i < r->n; i++) {
        const AVPacket *p = r->pkts[i];
        len += PKT_BYTES + (size_t)p->size;
        for (int k = 0; k < p->side_data_elems; k++)
            len += SIDE_BYTES + p->side_data[k].size;
    }
    return len;
}

int rd_wire_pack(const RdChunkResult *r, uint8_t **buf, size_t *len)
{
    size_t n = packed_size(r);
    Cursor c;

    /* MPI counts are int; msg.c splits, but keep well inside size_t math. */
    if (n > (size_t)INT64_MAX / 2)
        return AVERROR(ERANGE);
    if (!(*buf = av_malloc(n)))
        return AVERROR(ENOMEM);
    c.p = *buf;
    put64(&c, r->index);
    put64(&c, r->n);
    put64(&c, r->frames);
    put64(&c, r->wasted);
    put64(&c, r->bytes);
    put64(&c, r->reorder_depth);
    put64(&c, r->decoded);  /* rank 0 counts damage for the file */
    put64(&c, r->damaged);
    put64(&c, r->join_first); /* rank 0 checks the joins */
    put64(&c, r->join_next);
    put64(&c, r->src_at_last); /* -frames:v: where the other tracks end */
    for (int i = 0; i < r->n; i++) {
        const AVPacket *p = r->pkts[i];
        put64(&c, p->pts);
        put64(&c, p->dts);
        put64(&c, p->duration);
        put32(&c, p->flags);
        put32(&c, p->size);
        put32(&c, p->side_data_elems);
        for (int k = 0; k < p->side_data_elems; k++) {
            put32(&c, p->side_data[k].type);
            put32(&c, (int32_t)p->side_data[k].size);
            put(&c, p->side_data[k].data, p->side_data[k].size);
        }
        if (p->size)
            put(&c, p->data, p->size);
    }
    *len = n;
    return 0;
}

static int get_packet(Cursor *c, AVPacket *p)
{
    int64_t pts, dts, duration;
    int32_t flags, size, nside;
    int ret;

    if ((ret = get(c, &pts, 8)) < 0 || (ret = get(c, &dts, 8)) < 0 ||
        (ret = get(c, &duration, 8)) < 0 || (ret = get(c, &flags, 4)) < 0 ||
        (ret = get(c, &size, 4)) < 0 || (ret = get(c, &nside, 4)) < 0)
        return ret;
    if (size < 0 || nside < 0 || (size_t)(c->end - c->r) < (size_t)size)
        return AVERROR_INVALIDDATA;
    /* av_new_packet resets every field (side data included): it goes first. */
    if ((ret = av_new_packet(p, size)) < 0)
        return ret;
    p->pts = pts;
    p->dts = dts;
    p->duration = duration;
    p->flags = flags;
    for (int k = 0; k < nside; k++) {
        int32_t type, sz;
        uint8_t *sd;
        if ((ret = get(c, &type, 4)) < 0 || (ret = get(c, &sz, 4)) < 0)
            return ret;
        if (sz < 0 || type < 0 || type >= AV_PKT_DATA_NB || (size_t)(c->end - c->r) < (size_t)sz)
            return AVERROR_INVALIDDATA;
        if (!(sd = av_packet_new_side_data(p, type, sz)))
            return AVERROR(ENOMEM);
        if ((ret = get(c, sd, sz)) < 0)
            return ret;
    }
    return get(c, p->data, size);
}

int rd_wire_unpack(const uint8_t *buf, size_t len, RdChunkResult **pres)
{
    RdChunkResult *r = av_mallocz(sizeof(*r));
    Cursor c = { NULL, buf, buf + len };
    int64_t h[11];
    int ret = 0;

    *pres = NULL;
    if (!r)
        return AVERROR(ENOMEM);
    for (int i = 0; i < 11 && ret >= 0; i++)
        ret = get(&c, &h[i], 8);
    if (ret < 0)
        goto end;
    /* Every packet takes at least PKT_BYTES: a count beyond that is garbage. */
    if (h[0] < 0 || h[0] > INT32_MAX || h[1] < 0 || (uint64_t)h[1] > (len - HEAD_BYTES) / PKT_BYTES) {
        ret = AVERROR_INVALIDDATA;
        goto end;
    }
    r->index = (int)h[0];
    r->frames = h[2];
    r->wasted = h[3];
    r->bytes = h[4];
    r->reorder_depth = (int)h[5];
    r->decoded = h[6];
    r->damaged = h[7];
    r->join_first = h[8];
    r->join_next = h[9];
    r->src_at_last = h[10];
    if (h[1] && !(r->pkts = av_calloc(h[1], sizeof(*r->pkts)))) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    r->cap = (int)h[1];
    for (int i = 0; i < h[1]; i++) {
        if (!(r->pkts[i] = av_packet_alloc())) {
            ret = AVERROR(ENOMEM);
            goto end;
        }
        r->n++;
        if ((ret = get_packet(&c, r->pkts[i])) < 0)
            goto end;
    }
    if (c.r != c.end)
        ret = AVERROR_INVALIDDATA;
end:
    if (ret < 0) {
        rd_chunk_result_free(r);
        av_free(r);
        return ret;
    }
    *pres = r;
    return 0;
}
