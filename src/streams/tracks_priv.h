/*
 * tracks_priv.h - what tracks.c (declaring the output streams) and
 * tracks_mux.c (moving their packets) share. Not a public interface.
 */
#ifndef RD_TRACKS_PRIV_H
#define RD_TRACKS_PRIV_H

#include <libavformat/avformat.h>

#include "streams/audio.h"
#include "streams/subtitle.h"
#include "streams/tracks.h"
#include "io/errline.h"

/* With -t, the demuxer stops this far (AV_TIME_BASE) past the end: enough
 * for the interleaving slack of real files, without reading the rest. */
#define END_SLACK (3 * AV_TIME_BASE)

typedef enum Kind { K_COPY, K_AUDIO, K_SUB, K_STATIC } Kind;

#include "streams/tsfix.h"

typedef struct Track {
    int in;                 ///< input stream index
    Kind kind;
    AVStream *ist, *ost;
    AVRational tb;          ///< time base of the packets handed to put()
    RdAudio *audio;
    RdSub *sub;
    int64_t last_dts;       ///< last dts written, ost time base
    int64_t delta_last;     ///< copied audio: the next packet's time in samples (av_rescale_delta), AV_NOPTS_VALUE before the first
    int in_tb_mux;          ///< copied audio: -1 undecided; 1: its first packet came before the CLI's header (its muxing time base stays the input's); 0: after
    int64_t backsteps;      ///< packets whose dts was moved forward
    int cover;              ///< an attached picture: one packet, no timeline
    RdTsFix fix;            ///< timestamp jumps (MPEG-TS resets, joins) corrected as the CLI does
    int started;            ///< a packet was written (input -ss: the ones before the start are not)
    int out_trim;           ///< encoded audio whose graph ends at a -t (audio.h out_duration, in_duration): the trim, not the input's clock, ends it
    int sub_enc;            ///< a subtitle the CLI encodes (-c:s other than copy): ended by the output's recording time only
    int next;               ///< the next track of the same input stream (mapped again), -1 = none
    int decoded_too;        ///< a copy whose input stream another track decodes (mapped again, encoded)
} Track;

struct RdTracks {
    RdTracksConfig cfg;
    AVFormatContext *ic;
    AVStream *vst;          ///< the rendered video in the output (declared by the caller's add_video)
    Track *t;
    int n;
    int *route;             ///< input stream -> its first track (the others follow Track.next), -1 = not written
    AVPacket *pkt, *out, *dup;
    int pending, eof;
    int64_t vpkts;          ///< video packets read so far (where the CLI would have its first encoded frame)
    int end_lowered;        ///< rd_tracks_end_at moved the end (-frames:v): it holds for every track
    int drain_stop;         ///< rd_tracks_stop_at_drain(): -frames:v's last picture came from the video decoder's drain at the end of input
    int strict;             ///< the muxer wants strictly increasing dts
    RdBsf *bsf;             ///< the owner's -bsf chains (rd_tracks_set_bsf), NULL = none; not owned
    char why[RD_ERRLEN];    ///< a read error in words (rd_tracks_error), "" = none
};


/** One line on stderr, "render: INPUT: KIND: ...", unless quiet. */
void rd_tracks_notice(const RdTracks *t, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** "stream 0:2 (audio pcm_s16le, fre)" into buf; returns buf. */
const char *rd_tracks_describe(const AVStream *st, char *buf, int len);

#endif
