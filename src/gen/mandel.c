/*
 * mandel.c - mandelbrot zoom renderer (see mandel.h).
 */
#include "gen/mandel.h"

#include <math.h>
#include <omp.h>
#include <string.h>

/* Seahorse valley: boundary detail at every depth a double can reach. */
#define TARGET_X (-0.743643887037151)
#define TARGET_Y   0.131825904205330
#define START_HALF_HEIGHT 1.3    /* whole set in view */
#define ZOOM_DEPTH 1.0e4         /* magnification at the last frame */
#define PALETTE_CYCLE_SQRT 4.9   /* sqrt of the smooth count per palette turn */

/* The classic blue-white-orange ramp; positions in [0,1), wraps round. */
static const struct { double pos; double rgb[3]; } ramp[] = {
    { 0.0,    {   0,   7, 100 } },
    { 0.16,   {  32, 107, 203 } },
    { 0.42,   { 237, 255, 255 } },
    { 0.6425, { 255, 170,   0 } },
    { 0.8575, {   0,   2,   0 } },
    { 1.0,    {   0,   7, 100 } },
};

void gen_mandel_init(GenMandel *m, int width, int height, int rgb48, int threads)
{
    memset(m, 0, sizeof(*m));
    m->width   = width;
    m->height  = height;
    m->rgb48   = rgb48;
    m->threads = threads;

    for (int i = 0; i <= 1 << GEN_LOG2_BITS; i++)
        m->log2_tab[i] = log2(1.0 + (double)i / (1 << GEN_LOG2_BITS));

    int seg = 0;
    for (int i = 0; i <= GEN_PALETTE_SIZE; i++) {
        double t = (double)(i % GEN_PALETTE_SIZE) / GEN_PALETTE_SIZE;
        while (t > ramp[seg + 1].pos)
            seg++;
        if (i == GEN_PALETTE_SIZE)
            seg = 0;
        double a = (t - ramp[seg].pos) / (ramp[seg + 1].pos - ramp[seg].pos);
        for (int c = 0; c < 3; c++) {
            double v = ramp[seg].rgb[c] + a * (ramp[seg + 1].rgb[c] - ramp[seg].rgb[c]);
            m->palette[i][c] = (uint16_t)lrint(v * 257.0);
        }
    }
}

void gen_mandel_view(const GenMandel *m, int64_t index, int64_t count, GenMandelView *v)
{
    double p    = count > 1 ? (double)index / (double)(count - 1) : 0.0;
    double zoom = pow(ZOOM_DEPTH, p);

    v->cx   = TARGET_X;
    v->cy   = TARGET_Y;
    v->step = 2.0 * START_HALF_HEIGHT / zoom / m->height;
    /* Structure near the boundary needs roughly linear-in-depth iterations. */
    int it = (int)lrint(64.0 + 40.0 * log2(zoom));
    it = it > GEN_MANDEL_MAX_ITER ? GEN_MANDEL_MAX_ITER : it;
    v->max_iter = (it + 3) & ~3;    /* iterations run in blocks of 4 */
}

/*
 * A row is computed LANES pixels at a time. z -> z^2 + c is one long
 * dependency chain, so a scalar loop mostly waits on FP latency; several
 * independent vectors (GCC/Clang vector extensions: AVX2 or SSE2 on
 * x86-64, NEON on arm64) keep the FP units busy instead. The loop checks
 * for escape once per BLOCK iterations; a lane that escaped mid-block has
 * run up to BLOCK-1 extra iterations, which the smooth count absorbs
 * (log2 log2 |z| grows by one per iteration once |z| is large).
 *
 * A pixel's result depends only on its own c: every lane starts at z = 0
 * with the group and gets the same operations in the same order, so a
 * frame is the same whichever thread runs which row.
 */
#define VEC     4               /* doubles per vector */
#define GROUP   4               /* independent vectors in flight */
#define LANES   (VEC * GROUP)
#define BLOCK   4               /* iterations between escape checks */
#define ESCAPE2 256.0           /* |z|^2 bailout, large for smooth colour */
typedef double    vdbl  __attribute__((vector_size(VEC * sizeof(double))));
typedef long long vmask __attribute__((vector_size(VEC * sizeof(long long))));

/* On x86-64, an AVX2 build of the hot loop next to the baseline one,
 * picked at load time. No FMA: both give the same bits. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MULTIVERSION __attribute__((target_clones("avx2", "default")))
#else
#define MULTIVERSION
#endif

/* Main cardioid and period-2 bulb: inside, without iterating. */
static int in_bulbs(double x0, double y0)
{
    double xq = x0 - 0.25, yy = y0 * y0, q = xq * xq + yy, xb = x0 + 1.0;
    return q * (q + xq) <= 0.25 * yy || xb * xb + yy <= 0.0625;
}

/* For the LANES pixels c = x0s[l] + i y0: iterations run when the escape
 * was seen (-1: never, inside the set) and |z|^2 then. */
MULTIVERSION
static void iterate_lanes(const double *x0s, double y0, int max_iter, int *n_out, double *m_out)
{
    vdbl x0[GROUP], x[GROUP], y[GROUP];
    unsigned pending = 0;

    for (int g = 0; g < GROUP; g++) {
        memcpy(&x0[g], x0s + g * VEC, sizeof(x0[g]));
        x[g] = y[g] = x0[g] - x0[g];
    }
    for (int l = 0; l < LANES; l++) {
        n_out[l] = -1;
        m_out[l] = 0.0;
        if (in_bulbs(x0s[l], y0))
            x0[l / VEC][l % VEC] = 0.0;     /* parked: z stays 0 */
        else
            pending |= 1u << l;
    }

    for (int it = BLOCK; it <= max_iter && pending; it += BLOCK) {
        for (int k = 0; k < BLOCK; k++) {
#pragma GCC unroll 4
            for (int g = 0; g < GROUP; g++) {
                vdbl xx = x[g] * x[g], yy = y[g] * y[g];
                y[g] = (x[g] + x[g]) * y[g] + y0;
                x[g] = xx - yy + x0[g];
            }
        }
        vmask esc = { 0 };
#pragma GCC unroll 4
        for (int g = 0; g < GROUP; g++)
            esc |= x[g] * x[g] + y[g] * y[g] > ESCAPE2;
        long long any = 0;
        for (int e = 0; e < VEC; e++)
            any |= esc[e];
        if (!any)
            continue;
        for (int l = 0; l < LANES; l++) {
            int g = l / VEC, e = l % VEC;
            double m2 = x[g][e] * x[g][e] + y[g][e] * y[g][e];
            if (!(m2 > ESCAPE2))
                continue;
            n_out[l] = it;
            m_out[l] = m2;
            pending &= ~(1u << l);
            /* Park it, so it cannot overflow while its neighbours go on. */
            x[g][e] = y[g][e] = x0[g][e] = 0.0;
        }
    }
}

/* log2 for v >= 1, to ~1e-6: exponent bits plus a table on the mantissa. */
static double fast_log2(const GenMandel *m, double v)
{
    const int shift = 52 - GEN_LOG2_BITS;
    uint64_t bits;

    memcpy(&bits, &v, sizeof(bits));
    int      e    = (int)(bits >> 52) - 1023;          /* v > 0: no sign bit */
    uint64_t mant = bits & 0x000fffffffffffffULL;
    int      i    = (int)(mant >> shift);
    double   a    = (double)(mant & ((1ULL << shift) - 1)) * (1.0 / (1ULL << shift));
    return e + m->log2_tab[i] + a * (m->log2_tab[i + 1] - m->log2_tab[i]);
}

/* Pixel `col` of a row: black inside the set (n < 0), else the palette at
 * the smooth iteration count of an orbit at |z|^2 = m2 after n iterations. */
static void put_pixel(const GenMandel *m, uint8_t *line, int col, int n, double m2)
{
    uint16_t rgb[3] = { 0, 0, 0 };

    if (n >= 0) {
        /* sqrt keeps colour bands a similar width on screen as the counts
         * grow with depth. */
        double nu  = (double)n + 2.0 - fast_log2(m, fast_log2(m, m2));
        double t   = sqrt(nu > 0.0 ? nu : 0.0) * (1.0 / PALETTE_CYCLE_SQRT);
        double pos = (t - (double)(long long)t) * GEN_PALETTE_SIZE;
        int    i   = (int)pos;
        int    a   = (int)((pos - i) * 65536.0);
        if (i >= GEN_PALETTE_SIZE)
            i = GEN_PALETTE_SIZE - 1;
        for (int c = 0; c < 3; c++) {
            int p0 = m->palette[i][c], p1 = m->palette[i + 1][c];
            rgb[c] = (uint16_t)(p0 + (((p1 - p0) * a) >> 16));
        }
    }
    if (m->rgb48) {
        memcpy((uint16_t *)line + 3 * col, rgb, sizeof(rgb));
    } else {
        uint8_t *px = line + 3 * col;
        px[0] = (uint8_t)(rgb[0] >> 8);
        px[1] = (uint8_t)(rgb[1] >> 8);
        px[2] = (uint8_t)(rgb[2] >> 8);
    }
}

static void render_row(const GenMandel *m, const GenMandelView *v, int row, uint8_t *line)
{
    const int w = m->width;
    const double y0 = v->cy - (row - 0.5 * m->height + 0.5) * v->step;

    for (int col = 0; col < w; col += LANES) {
        double x0[LANES], m2[LANES];
        int n[LANES];
        for (int l = 0; l < LANES; l++)
            x0[l] = v->cx + (col + l - 0.5 * w + 0.5) * v->step;
        iterate_lanes(x0, y0, v->max_iter, n, m2);
        for (int l = 0; l < LANES && col + l < w; l++)
            put_pixel(m, line, col + l, n[l], m2[l]);
    }
}

void gen_mandel_rows(const GenMandel *m, const GenMandelView *v, uint8_t *dst, ptrdiff_t linesize)
{
    /* Rows cost anything from nothing (inside the cardioid) to max_iter
     * per pixel: dynamic scheduling hands them out as threads free up.
     * Each row writes only its own line of dst; everything else is read. */
#pragma omp for schedule(dynamic) nowait
    for (int row = 0; row < m->height; row++)
        render_row(m, v, row, dst + row * linesize);
}

int gen_mandel_render(const GenMandel *m, const GenMandelView *v, uint8_t *dst, ptrdiff_t linesize)
{
    int got = 1;

#pragma omp parallel num_threads(m->threads > 0 ? m->threads : omp_get_max_threads())
    {
#pragma omp single nowait
        got = omp_get_num_threads();
        gen_mandel_rows(m, v, dst, linesize);
    }
    return got;
}
