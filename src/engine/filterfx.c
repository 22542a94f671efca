#include "engine/filterfx.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <libavutil/avstring.h>
#include <libavutil/bprint.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>

#include "io/outfile.h"
#include "io/paths.h"

#define WS " \n\t\r"

/* `name` is one of the comma-separated names in `list`. */
static int in_list(const char *list, const char *name, size_t len)
{
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, ",");
        if (n == len && !strncmp(p, name, len))
            return 1;
        p += n + !!p[n];
    }
    return 0;
}

/* One option of an instance, as libavfilter's process_options() reads the
 * argument string (positional values take the options in order, constants
 * and aliases skipped; after a named one, from the first again). */
typedef struct Opt {
    char *key, *value;
} Opt;

static void opts_free(Opt *o, int n)
{
    for (int i = 0; i < n; i++) {
        av_free(o[i].key);
        av_free(o[i].value);
    }
    av_free(o);
}

static int parse_args(const AVFilter *filt, const char *args, Opt **po, int *pn)
{
    const AVClass *cls = filt->priv_class;
    const void *obj = &cls; /* av_opt_next reads the class through the object's first field */
    const AVOption *o = NULL;
    int offset = -1, n = 0, ret = 0;
    Opt *opts = NULL;

    while (args && *args) {
        const char *shorthand = NULL;
        char *key = NULL, *value = NULL;
        Opt *t;
        if (cls && (o = av_opt_next(obj, o))) {
            if (o->type == AV_OPT_TYPE_CONST || o->offset == offset)
                continue;
            offset = o->offset;
            shorthand = o->name;
        }
        if ((ret = av_opt_get_key_value(&args, "=", ":", shorthand ? AV_OPT_FLAG_IMPLICIT_KEY : 0,
                                        &key, &value)) < 0)
            break;
        if (*args)
            args++;
        if (key) {
            while (cls && (o = av_opt_next(obj, o)))
                ;
        } else if (!(key = av_strdup(shorthand))) {
            av_free(value);
            ret = AVERROR(ENOMEM);
            break;
        }
        if (!(t = av_realloc_array(opts, n + 1, sizeof(*opts)))) {
            av_free(key);
            av_free(value);
            ret = AVERROR(ENOMEM);
            break;
        }
        opts = t;
        opts[n].key = key;
        opts[n++].value = value;
    }
    *po = opts;
    *pn = n;
    return ret;
}

/* A file option left out still names a file: its default (vidstabdetect
 * writes transforms.trf, vidstabtransform reads it). Added as if given, so
 * that the same checks and the same rewrite apply to it. */
static int add_defaults(const AVFilter *filt, const RdFilterInfo *row, Opt **po, int *pn)
{
    const char *cols[2] = { row->writes, row->reads };
    for (int c = 0; c < 2; c++)
        for (const char *p = cols[c]; p && *p;) {
            size_t len = strcspn(p, ",");
            char key[64];
            const AVClass *cls;
            const AVOption *o;
            int have = 0;
            Opt *t;
            snprintf(key, sizeof(key), "%.*s", (int)FFMIN(len, sizeof(key) - 1), p);
            p += len + !!p[len];
            for (int i = 0; i < *pn; i++)
                have |= !strcmp((*po)[i].key, key);
            cls = filt->priv_class;
            /* av_opt_find reads the class through the object's first field */
            o = cls ? av_opt_find((void *)&cls, key, NULL, 0, 0) : NULL;
            if (have || !o || o->type != AV_OPT_TYPE_STRING || !o->default_val.str ||
                !*o->default_val.str)
                continue;
            if (!(t = av_realloc_array(*po, *pn + 1, sizeof(**po))))
                return AVERROR(ENOMEM);
            *po = t;
            t[*pn].key = av_strdup(o->name);
            t[*pn].value = av_strdup(o->default_val.str);
            (*pn)++; /* counted at once: opts_free() frees what was made */
            if (!t[*pn - 1].key || !t[*pn - 1].value)
                return AVERROR(ENOMEM);
        }
    return 0;
}

/* One filter of the graph text: its name and where its arguments are. */
typedef struct Filt {
    char *name;              ///< without an @instance suffix
    const char *args_from;   ///< the arguments' text in the graph (after '='); NULL = none
    const char *args_to;
    char *args;              ///< unescaped once, as libavfilter passes them on
} Filt;

static int skip_labels(const char **p)
{
    while (**p == '[') {
        char *name;
        (*p)++;
        if (!(name = av_get_token(p, "]")))
            return AVERROR(ENOMEM);
        av_free(name);
        if (**p != ']')
            return AVERROR(EINVAL);
        (*p)++;
        *p += strspn(*p, WS);
    }
    return 0;
}

/* The next filter, as avfilter_graph_parse2() reads the text. */
static int next_filter(const char **p, Filt *f)
{
    char *at;
    int ret;
    memset(f, 0, sizeof(*f));
    *p += strspn(*p, WS);
    if ((ret = skip_labels(p)) < 0)
        return ret;
    if (!(f->name = av_get_token(p, "=,;[")))
        return AVERROR(ENOMEM);
    if ((at = strchr(f->name, '@')))
        *at = 0;
    if (**p == '=') {
        (*p)++;
        f->args_from = *p;
        if (!(f->args = av_get_token(p, "[],;")))
            return AVERROR(ENOMEM);
        f->args_to = *p;
    } else
        f->args_from = f->args_to = *p; /* where "=ARGS" would go */
    *p += strspn(*p, WS);
    return skip_labels(p);
}

static void filt_free(Filt *f)
{
    av_freep(&f->name);
    av_freep(&f->args);
}

/* The file options `list` (a table column) among the instance's options. */
static int each_file(const RdFilterInfo *row, const Opt *o, int n,
                     int (*fn)(void *, const RdFilterInfo *, const char *, const RdFxFile *),
                     void *opaque, const char *name)
{
    for (int i = 0; i < n; i++) {
        int w = row->writes && in_list(row->writes, o[i].key, strlen(o[i].key));
        int r = row->reads && in_list(row->reads, o[i].key, strlen(o[i].key));
        RdFxFile file = { row, o[i].key, o[i].value, w };
        int ret;
        if ((w || r) && o[i].value && *o[i].value && (ret = fn(opaque, row, name, &file)) < 0)
            return ret;
    }
    return 0;
}

/* Walks the graph; `edit` (may be NULL) is called for every filter with
 * arguments, to rewrite them. */
typedef int (*EditFn)(void *opaque, const Filt *f, const Opt *o, int n);

static int walk(const char *vf, int (*fn)(void *, const RdFilterInfo *, const char *, const RdFxFile *),
                EditFn edit, void *opaque)
{
    const char *p = vf;
    int ret = 0;

    if (!vf)
        return 0;
    p += strspn(p, WS);
    if (!strncmp(p, "sws_flags=", 10)) { /* a prefix up to ';', no filter */
        const char *semi = strchr(p, ';');
        if (!semi)
            return AVERROR(EINVAL);
        p = semi + 1;
    }
    for (;;) {
        Filt f;
        const AVFilter *filt;
        const RdFilterInfo *row;
        Opt *o = NULL;
        int n = 0;
        char chr;

        if ((ret = next_filter(&p, &f)) < 0) {
            filt_free(&f);
            return ret;
        }
        filt = avfilter_get_by_name(f.name);
        row = rd_filtertab_find(f.name);
        /* An unknown filter: libavfilter refuses the graph and says why. */
        if (filt && row) {
            if ((ret = parse_args(filt, f.args, &o, &n)) >= 0 &&
                (ret = add_defaults(filt, row, &o, &n)) >= 0 &&
                (ret = fn(opaque, row, f.name, NULL)) >= 0 &&
                (ret = each_file(row, o, n, fn, opaque, f.name)) >= 0 && edit)
                ret = edit(opaque, &f, o, n);
        }
        opts_free(o, n);
        filt_free(&f);
        if (ret < 0)
            return ret;
        chr = *p;
        if (chr)
            p++;
        if (chr != ',' && chr != ';')
            return chr ? AVERROR(EINVAL) : 0;
    }
}

int rd_filterfx_scan(const char *vf,
                     int (*fn)(void *opaque, const RdFilterInfo *row, const char *name,
                               const RdFxFile *file),
                     void *opaque)
{
    return walk(vf, fn, NULL, opaque);
}

/* ---- the policy ------------------------------------------------------- */

typedef struct Check {
    const RdFilterFxPolicy *pol;
    RdFilterFx *fx;
    char *err;
    int errlen;
    AVBPrint vf;          ///< the rewritten graph
    const char *src;      ///< the user's graph
    const char *copied;   ///< how far src is copied into vf
    char **labels;        ///< fx->n labels for the messages ("filter psnr (stats_file)"); owned
} Check;

/* Is `url`'s protocol on the input whitelist (paths.h)? */
static int protocol_allowed(const char *url)
{
    const char *proto = avio_find_protocol_name(url);
    return proto && in_list(rd_paths_protocols(), proto, strlen(proto));
}

static int add_write(RdFilterFx *fx, const char *name)
{
    char **f = av_realloc_array(fx->final, fx->n + 1, sizeof(*f));
    char **t;
    if (!f)
        return AVERROR(ENOMEM);
    fx->final = f;
    if (!(t = av_realloc_array(fx->tmp, fx->n + 1, sizeof(*t))))
        return AVERROR(ENOMEM);
    fx->tmp = t;
    fx->final[fx->n] = av_strdup(name);
    fx->tmp[fx->n] = av_mallocz(4200);
    fx->n++;
    return fx->final[fx->n - 1] && fx->tmp[fx->n - 1] ? 0 : AVERROR(ENOMEM);
}

static int check_one(void *opaque, const RdFilterInfo *row, const char *name, const RdFxFile *file)
{
    Check *c = opaque;
    const RdFilterFxPolicy *pol = c->pol;

    if (!file) {
        const char *what = (row->effects & RD_FX_NET) ? "opens a network socket"
                         : (row->effects & RD_FX_PLUGIN) ? "loads and runs code from a plugin library" : NULL;
        if (what && !in_list(pol->allow, name, strlen(name))) {
            snprintf(c->err, c->errlen, "%s: filter '%s' %s; refused unless named "
                     "(--allow-filter %s)", name, name, what, name);
            return AVERROR(EPERM);
        }
        return 0;
    }
    if (!file->write) {
        if (!protocol_allowed(file->value)) {
            const char *proto = avio_find_protocol_name(file->value);
            snprintf(c->err, c->errlen, "%s: filter '%s' would read it (option %s): protocol '%s' "
                     "is not allowed (--protocols)", file->value, name, file->option,
                     proto ? proto : "unknown");
            return AVERROR(EPERM);
        }
        return 0;
    }
    if (!strcmp(file->value, "-")) /* standard output, not a file */
        return 0;
    {
        char **l = av_realloc_array(c->labels, c->fx->n + 1, sizeof(*l));
        if (!l)
            return AVERROR(ENOMEM);
        c->labels = l;
        if (!(l[c->fx->n] = av_asprintf("filter %s (%s)", name, file->option)))
            return AVERROR(ENOMEM);
    }
    return add_write(c->fx, file->value);
}

static void escape_into(AVBPrint *b, const char *value)
{
    AVBPrint once;
    /* Twice, as it is read twice: the option value, then the graph. */
    av_bprint_init(&once, 0, AV_BPRINT_SIZE_UNLIMITED);
    av_bprint_escape(&once, value, ":=", AV_ESCAPE_MODE_BACKSLASH, 0);
    if (av_bprint_is_complete(&once))
        av_bprint_escape(b, once.str, "[],;", AV_ESCAPE_MODE_BACKSLASH, 0);
    av_bprint_finalize(&once, NULL);
}

/* A filter that writes files gets its arguments again, named, with the
 * temporary names in place of the files. */
static int edit_one(void *opaque, const Filt *f, const Opt *o, int n)
{
    Check *c = opaque;
    const RdFilterInfo *row = rd_filtertab_find(f->name);
    int any = 0;

    for (int i = 0; i < n; i++)
        any |= row->writes && o[i].value && *o[i].value && strcmp(o[i].value, "-") &&
               in_list(row->writes, o[i].key, strlen(o[i].key));
    if (!any)
        return 0;
    av_bprint_append_data(&c->vf, c->copied, (unsigned)(f->args_from - c->copied));
    if (!f->args)
        av_bprint_chars(&c->vf, '=', 1);
    for (int i = 0; i < n; i++) {
        const char *v = o[i].value ? o[i].value : "";
        if (row->writes && *v && strcmp(v, "-") && in_list(row->writes, o[i].key, strlen(o[i].key)))
            for (int k = 0; k < c->fx->n; k++)
                if (!strcmp(c->fx->final[k], v))
                    v = c->fx->tmp[k];
        av_bprintf(&c->vf, "%s%s=", i ? ":" : "", o[i].key);
        escape_into(&c->vf, v);
    }
    c->copied = f->args_to;
    return av_bprint_is_complete(&c->vf) ? 0 : AVERROR(ENOMEM);
}

static int ignore(void *opaque, const RdFilterInfo *row, const char *name, const RdFxFile *file)
{
    (void)opaque; (void)row; (void)name; (void)file;
    return 0;
}

/* The graph again, each written file's name replaced by c->fx->tmp's. */
static int rewrite(Check *c, const char *vf, char **out)
{
    int ret;
    av_bprint_init(&c->vf, 0, AV_BPRINT_SIZE_UNLIMITED);
    c->src = c->copied = vf;
    if ((ret = walk(vf, ignore, edit_one, c)) >= 0) {
        av_bprintf(&c->vf, "%s", c->copied);
        ret = av_bprint_is_complete(&c->vf) ? 0 : AVERROR(ENOMEM);
    }
    if (ret >= 0)
        return av_bprint_finalize(&c->vf, out);
    av_bprint_finalize(&c->vf, NULL);
    return ret;
}

int rd_filterfx_open(RdFilterFx *fx, const char *vf, const RdFilterFxPolicy *pol,
                     char *err, int errlen)
{
    static const char *const side[RD_SIDECARS] = { "--report", "--progress", "--export" };
    Check c = { .pol = pol, .fx = fx, .err = err, .errlen = errlen };
    const char **names = NULL, **labels = NULL;
    int ret, n = 0, nw;

    memset(fx, 0, sizeof(*fx));
    /* A graph libavfilter cannot read is left to it: it says why. */
    ret = walk(vf, check_one, NULL, &c);
    nw = fx->n;
    if (ret < 0 && *err)
        goto end;
    if (ret < 0 || !fx->n) {
        ret = (fx->vf = av_strdup(vf ? vf : "")) ? 0 : AVERROR(ENOMEM);
        goto end;
    }
    /* Written files are sidecars: the checks of --report (paths.h). */
    if (!(names = av_calloc(pol->nsidecar + fx->n, sizeof(*names))) ||
        !(labels = av_calloc(pol->nsidecar + fx->n, sizeof(*labels)))) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    for (int i = 0; i < pol->nsidecar && i < RD_SIDECARS; i++) {
        labels[n] = side[i];
        names[n++] = pol->sidecar[i];
    }
    for (int i = 0; i < fx->n; i++) {
        labels[n] = c.labels[i];
        names[n++] = fx->final[i];
    }
    if ((ret = rd_paths_check_named(pol->input, pol->output, names, labels, n, pol->overwrite,
                                    err, errlen)) < 0)
        goto end;
    for (int i = 0; i < fx->n; i++) {
        int fd = rd_outfile_create(fx->final[i], RD_OUTFILE_TMP, fx->tmp[i], 4200);
        if (fd < 0) {
            snprintf(err, errlen, "%s: cannot create its temporary file: %s", fx->final[i], av_err2str(fd));
            ret = fd;
            goto end;
        }
        close(fd);
    }
    ret = rewrite(&c, vf, &fx->vf);
end:
    for (int i = 0; i < nw && c.labels; i++)
        av_free(c.labels[i]);
    av_free(c.labels);
    av_free(names);
    av_free(labels);
    return ret;
}

int rd_filterfx_inert(const char *vf, const RdFilterFxPolicy *pol, char **out, char *err, int errlen)
{
    RdFilterFx fx;
    Check c = { .pol = pol, .fx = &fx, .err = err, .errlen = errlen };
    int ret, nw;

    memset(&fx, 0, sizeof(fx));
    *out = NULL;
    ret = walk(vf, check_one, NULL, &c);
    nw = fx.n;
    if (ret < 0 && *err)
        goto end;
    if (ret < 0 || !fx.n) {
        ret = (*out = av_strdup(vf ? vf : "")) ? 0 : AVERROR(ENOMEM);
        goto end;
    }
    for (int i = 0; i < fx.n; i++)
        snprintf(fx.tmp[i], 4200, "/dev/null");
    ret = rewrite(&c, vf, out);
end:
    /* Not rd_filterfx_free: no temporary file was made (it would remove /dev/null). */
    for (int i = 0; i < fx.n; i++) {
        av_free(fx.tmp[i]);
        av_free(fx.final[i]);
    }
    av_free(fx.tmp);
    av_free(fx.final);
    for (int i = 0; i < nw && c.labels; i++)
        av_free(c.labels[i]);
    av_free(c.labels);
    return ret;
}

int rd_filterfx_commit(RdFilterFx *fx, int overwrite, char *err, int errlen)
{
    for (int i = 0; i < fx->n; i++) {
        int ret;
        if (!*fx->tmp[i])
            continue;
        ret = rd_outfile_commit(fx->tmp[i], fx->final[i], overwrite);
        fx->tmp[i][0] = 0;
        if (ret < 0) {
            snprintf(err, errlen, "%s: %s", fx->final[i], ret == AVERROR(EEXIST)
                     ? "appeared while rendering; not replaced (use -y to overwrite)" : av_err2str(ret));
            return ret;
        }
    }
    return 0;
}

void rd_filterfx_free(RdFilterFx *fx)
{
    for (int i = 0; i < fx->n; i++) {
        if (fx->tmp && fx->tmp[i])
            rd_outfile_discard(fx->tmp[i]);
        if (fx->tmp)
            av_free(fx->tmp[i]);
        if (fx->final)
            av_free(fx->final[i]);
    }
    av_freep(&fx->tmp);
    av_freep(&fx->final);
    av_freep(&fx->vf);
    fx->n = 0;
}
