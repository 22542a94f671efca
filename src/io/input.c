#include "io/input.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libavutil/avstring.h>

#include "io/demuxopts.h"
#include "io/paths.h"

/* Pins, few (one per input being rendered): a list under a lock, changed
 * only outside the parallel loop and read by every open. */
typedef struct Pin {
    char *path;                 ///< as the caller spells it (the key)
    int fd;                     ///< the file, open since it was pinned
    int refs;
    struct stat st;             ///< what it was when pinned
    char url[64];               ///< /proc/self/fd/N: a new open file description of the same inode
    const AVInputFormat *fmt;   ///< the format found when pinned
    struct Pin *next;
} Pin;

static pthread_mutex_t pin_lock = PTHREAD_MUTEX_INITIALIZER;
static Pin *pins;

static Pin *find(const char *path)
{
    for (Pin *p = pins; p; p = p->next)
        if (!strcmp(p->path, path))
            return p;
    return NULL;
}

/* The line's demuxer options for PATH (demuxopts.h), and the protocols
 * allowed: libav opens any URL it is given (paths.h). A forced format
 * wins over the one found when pinned. */
static int open_options(const char *path, const AVInputFormat **fmt, AVDictionary **o)
{
    const AVInputFormat *forced;
    int ret = rd_demuxopts_get(path, &forced, o);
    if (ret >= 0)
        ret = av_dict_set(o, "protocol_whitelist", rd_paths_protocols(), 0);
    if (forced)
        *fmt = forced;
    return ret;
}

static int open_url(AVFormatContext **pic, const char *path, const char *url, const AVInputFormat *fmt,
                    int keep, char *unused, int unusedlen)
{
    AVDictionary *o = NULL;
    const AVDictionaryEntry *e = NULL;
    int ret;
    if ((ret = open_options(path, &fmt, &o)) < 0) {
        av_dict_free(&o);
        return ret;
    }
    ret = avformat_open_input(pic, url, fmt, &o);
    /* An option the demuxer did not take: ffmpeg stops ("Option ... not found"). */
    while (ret >= 0 && (e = av_dict_get(o, "", e, AV_DICT_IGNORE_SUFFIX)))
        if (strcmp(e->key, "protocol_whitelist")) {
            if (unused) /* "key demuxer" */
                snprintf(unused, unusedlen, "%s %s", e->key, (*pic)->iformat->name);
            avformat_close_input(pic);
            ret = AVERROR_OPTION_NOT_FOUND;
        }
    av_dict_free(&o);
    if (ret < 0)
        return ret;
    if ((ret = avformat_find_stream_info(*pic, NULL)) < 0) {
        avformat_close_input(pic);
        return ret;
    }
    for (unsigned i = 0; keep >= 0 && i < (*pic)->nb_streams; i++)
        (*pic)->streams[i]->discard = (int)i == keep ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    return 0;
}

/* What PATH is opened as: its pinned file's name into url (64 bytes; ""
 * when not pinned: by its own name) and the format found when pinned. */
static const AVInputFormat *pinned(const char *path, char *url)
{
    const AVInputFormat *fmt = NULL;
    Pin *p;
    *url = 0;
    pthread_mutex_lock(&pin_lock);
    if ((p = find(path))) {
        snprintf(url, 64, "%s", p->url);
        fmt = p->fmt;
    }
    pthread_mutex_unlock(&pin_lock);
    return fmt;
}

int rd_input_open(AVFormatContext **pic, const char *path, int keep)
{
    char url[64];
    const AVInputFormat *fmt = pinned(path, url);
    return open_url(pic, path, *url ? url : path, fmt, keep, NULL, 0);
}

const AVInputFormat *rd_input_format(const char *path)
{
    const AVInputFormat *forced;
    char url[64];
    rd_demuxopts_has(path, &forced);
    return forced ? forced : pinned(path, url);
}

int rd_input_check(const char *path, char *err, int errlen)
{
    AVFormatContext *ic = NULL;
    char url[64], unused[192] = "", *sp;
    const AVInputFormat *forced, *fmt;
    int ret;

    /* Nothing set before -i: the probe's own open says what is wrong. */
    if (!rd_demuxopts_has(path, &forced))
        return 0;
    fmt = pinned(path, url);
    ret = open_url(&ic, path, *url ? url : path, fmt, -1, unused, sizeof(unused));
    if (ret == AVERROR_OPTION_NOT_FOUND && (sp = strchr(unused, ' '))) {
        *sp = 0;
        snprintf(err, errlen, "-%s before -i: the %s demuxer takes no such option (ffmpeg stops too: "
                 "\"Option %s not found\")", unused, sp + 1, unused);
    } else if (ret < 0 && forced && (!strcmp(forced->name, "concat") || !strcmp(forced->name, "hls"))) {
        /* Such a demuxer opens the files its list names: render reads the
         * one file it was given (and pins it against changes). */
        snprintf(err, errlen, "-f %s opens the files its list names; render reads one input file: join "
                 "them first (ffmpeg -f concat -i LIST -c copy JOINED.mkv), then render that", forced->name);
    } else if (ret < 0 && forced) {
        const char *raw = strcmp(forced->name, "rawvideo") ? "" :
                          " (raw video needs -video_size WxH, and -pixel_format unless yuv420p)";
        snprintf(err, errlen, "cannot be read as -f %s: %s%s", forced->name, av_err2str(ret), raw);
    }
    avformat_close_input(&ic);
    return ret;
}

/* The format of the pinned file, found as avformat_open_input would find it
 * for PATH (the name's extension breaks ties), but read from the pinned
 * file, so that every open demuxes it alike. */
static int find_format(Pin *p, const char *path)
{
    AVIOContext *pb = NULL;
    AVDictionary *o = NULL;
    int ret;
    rd_demuxopts_has(p->path, &p->fmt);
    if (p->fmt) /* forced by the line (-f before -i) */
        return 0;
    if ((ret = av_dict_set(&o, "protocol_whitelist", "file", 0)) < 0)
        return ret;
    ret = avio_open2(&pb, p->url, AVIO_FLAG_READ, NULL, &o);
    av_dict_free(&o);
    if (ret < 0)
        return ret;
    ret = av_probe_input_buffer2(pb, &p->fmt, path, NULL, 0, 0);
    avio_closep(&pb);
    return ret < 0 ? ret : 0;
}

int rd_input_pin(const char *path)
{
    const char *proto = avio_find_protocol_name(path);
    const char *local = rd_paths_local(path);
    Pin *p;
    int ret = 0;

    if (!proto || strcmp(proto, "file"))
        return 0; /* concat:, http: ...: opened by name */
    pthread_mutex_lock(&pin_lock);
    if ((p = find(path))) {
        p->refs++;
        goto end;
    }
    if (!(p = av_mallocz(sizeof(*p))) || !(p->path = av_strdup(path))) {
        av_free(p);
        ret = AVERROR(ENOMEM);
        goto end;
    }
    p->refs = 1;
    /* A name that is no file (an image sequence's pattern) is the
     * demuxer's to open, and to say why not. */
    if ((p->fd = open(local, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) < 0 || fstat(p->fd, &p->st) < 0) {
        if (p->fd >= 0)
            close(p->fd);
        av_free(p->path);
        av_free(p);
        goto end;
    }
    snprintf(p->url, sizeof(p->url), "/proc/self/fd/%d", p->fd);
    /* Without /proc (or for what is not a regular file) the name is used. */
    if (!S_ISREG(p->st.st_mode) || access(p->url, R_OK) < 0 || find_format(p, local) < 0) {
        p->url[0] = 0; /* (and a file libav cannot read says why when opened by name) */
        p->fmt = NULL;
    }
    p->next = pins;
    pins = p;
end:
    pthread_mutex_unlock(&pin_lock);
    return ret;
}

void rd_input_unpin(const char *path)
{
    pthread_mutex_lock(&pin_lock);
    for (Pin **pp = &pins; *pp; pp = &(*pp)->next) {
        Pin *p = *pp;
        if (strcmp(p->path, path))
            continue;
        if (--p->refs == 0) {
            *pp = p->next;
            close(p->fd);
            av_free(p->path);
            av_free(p);
        }
        break;
    }
    pthread_mutex_unlock(&pin_lock);
}

int rd_input_verify(const char *path, char *why, int whylen)
{
    struct stat now;
    int ret = 0;
    Pin *p;

    pthread_mutex_lock(&pin_lock);
    if ((p = find(path)) && fstat(p->fd, &now) == 0 &&
        (now.st_size != p->st.st_size || now.st_mtim.tv_sec != p->st.st_mtim.tv_sec ||
         now.st_mtim.tv_nsec != p->st.st_mtim.tv_nsec)) {
        if (why)
            snprintf(why, whylen, "changed while rendering (%s); nothing written",
                     now.st_size != p->st.st_size ? "its size changed" : "it was modified");
        ret = AVERROR(EAGAIN);
    }
    pthread_mutex_unlock(&pin_lock);
    return ret;
}
