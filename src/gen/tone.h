/*
 * tone.h - the audio track: one tone per channel whose pitch steps every
 * second (left: a chromatic walk up from A3, right: a fifth above), so a
 * lost, repeated or shifted piece of audio is audible and measurable.
 *
 * Frequencies are whole hertz, so every second holds whole cycles and the
 * wave passes through zero at each step: no clicks. Sample n depends only
 * on n and the rate, so any span can be rendered independently.
 */
#ifndef GEN_TONE_H
#define GEN_TONE_H

#include <stdint.h>
#include <libavutil/frame.h>
#include <libavutil/samplefmt.h>

/** Frequency in Hz of `channel` during second `second` (>= 0). */
int gen_tone_freq(int64_t second, int channel);

/** 1 if gen_tone_fill can write `fmt`, else 0. */
int gen_tone_supports(enum AVSampleFormat fmt);

/**
 * Fill frame->nb_samples samples of `frame` (its format, channel layout and
 * data already allocated) with samples first.. of the tone at `rate` Hz;
 * samples at index >= total are silence (padding for a fixed frame size).
 * Returns 0, or AVERROR(EINVAL) for a format gen_tone_supports rejects.
 */
int gen_tone_fill(AVFrame *frame, int64_t first, int64_t total, int rate);

#endif
