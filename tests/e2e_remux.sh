#!/usr/bin/env bash
# e2e_remux.sh - `-c copy` and `-c:v copy`: a remux, one pass of packets
# (src/engine/remux.c), against the stock ffmpeg CLI's own `-c copy`: every
# packet's stream, pts, dts, duration and flags equal (ffprobe
# -show_packets), the streams, tags and dispositions equal, and the lines
# ffmpeg refuses (or render cannot honour) refused in one line.
#
#   RENDER=/abs/path/render bash tests/e2e_remux.sh
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
FF="ffmpeg -nostdin -v error -y"

# Inputs: H.264 with B-frames (3), two AAC tracks (the second French and
# default, a title tag), as MP4; the same with an SRT track as Matroska;
# and as MPEG-TS, which starts near 1.4 s.
$FF -f lavfi -i testsrc2=s=320x240:r=25:d=6 -f lavfi -i sine=f=440:d=6 -f lavfi -i sine=f=660:d=6 \
    -map 0 -map 1 -map 2 -c:v libx264 -preset veryfast -bf 3 -g 50 -c:a aac -metadata title=T \
    -metadata:s:a:1 language=fra -disposition:a:1 default "$W/in.mp4" || { fail fixtures mp4; finish; exit 1; }
printf '1\n00:00:01,000 --> 00:00:02,500\nHello\n\n2\n00:00:03,000 --> 00:00:04,000\nWorld\n' >"$W/s.srt"
$FF -i "$W/in.mp4" -i "$W/s.srt" -map 0 -map 1 -c copy -c:s srt "$W/in.mkv" &&
    $FF -i "$W/in.mp4" -c copy -f mpegts "$W/in.ts" || { fail fixtures "mkv/ts"; finish; exit 1; }
# A rotated input (display matrix side data; 5.1's MP4 muxer makes it from the tag).
$FF -i "$W/in.mp4" -map 0:v -c copy -metadata:s:v rotate=90 "$W/rot.mp4"

packets() { ffprobe -v error -show_entries packet=stream_index,pts,dts,duration,flags -of csv "$1" 2>/dev/null; }
streams() { ffprobe -v error -show_entries stream=index,codec_type,codec_name,codec_tag_string,time_base,width,height,sample_rate,channels:stream_tags=language,rotate:stream_disposition=default:stream_side_data=rotation:format_tags=title -of compact "$1" 2>/dev/null; }

n=0
# same NAME ARGS...: render and ffmpeg on the same line (OUTPUT appended) agree packet for packet.
same() {
    local name=$1 ext=$2; shift 2
    n=$((n + 1))
    local r=$W/r$n.$ext f=$W/f$n.$ext
    if ! "$RENDER" -q "$@" "$r" 2>"$W/err$n"; then fail "$name" "render failed: $(head -1 "$W/err$n")"; return; fi
    $FF "$@" "$f" || { fail "$name" "ffmpeg failed"; return; }
    if [ "$(packets "$r")" != "$(packets "$f")" ]; then
        fail "$name" "packets differ: $(diff <(packets "$f") <(packets "$r") | head -3 | tr '\n' ' ')"
    elif [ "$(streams "$r")" != "$(streams "$f")" ]; then
        fail "$name" "streams differ: $(diff <(streams "$f") <(streams "$r") | head -3 | tr '\n' ' ')"
    else
        ok "$name"
    fi
}

same "mp4 -> mkv, -c copy" mkv -i "$W/in.mp4" -c copy
same "mkv -> mp4, -c copy (ms time base, B-frames without dts)" mp4 -i "$W/in.mkv" -c copy
same "mp4 -> mp4 with B-frames, -c copy" mp4 -i "$W/in.mp4" -c copy
same "mkv -> mkv, -map 0 (audio + subtitles)" mkv -i "$W/in.mkv" -map 0 -c copy
same "-map 0:v -map 0:a:0 -movflags +faststart" mp4 -i "$W/in.mp4" -map 0:v -map 0:a:0 -c copy -movflags +faststart
$FF -i "$W/in.mkv" -map 0:a -map 0:s -map 0:v -c copy "$W/vlast.mkv"
same "video stored last: -map 0 keeps the input's order" mkv -i "$W/vlast.mkv" -map 0 -c copy
same "video stored last: no -map, the video first" mp4 -i "$W/vlast.mkv" -c copy
same "-map 0:a:1 -map 0:v -map 0:a:0: the maps' order" mp4 -i "$W/in.mp4" -map 0:a:1 -map 0:v -map 0:a:0 -c copy
same "TS (start 1.4 s) -> mp4" mp4 -i "$W/in.ts" -c copy
same "TS -> mkv" mkv -i "$W/in.ts" -c copy
same "mp4 -> TS" ts -i "$W/in.mp4" -c copy
same "-ss 2 before -i (keyframe before, all streams from the seek)" mkv -ss 2 -i "$W/in.mp4" -c copy
same "-ss 2.5 -i mp4 -> mp4" mp4 -ss 2.5 -i "$W/in.mp4" -c copy
same "-ss 2.3 -i mkv -t 2" mp4 -ss 2.3 -i "$W/in.mkv" -t 2 -c copy
same "-ss 1.5 -i TS" mkv -ss 1.5 -i "$W/in.ts" -c copy
same "-to 3 (output)" mkv -i "$W/in.mp4" -to 3 -c copy
same "-t 2.5, -c:v copy -c:a copy" mp4 -i "$W/in.mkv" -t 2.5 -c:v copy -c:a copy
same "-metadata, -disposition with copy" mkv -i "$W/in.mp4" -map 0 -c copy -metadata title=New -disposition:a:0 default
same "rotation side data kept" mp4 -i "$W/rot.mp4" -c copy
same "-f matroska to a .bin name" bin -i "$W/in.mp4" -c copy -f matroska

# -c:v copy with audio encoded once: the video packets equal the CLI's.
n=$((n + 1))
"$RENDER" -q -i "$W/in.mp4" -c:v copy -c:a aac "$W/r$n.mp4" && $FF -i "$W/in.mp4" -c:v copy -c:a aac "$W/f$n.mp4"
check "-c:v copy -c:a aac: video packets equal" "video differs" \
    [ "$(packets "$W/r$n.mp4" | grep '^packet,0')" = "$(packets "$W/f$n.mp4" | grep '^packet,0')" ]
check "-c:v copy -c:a aac: audio encoded" "no aac stream" \
    [ "$(ffprobe -v error -select_streams a -show_entries stream=codec_name -of csv=p=0 "$W/r$n.mp4")" = aac ]

# --report: a remux, no chunks; --dry-run says so.
"$RENDER" -q -i "$W/in.mp4" -c copy --report "$W/rep.json" "$W/rep.mkv"
check "--report: remux, no chunks, 150 video packets" "$(head -c 300 "$W/rep.json" 2>/dev/null)" \
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(not (r.get("remux") is True and r["chunks_detail"]==[] and r["frames_out"]==150 and r["output_bytes"]>0))' "$W/rep.json"
"$RENDER" -i "$W/in.mp4" -c copy --dry-run "$W/dry.mkv" >"$W/dry.out" 2>&1
check "--dry-run says remux, writes nothing" "$(cat "$W/dry.out")" \
    sh -c "grep -q 'remux' '$W/dry.out' && [ ! -e '$W/dry.mkv' ]"

# Refusals: one line, exit 2 (usage) or 1 (the file), no OUTPUT, nothing left behind.
refused() {
    local name=$1 want=$2; shift 2
    "$RENDER" -q "$@" "$W/no.mkv" >/dev/null 2>"$W/ref.err"
    local rc=$?
    if [ "$rc" = "$want" ] && [ "$(wc -l <"$W/ref.err")" = 1 ] && [ ! -e "$W/no.mkv" ] &&
       [ -z "$(ls "$W" | grep -F 'no.mkv.')" ]; then ok "refused: $name"
    else fail "refused: $name" "rc=$rc: $(cat "$W/ref.err")"; fi
}
refused "-vf with -c:v copy" 2 -i "$W/in.mp4" -c:v copy -vf scale=160:120
refused "-filter_complex with -c copy" 2 -i "$W/in.mp4" -filter_complex "[0:v]null[v]" -map "[v]" -c copy
refused "-crf with -c:v copy" 2 -i "$W/in.mp4" -c:v copy -crf 20
refused "-b:v with -c:v copy" 2 -i "$W/in.mp4" -c:v copy -b:v 1M
refused "-s with -c:v copy" 2 -i "$W/in.mp4" -c:v copy -s 160x120
refused "-frames:v with -c:v copy" 2 -i "$W/in.mp4" -c:v copy -frames:v 10
refused "-c:v copy in the render form" 2 "$W/in.mp4" -c:v copy -o
refused "h264 into WebM" 1 -i "$W/in.mp4" -c copy -f webm
: >"$W/exists.mkv"
"$RENDER" -q -i "$W/in.mp4" -c copy "$W/exists.mkv" 2>/dev/null
check "existing OUTPUT kept without -y" "replaced" [ ! -s "$W/exists.mkv" ]
"$RENDER" -q -i "$W/in.mp4" -c copy "$W/in.mp4" 2>/dev/null
check "OUTPUT = INPUT refused" "input damaged" [ "$(packets "$W/in.mp4" | wc -l)" -gt 300 ]

finish
