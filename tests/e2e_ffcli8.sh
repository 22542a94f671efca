#!/usr/bin/env bash
# e2e_ffcli8.sh - tracks, chapters and subtitles where render once
# differed from the ffmpeg CLI, each line run with the stock CLI and with
# render (-w 1 and 3) and compared: chapters (start, end, title) and every
# packet of every stream (time, duration) with the decoded subtitles.
#   - chapters: the CLI cuts them at the OUTPUT's recording time only (its
#     -t, or -to less its -ss: copy_chapters); an input -t/-to leaves them
#     whole (render cut them there), a chapter that starts right at the
#     output's end is kept, empty, and one that ends before an input or
#     output -ss (or -sseof) is left out (render wrote it with a negative
#     end, and the muxer refused the header: the run failed).
#   - encoded subtitles (-c:s srt/ass/..., also the input's own codec):
#     the CLI's do_subtitle_out checks the output's -t only, never the
#     input's -t/-to, so every later cue is written; render cut them at
#     the input's -t as it cuts a copy.
#
#   RENDER=/abs/path/render bash tests/e2e_ffcli8.sh      (ONLY="chapters subs" for sections)
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
FF="ffmpeg -nostdin -hide_banner -v error -y"

# A 3 s MKV: video, AAC, an SRT and an ASS track (cues up to 2.6 s), two
# chapters (0-1.2 s "One", 1.2-3 s "Two").
make_input() {
    printf '%s\n' 1 '00:00:00,200 --> 00:00:00,900' 'Hello there' '' 2 '00:00:01,100 --> 00:00:01,800' 'Second' '' \
        3 '00:00:02,000 --> 00:00:02,600' 'Third' '' >"$W/s.srt"
    printf '%s\n' '[Script Info]' 'ScriptType: v4.00+' '' '[V4+ Styles]' \
        'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding' \
        'Style: Default,Arial,16,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1' '' \
        '[Events]' 'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text' \
        'Dialogue: 0,0:00:00.30,0:00:01.00,Default,,0,0,0,,Bonjour' \
        'Dialogue: 0,0:00:01.20,0:00:02.40,Default,,0,0,0,,Au revoir' >"$W/s.ass"
    printf '%s\n' ';FFMETADATA1' 'title=Fixture' '[CHAPTER]' 'TIMEBASE=1/1000' 'START=0' 'END=1200' 'title=One' \
        '[CHAPTER]' 'TIMEBASE=1/1000' 'START=1200' 'END=3000' 'title=Two' >"$W/ch.txt"
    $FF -f lavfi -i testsrc2=s=160x120:r=25:d=3 -f lavfi -i sine=r=48000:d=3 -i "$W/s.srt" -i "$W/s.ass" -i "$W/ch.txt" \
        -map 0:v -map 1:a -map 2 -map 3 -map_metadata 4 -map_chapters 4 -c:v libx264 -preset ultrafast -g 25 \
        -pix_fmt yuv420p -c:a aac -c:s copy "$W/in.mkv"
}

# The summary both outputs must share: chapters, then each stream's
# packets (stream, pts, duration) and decoded subtitle text.
summary() {
    ffprobe -v error -show_chapters -of csv=p=0 "$1" | cut -d, -f1,4,6,8
    ffprobe -v error -show_entries packet=stream_index,pts,duration -of csv=p=0 "$1" | sort -t, -k1,1n -s
    local s
    for s in $(ffprobe -v error -select_streams s -show_entries stream=index -of csv=p=0 "$1"); do
        ffmpeg -nostdin -v error -i "$1" -map 0:"$s" -f srt - 2>/dev/null
    done
}

# cl NAME "INPUT OPTIONS" OUTPUT OPTIONS...: the CLI and render (-w 1, 3).
cl() {
    local name=$1 pre=$2 w rc why
    shift 2
    # shellcheck disable=SC2086
    $FF $pre -i "$W/in.mkv" "$@" "$W/ref.mkv" 2>"$W/ref.err" ||
        { fail "$name" "ffmpeg failed: $(head -c 200 "$W/ref.err")"; return; }
    summary "$W/ref.mkv" >"$W/ref.sum"
    for w in 1 3; do
        rc=0
        # shellcheck disable=SC2086
        "$RENDER" -q -y -w $w --chunks $((w * 2 + 1)) $pre -i "$W/in.mkv" "$@" "$W/r.mkv" </dev/null 2>"$W/r.err" || rc=$?
        [ $rc -eq 0 ] || { fail "$name -w $w" "exit $rc: $(head -c 300 "$W/r.err")"; continue; }
        why=$(same_lines "$W/ref.sum" <(summary "$W/r.mkv")) &&
            ok "$name -w $w: chapters, packets and cues as ffmpeg" || fail "$name -w $w" "$why"
    done
}

s_chapters() {
    cl "input -t 1.2: chapters whole"                  "-t 1.2"   -c:v ffv1 -an -sn
    cl "input -to 1.0: chapters whole"                 "-to 1.0"  -c:v ffv1 -c:a copy -sn
    cl "output -t 1.2: the chapter at 1.2 kept, empty" ""         -c:v ffv1 -an -sn -t 1.2
    cl "input -ss 1.5: the chapter before it left out" "-ss 1.5"  -c:v ffv1 -an -sn
    cl "output -ss 1.5: the chapter before it left out" ""        -c:v ffv1 -c:a copy -sn -ss 1.5
    cl "-sseof -1: the chapter before it left out"     "-sseof -1" -c:v ffv1 -an -sn
    cl "input -ss 0.5 -t 1, output -t 0.4"             "-ss 0.5 -t 1" -c:v ffv1 -an -sn -t 0.4
    cl "-c copy, input -ss 1.5"                        "-ss 1.5"  -c copy
    # NUT holds chapters (render dropped them, with a warning only).
    $FF -i "$W/in.mkv" -map 0:v -c:v ffv1 "$W/ref.nut" &&
        "$RENDER" -q -y -w 2 -i "$W/in.mkv" -map 0:v -c:v ffv1 "$W/r.nut" </dev/null 2>"$W/r.err" &&
        why=$(same_lines <(ffprobe -v error -show_chapters -of csv=p=0 "$W/ref.nut") \
                         <(ffprobe -v error -show_chapters -of csv=p=0 "$W/r.nut")) &&
        ok "nut: chapters as ffmpeg" || fail "nut: chapters as ffmpeg" "${why:-a run failed: $(head -c 200 "$W/r.err")}"
}

s_subs() {
    cl "input -t 1.2, -c:s srt (the input's codec)"    "-t 1.2"   -map 0:v -map 0:s -c:v ffv1 -c:s srt
    cl "input -to 1.2, -c:s ass"                       "-to 1.2"  -map 0:v -map 0:s:1 -c:v ffv1 -c:s ass
    cl "input -ss 0.5 -t 1.2, -c:s ass, audio copied"  "-ss 0.5 -t 1.2" -map 0 -c:v ffv1 -c:a copy -c:s ass
    cl "input -t 1.2, output -t 2, -c:s srt"           "-t 1.2"   -map 0:v -map 0:s -c:v ffv1 -c:s srt -t 2
    cl "input -t 1.2, -c:s copy: cut at the input's -t" "-t 1.2"  -map 0 -c:v ffv1 -c:a copy -c:s copy
    cl "input -t 1.2, -c:v copy -c:s srt"              "-t 1.2"   -map 0 -c:v copy -c:a copy -c:s srt
}

if make_input 2>"$W/mk.err"; then
    for sec in chapters subs; do want $sec && "s_$sec"; done
else
    fail "input" "ffmpeg could not make it: $(head -c 200 "$W/mk.err")"
fi
finish
