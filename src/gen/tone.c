/*
 * tone.c - stepped-pitch test tone (see tone.h).
 */
#include "gen/tone.h"

#include <math.h>

#define AMPLITUDE 0.25
#define STEPS     24    /* distinct pitches before the walk repeats */
#define TWO_PI    6.283185307179586

int gen_tone_freq(int64_t second, int channel)
{
    double f = 220.0 * pow(2.0, (double)(second % STEPS) / 12.0);
    if (channel & 1)
        f *= 1.5;
    return (int)lrint(f);
}

int gen_tone_supports(enum AVSampleFormat fmt)
{
    switch (av_get_packed_sample_fmt(fmt)) {
    case AV_SAMPLE_FMT_S16:
    case AV_SAMPLE_FMT_S32:
    case AV_SAMPLE_FMT_FLT:
    case AV_SAMPLE_FMT_DBL:
        return 1;
    default:
        return 0;
    }
}

/* Sample n of `channel`, in [-AMPLITUDE, AMPLITUDE]. The phase is kept in
 * integers, (f * (n mod rate)) mod rate, so it never drifts. */
static double tone_sample(int64_t n, int channel, int rate)
{
    int64_t f     = gen_tone_freq(n / rate, channel);
    int64_t phase = (f * (n % rate)) % rate;
    return AMPLITUDE * sin(TWO_PI * (double)phase / rate);
}

static void put(uint8_t *p, enum AVSampleFormat fmt, double v)
{
    switch (fmt) {
    case AV_SAMPLE_FMT_S16: *(int16_t *)p = (int16_t)lrint(v * 32767.0);       break;
    case AV_SAMPLE_FMT_S32: *(int32_t *)p = (int32_t)lrint(v * 2147483647.0);  break;
    case AV_SAMPLE_FMT_FLT: *(float *)p   = (float)v;                          break;
    case AV_SAMPLE_FMT_DBL: *(double *)p  = v;                                 break;
    default: break;
    }
}

int gen_tone_fill(AVFrame *frame, int64_t first, int64_t total, int rate)
{
    enum AVSampleFormat fmt    = frame->format;
    enum AVSampleFormat packed = av_get_packed_sample_fmt(fmt);
    int planar   = av_sample_fmt_is_planar(fmt);
    int bps      = av_get_bytes_per_sample(fmt);
    int channels = frame->ch_layout.nb_channels;

    if (!gen_tone_supports(fmt) || channels < 1 || rate < 1)
        return AVERROR(EINVAL);
    for (int i = 0; i < frame->nb_samples; i++) {
        int64_t n = first + i;
        for (int c = 0; c < channels; c++) {
            double v = n < total ? tone_sample(n, c, rate) : 0.0;
            uint8_t *p = planar ? frame->extended_data[c] + (size_t)i * bps
                                : frame->extended_data[0] + ((size_t)i * channels + c) * bps;
            put(p, packed, v);
        }
    }
    return 0;
}
