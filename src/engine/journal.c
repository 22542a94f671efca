/*
 * journal.c - the journal file (journal.h): header, records, checks.
 *
 * Layout, little-endian:
 *   header: "RDJRNL2\n", u32 key length, key, u32 chunks, per chunk
 *           i64 first, last, preroll_from, seek_from, postroll_to and f64 cost,
 *           u32 CRC-32 of all that
 *   record: u32 "RDJC", u32 chunk, u64 payload length, u32 payload CRC,
 *           u32 CRC of these 20 bytes, then the payload (journal_pack.c)
 */
#include "engine/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libavutil/crc.h>
#include <libavutil/intreadwrite.h>
#include <libavutil/mem.h>

#include "io/outfile.h"

#define MAGIC       "RDJRNL2\n"
#define MAGIC_LEN   8
#define REC_MAGIC   0x434a4452u   /* "RDJC" */
#define REC_HEAD    24
#define MAX_KEY     (1 << 20)
#define MAX_CHUNKS  (1 << 22)
#define PLAN_ENTRY  48
#define PEEK        80            /* the counters fit in this (6 varints) */
#define BLOCK       (1 << 20)

typedef struct Entry {
    RdJournalEntry pub;
    uint32_t crc;
} Entry;

struct RdJournal {
    int fd;
    char path[4096];
    char *key;
    RdPlan plan;
    Entry *e;              ///< plan.n entries
    int damaged, added;
    int64_t end;           ///< where the next record goes (after the last sound one)
    int64_t size;          ///< file size when opened; a torn tail beyond `end` is cut before appending
    uint64_t dev, ino;
    omp_lock_t lock;
};

static uint32_t crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    return av_crc(av_crc_get_table(AV_CRC_32_IEEE_LE), crc, p, n);
}

static int read_at(int fd, void *buf, size_t n, int64_t off)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(fd, (uint8_t *)buf + done, n - done, off + done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return AVERROR(errno);
        if (r == 0)
            return AVERROR_EOF;
        done += r;
    }
    return 0;
}

static int write_at(int fd, const void *buf, size_t n, int64_t off)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = pwrite(fd, (const uint8_t *)buf + done, n - done, off + done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return AVERROR(errno);
        if (w == 0)
            return AVERROR(EIO);
        done += w;
    }
    return 0;
}

static RdJournal *alloc_journal(const char *path)
{
    RdJournal *j = av_mallocz(sizeof(*j));
    if (!j)
        return NULL;
    j->fd = -1;
    snprintf(j->path, sizeof(j->path), "%s", path);
    omp_init_lock(&j->lock);
    return j;
}

/* ---- header ---------------------------------------------------------------- */

static int header_bytes(const char *key, const RdPlan *plan, uint8_t **out, size_t *len)
{
    size_t klen = strlen(key), n = MAGIC_LEN + 4 + klen + 4 + (size_t)plan->n * PLAN_ENTRY + 4;
    uint8_t *b = av_malloc(n), *p = b;
    if (!b)
        return AVERROR(ENOMEM);
    memcpy(p, MAGIC, MAGIC_LEN);
    p += MAGIC_LEN;
    AV_WL32(p, (uint32_t)klen);
    memcpy(p + 4, key, klen);
    p += 4 + klen;
    AV_WL32(p, (uint32_t)plan->n);
    p += 4;
    for (int i = 0; i < plan->n; i++, p += PLAN_ENTRY) {
        const RdChunkPlan *c = &plan->c[i];
        union { double d; uint64_t u; } cost = { .d = c->cost };
        AV_WL64(p, c->first);
        AV_WL64(p + 8, c->last);
        AV_WL64(p + 16, c->preroll_from);
        AV_WL64(p + 24, c->seek_from);
        AV_WL64(p + 32, c->postroll_to);
        AV_WL64(p + 40, cost.u);
    }
    AV_WL32(p, crc32(0, b, p - b));
    *out = b;
    *len = n;
    return 0;
}

/* 0 sound, 2 damaged (or torn), <0 not a journal or unreadable. */
static int read_header(RdJournal *j, char *err, int errlen)
{
    uint8_t head[MAGIC_LEN + 4], *b = NULL;
    uint32_t klen, n;
    size_t len;
    int ret;

    if ((ret = read_at(j->fd, head, sizeof(head), 0)) < 0 || memcmp(head, MAGIC, MAGIC_LEN)) {
        snprintf(err, errlen, "%s: is not a render journal; not touched (remove it, or choose "
                 "another OUTPUT)", j->path);
        return ret < 0 && ret != AVERROR_EOF ? ret : AVERROR(EEXIST);
    }
    klen = AV_RL32(head + MAGIC_LEN);
    if (klen > MAX_KEY)
        goto damaged;
    len = MAGIC_LEN + 4 + (size_t)klen + 4;
    if (!(b = av_malloc(len)))
        return AVERROR(ENOMEM);
    if (read_at(j->fd, b, len, 0) < 0)
        goto damaged;
    n = AV_RL32(b + len - 4);
    if (n < 1 || n > MAX_CHUNKS)
        goto damaged;
    {
        size_t total = len + (size_t)n * PLAN_ENTRY + 4;
        uint8_t *nb = av_realloc(b, total), *p;
        if (!nb) {
            av_free(b);
            return AVERROR(ENOMEM);
        }
        b = nb;
        if (read_at(j->fd, b + len, total - len, len) < 0 ||
            crc32(0, b, total - 4) != AV_RL32(b + total - 4))
            goto damaged;
        if (!(j->key = av_malloc(klen + 1)) || !(j->plan.c = av_calloc(n, sizeof(*j->plan.c))) ||
            !(j->e = av_calloc(n, sizeof(*j->e)))) {
            av_free(b);
            return AVERROR(ENOMEM);
        }
        memcpy(j->key, b + MAGIC_LEN + 4, klen);
        j->key[klen] = 0;
        j->plan.n = n;
        p = b + len;
        for (uint32_t i = 0; i < n; i++, p += PLAN_ENTRY) {
            RdChunkPlan *c = &j->plan.c[i];
            union { double d; uint64_t u; } cost = { .u = AV_RL64(p + 40) };
            c->first = (int64_t)AV_RL64(p);
            c->last = (int64_t)AV_RL64(p + 8);
            c->preroll_from = (int64_t)AV_RL64(p + 16);
            c->seek_from = (int64_t)AV_RL64(p + 24);
            c->postroll_to = (int64_t)AV_RL64(p + 32);
            c->cost = cost.d;
        }
        j->end = total;
    }
    av_free(b);
    return 0;
damaged:
    av_free(b);
    snprintf(err, errlen, "%s: the journal's header is damaged", j->path);
    return 2;
}

/* ---- records ----------------------------------------------------------------- */

static void record_head(uint8_t *h, int chunk, uint64_t len, uint32_t crc)
{
    AV_WL32(h, REC_MAGIC);
    AV_WL32(h + 4, (uint32_t)chunk);
    AV_WL64(h + 8, len);
    AV_WL32(h + 16, crc);
    AV_WL32(h + 20, crc32(0, h, 20));
}

/* CRC of `len` bytes at `off`, and the counters from its first bytes. */
static int payload_crc(RdJournal *j, int64_t off, int64_t len, uint32_t *crc, RdChunkResult *cnt)
{
    uint8_t *buf = av_malloc(len < BLOCK ? (len ? len : 1) : BLOCK);
    uint32_t c = 0;
    int ret = 0;
    if (!buf)
        return AVERROR(ENOMEM);
    for (int64_t done = 0; done < len && ret >= 0; ) {
        int64_t n = len - done < BLOCK ? len - done : BLOCK;
        if ((ret = read_at(j->fd, buf, n, off + done)) < 0)
            break;
        if (!done)
            ret = rd_journal_peek(buf, n < PEEK ? n : PEEK, cnt);
        c = crc32(c, buf, n);
        done += n;
    }
    av_free(buf);
    *crc = c;
    return ret;
}

/* Every record whose header is sound is looked at; the first sound copy of
 * a chunk is kept. The scan stops at a damaged header or a torn record. */
static int scan_records(RdJournal *j)
{
    int64_t off = j->end;
    for (;;) {
        uint8_t h[REC_HEAD];
        RdChunkResult cnt = { 0 };
        uint32_t chunk, crc = 0;
        uint64_t len;
        int ret;

        if (read_at(j->fd, h, REC_HEAD, off) < 0 || AV_RL32(h) != REC_MAGIC ||
            AV_RL32(h + 20) != crc32(0, h, 20))
            break;
        chunk = AV_RL32(h + 4);
        len = AV_RL64(h + 8);
        if (len > (uint64_t)(j->size - off - REC_HEAD))
            break; /* torn: the run died while writing it */
        ret = payload_crc(j, off + REC_HEAD, (int64_t)len, &crc, &cnt);
        if (ret == AVERROR(ENOMEM) || ret == AVERROR(EIO))
            return ret;
        if (ret < 0 || crc != AV_RL32(h + 16) || chunk >= (uint32_t)j->plan.n)
            j->damaged++;
        else if (!j->e[chunk].pub.present) {
            RdJournalEntry *e = &j->e[chunk].pub;
            e->present = 1;
            e->offset = off + REC_HEAD;
            e->length = (int64_t)len;
            e->decoded = cnt.decoded;
            e->frames = cnt.frames;
            e->wasted = cnt.wasted;
            e->bytes = cnt.bytes;
            e->damaged = cnt.damaged;
            e->reorder_depth = cnt.reorder_depth;
            j->e[chunk].crc = crc;
        }
        off += REC_HEAD + (int64_t)len;
        j->end = off;
    }
    return 0;
}

int rd_journal_open(RdJournal **pj, const char *path, char *err, int errlen)
{
    RdJournal *j;
    struct stat st;
    int ret;

    *pj = NULL;
    if (!(j = alloc_journal(path)))
        return AVERROR(ENOMEM);
    if ((j->fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        int e = errno;
        rd_journal_close(&j, 0);
        if (e == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: %s; not touched", path,
                 e == ELOOP ? "is a symbolic link" : av_err2str(AVERROR(e)));
        return AVERROR(e);
    }
    if (fstat(j->fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
        int regular = fstat(j->fd, &st) == 0 && S_ISREG(st.st_mode);
        snprintf(err, errlen, "%s: %s; not touched", path,
                 !regular ? "is not a regular file" : "has other hard links");
        rd_journal_close(&j, 0);
        return AVERROR(EINVAL);
    }
    j->dev = st.st_dev;
    j->ino = st.st_ino;
    j->size = st.st_size;
    if ((ret = read_header(j, err, errlen)) != 0 || (ret = scan_records(j)) < 0) {
        rd_journal_close(&j, 0);
        return ret;
    }
    *pj = j;
    return 1;
}

static void sync_dir(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    int fd;
    snprintf(dir, sizeof(dir), "%.*s", !slash ? 1 : slash == path ? 1 : (int)(slash - path),
             !slash ? "." : path);
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        fsync(fd);
        close(fd);
    }
}

int rd_journal_create(RdJournal **pj, const char *path, const char *key, const RdPlan *plan,
                      int replace, char *err, int errlen)
{
    char tmp[4200];
    uint8_t *head = NULL;
    size_t len;
    struct stat st, st2;
    RdJournal *j;
    int fd = -1, ret;

    *pj = NULL;
    if (!(j = alloc_journal(path)))
        return AVERROR(ENOMEM);
    rd_outfile_clean_stale(path, RD_OUTFILE_TMP);
    tmp[0] = 0;
    if ((ret = header_bytes(key, plan, &head, &len)) < 0)
        goto end;
    if ((fd = ret = rd_outfile_create(path, RD_OUTFILE_TMP, tmp, sizeof(tmp))) < 0) {
        snprintf(err, errlen, "%s: cannot create the journal: %s", path, av_err2str(ret));
        goto end;
    }
    if ((ret = write_at(fd, head, len, 0)) < 0 || (fdatasync(fd) < 0 && (ret = AVERROR(errno))) ||
        (fstat(fd, &st) < 0 && (ret = AVERROR(errno)))) {
        snprintf(err, errlen, "%s: cannot write the journal: %s", path, av_err2str(ret));
        rd_outfile_discard(tmp);
        goto end;
    }
    if ((ret = rd_outfile_commit(tmp, path, replace)) < 0) {
        snprintf(err, errlen, "%s: %s", path, ret == AVERROR(EEXIST)
                 ? "appeared meanwhile; not replaced" : av_err2str(ret));
        goto end;
    }
    sync_dir(path);
    /* Read and written from here on through the name, checked to be the file just made. */
    j->fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    if (j->fd < 0 || fstat(j->fd, &st2) < 0 || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino) {
        snprintf(err, errlen, "%s: the journal was replaced while it was made", path);
        ret = AVERROR(EEXIST);
        goto end;
    }
    j->dev = st.st_dev;
    j->ino = st.st_ino;
    j->end = j->size = (int64_t)len;
    if (!(j->key = av_strdup(key)) || !(j->e = av_calloc(plan->n, sizeof(*j->e))) ||
        !(j->plan.c = av_malloc_array(plan->n, sizeof(*j->plan.c)))) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    memcpy(j->plan.c, plan->c, plan->n * sizeof(*plan->c));
    j->plan.n = plan->n;
    *pj = j;
    j = NULL;
    ret = 0;
end:
    if (fd >= 0)
        close(fd);
    av_free(head);
    rd_journal_close(&j, 0);
    return ret;
}

const char *rd_journal_key(const RdJournal *j)
{
    return j->key;
}

int rd_journal_plan(const RdJournal *j, RdPlan *plan)
{
    memset(plan, 0, sizeof(*plan));
    if (!(plan->c = calloc(j->plan.n, sizeof(*plan->c))))
        return AVERROR(ENOMEM);
    memcpy(plan->c, j->plan.c, j->plan.n * sizeof(*plan->c));
    plan->n = j->plan.n;
    for (int i = 0; i < plan->n; i++) {
        plan->wasted += plan->c[i].first - plan->c[i].seek_from;
        plan->work += plan->c[i].cost;
    }
    return 0;
}

int rd_journal_nchunks(const RdJournal *j)
{
    return j->plan.n;
}

const RdJournalEntry *rd_journal_entry(const RdJournal *j, int i)
{
    return &j->e[i].pub;
}

int rd_journal_damaged(const RdJournal *j)
{
    return j->damaged;
}

void rd_journal_id(const RdJournal *j, uint64_t *dev, uint64_t *ino)
{
    *dev = j->dev;
    *ino = j->ino;
}

int rd_journal_added(const RdJournal *j)
{
    return j->added;
}

int rd_journal_add(RdJournal *j, const RdChunkResult *res)
{
    uint8_t *buf = NULL, h[REC_HEAD];
    size_t len;
    int ret;

    if ((ret = rd_journal_pack(res, &buf, &len)) < 0)
        return ret;
    record_head(h, res->index, len, crc32(0, buf, len));
    omp_set_lock(&j->lock);
    /* A torn record of the killed run is cut off before the first new one. */
    if (j->size > j->end && ftruncate(j->fd, j->end) < 0)
        ret = AVERROR(errno);
    else
        j->size = j->end;
    /* The payload goes first: a record's header is on disk only once all it
     * covers is, so a run killed in between leaves no sound header. */
    if (ret >= 0 && (ret = write_at(j->fd, buf, len, j->end + REC_HEAD)) >= 0 &&
        (ret = write_at(j->fd, h, REC_HEAD, j->end)) >= 0 && fdatasync(j->fd) < 0)
        ret = AVERROR(errno);
    if (ret >= 0) {
        j->end += REC_HEAD + (int64_t)len;
        j->size = j->end;
        j->added++;
    } else
        j->size = j->end + REC_HEAD + (int64_t)len; /* whatever got there is cut next time */
    omp_unset_lock(&j->lock);
    av_free(buf);
    return ret;
}

int rd_journal_load(RdJournal *j, int i, RdChunkResult *res)
{
    const Entry *e = &j->e[i];
    uint8_t *buf;
    int ret;

    if (i < 0 || i >= j->plan.n || !e->pub.present)
        return AVERROR(EINVAL);
    if (!(buf = av_malloc(e->pub.length ? e->pub.length : 1)))
        return AVERROR(ENOMEM);
    ret = read_at(j->fd, buf, e->pub.length, e->pub.offset);
    if (ret >= 0 && crc32(0, buf, e->pub.length) != e->crc)
        ret = AVERROR_INVALIDDATA;
    if (ret >= 0)
        ret = rd_journal_unpack(buf, e->pub.length, res);
    av_free(buf);
    if (ret == AVERROR_EOF)
        ret = AVERROR_INVALIDDATA;
    res->index = i;
    return ret;
}

void rd_journal_close(RdJournal **pj, int remove)
{
    RdJournal *j = *pj;
    struct stat st;
    if (!j)
        return;
    if (remove && lstat(j->path, &st) == 0 && (uint64_t)st.st_dev == j->dev &&
        (uint64_t)st.st_ino == j->ino)
        unlink(j->path);
    if (j->fd >= 0)
        close(j->fd);
    omp_destroy_lock(&j->lock);
    av_free(j->key);
    av_free(j->plan.c);
    av_free(j->e);
    av_freep(pj);
}
