/*
 * cli.c - option parsing and validation (see cli.h).
 */
#include "gen/cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/parseutils.h>
#include <libavutil/pixdesc.h>

#define MIN_SIDE     16
#define MAX_SIDE     16384
#define MAX_FPS      1000
#define MAX_DURATION 86400.0
#define MAX_GOP      100000
#define MAX_THREADS  1024

enum {
    OPT_SIZE = 256, OPT_FPS, OPT_DURATION, OPT_GOP, OPT_CODEC, OPT_PIX_FMT,
    OPT_PRESET, OPT_CRF, OPT_NO_AUDIO, OPT_THREADS, OPT_VERSION,
};

static const struct option long_options[] = {
    { "size",     required_argument, NULL, OPT_SIZE     },
    { "fps",      required_argument, NULL, OPT_FPS      },
    { "duration", required_argument, NULL, OPT_DURATION },
    { "gop",      required_argument, NULL, OPT_GOP      },
    { "codec",    required_argument, NULL, OPT_CODEC    },
    { "pix-fmt",  required_argument, NULL, OPT_PIX_FMT  },
    { "preset",   required_argument, NULL, OPT_PRESET   },
    { "crf",      required_argument, NULL, OPT_CRF      },
    { "no-audio", no_argument,       NULL, OPT_NO_AUDIO },
    { "threads",  required_argument, NULL, OPT_THREADS  },
    { "output",   required_argument, NULL, 'o'          },
    { "verbose",  no_argument,       NULL, 'v'          },
    { "quiet",    no_argument,       NULL, 'q'          },
    { "help",     no_argument,       NULL, 'h'          },
    { "version",  no_argument,       NULL, OPT_VERSION  },
    { NULL, 0, NULL, 0 },
};

void gen_cli_usage(FILE *f)
{
    fprintf(f,
        "Usage: " GEN_NAME " [OPTIONS]\n"
        "Render a mandelbrot zoom with a stepped-pitch tone into a video file, to\n"
        "test and benchmark render. The fractal is computed with OpenMP over rows.\n"
        "\n"
        "Options, with their defaults in brackets:\n"
        "  -o, --output FILE   output file; the container comes from the extension\n"
        "                      (mp4, mkv, webm, mov, ts...) [" GEN_DEFAULT_OUTPUT "]\n"
        "  -y                  replace FILE if it exists [refuse, exit 1]\n"
        "      --size WxH      frame size, %d..%d a side [1280x720]\n"
        "      --fps N[/D]     frame rate: 25, 30000/1001, 29.97... [30]\n"
        "      --duration S    seconds; frames = round(fps x S) [20]\n"
        "      --gop N         a keyframe every N frames and nowhere else\n"
        "                      [fps rounded: one a second]\n"
        "      --codec NAME    video encoder: libx264, libx265, ffv1, mpeg4,\n"
        "                      libvpx-vp9... [libx264]\n"
        "      --pix-fmt NAME  pixel format: yuv420p, yuv444p, yuv420p10le... [yuv420p]\n"
        "      --preset NAME   encoder preset [veryfast for x264/x265, else the encoder's]\n"
        "      --crf N         constant rate factor 0..63, where the encoder has one\n"
        "                      [23 for x264/x265, 32 for vp9]\n"
        "      --no-audio      no audio stream [a tone: AAC, or the container's own\n"
        "                      codec where AAC does not fit, e.g. Opus in webm]\n"
        "      --threads N     OpenMP threads for the fractal [OpenMP's default:\n"
        "                      OMP_NUM_THREADS, else all cores]\n"
        "  -q, --quiet         no progress or summary line [progress on a terminal,\n"
        "                      summary always]\n"
        "  -v, --verbose       show libav's own messages [errors only, in our line]\n"
        "  -h, --help          this text\n"
        "      --version       version and library versions\n"
        "\n"
        "Encoders run single-threaded, so the same options give the same frames at\n"
        "any thread count. The file is written to FILE.tmp-PID and renamed when\n"
        "complete; a failed or interrupted run leaves neither.\n"
        "Exit status: 0 done, 1 failed, 2 usage error, 130 interrupted.\n",
        MIN_SIDE, MAX_SIDE);
}

static void print_version(void)
{
    unsigned c = avcodec_version(), f = avformat_version();
    printf(GEN_NAME " " GEN_VERSION " (libavcodec %u.%u.%u, libavformat %u.%u.%u)\n",
           c >> 16, c >> 8 & 0xff, c & 0xff, f >> 16, f >> 8 & 0xff, f & 0xff);
}

static int usage_error(char *err, int err_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
    return -1;
}

/* A whole-string decimal integer in [min, max]. */
static int parse_int(const char *arg, long min, long max, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(arg, &end, 10);
    if (errno || end == arg || *end || v < min || v > max || isspace((unsigned char)*arg))
        return -1;
    *out = (int)v;
    return 0;
}

/* A whole-string finite decimal number. */
static int parse_double(const char *arg, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(arg, &end);
    if (errno || end == arg || *end || !isfinite(v) || isspace((unsigned char)*arg))
        return -1;
    *out = v;
    return 0;
}

/* WxH in digits, or a name libavutil knows (hd720, vga...). */
static int parse_size(const char *arg, int *w, int *h)
{
    const char *x = strchr(arg, 'x');

    if (isalpha((unsigned char)arg[0]))
        return av_parse_video_size(w, h, arg) < 0 ? -1 : 0;
    if (!x || x == arg || strchr(x + 1, 'x'))
        return -1;
    char wbuf[32];
    if ((size_t)(x - arg) >= sizeof(wbuf))
        return -1;
    memcpy(wbuf, arg, x - arg);
    wbuf[x - arg] = '\0';
    if (!isdigit((unsigned char)wbuf[0]) || !isdigit((unsigned char)x[1]))
        return -1;
    return parse_int(wbuf, 0, INT_MAX, w) < 0 || parse_int(x + 1, 0, INT_MAX, h) < 0 ? -1 : 0;
}

/* N, N/D or a decimal such as 29.97; positive. */
static int parse_fps(const char *arg, AVRational *fps)
{
    const char *slash = strchr(arg, '/');
    int num, den;
    double v;

    if (!isdigit((unsigned char)arg[0]))
        return -1;
    if (slash) {
        char nbuf[32];
        if ((size_t)(slash - arg) >= sizeof(nbuf))
            return -1;
        memcpy(nbuf, arg, slash - arg);
        nbuf[slash - arg] = '\0';
        if (parse_int(nbuf, 1, INT_MAX, &num) < 0 || parse_int(slash + 1, 1, INT_MAX, &den) < 0)
            return -1;
        *fps = av_make_q(num, den);
    } else if (parse_int(arg, 1, INT_MAX, &num) == 0) {
        *fps = av_make_q(num, 1);
    } else if (parse_double(arg, &v) == 0 && v > 0) {
        *fps = av_d2q(v, 1001000);
    } else {
        return -1;
    }
    av_reduce(&fps->num, &fps->den, fps->num, fps->den, INT_MAX);
    return fps->num > 0 && fps->den > 0 ? 0 : -1;
}

static int has_pix_fmt(const AVCodec *codec, enum AVPixelFormat fmt)
{
    if (!codec->pix_fmts)
        return 1;
    for (int i = 0; codec->pix_fmts[i] != AV_PIX_FMT_NONE; i++)
        if (codec->pix_fmts[i] == fmt)
            return 1;
    return 0;
}

/* Checks that need several options together. */
static int check_settings(const GenSettings *s, char *err, int err_size)
{
    const AVCodec *codec = avcodec_find_encoder_by_name(s->vcodec);
    const AVOutputFormat *of;
    int64_t frames = gen_settings_frames(s);

    if (!codec || codec->type != AVMEDIA_TYPE_VIDEO)
        return usage_error(err, err_size, "--codec %s: no such video encoder", s->vcodec);
    if (!has_pix_fmt(codec, s->pix_fmt))
        return usage_error(err, err_size, "--pix-fmt %s: %s cannot encode it",
                           av_get_pix_fmt_name(s->pix_fmt), codec->name);
    if (frames < 1)
        return usage_error(err, err_size, "--duration %g at %d/%d fps makes no frame",
                           s->duration, s->fps.num, s->fps.den);
    if (!*s->output)
        return usage_error(err, err_size, "-o: empty file name");
    if (!(of = av_guess_format(NULL, s->output, NULL)))
        return usage_error(err, err_size, "-o %s: no container for this extension", s->output);
    if (of->flags & AVFMT_NOFILE)
        return usage_error(err, err_size, "-o %s: %s is not a single-file container",
                           s->output, of->name);
    if (avformat_query_codec(of, codec->id, FF_COMPLIANCE_NORMAL) == 0)
        return usage_error(err, err_size, "-o %s: %s cannot hold %s video",
                           s->output, of->name, avcodec_get_name(codec->id));
    return 0;
}

int gen_cli_parse(int argc, char **argv, GenSettings *s, GenCliOptions *o,
                  char *err, int err_size)
{
    int c;

    memset(o, 0, sizeof(*o));
    opterr = 0;     /* our own one-line messages */
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:yqvh", long_options, NULL)) != -1) {
        const char *arg = optarg;
        const char *name = argv[optind - 1];
        switch (c) {
        case OPT_SIZE:
            if (parse_size(arg, &s->width, &s->height) < 0 ||
                s->width < MIN_SIDE || s->width > MAX_SIDE ||
                s->height < MIN_SIDE || s->height > MAX_SIDE)
                return usage_error(err, err_size, "--size %s: want WxH, %d..%d each",
                                   arg, MIN_SIDE, MAX_SIDE);
            break;
        case OPT_FPS:
            if (parse_fps(arg, &s->fps) < 0 || av_cmp_q(s->fps, av_make_q(MAX_FPS, 1)) > 0)
                return usage_error(err, err_size, "--fps %s: want a rate above 0, at most %d, "
                                   "as N, N/D or a decimal", arg, MAX_FPS);
            break;
        case OPT_DURATION:
            if (parse_double(arg, &s->duration) < 0 || !(s->duration > 0) ||
                s->duration > MAX_DURATION)
                return usage_error(err, err_size, "--duration %s: want seconds above 0, "
                                   "at most %g", arg, MAX_DURATION);
            break;
        case OPT_GOP:
            if (parse_int(arg, 1, MAX_GOP, &s->gop) < 0)
                return usage_error(err, err_size, "--gop %s: want frames, 1..%d", arg, MAX_GOP);
            break;
        case OPT_CODEC:
            s->vcodec = arg;
            break;
        case OPT_PIX_FMT:
            if ((s->pix_fmt = av_get_pix_fmt(arg)) == AV_PIX_FMT_NONE)
                return usage_error(err, err_size, "--pix-fmt %s: no such pixel format", arg);
            break;
        case OPT_PRESET:
            s->preset = arg;
            break;
        case OPT_CRF:
            if (parse_int(arg, 0, 63, &s->crf) < 0)
                return usage_error(err, err_size, "--crf %s: want 0..63", arg);
            break;
        case OPT_NO_AUDIO:
            s->audio = 0;
            break;
        case OPT_THREADS:
            if (parse_int(arg, 1, MAX_THREADS, &s->threads) < 0)
                return usage_error(err, err_size, "--threads %s: want 1..%d", arg, MAX_THREADS);
            break;
        case 'o':
            s->output = arg;
            break;
        case 'y':
            s->overwrite = 1;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'v':
            o->verbose = 1;
            break;
        case 'h':
            gen_cli_usage(stdout);
            return 1;
        case OPT_VERSION:
            print_version();
            return 1;
        case ':':
            return usage_error(err, err_size, "%s needs a value (see --help)", name);
        default:
            if (optopt && optopt < 256 && name[0] == '-' && name[1] != '-')
                return usage_error(err, err_size, "unknown option -%c (see --help)", optopt);
            return usage_error(err, err_size, "unknown option %s (see --help)", name);
        }
    }
    if (optind < argc)
        return usage_error(err, err_size, "unexpected argument '%s' (see --help)", argv[optind]);
    return check_settings(s, err, err_size);
}
