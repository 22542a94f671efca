#include "engine/resume.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/bprint.h>
#include <libavutil/cpu.h>
#include <libavutil/ffversion.h>
#include <libavutil/pixdesc.h>
#include <libavutil/sha.h>

#include "engine/encode.h"
#include "engine/ratectl_lavc.h"
#include "io/paths.h"

struct RdResume {
    char path[4200];
    const RdSettings *s;
    const char *key;         ///< this run's (the caller's)
    RdJournal *j;            ///< open: matching, or created by rd_resume_start
    int match;               ///< j is an earlier run's journal with this key
    int replace;             ///< a journal is there that is not to be used: replaced
    int created;             ///< j was made by this run
    uint8_t *done;           ///< plan.n flags: chunk taken from the journal
    int n;
};

void rd_resume_path(char *buf, int len, const char *output)
{
    snprintf(buf, len, "%s" RD_JOURNAL_SUFFIX, output);
}

static void hex(AVBPrint *bp, const uint8_t *d, int n)
{
    for (int i = 0; i < n; i++)
        av_bprintf(bp, "%02x", d[i]);
}

/* A value on one line: newlines and backslashes escaped. */
static void line(AVBPrint *bp, const char *name, const char *value)
{
    av_bprintf(bp, "%s=", name);
    for (const char *c = value ? value : ""; *c; c++)
        av_bprintf(bp, *c == '\n' ? "\\n" : *c == '\\' ? "\\\\" : "%c", *c);
    av_bprintf(bp, "\n");
}

static int sha(AVBPrint *bp, const char *name, const void *const *parts, const size_t *sizes, int n)
{
    struct AVSHA *ctx = av_sha_alloc();
    uint8_t d[32];
    if (!ctx)
        return AVERROR(ENOMEM);
    av_sha_init(ctx, 256);
    for (int i = 0; i < n; i++)
        if (parts[i] && sizes[i])
            av_sha_update(ctx, parts[i], sizes[i]);
    av_sha_final(ctx, d);
    av_free(ctx);
    av_bprintf(bp, "%s=", name);
    hex(bp, d, sizeof(d));
    av_bprintf(bp, "\n");
    return 0;
}

static int input_lines(AVBPrint *bp, const RdSettings *s, const RdProbe *p)
{
    struct stat st;
    int64_t head[4] = { p->nframes, p->last_duration, p->t_after, p->start_time };
    int32_t tb[2] = { p->tb.num, p->tb.den };
    const void *parts[5] = { head, tb, p->pts, p->key, p->size };
    size_t sizes[5] = { sizeof(head), sizeof(tb), p->nframes * sizeof(*p->pts),
                        p->nframes * sizeof(*p->key), p->size ? p->nframes * sizeof(*p->size) : 0 };
    if (stat(rd_paths_local(s->input), &st) == 0)
        av_bprintf(bp, "input.device=%llu\ninput.inode=%llu\ninput.size=%lld\ninput.mtime=%lld.%09ld\n",
                   (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
                   (long long)st.st_size, (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
    else
        av_bprintf(bp, "input.file=not a local file\n");
    return sha(bp, "input.index", parts, sizes, 5);
}

static void settings_lines(AVBPrint *bp, const RdSettings *s, int preroll, int global_header,
                           int frame_ts)
{
    const AVDictionaryEntry *e = NULL;
    char name[160];
    line(bp, "vf", s->vf);
    line(bp, "vcodec", s->vcodec);
    av_bprintf(bp, "crf=%d\n", s->crf);
    line(bp, "preset", s->preset ? s->preset : "(default)");
    while ((e = av_dict_get(s->venc_opts, "", e, AV_DICT_IGNORE_SUFFIX))) {
        snprintf(name, sizeof(name), "opt.%s", e->key);
        line(bp, name, e->value);
    }
    av_bprintf(bp, "preroll=%d\nexact=%d\nduration=%.17g\nglobal_header=%d\nframe_ts=%d\n",
               preroll, s->exact, s->limit_s, global_header, frame_ts);
    /* The ffmpeg form's frame sync and frame durations change which frames
     * are written and when. */
    av_bprintf(bp, "ffmpeg_form=%d:%d:%" PRId64 "\n", s->frame_grid, s->own_duration, s->max_vframes);
    if (s->seek_s > 0) /* another start is another video (a line only then: old journals still match) */
        av_bprintf(bp, "seek=%.17g\n", s->seek_s);
    if (s->seek_out_s > 0) /* copied tracks start otherwise */
        av_bprintf(bp, "seek_out=%.17g\n", s->seek_out_s);
    if (s->itsoffset_s != 0) /* the frame sync's copies of the first frame */
        av_bprintf(bp, "itsoffset=%.17g\n", s->itsoffset_s);
    if (s->in_limit_s > 0 || s->out_limit_s > 0)
        av_bprintf(bp, "limits=%.17g:%.17g\n", s->in_limit_s, s->out_limit_s);
    if (s->force_kf)
        av_bprintf(bp, "force_key_frames=%s\n", s->force_kf);
    if (s->rate.num > 0) /* -r: another rate is another video */
        av_bprintf(bp, "rate=%d/%d\n", s->rate.num, s->rate.den);
    /* Rate control shares bits among chunks: another target is another video. */
    av_bprintf(bp, "rc.bitrate=%" PRId64 "\nrc.maxrate=%" PRId64 "\nrc.bufsize=%" PRId64
               "\nrc.two_pass=%d\nrc.target_size=%" PRId64 "\ngop=%d:%d:%d\n",
               s->vbitrate, s->maxrate, s->bufsize, s->two_pass, s->target_size,
               s->gop, s->keyint_min, s->sc_threshold);
    /* Slices that follow the encoder's threads (encode.h): another count,
     * or auto on another machine, is another bitstream. */
    if (rd_encode_slices_follow_threads(avcodec_find_encoder_by_name(s->vcodec)))
        av_bprintf(bp, "enc_threads=%d:%d\n", s->enc_threads, av_cpu_count());
    /* libavcodec's own encoders went from one pass per chunk to two (a
     * line only then: other journals still match). */
    if (s->crf < 0 && s->target_size <= 0 && rd_ratectl_lavc_bitrate(s->vcodec, s->venc_opts, s->vbitrate) > 0)
        av_bprintf(bp, "rc.lavc=two-pass\n");
}

static int stream_lines(AVBPrint *bp, const AVCodecContext *t)
{
    const char *fmt = av_get_pix_fmt_name(t->pix_fmt);
    const void *parts[1] = { t->extradata };
    size_t sizes[1] = { t->extradata_size > 0 ? (size_t)t->extradata_size : 0 };
    av_bprintf(bp, "stream.codec=%s\nstream.size=%dx%d\nstream.pix_fmt=%s\nstream.time_base=%d/%d\n"
               "stream.frame_rate=%d/%d\nstream.reorder=%d\n",
               t->codec ? t->codec->name : "?", t->width, t->height, fmt ? fmt : "?",
               t->time_base.num, t->time_base.den, t->framerate.num, t->framerate.den, t->has_b_frames);
    return sha(bp, "stream.extradata", parts, sizes, 1);
}

int rd_resume_key(char **key, const RdSettings *s, const RdProbe *p, int preroll,
                  int global_header, int frame_ts, const AVCodecContext *tmpl)
{
    AVBPrint bp;
    int ret;
    av_bprint_init(&bp, 0, AV_BPRINT_SIZE_UNLIMITED);
    av_bprintf(&bp, "render-journal=1\n");
    if ((ret = input_lines(&bp, s, p)) < 0)
        goto end;
    settings_lines(&bp, s, preroll, global_header, frame_ts);
    if ((ret = stream_lines(&bp, tmpl)) < 0)
        goto end;
    av_bprintf(&bp, "lib.ffmpeg=%s\nlib.avcodec=%s\nlib.avfilter=%s\n", av_version_info(),
               LIBAVCODEC_IDENT, LIBAVFILTER_IDENT);
    if (!av_bprint_is_complete(&bp))
        ret = AVERROR(ENOMEM);
end:
    if (ret < 0) {
        av_bprint_finalize(&bp, NULL);
        return ret;
    }
    return av_bprint_finalize(&bp, key);
}

/* The value of `name` in key text, and its length; NULL when absent. */
static const char *value_of(const char *text, const char *name, size_t nlen, size_t *vlen)
{
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (!strncmp(l, name, nlen) && l[nlen] == '=') {
            const char *v = l + nlen + 1, *nl = strchr(v, '\n');
            *vlen = nl ? (size_t)(nl - v) : strlen(v);
            return v;
        }
    }
    return NULL;
}

int rd_resume_key_diff(const char *then, const char *now, char *buf, int len)
{
    /* Every line of either key, in order: a name only one of them has differs too. */
    const char *keys[2] = { now, then };
    for (int k = 0; k < 2; k++)
        for (const char *l = keys[k]; l && *l; ) {
            const char *eq = strchr(l, '='), *nl = strchr(l, '\n'), *a, *b;
            size_t nlen, alen = 0, blen = 0;
            if (!eq || (nl && eq > nl))
                break;
            nlen = eq - l;
            a = value_of(then, l, nlen, &alen);
            b = value_of(now, l, nlen, &blen);
            if (!a || !b || alen != blen || memcmp(a, b, alen)) {
                snprintf(buf, len, "%.*s: %.*s then, %.*s now", (int)nlen, l,
                         a ? (int)FFMIN(alen, 80) : 4, a ? a : "none",
                         b ? (int)FFMIN(blen, 80) : 4, b ? b : "none");
                return !strncmp(l, "input.", 6) ? 1 : 2;
            }
            l = nl ? nl + 1 : NULL;
        }
    return 0;
}

static void say(const RdResume *r, const char *what)
{
    if (!r->s->quiet)
        fprintf(stderr, "render: %s: %s\n", r->path, what);
}

int rd_resume_open(RdResume **pr, const RdSettings *s, const char *key, char *err, int errlen)
{
    RdResume *r = av_mallocz(sizeof(*r));
    char diff[400], msg[512];
    int ret, d;

    if (!(*pr = r))
        return AVERROR(ENOMEM);
    r->s = s;
    r->key = key;
    rd_resume_path(r->path, sizeof(r->path), s->output);
    /* The journal is written like OUTPUT: never over the input or a sidecar. */
    if ((ret = rd_paths_check(s->input, r->path, s->sidecar, RD_SIDECARS, 1, err, errlen)) < 0)
        return ret;
    if ((ret = rd_journal_open(&r->j, r->path, err, errlen)) < 0)
        return ret;
    if (ret == 2) {
        say(r, "the journal's header is damaged; not used, a new journal replaces it");
        *err = 0;
        r->replace = 1;
        return 0;
    }
    if (!r->j)
        return 0;
    if ((d = rd_resume_key_diff(rd_journal_key(r->j), key, diff, sizeof(diff)))) {
        snprintf(msg, sizeof(msg), "written for %s (%s); not used, a new journal replaces it",
                 d == 1 ? "another input" : "other settings", diff);
        say(r, msg);
        rd_journal_close(&r->j, 0);
        r->replace = 1;
        return 0;
    }
    r->match = 1;
    return 0;
}

/* A plan that covers [0, nframes) in order, every chunk starting where
 * decoding can. */
static int plan_fits(const RdPlan *p, int64_t nframes, const uint8_t *key)
{
    if (p->n < 1 || p->c[0].first != 0 || p->c[p->n - 1].last != nframes)
        return 0;
    for (int i = 0; i < p->n; i++) {
        const RdChunkPlan *c = &p->c[i];
        if (c->seek_from < 0 || c->seek_from > c->preroll_from || c->preroll_from > c->first ||
            c->first >= c->last || c->last > nframes || c->postroll_to < c->last ||
            c->postroll_to > nframes || (i && c->first != p->c[i - 1].last) ||
            (c->seek_from > 0 && !key[c->seek_from]))
            return 0;
    }
    return 1;
}

int rd_resume_plan(RdResume *r, RdPlan *plan, int64_t nframes, const uint8_t *key)
{
    RdPlan p;
    int ret;
    if (!r || !r->match)
        return 0;
    if ((ret = rd_journal_plan(r->j, &p)) < 0)
        return ret;
    if (!plan_fits(&p, nframes, key)) {
        rd_plan_free(&p);
        say(r, "the journal's plan does not fit the input; not used, a new journal replaces it");
        rd_journal_close(&r->j, 0);
        r->match = 0;
        r->replace = 1;
        return 0;
    }
    *plan = p;
    return 1;
}

int rd_resume_start(RdResume *r, const RdPlan *plan, char *err, int errlen)
{
    int done = 0, damaged;
    char msg[200];
    if (!(r->done = av_calloc(plan->n, 1)))
        return AVERROR(ENOMEM);
    r->n = plan->n;
    if (!r->match) {
        int ret = rd_journal_create(&r->j, r->path, r->key, plan, r->replace, err, errlen);
        r->created = ret >= 0;
        return ret;
    }
    for (int i = 0; i < plan->n; i++)
        done += r->done[i] = rd_journal_entry(r->j, i)->present;
    damaged = rd_journal_damaged(r->j);
    snprintf(msg, sizeof(msg), "resuming: %d of %d chunks journaled%s", done, plan->n,
             damaged ? "; damaged records are encoded again" : "");
    say(r, msg);
    return 0;
}

int rd_resume_done(const RdResume *r, int i)
{
    return r && r->done && i >= 0 && i < r->n && r->done[i];
}

const RdJournalEntry *rd_resume_entry(const RdResume *r, int i)
{
    return rd_journal_entry(r->j, i);
}

int rd_resume_add(RdResume *r, const RdChunkResult *res)
{
    return rd_journal_add(r->j, res);
}

int rd_resume_load(RdResume *r, RdChunkResult *res)
{
    return rd_journal_load(r->j, res->index, res);
}

void rd_resume_close(RdResume **pr, int complete)
{
    RdResume *r = *pr;
    if (!r)
        return;
    if (r->j) /* a journal of this run with nothing in it is no use to anyone */
        rd_journal_close(&r->j, complete || (r->created && !rd_journal_added(r->j)));
    av_free(r->done);
    av_freep(pr);
}
