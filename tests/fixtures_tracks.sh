#!/usr/bin/env bash
# fixtures_tracks.sh DIR - inputs with everything besides the video that a
# render must keep: several audio tracks, subtitles, chapters, tags,
# dispositions, attachments, timecode, cover art, HDR10 and interlacing.
#
# Made with the stock ffmpeg CLI only (so they do not depend on the code
# under test), tiny (160x120, 2 s), idempotent, each written under a
# temporary name and renamed. tests/e2e_tracks.sh relies on the names.
set -eu

dir=${1:?usage: fixtures_tracks.sh DIR}
. "$(dirname "$0")/fixture_lib.sh"
mkdir -p "$dir"
cd "$dir"

FF="ffmpeg -nostdin -hide_banner -v error -y"
X264="-c:v libx264 -preset veryfast -pix_fmt yuv420p -g 25"
VID="-f lavfi -i testsrc2=s=160x120:r=25:d=2"
A1="-f lavfi -i sine=f=440:r=48000:d=2"
A2="-f lavfi -i sine=f=880:r=44100:d=2"


# Side files: two subtitle cues, two chapters with titles, a "font".
[ -e subs.srt ] || printf '%s\n' 1 '00:00:00,200 --> 00:00:00,900' 'Hello there' '' \
    2 '00:00:01,100 --> 00:00:01,800' 'Second line' 'in two rows' '' >subs.srt
[ -e subs.ass ] || printf '%s\n' '[Script Info]' 'ScriptType: v4.00+' 'PlayResX: 160' 'PlayResY: 120' '' \
    '[V4+ Styles]' \
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding' \
    'Style: Default,Test Font,16,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1' '' \
    '[Events]' 'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text' \
    'Dialogue: 0,0:00:00.30,0:00:01.00,Default,,0,0,0,,Bonjour' \
    'Dialogue: 0,0:00:01.20,0:00:01.90,Default,,0,0,0,,Au revoir' >subs.ass
[ -e chapters.txt ] || printf '%s\n' ';FFMETADATA1' 'title=Tracks fixture' 'artist=render tests' \
    'comment=global tag' '[CHAPTER]' 'TIMEBASE=1/1000' 'START=0' 'END=1000' 'title=Opening' \
    '[CHAPTER]' 'TIMEBASE=1/1000' 'START=1000' 'END=2000' 'title=Closing' >chapters.txt
[ -e font.ttf ] || printf 'not really a font, only bytes to carry\n' >font.ttf

# Matroska: H.264, AAC (eng, default) + PCM (fre, hearing impaired: MP4
# cannot hold PCM, so MKV->MP4 must re-encode it), SRT (eng, forced) and
# ASS (fre) subtitles, a font attachment, two chapters, global tags.
fixture multi.mkv eval '$FF $VID $A1 $A2 -i subs.srt -i subs.ass -i chapters.txt \
    -map 0:v -map 1:a -map 2:a -map 3:s -map 4:s -map_metadata 5 -map_chapters 5 \
    $X264 -c:a:0 aac -b:a 64k -c:a:1 pcm_s16le -c:s copy \
    -attach font.ttf -metadata:s:t mimetype=application/x-truetype-font \
    -metadata:s:a:0 language=eng -metadata:s:a:1 language=fre -metadata:s:a:1 title="Commentary" \
    -metadata:s:s:0 language=eng -metadata:s:s:1 language=fre \
    -disposition:a:0 default -disposition:a:1 hearing_impaired \
    -disposition:s:0 default+forced -disposition:s:1 0 -f matroska "$tmp"'

# MP4: H.264, two AAC tracks (eng default, ger), mov_text (eng), chapters, tags.
fixture multi.mp4 eval '$FF $VID $A1 $A2 -i subs.srt -i chapters.txt \
    -map 0:v -map 1:a -map 2:a -map 3:s -map_metadata 4 -map_chapters 4 \
    $X264 -c:a aac -b:a 64k -c:s mov_text \
    -metadata:s:a:0 language=eng -metadata:s:a:1 language=ger -metadata:s:s:0 language=eng \
    -metadata:s:a:1 handler_name="Second sound" \
    -disposition:a:0 default -disposition:a:1 0 -f mp4 "$tmp"'

# QuickTime with a timecode track (tmcd) starting at 01:00:00:00.
fixture tc.mov eval '$FF $VID $A1 $X264 -c:a aac -b:a 64k -timecode 01:00:00:00 -f mov "$tmp"'

# 10-bit HEVC HDR10: BT.2020/PQ tagging, mastering display and content light
# level in the bitstream's SEI (x265), 8 frames.
MD="G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,50)"
fixture hdr.mkv eval '$FF -f lavfi -i testsrc2=s=160x120:r=25 -frames:v 8 \
    -c:v libx265 -pix_fmt yuv420p10le -preset ultrafast \
    -color_primaries bt2020 -color_trc smpte2084 -colorspace bt2020nc \
    -x265-params "log-level=error:hdr10=1:repeat-headers=1:master-display=$MD:max-cll=1000,400" \
    -f matroska "$tmp"'

# Interlaced MPEG-2, top field first, 4:3 display on a non-square pixel.
fixture interlaced.mkv eval '$FF -f lavfi -i testsrc2=s=176x144:r=25:d=2 \
    -vf setsar=12/11 -c:v mpeg2video -flags +ildct+ilme -top 1 -b:v 1M -g 12 \
    -color_primaries bt470bg -color_trc gamma28 -colorspace bt470bg -color_range tv \
    -f matroska "$tmp"'

# MP4 with cover art (attached picture) and audio.
fixture cover.mp4 eval '$FF -f lavfi -i color=c=red:s=32x32 -frames:v 1 -f image2 -c:v png "$tmp.png" &&
    $FF $VID $A1 -i "$tmp.png" -map 0:v -map 1:a -map 2:v $X264 -c:a aac -b:a 64k -c:v:1 copy \
    -disposition:v:1 attached_pic -f mp4 "$tmp"; rm -f "$tmp.png"'

# A splice: two MPEG-TS pieces joined by cat, the second piece's audio
# starting 27 ms before the first piece's audio ends (its AAC priming: a
# small DTS step back in the audio; the video, without B-frames, continues).
fixture splice.ts eval '$FF $VID $A1 $X264 -bf 0 -c:a aac -b:a 64k -f mpegts "$tmp.a" &&
    $FF -itsoffset 2 $VID -itsoffset 2 $A1 $X264 -bf 0 -c:a aac -b:a 64k -f mpegts "$tmp.b" &&
    cat "$tmp.a" "$tmp.b" >"$tmp"; rm -f "$tmp.a" "$tmp.b"'

# A bitmap subtitle (Blu-ray PGS) in Matroska: no stock ffmpeg encoder makes
# one from nothing, so the .sup is written here, segment by segment: an 8x2
# white box shown at 0.2 s, cleared at 0.9 s. MP4 cannot hold PGS, and a
# bitmap cannot become text: render must say it drops it.
hexbytes() { printf "$(printf '%s' "$1" | sed 's/../\\x&/g')"; }
pgs_seg() {   # PTS(90 kHz) TYPE HEX-PAYLOAD
    hexbytes "$(printf '5047%08x%08x%02x%04x' "$1" 0 "$2" $(( ${#3} / 2 )))$3"
}
pgs_sup() {
    pgs_seg 18000 22 00a000781000018000000100000000000a000a   # PCS: 160x120, one object
    pgs_seg 18000 23 0100000a000a00080002                     # WDS: one 8x2 window
    pgs_seg 18000 20 000001eb8080ff                           # PDS: colour 1 white
    pgs_seg 18000 21 000000c000000e0008000200880100000088010000   # ODS: 8x2 run-length
    pgs_seg 18000 128 ""                                       # END
    pgs_seg 81000 22 00a0007810000200000000                   # PCS: nothing shown
    pgs_seg 81000 23 0100000a000a00080002
    pgs_seg 81000 128 ""
}
fixture pgs.mkv eval 'pgs_sup >"$tmp.sup" && $FF $VID -i "$tmp.sup" -map 0 -map 1 $X264 -c:s copy \
    -metadata:s:s:0 language=eng -f matroska "$tmp"; rm -f "$tmp.sup"'

exit 0
