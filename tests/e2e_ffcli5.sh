#!/usr/bin/env bash
# e2e_ffcli5.sh - output-side lines in the ffmpeg form where render once
# differed silently from the ffmpeg CLI, each row run with the stock ffmpeg
# CLI and with render (-w 1, 2, 3 in turn; lib.sh `line`): streams, frame
# count and times, audio duration, and the checks each row names.
#   - GIF: every chunk's encoder opened its first packet with a GIF header;
#     inside the file it shifted the frame delays by 1/100 s at each join.
#   - conversion to rgb8/bgr8/rgb4_byte...: libswscale's error diffusion
#     runs from frame to frame (at odd widths), so chunks differed after
#     every join: run as one chunk, with a warning.
#   - input -ss: the other tracks' demuxer now seeks where the CLI's does.
#     Encoded audio decoded from the file's start gave other samples (AAC's
#     noise substitution carries a random state from packet to packet), and
#     copied audio began at the start where ffmpeg copies from the packet
#     its seek lands on (in MP4, the video keyframe's time: the audio leads).
#   - output -t on a video that starts off the frame grid (MKV from an MP4
#     with B-frames: 21 ms): ffmpeg stops on its encoder's rounded ticks,
#     one frame before the limit in input time.
#   - output -t/-to through a graph that retimes frames, or with -r:
#     render cut the input (setpts=0.5*PTS -t 1: 14 frames, ffmpeg 25).
#   - encoded audio from a coarse time base (Matroska/WebM milliseconds):
#     the CLI rounds times after the output's offset, and starts its sample
#     count afresh after a packet later than the one before it lasts (Opus
#     pre-skip): render's packet times were up to 24 samples off.
#   - -map_metadata -1: ffmpeg copies no tags at all (streams' and
#     chapters' too); render dropped the file's only.
#
#   RENDER=/abs/path/render bash tests/e2e_ffcli5.sh      (ONLY="gif ..." for sections)
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
lsan_suppress libx264.so libx265.so
FF="ffmpeg -nostdin -v error -y"
ROW=0

# chapters_same NAME: the last row's chapters (times and tags) are ffmpeg's.
chapters_same() {
    local why
    why=$(same_lines <(ffprobe -v error -show_chapters -of compact "$W/f$ROW.$1") \
                     <(ffprobe -v error -show_chapters -of compact "$W/r$ROW.$1")) &&
        ok "$2: chapters" || fail "$2: chapters" "$why"
}

# sline NAME EXT PRE OPTIONS...: `ffmpeg PRE -i $CFR OPTIONS OUT` (or $SRC) and render's
# (-w 1..3 by row): packet times (stream, pts, dts, duration), decoded
# video frame times and decoded audio samples identical.
sline() {
    local name=$1 ext=$2 pre=$3 w f r why
    shift 3
    pair "$name" "$ext" "$pre" "${SRC:-$CFR}" "$@" || return
    w=$PAIR_W f=$PAIR_F r=$PAIR_R
    why=$(same_lines <(ffprobe -v error -show_entries packet=stream_index,pts,dts,duration -of csv "$f" | sort) \
                     <(ffprobe -v error -show_entries packet=stream_index,pts,dts,duration -of csv "$r" | sort)) &&
        ok "$name: packet times (-w $w)" || fail "$name: packet times (-w $w)" "$why"
    why=$(same_lines <(v_times "$f") <(v_times "$r")) && ok "$name: frame times" || fail "$name: frame times" "$why"
    why=$(same_lines <(ffmpeg -nostdin -v error -i "$f" -map 0:a -f framemd5 - | grep -v '^#') \
                     <(ffmpeg -nostdin -v error -i "$r" -map 0:a -f framemd5 - | grep -v '^#')) &&
        ok "$name: audio samples" || fail "$name: audio samples" "$why"
}


# 2 s of 320x240 at 25 fps, B-frames, with stereo AAC.
LL="-c:v libx264 -qp 0 -preset ultrafast"
IN=$W/in.mp4
$FF -f lavfi -i testsrc2=s=320x240:r=25:d=2 -f lavfi -i sine=f=440:r=48000:d=2 \
    -c:v libx264 -preset ultrafast -bf 3 -g 25 -pix_fmt yuv420p -c:a aac -ac 2 "$IN" ||
    { fail "input" "ffmpeg could not make the input"; finish; exit 1; }

if want gif; then
    line "gif: the container's defaults"             gif md5
    line "gif: -vf scale=161:-1 (odd size, dithered bgr8)" gif md5 -vf scale=161:-1
    line "rawvideo -pix_fmt bgr8, -vf scale=161:-1"  nut md5 -c:v rawvideo -pix_fmt bgr8 -an -vf scale=161:-1
    line "rawvideo -pix_fmt rgb4_byte, odd size"     nut md5 -c:v rawvideo -pix_fmt rgb4_byte -an -vf scale=161:-1
    line "gif: palettegen + paletteuse"              gif md5 -vf "split[a][b];[a]palettegen[p];[b][p]paletteuse"
fi

if want seek; then
    # 4 s with AAC whose noise substitution shows (sine), keyframes every 1 s.
    CFR=$W/cfr.mp4
    $FF -f lavfi -i testsrc2=s=160x120:r=25:d=4 -f lavfi -i sine=d=4 -c:v libx264 -preset ultrafast -g 25 \
        -c:a aac "$CFR" || { fail "input" "ffmpeg could not make the 4 s input"; finish; exit 1; }
    sline "input -ss 0.5, -af volume, pcm_s16le"    mkv "-ss 0.5" -af volume=0.5 -c:v ffv1 -c:a pcm_s16le
    sline "input -ss 1.3, pcm_s16le"                mkv "-ss 1.3" -c:v ffv1 -c:a pcm_s16le
    sline "input -ss 1.3, aac"                      mp4 "-ss 1.3" $LL -c:a aac
    sline "input -ss 0.7, -c:a copy (audio leads)"  mkv "-ss 0.7" -c:v ffv1 -c:a copy
    sline "input -ss 0.7, -c:a copy to mp4"         mp4 "-ss 0.7" $LL -c:a copy
    sline "input -ss 0.6 -t 1, -c:a copy"           mp4 "-ss 0.6 -t 1" $LL -c:a copy
    sline "input -ss 0.5, output -ss 0.5, -c:a copy" mkv "-ss 0.5" -ss 0.5 -c:v ffv1 -c:a copy
fi

if want limit; then
    LATE=$W/late.mkv
    $FF -i "$IN" -c copy "$LATE" || { fail "input" "ffmpeg could not remux the input"; finish; exit 1; }
    LINE_IN=$LATE line "video 21 ms late: -t 1 to mkv"  mkv md5 -c:v ffv1 -t 1
    LINE_IN=$LATE line "video 21 ms late: -t 1 to mp4"  mp4 md5 $LL -t 1
    LINE_IN=$LATE line "video 21 ms late: -to 1.5"      mkv md5 -c:v ffv1 -to 1.5
    LINE_IN=$LATE line "video 21 ms late: -t 1 -c:a copy" mkv md5 -c:v ffv1 -t 1 -c:a copy
    LINE_IN=$LATE line "video 21 ms late: -vf hflip -t 1" mkv md5 -c:v ffv1 -vf hflip -t 1
    line "-vf setpts=0.5*PTS -t 1"  mkv md5 -vf setpts=0.5*PTS -t 1 -c:v ffv1
    line "-vf fps=50 -to 1"         mkv md5 -vf fps=50 -to 1 -c:v ffv1
    line "-r 10 -t 1"               mp4 md5 -r 10 -t 1 $LL
fi

if want atime; then
    OPUS=$W/opus.webm
    $FF -f lavfi -i testsrc2=s=160x120:r=25:d=2 -f lavfi -i sine=d=2:r=48000 -c:v libvpx -deadline realtime \
        -cpu-used 8 -c:a libopus "$OPUS" &&
    $FF -f lavfi -i testsrc2=s=160x120:r=25:d=2 -f lavfi -i sine=f=800:d=2:r=44100 -c:v libx264 -preset ultrafast \
        -bf 3 -c:a libvorbis "$W/vorbis.mkv" || { fail "input" "ffmpeg could not make the WebM/MKV inputs"; finish; exit 1; }
    SRC=$OPUS sline "opus in webm to mp4, aac"        mp4 "" $LL -c:a aac
    SRC=$OPUS sline "opus in webm to mkv, flac"       mkv "" -c:v ffv1 -c:a flac
    SRC=$OPUS sline "opus in webm, input -ss 0.5"     mkv "-ss 0.5" -c:v ffv1 -c:a libvorbis
    SRC=$W/vorbis.mkv sline "vorbis 44.1k in mkv to mp4" mp4 "" $LL -c:a aac
    SRC=$W/vorbis.mkv sline "vorbis 44.1k in mkv, -ar 48000" mkv "" -c:v ffv1 -c:a flac -ar 48000
fi

if want meta; then
    # Two audio tracks with languages, and two chapters with titles.
    TWO=$W/two.mkv
    printf ';FFMETADATA1\ntitle=Chaps\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=700\ntitle=One\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=700\nEND=2000\ntitle=Two\n' >"$W/chap.txt"
    $FF -i "$IN" -f lavfi -i sine=f=800:r=44100:d=2 -i "$W/chap.txt" -map 0 -map 1 -map_metadata 2 -map_chapters 2 \
        -c:v copy -c:a:0 copy -c:a:1 libvorbis -metadata:s:a:0 language=eng -metadata:s:a:1 language=fre "$TWO" ||
        { fail "input" "ffmpeg could not make the two-track input"; finish; exit 1; }
    LINE_IN=$TWO line "-map_metadata -1: no stream tags"          mkv tags -c:v ffv1 -map 0 -map_metadata -1
    chapters_same mkv "-map_metadata -1"
    LINE_IN=$TWO line "-map_metadata:g -1: stream tags kept"      mkv tags -c:v ffv1 -map 0 -map_metadata:g -1
    chapters_same mkv "-map_metadata:g -1"
    LINE_IN=$TWO line "-map_metadata -1 into mp4: untitled chapters" mp4 tags -map_metadata -1
    chapters_same mp4 "-map_metadata -1 into mp4"
    LINE_IN=$TWO line "-map_metadata -1, then -metadata:s:a:1"    mkv tags -c:v ffv1 -map 0 -map_metadata -1 -metadata:s:a:1 language=ger
    LINE_IN=$TWO line "-map_metadata -1 -c copy: no encoder tag"  mkv tags -c copy -map 0 -map_metadata -1
fi

finish
