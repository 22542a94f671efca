/*
 * encode.h - the video encoder every chunk opens, configured identically,
 * so that the chunks' streams join into one valid stream.
 */
#ifndef RD_ENCODE_H
#define RD_ENCODE_H

#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavutil/dict.h>
#include <libavutil/mastering_display_metadata.h>

typedef struct RdEncodeConfig {
    const AVCodec *codec;       ///< video encoder
    int crf;                    ///< -1 = the encoder's default
    const char *preset;         ///< NULL = the encoder's default
    const AVDictionary *opts;   ///< extra options (not owned)
    int global_header;          ///< 1 when the muxer wants extradata (mp4, mkv)
    AVRational fps;             ///< nominal frame rate, for rate control
    const AVCodecParameters *in;///< input stream parameters: colour properties are carried over
    const AVMasteringDisplayMetadata *mastering; ///< HDR10 mastering display to signal in the bitstream (x265), or NULL
    const AVContentLightMetadata *light;         ///< HDR10 light level to signal in the bitstream (x265), or NULL
} RdEncodeConfig;

/**
 * Find encoder NAME. Returns 0 or AVERROR_ENCODER_NOT_FOUND (also when NAME
 * is not a video encoder).
 */
int rd_encode_find(const AVCodec **codec, const char *name);

/**
 * Open an encoder for the frames `sink` produces, with one thread. Options
 * the encoder does not know are an error: AVERROR_OPTION_NOT_FOUND with the
 * option's name in `err`. Returns 0 or a negative AVERROR; *penc is freed
 * and NULL on failure.
 */
int rd_encode_open(AVCodecContext **penc, const RdEncodeConfig *cfg,
                   const AVFilterContext *sink, char *err, int errlen);

#endif
