/*
 * streammap.h - which input streams go to the output: ffmpeg's -map, -an,
 * -sn, -dn for one input, as pure logic (no file is opened), so it is unit
 * tested without a video.
 *
 * Without -map every stream is selected (as `-map 0`): the rendered video,
 * every audio, subtitle, data and attachment stream and cover art. A map
 * is `0` (all), `0:N` (stream N), `0:T` or `0:T:N` (the N-th stream of type
 * T: v video, V video but not cover art, a audio, s subtitle, d data,
 * t attachment), `0:[T:]m:KEY[:VALUE]` (streams with that tag: m:language:eng),
 * `0:[T:]#ID` or `0:[T:]i:ID` (the container's stream id, an MPEG-TS PID),
 * `-` in front removes what earlier maps added, `?` after it lets it match
 * nothing. -an/-sn/-dn then drop their type, as in ffmpeg.
 * The ffmpeg form (ff_auto) selects without -map as ffmpeg 5.1's
 * open_output_file does: one audio stream (most channels, a default one
 * first), one subtitle of a kind the container's encoder writes.
 */
#ifndef RD_STREAMMAP_H
#define RD_STREAMMAP_H

#include <libavutil/avutil.h>
#include <libavutil/dict.h>

typedef struct RdStreamKind {
    enum AVMediaType type;      ///< codec type of the input stream
    int cover;                  ///< 1: an attached picture (cover art)
    int channels;               ///< audio channels (0 unknown); for ffmpeg's selection
    int is_default;             ///< 1: the stream has the default disposition
    int sub_props;              ///< subtitles: AV_CODEC_PROP_TEXT_SUB / _BITMAP_SUB of its codec, 0 neither
    const AVDictionary *meta;   ///< its tags, for m:KEY[:VALUE]; NULL = none
    long id;                    ///< the container's stream id (an MPEG-TS PID), for #ID and i:ID
} RdStreamKind;

typedef struct RdMapOptions {
    const char *const *maps;    ///< -map specs in command-line order; may be NULL when nmaps is 0
    int nmaps;
    int an, sn, dn;             ///< -an, -sn, -dn
    int ff_auto;                ///< without maps, ffmpeg's selection: the audio stream with most
                                ///< channels (a default one first), the first subtitle the
                                ///< container's encoder can write; else every stream
    int map_video;              ///< k > 0: vindex is selected whatever the maps, as -map "[v]" of a
                                ///< graph given after the first k - 1 maps (its place in the output)
    int audio_ok;               ///< ff_auto: the container takes audio
    int sub_props;              ///< ff_auto: the subtitle kinds the container's encoder writes
                                ///< (AV_CODEC_PROP_*_SUB bits); -1 any kind; 0 none
    int vn;                     ///< -vn: no video stream, the maps' neither (vindex is then -1)
} RdMapOptions;

/**
 * Select from the `n` input streams described by `kind`. `vindex` is the
 * video stream render processes: it must be selected (an error otherwise)
 * and is left out of `order`. `order` (room for n) receives the other
 * selected input stream indexes in output order, *norder their count, and
 * *vpos how many of them come before the video: ffmpeg's order, the maps'
 * (input order for `-map 0`); without -map the video comes first, as in
 * ffmpeg's own selection.
 * An audio or subtitle stream mapped twice is in `order` twice (written
 * twice, as ffmpeg does): `order` needs room for n * (nmaps + 1) entries.
 * Returns 0, or AVERROR(EINVAL) with one line in `err` for a map that does
 * not parse, names an input other than 0, or matches nothing, and for
 * another stream mapped twice (render writes the video, cover art,
 * attachments and data once).
 */
int rd_map_select(const RdStreamKind *kind, int n, int vindex, const RdMapOptions *o,
                  int *order, int *norder, int *vpos, char *err, int errlen);

/** 1 when SPEC is a well-formed map for one input (the CLI checks it early). */
int rd_map_valid(const char *spec);

#endif
