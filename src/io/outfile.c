#include "io/outfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/common.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>
#include <libavutil/random_seed.h>

#include "io/owner.h"

#define NAME_MAX_LEN 4200
#define IO_BUF (256 * 1024)

/* The registry the signal handlers read, without a fixed size: a list that
 * only grows (at most to the most temporary files alive at once), its
 * nodes reused, never freed. A node's name is written only while its state
 * is BUSY, and read by a handler only when LIVE; allocation happens here,
 * never in a handler, so the handler's walk is async-signal-safe. */
enum { FREE, BUSY, LIVE };
typedef struct Node {
    _Atomic int state;
    char *name;          ///< the temporary file; owned
    size_t cap;          ///< bytes allocated for name
    int lockfd;          ///< holds the file's ownership lock (owner.h); -1 = none
    struct Node *next;   ///< set once, before the node is published
} Node;
static _Atomic(Node *) reg_head;

struct RdOutfile {
    int fd;
    int done;           ///< committed: the temporary name no longer exists
    char tmp[NAME_MAX_LEN];
    char path[NAME_MAX_LEN];
};

/* A FREE node, now BUSY: reused, or new and published. NULL: no memory. */
static Node *node_take(void)
{
    Node *n;
    for (n = atomic_load(&reg_head); n; n = n->next) {
        int expect = FREE;
        if (atomic_compare_exchange_strong(&n->state, &expect, BUSY))
            return n;
    }
    if (!(n = calloc(1, sizeof(*n))))
        return NULL;
    atomic_init(&n->state, BUSY);
    n->lockfd = -1;
    n->next = atomic_load(&reg_head);
    while (!atomic_compare_exchange_weak(&reg_head, &n->next, n))
        ;
    return n;
}

/* The LIVE node of `name`, now BUSY; NULL when none. */
static Node *node_find(const char *name)
{
    for (Node *n = atomic_load(&reg_head); n; n = n->next) {
        int expect = LIVE;
        if (atomic_load(&n->state) == LIVE && !strcmp(n->name, name) &&
            atomic_compare_exchange_strong(&n->state, &expect, BUSY))
            return n;
    }
    return NULL;
}

/* Register `name`; `lockfd` (-1 = none) is the registry's from now on. */
static void reg_add(const char *name, int lockfd)
{
    size_t len = strlen(name) + 1;
    Node *n = node_take();
    if (n && n->cap < len) {
        char *p = realloc(n->name, len);
        if (!p) {
            atomic_store(&n->state, FREE);
            n = NULL;
        } else {
            n->name = p;
            n->cap = len;
        }
    }
    if (!n) {
        /* No memory: the file is still removed by the normal clean-up
         * paths, only not from a signal. */
        if (lockfd >= 0)
            close(lockfd);
        return;
    }
    memcpy(n->name, name, len);
    n->lockfd = lockfd;
    atomic_store(&n->state, LIVE);
}

static void node_release(Node *n)
{
    if (n->lockfd >= 0)
        close(n->lockfd);
    n->lockfd = -1;
    atomic_store(&n->state, FREE);
}

static void reg_del(const char *name)
{
    Node *n = node_find(name);
    if (n)
        node_release(n);
}

/* Files already at their final names that count as output only once the
 * run ends well (a muxer's file per frame): blocks that only grow while
 * the run lasts, each name written before the count that publishes it, so
 * that a signal handler reads only whole names. One writer: the merge. */
#define PROV_BLOCK 256
typedef struct Prov {
    _Atomic int n;
    char *names[PROV_BLOCK];
    struct Prov *next;
} Prov;
static _Atomic(Prov *) prov_head;

int rd_outfile_provisional_add(const char *path)
{
    Prov *b = atomic_load(&prov_head);
    char *name;
    if (!b || atomic_load(&b->n) == PROV_BLOCK) {
        if (!(b = calloc(1, sizeof(*b))))
            return AVERROR(ENOMEM);
        b->next = atomic_load(&prov_head);
        atomic_store(&prov_head, b);
    }
    if (!(name = strdup(path)))
        return AVERROR(ENOMEM);
    b->names[atomic_load(&b->n)] = name;
    atomic_fetch_add(&b->n, 1);
    return 0;
}

/* Detach the list (a handler from now on sees none of it), unlink its
 * files when asked, free it. */
static void prov_end(int remove)
{
    Prov *b = atomic_exchange(&prov_head, NULL), *next;
    for (; b; b = next) {
        next = b->next;
        for (int i = 0; i < atomic_load(&b->n); i++) {
            if (remove)
                unlink(b->names[i]);
            free(b->names[i]);
        }
        free(b);
    }
}

void rd_outfile_provisional_keep(void)
{
    prov_end(0);
}

void rd_outfile_provisional_drop(void)
{
    prov_end(1);
}

void rd_outfile_unlink_all(void)
{
    for (Node *n = atomic_load(&reg_head); n; n = n->next)
        if (atomic_load(&n->state) == LIVE)
            unlink(n->name);
    for (Prov *b = atomic_load(&prov_head); b; b = b->next)
        for (int i = 0, n = atomic_load(&b->n); i < n; i++)
            unlink(b->names[i]);
}

static void split_path(const char *path, char *dir, int dirlen, const char **base)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(dir, dirlen, ".");
        *base = path;
    } else {
        snprintf(dir, dirlen, "%.*s", slash == path ? 1 : (int)(slash - path), path);
        *base = slash + 1;
    }
}

/* NAME is BASE (or BASE shortened) + TAG + a decimal id other than ours. */
static int temp_of(const char *name, const char *base, const char *tag)
{
    const char *t = NULL, *p = name;
    size_t plen, tlen = strlen(tag);
    const char *digits;

    while ((p = strstr(p, tag))) /* the last occurrence: BASE may hold TAG too */
        t = p++;
    if (!t)
        return 0;
    plen = (size_t)(t - name);
    digits = t + tlen;
    if (!*digits || strspn(digits, "0123456789") != strlen(digits) || plen == 0 ||
        strncmp(name, base, plen))
        return 0;
    return strtol(digits, NULL, 10) != (long)getpid();
}

int rd_outfile_clean_stale(const char *path, const char *tag)
{
    char dir[NAME_MAX_LEN];
    const char *base;
    struct dirent *de;
    DIR *d;
    int n = 0;

    split_path(path, dir, sizeof(dir), &base);
    if (!*base || !(d = opendir(dir)))
        return 0;
    while ((de = readdir(d)))
        /* Only a dead render's own file for this very name (owner.h):
         * never a user's file named like one, never a live run's. */
        if (temp_of(de->d_name, base, tag) && rd_owner_stale(dirfd(d), de->d_name, base, 1))
            n++;
    closedir(d);
    return n;
}

int rd_outfile_clean_prefix(const char *dir, const char *prefix)
{
    struct dirent *de;
    DIR *d;
    int n = 0;
    if (!(d = opendir(dir && *dir ? dir : ".")))
        return 0;
    while ((de = readdir(d)))
        if (!strncmp(de->d_name, prefix, strlen(prefix)) && rd_owner_stale(dirfd(d), de->d_name, NULL, 1))
            n++;
    closedir(d);
    return n;
}

int rd_outfile_temp_name(char *buf, int len, const char *path, const char *tag)
{
    int ret = rd_owner_temp_name(buf, (size_t)len, path, tag, (long)getpid());
    if (ret < 0 && len > 0)
        buf[0] = 0;
    return ret;
}

/* Create TMP exclusively, marked and locked as render's, standing for KEY.
 * Where the file system allows, it is made unnamed (O_TMPFILE), marked,
 * then linked in: it never exists by name without the marker, so a run
 * killed at any moment leaves nothing another run cannot prove is its own.
 * Elsewhere, O_EXCL then the marker. Returns the descriptor or a negative
 * AVERROR; *lk receives the lock's descriptor (-1: no proof possible). */
static int create_marked(const char *tmp, const char *key, int *lk)
{
    char dir[NAME_MAX_LEN], proc[64];
    const char *base;
    int fd, e;

    split_path(tmp, dir, sizeof(dir), &base);
    if ((fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666)) >= 0) {
        *lk = rd_owner_claim(fd, key);
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        /* link() never follows a symlink at the new name, nor replaces anything. */
        if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0)
            return fd;
        e = errno;
        close(fd);
        if (*lk >= 0)
            close(*lk);
        if (e == EEXIST)
            return AVERROR(EEXIST);
        /* (no /proc, a file system that refuses: the plain way says why) */
    }
    *lk = -1;
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666)) < 0)
        return AVERROR(errno);
    *lk = rd_owner_claim(fd, key);
    return fd;
}

int rd_outfile_create(const char *path, const char *tag, char *tmp, int tmplen)
{
    const char *slash = strrchr(path, '/');
    int fd, lk, ret;
    if ((ret = rd_outfile_temp_name(tmp, tmplen, path, tag)) < 0)
        return ret;
    if ((fd = create_marked(tmp, slash ? slash + 1 : path, &lk)) < 0) {
        tmp[0] = 0;
        return fd;
    }
    /* Registered only once it is ours: a signal must never remove a file
     * someone else put at that name. (A signal in between leaves it for
     * the next run's rd_outfile_clean_stale.) */
    reg_add(tmp, lk);
    return fd;
}

int rd_outfile_create_unique(char *tmpl, int suffixlen)
{
    static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    size_t len = strlen(tmpl);
    char *x = tmpl + len - suffixlen - 6;
    const char *slash = strrchr(tmpl, '/');
    uint32_t r = av_get_random_seed();
    int fd = AVERROR(EEXIST), lk;

    if (suffixlen < 0 || len < (size_t)suffixlen + 6 || strncmp(x, "XXXXXX", 6))
        return AVERROR(EINVAL);
    for (int tries = 0; tries < 100 && fd == AVERROR(EEXIST); tries++) {
        for (int i = 0; i < 6; i++) {
            r = r * 1664525u + 1013904223u;
            x[i] = chars[(r >> 16) % (sizeof(chars) - 1)];
        }
        fd = create_marked(tmpl, slash ? slash + 1 : tmpl, &lk);
    }
    if (fd < 0)
        return fd;
    close(fd);
    reg_add(tmpl, lk);
    return 0;
}

int rd_outfile_create_exact(const char *name)
{
    const char *slash = strrchr(name, '/');
    int fd, lk;
    if ((fd = create_marked(name, slash ? slash + 1 : name, &lk)) < 0)
        return fd;
    close(fd);
    reg_add(name, lk);
    return 0;
}

static int move_noreplace(const char *tmp, const char *path)
{
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return AVERROR(errno);
    /* A file system without RENAME_NOREPLACE: link fails on an existing name too. */
    if (link(tmp, path) < 0)
        return AVERROR(errno);
    unlink(tmp);
    return 0;
}

int rd_outfile_commit(const char *tmp, const char *path, int overwrite)
{
    Node *t = node_find(tmp), *p;
    int ret;
    if (overwrite)
        ret = rename(tmp, path) < 0 ? AVERROR(errno) : 0;
    else
        ret = move_noreplace(tmp, path);
    if (ret < 0)
        unlink(tmp);
    /* A registered temporary file renamed onto another (a sweep's point onto
     * its scratch output) keeps the lock of the file now at that name. */
    if (ret >= 0 && t && (p = node_find(path))) {
        FFSWAP(int, p->lockfd, t->lockfd);
        atomic_store(&p->state, LIVE);
    } else if (ret >= 0 && t)
        rd_owner_unmark(t->lockfd); /* a finished file is the user's, not a temporary one */
    if (t)
        node_release(t);
    return ret;
}

void rd_outfile_discard(const char *tmp)
{
    if (!tmp || !*tmp)
        return;
    unlink(tmp);
    reg_del(tmp);
}

/* ---- OUTPUT's temporary file as an AVIOContext ---------------------------- */

static int io_write(void *opaque, uint8_t *buf, int size)
{
    RdOutfile *f = opaque;
    int done = 0;
    while (done < size) {
        ssize_t w = write(f->fd, buf + done, size - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return AVERROR(errno);
        if (w == 0)
            return AVERROR(EIO);
        done += (int)w;
    }
    return size;
}

static int64_t io_seek(void *opaque, int64_t off, int whence)
{
    RdOutfile *f = opaque;
    struct stat st;
    off_t r;
    if (whence & AVSEEK_SIZE)
        return fstat(f->fd, &st) < 0 ? AVERROR(errno) : st.st_size;
    r = lseek(f->fd, off, whence & ~AVSEEK_FORCE);
    return r < 0 ? AVERROR(errno) : r;
}

int rd_outfile_open_one(RdOutfile **pf, const char *output, AVIOContext **pb, char *err, int errlen)
{
    RdOutfile *f;
    uint8_t *buf;
    int fd;

    *pb = NULL;
    if (!(f = *pf = av_mallocz(sizeof(*f))))
        return AVERROR(ENOMEM);
    f->fd = -1;
    snprintf(f->path, sizeof(f->path), "%s", output);
    if ((fd = rd_outfile_create(output, RD_OUTFILE_PART, f->tmp, sizeof(f->tmp))) < 0) {
        char name[NAME_MAX_LEN];
        rd_outfile_temp_name(name, sizeof(name), output, RD_OUTFILE_PART);
        snprintf(err, errlen, "cannot create the temporary file %s: %s%s", *name ? name : output, av_err2str(fd),
                 fd == AVERROR(EEXIST) ? " (something is already there; not touched)" : "");
        return fd;
    }
    f->fd = fd;
    if (!(buf = av_malloc(IO_BUF)))
        return AVERROR(ENOMEM);
    if (!(*pb = avio_alloc_context(buf, IO_BUF, 1, f, NULL, io_write, io_seek))) {
        av_free(buf);
        return AVERROR(ENOMEM);
    }
    return 0;
}

int rd_outfile_open(RdOutfile **pf, const char *output, AVIOContext **pb, char *err, int errlen)
{
    rd_outfile_clean_stale(output, RD_OUTFILE_PART);
    return rd_outfile_open_one(pf, output, pb, err, errlen);
}

int rd_outfile_io_refuse(struct AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                         AVDictionary **options)
{
    (void)s;
    (void)url;
    (void)flags;
    (void)options;
    *pb = NULL;
    return AVERROR(EPERM);
}

int rd_outfile_io_read_back(struct AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                            AVDictionary **options)
{
    const RdOutfile *f = s->opaque;
    char path[sizeof(f->tmp) + 8];
    (void)options;
    *pb = NULL;
    /* A muxer that opens its files itself (image2, one image: -frames:v 1)
     * writes its one file, OUTPUT, into the temporary one, once; with
     * image2's -update, once per picture, each over the last. */
    if (f && flags == AVIO_FLAG_WRITE && s->url && !strcmp(url, s->url) && s->oformat &&
        (s->oformat->flags & AVFMT_NOFILE) && s->pb) {
        if (avio_tell(s->pb) && !rd_outfile_rewritable(s))
            return AVERROR(EPERM);
        if (avio_tell(s->pb) && (avio_seek(s->pb, 0, SEEK_SET) < 0 || ftruncate(f->fd, 0) < 0))
            return s->pb->error < 0 ? s->pb->error : AVERROR(errno);
        *pb = s->pb;
        return 0;
    }
    if (!f || flags != AVIO_FLAG_READ || !s->url || strcmp(url, s->url))
        return AVERROR(EPERM);
    /* "file:" so that a name with a colon is not taken for a protocol */
    snprintf(path, sizeof(path), "file:%s", f->tmp);
    return avio_open2(pb, path, AVIO_FLAG_READ, NULL, NULL);
}

int rd_outfile_rewritable(const struct AVFormatContext *s)
{
    int64_t v = 0;
    return s->oformat && !strcmp(s->oformat->name, "image2") && s->priv_data &&
           av_opt_get_int(s->priv_data, "update", 0, &v) >= 0 && v;
}

int rd_outfile_io_close(struct AVFormatContext *s, AVIOContext *pb)
{
    const RdOutfile *f = s->opaque;
    if (pb && pb == s->pb) { /* the temporary file: closed by rd_outfile_finish */
        avio_flush(pb);
        /* a picture written over a longer one (-update) ends here */
        if (!pb->error && f && rd_outfile_rewritable(s) && ftruncate(f->fd, avio_tell(pb)) < 0)
            return AVERROR(errno);
        return pb->error;
    }
    return avio_close(pb);
}

const char *rd_outfile_temp(const RdOutfile *f)
{
    return f ? f->tmp : "";
}

const char *rd_outfile_path(const RdOutfile *f)
{
    return f ? f->path : "";
}

/* Flush and free the context, close the descriptor; the first error wins. */
static int close_io(RdOutfile *f, AVIOContext **pb)
{
    int ret = 0;
    if (*pb) {
        avio_flush(*pb);
        ret = (*pb)->error;
        av_freep(&(*pb)->buffer);
        avio_context_free(pb);
    }
    if (f && f->fd >= 0) {
        if (close(f->fd) < 0 && !ret)
            ret = AVERROR(errno);
        f->fd = -1;
    }
    return ret;
}

int rd_outfile_finish(RdOutfile *f, AVIOContext **pb, int overwrite, char *err, int errlen)
{
    int ret = close_io(f, pb);
    if (ret < 0) {
        snprintf(err, errlen, "cannot write: %s", av_err2str(ret));
        return ret;
    }
    if ((ret = rd_outfile_commit(f->tmp, f->path, overwrite)) < 0) {
        if (ret == AVERROR(EEXIST))
            snprintf(err, errlen, "appeared while rendering; not replaced (use -y to overwrite)");
        else
            snprintf(err, errlen, "cannot rename %s to it: %s", f->tmp, av_err2str(ret));
    }
    f->done = 1; /* committed, or removed by the commit */
    return ret;
}

void rd_outfile_free(RdOutfile **pf, AVIOContext **pb)
{
    RdOutfile *f = *pf;
    close_io(f, pb);
    if (!f)
        return;
    if (!f->done)
        rd_outfile_discard(f->tmp);
    av_freep(pf);
}
