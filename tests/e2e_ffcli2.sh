#!/usr/bin/env bash
# e2e_ffcli2.sh - the ffmpeg form's frame sync: `render -i IN ... OUT` writes
# the frames `ffmpeg -i IN ... OUT` writes where the CLI duplicates or drops
# frames (-fps_mode auto: cfr for MP4, vfr for Matroska), with and without a
# graph that retimes frames, at -w 1, 2 and 3 (joins crossed): frame count,
# frame times, and decoded frames (lossless encoders) identical.
#
# Then the options that cut the output (frames: -frames:v/-vframes): the
# same frames, times and decoded pictures, and the audio ending with the video;
# range: -t and -to before and after -i, together (the smaller holds; -t
# wins over -to in one place, as in ffmpeg): frames as above, audio duration.
# seek: -ss before -i (ffmpeg 5.1's accurate seek: frames before the point
# decoded and dropped, output times from 0 there), on a frame and between
# frames, with -t/-to, a graph, -c:a copy, B-frames and a hole; frames,
# times, decoded pictures and audio duration as ffmpeg's; what it refuses.
#
#   RENDER=/abs/path/render bash tests/e2e_ffcli2.sh      (ONLY="sync frames range seek" for sections)
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
printf 'leak:%s\n' libx264.so libx265.so >"$W/lsan.supp"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$W/lsan.supp:print_suppressions=0"
FF="ffmpeg -nostdin -v error -y"
X="-c:v libx264 -preset ultrafast -g 25"

# Inputs, small: a VFR file with a 5 s hole after 2 s (the issue's: ffmpeg
# writes 225 frames of its 100 to MP4), the same with B-frames and audio,
# frames with an irregular step in Matroska, and a plain 25 fps file.
HOLE="setpts='PTS+if(gte(N\,50)\,5/TB\,0)'"
$FF -f lavfi -i "testsrc2=s=160x120:r=25:d=4,$HOLE" $X -fps_mode passthrough "$W/hole.mp4" &&
$FF -f lavfi -i "testsrc2=s=160x120:r=25:d=4,$HOLE" -f lavfi -i sine=d=9 $X -bf 3 -preset fast \
    -c:a aac -fps_mode passthrough "$W/holeb.mp4" &&
$FF -f lavfi -i "testsrc2=s=160x120:r=50:d=4,setpts='(N*2+mod(N\,3)*0.9)/50/TB'" $X \
    -fps_mode passthrough -enc_time_base 1/1000 "$W/jit.mkv" &&
$FF -f lavfi -i testsrc2=s=160x120:r=25:d=4 -f lavfi -i sine=d=4 $X -c:a aac "$W/cfr.mp4" ||
    { fail "inputs" "ffmpeg could not make the inputs"; finish; exit 1; }

ROW=0

LL="-c:v libx264 -qp 0 -preset ultrafast"
if want sync; then
    # The table: the sync run once over the probed times.
    sync "hole to mp4: the gap filled (cfr)"           hole.mp4  mp4 $LL
    sync "hole to mp4 with a graph, audio (cfr)"       holeb.mp4 mp4 $LL -vf hflip -c:a aac
    sync "hole to mkv: frames kept (vfr)"              hole.mp4  mkv -c:v ffv1
    sync "irregular steps to mp4 (cfr)"                jit.mkv   mp4 $LL
    sync "irregular steps to mkv (vfr)"                jit.mkv   mkv -c:v ffv1
    sync "irregular steps to mov (vscfr, one stream)"  jit.mkv   mov $LL
    # The chunks' own sync, after a graph that retimes frames.
    sync "setpts=0.5*PTS to mkv: 52 of 100 (vfr)"      cfr.mp4   mkv -vf setpts=0.5*PTS -c:v ffv1 -an
    sync "setpts=0.5*PTS to mp4 (cfr)"                 cfr.mp4   mp4 -vf setpts=0.5*PTS $LL -an
    sync "setpts=1.3*PTS on irregular steps (vfr)"     jit.mkv   mkv -vf setpts=1.3*PTS -c:v ffv1
    sync "fps=30 to mp4"                               cfr.mp4   mp4 -vf fps=30 $LL -an
    sync "yadif=1 over the hole to mp4"                hole.mp4  mp4 -vf yadif=1 $LL
fi

a_end() { a_span "$1" | awk '{ printf "%.6f\n", $2 }'; }
v_end() { ffprobe -v error -select_streams v:0 -show_entries packet=pts_time,duration_time -of csv=p=0 "$1" |
          awk -F, '{ e = $1 + $2; if (e > m) m = e } END { printf "%.6f\n", m }'; }

# cut NAME IN EXT OPTIONS...: a line that cuts the output, as sync() and
# the audio's end: ffmpeg's own cut of the audio under -frames:v depends on
# its decoder's thread count (10 frames of 25 fps: 0.371 s with -threads 1,
# 0.464 s with 2); render ends it after the input frame ffmpeg read last,
# and never before the video's end: within 0.1 s of ffmpeg's, and not more
# than an audio packet (0.05 s) short of the video.
cut() {
    local name=$1 src=$2 ext=$3 r f ve fe re
    shift 3
    sync "$name" "$src" "$ext" "$@"
    f=$W/f$ROW.$ext r=$W/r$ROW.$ext
    [ -s "$r" ] || return
    fe=$(a_end "$f"); re=$(a_end "$r"); ve=$(v_end "$r")
    [ -z "$fe$re" ] && return
    near "$fe" "$re" 0.1 && ok "$name: audio ends near ffmpeg's ($re s, ffmpeg $fe s)" ||
        fail "$name: audio end" "ffmpeg $fe s, render $re s"
    awk -v v="$ve" -v a="$re" 'BEGIN { exit !(a >= v - 0.05) }' && ok "$name: audio lasts the video ($ve s)" ||
        fail "$name: audio end" "video ends at $ve s, audio at $re s"
}

if want frames; then
    cut "-frames:v 10 to mkv, audio"                   cfr.mp4   mkv -frames:v 10 $LL
    cut "-vframes 37 to mp4, audio"                    cfr.mp4   mp4 -vframes 37 $LL
    cut "-frames:v 150 of 100: all, audio whole"       cfr.mp4   mp4 -frames:v 150 $LL
    cut "-frames:v 120 over the hole (cfr duplicates)" holeb.mp4 mp4 -frames:v 120 $LL -c:a aac
    cut "-frames:v 30 after setpts=0.5*PTS"            cfr.mp4   mkv -frames:v 30 -vf setpts=0.5*PTS -c:v ffv1
    cut "-frames:v 17 with -c:a copy"                  cfr.mp4   mkv -frames:v 17 -c:v ffv1 -c:a copy
    for bad in "-frames 5" "-frames:a 5" "-aframes 5" "-frames:v x" "-frames:v 0" "-vframes -3"; do
        # shellcheck disable=SC2086
        "$RENDER" -q -i "$W/cfr.mp4" $bad "$W/bad.mkv" </dev/null 2>"$W/bad.err"; rc=$?
        [ "$rc" -eq 2 ] && [ "$(wc -l <"$W/bad.err")" -eq 1 ] && [ ! -e "$W/bad.mkv" ] &&
            ok "$bad: refused in one line ($(cat "$W/bad.err"))" || fail "$bad refused" "exit $rc: $(head -c 200 "$W/bad.err")"
    done
fi

# span NAME IN EXT OPTIONS...: render's -t/-to with those before -i given
# as IN="-to 2 -i"... : options before the first -i are the input's.
span() {
    local name=$1 ext=$2 pre=$3 w f r n1 n2 why d1 d2
    shift 3
    pair "$name" "$ext" "$pre" "$W/${SPAN_IN:-cfr.mp4}" "$@" || return
    w=$PAIR_W f=$PAIR_F r=$PAIR_R
    v_times "$f" >"$W/f.t"; v_times "$r" >"$W/r.t"
    n1=$(wc -l <"$W/f.t"); n2=$(wc -l <"$W/r.t")
    why=$(same_times "$W/f.t" 0 "$W/r.t" 0 0.0005) && ok "$name: $n2 frames and times as ffmpeg (-w $w)" ||
        fail "$name: frames and times (-w $w)" "ffmpeg $n1, render $n2: $why"
    why=$(same_lines <(v_md5 "$f") <(v_md5 "$r")) && ok "$name: decoded frames identical" ||
        fail "$name: decoded frames identical" "$why"
    d1=$(a_dur "$f"); d2=$(a_dur "$r")
    near "$d1" "$d2" 0.03 && ok "$name: audio duration ($d2 s)" || fail "$name: audio duration" "ffmpeg $d1 s, render $d2 s"
}

if want range; then
    span "output -to 1.5"                  mkv ""            -to 1.5 -c:v ffv1
    span "input -to 2.2"                   mp4 "-to 2.2"     $LL
    span "input -t 3, output -t 1.2"       mkv "-t 3"        -t 1.2 -c:v ffv1
    span "input -t 1, output -t 3"         mp4 "-t 1"        -t 3 $LL
    span "output -to 3 -t 0.8: -t wins"    mkv ""            -to 3 -t 0.8 -c:v ffv1
    span "input -to 00:00:01.6, -to 3 out" mkv "-to 00:00:01.6" -to 3 -c:v ffv1 -c:a copy
    for bad in "-to 0" "-to x" "-to -1"; do
        # shellcheck disable=SC2086
        "$RENDER" -q -i "$W/cfr.mp4" $bad "$W/bad.mkv" </dev/null 2>"$W/bad.err"; rc=$?
        [ "$rc" -eq 2 ] && [ "$(wc -l <"$W/bad.err")" -eq 1 ] && [ ! -e "$W/bad.mkv" ] &&
            ok "$bad: refused in one line ($(cat "$W/bad.err"))" || fail "$bad refused" "exit $rc: $(head -c 200 "$W/bad.err")"
    done
fi

if want seek; then
    span "input -ss 1.3"                   mkv "-ss 1.3"        -c:v ffv1
    span "input -ss 1.02 (between frames)" mp4 "-ss 1.02"       $LL
    span "input -ss 0.5 -t 1.5"            mkv "-ss 0.5 -t 1.5" -c:v ffv1
    span "input -ss 2 -to 3.5, -c:a copy"  mkv "-ss 2 -to 3.5"  -c:v ffv1 -c:a copy
    span "input -ss 00:00:01.5, -vf hflip" mp4 "-ss 00:00:01.5" -vf hflip $LL
    span "input -ss 1, output -t 1.2"      mkv "-ss 1"          -t 1.2 -c:v ffv1
    SPAN_IN=holeb.mp4 span "input -ss 1.5 over the hole, B-frames" mp4 "-ss 1.5" $LL -c:a aac
    SPAN_IN=holeb.mp4 span "input -ss 7.1 past the hole (vfr)"     mkv "-ss 7.1" -c:v ffv1
    for bad in "-ss -1 -i CFR" "-ss x -i CFR" "-ss 2 -to 1 -i CFR"; do
        # shellcheck disable=SC2086
        "$RENDER" -q ${bad/CFR/$W/cfr.mp4} "$W/bad.mkv" </dev/null 2>"$W/bad.err"; rc=$?
        [ "$rc" -eq 2 ] && [ "$(wc -l <"$W/bad.err")" -eq 1 ] && [ ! -e "$W/bad.mkv" ] &&
            ok "$bad: refused in one line ($(cat "$W/bad.err"))" || fail "$bad refused" "exit $rc: $(head -c 200 "$W/bad.err")"
    done
    "$RENDER" -q -ss 9 -i "$W/cfr.mp4" "$W/bad.mkv" </dev/null 2>"$W/bad.err"; rc=$?
    [ "$rc" -eq 1 ] && [ "$(wc -l <"$W/bad.err")" -eq 1 ] && [ ! -e "$W/bad.mkv" ] &&
        ok "-ss past the end: refused in one line ($(cat "$W/bad.err"))" || fail "-ss past the end" "exit $rc: $(head -c 200 "$W/bad.err")"
fi

finish
