#!/usr/bin/env bash
# e2e_ffcli.sh - the ffmpeg form: `render -i IN [options] OUT` gives what
# `ffmpeg -i IN [options] OUT` gives. A table of everyday command lines, each
# run with the stock ffmpeg CLI and with render (-w 1, 2 or 3 in turn, so
# that the joins are crossed), comparing exit status, the streams (type,
# codec, profile, pixel and sample format, size, aspect, frame rate,
# channels, sample rate), the video's frame count and frame times, the
# audio's duration, and per row: decoded frames (framemd5) with lossless
# encoders, file size at equal CRF (15%), bitrate with -b:v (5%). Then every
# refused option, each in one line with exit 2.
#
#   RENDER=/abs/path/render bash tests/e2e_ffcli.sh      (ONLY="lines refused" for sections)
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
printf 'leak:%s\n' libx264.so libx265.so >"$W/lsan.supp"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$W/lsan.supp:print_suppressions=0"
FF="ffmpeg -nostdin -v error -y"

# Inputs, made here in a second: 2 s of 320x240 at 25 fps with stereo AAC;
# the same in Matroska with a 5.1 track after the stereo one and two SRT
# subtitles (ffmpeg's selection takes the 5.1 and the first subtitle).
IN=$W/in.mp4
$FF -f lavfi -i testsrc2=s=320x240:r=25:d=2 -f lavfi -i sine=f=440:r=48000:d=2 \
    -c:v libx264 -preset ultrafast -g 25 -pix_fmt yuv420p -c:a aac -ac 2 "$IN" ||
    { fail "input" "ffmpeg could not make the input"; finish; exit 1; }
printf '1\n00:00:00,500 --> 00:00:01,500\nhello\n\n2\n00:00:01,600 --> 00:00:01,900\nworld\n' >"$W/a.srt"
MKV=$W/in.mkv
$FF -f lavfi -i testsrc2=s=320x240:r=25:d=2 -f lavfi -i sine=f=220:r=44100:d=2 -i "$W/a.srt" -i "$W/a.srt" \
    -map 0:v -map 1:a -map 1:a -map 2 -map 3 -c:v libx264 -preset ultrafast -g 25 -c:a:0 aac -ac:a:0 2 -c:a:1 aac -ac:a:1 6 \
    -metadata:s:a:1 language=fre -metadata title="a title" "$MKV" ||
    { fail "input" "ffmpeg could not make the mkv input"; finish; exit 1; }

ROW=0
if want lines; then
    line "default mp4 (libx264 + aac)"       mp4  size
    line "crf, preset, tune, profile"        mp4  size  -c:v libx264 -crf 20 -preset veryfast -tune film -profile:v main -c:a copy
    line "scale filter, -vf"                 mp4  size  -vf scale=160:-2 -preset ultrafast
    line "-filter:v with -an"                mp4  size  -filter:v hflip -an -preset ultrafast
    line "lossless x264 qp 0"                mkv  md5   -c:v libx264 -qp 0 -preset ultrafast -an
    line "ffv1 in mkv, -vf, copy audio"      mkv  md5   -c:v ffv1 -vf "drawbox=x=10:y=10:w=50:h=50:color=red" -c:a copy
    line "-s and -pix_fmt (ffv1)"            mkv  md5   -c:v ffv1 -s 240x180 -pix_fmt yuv444p -an
    line "-filter_complex with -map [v]"     mkv  md5   -filter_complex "[0:v]split[a][b];[a][b]hstack[v]" -map "[v]" -map 0:a -c:v ffv1 -c:a copy
    line "-map [v] alone: the graph's video, no audio" mkv md5 -filter_complex "[0:v]hflip[v]" -map "[v]" -c:v ffv1
    line "-map 0:a before -map [v]: the audio first" mkv md5 -filter_complex "[0:v]hflip[v]" -map 0:a -map "[v]" -c:v ffv1 -c:a copy
    line "-map 0:a -map 0:v: the audio first" mkv md5 -map 0:a -map 0:v -c:v ffv1 -c:a copy
    line "-filter_complex unlabelled"        mkv  md5   -filter_complex "vflip" -c:v ffv1 -an
    line "-aspect"                           mkv  md5   -c:v ffv1 -aspect 16:9 -an
    line "private options: x264-params"      mp4  size  -preset ultrafast -x264-params keyint=50:min-keyint=50:scenecut=0 -c:a copy
    line "-g -bf -keyint_min -sc_threshold"  mp4  size  -preset ultrafast -g 30 -bf 0 -keyint_min 30 -sc_threshold 0 -an
    line "-level, -pix_fmt yuv422p"          mp4  size  -preset ultrafast -level 4.1 -pix_fmt yuv422p -an
    line "audio: -b:a -ar -ac"               mp4  ""    -c:v libx264 -preset ultrafast -c:a aac -b:a 96k -ar 44100 -ac 1
    line "audio: -af volume, -q:a"           mp4  ""    -preset ultrafast -af volume=0.5 -c:a libmp3lame -q:a 4
    line "-f matroska, -t"                   bin  ""    -preset ultrafast -f matroska -t 1.5
    line "-movflags +faststart"              mp4  ""    -preset ultrafast -movflags +faststart
    # Rotated inputs: the CLI turns the pixels (autorotate) and writes no rotation.
    for a in 90 180 270 45; do
        $FF -i "$IN" -c copy -metadata:s:v:0 rotate=$a "$W/rot$a.mp4"
        LINE_IN=$W/rot$a.mp4 line "rotation $a: pixels turned"   mkv  md5  -c:v ffv1 -an
    done
    $FF -noautorotate -i "$W/rot90.mp4" -c:v ffv1 -an "$W/nar_f.mkv"
    if "$RENDER" -q -w 2 --chunks 4 -noautorotate -i "$W/rot90.mp4" -c:v ffv1 -an "$W/nar_r.mkv" </dev/null 2>"$W/nar.err"; then
        why=$(same_lines <(v_md5 "$W/nar_f.mkv") <(v_md5 "$W/nar_r.mkv")) && ok "-noautorotate: pixels kept as the CLI keeps them" ||
            fail "-noautorotate: pixels kept as the CLI keeps them" "$why"
    else
        fail "-noautorotate" "$(head -c 200 "$W/nar.err")"
    fi
    line "webm: vp9 + opus"                  webm ""    -deadline realtime -cpu-used 8 -crf 40 -b:v 0
    line "avi: mpeg4 + mp3, -q:v"            avi  ""    -q:v 4
    line "mov with -c:a copy"                mov  size  -preset ultrafast -c:a copy
    line "-metadata, stream tags, dispositions" mkv tags -c:v ffv1 -metadata title=hello -metadata:s:a:0 language=ger -disposition:a:0 default+original -map 0:v -map 0:a -c:a copy
    LINE_IN=$MKV line "mkv input: ffmpeg's stream selection" mkv "" -c:v libx264 -preset ultrafast
    LINE_IN=$MKV line "mkv input: -map 0 -c copy audio"      mkv tags -c:v ffv1 -map 0 -c:a copy -c:s copy
    LINE_IN=$MKV line "mkv input: -map 0:s -map 0:V -map 0:a:1" mkv tags -c:v ffv1 -map 0:s -map 0:V -map 0:a:1 -c:a copy -c:s copy
    # Audio stored before the video: -map 0 keeps the input's order.
    $FF -i "$MKV" -map 0:a -map 0:v -map 0:s -c copy "$W/afirst.mkv"
    LINE_IN=$W/afirst.mkv line "audio stored first: -map 0 keeps its order" mkv tags -c:v ffv1 -map 0 -c:a copy -c:s copy
    LINE_IN=$W/afirst.mkv line "audio stored first: no -map, the video first" mkv "" -c:v ffv1
    # An audio stream mapped twice: written twice, as ffmpeg (e2e_ffcli14.sh, dupmap);
    # the video mapped twice is refused.
    LINE_IN=$MKV line "mkv input: -map 0 -map 0:a (the audio twice)" mkv tags -c:v ffv1 -map 0 -map 0:a -c:a copy -c:s copy
    rc=0; "$RENDER" -q -y -i "$IN" -map 0 -map 0:v -c:v ffv1 "$W/twice.mkv" </dev/null 2>"$W/twice.err" || rc=$?
    [ $rc -eq 1 ] && [ "$(wc -l <"$W/twice.err")" -eq 1 ] && grep -q "mapped twice" "$W/twice.err" &&
        [ ! -e "$W/twice.mkv" ]
    verdict $? "-map 0 -map 0:v: refused in one line, no output" "exit $rc: $(cat "$W/twice.err")"
    LINE_IN=$MKV line "mkv input: -map_metadata -1 -sn"      mkv tags -c:v ffv1 -map_metadata -1 -sn
    LINE_IN=$MKV line "mkv input to webm: subtitles to webvtt" webm "" -deadline realtime -cpu-used 8 -crf 40 -b:v 0
    # Its video starts a tick after its audio: the CLI's constant-rate sync
    # for MP4 duplicates the first frame (tests/e2e_ffcli2.sh has the rest).
    LINE_IN=$MKV line "mkv input to mp4: the first frame duplicated" mp4 "" -c:v libx264 -preset ultrafast -sn
fi

# refused LINE...: render exits 2 with one line on stderr naming the option.
refused() {
    local opt=$1 rc
    "$RENDER" -q "${@:2}" </dev/null >"$W/ref.out" 2>"$W/ref.err"; rc=$?
    if [ "$rc" -eq 2 ] && [ "$(wc -l <"$W/ref.err")" -eq 1 ] && grep -q -- "$opt" "$W/ref.err" &&
       [ ! -e "$W/ref.mp4" ]; then
        ok "refused in one line: $opt"
    else
        fail "refused in one line: $opt" "exit $rc: $(head -c 200 "$W/ref.err")"
    fi
}

if want refused; then
    O=$W/ref.mp4
    for o in sseof aframes minrate pass passlogfile \
             itsoffset stream_loop; do
        refused "-$o" -i "$IN" "-$o" 1 "$O"
    done
    for o in copyts re noautorotate start_at_zero; do
        refused "-$o" -i "$IN" "-$o" "$O"
    done
    refused "-ss" -ss 1x -i "$IN" "$O"   # before -i it is the input seek: a bad time is refused
    refused "-nosuchoption" -i "$IN" -nosuchoption 1 "$O"
    refused "-crf" -i "$IN" -c:v mpeg4 -crf 20 "$O"
    refused "-preset:a" -i "$IN" -preset:a fast "$O"
    refused "-vf" -vf null -i "$IN" "$O"
    refused "-vf with -c:v copy" -i "$IN" -c:v copy -vf null "$O"   # a copy is a remux (e2e_remux.sh): no filter
    refused "-ar:a:x" -i "$IN" -ar:a:x 8000 "$O"   # -c:a:N, -b:a:N, -ac:a:N, -ar:a:N are taken (e2e_ffcli13.sh, 14)
    refused "-crf" -i "$IN" "$O" -crf 20
    refused "-i" -i "$IN" -i "$IN" "$O"
    refused "two outputs" -i "$IN" "$O" "$W/two.mp4"
    refused "-filter_complex" -i "$IN" -filter_complex "[0:v][0:v]hstack" "$O"
    refused "-map \[x\]" -i "$IN" -filter_complex "[0:v]null[v]" -map "[x]" "$O"
    refused "no OUTPUT" -i "$IN"
    refused "-pix_fmt" -i "$IN" -pix_fmt nosuchfmt "$O"
fi

# The old form keeps its own defaults: hqdn3d, x264, audio copied.
if want oldform; then
    rr "$W/old" "$IN" -q -o "$W/old.mp4"
    check "old form still renders" "$(rr_why "$W/old" $?)" test -s "$W/old.mp4"
    [ "$(probe "$W/old.mp4" stream=codec_name -select_streams a)" = aac ] &&
    [ "$(ffprobe -v error -show_entries format_tags=encoder -of csv=p=0 "$W/old.mp4")" != "" ] &&
        ok "old form: audio copied" || fail "old form: audio copied" "no aac stream"
fi

finish
