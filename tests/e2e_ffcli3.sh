#!/usr/bin/env bash
# e2e_ffcli3.sh - the ffmpeg form's output timing options against the ffmpeg
# CLI, each line at -w 1, 2 and 3 (joins crossed):
#
# rate: -r RATE after -i: the encoder's rate and time base become RATE and
#   frames are duplicated or dropped as ffmpeg 5.1's frame sync does for the
#   container (MP4 cfr, Matroska vfr, AVI); frame count, frame times, stream
#   rate and decoded frames (lossless encoders) identical. -r before -i is
#   refused in one line.
# seek: -ss after -i (the output's start): frames and times, decoded frames
#   and audio duration as ffmpeg's, alone and with an input -ss, -t and -to
#   on both sides, a graph, one that looks back (tmix: it sees the frames
#   before the start), -c:a copy, a hole, -af and -ar (the audio filtered
#   from the start and cut after the graph, sample for sample); a graph that retimes frames or
#   carries state from the first frame (hqdn3d, setpts, fps, select) runs
#   from the input's start and ends in ffmpeg's output trim. -sseof -T
#   before -i (the input's duration less T).
# keys: -force_key_frames with a list of times and expr:gte(t,n_forced*N):
#   keyframes exactly where ffmpeg puts them (packet key flags), the chunk
#   joins on them, and decoded frames identical.
#
#   RENDER=/abs/path/render bash tests/e2e_ffcli3.sh      (ONLY="rate seek keys" for sections)
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
lsan_suppress libx264.so libx265.so
FF="ffmpeg -nostdin -v error -y"
X="-c:v libx264 -preset ultrafast -g 25"

# Inputs, small: 25 fps with audio, and a VFR file with a 5 s hole after 2 s.
HOLE="setpts='PTS+if(gte(N\,50)\,5/TB\,0)'"
$FF -f lavfi -i testsrc2=s=160x120:r=25:d=4 -f lavfi -i sine=d=4 $X -c:a aac "$W/cfr.mp4" &&
$FF -f lavfi -i "testsrc2=s=160x120:r=25:d=4,$HOLE" $X -fps_mode passthrough "$W/hole.mp4" ||
    { fail "inputs" "ffmpeg could not make the inputs"; finish; exit 1; }

keys() { ffprobe -v error -select_streams v:0 -show_entries packet=pts,flags -of csv=p=0 "$1" |
         sort -t, -k1,1n | awk -F, '$2 ~ /K/ { print $1 }'; }
rate() { ffprobe -v error -select_streams v:0 -show_entries stream=avg_frame_rate,time_base -of csv=p=0 "$1"; }

ROW=0
# line NAME EXT PRE OPTIONS...: `ffmpeg PRE -i IN OPTIONS OUT` and render's
# (-w 1..3 by row, IN=$IN or cfr.mp4): frames, times, decoded frames, audio.
line() {
    local name=$1 ext=$2 pre=$3 w n1 n2 why d1 d2
    shift 3
    ROW=$((ROW + 1)); w=$(( (ROW - 1) % 3 + 1 ))
    local f=$W/f$ROW.$ext r=$W/r$ROW.$ext in=$W/${IN:-cfr.mp4}
    # shellcheck disable=SC2086
    $FF $pre -i "$in" "$@" "$f" 2>"$W/f.err" || { fail "$name" "ffmpeg failed: $(head -c 200 "$W/f.err")"; return; }
    # shellcheck disable=SC2086
    if ! "$RENDER" -q -w "$w" --chunks $((w * 2 + 1)) ${REPORT:-} $pre -i "$in" "$@" "$r" </dev/null 2>"$W/r.err"; then
        fail "$name (-w $w)" "render failed: $(head -c 300 "$W/r.err")"; return
    fi
    v_times "$f" >"$W/f.t"; v_times "$r" >"$W/r.t"
    n1=$(wc -l <"$W/f.t"); n2=$(wc -l <"$W/r.t")
    why=$(same_times "$W/f.t" 0 "$W/r.t" 0 0.0005) && ok "$name: $n2 frames and times as ffmpeg (-w $w)" ||
        fail "$name: frames and times (-w $w)" "ffmpeg $n1, render $n2: $why"
    # (LOSSY=1: a lossy encoder, whose pictures may differ by its threads)
    [ -n "${LOSSY:-}" ] || { why=$(same_lines <(v_md5 "$f") <(v_md5 "$r")) && ok "$name: decoded frames identical" ||
        fail "$name: decoded frames identical" "$why"; }
    [ "$(rate "$f")" = "$(rate "$r")" ] && ok "$name: rate and time base $(rate "$r" | tr '\n' ' ')" ||
        fail "$name: rate and time base" "ffmpeg $(rate "$f" | tr '\n' ' '), render $(rate "$r" | tr '\n' ' ')"
    d1=$(a_dur "$f"); d2=$(a_dur "$r")
    [ -z "$d1$d2" ] && return
    near "$d1" "$d2" 0.03 && ok "$name: audio duration ($d2 s)" || fail "$name: audio duration" "ffmpeg $d1 s, render $d2 s"
}

# aline NAME PRE OPTIONS...: line() to MKV, and the decoded audio sample
# for sample as ffmpeg's (pcm_s16le: the first sample and its time too).
aline() {
    local name=$1 pre=$2 why
    shift 2
    line "$name" mkv "$pre" "$@"
    [ -s "$W/r$ROW.mkv" ] || return
    why=$(same_lines <(a_md5 "$W/f$ROW.mkv") <(a_md5 "$W/r$ROW.mkv")) &&
        ok "$name: audio samples and times identical" || fail "$name: audio samples and times" "$why"
}
a_md5() { ffmpeg -nostdin -v error -i "$1" -map 0:a -f framemd5 - | grep -v '^#'; }

# refused ARGS...: exit 2 (or 1 with E=1), one line on stderr, no output.
refused() {
    local rc want=${E:-2}
    # shellcheck disable=SC2068
    "$RENDER" -q $@ "$W/bad.mkv" </dev/null 2>"$W/bad.err"; rc=$?
    [ "$rc" -eq "$want" ] && [ "$(wc -l <"$W/bad.err")" -eq 1 ] && [ ! -e "$W/bad.mkv" ] &&
        ok "${*//$W\//}: refused in one line ($(cat "$W/bad.err"))" ||
        fail "${*//$W\//} refused" "exit $rc: $(head -c 200 "$W/bad.err")"
}

LL="-c:v libx264 -qp 0 -preset ultrafast"
if want rate; then
    line "-r 10 to mp4 (cfr: frames dropped)"          mp4 "" -r 10 $LL
    line "-r 50 to mp4 (cfr: frames duplicated)"       mp4 "" -r 50 $LL
    line "-r 30000/1001 to mkv (vfr)"                  mkv "" -r 30000/1001 -c:v ffv1
    line "-r:v 7.5 -vf hflip to mkv, -c:a copy"        mkv "" -r:v 7.5 -vf hflip -c:v ffv1 -c:a copy
    line "-r 12 to avi"                                avi "" -r 12 -c:v ffv1 -an
    line "-r 30 after setpts=0.5*PTS (chunks' sync)"   mp4 "" -vf setpts=0.5*PTS -r 30 $LL -an
    IN=hole.mp4 line "-r 10 over the hole to mp4"      mp4 "" -r 10 $LL
    IN=hole.mp4 line "-r 10 over the hole to mkv"      mkv "" -r 10 -c:v ffv1
    refused -r 10 -i "$W/cfr.mp4"
    refused -i "$W/cfr.mp4" -r x
    refused -i "$W/cfr.mp4" -r 0
fi

if want seek; then
    line "output -ss 1.3"                              mkv "" -ss 1.3 -c:v ffv1
    line "output -ss 1.02 (between frames)"            mp4 "" -ss 1.02 $LL
    line "output -ss 1 -t 1.5, -c:a copy"              mkv "" -ss 1 -t 1.5 -c:v ffv1 -c:a copy
    line "input -ss 0.5, output -ss 1 -to 2.5"         mkv "-ss 0.5" -ss 1 -to 2.5 -c:v ffv1
    line "input -t 3, output -ss 1, -vf hflip"         mkv "-t 3" -ss 1 -vf hflip -c:v ffv1
    line "input -ss 0.5 -t 2, output -ss 0.03 (input -t from its own first frame)" mkv "-ss 0.5 -t 2" -ss 0.03 -c:v ffv1
    line "input -ss 1.5 -t 1.5, output -ss 0.3 -t 0.5" mp4 "-ss 1.5 -t 1.5" -ss 0.3 -t 0.5 $LL
    line "output -ss 1.5 -r 10"                        mp4 "" -ss 1.5 -r 10 $LL
    IN=hole.mp4 line "output -ss 1.5 over the hole"    mp4 "" -ss 1.5 $LL
    # A graph that looks back sees the frames before the output's start.
    line "output -ss 1.02, -vf tmix=frames=5,hflip"    mkv "" -ss 1.02 -vf tmix=frames=5,hflip -c:v ffv1
    line "input -ss 0.5, output -ss 0.04, tmix"        mp4 "-ss 0.5" -ss 0.04 -vf tmix=frames=5 $LL
    IN=hole.mp4 line "output -ss 1.5, tmix over the hole (cfr copies)" mp4 "" -ss 1.5 -vf tmix=frames=4 $LL
    IN=hole.mp4 line "tmix over the hole (no -ss: the table, untagged frames)" mp4 "" -vf tmix=frames=3 $LL
    # Any other graph runs from the input's start and ends in ffmpeg's output trim.
    REPORT=--exact line "output -ss 1.3, -vf hqdn3d --exact" mkv "" -ss 1.3 -vf hqdn3d -c:v ffv1
    LOSSY=1 line "output -ss 1.3, -vf hqdn3d (pre-roll)" mkv "" -ss 1.3 -vf hqdn3d -c:v ffv1
    line "output -ss 1.3, -vf setpts=0.5*PTS"          mp4 "" -ss 1.3 -vf setpts=0.5*PTS $LL
    line "output -ss 1.02, -vf fps=10"                 mkv "" -ss 1.02 -vf fps=10 -c:v ffv1
    line "output -ss 1.3, select=not(mod(n,3))"        mp4 "" -ss 1.3 -vf "select='not(mod(n\,3))'" $LL
    line "input -ss 0.5, output -ss 1, fps=10, -af aecho" mkv "-ss 0.5" -ss 1 -vf fps=10 -af aecho=0.8:0.9:100:0.5 -c:v ffv1
    refused -i "$W/cfr.mp4" -ss -1
    refused -i "$W/cfr.mp4" -ss 2 -to 1
    refused -t 1 -i "$W/cfr.mp4" -ss 2
    # -af and -ar see the samples before the output's start (ffmpeg trims after them).
    aline "output -ss 1.3, -af aecho (stateful)"       "" -ss 1.3 -af aecho=0.8:0.9:100:0.5 -c:v ffv1 -c:a pcm_s16le
    aline "input -ss 0.5, output -ss 1.02, -af volume" "-ss 0.5" -ss 1.02 -af volume=0.5 -c:v ffv1 -c:a pcm_s16le
    # the AAC decoder starts on the packets ffmpeg's input seek lands on
    aline "input -ss 2.7, audio decoded from ffmpeg's seek" "-ss 2.7" -c:v ffv1 -c:a pcm_s16le
    aline "output -ss 1.3 -t 1.5, -ar 22050 (resampler state)" "" -ss 1.3 -t 1.5 -ar 22050 -c:v ffv1 -c:a pcm_s16le
    E=1 refused -i "$W/cfr.mp4" -ss 1 -af volume=0.5 -c:v copy
    # -sseof -T: the input's duration less T, then an input -ss.
    line "-sseof -1.3"                                 mkv "-sseof -1.3" -c:v ffv1
    line "-sseof -2.5 -t 1, output -ss 0.3, tmix"      mp4 "-sseof -2.5 -t 1" -ss 0.3 -vf tmix=frames=3 $LL
    line "-sseof -9 (before the start: ignored)"       mkv "-sseof -9" -c:v ffv1
    refused -sseof 1 -i "$W/cfr.mp4"
    refused -i "$W/cfr.mp4" -sseof -1
fi

# kf NAME EXT OPTIONS...: line() and the keyframes (packet key flags)
# where ffmpeg has them, with the report's count of join keyframes (0).
kf() {
    local name=$1 ext=$2 f r jk
    shift 2
    rm -f "$W/kf.json"
    REPORT="--report $W/kf.json" line "$name" "$ext" "" "$@"
    f=$W/f$ROW.$ext r=$W/r$ROW.$ext
    [ -s "$r" ] || return
    [ "$(keys "$f" | tr '\n' ' ')" = "$(keys "$r" | tr '\n' ' ')" ] &&
        ok "$name: keyframes at $(keys "$r" | tr '\n' ' ')as ffmpeg's" ||
        fail "$name: keyframes" "ffmpeg $(keys "$f" | tr '\n' ' '), render $(keys "$r" | tr '\n' ' ')"
    jk=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["chunks"], r["ratectl"]["join_keyframes"])' "$W/kf.json")
    [ "${jk#* }" = 0 ] && ok "$name: ${jk% *} chunk(s), no join keyframe the line does not ask for" ||
        fail "$name: join keyframes" "chunks and join keyframes: $jk"
}

if want keys; then
    kf "-force_key_frames expr:gte(t,n_forced*1)"      mp4 -force_key_frames 'expr:gte(t,n_forced*1)' $LL
    kf "-force_key_frames 0.5,1.3,2,3.1"                mp4 -force_key_frames 0.5,1.3,2,3.1 $LL
    kf "-force_key_frames source (the input's -g 25)"   mp4 -force_key_frames source $LL
    kf "expr:gte(t,n_forced*0.7) at -r 10 to mkv"       mkv -r 10 -force_key_frames 'expr:gte(t,n_forced*0.7)' $LL
    kf "-force_key_frames 1,2 after an output -ss 0.3"  mp4 -ss 0.3 -force_key_frames 1,2 $LL
    IN=hole.mp4 kf "expr:gte(t,n_forced*2) over the hole (copies forced)" mp4 -force_key_frames 'expr:gte(t,n_forced*2)' $LL
    LOSSY=1 kf "expr:gte(t,n_forced*1), default libx264 (crf)"  mp4 -force_key_frames 'expr:gte(t,n_forced*1)' -an
    refused -i "$W/cfr.mp4" -force_key_frames 'expr:gte(t,'
    refused -i "$W/cfr.mp4" -force_key_frames 1,x
    refused -i "$W/cfr.mp4" -force_key_frames chapters+x
    refused -force_key_frames 1 -i "$W/cfr.mp4"
    E=1 refused -i "$W/cfr.mp4" -vf setpts=0.5*PTS -force_key_frames 1
fi

finish
