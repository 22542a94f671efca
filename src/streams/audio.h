/*
 * audio.h - one audio track decoded, filtered and encoded once, in one pass.
 *
 * Audio is never chunked: a track is copied from the source when the output
 * container can hold its codec (tracks.c does that), otherwise it goes
 * through this pipeline, whole, so there are no gaps or priming clicks at
 * chunk joins. Push model, like libavcodec's: send source packets, receive
 * encoded packets.
 */
#ifndef RD_AUDIO_H
#define RD_AUDIO_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

typedef struct RdAudio RdAudio;

/** What the user asked of encoded audio (-af, -ar, -ac, encoder options). */
typedef struct RdAudioConfig {
    const char *af;             ///< filter graph, one input one output; NULL = none
    int sample_rate;            ///< Hz; 0 = the input's (the nearest the encoder takes)
    int channels;               ///< 0 = the input's layout; else that many, default layout
    const AVDictionary *opts;   ///< encoder options (b, global_quality ...); NULL = none; one the encoder does not take is an error
    int has_start;              ///< 1: input -ss: samples before `start` are cut (ffmpeg's trim before -af)
    int64_t start;              ///< input time, AV_TIME_BASE units, when has_start
    const char *sample_fmt;     ///< -sample_fmt: the encoder's sample format (a name av_get_sample_fmt knows); NULL = the encoder's first that the graph can give
    const char *ch_layout;      ///< -ch_layout: the encoder's channel layout ("5.1", "stereo", "3c"); wins over `channels`; NULL = none
    int has_out_start;          ///< 1: output -ss: samples before `out_start` are cut after the graph and the format conversion (ffmpeg's output trim, so -af sees them)
    int64_t out_start;          ///< input time, AV_TIME_BASE units, when has_out_start
    int64_t out_duration;       ///< an output -t: samples from out_start on (from the first sample without has_out_start), AV_TIME_BASE units, cut after the graph (the same trim's duration); 0 = none
    int64_t in_duration;        ///< an input -t: samples from the first one kept on, AV_TIME_BASE units, cut before -af (ffmpeg's input trim); 0 = none
    int64_t out_cut;            ///< the output -ss, AV_TIME_BASE units, when has_out_start: in the offset (rd_audio_set_offset) but not in the CLI's shift before its decoder
} RdAudioConfig;

/**
 * Open a decoder for `ist`, a filter graph as the ffmpeg CLI builds it
 * (abuffer -> af -> aformat with the encoder's formats and rates, and -ar,
 * -ac -> abuffersink; libswresample converts where needed) and encoder
 * `codec` for the output stream `ost` (already added to `oc`, before its
 * header): fills ost's codec parameters and time base (the encoder's,
 * 1/sample rate: packets come out in it). `cfg` may be NULL. Returns 0 or
 * a negative AVERROR, with a detail in err for an option the encoder does
 * not take or a graph that does not parse; rd_audio_free() either way.
 */
int rd_audio_open(RdAudio **pa, const AVStream *ist, const AVCodec *codec,
                  AVFormatContext *oc, AVStream *ost, const RdAudioConfig *cfg,
                  char *err, int errlen);

/**
 * The offset the output adds to this track's times (AV_TIME_BASE units):
 * decoded times are rounded to samples as the CLI rounds them, after it.
 * Packets still come out in the input's timeline. Default 0.
 */
void rd_audio_set_offset(RdAudio *a, int64_t ts_offset);

/**
 * Give the next source packet of the track (input time base), or NULL at
 * the end. A damaged packet costs its samples, not the track. Returns 0 or
 * a negative AVERROR.
 */
int rd_audio_send(RdAudio *a, const AVPacket *pkt);

/**
 * End the track where the CLI closes its output at -frames:v, instead of
 * at the end of input (rd_audio_send(NULL)): the frames its graph has
 * ready are encoded and the encoder flushed, but the decoder is not
 * drained nor the graph flushed, so a part frame that an encoder of fixed
 * frame size waits to fill stays out (ffmpeg's transcode loop ends with
 * need_output(), and flush_encoders reaps no filter). Packets sent after
 * it are refused.
 */
void rd_audio_stop(RdAudio *a);

/** 1 once the graph has ended (its output -t trim, or the end of input):
 * packets sent after that are ignored. */
int rd_audio_ended(const RdAudio *a);

/**
 * Next encoded packet, in the time base rd_audio_open() gave ost (before
 * the header may change it) and the input's timeline (no offset applied). Returns 0, AVERROR(EAGAIN) when more input
 * is needed, AVERROR_EOF after the end, or another negative AVERROR.
 */
int rd_audio_receive(RdAudio *a, AVPacket *out);

void rd_audio_free(RdAudio **pa);

#endif
