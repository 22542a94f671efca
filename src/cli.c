#include "cli.h"

#include "engine/encode.h"
#include "streams/streammap.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavutil/error.h>
#include <libavutil/avstring.h>
#include <libavutil/mem.h>

#include "engine/ratectl.h"
#include "io/paths.h"

typedef struct Args {
    int argc, i;
    char **argv;
    char *err;
    int errlen;
} Args;

void rd_cli_usage(FILE *f, const char *usage_line)
{
    fprintf(f, "%s\n", usage_line ? usage_line :
            "Usage: render [OPTIONS] [INPUT OPTIONS] -i INPUT [OUTPUT OPTIONS] OUTPUT   (ffmpeg form)\n"
            "       render [OPTIONS] [INPUT]                                           (render form)");
    fputs(
"The ffmpeg form reads the line as ffmpeg reads it and gives what ffmpeg gives:\n"
"no filter unless -vf, the container's encoders (mp4: libx264 + aac, mkv:\n"
"libx264 + libvorbis, webm: libvpx-vp9 + libopus, avi: mpeg4 + libmp3lame),\n"
"ffmpeg's stream selection. It takes -c:v/-vcodec, -c:a/-acodec, -c:s, -crf,\n"
"-c:a:N/-c:s:N/-b:a:N (one stream), -qp, -q:v, -preset, -tune, -profile:v,\n"
"-level, -g, -bf, -x264-params and\n"
"any other option of the chosen encoder; -vf/-filter:v, -filter_complex with\n"
"one video in and out (-map \"[v]\"; a second -i IMAGE is its [1:v]) and an\n"
"audio branch ([0:a]atempo=2[a], -map \"[a]\": filtered once as -af), -s, -pix_fmt,\n"
"-aspect, -sws_flags; -an, -af, -b:a, -q:a, -ar, -ac, -sample_fmt,\n"
"-vn (and outputs ffmpeg writes the audio alone into: wav, mp3, -map 0:a ...:\n"
"the other streams in one pass, no chunks),\n"
"-ch_layout; -f, -movflags and other muxer\n"
"options; -map, -map_metadata,\n"
"-map_chapters, -metadata[:s:SPEC], -disposition:SPEC, -timecode; -ss, -t, -to (before\n"
"and after -i), -sseof -T, -itsoffset T (before -i; T > 0, no graph, no\n"
"copy, no -ss/-t); -frames:v; -r (after -i); before -i: -f FMT and the\n"
"demuxer's options (-framerate, -video_size/-s, -pixel_format/-pix_fmt,\n"
"-start_number, -fflags ...), refused when the input's demuxer lacks one;\n"
"-force_key_frames; -tag[:v|a], -vtag, -atag; -fps_mode/-vsync\n"
"passthrough|cfr|vfr|auto; -bsf[:v|a|s]; -shortest (without a graph);\n"
"OUTPUT may be a numbered image sequence (frames/%04d.png, -start_number,\n"
"-frame_pts: image2's file per frame, never over a file without -y, none left\n"
"by a failed run) or one picture (thumb.jpg: -frames:v 1, or a graph that\n"
"gives one frame, palettegen; a second frame fails the run; -update 1: the\n"
"last); -f null (all\n"
"the work, nothing written: the benchmark line). -c copy /\n"
"-c:v copy: a remux, packets copied in one pass with ffmpeg's timestamps, no\n"
"chunks (no -vf or video encoder options then);\n"
"-y, -n, -hide_banner, -loglevel/-v LEVEL, -nostdin, -stats, -nostats, -threads,\n"
"-thread_queue_size, -max_muxing_queue_size, -stats_period (accepted); -b:v,\n"
"-maxrate, -bufsize over the whole file; -r before -i of an image sequence (as\n"
"-framerate). An option render cannot do yet (-r before -i of a video file,\n"
"-pass 3, -vsync ...) is refused with exit 2, never ignored.\n"
"-q N is ffmpeg's quality; -q alone is --quiet.\n"
"\n"
"The render form has render's own defaults (hqdn3d, libx264, audio copied):\n"
"\n"
    , f);
    fputs(
"Filter and encode one video on every core: the input is split into time\n"
"chunks that OpenMP threads decode, filter and encode in parallel, then\n"
"joined in order with the audio copied once.\n"
"\n"
"  INPUT                  video file (default " RD_DEFAULT_INPUT ")\n"
"  -o, --output FILE      output file, format from its name (default " RD_DEFAULT_OUTPUT ")\n"
"  -w, --workers N        threads (default $OMP_NUM_THREADS, else all cores)\n"
"      --chunks N         chunks (default: a multiple of the workers, at most\n"
"                         workers x chunk factor, that a model of dynamic\n"
"                         scheduling predicts to finish first; each at least\n"
"                         8 frames and at most 10 s, fewer where sparse\n"
"                         keyframes make seeking costly; see --dry-run).\n"
"                         The automatic plan's last round is re-cut as it\n"
"                         starts, from the run's measured pace, so that the\n"
"                         workers end together; --chunks N keeps its cut\n"
"      --chunk-factor K   at most K chunks per worker (default 4)\n"
"      --split MODE       cost: chunks of equal estimated cost (default:\n"
"                         compressed frame sizes stand in for it; joins move\n"
"                         to scene cuts the input's keyframes and frame sizes\n"
"                         show); time: of equal length; scenes: as cost, and\n"
"                         cuts also found by decoding the input at 64x36 in\n"
"                         parallel (finds cuts coded without a keyframe);\n"
"                         with a cut for every worker, chunks start on cuts\n"
"                         only. Encoders that key only some cuts (all but\n"
"                         x264/x265) get each joined cut's keyframe priced\n"
"                         by encoding 4 frames there; joins stay under 5%\n"
"                         of the bytes\n"
"      --vf GRAPH         libavfilter graph (default \"hqdn3d\"; \"null\" for none)\n"
"  -c:v, --vcodec NAME    video encoder (default libx264); a codec's name means\n"
"                         the encoder ffmpeg picks for it (h264: libx264)\n"
"      --crf N            constant rate factor (default: the encoder's, 23 for x264)\n"
"      --preset NAME      encoder preset (default: the encoder's, medium for x264)\n"
"      --venc-opt K=V     any encoder option; repeatable\n"
"  -b:v, --bitrate R      video bitrate over the whole file, bits/s (400k, 2M).\n"
"                         With libx264 (and no --crf) a first pass learns each\n"
"                         chunk's complexity and each chunk gets its share\n"
"                         (x264's second pass), so the file lands on R; so do\n"
"                         libavcodec's own encoders (mpeg4, mpeg2video, msmpeg4,\n"
"                         wmv, flv, h263, mjpeg ...), also at their default\n"
"                         bitrate (200k) unless -q:v, B-frames or -maxrate;\n"
"                         others get R chunk by chunk\n"
"  -maxrate R, -bufsize B VBV peak rate and buffer; held over the joined\n"
"                         stream: a chunk that would run the buffer dry at its\n"
"                         join is encoded again from the fill the previous one\n"
"                         left (libx264; others: a warning)\n"
"      --two-pass         with -b:v: the two passes above, said explicitly\n"
"      --target-size S    the whole OUTPUT in bytes (50M, 700Mi): two passes,\n"
"                         less the copied streams and the container (libx264)\n"
"  -pass 1|2, -passlogfile PREFIX   ffmpeg's two commands (ffmpeg form, libx264,\n"
"                         -b:v): -pass 1 -f null /dev/null runs the first pass\n"
"                         and keeps it in PREFIX-0.log (default ffmpeg2pass,\n"
"                         replaced, never removed); -pass 1 OUTPUT also writes\n"
"                         x264's first-pass encode at -b:v there (a second\n"
"                         encode of every chunk, at first-pass speed); -pass 2\n"
"                         reads the log (same input and settings, else\n"
"                         refused) and encodes the second pass only. -pass 3\n"
"                         is refused\n"
"  -g N, -keyint_min N, -sc_threshold N   keyframe interval, least interval,\n"
"                         scene-cut threshold (0: none), as ffmpeg. A fixed GOP\n"
"                         (-g N -sc_threshold 0, or x264-params keyint=N:\n"
"                         scenecut=0; libsvtav1: -g N; libvpx, libaom:\n"
"                         -g N -keyint_min N) puts chunk starts on its grid:\n"
"                         keyframes exactly where one encoder puts them\n"
"  -c:a, --acodec NAME    every audio track: copy (default; encodes when the\n"
"                         container cannot hold the codec, with a note), none,\n"
"                         or an audio encoder such as aac\n"
"  -c:s NAME              every subtitle track: copy (default; text subtitles\n"
"                         are converted when the container needs it: mov_text\n"
"                         for MP4/MOV, srt for MKV, webvtt for WebM), none,\n"
"                         mov_text, srt, ass or webvtt\n"
"  -map SPEC              streams to keep, as ffmpeg (one input): 0, 0:a,\n"
"                         0:a:1, 0:s, 0:3, 0:m:language:eng, 0:#0x101, -0:a:1\n"
"                         removes; repeatable (default: every stream: all\n"
"                         audio, subtitles, attachments...)\n"
"  -an, -sn, -dn          no audio, no subtitle, no data streams\n"
"  -metadata K=V          set a global tag (empty V removes it); repeatable.\n"
"                         Tags, chapters, dispositions, timecode, cover art,\n"
"                         colour and HDR10 metadata are kept; whatever cannot\n"
"                         be kept is named on stderr\n"
"      --preroll N        frames fed before each chunk and dropped for filters\n"
"                         with a recursion (hqdn3d), an approximation that\n"
"                         settles after N frames (default 15); filters that\n"
"                         look back or ahead always get the frames they need\n"
"      --exact            graphs that chunks would only approximate (hqdn3d):\n"
"                         each chunk first replays the frames before it, or\n"
"                         one chunk where that cannot be exact or pay, with a\n"
"                         warning (default: chunked after a pre-roll, every\n"
"                         frame within 60 dB PSNR of the whole-stream run)\n"
"  -t, --duration S       render only the first S seconds\n"
"  -y                     overwrite OUTPUT (and --report, --progress, --export\n"
"                         files) if they exist\n"
"      --protocols LIST   libav protocols INPUT may use, e.g. file,http\n"
"                         (default: file, local files only); files filters\n"
"                         read (movie=, subtitles=) obey it too\n"
"      --allow-filter LIST  let these filters open sockets or load plugins\n"
"                         (zmq, frei0r, ladspa, lv2 ...; refused otherwise)\n"
"  -q, --quiet            no dashboard, no summary (errors only)\n"
"      --strict           a file with missing or undecodable frames is an error\n"
"                         (default: rendered, with one warning giving the count)\n"
"      --resume           journal each finished chunk in OUTPUT.journal; after a\n"
"                         run that died (kill, power cut, time limit), the same\n"
"                         command with --resume encodes only the chunks missing\n"
"                         and writes what one run writes. The journal goes when\n"
"                         OUTPUT is complete; one for another input or other\n"
"                         settings is named and replaced\n"
"      --progress FILE|-  key=value progress blocks, as ffmpeg -progress\n"
"      --report FILE      this run's JSON report (phases, chunks)\n"
"      --dry-run          probe and plan only, for any -w: print the chunks\n"
"                         (with --report, the plan as JSON); writes no OUTPUT\n"
"      --sweep [LIST]     scaling benchmark over worker counts, e.g. 1,2,4,8\n"
"                         (default 1,2,4,... up to the cores, and the cores)\n"
"      --repeat N         runs per sweep point, median kept (default 3)\n"
"      --weak [S]         weak scaling: p workers render p x S seconds (default 5)\n"
"      --export FILE      sweep results as JSON (render-bench/1)\n"
"      --dat-dir DIR      also write the sweep's gnuplot .dat files there\n"
"      --ceiling S        the sweep also runs p independent one-thread renders\n"
"                         of the first S seconds at once, for each p: what the\n"
"                         machine itself allows (default 2; 0 = skip)\n"
"      --ceiling-from F   with --assemble-sweep: the ceiling of render-bench/1 F\n"
"      --assemble-sweep OUT.json --baseline R.json... R.json...\n"
"                         build the sweep JSON from --report files of separate\n"
"                         runs (what make bench does with OMP_NUM_THREADS)\n"
"  -v, --verbose          show libav's own messages\n"
"  -h, --help             this help\n"
"      --version          versions of render and the libraries\n"
"\n"
"Environment: OMP_NUM_THREADS (default workers), OMP_SCHEDULE (default\n"
"dynamic,1; e.g. static or guided,1 for a class demonstration).\n"
"Exit status: 0 done, 1 failed, 2 usage error, 128+N on signal N (130 Ctrl-C).\n", f);
}

static int usage_error(Args *a, const char *fmt, const char *what)
{
    snprintf(a->err, a->errlen, fmt, what);
    return AVERROR(EINVAL);
}

static int next_value(Args *a, const char *opt, const char **val)
{
    if (a->i + 1 >= a->argc)
        return usage_error(a, "option %s needs a value", opt);
    *val = a->argv[++a->i];
    return 0;
}

/* -c:v h264 means the encoder ffmpeg would pick for H.264. */
static int codec_opt(Args *a, const char *opt, const char **val, enum AVMediaType type)
{
    int ret = next_value(a, opt, val);
    if (ret >= 0)
        *val = rd_encoder_name(*val, type);
    return ret;
}

static int parse_int(Args *a, const char *opt, int lo, int hi, int *out)
{
    const char *v;
    char *end;
    long x;
    int ret = next_value(a, opt, &v);
    if (ret < 0)
        return ret;
    errno = 0;
    x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi) {
        snprintf(a->err, a->errlen, "%s: '%s' is not a whole number from %d to %d", opt, v, lo, hi);
        return AVERROR(EINVAL);
    }
    *out = (int)x;
    return 0;
}

static int parse_double(Args *a, const char *opt, double *out)
{
    const char *v;
    char *end;
    int ret = next_value(a, opt, &v);
    if (ret < 0)
        return ret;
    *out = strtod(v, &end);
    if (end == v || *end || !(*out > 0) || *out > 1e9) {
        snprintf(a->err, a->errlen, "%s: '%s' is not a positive number of seconds (at most 1e9)", opt, v);
        return AVERROR(EINVAL);
    }
    return 0;
}

/* A bitrate or size with ffmpeg's suffixes (400k, 1.5M, 2Mi, 8MB). */
static int parse_number(Args *a, const char *opt, double hi, int64_t *out)
{
    const char *v;
    int ret = next_value(a, opt, &v);
    if (ret < 0)
        return ret;
    if (rd_ratectl_parse_number(v, out) < 0 || *out > hi) {
        snprintf(a->err, a->errlen, "%s: '%s' is not a positive number up to %g (suffixes k, M, G; "
                 "Ki, Mi; B for bytes)", opt, v, hi);
        return AVERROR(EINVAL);
    }
    return 0;
}

/* Encoders hold a bitrate in kbit/s in an int (x264): past that it wraps. */
#define RD_MAX_BITRATE 1e12
#define RD_MAX_BYTES   1e15

/* "1,2,4,8" -> points; 1 when the next word is such a list. */
static int parse_list(RdCli *c, const char *v)
{
    int n = 0;
    char *end;
    if (!v || !*v || strspn(v, "0123456789,") != strlen(v))
        return 0;
    while (*v) {
        long x = strtol(v, &end, 10);
        if (end == v || x < 1 || x > 4096 || n >= RD_MAX_POINTS)
            return -1;
        c->points[n++] = (int)x;
        v = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    c->npoints = n;
    return 1;
}

static int optional_list(Args *a, RdCli *c)
{
    const char *v = a->i + 1 < a->argc ? a->argv[a->i + 1] : NULL;
    int r = parse_list(c, v);
    if (r < 0)
        return usage_error(a, "--sweep: '%s' is not a list of worker counts like 1,2,4", v);
    a->i += r;
    return 0;
}

static int ceiling_seconds(Args *a, double *out)
{
    const char *v;
    char *end;
    int ret = next_value(a, "--ceiling", &v);
    if (ret < 0)
        return ret;
    *out = strtod(v, &end);
    if (end == v || *end || !(*out >= 0) || *out > 1e6)
        return usage_error(a, "--ceiling: '%s' is not a number of seconds (0: no ceiling)", v);
    return 0;
}

static int optional_seconds(Args *a, RdCli *c)
{
    const char *v = a->i + 1 < a->argc ? a->argv[a->i + 1] : NULL;
    char *end;
    double x;
    if (!v || v[0] == '-')
        return 0;
    x = strtod(v, &end);
    if (end == v || *end)
        return 0; /* not a number: it is INPUT */
    if (!(x > 0) || x > 1e6)
        return usage_error(a, "--weak: '%s' is not a number of seconds from 0 to 1e6", v);
    c->weak_unit_s = x;
    a->i++;
    return 0;
}

/* KEY=VALUE into *d (--venc-opt, -metadata). An empty value is kept: for
 * -metadata the engine then deletes the key, as ffmpeg does. */
static int key_value_opt(Args *a, const char *opt, AVDictionary **d)
{
    const char *v, *eq;
    char key[128];
    int ret = next_value(a, opt, &v);
    if (ret < 0)
        return ret;
    if (!(eq = strchr(v, '=')) || eq == v || eq - v >= (int)sizeof(key)) {
        snprintf(a->err, a->errlen, "%s: '%s' is not KEY=VALUE", opt, v);
        return AVERROR(EINVAL);
    }
    snprintf(key, sizeof(key), "%.*s", (int)(eq - v), v);
    return av_dict_set(d, key, eq + 1, 0);
}

static int map_opt(Args *a, RdCli *c)
{
    const char *v;
    int ret = next_value(a, "-map", &v);
    if (ret < 0)
        return ret;
    if (!rd_map_valid(v))
        return usage_error(a, "-map: '%s' is not a stream specifier of input 0 (0, 0:a, 0:a:1, 0:3, -0:s)", v);
    c->maps[c->s.nmaps++] = v;
    return 0;
}

static int scodec_opt(Args *a, RdSettings *s)
{
    const AVCodec *sc;
    int ret = codec_opt(a, "-c:s", &s->scodec, AVMEDIA_TYPE_SUBTITLE);
    if (ret < 0 || !strcmp(s->scodec, "copy") || !strcmp(s->scodec, "none"))
        return ret;
    sc = avcodec_find_encoder_by_name(s->scodec);
    if (!sc || sc->type != AVMEDIA_TYPE_SUBTITLE)
        return usage_error(a, "-c:s: no subtitle encoder '%s' (copy, none, mov_text, srt, ass, webvtt)", s->scodec);
    return 0;
}

static int split_mode(Args *a, RdSettings *s)
{
    const char *v;
    int ret = next_value(a, "--split", &v);
    if (ret < 0)
        return ret;
    if (strcmp(v, "cost") && strcmp(v, "time") && strcmp(v, "scenes"))
        return usage_error(a, "--split: '%s' is not cost, time or scenes", v);
    s->split_time = !strcmp(v, "time");
    s->split_scenes = !strcmp(v, "scenes");
    return 0;
}

/* A process-wide setting (paths.h), made here so that every program that
 * parses this command line (render, render-mpi's ranks) reads the same. */
static int protocols(Args *a)
{
    const char *v;
    int ret = next_value(a, "--protocols", &v);
    if (ret < 0)
        return ret;
    if (rd_paths_set_protocols(v) < 0)
        return usage_error(a, "--protocols: '%s' is not a comma-separated list of protocol names", v);
    return 0;
}

/* --allow-filter, repeatable: the names add up. */
static int allow_filter(Args *a, RdCli *c)
{
    const char *v;
    char *all;
    int ret = next_value(a, "--allow-filter", &v);
    if (ret < 0)
        return ret;
    if (!(all = c->allow_filters ? av_asprintf("%s,%s", c->allow_filters, v) : av_strdup(v)))
        return usage_error(a, "%s", "out of memory");
    av_free(c->allow_filters);
    c->s.allow_filters = c->allow_filters = all;
    return 0;
}

static int is(const char *arg, const char *a, const char *b)
{
    return !strcmp(arg, a) || (b && !strcmp(arg, b));
}

/* One option at a->argv[a->i]; returns 0, 1 when it was not an option, or an error. */
static int parse_option(Args *a, RdCli *c)
{
    RdSettings *s = &c->s;
    const char *o = a->argv[a->i];

    if (is(o, "-o", "--output"))             return next_value(a, o, &s->output);
    if (is(o, "-w", "--workers"))            return parse_int(a, o, 1, RD_MAX_WORKERS, &s->workers);
    if (is(o, "--chunks", NULL))             return parse_int(a, o, 1, 1000000, &s->chunks);
    if (is(o, "--chunk-factor", NULL))       return parse_int(a, o, 1, 1000, &s->chunk_factor);
    if (is(o, "--split", NULL))              return split_mode(a, s);
    if (is(o, "--vf", "-vf"))                return next_value(a, o, &s->vf);
    if (is(o, "-c:v", "--vcodec"))           return codec_opt(a, o, &s->vcodec, AVMEDIA_TYPE_VIDEO);
    if (is(o, "--crf", "-crf"))              return parse_int(a, o, 0, 63, &s->crf);
    if (is(o, "--preset", "-preset"))        return next_value(a, o, &s->preset);
    if (is(o, "-b:v", "--bitrate"))          return parse_number(a, o, RD_MAX_BITRATE, &s->vbitrate);
    if (is(o, "-maxrate", "--maxrate"))      return parse_number(a, o, RD_MAX_BITRATE, &s->maxrate);
    if (is(o, "-bufsize", "--bufsize"))      return parse_number(a, o, RD_MAX_BITRATE, &s->bufsize);
    if (is(o, "--target-size", NULL))        return parse_number(a, o, RD_MAX_BYTES, &s->target_size);
    if (is(o, "--two-pass", NULL))           return s->two_pass = 1, 0;
    if (is(o, "-g", "--gop"))                return parse_int(a, o, 1, 1000000, &s->gop);
    if (is(o, "-keyint_min", NULL))          return parse_int(a, o, 1, 1000000, &s->keyint_min);
    if (is(o, "-sc_threshold", NULL))        return parse_int(a, o, 0, INT_MAX, &s->sc_threshold);
    if (is(o, "--venc-opt", NULL))           return key_value_opt(a, "--venc-opt", &c->venc_opts);
    if (is(o, "-c:a", "--acodec"))           return codec_opt(a, o, &s->acodec, AVMEDIA_TYPE_AUDIO);
    if (is(o, "-c:s", "--scodec"))           return scodec_opt(a, s);
    if (is(o, "-an", NULL))                  return s->no_audio = 1, 0;
    if (is(o, "-sn", NULL))                  return s->no_subs = 1, 0;
    if (is(o, "-dn", NULL))                  return s->no_data = 1, 0;
    if (is(o, "-map", NULL))                 return map_opt(a, c);
    if (is(o, "-metadata", NULL))            return key_value_opt(a, "-metadata", &c->metadata);
    if (is(o, "--preroll", NULL))            return parse_int(a, o, 0, 1000, &s->preroll);
    if (is(o, "--exact", NULL))              return s->exact = 1, 0;
    if (is(o, "-t", "--duration"))           return parse_double(a, o, &s->limit_s);
    if (is(o, "-y", NULL))                   return s->overwrite = 1, 0;
    if (is(o, "-q", "--quiet"))              return s->quiet = 1, 0;
    if (is(o, "--strict", NULL))             return s->strict = 1, 0;
    if (is(o, "--resume", NULL))             return s->resume = 1, 0;
    if (is(o, "--report", NULL))             return next_value(a, o, &c->report_path);
    if (is(o, "--progress", NULL))           return next_value(a, o, &c->progress_path);
    if (is(o, "--sweep", NULL))              return c->sweep = 1, optional_list(a, c);
    if (is(o, "--repeat", NULL))             return parse_int(a, o, 1, 100, &c->repeat);
    if (is(o, "--weak", NULL))               return c->weak = 1, optional_seconds(a, c);
    if (is(o, "--export", NULL))             return next_value(a, o, &c->export_path);
    if (is(o, "--dat-dir", NULL))            return next_value(a, o, &c->dat_dir);
    if (is(o, "--ceiling", NULL))            return ceiling_seconds(a, &c->ceiling_s);
    if (is(o, "--ceiling-from", NULL))       return next_value(a, o, &c->ceiling_from);
    if (is(o, "--assemble-sweep", NULL))     return next_value(a, o, &c->assemble_out);
    if (is(o, "--baseline", NULL)) {
        if (c->nbaselines >= RD_MAX_POINTS)
            return usage_error(a, "%s: too many", o);
        return next_value(a, o, &c->baselines[c->nbaselines++]);
    }
    if (is(o, "--protocols", NULL))          return protocols(a);
    if (is(o, "--allow-filter", NULL))       return allow_filter(a, c);
    if (is(o, "--dry-run", NULL))            return c->dry_run = 1, 0;
    if (is(o, "-v", "--verbose"))            return c->verbose = 1, 0;
    if (is(o, "-h", "--help"))               return c->help = 1, 0;
    if (is(o, "--version", NULL))            return c->version = 1, 0;
    return 1;
}

/* Every default of the ffmpeg form is ffmpeg's: no filter, the
 * container's encoders (chosen in rd_ff_finish), ffmpeg's stream
 * selection, and a copy that the container cannot hold is an error. */
static void ff_defaults(RdSettings *s)
{
    s->vf = NULL;
    s->vcodec = s->acodec = s->scodec = NULL;
    s->ff_select = 1;
    s->frame_grid = 1;
    s->copy_exact = 1;
    s->hdr10_as_ffmpeg = 1;
    s->fields_as_ffmpeg = 1;
    s->approx_note = 1;
}

int rd_cli_parse(RdCli *c, int argc, char **argv, char *err, int errlen)
{
    Args a = { argc, 1, argv, err, errlen };
    int ret;

    memset(c, 0, sizeof(*c));
    rd_paths_set_protocols(NULL);
    if (!(c->reports = av_calloc(argc + 1, sizeof(*c->reports))) ||
        !(c->maps = av_calloc(argc + 1, sizeof(*c->maps))))
        return usage_error(&a, "%s", "out of memory");
    rd_settings_defaults(&c->s);
    c->repeat = 3;
    c->weak_unit_s = 5;
    c->ceiling_s = 2;
    c->s.maps = c->maps;
    if ((c->ff.active = rd_ff_detect(argc, argv)))
        ff_defaults(&c->s);
    for (; a.i < argc; a.i++) {
        const char *arg = argv[a.i];
        /* ffmpeg's options first, then render's own, anywhere */
        if (c->ff.active && (ret = rd_ff_option(&c->ff, &c->s, argc, argv, &a.i, err, errlen)) <= 0) {
            if (ret < 0)
                return ret;
            continue;
        }
        if ((ret = parse_option(&a, c)) < 0)
            return ret;
        if (ret == 0)
            continue;
        if (arg[0] == '-' && arg[1])
            return usage_error(&a, "unknown option '%s' (see --help)", arg);
        if (c->ff.active && (ret = rd_ff_positional(&c->ff, arg, err, errlen)) < 0)
            return ret;
        if (!c->ff.active)
            c->reports[c->nreports++] = arg;
    }
    if (c->ff.active && (c->help || c->version))
        return 0;
    /* render's --venc-opt joins the line's encoder options in this form */
    if (c->ff.active && c->venc_opts && (ret = av_dict_copy(&c->ff.venc, c->venc_opts, 0)) < 0)
        return ret;
    if (c->ff.active && (ret = rd_ff_finish(&c->ff, &c->s, err, errlen)) < 0)
        return ret;
    if (c->assemble_out) {
        if (!c->nbaselines || !c->nreports)
            return usage_error(&a, "%s", "--assemble-sweep OUT.json needs --baseline REPORT... and REPORT files");
        return 0;
    }
    if (c->nreports > 1)
        return usage_error(&a, "more than one INPUT ('%s'); options go before or after it", c->reports[1]);
    if (c->nreports)
        c->s.input = c->reports[0];
    if (!*c->s.output || !*c->s.input)
        return usage_error(&a, "%s", "empty file name");
    const AVCodec *vc = avcodec_find_encoder_by_name(c->s.vcodec);
    /* A copy is a remux (engine/remux.h): the ffmpeg form's, where no
     * default filter stands in the way. */
    if (!strcmp(c->s.vcodec, "copy") && !c->ff.active)
        return usage_error(&a, "%s", "-c:v copy: a remux takes the ffmpeg form: render -i INPUT -c:v copy OUTPUT");
    if (!strcmp(c->s.vcodec, "copy") && (c->sweep || c->s.resume))
        return usage_error(&a, "%s", c->s.no_video ? "no video (-vn ...): one pass, no chunks to sweep or resume"
                                                   : "-c:v copy: a remux has no chunks to sweep or resume");
    if (strcmp(c->s.vcodec, "copy") && (!vc || vc->type != AVMEDIA_TYPE_VIDEO))
        return usage_error(&a, "-c:v: no video encoder '%s'", c->s.vcodec);
    const AVCodec *ac = avcodec_find_encoder_by_name(c->s.acodec);
    if (strcmp(c->s.acodec, "copy") && strcmp(c->s.acodec, "none") &&
        (!ac || ac->type != AVMEDIA_TYPE_AUDIO))
        return usage_error(&a, "-c:a: no audio encoder '%s'", c->s.acodec);
    if ((ret = rd_ratectl_check(&c->s, a.err, a.errlen)) < 0)
        return ret;
    if ((c->export_path || c->weak || c->dat_dir) && !c->sweep)
        c->sweep = 1;
    if (c->s.resume && c->sweep)
        return usage_error(&a, "%s", "--resume continues one render: not with --sweep, --export, --weak or --dat-dir");
    if (c->dry_run && (c->sweep || c->progress_path))
        return usage_error(&a, "%s", "--dry-run plans one render: not with --sweep, --export, --weak, --dat-dir or --progress");
    if (!c->ff.active) {
        c->s.venc_opts = c->venc_opts;
        c->s.metadata = c->metadata;
    }
    /* Files written are plain local names: "file:x" is x (same-file checks
     * and the temporary name then see the real file). */
    c->s.output = rd_paths_local(c->s.output);
    c->report_path = rd_paths_local(c->report_path);
    c->progress_path = rd_paths_local(c->progress_path);
    c->export_path = rd_paths_local(c->export_path);
    c->s.sidecar[RD_SIDECAR_REPORT] = c->report_path;
    c->s.sidecar[RD_SIDECAR_PROGRESS] = c->progress_path;
    c->s.sidecar[RD_SIDECAR_EXPORT] = c->export_path;
    return 0;
}

void rd_cli_free(RdCli *c)
{
    rd_ff_free(&c->ff);
    av_freep(&c->reports);
    av_dict_free(&c->venc_opts);
    av_dict_free(&c->metadata);
    av_freep(&c->maps);
    av_freep(&c->allow_filters);
    c->s.allow_filters = NULL;
    c->s.venc_opts = NULL;
    c->s.metadata = NULL;
    c->s.maps = NULL;
}
