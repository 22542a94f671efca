/*
 * dashboard_text.c - the dashboard's plain-text outputs: the progress line
 * for terminals without colour, the final summary and the --progress block.
 */
#include "ui/dashboard_draw.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/progress.h"

const char *rd_dash_phase_name(int phase)
{
    static const char *const names[] = { "start", "probe", "plan", "render",
                                         "merge", "done", "failed" };
    return phase >= 0 && phase <= RD_PHASE_FAILED ? names[phase] : "?";
}

void rd_dash_fmt_time(char *out, size_t size, double s)
{
    if (!(s >= 0) || !isfinite(s)) {
        snprintf(out, size, "--:--");
        return;
    }
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(out, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(out, size, "%ld:%02ld", t / 60, t % 60);
}

void rd_dash_fmt_bytes(char *out, size_t size, int64_t bytes)
{
    static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
    double x = (double)bytes;
    int u = -1;

    if (bytes < 1024) {
        snprintf(out, size, "%lld B", (long long)bytes);
        return;
    }
    while (x >= 1024 && u < 3) {
        x /= 1024;
        u++;
    }
    snprintf(out, size, "%.1f %s", x, unit[u]);
}

static int chunks_finished(const RdDashView *v)
{
    int n = 0;
    for (int i = 0; v->have_info && i < v->nchunks; i++)
        n += v->chunk_state[i] == RD_CHUNK_DONE || v->chunk_state[i] == RD_CHUNK_WRITTEN;
    return n;
}

/* snprintf that reports what it wrote, never more than the buffer holds. */
static int put(size_t size, int len, int n)
{
    if (n < 0)
        return len;
    return (size_t)(len + n) < size ? len + n : (int)(size ? size - 1 : 0);
}

int rd_dash_plain_line(char *buf, size_t size, const RdDashView *v)
{
    char el[24], eta[24];
    int n;

    rd_dash_fmt_time(el, sizeof(el), v->elapsed_s);
    rd_dash_fmt_time(eta, sizeof(eta), v->eta_s);
    if (!v->have_info)
        n = snprintf(buf, size, "%s: %s, elapsed %s\n", v->prog ? v->prog : "render",
                     rd_dash_phase_name(v->phase), el);
    else
        n = snprintf(buf, size, "%s: %s %lld/%lld frames (%.1f%%), %.1f fps, "
                     "chunks %d/%d done, elapsed %s, ETA %s\n",
                     v->prog ? v->prog : "render", rd_dash_phase_name(v->phase), (long long)v->frames_done,
                     (long long)v->total_frames,
                     v->total_frames > 0 ? 100.0 * v->frames_done / v->total_frames : 0.0,
                     v->fps, chunks_finished(v), v->nchunks, el, eta);
    return put(size, 0, n);
}

int rd_dash_summary(char *buf, size_t size, const RdDashSummary *s, int cols, int color)
{
    char item[6][96], sz[32];
    const char *prog = s->prog ? s->prog : "render";
    /* A wrapped line ends with the ';' after its last item: keep a column for it. */
    int nitems = 0, len = 0, col = 0, maxw = cols > 0 ? cols - 2 : 1 << 30;

    if (size)
        buf[0] = '\0';
    rd_dash_fmt_bytes(sz, sizeof(sz), s->output_bytes);
    if (s->no_video)
        snprintf(item[nitems++], sizeof(item[0]), "no video, the other streams in %.2f s", s->wall_s);
    else if (s->resumed_frames > 0) /* the rate is this run's: journaled frames cost nothing */
        snprintf(item[nitems++], sizeof(item[0]), "%lld frames (%lld from the journal) in %.2f s (%.1f fps)",
                 (long long)s->frames, (long long)s->resumed_frames, s->wall_s,
                 s->wall_s > 0 ? (s->frames - s->resumed_frames) / s->wall_s : 0.0);
    else
        snprintf(item[nitems++], sizeof(item[0]), "%lld frames in %.2f s (%.1f fps)",
                 (long long)s->frames, s->wall_s, s->wall_s > 0 ? s->frames / s->wall_s : 0.0);
    if (!s->no_video)
        snprintf(item[nitems++], sizeof(item[0]), "%d workers, %d chunks", s->workers, s->chunks);
    if (s->ranks > 0)
        snprintf(item[nitems++], sizeof(item[0]), "%d ranks", s->ranks);
    if (s->cpu_mean >= 0)
        snprintf(item[nitems++], sizeof(item[0]), "CPU %.0f%% per core on %d cores",
                 100 * s->cpu_mean, s->ncpus);
    snprintf(item[nitems++], sizeof(item[0]), "output %s", sz);
    if (!s->no_video)
        snprintf(item[nitems++], sizeof(item[0]), "%lld wasted decode frames", (long long)s->wasted_frames);

    len = put(size, len, snprintf(buf + len, size - len, "%s%s: done:%s ",
                                       color ? "\033[1;32m" : "", prog, color ? "\033[0m" : ""));
    col = (int)strlen(prog) + 8;
    for (int i = 0; i < nitems; i++) {
        int w = (int)strlen(item[i]);
        if (!i && col + w > maxw) {
            len = put(size, len, snprintf(buf + len, size - len, "\n  "));
            col = 2;
        } else if (i && col + 2 + w > maxw) {
            len = put(size, len, snprintf(buf + len, size - len, ";\n  "));
            col = 2;
        } else if (i) {
            len = put(size, len, snprintf(buf + len, size - len, "; "));
            col += 2;
        }
        len = put(size, len, snprintf(buf + len, size - len, "%s", item[i]));
        col += w;
    }
    return put(size, len, snprintf(buf + len, size - len, "\n"));
}

int rd_dash_progress_block(char *buf, size_t size, const RdDashView *v, int end)
{
    char eta[32];

    if (v->eta_s >= 0 && isfinite(v->eta_s))
        snprintf(eta, sizeof(eta), "%.2f", v->eta_s);
    else
        snprintf(eta, sizeof(eta), "N/A");
    return put(size, 0, snprintf(buf, size,
        "frame=%lld\ntotal_frames=%lld\nfps=%.2f\nchunks_done=%d\nchunks_total=%d\n"
        "workers=%d\nout_size=%lld\nwasted_frames=%lld\nelapsed_s=%.2f\neta_s=%s\n"
        "phase=%s\nprogress=%s\n",
        (long long)v->frames_done, (long long)v->total_frames, v->fps,
        chunks_finished(v), v->have_info ? v->nchunks : 0, v->have_info ? v->nworkers : 0,
        (long long)v->output_bytes, (long long)v->wasted_frames, v->elapsed_s, eta,
        rd_dash_phase_name(v->phase), end ? "end" : "continue"));
}
