#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libavutil/error.h>

#include "suites.h"
#include "ui/dashboard.h"
#include "ui/dashboard_draw.h"
#include "engine/progress.h"

/* ---- a synthetic snapshot: n cores, chunks and workers mid-run ---- */

#define MAXN 4000
static uint8_t st[MAXN], pct[MAXN];
static int wchunk[MAXN];
static double wfps[MAXN];
static float busy[MAXN];
static char frame[RD_DASH_FRAME_MAX];

static RdDashView make_view(int cols, int rows, int ncpu, int nchunks, int nworkers, int color)
{
    for (int i = 0; i < nchunks; i++) {
        st[i] = i < nchunks / 3 ? RD_CHUNK_WRITTEN : i < nchunks / 2 ? RD_CHUNK_DONE
              : i < nchunks / 2 + nworkers ? RD_CHUNK_RUNNING : RD_CHUNK_QUEUED;
        pct[i] = st[i] == RD_CHUNK_RUNNING ? (uint8_t)(i * 37 % 100) : st[i] > RD_CHUNK_RUNNING ? 100 : 0;
    }
    for (int w = 0; w < nworkers; w++) {
        wchunk[w] = w == 1 ? -1 : nchunks / 2 + w;
        wfps[w] = 20 + w % 7;
    }
    for (int c = 0; c < ncpu; c++)
        busy[c] = (float)(c * 13 % 101) / 100.0f;
    RdDashView v = {
        .cols = cols, .rows = rows, .color = color, .phase = RD_PHASE_RENDER,
        .elapsed_s = 64.2, .have_info = 1, .input = "assets/mandelbrot_720p.mp4",
        .width = 1280, .height = 720, .in_fps = 30, .duration_s = 20,
        .vf = "hqdn3d,scale=640:-2,eq=contrast=1.2:brightness=0.05,unsharp",
        .vcodec = "libx264", .schedule = "dynamic,1", .nworkers = nworkers,
        .nchunks = nchunks, .total_frames = 600, .frames_done = 255, .fps = 61.0,
        .eta_s = 5.6, .output_bytes = 1234567, .wasted_frames = 12,
        .chunk_state = st, .chunk_pct = pct, .worker_chunk = wchunk, .worker_fps = wfps,
        .ncpus = ncpu, .cpu_busy = busy, .cpu_mean = 0.87,
    };
    return v;
}

/* Visible columns of each line (CSI sequences skipped, UTF-8 counted once);
 * asserts every line is narrower than cols. Returns the number of lines. */
static int check_width(const char *s, int cols)
{
    int lines = 0, col = 0;
    for (; *s; s++) {
        if (*s == '\033') {
            ck_assert_int_eq(s[1], '[');
            for (s += 2; *s && !(*s >= '@' && *s <= '~'); s++)
                ;
            continue;
        }
        if (*s == '\n') {
            ck_assert_msg(col < cols, "line %d has %d columns, terminal %d", lines, col, cols);
            lines++;
            col = 0;
        } else if (((unsigned char)*s & 0xc0) != 0x80) {
            col++;
        }
    }
    ck_assert_int_eq(col, 0); /* every line ends with '\n' */
    return lines;
}

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

/* ---- layout ---- */

START_TEST(test_draw_80_small)
{
    RdDashView v = make_view(80, 24, 2, 8, 2, 0);
    int lines = -1, n = rd_dash_draw(frame, sizeof(frame), &v, &lines);
    ck_assert_int_eq(n, (int)strlen(frame));
    ck_assert_int_eq(check_width(frame, 80), lines);
    ck_assert_int_eq(lines, 8); /* header 2, cpu 1, chunks 1, legend 1, workers 2, bar 1 */
    ck_assert_ptr_nonnull(strstr(frame, "input     mandelbrot_720p.mp4  1280x720  30 fps  0:20\n"));
    ck_assert_ptr_nonnull(strstr(frame, "-> libx264  2 workers  8 chunks  schedule dynamic,1\n"));
    ck_assert_ptr_nonnull(strstr(frame, "cpu 87%     0  13 \n"));
    ck_assert_ptr_nonnull(strstr(frame, "chunks     #   #   +   +  48% 85%  .   .  \n"));
    ck_assert_ptr_nonnull(strstr(frame, "2 queued  2 running  2 done  2 written"));
    ck_assert_ptr_nonnull(strstr(frame, "worker 0  chunk 4     [########--------]  48%    20.0 fps\n"));
    ck_assert_ptr_nonnull(strstr(frame, "worker 1  idle\n"));
    ck_assert_ptr_nonnull(strstr(frame, "render [#########------------]  42.5%  255/600 frames  61.0 fps  1:04  ETA 0:06\n"));
    ck_assert_ptr_null(strchr(frame, '\033'));
}
END_TEST

START_TEST(test_draw_color_has_escapes_and_same_text)
{
    static char plain[RD_DASH_FRAME_MAX];
    RdDashView v = make_view(80, 24, 4, 16, 4, 0);
    int l0, l1;
    rd_dash_draw(plain, sizeof(plain), &v, &l0);
    v.color = 1;
    rd_dash_draw(frame, sizeof(frame), &v, &l1);
    ck_assert_int_eq(l0, l1);
    ck_assert_ptr_nonnull(strchr(frame, '\033'));
    ck_assert_int_eq(count(frame, "\033[K\n"), l1); /* each line clears its old tail */
    ck_assert_int_eq(check_width(frame, 80), l1);
    /* stripped of escapes, the coloured frame says the same thing */
    char *w = frame;
    for (const char *r = frame; *r; r++) {
        if (*r == '\033') {
            for (r += 2; !(*r >= '@' && *r <= '~'); r++)
                ;
            continue;
        }
        *w++ = *r;
    }
    *w = '\0';
    ck_assert_str_eq(frame, plain);
}
END_TEST

/* cols, rows: big machines must stay inside the terminal and 80 columns must work */
static const struct { int cols, rows, ncpu, nchunks, nworkers; } big_cases[] = {
    {  80, 24, 200,  800, 200 },
    {  80, 40, 200,  800, 200 },
    { 200, 50, 200,  800, 200 },
    { 100, 40, 256, 3000,  64 },
    {  80, 24,  64,  256,  64 },
    {  20,  8,   8,   32,   8 },
    { 300, 120, 1000, 4000, 1000 },
};

START_TEST(test_draw_big_machine_fits)
{
    int cols = big_cases[_i].cols, rows = big_cases[_i].rows;
    for (int color = 0; color <= 1; color++) {
        RdDashView v = make_view(cols, rows, big_cases[_i].ncpu, big_cases[_i].nchunks,
                                 big_cases[_i].nworkers, color);
        int lines;
        rd_dash_draw(frame, sizeof(frame), &v, &lines);
        int eff_cols = cols > 240 ? 240 : cols, eff_rows = rows > 100 ? 100 : rows;
        ck_assert_int_eq(check_width(frame, eff_cols), lines);
        ck_assert_int_le(lines, eff_rows - 1);
        ck_assert_ptr_nonnull(strstr(frame, "255/600"));
        if (!color)
            ck_assert_ptr_null(strchr(frame, '\033'));
    }
}
END_TEST

START_TEST(test_draw_summarises_many)
{
    RdDashView v = make_view(80, 40, 200, 800, 200, 0);
    int lines;
    rd_dash_draw(frame, sizeof(frame), &v, &lines);
    ck_assert_ptr_nonnull(strstr(frame, "(1 cell = 2 chunks)"));
    ck_assert_ptr_nonnull(strstr(frame, "workers   199 busy, 1 idle (140 not shown), fps min 20.0 mean 23.0 max 26.0\n"));
    ck_assert_ptr_nonnull(strstr(frame, "200 queued  200 running  134 done  266 written"));
    /* 200 cores as one digit each: 3 lines of 69 */
    ck_assert_ptr_nonnull(strstr(frame, "cpu 87%   0123"));
    ck_assert_int_le(lines, 39);
}
END_TEST

START_TEST(test_draw_narrow_keeps_essentials)
{
    /* 64 columns: shorter wording, but the bar, the ETA and the filter stay */
    RdDashView v = make_view(64, 24, 2, 8, 2, 0);
    int lines;
    rd_dash_draw(frame, sizeof(frame), &v, &lines);
    ck_assert_int_eq(check_width(frame, 64), lines);
    ck_assert_ptr_nonnull(strstr(frame, "workload  hqdn3d,scale=640:-2,eq=... -> libx264 2w 8c dynamic,1\n"));
    ck_assert_ptr_nonnull(strstr(frame, "render [#########-------------] 42.5% 255/600 61.0 fps ETA 0:06\n"));
    ck_assert_ptr_nonnull(strstr(frame, "worker 0  chunk 4     [########--------]  48%    20.0 fps\n"));
}
END_TEST

START_TEST(test_draw_tiny_terminal)
{
    RdDashView v = make_view(80, 5, 8, 32, 8, 1);
    int lines;
    rd_dash_draw(frame, sizeof(frame), &v, &lines);
    ck_assert_int_eq(lines, 1); /* only the progress bar */
    ck_assert_ptr_nonnull(strstr(frame, "255/600 frames"));
}
END_TEST

START_TEST(test_draw_before_info)
{
    RdDashView v = { .cols = 80, .rows = 24, .phase = RD_PHASE_PROBE, .elapsed_s = 1.4, .eta_s = -1 };
    int lines;
    rd_dash_draw(frame, sizeof(frame), &v, &lines);
    ck_assert_int_eq(lines, 1);
    ck_assert_str_eq(frame, "probe  elapsed 0:01\n");
}
END_TEST

START_TEST(test_draw_failed_chunk)
{
    RdDashView v = make_view(80, 24, 2, 8, 2, 0);
    st[5] = RD_CHUNK_FAILED;
    rd_dash_draw(frame, sizeof(frame), &v, NULL);
    ck_assert_ptr_nonnull(strstr(frame, " X  "));
    ck_assert_ptr_nonnull(strstr(frame, "1 failed"));
}
END_TEST

START_TEST(test_draw_hostile_names)
{
    /* a file name must not inject escapes or line breaks, nor overflow the line */
    RdDashView v = make_view(80, 24, 2, 8, 2, 0);
    v.input = "/tmp/evil\033[2J\nname\xc2\x9b" "31m-and-a-very-long-tail-that-goes-on-and-on-and-on-and-on.mp4";
    v.vf = "drawtext=text='\r\a'";
    int lines;
    rd_dash_draw(frame, sizeof(frame), &v, &lines);
    ck_assert_ptr_null(strchr(frame, '\033'));
    ck_assert_ptr_null(strchr(frame, '\r'));
    ck_assert_ptr_null(strstr(frame, "\xc2\x9b"));
    ck_assert_int_eq(check_width(frame, 80), lines);
    ck_assert_ptr_nonnull(strstr(frame, "evil?[2J?name?31m-and"));
    ck_assert_ptr_nonnull(strstr(frame, "..."));
}
END_TEST

START_TEST(test_draw_small_buffer)
{
    /* clipped, never past the end, always terminated */
    static char small[300];
    RdDashView v = make_view(80, 40, 200, 800, 200, 1);
    memset(small, 'Z', sizeof(small));
    int n = rd_dash_draw(small, sizeof(small) - 20, &v, NULL);
    ck_assert_int_lt(n, (int)sizeof(small) - 20);
    ck_assert_int_eq((int)strlen(small), n);
    for (size_t i = sizeof(small) - 20; i < sizeof(small); i++)
        ck_assert_int_eq(small[i], 'Z');
}
END_TEST

/* ---- plain text ---- */

START_TEST(test_plain_lines)
{
    RdDashView v = make_view(80, 24, 2, 8, 2, 0);
    rd_dash_plain_line(frame, sizeof(frame), &v);
    ck_assert_str_eq(frame, "render: render 255/600 frames (42.5%), 61.0 fps, chunks 4/8 done, "
                            "elapsed 1:04, ETA 0:06\n");
    rd_dash_plain_header(frame, sizeof(frame), &v);
    ck_assert_str_eq(frame, "render: assets/mandelbrot_720p.mp4, 1280x720, 30 fps, 0:20; "
                            "hqdn3d,scale=640:-2,eq=contrast=1.2:brightness=0.05,unsharp -> libx264; "
                            "2 workers, 8 chunks, schedule dynamic,1\n");
    v.have_info = 0;
    v.phase = RD_PHASE_PLAN;
    rd_dash_plain_line(frame, sizeof(frame), &v);
    ck_assert_str_eq(frame, "render: plan, elapsed 1:04\n");
}
END_TEST

START_TEST(test_summary)
{
    RdDashSummary s = { .frames = 100, .wall_s = 1.25, .workers = 2, .chunks = 8,
                        .cpu_mean = 0.874, .ncpus = 2, .output_bytes = 1234567,
                        .wasted_frames = 12 };
    rd_dash_summary(frame, sizeof(frame), &s, 0, 0);
    ck_assert_str_eq(frame, "render: done: 100 frames in 1.25 s (80.0 fps); 2 workers, 8 chunks; "
                            "CPU 87% per core on 2 cores; output 1.2 MiB; 12 wasted decode frames\n");
    rd_dash_summary(frame, sizeof(frame), &s, 80, 0);
    ck_assert_int_eq(check_width(frame, 80), 2);
    rd_dash_summary(frame, sizeof(frame), &s, 40, 1);
    ck_assert_int_ge(check_width(frame, 40), 3);
    ck_assert_ptr_nonnull(strchr(frame, '\033'));
    s.cpu_mean = -1; /* no /proc/stat */
    rd_dash_summary(frame, sizeof(frame), &s, 0, 0);
    ck_assert_ptr_null(strstr(frame, "CPU"));
}
END_TEST

START_TEST(test_progress_block)
{
    RdDashView v = make_view(80, 24, 2, 8, 2, 0);
    rd_dash_progress_block(frame, sizeof(frame), &v, 0);
    ck_assert_str_eq(frame, "frame=255\ntotal_frames=600\nfps=61.00\nchunks_done=4\nchunks_total=8\n"
                            "workers=2\nout_size=1234567\nwasted_frames=12\nelapsed_s=64.20\n"
                            "eta_s=5.60\nphase=render\nprogress=continue\n");
    v = (RdDashView){ .phase = RD_PHASE_PROBE, .eta_s = -1 };
    rd_dash_progress_block(frame, sizeof(frame), &v, 1);
    ck_assert_ptr_nonnull(strstr(frame, "chunks_total=0\n"));
    ck_assert_ptr_nonnull(strstr(frame, "eta_s=N/A\nphase=probe\nprogress=end\n"));
}
END_TEST

/* ---- render-mpi: rank rows and its summary ---- */

START_TEST(test_draw_rank_rows)
{
    static RdDashRank rk[40];
    RdDashView v = make_view(80, 24, 2, 8, 4, 0);
    int lines = -1;

    for (int i = 0; i < 40; i++)
        rk[i] = (RdDashRank){ .host = i ? "node-b" : "node-a", .threads = 2, .busy = i % 3 ? 2 : 1,
                              .fps = 10.5, .cpu = i == 1 ? -1 : 0.5 };
    v.nranks = 2;
    v.rank = rk;
    rd_dash_draw(frame, sizeof(frame), &v, &lines);
    ck_assert_int_eq(check_width(frame, 80), lines);
    /* the ranks replace the cores */
    ck_assert_ptr_null(strstr(frame, "cpu 87%"));
    ck_assert_ptr_nonnull(strstr(frame, "rank 0    node-a         1/2 busy    [######------] cpu  50%    10.5 fps\n"));
    ck_assert_ptr_nonnull(strstr(frame, "rank 1    node-b         2/2 busy                   cpu   ?    10.5 fps\n"));
    ck_assert_int_eq(count(frame, "\nworker "), 4);
    /* more ranks than rows: the rest share one */
    v.nranks = 40;
    rd_dash_draw(frame, sizeof(frame), &v, &lines);
    ck_assert_int_le(check_width(frame, 80), 23);
    ck_assert_ptr_nonnull(strstr(frame, "ranks     37 more: "));
    ck_assert_ptr_nonnull(strstr(frame, "rank 2 "));
    ck_assert_ptr_null(strstr(frame, "rank 3 "));
    /* narrow, colour: still every line inside */
    v.cols = 40;
    v.color = 1;
    rd_dash_draw(frame, sizeof(frame), &v, &lines);
    ck_assert_int_eq(check_width(frame, 40), lines);
}
END_TEST

START_TEST(test_summary_mpi)
{
    RdDashSummary s = { .frames = 100, .wall_s = 1.25, .workers = 4, .chunks = 8, .cpu_mean = -1,
                        .output_bytes = 1234567, .wasted_frames = 12, .prog = "render-mpi",
                        .ranks = 2 };
    RdDashView v = make_view(80, 24, 2, 8, 2, 0);
    rd_dash_summary(frame, sizeof(frame), &s, 0, 0);
    ck_assert_str_eq(frame, "render-mpi: done: 100 frames in 1.25 s (80.0 fps); 4 workers, 8 chunks; "
                            "2 ranks; output 1.2 MiB; 12 wasted decode frames\n");
    rd_dash_summary(frame, sizeof(frame), &s, 50, 0);
    ck_assert_int_ge(check_width(frame, 50), 2);
    v.prog = "render-mpi";
    rd_dash_plain_line(frame, sizeof(frame), &v);
    ck_assert_ptr_nonnull(strstr(frame, "render-mpi: render 255/600 frames"));
}
END_TEST

static const struct { double s; const char *out; } time_cases[] = {
    { 0, "0:00" }, { 59.4, "0:59" }, { 59.6, "1:00" }, { 3599, "59:59" },
    { 3600, "1:00:00" }, { 86399, "23:59:59" }, { -1, "--:--" }, { 1.0 / 0.0, "--:--" },
};

START_TEST(test_fmt_time)
{
    char b[32];
    rd_dash_fmt_time(b, sizeof(b), time_cases[_i].s);
    ck_assert_str_eq(b, time_cases[_i].out);
}
END_TEST

START_TEST(test_fmt_bytes)
{
    char b[32];
    rd_dash_fmt_bytes(b, sizeof(b), 0);
    ck_assert_str_eq(b, "0 B");
    rd_dash_fmt_bytes(b, sizeof(b), 1023);
    ck_assert_str_eq(b, "1023 B");
    rd_dash_fmt_bytes(b, sizeof(b), 1536);
    ck_assert_str_eq(b, "1.5 KiB");
    rd_dash_fmt_bytes(b, sizeof(b), 5LL << 30);
    ck_assert_str_eq(b, "5.0 GiB");
}
END_TEST

/* ---- the thread, against a fake engine (runs inside Check's fork) ---- */

static void nap(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };
    nanosleep(&ts, NULL);
}

static int tmp_fd(char *path)
{
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    return fd;
}

static char *slurp(int fd)
{
    static char buf[1 << 20];
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    ck_assert_int_ge(n, 0);
    buf[n] = '\0';
    return buf;
}

/* Probe, plan, render 4 chunks of 25 frames on 2 workers over ~0.8 s, done. */
static void fake_run(RdProgress *p, RdReport *rep)
{
    atomic_store(&p->phase, RD_PHASE_PROBE);
    nap(0.1);
    snprintf(p->input, sizeof(p->input), "small.mp4");
    p->width = 320;
    p->height = 240;
    p->fps = 25;
    p->duration_s = 4;
    snprintf(p->vf, sizeof(p->vf), "hqdn3d");
    snprintf(p->vcodec, sizeof(p->vcodec), "libx264");
    snprintf(p->schedule, sizeof(p->schedule), "dynamic,1");
    ck_assert_int_eq(rd_progress_setup(p, 4, 2), 0);
    for (int i = 0; i < 4; i++)
        p->chunks[i].frames_total = 25;
    p->total_frames = 100;
    atomic_store(&p->phase, RD_PHASE_RENDER);
    for (int c = 0; c < 4; c += 2) {
        for (int w = 0; w < 2; w++) {
            atomic_store(&p->chunks[c + w].state, RD_CHUNK_RUNNING);
            atomic_store(&p->chunks[c + w].worker, w);
            atomic_store(&p->workers[w].chunk, c + w);
        }
        for (int f = 0; f < 25; f++) {
            for (int w = 0; w < 2; w++) {
                atomic_fetch_add(&p->chunks[c + w].frames_done, 1);
                atomic_fetch_add(&p->workers[w].frames_done, 1);
            }
            nap(0.016);
        }
        for (int w = 0; w < 2; w++)
            atomic_store(&p->chunks[c + w].state, RD_CHUNK_WRITTEN);
        atomic_fetch_add(&p->output_bytes, 20000);
    }
    atomic_fetch_add(&p->wasted_frames, 3);
    atomic_store(&p->phase, RD_PHASE_MERGE);
    nap(0.05);
    atomic_store(&p->phase, RD_PHASE_DONE);
    *rep = (RdReport){ .frames_out = 100, .total_s = 1.0, .threads = 2, .nchunks = 4,
                       .output_bytes = 40000, .wasted_frames = 3 };
}

static char out_path[64], prog_path[64];

static void run_dashboard(int tty, int color, int quiet, int with_progress, int with_report,
                          char **out, char **prog)
{
    RdDashboardSettings s;
    RdDashboard *d = NULL;
    RdProgress p = {0};
    RdReport rep;
    int ofd, pfd = -1;

    snprintf(out_path, sizeof(out_path), "/tmp/rd-dash-out-XXXXXX");
    ofd = tmp_fd(out_path);
    rd_dashboard_defaults(&s);
    s.fd = ofd;
    s.tty = tty;
    s.color = color;
    s.quiet = quiet;
    s.interval_s = 0.1;
    if (with_progress) {
        snprintf(prog_path, sizeof(prog_path), "/tmp/rd-dash-prog-XXXXXX");
        pfd = tmp_fd(prog_path);
        s.progress_path = prog_path;
    }
    ck_assert_int_eq(rd_dashboard_start(&d, &p, &s), 0);
    ck_assert_ptr_nonnull(d);
    fake_run(&p, &rep);
    rd_dashboard_stop(&d, with_report ? &rep : NULL);
    ck_assert_ptr_null(d);
    rd_dashboard_stop(&d, NULL); /* twice is harmless */
    rd_progress_free(&p);
    *out = strdup(slurp(ofd));
    close(ofd);
    unlink(out_path);
    if (pfd >= 0) {
        *prog = strdup(slurp(pfd));
        close(pfd);
        unlink(prog_path);
    }
}

START_TEST(test_thread_tty)
{
    char *out, *prog = NULL;
    run_dashboard(1, 1, 0, 1, 1, &out, &prog);
    /* cursor hidden once, shown at the end, attributes reset last */
    ck_assert_int_eq(strncmp(out, "\033[?25l", 6), 0);
    size_t n = strlen(out);
    ck_assert_str_eq(out + n - 10, "\033[0m\033[?25h");
    ck_assert_int_eq(count(out, "\033[?25l"), 1);
    ck_assert_int_ge(count(out, "\033[J"), 3);  /* several redraws */
    ck_assert_ptr_nonnull(strstr(out, "\033[1;32mrender: done:\033[0m 100 frames in 1.00 s (100.0 fps)"));
    ck_assert_ptr_nonnull(strstr(out, "small.mp4"));
    ck_assert_ptr_nonnull(strstr(out, "100/100 frames"));
    ck_assert_ptr_nonnull(strstr(out, "3 wasted decode frames"));
    if (!access("/proc/stat", R_OK))
        ck_assert_ptr_nonnull(strstr(out, "% per core on "));
    /* progress: blocks about twice a second, the last one ends the stream */
    ck_assert_int_ge(count(prog, "progress=continue\n"), 1);
    ck_assert_int_eq(count(prog, "progress=end\n"), 1);
    ck_assert_ptr_nonnull(strstr(prog, "frame=100\ntotal_frames=100\n"));
    n = strlen(prog);
    ck_assert_str_eq(prog + n - 13, "progress=end\n");
    free(out);
    free(prog);
}
END_TEST

START_TEST(test_thread_plain_tty)
{
    char *out, *prog = NULL;
    run_dashboard(1, 0, 0, 0, 1, &out, &prog);
    ck_assert_ptr_null(strchr(out, '\033'));
    ck_assert_ptr_nonnull(strstr(out, "render: small.mp4, 320x240, 25 fps, 0:04; hqdn3d -> libx264; "
                                      "2 workers, 4 chunks, schedule dynamic,1\n"));
    ck_assert_ptr_nonnull(strstr(out, "render: done 100/100 frames (100.0%)"));
    ck_assert_ptr_nonnull(strstr(out, "render: done: 100 frames"));
    free(out);
}
END_TEST

START_TEST(test_thread_not_a_terminal)
{
    char *out, *prog = NULL;
    run_dashboard(0, 1, 0, 0, 1, &out, &prog);
    ck_assert_ptr_null(strchr(out, '\033'));
    ck_assert_int_eq(count(out, "\n"), 1); /* the summary, on one line */
    ck_assert_int_eq(strncmp(out, "render: done: 100 frames in 1.00 s (100.0 fps); 2 workers, 4 chunks; ", 69), 0);
    free(out);
}
END_TEST

START_TEST(test_thread_quiet_with_progress)
{
    char *out, *prog = NULL;
    run_dashboard(1, 1, 1, 1, 1, &out, &prog);
    ck_assert_str_eq(out, "");
    ck_assert_ptr_nonnull(strstr(prog, "progress=end\n"));
    ck_assert_ptr_nonnull(strstr(prog, "phase=render\n"));
    free(out);
    free(prog);
}
END_TEST

START_TEST(test_thread_failed_run)
{
    char *out, *prog = NULL;
    run_dashboard(1, 1, 0, 0, 0, &out, &prog);
    ck_assert_ptr_null(strstr(out, "render: done:"));
    size_t n = strlen(out);
    ck_assert_str_eq(out + n - 10, "\033[0m\033[?25h");
    free(out);
    run_dashboard(0, 0, 0, 0, 0, &out, &prog);
    ck_assert_str_eq(out, ""); /* the CLI prints the error */
    free(out);
}
END_TEST

START_TEST(test_progress_file_error)
{
    RdDashboardSettings s;
    RdDashboard *d = (RdDashboard *)&s;
    RdProgress p = {0};
    rd_dashboard_defaults(&s);
    s.progress_path = "/nonexistent-dir/progress.txt";
    ck_assert_int_eq(rd_dashboard_start(&d, &p, &s), AVERROR(ENOENT));
    ck_assert_ptr_null(d);
}
END_TEST

START_TEST(test_emergency_restore)
{
    int fds[2];
    char buf[256];
    RdDashboardSettings s;
    RdDashboard *d;
    RdProgress p = {0};

    rd_dashboard_emergency_restore(); /* nothing hidden: writes nothing */
    ck_assert_int_eq(pipe(fds), 0);
    rd_dashboard_defaults(&s);
    s.fd = fds[1];
    s.tty = 1;
    s.color = 1;
    s.proc_stat = NULL;
    ck_assert_int_eq(rd_dashboard_start(&d, &p, &s), 0);
    nap(0.05);
    rd_dashboard_emergency_restore();
    rd_dashboard_stop(&d, NULL);
    close(fds[1]);
    ssize_t n = read(fds[0], buf, sizeof(buf) - 1);
    ck_assert_int_gt(n, 0);
    buf[n] = '\0';
    ck_assert_int_eq(count(buf, "\033[0m\033[?25h"), 2);
    ck_assert_ptr_nonnull(strstr(buf, "start\033[0m  elapsed 0:00"));
    close(fds[0]);
}
END_TEST

Suite *make_dashboard_suite(void)
{
    Suite *s = suite_create("dashboard");
    TCase *tc = tcase_create("layout");
    tcase_add_test(tc, test_draw_80_small);
    tcase_add_test(tc, test_draw_color_has_escapes_and_same_text);
    tcase_add_loop_test(tc, test_draw_big_machine_fits, 0, sizeof(big_cases) / sizeof(big_cases[0]));
    tcase_add_test(tc, test_draw_summarises_many);
    tcase_add_test(tc, test_draw_narrow_keeps_essentials);
    tcase_add_test(tc, test_draw_tiny_terminal);
    tcase_add_test(tc, test_draw_before_info);
    tcase_add_test(tc, test_draw_failed_chunk);
    tcase_add_test(tc, test_draw_hostile_names);
    tcase_add_test(tc, test_draw_small_buffer);
    tcase_add_test(tc, test_plain_lines);
    tcase_add_test(tc, test_summary);
    tcase_add_test(tc, test_progress_block);
    tcase_add_test(tc, test_draw_rank_rows);
    tcase_add_test(tc, test_summary_mpi);
    tcase_add_loop_test(tc, test_fmt_time, 0, sizeof(time_cases) / sizeof(time_cases[0]));
    tcase_add_test(tc, test_fmt_bytes);
    suite_add_tcase(s, tc);

    tc = tcase_create("thread");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_thread_tty);
    tcase_add_test(tc, test_thread_plain_tty);
    tcase_add_test(tc, test_thread_not_a_terminal);
    tcase_add_test(tc, test_thread_quiet_with_progress);
    tcase_add_test(tc, test_thread_failed_run);
    tcase_add_test(tc, test_progress_file_error);
    tcase_add_test(tc, test_emergency_restore);
    suite_add_tcase(s, tc);
    return s;
}
