/*
 * journal_pack.c - a chunk's packets as bytes and back (journal.h).
 *
 * Varints (LEB128, signed ones zigzagged) keep the overhead per packet to a
 * few bytes: presentation times are stored as the step from the previous
 * packet's and decode times as their distance below the presentation time,
 * both small. Every packet keeps its flags, duration and side data, so the
 * muxer sees exactly what the encoder gave.
 */
#include "engine/journal.h"

#include <string.h>
#include <libavutil/mem.h>

typedef struct Out {
    uint8_t *buf;
    size_t len, cap;
    int err;
} Out;

typedef struct In {
    const uint8_t *p, *end;
    int err;
} In;

static void put_bytes(Out *o, const void *src, size_t n)
{
    if (o->err)
        return;
    if (o->len + n > o->cap) {
        size_t cap = o->cap ? o->cap : 256;
        uint8_t *b;
        while (cap < o->len + n)
            cap *= 2;
        if (!(b = av_realloc(o->buf, cap))) {
            o->err = AVERROR(ENOMEM);
            return;
        }
        o->buf = b;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, src, n);
    o->len += n;
}

static void put_u(Out *o, uint64_t v)
{
    uint8_t b[10];
    int n = 0;
    do {
        b[n] = v & 0x7f;
        v >>= 7;
        b[n++] |= v ? 0x80 : 0;
    } while (v);
    put_bytes(o, b, n);
}

static void put_s(Out *o, int64_t v)
{
    put_u(o, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static uint64_t get_u(In *in)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        uint8_t b;
        if (in->p >= in->end) {
            in->err = 1;
            return 0;
        }
        b = *in->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    in->err = 1;
    return 0;
}

static int64_t get_s(In *in)
{
    uint64_t u = get_u(in);
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* A count or size that must fit what is left of the buffer (each item at
 * least `unit` bytes) and an int. */
static int get_count(In *in, size_t unit)
{
    uint64_t v = get_u(in);
    if (in->err || v > INT32_MAX || (unit && v > (uint64_t)(in->end - in->p) / unit)) {
        in->err = 1;
        return 0;
    }
    return (int)v;
}

/* Times are subtracted only when both exist; the difference of two valid
 * int64 times may still overflow, so it wraps as unsigned (and back). */
static int64_t diff(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a - (uint64_t)b);
}

static int64_t add(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

enum { NO_PTS = 1, NO_DTS = 2, FLAG_SHIFT = 2 };

/* Data first: av_new_packet() resets every other field. */
static void put_packet(Out *o, const AVPacket *p, int64_t *prev_pts)
{
    int nopts = p->pts == AV_NOPTS_VALUE, nodts = p->dts == AV_NOPTS_VALUE;
    put_u(o, p->size);
    put_bytes(o, p->data, p->size);
    put_u(o, ((uint64_t)(uint32_t)p->flags << FLAG_SHIFT) | (nopts ? NO_PTS : 0) | (nodts ? NO_DTS : 0));
    if (!nopts) {
        put_s(o, diff(p->pts, *prev_pts));
        *prev_pts = p->pts;
    }
    if (!nodts)
        put_s(o, nopts ? p->dts : diff(p->pts, p->dts));
    put_s(o, p->duration);
    put_u(o, p->side_data_elems);
    for (int i = 0; i < p->side_data_elems; i++) {
        put_u(o, p->side_data[i].type);
        put_u(o, p->side_data[i].size);
        put_bytes(o, p->side_data[i].data, p->side_data[i].size);
    }
}

int rd_journal_pack(const RdChunkResult *r, uint8_t **buf, size_t *len)
{
    Out o = { 0 };
    int64_t prev = 0;
    put_s(&o, r->decoded);
    put_s(&o, r->frames);
    put_s(&o, r->wasted);
    put_s(&o, r->bytes);
    put_s(&o, r->damaged);
    put_u(&o, r->reorder_depth < 0 ? 0 : r->reorder_depth);
    put_u(&o, r->n);
    for (int i = 0; i < r->n; i++)
        put_packet(&o, r->pkts[i], &prev);
    if (o.err) {
        av_free(o.buf);
        return o.err;
    }
    *buf = o.buf;
    *len = o.len;
    return 0;
}

/* The counters at the start of a payload (also what rd_journal_open reads
 * of each record without reading its packets). */
static void get_counters(In *in, RdChunkResult *r)
{
    r->decoded = get_s(in);
    r->frames = get_s(in);
    r->wasted = get_s(in);
    r->bytes = get_s(in);
    r->damaged = get_s(in);
    r->reorder_depth = get_count(in, 0);
}

static int get_packet(In *in, AVPacket *p, int64_t *prev_pts)
{
    int size = get_count(in, 1), nside, ret;
    uint64_t head;

    if (in->err)
        return AVERROR_INVALIDDATA;
    if ((ret = av_new_packet(p, size)) < 0)
        return ret;
    memcpy(p->data, in->p, size);
    in->p += size;
    head = get_u(in);
    p->flags = (int)(uint32_t)(head >> FLAG_SHIFT);
    if (!(head & NO_PTS))
        *prev_pts = p->pts = add(*prev_pts, get_s(in));
    if (!(head & NO_DTS))
        p->dts = head & NO_PTS ? get_s(in) : diff(p->pts, get_s(in));
    p->duration = get_s(in);
    nside = get_count(in, 2);
    for (int i = 0; i < nside && !in->err; i++) {
        int type = get_count(in, 0), sz;
        uint8_t *sd;
        sz = get_count(in, 1);
        if (in->err)
            break;
        if (!(sd = av_packet_new_side_data(p, type, sz)))
            return AVERROR(ENOMEM);
        memcpy(sd, in->p, sz);
        in->p += sz;
    }
    return in->err ? AVERROR_INVALIDDATA : 0;
}

int rd_journal_unpack(const uint8_t *buf, size_t len, RdChunkResult *r)
{
    In in = { buf, buf + len, 0 };
    int64_t prev = 0;
    int n, ret = 0;

    get_counters(&in, r);
    n = get_count(&in, 4); /* a packet takes at least four bytes (size, flags, duration, side data count) */
    if (in.err)
        return AVERROR_INVALIDDATA;
    if (n && !(r->pkts = av_calloc(n, sizeof(*r->pkts))))
        return AVERROR(ENOMEM);
    r->cap = n;
    for (int i = 0; i < n && ret >= 0; i++) {
        if (!(r->pkts[i] = av_packet_alloc())) {
            ret = AVERROR(ENOMEM);
            break;
        }
        r->n = i + 1;
        ret = get_packet(&in, r->pkts[i], &prev);
    }
    if (ret >= 0 && in.p != in.end)
        ret = AVERROR_INVALIDDATA; /* trailing bytes: not what pack wrote */
    if (ret < 0)
        rd_chunk_result_free(r);
    return ret;
}

int rd_journal_peek(const uint8_t *buf, size_t len, RdChunkResult *r)
{
    In in = { buf, buf + len, 0 };
    get_counters(&in, r);
    return in.err ? AVERROR_INVALIDDATA : 0;
}
