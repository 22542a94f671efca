/*
 * pichdr.h - the picture and GOP headers of joined chunks, numbered as one
 * encoder numbers them.
 *
 * Some of FFmpeg's own encoders write the picture's number (counted from
 * the encoder's start) into their headers:
 *   - mpeg1video, mpeg2video: each GOP header's time code (from
 *     -gop_timecode's start, drop-frame when asked), and the encoder's
 *     first GOP marked closed;
 *   - h263, h263p, flv (Sorenson H.263), h261: each picture's temporal
 *     reference (H.263+ with a custom picture clock: its two extra bits too);
 *     rv20: the picture's number itself.
 * Every chunk's encoder counts from 0, so written as they are the numbers
 * start over at each join (00:00:00:00 again in the middle of the file,
 * where the ffmpeg CLI counts on) and each join's GOP is marked closed.
 * Only those header bits are rewritten, to what one encoder writes there;
 * the pictures are not touched. The numbers count coded pictures, as the
 * encoders do: packets written, one a picture.
 */
#ifndef RD_PICHDR_H
#define RD_PICHDR_H

#include <stdint.h>
#include <libavcodec/avcodec.h>

typedef enum RdPicHdrKind {
    RD_PICHDR_NONE,     ///< packets pass untouched
    RD_PICHDR_MPEG12,   ///< GOP header time code and closed flag
    RD_PICHDR_H263,     ///< temporal reference after the 22-bit start code (H.263, H.263+)
    RD_PICHDR_FLV,      ///< temporal reference after the 17-bit start code and the version
    RD_PICHDR_H261,     ///< 5-bit temporal reference after the 20-bit start code
    RD_PICHDR_RV20,     ///< the picture's number, 8 bits after the type and quantiser
} RdPicHdrKind;

typedef struct RdPicHdr {
    RdPicHdrKind kind;
    AVRational tb;      ///< the encoder's time base: temporal references are counted in it
    int h263_plus;      ///< H.263+ (PLUSPTYPE): a custom picture clock adds two bits (ETR)
    int64_t tc_start;   ///< MPEG-1/2: the time code's start, frames (-gop_timecode; 0 without)
    int drop;           ///< MPEG-1/2: drop-frame time codes
    int always_closed;  ///< MPEG-1/2: every GOP closed (-flags +cgop, or intra-only)
    char *tc_str;       ///< MPEG-1/2: -gop_timecode as given, parsed at the first sequence header (it needs the rate), NULL = none
} RdPicHdr;

/**
 * Set up from an encoder opened as the chunks' are. Returns 0 or a negative
 * AVERROR (ENOMEM).
 */
int rd_pichdr_init(RdPicHdr *g, const AVCodecContext *enc);

/**
 * Pass one video packet, `coded` packets of the stream written before it:
 * its headers get the numbers one encoder would have written. Returns 0 or
 * a negative AVERROR.
 */
int rd_pichdr_packet(RdPicHdr *g, AVPacket *p, int64_t coded);

/** Free what rd_pichdr_init() kept. */
void rd_pichdr_free(RdPicHdr *g);

#endif
