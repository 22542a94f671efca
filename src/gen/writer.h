/*
 * writer.h - encode and mux: the video stream (any libav video encoder),
 * the tone track, and the temporary-file-then-rename that keeps a failed
 * or interrupted run from leaving a partial output.
 */
#ifndef GEN_WRITER_H
#define GEN_WRITER_H

#include <stdint.h>
#include <libavutil/frame.h>

#include "gen/gen.h"

typedef struct GenWriter GenWriter;

/**
 * Set up encoders and the muxer for `s` and create the temporary file
 * (OUTPUT.tmp-PID next to OUTPUT; the container is chosen from OUTPUT's
 * name). Refuses an existing OUTPUT unless s->overwrite. On success *pw
 * owns everything (free with gen_writer_free). Returns 0 or a negative
 * AVERROR with a one-line reason in `err`.
 */
int gen_writer_open(GenWriter **pw, const GenSettings *s, char *err, int err_size);

/**
 * The frame to draw the next video picture into: encoder size and pixel
 * format, colorspace and range fields set to what the stream is tagged
 * with. Writable until the next gen_writer_video call. Owned by the writer.
 */
AVFrame *gen_writer_frame(GenWriter *w);

/**
 * Encode the frame from gen_writer_frame as picture `index` (pts = index in
 * time base 1/fps; indices must run 0, 1, 2, ...), then encode the audio up
 * to the end of that picture. Returns 0 or a negative AVERROR (reason in err).
 */
int gen_writer_video(GenWriter *w, int64_t index, char *err, int err_size);

/**
 * Flush the encoders, write the trailer and rename the temporary file to
 * OUTPUT. `audio_samples` (may be NULL) receives the audio samples per
 * channel written. Returns 0 or a negative AVERROR (reason in err).
 */
int gen_writer_finish(GenWriter *w, int64_t *audio_samples, char *err, int err_size);

/** Free *pw and set it to NULL; removes the temporary file unless finished. NULL-safe. */
void gen_writer_free(GenWriter **pw);

#endif
