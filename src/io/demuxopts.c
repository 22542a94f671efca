#include "io/demuxopts.h"

#include <pthread.h>
#include <string.h>
#include <libavutil/opt.h>

/* Few entries (one per input), set outside the parallel loop. */
typedef struct Entry {
    char *path;
    const AVInputFormat *fmt;
    AVDictionary *opts;
    struct Entry *next;
} Entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static Entry *entries;

static Entry *find(const char *path)
{
    for (Entry *e = entries; e; e = e->next)
        if (!strcmp(e->path, path))
            return e;
    return NULL;
}

int rd_demuxopts_set(const char *path, const char *format, const AVDictionary *opts)
{
    const AVInputFormat *fmt = NULL;
    AVDictionary *copy = NULL;
    Entry *e;
    int ret = 0;

    if (format && !(fmt = av_find_input_format(format)))
        return AVERROR(EINVAL);
    if (opts && (ret = av_dict_copy(&copy, opts, 0)) < 0)
        return ret;
    pthread_mutex_lock(&lock);
    if (!(e = find(path))) {
        if (!(e = av_mallocz(sizeof(*e))) || !(e->path = av_strdup(path))) {
            av_free(e);
            av_dict_free(&copy);
            ret = AVERROR(ENOMEM);
            goto end;
        }
        e->next = entries;
        entries = e;
    }
    av_dict_free(&e->opts);
    e->opts = copy;
    e->fmt = fmt;
end:
    pthread_mutex_unlock(&lock);
    return ret;
}

int rd_demuxopts_get(const char *path, const AVInputFormat **fmt, AVDictionary **opts)
{
    Entry *e;
    int ret = 0;
    *fmt = NULL;
    pthread_mutex_lock(&lock);
    if ((e = find(path))) {
        *fmt = e->fmt;
        ret = av_dict_copy(opts, e->opts, 0);
    }
    pthread_mutex_unlock(&lock);
    return ret;
}

int rd_demuxopts_has(const char *path, const AVInputFormat **fmt)
{
    Entry *e;
    int set;
    pthread_mutex_lock(&lock);
    e = find(path);
    set = e && (e->fmt || av_dict_count(e->opts));
    if (fmt)
        *fmt = e ? e->fmt : NULL;
    pthread_mutex_unlock(&lock);
    return set;
}

static int has(const AVClass *c, const char *name)
{
    const AVOption *o = c ? av_opt_find(&c, name, NULL, 0, AV_OPT_SEARCH_FAKE_OBJ) : NULL;
    return o && (o->flags & AV_OPT_FLAG_DECODING_PARAM);
}

int rd_demuxopts_known(const char *name)
{
    const AVInputFormat *f;
    void *it = NULL;
    if (has(avformat_get_class(), name))
        return 1;
    while ((f = av_demuxer_iterate(&it)))
        if (has(f->priv_class, name))
            return 1;
    return 0;
}
