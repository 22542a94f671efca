#!/usr/bin/env bash
# e2e_ffcli7.sh - more lines where render once differed silently from the
# ffmpeg CLI, each run with the stock ffmpeg CLI and with render (lib.sh
# `line`: -w 1, 2, 3 in turn; `ffline`: -w 1 and 3), compared frame for
# frame (framemd5) and, where named, packet for packet.
#   - a graph that reads the time (fps's grid, select's t) on an input that
#     does not start at 0 (MPEG-TS: 1.44 s) or after an input -ss: the CLI's
#     graph sees the times shifted by its ts_offset, rounded to the stream's
#     time base (-ss 0.3 on a 1/25 MXF: 0.32 s); render's saw the file's.
#     fps=24 repeated other frames (same count, same times), select=gte(t,1.1)
#     kept every frame.
#   - the field order after a graph that sets the fields (yadif, setfield)
#     behind one that gives no frame for a while (reverse: none before its
#     end; select=gte(t,1)): the CLI tags the output from the first frame
#     it encodes (progressive, bt); render's template fed 16 frames, saw
#     none and tagged it unknown.
#   - an output -ss with the audio encoded, on a stream whose time base is
#     coarse (AVI's MP3: 1152/44100 s): render shifted the decoded times by
#     the output -ss too before rounding, where the CLI shifts by the
#     input's offset only; every sample 162 late (the CLI cuts the first
#     frame to 990 samples).
#
#   RENDER=/abs/path/render bash tests/e2e_ffcli7.sh      (ONLY="graphtime ..." for sections)
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
FF="ffmpeg -nostdin -hide_banner -v error -y"
ROW=0
V="-f lavfi -i testsrc2=s=160x120:r=25:d=2"
A="-f lavfi -i sine=d=2"

s_graphtime() {
    $FF $V -c:v mpeg2video -g 12 "$W/t.ts" &&
    $FF $V -c:v mpeg2video -g 12 "$W/x.mxf" ||
        { fail "graphtime inputs" "ffmpeg could not make them"; return; }
    LINE_IN=$W/t.ts
    line "ts (starts at 1.44 s), -vf fps=24"             mkv md5 -c:v ffv1 -vf fps=24
    line "ts, -vf select=gte(t\\,1.1)"                   mkv md5 -c:v ffv1 -vf "select=gte(t\\,1.1)"
    unset LINE_IN
    PRE="-ss 0.3" ffline mxf_in_ss_fps30 "$W/x.mxf" -vf fps=30 -c:v ffv1
    PRE="-ss 0.3" ffline mxf_in_out_ss_t_fps30 "$W/x.mxf" -ss 0.5 -t 1 -vf fps=30 -c:v ffv1
}

s_fields() {
    $FF -f lavfi -i testsrc2=s=320x240:r=50:d=1.5 -vf interlace=scan=tff,setfield=tff -c:v libx264 \
        -preset ultrafast -flags +ildct+ilme -g 12 -pix_fmt yuv420p "$W/inter.mp4" &&
    $FF $V -c:v libx264 -preset ultrafast -g 12 "$W/prog.mp4" ||
        { fail "fields inputs" "ffmpeg could not make them"; return; }
    fo() { ffprobe -v error -select_streams v:0 -show_entries stream=field_order -of csv=p=0 "$1"; }
    # fo_same NAME: the last row's field order is ffmpeg's.
    fo_same() {
        local a b
        a=$(fo "$W/f$ROW.mkv"); b=$(fo "$W/r$ROW.mkv")
        [ "$a" = "$b" ] && ok "$1: field order $a" || fail "$1: field order" "ffmpeg $a, render $b"
    }
    LINE_IN=$W/inter.mp4
    line "interlaced, -vf reverse,yadif"                mkv md5 -c:v ffv1 -vf reverse,yadif
    fo_same "reverse,yadif"
    line "interlaced, -vf select from 1 s,setfield=bff" mkv md5 -c:v ffv1 -vf "select=gte(t\\,1),setfield=bff"
    fo_same "select,setfield=bff"
    LINE_IN=$W/prog.mp4
    line "progressive, -vf select from 1 s,yadif"       mkv md5 -c:v ffv1 -vf "select=gte(t\\,1),yadif"
    fo_same "select,yadif"
    unset LINE_IN
}

s_aviaudio() {
    $FF $V $A -c:v mpeg4 -g 25 -c:a libmp3lame "$W/s.avi" ||
        { fail "aviaudio input" "ffmpeg could not make it"; return; }
    PRE="" FFLINE_AUDIO=1 ffline avi_out_ss_pcm "$W/s.avi" -ss 0.5 -c:v ffv1 -c:a pcm_s16le
    PRE="" FFLINE_AUDIO=1 ffline avi_out_ss_to_pcm "$W/s.avi" -ss 0.5 -to 1.7 -c:v ffv1 -c:a pcm_s16le
}

for sec in graphtime fields aviaudio; do
    want "$sec" && "s_$sec"
done

finish
