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
#include <libavutil/mem.h>

#define SLOTS 256
#define NAME_MAX_LEN 4200
#define IO_BUF (256 * 1024)

/* The registry the signal handlers read: a slot's name is written only
 * while its state is BUSY, and read by the handler only when LIVE. */
enum { FREE, BUSY, LIVE };
static char slot_name[SLOTS][NAME_MAX_LEN];
static _Atomic int slot_state[SLOTS];

struct RdOutfile {
    int fd;
    int done;           ///< committed: the temporary name no longer exists
    char tmp[NAME_MAX_LEN];
    char path[NAME_MAX_LEN];
};

static void reg_add(const char *name)
{
    for (int i = 0; i < SLOTS; i++) {
        int expect = FREE;
        if (atomic_compare_exchange_strong(&slot_state[i], &expect, BUSY)) {
            snprintf(slot_name[i], NAME_MAX_LEN, "%s", name);
            atomic_store(&slot_state[i], LIVE);
            return;
        }
    }
    /* Full (256 files at once: two-pass stats of over a hundred chunks): the file is still
     * removed by the normal clean-up paths, only not from a signal. */
}

static void reg_del(const char *name)
{
    for (int i = 0; i < SLOTS; i++) {
        int expect = LIVE;
        if (atomic_load(&slot_state[i]) == LIVE && !strcmp(slot_name[i], name) &&
            atomic_compare_exchange_strong(&slot_state[i], &expect, BUSY)) {
            atomic_store(&slot_state[i], FREE);
            return;
        }
    }
}

void rd_outfile_unlink_all(void)
{
    for (int i = 0; i < SLOTS; i++)
        if (atomic_load(&slot_state[i]) == LIVE)
            unlink(slot_name[i]);
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

int rd_outfile_clean_stale(const char *path, const char *tag)
{
    char dir[NAME_MAX_LEN], prefix[NAME_MAX_LEN];
    const char *base;
    struct dirent *de;
    DIR *d;
    int n = 0;
    size_t plen;

    split_path(path, dir, sizeof(dir), &base);
    if (!*base || (size_t)snprintf(prefix, sizeof(prefix), "%s%s", base, tag) >= sizeof(prefix))
        return 0;
    plen = strlen(prefix);
    if (!(d = opendir(dir)))
        return 0;
    while ((de = readdir(d))) {
        const char *digits = de->d_name + plen;
        char *end;
        long pid;
        if (strncmp(de->d_name, prefix, plen) || !*digits || strspn(digits, "0123456789") != strlen(digits))
            continue;
        errno = 0;
        pid = strtol(digits, &end, 10);
        if (errno || pid <= 0 || pid == (long)getpid())
            continue;
        /* Only when the owner is gone: a live run (ours or another's) keeps its file. */
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        if (unlinkat(dirfd(d), de->d_name, 0) == 0)
            n++;
    }
    closedir(d);
    return n;
}

int rd_outfile_create(const char *path, const char *tag, char *tmp, int tmplen)
{
    int fd;
    if (snprintf(tmp, tmplen, "%s%s%ld", path, tag, (long)getpid()) >= tmplen) {
        tmp[0] = 0;
        return AVERROR(ENAMETOOLONG);
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        int e = errno;
        tmp[0] = 0;
        return AVERROR(e);
    }
    /* Registered only once it is ours: a signal must never remove a file
     * someone else put at that name. (A signal in between leaves it for
     * the next run's rd_outfile_clean_stale.) */
    reg_add(tmp);
    return fd;
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
    int ret;
    if (overwrite)
        ret = rename(tmp, path) < 0 ? AVERROR(errno) : 0;
    else
        ret = move_noreplace(tmp, path);
    if (ret < 0)
        unlink(tmp);
    reg_del(tmp);
    return ret;
}

void rd_outfile_register(const char *tmp)
{
    reg_add(tmp);
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

int rd_outfile_open(RdOutfile **pf, const char *output, AVIOContext **pb, char *err, int errlen)
{
    RdOutfile *f;
    uint8_t *buf;
    int fd;

    *pb = NULL;
    if (!(f = *pf = av_mallocz(sizeof(*f))))
        return AVERROR(ENOMEM);
    f->fd = -1;
    snprintf(f->path, sizeof(f->path), "%s", output);
    rd_outfile_clean_stale(output, RD_OUTFILE_PART);
    if ((fd = rd_outfile_create(output, RD_OUTFILE_PART, f->tmp, sizeof(f->tmp))) < 0) {
        snprintf(err, errlen, "cannot create the temporary file %s" RD_OUTFILE_PART "%ld: %s%s",
                 output, (long)getpid(), av_err2str(fd),
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
    if (!f || flags != AVIO_FLAG_READ || !s->url || strcmp(url, s->url))
        return AVERROR(EPERM);
    /* "file:" so that a name with a colon is not taken for a protocol */
    snprintf(path, sizeof(path), "file:%s", f->tmp);
    return avio_open2(pb, path, AVIO_FLAG_READ, NULL, NULL);
}

const char *rd_outfile_temp(const RdOutfile *f)
{
    return f ? f->tmp : "";
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
