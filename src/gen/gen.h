/*
 * gen.h - gen-mandelbrot: settings and the one call that renders a clip.
 *
 * The CLI (cli.c) fills GenSettings; gen_run() never reads argv or the
 * environment (OpenMP itself still reads OMP_NUM_THREADS).
 */
#ifndef GEN_GEN_H
#define GEN_GEN_H

#include <signal.h>
#include <stdint.h>
#include <libavutil/pixfmt.h>
#include <libavutil/rational.h>

#define GEN_NAME           "gen-mandelbrot"
#define GEN_VERSION        "1.0"
#define GEN_DEFAULT_OUTPUT "assets/mandelbrot_720p.mp4"

typedef struct GenSettings {
    int width, height;            ///< frame size in pixels, 16..16384 each; default 1280x720
    AVRational fps;               ///< frame rate, > 0 and <= 1000 fps; default 30/1
    double duration;              ///< seconds, > 0 (at least one frame); default 20
    int gop;                      ///< keyframe interval in frames, >= 1; 0 = fps rounded (1 s)
    const char *vcodec;           ///< video encoder name; default "libx264"
    enum AVPixelFormat pix_fmt;   ///< encoder pixel format; default AV_PIX_FMT_YUV420P
    const char *preset;           ///< encoder preset; NULL = "veryfast" for x264/x265, else the encoder's own
    int crf;                      ///< constant rate factor, 0..63; -1 = default (23 x264/x265, 32 vp9)
    int audio;                    ///< 1 = tone track (default), 0 = no audio stream
    int threads;                  ///< OpenMP threads for the fractal, >= 0; 0 = OpenMP's default
    const char *output;           ///< output path, container from its extension; default GEN_DEFAULT_OUTPUT
    int overwrite;                ///< 1 = replace an existing output (-y); default 0
    int progress;                 ///< 1 = progress line on stderr while running; default 0
    volatile sig_atomic_t *cancel;///< when non-zero, stop with AVERROR_EXIT; may be NULL
} GenSettings;

typedef struct GenStats {
    int64_t frames;               ///< video frames written
    int64_t audio_samples;        ///< audio samples per channel written (0 without audio)
    double seconds;               ///< wall time of the whole run
    int threads;                  ///< OpenMP threads the fractal loop actually got
} GenStats;

/** Fill `s` with the defaults documented above. */
void gen_settings_defaults(GenSettings *s);

/** Frames in the clip: round(fps * duration). */
int64_t gen_settings_frames(const GenSettings *s);

/** Keyframe interval in effect: s->gop, or fps rounded when 0 (at least 1). */
int gen_settings_gop(const GenSettings *s);

/**
 * Render the clip to s->output. Returns 0 or a negative AVERROR; on failure
 * `err` (err_size bytes) says what failed, no output and no temporary file
 * are left, and an existing output is untouched. `stats` may be NULL.
 */
int gen_run(const GenSettings *s, GenStats *stats, char *err, int err_size);

#endif
