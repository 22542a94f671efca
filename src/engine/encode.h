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
    AVRational rate;            ///< output -r: the frame rate to encode at, before the sink's; 0/0 = none
    const AVCodecParameters *in;///< input stream parameters: colour properties are carried over
    enum AVFieldOrder graph_fields; ///< after a graph that sets the fields (yadif, interlace, setfield ...): the output's field order as the CLI tags it from the first filtered frame; AV_FIELD_UNKNOWN (0) = none
    int fields_as_ffmpeg;       ///< 1: field order from the first frame only (graph_fields), no field coding of our own: the ffmpeg form (RdSettings.fields_as_ffmpeg)
    int frame_ts;               ///< 1 when the container counts time in frames (AVI): time base 1/frame rate
    int null_out;               ///< 1: the null muxer (-f null), which never reads a picture: wrapped_avframe's packets are emptied at once
    const AVMasteringDisplayMetadata *mastering; ///< HDR10 mastering display to signal in the bitstream (x265), or NULL
    const AVContentLightMetadata *light;         ///< HDR10 light level to signal in the bitstream (x265), or NULL
    int64_t bitrate;            ///< target bits/s (-b:v), 0 = none
    int64_t maxrate, bufsize;   ///< VBV peak bits/s and buffer bits, 0 = none
    int gop, keyint_min;        ///< frames (-g, -keyint_min), -1 = the encoder's
    int sc_threshold;           ///< scene-cut threshold (-sc_threshold), 0 = none, -1 = the encoder's
    int stitchable;             ///< 1: headers that do not depend on the content (x264's stitchable), so that chunks encoded from their own stats join under one extradata
    int threads;                ///< output -threads, 0 = auto as in the CLI: used only by encoders whose slices follow their threads (rd_encode_slices_follow_threads), all others get one
} RdEncodeConfig;

/**
 * Find encoder NAME. Returns 0 or AVERROR_ENCODER_NOT_FOUND (also when NAME
 * is not a video encoder).
 */
/** 1 when graph `g` (may be NULL) holds a filter that decides the field
 * structure itself (deinterlacers, interlace, telecine, setfield ...). */
int rd_encode_graph_sets_fields(const AVFilterGraph *g);

int rd_encode_find(const AVCodec **codec, const char *name);

/**
 * The encoder `name` stands for: `name` itself when an encoder has that name
 * (or it is "copy" or "none"), else, when it names a codec (-c:v h264), the
 * encoder libavcodec picks for that codec, as ffmpeg's command line does
 * (libx264). Unknown names, and codecs of another type than `type`,
 * come back unchanged, for the error to name them as typed.
 */
const char *rd_encoder_name(const char *name, enum AVMediaType type);

/**
 * 1 when `codec` cuts each picture into one slice per thread, so that its
 * bitstream depends on the thread count (FFmpeg's MPEG-1/2/4 and H.263+
 * encoders, slice-threaded only). Such an encoder gets the CLI's count
 * (RdEncodeConfig.threads), not one, or its packets would not be the CLI's.
 */
int rd_encode_slices_follow_threads(const AVCodec *codec);

/**
 * Open an encoder for the frames `sink` produces, with one thread (encoders
 * with their own thread pools are told to use one thread too) and, below
 * AV_LOG_INFO, without the encoder library's own banners. The frame rate is
 * set as the ffmpeg CLI 5.1 sets it (cfg->rate, else the sink's, else cfg->fps, else 25;
 * the nearest one the encoder supports); the time base is the sink's, so
 * frames keep their exact times, except for encoders and containers that
 * need a constant frame rate, which get 1/frame rate (also when the encoder
 * refuses the sink's). Frames sent must be in enc->time_base (see
 * rd_encode_frame). Options the encoder does not know are an error:
 * AVERROR_OPTION_NOT_FOUND with the option's name in `err`. Returns 0 or a
 * negative AVERROR; *penc is freed and NULL on failure.
 */
int rd_encode_open(AVCodecContext **penc, const RdEncodeConfig *cfg,
                   const AVFilterContext *sink, char *err, int errlen);

/**
 * rd_encode_open() with `extra` options for this encoder only (a chunk's
 * share of the bits, its pass and stats file), applied after cfg's; may be
 * NULL. "flags" in both are joined ("+pass1" keeps the user's flags).
 */
int rd_encode_open_with(AVCodecContext **penc, const RdEncodeConfig *cfg, const AVDictionary *extra,
                        const AVFilterContext *sink, char *err, int errlen);

/**
 * rd_encode_open_with() whose encoder reads `stats_in` (libavcodec's
 * pass-2 stats, ratectl_lavc.h; NULL = none) before it opens: a copy,
 * freed by rd_encode_close().
 */
int rd_encode_open_stats(AVCodecContext **penc, const RdEncodeConfig *cfg, const AVDictionary *extra,
                         const char *stats_in, const AVFilterContext *sink, char *err, int errlen);

/**
 * The pixel formats the filter graph may hand the encoder: the encoder's
 * own list, narrowed as the ffmpeg CLI narrows it for the default
 * compliance (mjpeg: full-range yuvj only). May be NULL (any).
 */
const enum AVPixelFormat *rd_encode_pix_fmts(const RdEncodeConfig *cfg);

/**
 * Send one frame (NULL: end of stream) with its pts moved from the sink's
 * time base `tb` into the encoder's and its quality set to the encoder's
 * global_quality (as the ffmpeg CLI sets it). Returns avcodec_send_frame's
 * result.
 */
int rd_encode_frame(AVCodecContext *enc, AVFrame *f, AVRational tb);

/**
 * Close an encoder: end of stream is sent first and what it still holds is
 * discarded (SVT-AV1 waits forever in its close for an end of stream it
 * never got). NULL-safe; *penc is NULL after.
 */
void rd_encode_close(AVCodecContext **penc);

#endif
