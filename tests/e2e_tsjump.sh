#!/usr/bin/env bash
# e2e_tsjump.sh - MPEG-TS files whose clock resets (two files joined, or a
# jump forward or back): the ffmpeg CLI corrects the jump with ONE offset
# for the whole input, found on whichever stream shows it first in read
# order, and gives it to every later packet of every stream it reads
# (streams/tsjump.h). render must give the same packets, frame times and
# decoded frames as `ffmpeg -i IN ... OUT` at any worker count, whatever the
# video and audio do (encoded, copied, left out).
# Usage: RENDER=./render bash tests/e2e_tsjump.sh
. "$(dirname "$0")/lib.sh"
need_render

W=$T_TMP
FF="ffmpeg -nostdin -v error -y"

# A piece: 3 s of 25 fps H.264 (a keyframe each second) and AAC.
# mkpiece NAME [AUDIO_ITSOFFSET [VIDEO_ITSOFFSET [OUTPUT_TS_OFFSET]]]
mkpiece() {
    $FF -itsoffset "${3:-0}" -f lavfi -i testsrc2=s=160x120:r=25:d=3 \
        -itsoffset "${2:-0}" -f lavfi -i sine=f=440:d=3 \
        -c:v libx264 -preset ultrafast -g 25 -c:a aac -b:a 64k \
        -output_ts_offset "${4:-0}" -f mpegts "$W/$1.ts"
}
mkpiece a || { fail "fixtures" "ffmpeg could not make the pieces"; finish; exit 1; }
mkpiece alate 0.3          # audio starts 0.3 s after the video
mkpiece vlate 0 0.3        # video starts 0.3 s after the audio
mkpiece fwd 0 0 30         # the clock 30 s on
cat "$W/a.ts" "$W/a.ts" >"$W/rejoin.ts"         # back 3 s: a reset
cat "$W/a.ts" "$W/alate.ts" >"$W/alate_j.ts"
cat "$W/a.ts" "$W/vlate.ts" >"$W/vlate_j.ts"
cat "$W/a.ts" "$W/fwd.ts" >"$W/forward.ts"      # 27 s forward
cat "$W/fwd.ts" "$W/a.ts" >"$W/backward.ts"     # 33 s back

# Every packet's stream, pts and dts, and every decoded frame of every stream.
pkts() { ffprobe -v error -show_entries packet=stream_index,pts,dts -of csv=p=0 "$1"; }
frames() { ffmpeg -nostdin -v error -i "$1" -map 0 -f framemd5 - | grep -v '^#'; }

# line NAME IN EXT ARGS...: ffmpeg and render (-w 1, 2, 3) agree.
line() {
    local name=$1 in=$W/$2.ts ext=$3 w rc ref=$W/$1.ref.$3 first
    shift 3
    $FF -i "$in" "$@" "$ref" 2>"$W/ref.err" || { fail "$name" "ffmpeg failed: $(head -c 200 "$W/ref.err")"; return; }
    pkts "$ref" >"$W/ref.p"; frames "$ref" >"$W/ref.f"
    for w in 1 2 3; do
        local out=$W/$name.w$w.$ext
        rc=0
        "$RENDER" -q -w $w -i "$in" "$@" -y "$out" </dev/null 2>"$W/r.err" || rc=$?
        [ $rc -eq 0 ] || { fail "$name -w $w" "exit $rc: $(head -c 300 "$W/r.err")"; continue; }
        if ! cmp -s "$W/ref.p" <(pkts "$out"); then
            first=$(diff "$W/ref.p" <(pkts "$out") | sed -n 2,3p | tr '\n' ' ')
            fail "$name -w $w: packet times" "ffmpeg/render: $first"; continue
        fi
        cmp -s "$W/ref.f" <(frames "$out") || { fail "$name -w $w: decoded frames" "differ"; continue; }
        ok "$name -w $w: packet times and frames as ffmpeg"
    done
}

# (forward re-encoded is left out: the 27 s gap makes libavformat's
# r_frame_rate 299/12, which the CLI's encoder counts in and render's not.)
for j in rejoin alate_j vlate_j backward; do
    line "$j-lossless" "$j" mkv -c:v ffv1 -c:a pcm_s16le
done
line forward-copy forward mkv -c copy
line forward-aac forward mkv -c:v copy -c:a aac
line rejoin-aac rejoin mkv -c:v ffv1 -c:a aac
line rejoin-copy rejoin mkv -c copy
line backward-copy-ts backward ts -c copy
line rejoin-an rejoin mkv -c:v ffv1 -an
line vlate_j-an vlate_j mkv -c:v ffv1 -an

# An input -t that ends just before a 19 s hole: the keyframe after it is
# read before the B-frames before it, so its time jumps and the CLI's
# correction only starts with the next packet. ffmpeg's trim ends at the
# first frame at or past the limit, that keyframe, whatever follows (render
# wrote it: a limit through a jump counted frames).
$FF -f lavfi -i testsrc2=s=160x120:r=25:d=2 -vf "setpts='PTS+if(gte(N,25),19/TB,0)'" -fps_mode vfr \
    -c:v libx264 -bf 2 -g 25 "$W/hole.mkv" && $FF -i "$W/hole.mkv" -c copy "$W/hole.ts" ||
    fail "hole.ts" "ffmpeg could not make it"
$FF -t 1.5 -i "$W/hole.ts" -c:v ffv1 "$W/hole.ref.mkv"
for w in 1 2; do
    rc=0; "$RENDER" -q -w $w -t 1.5 -i "$W/hole.ts" -c:v ffv1 -y "$W/hole.$w.mkv" </dev/null 2>"$W/r.err" || rc=$?
    check "input -t 1.5 before a hole -w $w: packet times and frames as ffmpeg" "exit $rc: $(head -c 300 "$W/r.err")" \
        bash -c "[ $rc -eq 0 ] && [ -s '$W/hole.ref.mkv' ] &&
               cmp -s <(ffprobe -v error -show_entries packet=stream_index,pts,dts -of csv=p=0 '$W/hole.ref.mkv') \
                      <(ffprobe -v error -show_entries packet=stream_index,pts,dts -of csv=p=0 '$W/hole.$w.mkv') &&
               cmp -s <(ffmpeg -nostdin -v error -i '$W/hole.ref.mkv' -f framemd5 - | grep -v '^#') \
                      <(ffmpeg -nostdin -v error -i '$W/hole.$w.mkv' -f framemd5 - | grep -v '^#')"
done
rc=0; "$RENDER" "$W/hole.ts" -q -w 2 -t 1.5 -c:v ffv1 -y -o "$W/hole.own.mkv" </dev/null 2>"$W/r.err" || rc=$?
last=$(ffprobe -v error -select_streams v -show_entries packet=pts_time -of csv=p=0 "$W/hole.own.mkv" 2>/dev/null | sort -n | tail -1)
check "render's own -t 1.5 before a hole: no frame after 1.5 s" "exit $rc, last frame at '$last'" \
    awk -v rc=$rc -v t="$last" 'BEGIN { exit !(rc == 0 && t != "" && t < 1.5) }'
finish
