#include "ui/dashboard.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>

#include "ui/dashboard_draw.h"
#include "ui/procstat.h"

enum { MODE_QUIET, MODE_SILENT, MODE_PLAIN, MODE_TTY };

#define RING         16   /* rate window: RING ticks, about 3 s at 0.2 s */
#define CPU_PERIOD   0.5  /* /proc/stat ticks at 100 Hz: shorter deltas are noise */
#define PLAIN_PERIOD 1.0
#define PROG_PERIOD  0.5

/* Shared with signal handlers and across threads: lock-free atomics. */
static atomic_int g_hidden_fd = -1; /* fd whose cursor we hid */
static atomic_int g_winch;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "signal handlers need lock-free atomics");
static struct sigaction g_old_winch;

struct RdDashboard {
    RdProgress *p;
    RdDashboardSettings s;
    int mode, fd, pfd, pfd_own;
    pthread_t th;
    int running, stop, winch_set;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    double t0;
    /* snapshot, filled by sample() */
    RdDashView v;
    int info, info_tried;
    uint8_t *cstate, *cpct;
    int *wchunk;
    double *wfps;
    int64_t *wring;            /* nworkers x RING frames_done */
    RdDashRank *rrow;          /* render-mpi: nranks rows */
    int64_t *rcpu;             /* nranks: cpu_ms at rcpu_t */
    double rcpu_t;
    double tring[RING];
    int64_t fring[RING];
    int ring_n, ring_pos;
    /* CPU */
    char *statbuf;
    size_t statsize;
    int ncpu_max, ncpu, ncpu_first;
    RdCpuTimes *cpu_first, *cpu_prev, *cpu_cur;
    float *busy;
    double cpu_t;
    /* output */
    char *frame;
    int prev_lines;
    double plain_t, prog_t;
    int header_done;
    char line[2048];
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int write_all(int fd, const char *buf, size_t n)
{
    while (n) {
        ssize_t k = write(fd, buf, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return AVERROR(k < 0 ? errno : EIO);
        buf += k;
        n -= (size_t)k;
    }
    return 0;
}

static void on_winch(int sig)
{
    g_winch = 1;
    if (!(g_old_winch.sa_flags & SA_SIGINFO) && g_old_winch.sa_handler != SIG_DFL &&
        g_old_winch.sa_handler != SIG_IGN)
        g_old_winch.sa_handler(sig);
}

static void read_size(RdDashboard *d)
{
    struct winsize ws;

    d->v.cols = 80;
    d->v.rows = 24;
    if (!ioctl(d->s.size_fd > 0 ? d->s.size_fd : d->fd, TIOCGWINSZ, &ws) && ws.ws_col > 0) {
        d->v.cols = ws.ws_col;
        d->v.rows = ws.ws_row > 0 ? ws.ws_row : 24;
    }
}

static int color_from_env(void)
{
    const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
    return !(nc && *nc) && term && *term && strcmp(term, "dumb");
}

/* ---- sampling ---- */

/* The header fields and arrays are valid once the engine is past planning
 * (the phase store releases them); FAILED alone says nothing, so the
 * arrays are sized from the first valid sight and kept. */
static void setup_info(RdDashboard *d)
{
    RdProgress *p = d->p;
    int nc = p->nchunks, nw = p->nworkers;

    d->info_tried = 1;
    if (!p->chunks || !p->workers || nc <= 0 || nw <= 0)
        return;
    d->cstate = av_calloc(nc, 1);
    d->cpct   = av_calloc(nc, 1);
    d->wchunk = av_calloc(nw, sizeof(*d->wchunk));
    d->wfps   = av_calloc(nw, sizeof(*d->wfps));
    d->wring  = av_calloc((size_t)nw * RING, sizeof(*d->wring));
    if (!d->cstate || !d->cpct || !d->wchunk || !d->wfps || !d->wring)
        return; /* freed at stop; the dashboard shows the progress line only */
    RdDashView *v = &d->v;
    v->input = p->input;
    v->width = p->width;
    v->height = p->height;
    v->in_fps = p->fps;
    v->duration_s = p->duration_s;
    v->vf = p->vf;
    v->vcodec = p->vcodec;
    v->schedule = p->schedule;
    v->nchunks = nc;
    v->nworkers = nw;
    v->total_frames = p->total_frames;
    v->chunk_state = d->cstate;
    v->chunk_pct = d->cpct;
    v->worker_chunk = d->wchunk;
    v->worker_fps = d->wfps;
    if (p->nranks > 0 && p->ranks) {
        d->rrow = av_calloc(p->nranks, sizeof(*d->rrow));
        d->rcpu = av_calloc(p->nranks, sizeof(*d->rcpu));
        if (!d->rrow || !d->rcpu)
            return;
        for (int i = 0; i < p->nranks; i++) {
            d->rrow[i].host = p->ranks[i].host;
            d->rrow[i].threads = p->ranks[i].threads;
            d->rrow[i].cpu = -1;
            d->rcpu[i] = -1;
        }
        v->nranks = p->nranks;
        v->rank = d->rrow;
    }
    d->info = v->have_info = 1;
}

/* Each rank's busy threads and rate from the worker rows; its CPU share
 * from the CPU time it reports, over about a second (run_mean: the run). */
static void sample_ranks(RdDashboard *d, double now, int run_mean)
{
    RdProgress *p = d->p;
    RdDashView *v = &d->v;
    int cpu_due = run_mean || now - d->rcpu_t >= 1.0;

    for (int i = 0; i < v->nranks; i++) {
        RdDashRank *k = &d->rrow[i];
        const RdRankProgress *rp = &p->ranks[i];
        int64_t ms = atomic_load_explicit(&p->ranks[i].cpu_ms, memory_order_relaxed);
        k->busy = 0;
        k->fps = 0;
        for (int w = rp->first; w < rp->first + rp->threads && w < v->nworkers; w++) {
            k->busy += d->wchunk[w] >= 0;
            k->fps += d->wfps[w];
        }
        if (!cpu_due || rp->threads <= 0)
            continue;
        if (run_mean)
            k->cpu = ms >= 0 && now > d->t0 ? ms / 1e3 / ((now - d->t0) * rp->threads) : -1;
        else if (d->rcpu[i] >= 0 && ms >= 0 && now > d->rcpu_t)
            k->cpu = (ms - d->rcpu[i]) / 1e3 / ((now - d->rcpu_t) * rp->threads);
        if (k->cpu > 1)
            k->cpu = 1; /* the MPI thread's own share, or clocks that disagree */
        d->rcpu[i] = ms;
    }
    if (cpu_due)
        d->rcpu_t = now;
}

static void sample(RdDashboard *d, double now)
{
    RdProgress *p = d->p;
    RdDashView *v = &d->v;
    int phase = atomic_load(&p->phase);

    v->phase = phase;
    v->elapsed_s = now - d->t0;
    v->output_bytes = atomic_load_explicit(&p->output_bytes, memory_order_relaxed);
    v->wasted_frames = atomic_load_explicit(&p->wasted_frames, memory_order_relaxed);
    if (!d->info_tried && phase >= RD_PHASE_RENDER && phase <= RD_PHASE_DONE)
        setup_info(d);
    if (!d->info)
        return;

    int64_t frames = 0;
    for (int i = 0; i < v->nchunks; i++) {
        RdChunkProgress *c = &p->chunks[i];
        int st = atomic_load_explicit(&c->state, memory_order_relaxed);
        int64_t f = atomic_load_explicit(&c->frames_done, memory_order_relaxed);
        int64_t pct = c->frames_total > 0 ? f * 100 / c->frames_total
                    : st == RD_CHUNK_DONE || st == RD_CHUNK_WRITTEN ? 100 : 0;
        d->cstate[i] = (uint8_t)st;
        d->cpct[i] = (uint8_t)(pct < 0 ? 0 : pct > 100 ? 100 : pct);
        frames += f;
    }
    v->frames_done = frames;

    /* Rates over the ring: the oldest sample is about RING ticks ago. */
    int pos = d->ring_pos, old = d->ring_n < RING ? 0 : pos;
    double dt = d->ring_n ? now - d->tring[old] : 0;
    for (int w = 0; w < v->nworkers; w++) {
        int64_t f = atomic_load_explicit(&p->workers[w].frames_done, memory_order_relaxed);
        int64_t *r = d->wring + (size_t)w * RING;
        d->wchunk[w] = atomic_load_explicit(&p->workers[w].chunk, memory_order_relaxed);
        d->wfps[w] = dt > 0.05 ? (f - r[old]) / dt : 0;
        r[pos] = f;
    }
    v->fps = dt > 0.05 ? (frames - d->fring[old]) / dt : 0;
    if (v->nranks)
        sample_ranks(d, now, 0);
    d->tring[pos] = now;
    d->fring[pos] = frames;
    d->ring_pos = (pos + 1) % RING;
    if (d->ring_n < RING)
        d->ring_n++;

    if (phase == RD_PHASE_DONE || (v->total_frames > 0 && frames >= v->total_frames))
        v->eta_s = 0;
    else if (v->fps > 0 && v->total_frames > 0)
        v->eta_s = (v->total_frames - frames) / v->fps;
    else
        v->eta_s = -1;
}

/* Per-core load since the previous sample, or with run_mean since start. */
static void sample_cpu(RdDashboard *d, double now, int run_mean)
{
    if (!d->statbuf || (!run_mean && now - d->cpu_t < CPU_PERIOD))
        return;
    if (rd_procstat_read(d->s.proc_stat, d->statbuf, d->statsize) < 0)
        return;
    int n = rd_procstat_parse(d->statbuf, d->cpu_cur, d->ncpu_max);
    if (n <= 0)
        return;
    n = n < d->ncpu_max ? n : d->ncpu_max;
    d->cpu_t = now;
    if (!d->ncpu_first) {
        memcpy(d->cpu_first, d->cpu_cur, n * sizeof(*d->cpu_cur));
        d->ncpu_first = n;
    }
    const RdCpuTimes *base = run_mean ? d->cpu_first : d->cpu_prev;
    int nbase = run_mean ? d->ncpu_first : d->ncpu;
    if (n == nbase) {   /* else a core went on- or offline: start over */
        RdCpuTimes a, b;
        for (int i = 0; i < n; i++)
            d->busy[i] = (float)rd_procstat_busy(&base[i], &d->cpu_cur[i]);
        rd_procstat_sum(base, n, &a);
        rd_procstat_sum(d->cpu_cur, n, &b);
        d->v.cpu_mean = rd_procstat_busy(&a, &b);
        d->v.ncpus = n;
        d->v.cpu_busy = d->busy;
        d->v.cpu_is_run_mean = run_mean;
    } else if (run_mean) {
        d->v.cpu_mean = -1;
    }
    memcpy(d->cpu_prev, d->cpu_cur, n * sizeof(*d->cpu_cur));
    d->ncpu = n;
}

static int cpu_setup(RdDashboard *d)
{
    long n = sysconf(_SC_NPROCESSORS_CONF);

    d->ncpu_max = n > 0 && n < 65536 ? (int)n : 1024;
    d->statsize = 256 * ((size_t)d->ncpu_max + 2) + 4096; /* cpu lines only; the rest may be cut */
    d->statbuf   = av_malloc(d->statsize);
    d->cpu_first = av_calloc(d->ncpu_max, sizeof(RdCpuTimes));
    d->cpu_prev  = av_calloc(d->ncpu_max, sizeof(RdCpuTimes));
    d->cpu_cur   = av_calloc(d->ncpu_max, sizeof(RdCpuTimes));
    d->busy      = av_calloc(d->ncpu_max, sizeof(float));
    if (!d->statbuf || !d->cpu_first || !d->cpu_prev || !d->cpu_cur || !d->busy)
        return AVERROR(ENOMEM);
    sample_cpu(d, now_s(), 0);
    return 0;
}

/* ---- output ---- */

static void draw_tty(RdDashboard *d)
{
    size_t n = 0, cap = RD_DASH_FRAME_MAX + 64;
    int lines = 0;

    int cols = d->v.cols, rows = d->v.rows;

    if (atomic_exchange(&g_winch, 0) || d->s.size_fd > 0)
        read_size(d);
    if (g_hidden_fd != d->fd) {
        n += (size_t)snprintf(d->frame + n, cap - n, "\033[?25l");
        g_hidden_fd = d->fd;
    }
    /* Back to the first line of the previous frame: redrawn in place, so the
     * last frame and the summary stay in the scrollback. After a resize the
     * terminal may have reflowed the old frame onto a different number of
     * rows, so moving up would leave pieces of it: clear and start at the top. */
    if (d->prev_lines && (cols != d->v.cols || rows != d->v.rows))
        n += (size_t)snprintf(d->frame + n, cap - n, "\033[H\033[2J");
    else if (d->prev_lines)
        n += (size_t)snprintf(d->frame + n, cap - n, "\r\033[%dA", d->prev_lines);
    n += (size_t)rd_dash_draw(d->frame + n, RD_DASH_FRAME_MAX, &d->v, &lines);
    n += (size_t)snprintf(d->frame + n, cap - n, "\033[J");
    if (write_all(d->fd, d->frame, n) >= 0)
        d->prev_lines = lines;
}

static void write_progress(RdDashboard *d, int end)
{
    int n = rd_dash_progress_block(d->line, sizeof(d->line), &d->v, end);
    if (d->pfd >= 0 && write_all(d->pfd, d->line, (size_t)n) < 0) {
        if (d->pfd_own)
            close(d->pfd);
        d->pfd = -1; /* reader gone (EPIPE) or disk full: stop trying */
    }
}

static void tick(RdDashboard *d)
{
    double now = now_s();

    sample(d, now);
    if (d->mode == MODE_TTY) {
        sample_cpu(d, now, 0);
        draw_tty(d);
    } else if (d->mode == MODE_PLAIN) {
        if (d->info && !d->header_done) {
            d->header_done = 1;
            write_all(d->fd, d->line, (size_t)rd_dash_plain_header(d->line, sizeof(d->line), &d->v));
        }
        if (now - d->plain_t >= PLAIN_PERIOD) {
            d->plain_t = now;
            write_all(d->fd, d->line, (size_t)rd_dash_plain_line(d->line, sizeof(d->line), &d->v));
        }
    }
    if (d->pfd >= 0 && now - d->prog_t >= PROG_PERIOD) {
        d->prog_t = now;
        write_progress(d, 0);
    }
}

static void *dash_thread(void *arg)
{
    RdDashboard *d = arg;
    long step = (long)(d->s.interval_s * 1e9);

    pthread_mutex_lock(&d->mu);
    while (!d->stop) {
        pthread_mutex_unlock(&d->mu);
        tick(d);
        pthread_mutex_lock(&d->mu);
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        t.tv_nsec += step;
        t.tv_sec += t.tv_nsec / 1000000000L;
        t.tv_nsec %= 1000000000L;
        while (!d->stop && pthread_cond_timedwait(&d->cv, &d->mu, &t) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

/* ---- public ---- */

void rd_dashboard_defaults(RdDashboardSettings *s)
{
    memset(s, 0, sizeof(*s));
    s->fd = 2;
    s->tty = -1;
    s->color = -1;
    s->interval_s = 0.2;
    s->proc_stat = "/proc/stat";
}

static void dash_free(RdDashboard *d)
{
    if (d->winch_set)
        sigaction(SIGWINCH, &g_old_winch, NULL);
    if (d->pfd_own && d->pfd >= 0)
        close(d->pfd);
    av_free(d->cstate);
    av_free(d->cpct);
    av_free(d->wchunk);
    av_free(d->wfps);
    av_free(d->wring);
    av_free(d->rrow);
    av_free(d->rcpu);
    av_free(d->statbuf);
    av_free(d->cpu_first);
    av_free(d->cpu_prev);
    av_free(d->cpu_cur);
    av_free(d->busy);
    av_free(d->frame);
    av_free(d);
}

int rd_dashboard_start(RdDashboard **pd, RdProgress *p, const RdDashboardSettings *s)
{
    RdDashboard *d;
    int ret;

    *pd = NULL;
    if (!(d = av_mallocz(sizeof(*d))))
        return AVERROR(ENOMEM);
    d->p = p;
    d->s = *s;
    d->fd = s->fd;
    d->pfd = -1;
    d->t0 = now_s();
    d->v.eta_s = -1;
    d->v.cpu_mean = -1;
    d->v.prog = s->prog;
    if (!(d->s.interval_s >= 0.1 && d->s.interval_s <= 0.5))
        d->s.interval_s = d->s.interval_s > 0.5 ? 0.5 : d->s.interval_s > 0 ? 0.1 : 0.2;
    if (s->quiet) {
        d->mode = MODE_QUIET;
    } else {
        int tty = s->tty >= 0 ? s->tty : isatty(d->fd);
        int color = s->color >= 0 ? s->color : color_from_env();
        d->mode = !tty ? MODE_SILENT : color ? MODE_TTY : MODE_PLAIN;
        if (tty)
            read_size(d);
    }

    if (s->progress_path && !strcmp(s->progress_path, "-")) {
        d->pfd = 1;
    } else if (s->progress_path) {
        d->pfd = open(s->progress_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (d->pfd < 0) {
            ret = AVERROR(errno);
            goto fail;
        }
        d->pfd_own = 1;
    }
    if (d->mode != MODE_QUIET && s->proc_stat && (ret = cpu_setup(d)) < 0)
        goto fail;
    if (d->mode == MODE_TTY) {
        if (!(d->frame = av_malloc(RD_DASH_FRAME_MAX + 64))) {
            ret = AVERROR(ENOMEM);
            goto fail;
        }
        d->v.color = 1;
        struct sigaction sa = { .sa_handler = on_winch, .sa_flags = SA_RESTART };
        sigemptyset(&sa.sa_mask);
        g_winch = 0;
        d->winch_set = !sigaction(SIGWINCH, &sa, &g_old_winch);
    }

    /* Silent and quiet runs without --progress need no thread at all. */
    if (d->mode == MODE_TTY || d->mode == MODE_PLAIN || d->pfd >= 0) {
        pthread_condattr_t ca;
        sigset_t all, old;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&d->cv, &ca);
        pthread_condattr_destroy(&ca);
        pthread_mutex_init(&d->mu, NULL);
        /* The thread blocks every signal: SIGINT reaches the CLI's threads,
         * and a closed --progress pipe gives EPIPE instead of killing us. */
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        ret = -pthread_create(&d->th, NULL, dash_thread, d);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (ret < 0) {
            pthread_cond_destroy(&d->cv);
            pthread_mutex_destroy(&d->mu);
            ret = AVERROR(-ret);
            goto fail;
        }
        d->running = 1;
    }
    *pd = d;
    return 0;
fail:
    dash_free(d);
    return ret;
}

void rd_dashboard_stop(RdDashboard **pd, const RdReport *rep)
{
    RdDashboard *d = *pd;

    if (!d)
        return;
    *pd = NULL;
    if (d->running) {
        pthread_mutex_lock(&d->mu);
        d->stop = 1;
        pthread_cond_signal(&d->cv);
        pthread_mutex_unlock(&d->mu);
        pthread_join(d->th, NULL);
        pthread_cond_destroy(&d->cv);
        pthread_mutex_destroy(&d->mu);
    }

    /* The engine has returned: the counters are final. */
    double now = now_s();
    sample(d, now);
    sample_cpu(d, now, 1);
    if (d->v.nranks)
        sample_ranks(d, now, 1);
    if (rep) {
        d->v.frames_done = rep->frames_out;
        d->v.output_bytes = rep->output_bytes;
        d->v.wasted_frames = rep->wasted_frames;
        if (rep->total_s > 0) /* the run's mean, not the last few seconds' */
            d->v.fps = (rep->frames_out - rep->resumed_frames) / rep->total_s;
    }
    if (d->mode == MODE_TTY)
        draw_tty(d);
    else if (d->mode == MODE_PLAIN && rep)
        write_all(d->fd, d->line, (size_t)rd_dash_plain_line(d->line, sizeof(d->line), &d->v));
    if (rep && d->mode != MODE_QUIET) {
        RdDashSummary sum = {
            .frames = rep->frames_out, .wall_s = rep->total_s,
            .workers = rep->threads, .chunks = rep->nchunks,
            .cpu_mean = d->v.cpu_is_run_mean ? d->v.cpu_mean : -1, .ncpus = d->v.ncpus,
            .output_bytes = rep->output_bytes, .wasted_frames = rep->wasted_frames,
            .prog = d->s.prog, .ranks = d->p->nranks, .resumed_frames = rep->resumed_frames,
            .no_video = rep->no_video,
        };
        int n = rd_dash_summary(d->line, sizeof(d->line), &sum,
                                d->mode == MODE_SILENT ? 0 : d->v.cols ? d->v.cols : 80,
                                d->mode == MODE_TTY);
        write_all(d->fd, d->line, (size_t)n);
    }
    if (g_hidden_fd == d->fd) {
        write_all(d->fd, "\033[0m\033[?25h", 10);
        g_hidden_fd = -1;
    }
    if (d->pfd >= 0)
        write_progress(d, 1);
    dash_free(d);
}

void rd_dashboard_emergency_restore(void)
{
    int fd = g_hidden_fd;
    if (fd >= 0) {
        ssize_t r = write(fd, "\033[0m\033[?25h", 10);
        (void)r;
    }
}
