/*
 * meta.h - what the output keeps of the input besides packets: global and
 * per-stream tags, chapters, dispositions, timecode and the video stream's
 * side data (HDR10 mastering display and light level, stereo 3D, 360).
 *
 * The rules are the ffmpeg CLI's (ffmpeg_opt.c, 5.1): global tags copied
 * but for creation_time and the encoding software's own, per-stream tags
 * copied with "encoder" replaced on encoded streams, chapters shifted like
 * the packets and cut by -t, dispositions copied and a default set per
 * type when a type has several streams and none is default. Where 5.1
 * loses something (HDR side data found only in the bitstream), we keep it.
 */
#ifndef RD_META_H
#define RD_META_H

#include <stdint.h>
#include <libavformat/avformat.h>
#include <libavutil/mastering_display_metadata.h>

/**
 * Global tags of `ic` into `oc`, then the user's -metadata pairs (`user`;
 * an empty value deletes the key). `limited`: the output is cut (-t), so the
 * input's duration tag is dropped. Returns 0 or a negative AVERROR.
 */
int rd_meta_global(AVFormatContext *oc, const AVFormatContext *ic, const AVDictionary *user, int limited);

/**
 * Global tags of `oc` that its muxer would drop without a word (MP4 and
 * MOV write only the keys they know). Their names go to buf, comma
 * separated; returns how many.
 */
int rd_meta_lost_global(const AVFormatContext *oc, char *buf, int len);

/**
 * Chapters of `ic` into `oc` as the ffmpeg CLI copies them: shifted by
 * `offset` (AV_TIME_BASE units, added to input times) and cut at `rt`, the
 * output's recording time (its -t, or -to less its -ss: the input's -t
 * does not cut them; AV_TIME_BASE units from the output's zero; INT64_MAX
 * = no cut). A chapter that ends before the output's zero is left out,
 * one that ends at it kept (empty), and so is one that starts at rt, as
 * the CLI's. Returns the number kept (>= 0) or a negative AVERROR.
 */
int rd_meta_chapters(AVFormatContext *oc, const AVFormatContext *ic, int64_t offset, int64_t rt);

/**
 * Tags and disposition of `ist` onto `ost` (`ist` NULL: none, disposition
 * 0, as ffmpeg gives an output of a filter graph). `encoder`: the encoder's name
 * when the stream is encoded (its "encoder" tag is then Lavc's, as the
 * ffmpeg CLI writes it), NULL for a copy. Returns 0 or a negative AVERROR.
 */
int rd_meta_stream(AVStream *ost, const AVStream *ist, const char *encoder);

/**
 * -map_metadata -1 (no specifier): the ffmpeg CLI then copies no tags at
 * all, the streams' and the chapters' no more than the file's. Drops the
 * tags rd_meta_stream() copied onto `st`; `encoded` 1 keeps its "encoder"
 * tag (the encoder's own, set by rd_meta_stream with an encoder), 0 (a copy)
 * keeps none.
 */
void rd_meta_drop_stream_tags(AVStream *st, int encoded);

/** As above for the chapters rd_meta_chapters() put in `oc`: times kept, tags dropped. */
void rd_meta_drop_chapter_tags(AVFormatContext *oc);

/** A user's -metadata:s:SPEC K=V or -disposition:SPEC FLAGS, for output streams. */
typedef struct RdStreamSet {
    char type;          ///< 'v', 'a', 's', 'd', 't', or 0 = any type
    int nth;            ///< the nth output stream of that type, >= 0; -1 = every one
    const char *key;    ///< tag name; NULL = a disposition
    const char *value;  ///< tag value (empty: delete the tag), or disposition flags as ffmpeg
                        ///< reads them ("default", "0", "+forced", "default+original")
} RdStreamSet;

/**
 * Apply `sets` in order to the streams of `oc` (after rd_meta_stream and the
 * default dispositions). Returns 0, or AVERROR(EINVAL) with one line in err
 * for a specifier that matches no stream or flags that do not parse.
 */
int rd_meta_apply_sets(AVFormatContext *oc, const RdStreamSet *sets, int n, char *err, int errlen);

/** For each type with several streams and none default, the first (not a cover) becomes default. */
void rd_meta_default_dispositions(AVFormatContext *oc);

/** HDR10 static metadata of a video stream. */
typedef struct RdHdr10 {
    int has_mastering;                      ///< 1: mastering is set
    int has_light;                          ///< 1: light is set
    AVMasteringDisplayMetadata mastering;   ///< mastering display colour volume (SMPTE ST 2086)
    AVContentLightMetadata light;           ///< MaxCLL, MaxFALL (CTA-861.3)
} RdHdr10;

/**
 * Find stream `vindex`'s HDR10 metadata in `path`: the container's, else,
 * when only the bitstream carries it (x265's SEI) and `stream_only` is 0,
 * the first frame's.
 * Looked for only when the transfer `trc` is PQ or HLG, so SDR inputs cost
 * nothing. Returns 0 (h->has_* say what was found) or a negative AVERROR.
 */
int rd_meta_find_hdr10(RdHdr10 *h, const char *path, int vindex, enum AVColorTransferCharacteristic trc,
                       int stream_only);

/**
 * Side data onto the output video stream: stereo 3D and spherical from
 * `ist`, mastering display and light level from `hdr` (may be NULL).
 * Returns the number carried, or a negative AVERROR.
 */
int rd_meta_video_side_data(AVStream *vst, const AVStream *ist, const RdHdr10 *hdr);

/**
 * The MOV muxer knows languages only by QuickTime's table, which has one of
 * the two ISO 639-2 codes for some (fra, not fre; ger, not deu): use the one
 * it has, so the language is not lost. Returns 0 when the MOV muxer will
 * lose the stream's language anyway (not in the table), else 1. Other
 * formats are left alone (1).
 */
int rd_meta_fix_language(AVStream *ost, const AVOutputFormat *of);

/** 1 when the muxer writes chapters (Matroska, WebM, MP4/MOV family, Ogg). */
int rd_meta_holds_chapters(const AVOutputFormat *of);

/** 1 when the muxer writes arbitrary global tags (title, artist, comment...). */
int rd_meta_holds_tags(const AVOutputFormat *of);

#endif
