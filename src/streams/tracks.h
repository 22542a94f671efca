/*
 * tracks.h - every input stream besides the rendered video: which go out
 * (streammap.h), and how each gets there, read once from one demuxer of
 * its own and interleaved by the merge before each video packet.
 *
 * Per stream: audio copied, or encoded once (audio.c) when the container
 * cannot hold the codec or -c:a asks for another; subtitles copied or
 * converted between text formats (subtitle.c); data copied where the
 * container takes it; Matroska attachments and cover art kept where the
 * container has a place for them. Tags, chapters, dispositions, timecode
 * and the video's side data go through meta.c. Anything that cannot be
 * kept is named in one line on stderr (unless quiet), never dropped
 * silently. Decode times that step back in copied packets (splices) are
 * moved forward as the ffmpeg CLI does, with a warning.
 */
#ifndef RD_TRACKS_H
#define RD_TRACKS_H

#include <stdint.h>
#include <libavformat/avformat.h>

#include "streams/audio.h"
#include "streams/bsf.h"
#include "streams/meta.h"
#include "streams/tsjump.h"

typedef struct RdTracks RdTracks;

/** The ffmpeg form's setting for one output stream of a type (-c:a:1 aac, -b:a:1 96k). */
typedef struct RdPerStream {
    const char *codec;             ///< encoder name or "copy"; NULL = the type's
    const char *bitrate;           ///< -b:a:N as typed; NULL = the type's
    int channels;                  ///< -ac:a:N; 0 = the type's
    int sample_rate;               ///< -ar:a:N, Hz; 0 = the type's
} RdPerStream;

typedef struct RdTracksConfig {
    const char *path;              ///< input file
    int vindex;                    ///< the rendered video stream (the merge declares it)
    const char *venc;              ///< video encoder name, for the video stream's "encoder" tag
    const char *acodec;            ///< "copy" (copy when the container holds it, else encode), "none", or an audio encoder
    const char *scodec;            ///< "copy" (copy, else convert to the container's text format), "none", or a subtitle encoder
    int an, sn, dn;                ///< -an, -sn, -dn
    const char *const *maps;       ///< -map specs (streammap.h), NULL/0 = everything
    int nmaps;
    const AVDictionary *metadata;  ///< -metadata K=V global tags (empty V deletes K); may be NULL
    int64_t ts_offset;             ///< added to every timestamp, AV_TIME_BASE units (minus the input start time)
    int64_t end;                   ///< drop packets at or after this input time, AV_TIME_BASE units; INT64_MAX = none
    int quiet;                     ///< 1: no notices on stderr
    const RdHdr10 *hdr10;          ///< the video's HDR10 metadata (rd_meta_find_hdr10), or NULL
    const RdAudioConfig *audio;    ///< -af, -ar, -ac and encoder options for encoded audio; NULL = none
    int ff_select;                 ///< 1: without -map, ffmpeg's selection (streammap.h); 0: every stream
    int map_video;                 ///< k > 0: -map "[v]" after k - 1 other maps (streammap.h)
    int no_global_meta;            ///< 1: the input's global tags are not copied (-map_metadata:g -1); 2: no tags at all, the streams' and chapters' neither (-map_metadata -1)
    int no_chapters;               ///< 1: no chapters (-map_chapters -1)
    int copy_exact;                ///< 1: copy means copy: a codec the container cannot hold is an error, as in ffmpeg
    const RdStreamSet *sets;       ///< -metadata:s:..., -disposition:...; may be NULL
    int nsets;
    int has_start;                 ///< 1: input -ss: packets before `start` are not written (the first one written is at or after it, as ffmpeg's copy starts), encoded audio is cut there to the sample
    int64_t start;                 ///< input time, AV_TIME_BASE units, when has_start
    int64_t seek;                  ///< input -ss, AV_TIME_BASE units from the file's zero: the demuxer is first seeked as the ffmpeg CLI seeks it (rd_tracks_seek_point), so that decoded audio comes from the same packets; without has_start every packet from there on is written (a remux); 0 (default) = none
    int start_exact;               ///< 1: with has_start, an output -ss: copied packets before `start` are left out, also the one that holds it (ffmpeg's copy after an output seek)
    const RdTsJumps *jumps;        ///< the input's timestamp jumps as the CLI corrects them (tsjump.h); NULL = each stream its own
    double cli_seek_s;             ///< input -ss, seconds, when `seek` is 0: the demuxer first seeks where the ffmpeg CLI's does (the input's start + this, earlier by 3/23 s when a stream reorders frames and the format seeks by decode time), so that decoders start on the packet the CLI's start on (AAC's noise substitution carries a random state from packet to packet); the writing is as without it; 0 (default) = none
    int64_t rec_time;              ///< the output's recording time (its -t, or -to less its -ss), AV_TIME_BASE units; 0 (default) = none: where the ffmpeg CLI cuts the chapters (rd_meta_chapters) and encoded subtitles, which the input's -t/-to (in `end`) does not cut
    int header_first;              ///< 1: no video encoder to wait for (a remux): the CLI writes its header before any packet, and copied audio's muxing time base is the output's (tracks_mux.c header_later)
    int video_from_graph;          ///< 1: the video comes out of -filter_complex, which ffmpeg ties to no input stream: the stream takes none of the input video's tags, disposition, timecode or side data
    int vn;                        ///< 1: no video at all (-vn): no video stream is selected, maps' included, and add_video is not called (it may be NULL)
    unsigned no_default_enc;       ///< RD_NO_DEFAULT_AUDIO / RD_NO_DEFAULT_SUBS: that type's "none" stands for "the format has no default encoder": a stream of it the maps name is an error (ffmpeg's "Automatic encoder selection failed"), not dropped; RD_COVER_ENCODED: a mapped cover picture is an error too
    int audio_from_graph;          ///< 1: the audio comes out of -filter_complex's audio branch: as the video from a graph, it takes none of its input stream's tags or disposition
    const RdPerStream *audio_at;   ///< -c:a:N, -b:a:N: the N-th audio stream written, naudio_at entries; NULL = none (acodec and audio's opts for all)
    int naudio_at;
    const RdPerStream *sub_at;     ///< -c:s:N: the N-th subtitle stream written, nsub_at entries; NULL = none
    int nsub_at;
    const char *first_only;        ///< an option given for the first audio or subtitle stream only (-ar:a:0) that render applies to every stream of the type: refused when more than one is written; NULL = none
    const char *output;            ///< OUTPUT's name, for the muxer's refusals (rd_tracks_error); NULL = the input's
} RdTracksConfig;

#define RD_NO_DEFAULT_AUDIO 1u
#define RD_NO_DEFAULT_SUBS  2u
/** Not a missing encoder but the same kind of refusal: the ffmpeg form with
 *  a video encoder (not copy). ffmpeg encodes every video stream the maps
 *  name with it, a cover picture too (a second, one-frame video; MP4 and
 *  MOV then fail): a mapped cover is refused, where render would copy it. */
#define RD_COVER_ENCODED    4u

/** Declares the rendered video stream in `oc` (avformat_new_stream) and
 *  sets *vst to it; 0 or a negative AVERROR. */
typedef int (*RdAddVideo)(void *opaque, AVFormatContext *oc, AVStream **vst);

/**
 * Open the input, select its streams and declare them in `oc` in ffmpeg's
 * order (the maps', streammap.h), calling add_video(opaque, ...) at the
 * video's turn (before the header is written; never with cfg->vn); copy tags, chapters and
 * dispositions, and the video stream's tags and side data onto the video.
 * Returns 0 or a negative AVERROR with a detail in `err`; rd_tracks_free()
 * either way.
 */
int rd_tracks_open(RdTracks **pt, const RdTracksConfig *cfg, AVFormatContext *oc,
                   RdAddVideo add_video, void *opaque, char *err, int errlen);

/** Where the ffmpeg CLI seeks the whole file for an input -ss to `ts`
 *  (AV_TIME_BASE units from the file's zero): 3/23 s earlier when a stream
 *  reorders frames and the format seeks by decode time. */
int64_t rd_tracks_seek_point(const AVFormatContext *ic, int64_t ts);

/** Seek `ic` as the ffmpeg CLI's demuxer does for an input -ss of `seek_s`
 *  seconds (from the file's start) and return the point, its zero
 *  (AV_TIME_BASE units); nothing and AV_NOPTS_VALUE when seek_s <= 0. A
 *  failed seek is not an error: the CLI reads on from where it is. */
int64_t rd_tracks_cli_seek(AVFormatContext *ic, double seek_s);

/** Open a decoder for `st` as the ffmpeg CLI opens it for transcoding:
 *  `threads` as its -threads before -i (0 = auto), the stream's time base.
 *  Returns 0 or AVERROR; *pdec is to be freed either way. */
int rd_tracks_cli_decoder(AVCodecContext **pdec, const AVStream *st, int threads);

/**
 * The input's start as the ffmpeg CLI reads a file whose format may jump
 * in time (AVFMT_TS_DISCONT: MPEG-TS, MPEG-PS) without an input -ss or
 * -itsoffset: its process_input moves the start to the earliest start of
 * the streams the output uses, when that is later (an MPEG-TS whose audio
 * starts 23 ms before the video, with -an, starts at the video). `cfg`'s
 * selection fields (maps, -an/-sn/-dn, codecs, ff_select, map_video;
 * vindex < 0: the CLI's video) into format `oformat` (NULL: from `output`'s
 * name). Sets *start (AV_TIME_BASE units) and returns 1 when the CLI moves
 * it, else 0 (a selection that fails is left to rd_tracks_open to say).
 */
int rd_tracks_cli_start(const RdTracksConfig *cfg, const char *oformat, const char *output, int64_t *start);

/**
 * The input streams the CLI reads for `cfg` (the video and the streams its
 * selection writes): *used gets nb_streams flags (av_free it), nonzero for
 * a stream read, RD_TRACKS_USED_VIDEO for the video, *nb their count.
 * Returns 0 or a negative AVERROR (a selection that fails: none used).
 */
#define RD_TRACKS_USED_VIDEO 2
int rd_tracks_used(const RdTracksConfig *cfg, const char *oformat, const char *output,
                   uint8_t **used, int *nb);

/** The rendered video's output stream, declared by rd_tracks_open's add_video. */
AVStream *rd_tracks_video(const RdTracks *t);

/**
 * Write (interleaved) every packet that starts before ts (in tb, output
 * timeline); ts INT64_MAX = all that is left, encoders flushed. Returns 0
 * or a negative AVERROR. A damaged tail ends the tracks, not the render.
 */
int rd_tracks_write_until(RdTracks *t, AVFormatContext *oc, int64_t ts, AVRational tb);

/** Why the input could not be read on, after rd_tracks_write_until()
 *  failed reading it; "" when it failed for another reason. */
const char *rd_tracks_error(const RdTracks *t);

/**
 * Packets at or after input time `end` (AV_TIME_BASE units) are not
 * written: an end found while writing (-frames:v). Only ever lowers the end.
 */
void rd_tracks_end_at(RdTracks *t, int64_t end);

/**
 * -frames:v's last picture came out of the video decoder's drain at the
 * end of input: the CLI drains its input streams one at a time in stream
 * order, one frame a step, and closes the file as that picture is
 * encoded, so encoded audio of a stream after the video's is stopped
 * (rd_audio_stop) and one before it was flushed at the end as usual.
 */
void rd_tracks_stop_at_drain(RdTracks *t);

/** Write every packet through `b`'s -bsf chains (bsf.h; not owned, may be NULL). */
void rd_tracks_set_bsf(RdTracks *t, RdBsf *b);

void rd_tracks_free(RdTracks **pt);

#endif
