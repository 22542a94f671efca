#include "ui/dashboard_draw.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine/progress.h"

#define LABEL_W    10  /* "mean 100% " */
#define ENTRY_W    17  /* packed worker entry, "w199 c799 120fps " */
#define BAR_MAX    50
#define LB_RESERVE 16  /* always kept free for a line's end, "\033[0m\033[K\n" */

#define SGR0     "\033[0m"
#define SGR_BOLD "\033[1m"
#define SGR_DIM  "\033[2m"

/* Line builder: appends to one frame buffer, counts visible columns, clips
 * each line at maxcol and never writes past size (keeping room to end the
 * line), so no input can make the frame wrap or overflow. */
typedef struct Lb {
    char *buf;
    size_t size, len;
    int col, maxcol, color, lines;
} Lb;

static void lb_raw(Lb *b, const char *s, size_t n)
{
    if (b->len + n + LB_RESERVE > b->size)
        return;
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

static void lb_esc(Lb *b, const char *seq)
{
    if (b->color)
        lb_raw(b, seq, strlen(seq));
}

/* Visible text. Control characters (C0, DEL, and C1 encoded in UTF-8, which
 * some terminals obey) become '?': a file name must not inject escapes. A
 * UTF-8 sequence counts as one column and is never cut. */
static void lb_text(Lb *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p && b->col < b->maxcol) {
        size_t n = 1;
        int bad = *p < 0x20 || *p == 0x7f || (*p >= 0x80 && *p < 0xc0);
        if (*p >= 0xc0) {
            while (n < 4 && (p[n] & 0xc0) == 0x80)
                n++;
            bad = n == 1 || (p[0] == 0xc2 && p[1] < 0xa0);
        }
        lb_raw(b, bad ? "?" : (const char *)p, bad ? 1 : n);
        b->col++;
        p += n;
    }
}

static void lb_printf(Lb *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    lb_text(b, tmp);
}

static void lb_pad(Lb *b, int col)
{
    while (b->col < col && b->col < b->maxcol) {
        lb_raw(b, " ", 1);
        b->col++;
    }
}

static int text_cols(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* s in at most w columns, its end replaced by "..." when it is longer. */
static void lb_fit(Lb *b, const char *s, int w)
{
    if (text_cols(s) <= w) {
        lb_text(b, s);
        return;
    }
    int keep = b->maxcol, lim = b->col + (w > 3 ? w - 3 : 0);
    if (lim < keep)
        b->maxcol = lim;
    lb_text(b, s);
    b->maxcol = keep;
    lb_text(b, "...");
}

static void lb_end(Lb *b)
{
    const char *end = b->color ? SGR0 "\033[K\n" : "\n";
    size_t n = strlen(end);

    if (b->len + n < b->size) {
        memcpy(b->buf + b->len, end, n + 1);
        b->len += n;
    }
    b->col = 0;
    b->lines++;
}

static void lb_init(Lb *b, char *buf, size_t size, int cols, int color)
{
    b->buf = buf;
    b->size = size;
    b->len = 0;
    b->col = 0;
    b->maxcol = cols - 1; /* writing the last column makes some terminals wrap */
    b->color = color;
    b->lines = 0;
    if (size)
        buf[0] = '\0';
}

static int clampi(int x, int lo, int hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

static void draw_bar(Lb *b, double frac, int w)
{
    int k = (int)(frac * w + 0.5);

    k = clampi(k, 0, w);
    lb_text(b, "[");
    lb_esc(b, "\033[32m");
    for (int i = 0; i < k; i++)
        lb_text(b, "#");
    lb_esc(b, SGR_DIM);
    for (int i = k; i < w; i++)
        lb_text(b, "-");
    lb_esc(b, SGR0);
    lb_text(b, "]");
}

/* ---- grids: one cell per core or chunk ---- */

typedef void (*CellFn)(Lb *b, const RdDashView *v, int first, int count, int wide);

static const char *load_color(double x)
{
    return x < 0.2 ? "\033[37;44m" : x < 0.5 ? "\033[30;42m"
         : x < 0.8 ? "\033[30;43m" : "\033[37;41m";
}

static void cpu_cell(Lb *b, const RdDashView *v, int first, int count, int wide)
{
    double s = 0;
    for (int i = 0; i < count; i++)
        s += v->cpu_busy[first + i];
    s /= count;
    int pct = clampi((int)(s * 100 + 0.5), 0, 100);
    lb_esc(b, load_color(s));
    if (wide) {
        lb_printf(b, "%3d", pct);
        lb_esc(b, SGR0);
        lb_text(b, " ");
    } else {
        lb_printf(b, "%d", pct >= 90 ? 9 : pct / 10);
        lb_esc(b, SGR0);
    }
}

/* A group of chunks shows its least finished state, or the share of its frames done. */
static void chunk_cell(Lb *b, const RdDashView *v, int first, int count, int wide)
{
    int n[RD_CHUNK_FAILED + 1] = {0}, pct = 0, st;

    for (int i = first; i < first + count; i++) {
        int s = clampi(v->chunk_state[i], 0, RD_CHUNK_FAILED);
        n[s]++;
        pct += s == RD_CHUNK_DONE || s == RD_CHUNK_WRITTEN ? 100
             : s == RD_CHUNK_RUNNING ? v->chunk_pct[i] : 0;
    }
    pct = clampi(pct / count, 0, 99);
    st = n[RD_CHUNK_FAILED] ? RD_CHUNK_FAILED
       : n[RD_CHUNK_WRITTEN] == count ? RD_CHUNK_WRITTEN
       : n[RD_CHUNK_WRITTEN] + n[RD_CHUNK_DONE] == count ? RD_CHUNK_DONE
       : n[RD_CHUNK_QUEUED] == count ? RD_CHUNK_QUEUED : RD_CHUNK_RUNNING;

    static const char *const col[] = { SGR_DIM, "\033[30;43m", "\033[30;46m",
                                       "\033[30;42m", "\033[37;41m" };
    static const char *const wide_txt[] = { " . ", NULL, " + ", " # ", " X " };
    static const char narrow_txt[] = { '.', 0, '+', '#', 'X' };
    char c[4];

    lb_esc(b, col[st]);
    if (st == RD_CHUNK_RUNNING)
        snprintf(c, sizeof(c), wide ? "%2d%%" : "%d", wide ? pct : pct / 10);
    else if (wide)
        snprintf(c, sizeof(c), "%s", wide_txt[st]);
    else
        snprintf(c, sizeof(c), "%c", narrow_txt[st]);
    lb_text(b, c);
    lb_esc(b, SGR0);
    if (wide)
        lb_text(b, " ");
}

/* Cells after a label column: 4 columns each when they fit in cap lines,
 * else 1 column each, else 1 column per group of g items. Returns g. */
static int draw_grid(Lb *b, const RdDashView *v, const char *label, int n, int cap, CellFn cell)
{
    int avail = b->maxcol - LABEL_W, per = avail / 4, g = 1, wide = 1;

    if (per < 1 || (n + per - 1) / per > cap) {
        wide = 0;
        per = avail > 0 ? avail : 1;
        g = (n + per * cap - 1) / (per * cap);
        if (g < 1)
            g = 1;
    }
    lb_text(b, label);
    lb_pad(b, LABEL_W);
    for (int c = 0, cells = (n + g - 1) / g; c < cells; c++) {
        if (c && c % per == 0) {
            lb_end(b);
            lb_pad(b, LABEL_W);
        }
        int first = c * g;
        cell(b, v, first, n - first < g ? n - first : g, wide);
    }
    lb_end(b);
    return g;
}

/* ---- sections ---- */

static void draw_header(Lb *b, const RdDashView *v)
{
    char tail[256], dur[24];

    rd_dash_fmt_time(dur, sizeof(dur), v->duration_s);
    snprintf(tail, sizeof(tail), "  %dx%d  %.4g fps  %s", v->width, v->height, v->in_fps, dur);
    lb_text(b, "input");
    lb_pad(b, LABEL_W);
    lb_esc(b, SGR_BOLD);
    lb_fit(b, base_name(v->input), b->maxcol - b->col - text_cols(tail));
    lb_esc(b, SGR0);
    lb_text(b, tail);
    lb_end(b);

    /* Shorter wording until the filter graph gets at least a few columns. */
    lb_text(b, "workload");
    lb_pad(b, LABEL_W);
    int vf_min = text_cols(v->vf) < 12 ? text_cols(v->vf) : 12;
    for (int tier = 0; tier < 3; tier++) {
        if (tier == 0)
            snprintf(tail, sizeof(tail), " -> %s  %d workers  %d chunks  schedule %s",
                     v->vcodec, v->nworkers, v->nchunks, v->schedule);
        else if (tier == 1)
            snprintf(tail, sizeof(tail), " -> %s  %d workers  %d chunks  %s",
                     v->vcodec, v->nworkers, v->nchunks, v->schedule);
        else
            snprintf(tail, sizeof(tail), " -> %s %dw %dc %s",
                     v->vcodec, v->nworkers, v->nchunks, v->schedule);
        if (b->maxcol - b->col - text_cols(tail) >= vf_min)
            break;
    }
    lb_fit(b, v->vf, b->maxcol - b->col - text_cols(tail));
    lb_text(b, tail);
    lb_end(b);
}

static void draw_chunk_legend(Lb *b, const RdDashView *v, int g)
{
    static const char *const name[] = { "queued", "running", "done", "written", "failed" };
    static const char *const col[] = { SGR_DIM, "\033[33m", "\033[36m", "\033[32m", "\033[31m" };
    int n[RD_CHUNK_FAILED + 1] = {0};

    for (int i = 0; i < v->nchunks; i++)
        n[clampi(v->chunk_state[i], 0, RD_CHUNK_FAILED)]++;
    lb_pad(b, LABEL_W);
    for (int s = 0; s <= RD_CHUNK_FAILED; s++) {
        if (s == RD_CHUNK_FAILED && !n[s])
            break;
        lb_esc(b, col[s]);
        lb_printf(b, "%d %s", n[s], name[s]);
        lb_esc(b, SGR0);
        lb_text(b, "  ");
    }
    if (g > 1)
        lb_printf(b, "(1 cell = %d chunks)", g);
    lb_end(b);
}

static void draw_worker_line(Lb *b, const RdDashView *v, int w)
{
    int c = v->worker_chunk[w];

    lb_printf(b, "worker %d", w);
    lb_pad(b, LABEL_W);
    if (c < 0 || c >= v->nchunks) {
        lb_esc(b, SGR_DIM);
        lb_text(b, "idle");
        lb_esc(b, SGR0);
        lb_end(b);
        return;
    }
    int pct = v->chunk_pct[c] < 99 ? v->chunk_pct[c] : 99; /* running: not done yet */
    int bar = b->maxcol - LABEL_W - 31 < 16 ? b->maxcol - LABEL_W - 31 : 16;
    lb_printf(b, "chunk %-5d ", c);
    if (bar >= 4)
        draw_bar(b, pct / 100.0, bar);
    lb_printf(b, " %3d%%  %6.1f fps", pct, v->worker_fps[w]);
    lb_end(b);
}

/* Many workers: a summary line (the load balance at a glance), then packed entries. */
static void draw_workers_packed(Lb *b, const RdDashView *v, int cap)
{
    int busy = 0, per = (b->maxcol - LABEL_W) / ENTRY_W;
    double lo = 0, hi = 0, sum = 0;

    for (int w = 0; w < v->nworkers; w++) {
        if (v->worker_chunk[w] < 0)
            continue;
        double f = v->worker_fps[w];
        lo = busy && lo < f ? lo : f;
        hi = busy && hi > f ? hi : f;
        sum += f;
        busy++;
    }
    int shown = per > 0 ? per * (cap - 1) : 0;
    if (shown > v->nworkers)
        shown = v->nworkers;
    lb_text(b, "workers");
    lb_pad(b, LABEL_W);
    lb_printf(b, "%d busy, %d idle", busy, v->nworkers - busy);
    if (shown < v->nworkers)
        lb_printf(b, " (%d not shown)", v->nworkers - shown);
    if (busy)
        lb_printf(b, ", fps min %.1f mean %.1f max %.1f", lo, sum / busy, hi);
    lb_end(b);
    for (int w = 0; w < shown; w++) {
        char e[48];
        if (w % per == 0) {
            if (w)
                lb_end(b);
            lb_pad(b, LABEL_W);
        }
        if (v->worker_chunk[w] < 0)
            snprintf(e, sizeof(e), "w%d idle", w);
        else
            snprintf(e, sizeof(e), "w%d c%d %.0ffps", w, v->worker_chunk[w], v->worker_fps[w]);
        int start = b->col;
        lb_text(b, e);
        lb_pad(b, start + ENTRY_W);
    }
    if (shown)
        lb_end(b);
}

/* render-mpi: one row per rank (its host, busy threads, CPU, rate) where
 * render shows its cores; the ranks that do not fit share the last row. */
static void draw_rank_rows(Lb *b, const RdDashView *v, int cap)
{
    int shown = v->nranks <= cap ? v->nranks : cap - 1;

    for (int i = 0; i < shown; i++) {
        const RdDashRank *k = &v->rank[i];
        int bar = b->maxcol - LABEL_W - 48 < 12 ? b->maxcol - LABEL_W - 48 : 12;
        lb_printf(b, "rank %d", i);
        lb_pad(b, LABEL_W);
        int start = b->col;
        lb_fit(b, k->host ? k->host : "?", 14);
        lb_pad(b, start + 15);
        start = b->col;
        lb_printf(b, "%d/%d busy", k->busy, k->threads);
        lb_pad(b, start + 12);
        if (bar >= 4 && k->cpu >= 0)
            draw_bar(b, k->cpu, bar);
        else if (bar >= 4)
            lb_pad(b, b->col + bar + 2); /* no figure yet: the columns stay put */
        if (k->cpu >= 0) {
            lb_text(b, " cpu ");
            lb_esc(b, load_color(k->cpu));
            lb_printf(b, "%3d%%", clampi((int)(k->cpu * 100 + 0.5), 0, 100));
            lb_esc(b, SGR0);
        } else {
            lb_text(b, " cpu   ?");
        }
        lb_printf(b, "  %6.1f fps", k->fps);
        lb_end(b);
    }
    if (shown < v->nranks) {
        int busy = 0, threads = 0;
        double fps = 0;
        for (int i = shown; i < v->nranks; i++) {
            busy += v->rank[i].busy;
            threads += v->rank[i].threads;
            fps += v->rank[i].fps;
        }
        lb_text(b, "ranks");
        lb_pad(b, LABEL_W);
        lb_printf(b, "%d more: %d/%d threads busy, %.1f fps", v->nranks - shown, busy, threads, fps);
        lb_end(b);
    }
}

static void draw_progress(Lb *b, const RdDashView *v)
{
    char tail[256], el[24], eta[24];

    rd_dash_fmt_time(el, sizeof(el), v->elapsed_s);
    lb_esc(b, SGR_BOLD);
    lb_text(b, rd_dash_phase_name(v->phase));
    lb_esc(b, SGR0);
    lb_pad(b, 7);
    if (!v->have_info) {
        lb_printf(b, "elapsed %s", el);
        lb_end(b);
        return;
    }
    rd_dash_fmt_time(eta, sizeof(eta), v->eta_s);
    double frac = v->total_frames > 0 ? (double)v->frames_done / v->total_frames : 0;
    long long done = (long long)v->frames_done, total = (long long)v->total_frames;
    /* The bar matters more than the words around it: shorter texts on narrower terminals. */
    for (int tier = 0; tier < 3; tier++) {
        if (total <= 0)
            snprintf(tail, sizeof(tail), tier ? " %lld frames %.1f fps" : " %lld frames  %.1f fps  %s",
                     done, v->fps, el);
        else if (tier == 0)
            snprintf(tail, sizeof(tail), " %5.1f%%  %lld/%lld frames  %.1f fps  %s  ETA %s",
                     100 * frac, done, total, v->fps, el, eta);
        else if (tier == 1)
            snprintf(tail, sizeof(tail), " %.1f%% %lld/%lld %.1f fps ETA %s",
                     100 * frac, done, total, v->fps, eta);
        else
            snprintf(tail, sizeof(tail), " %.0f%% %lld/%lld", 100 * frac, done, total);
        if (b->maxcol - b->col - text_cols(tail) - 2 >= 12)
            break;
    }
    int w = b->maxcol - b->col - text_cols(tail) - 2;
    if (w > BAR_MAX)
        w = BAR_MAX;
    if (w >= 8 && v->total_frames > 0)
        draw_bar(b, frac, w);
    lb_text(b, tail);
    lb_end(b);
}

int rd_dash_draw(char *buf, size_t size, const RdDashView *v, int *nlines)
{
    int cols = clampi(v->cols, 20, 240), rows = clampi(v->rows, 1, 100);
    int avail = rows - 1, full = v->have_info && avail >= 7;
    Lb b;

    lb_init(&b, buf, size, cols, v->color);
    if (full) {
        /* Fixed lines: header 2, chunk legend 1, progress 1; the rest is shared. */
        int r = avail - 4;
        int rank_cap = v->nranks > 0 && v->rank ? clampi(r / 4, 1, 8) : 0;
        int cpu_cap = !rank_cap && v->ncpus > 0 ? clampi(r / 5, 1, 4) : 0;
        int chunk_cap = clampi(r / 3, 1, 6);
        int work_cap = clampi(r - rank_cap - cpu_cap - chunk_cap, 1, 16);
        char label[24];

        draw_header(&b, v);
        if (rank_cap)
            draw_rank_rows(&b, v, rank_cap);
        if (cpu_cap) {
            snprintf(label, sizeof(label), "%s %d%%", v->cpu_is_run_mean ? "mean" : "cpu",
                     clampi((int)(v->cpu_mean * 100 + 0.5), 0, 100));
            draw_grid(&b, v, label, v->ncpus, cpu_cap, cpu_cell);
        }
        int g = draw_grid(&b, v, "chunks", v->nchunks, chunk_cap, chunk_cell);
        draw_chunk_legend(&b, v, g);
        if (v->nworkers <= work_cap) {
            for (int w = 0; w < v->nworkers; w++)
                draw_worker_line(&b, v, w);
        } else {
            draw_workers_packed(&b, v, work_cap);
        }
    }
    draw_progress(&b, v);
    if (nlines)
        *nlines = b.lines;
    return (int)b.len;
}

int rd_dash_plain_header(char *buf, size_t size, const RdDashView *v)
{
    char dur[24];
    Lb b;

    lb_init(&b, buf, size, 1000, 0);
    rd_dash_fmt_time(dur, sizeof(dur), v->duration_s);
    lb_text(&b, v->prog ? v->prog : "render");
    lb_text(&b, ": ");
    lb_text(&b, v->input);
    lb_printf(&b, ", %dx%d, %.4g fps, %s; ", v->width, v->height, v->in_fps, dur);
    lb_text(&b, v->vf);
    lb_text(&b, " -> ");
    lb_text(&b, v->vcodec);
    lb_printf(&b, "; %d workers, %d chunks, schedule ", v->nworkers, v->nchunks);
    lb_text(&b, v->schedule);
    lb_end(&b);
    return (int)b.len;
}
