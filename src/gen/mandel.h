/*
 * mandel.h - the mandelbrot zoom: which view each frame shows, and the
 * OpenMP row-parallel renderer that paints it into packed RGB.
 *
 * Pure computation: no libav, no I/O, no global state. The same view
 * always gives the same bytes, whatever the thread count or schedule.
 */
#ifndef GEN_MANDEL_H
#define GEN_MANDEL_H

#include <stddef.h>
#include <stdint.h>

#define GEN_PALETTE_SIZE 1024
#define GEN_LOG2_BITS 8

typedef struct GenMandelView {
    double cx, cy;   ///< centre of the frame in the complex plane
    double step;     ///< complex units per pixel, > 0
    int max_iter;    ///< iteration cap, 64..GEN_MANDEL_MAX_ITER
} GenMandelView;

#define GEN_MANDEL_MAX_ITER 1200

typedef struct GenMandel {
    int width, height;   ///< frame size in pixels, >= 1
    int rgb48;           ///< 0 = RGB24 output, 1 = RGB48 (native-endian uint16)
    int threads;         ///< OpenMP threads for gen_mandel_render; 0 = OpenMP's default
    uint16_t palette[GEN_PALETTE_SIZE + 1][3]; ///< colour ramp, 16 bits per channel; last entry repeats the first
    double log2_tab[(1 << GEN_LOG2_BITS) + 1];  ///< log2(1 + i / 2^bits), for a fast log2
} GenMandel;

/** Fill `m` for frames of width x height; rgb48 selects the output layout. */
void gen_mandel_init(GenMandel *m, int width, int height, int rgb48, int threads);

/**
 * The view of frame `index` out of `count` frames: an exponential zoom
 * into the seahorse valley, from the whole set to 1e4 magnification,
 * with the iteration cap growing with depth. Later frames are finer and
 * costlier, both to compute and to encode.
 */
void gen_mandel_view(const GenMandel *m, int64_t index, int64_t count, GenMandelView *v);

/**
 * The row loop alone, for a caller that is already inside an OpenMP
 * parallel region (an orphaned `omp for schedule(dynamic) nowait`): every
 * thread of the team must call it; threads busy elsewhere first join in
 * late and take the rows left. Paints `v` into `dst` as gen_mandel_render.
 */
void gen_mandel_rows(const GenMandel *m, const GenMandelView *v, uint8_t *dst, ptrdiff_t linesize);

/**
 * Paint view `v` into `dst` (height rows of `linesize` bytes, packed RGB24
 * or RGB48 as set at init). Rows are spread over OpenMP threads with
 * dynamic scheduling. Returns the thread count the parallel region got.
 */
int gen_mandel_render(const GenMandel *m, const GenMandelView *v, uint8_t *dst, ptrdiff_t linesize);

#endif
