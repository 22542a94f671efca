/*
 * audio.h - the input's audio, carried once into the output.
 *
 * Audio is never chunked: packets are copied from the source (or, when the
 * output container cannot hold the codec or another codec is asked for,
 * decoded and encoded once, in one pass), so there are no gaps or priming
 * clicks at chunk joins. The merge calls rd_audio_write_until() before each
 * video packet to interleave.
 */
#ifndef RD_AUDIO_H
#define RD_AUDIO_H

#include <stdint.h>
#include <libavformat/avformat.h>

typedef struct RdAudio RdAudio;

typedef struct RdAudioConfig {
    const char *path;       ///< input file
    int aindex;             ///< audio stream index in the input
    const char *acodec;     ///< "copy" (copy when the container takes it, else encode), or an encoder name
    int64_t ts_offset;      ///< added to every timestamp, AV_TIME_BASE units (minus the input start time)
    int64_t end;            ///< drop audio at or after this input time, AV_TIME_BASE units; INT64_MAX = none
} RdAudioConfig;

/**
 * Open the input's audio and add its stream to `oc` (before the header is
 * written). Returns 0 or a negative AVERROR with a detail in `err`; free with
 * rd_audio_free() either way.
 */
int rd_audio_open(RdAudio **pa, const RdAudioConfig *cfg, AVFormatContext *oc, char *err, int errlen);

/** Write (interleaved) every audio packet that starts before ts (in tb); ts INT64_MAX = all that is left. */
int rd_audio_write_until(RdAudio *a, AVFormatContext *oc, int64_t ts, AVRational tb);

void rd_audio_free(RdAudio **pa);

#endif
