#include "io/fileseq.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libavformat/avformat.h>
#include <libavutil/common.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>

#include "io/outfile.h"

#define OPEN_MAX_FILES 8   /* image2 holds one file open, or one per plane */

struct RdFileSeq {
    int overwrite;
    int done;             ///< finished: the files are the user's
    int error;            ///< the first error a file met
    char err[6144];
    int64_t bytes;
};

/* ---- the pattern ---------------------------------------------------------- */

/* Copy one literal part of a pattern, %% as %. Returns its end or NULL. */
static const char *literal(char *dst, size_t len, const char *src, int *pct)
{
    size_t n = 0;
    for (; *src; src++) {
        if (*src == '%' && src[1] == '%')
            src++;
        else if (*src == '%') {
            *pct = 1;
            break;
        }
        if (n + 1 >= len)
            return NULL;
        dst[n++] = *src;
    }
    dst[n] = 0;
    return src;
}

int rd_pattern_parse(RdPattern *p, const char *pattern)
{
    const char *slash = strrchr(pattern, '/'), *base = slash ? slash + 1 : pattern, *s, *d;
    char dir[sizeof(p->dir)];
    int pct = 0;
    long w;

    memset(p, 0, sizeof(*p));
    if (slash && (size_t)(slash - pattern) >= sizeof(dir))
        return AVERROR(ENAMETOOLONG);
    /* av_get_frame_filename reads the directory too: %% there is a % */
    snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - pattern) : 0, pattern);
    if (!literal(p->dir, sizeof(p->dir), slash == pattern ? "/" : slash ? dir : ".", &pct) || pct)
        return AVERROR(EINVAL); /* a number in the directory: not a sequence this handles */
    if (!(s = literal(p->prefix, sizeof(p->prefix), base, &pct)) || !pct)
        return AVERROR(EINVAL);
    for (w = 0, d = s + 1; *d >= '0' && *d <= '9' && w <= 32; d++)
        w = w * 10 + (*d - '0');
    if (*d != 'd' || w > 32)
        return AVERROR(EINVAL);
    p->width = (int)w;
    pct = 0;
    if (!literal(p->suffix, sizeof(p->suffix), d + 1, &pct) || pct)
        return AVERROR(EINVAL);
    return 0;
}

int rd_pattern_match(const RdPattern *p, const char *name, int64_t *num)
{
    size_t lp = strlen(p->prefix), ls = strlen(p->suffix), ln = strlen(name), nd;
    char digits[40], again[40];
    long long n;

    if (ln < lp + ls + 1 || strncmp(name, p->prefix, lp) || strcmp(name + ln - ls, p->suffix))
        return 0;
    nd = ln - lp - ls;
    if (nd >= sizeof(digits))
        return 0;
    memcpy(digits, name + lp, nd);
    digits[nd] = 0;
    if (strspn(digits, "0123456789") != nd)
        return 0;
    n = strtoll(digits, NULL, 10);
    /* only the spelling the pattern gives that number (%04d: 0007, 12345) */
    snprintf(again, sizeof(again), "%0*lld", p->width, n);
    if (strcmp(again, digits))
        return 0;
    *num = n;
    return 1;
}

int rd_fileseq_wanted(const char *fmt, const char *output)
{
    RdPattern p;
    return fmt && !strcmp(fmt, "image2") && rd_pattern_parse(&p, output) == 0;
}

/* 1 when both name the same file (or, for a pattern, the same sequence). */
static int same_sequence(const RdPattern *out, const char *input)
{
    RdPattern in;
    struct stat a, b;
    if (rd_pattern_parse(&in, input) < 0 || strcmp(in.prefix, out->prefix) || strcmp(in.suffix, out->suffix))
        return 0;
    return stat(in.dir, &a) == 0 && stat(out->dir, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int rd_fileseq_check(const char *pattern, const char *input, int64_t first, int any, int overwrite,
                     char *err, int errlen)
{
    struct stat in_st, st;
    struct dirent *de;
    RdPattern p;
    char found[4400] = "";
    int64_t more = 0, num, low = INT64_MAX;
    int have_in, ret = 0;
    DIR *d;

    if (rd_pattern_parse(&p, pattern) < 0)
        return 0; /* checked as each file is written */
    if (input && same_sequence(&p, input)) {
        snprintf(err, errlen, "%s: output is the input's own sequence of files", pattern);
        return AVERROR(EINVAL);
    }
    have_in = input && stat(input, &in_st) == 0;
    if (!(d = opendir(p.dir)))
        return 0; /* writing the first file says why */
    while ((de = readdir(d))) {
        if (!rd_pattern_match(&p, de->d_name, &num) || (!any && num < first))
            continue;
        if (have_in && fstatat(dirfd(d), de->d_name, &st, 0) == 0 && st.st_dev == in_st.st_dev &&
            st.st_ino == in_st.st_ino) {
            snprintf(err, errlen, "%s: %s would write over the input", pattern, de->d_name);
            ret = AVERROR(EINVAL);
            break;
        }
        if (overwrite)
            continue;
        more += !!*found;
        if (num < low) /* the first the run would write over, by number */
            snprintf(found, sizeof(found), "%s%s%s", strcmp(p.dir, ".") ? p.dir : "",
                     strcmp(p.dir, ".") && strcmp(p.dir, "/") ? "/" : "", de->d_name);
        low = FFMIN(low, num);
    }
    closedir(d);
    if (!ret && *found) {
        if (more)
            snprintf(err, errlen, "%s: already exists, as do %" PRId64 " more files %s names "
                     "(use -y to overwrite)", found, more, pattern);
        else
            snprintf(err, errlen, "%s: already exists (use -y to overwrite)", found);
        ret = AVERROR(EEXIST);
    }
    return ret;
}

/* ---- writing ---------------------------------------------------------------- */

int rd_fileseq_alloc(RdFileSeq **ps, const char *pattern, int overwrite)
{
    RdFileSeq *seq;
    RdPattern p;
    if (!(seq = *ps = av_mallocz(sizeof(*seq))))
        return AVERROR(ENOMEM);
    seq->overwrite = overwrite;
    /* A killed run's temporary files of this sequence (NAME.part-PID,
     * marked as standing for a NAME they start with): removed once here,
     * not before each file. */
    if (rd_pattern_parse(&p, pattern) == 0 && *p.prefix)
        rd_outfile_clean_prefix(p.dir, p.prefix);
    return 0;
}

static void remember(RdFileSeq *seq, int ret, const char *path, const char *why)
{
    if (seq->error)
        return;
    seq->error = ret;
    snprintf(seq->err, sizeof(seq->err), "%s: %s", path, why);
}

int rd_fileseq_io_open(struct AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                       AVDictionary **options)
{
    RdFileSeq *seq = s->opaque;
    RdOutfile *f = NULL;
    char why[1024];
    int ret;
    (void)options;
    *pb = NULL;
    if (flags != AVIO_FLAG_WRITE) /* nothing is read back */
        return AVERROR(EPERM);
    if (seq->error)
        return seq->error;
    if ((ret = rd_outfile_open_one(&f, url, pb, why, sizeof(why))) < 0) {
        remember(seq, ret, url, why);
        rd_outfile_free(&f, pb);
    }
    return ret;
}

int rd_fileseq_io_close(struct AVFormatContext *s, AVIOContext *pb)
{
    RdFileSeq *seq = s->opaque;
    RdOutfile *f;
    char why[1024], path[4200];
    int64_t size;
    int ret;
    if (!pb)
        return 0;
    f = pb->opaque;
    size = avio_tell(pb);
    snprintf(path, sizeof(path), "%s", rd_outfile_path(f));
    ret = rd_outfile_finish(f, &pb, seq->overwrite, why, sizeof(why));
    if (ret == AVERROR(EEXIST))
        snprintf(why, sizeof(why), "already exists (use -y to overwrite)");
    if (ret >= 0 && (ret = rd_outfile_provisional_add(path)) < 0) {
        unlink(path);
        snprintf(why, sizeof(why), "%s", av_err2str(ret));
    }
    if (ret < 0)
        remember(seq, ret, path, why);
    else
        seq->bytes += size;
    rd_outfile_free(&f, &pb);
    return ret;
}

int rd_fileseq_error(const RdFileSeq *seq, char *err, int errlen)
{
    if (seq && seq->error)
        snprintf(err, errlen, "%s", seq->err);
    return seq ? seq->error : 0;
}

int rd_fileseq_finish(RdFileSeq *seq, int64_t *bytes, char *err, int errlen)
{
    int ret = rd_fileseq_error(seq, err, errlen);
    if (ret < 0)
        return ret;
    rd_outfile_provisional_keep();
    seq->done = 1;
    *bytes = seq->bytes;
    return 0;
}

void rd_fileseq_free(RdFileSeq **ps)
{
    if (!*ps)
        return;
    if (!(*ps)->done)
        rd_outfile_provisional_drop();
    av_freep(ps);
}

int rd_fileseq_one_image(const struct AVFormatContext *oc, const RdFileSeq *seq, int64_t written,
                         char *err, int errlen)
{
    if (seq || written < 1 || strcmp(oc->oformat->name, "image2") || rd_outfile_rewritable(oc))
        return 0;
    snprintf(err, errlen, "the name holds one image (it has no number) and the video has more than one "
             "frame: give the files a number (out_%%04d.png), or keep the first with -frames:v 1");
    return AVERROR(EINVAL);
}

int rd_fileseq_attach(struct AVFormatContext *oc, const char *output, int overwrite, RdOutfile **of,
                      RdFileSeq **seq, char *err, int errlen)
{
    int ret;
    oc->flags |= AVFMT_FLAG_CUSTOM_IO;
    if (!strcmp(oc->oformat->name, "null")) { /* -f null: no file at all */
        oc->io_open = rd_outfile_io_refuse;
        return 0;
    }
    if (rd_fileseq_wanted(oc->oformat->name, output)) {
        if ((ret = rd_fileseq_alloc(seq, output, overwrite)) < 0)
            return ret;
        oc->io_open = rd_fileseq_io_open;
        oc->io_close2 = rd_fileseq_io_close;
        oc->opaque = *seq;
        return 0;
    }
    if ((ret = rd_outfile_open(of, output, &oc->pb, err, errlen)) < 0)
        return ret;
    /* one file, the temporary one, which a muxer may read back (+faststart) */
    oc->io_open = rd_outfile_io_read_back;
    oc->io_close2 = rd_outfile_io_close;
    oc->opaque = *of;
    return 0;
}
