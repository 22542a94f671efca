#!/usr/bin/env bash
# e2e_twopass.sh - the ffmpeg form's -pass 1 / -pass 2 / -passlogfile
# (engine/passlog.h) against the stock ffmpeg CLI's two passes:
#   the classic two commands: the file's bitrate within 5% of -b:v and of
#   ffmpeg's own two passes; the log is ONE file, kept after pass 2
#   pass 2 with another -b:v, another input, a damaged log, no log:
#   exit 1, one line naming the log
#   -passlogfile with a path, an old log replaced
#   pass 1 to a real OUTPUT: a file that decodes without an error, with the
#   CLI's frames and times and its pass-1 file's bitrate (within 15%), the
#   log beside it (pass 2 reads it), no temporary file left
#   usage: -pass 3, another encoder, -f null without -pass, no -b:v: exit 2
. "$(dirname "$0")/lib.sh"
need_render

FF="ffmpeg -nostdin -hide_banner -v error -y"
IN=$T_TMP/in.mp4
$FF -f lavfi -i "mandelbrot=s=320x240:r=25,trim=duration=12" \
    -c:v libx264 -preset veryfast -g 50 -pix_fmt yuv420p "$IN" ||
    { fail "input" "ffmpeg could not make the clip"; finish; exit 1; }
$FF -f lavfi -i "testsrc2=s=320x240:r=25,trim=duration=12" \
    -c:v libx264 -preset veryfast -g 50 -pix_fmt yuv420p "$T_TMP/other.mp4"

vrate() { ffprobe -v error -select_streams v:0 -show_entries stream=bit_rate -of csv=p=0 "$1"; }
within() { awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 0 && b > 0 && d <= b * p / 100) }'; }
frames() { ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }
# refused P RC WORD: exit RC, one line on stderr that holds WORD
refused() { [ "$2" = "$3" ] && [ "$(wc -l <"$1.err")" -eq 1 ] && grep -q -- "$4" "$1.err"; }

W=$T_TMP/w
mkdir -p "$W/sub" && cd "$W" || exit 1
OPT="-preset veryfast -an"

# --- the classic two commands -----------------------------------------------
rr "$T_TMP/p1" -y -i "$IN" -c:v libx264 $OPT -b:v 400k -pass 1 -f null /dev/null; rc=$?
check "pass 1 -f null: exit 0" "$(rr_why "$T_TMP/p1" $rc)" [ $rc -eq 0 ]
check "pass 1 leaves one file, the log" "$(has "$W")" [ "$(ls -A "$W" | tr '\n' ' ')" = "ffmpeg2pass-0.log sub " ]
rr "$T_TMP/p2" -i "$IN" -c:v libx264 $OPT -b:v 400k -pass 2 out.mp4; rc=$?
check "pass 2: exit 0" "$(rr_why "$T_TMP/p2" $rc)" [ $rc -eq 0 ]
r=$(vrate out.mp4)
check "pass 2: bitrate within 5% of -b:v 400k" "$r" within "$r" 400000 5
( cd "$T_TMP" && $FF -i "$IN" -c:v libx264 -preset veryfast -b:v 400k -pass 1 -passlogfile cli -an -f null /dev/null &&
  $FF -i "$IN" -c:v libx264 -preset veryfast -b:v 400k -pass 2 -passlogfile cli -an cli.mp4 )
c=$(vrate "$T_TMP/cli.mp4")
check "pass 2: within 5% of ffmpeg's two passes" "render $r, ffmpeg $c" within "$r" "$c" 5
check "pass 2: decodes without an error" "" [ -z "$(ffmpeg -nostdin -v error -i out.mp4 -f null - 2>&1 | head -c 200)" ]
check "pass 2: every frame" "$(frames out.mp4)" [ "$(frames out.mp4)" = 300 ]
check "the log is the user's: kept after pass 2" "$(has "$W")" [ -f ffmpeg2pass-0.log ]
check "no temporary file left" "$(has "$W")" [ "$(ls -A "$W" | tr '\n' ' ')" = "ffmpeg2pass-0.log out.mp4 sub " ]

# --- a log that does not fit: one line naming it, exit 1 ---------------------
rr "$T_TMP/b" -y -i "$IN" -c:v libx264 $OPT -b:v 800k -pass 2 x.mp4; rc=$?
check "pass 2 with another -b:v: refused naming the log" "$(rr_why "$T_TMP/b" $rc)" refused "$T_TMP/b" $rc 1 "ffmpeg2pass-0.log.*rc.bitrate"
rr "$T_TMP/i" -y -i "$T_TMP/other.mp4" -c:v libx264 $OPT -b:v 400k -pass 2 x.mp4; rc=$?
check "pass 2 with another input: refused naming the log" "$(rr_why "$T_TMP/i" $rc)" refused "$T_TMP/i" $rc 1 "ffmpeg2pass-0.log.*another input"
rr "$T_TMP/n" -y -i "$IN" -c:v libx264 $OPT -b:v 400k -pass 2 -passlogfile none x.mp4; rc=$?
check "pass 2 without pass 1: refused naming the log" "$(rr_why "$T_TMP/n" $rc)" refused "$T_TMP/n" $rc 1 "none-0.log"
cp ffmpeg2pass-0.log dmg-0.log
printf 'X' | dd of=dmg-0.log bs=1 seek=3000 conv=notrunc 2>/dev/null
rr "$T_TMP/d" -y -i "$IN" -c:v libx264 $OPT -b:v 400k -pass 2 -passlogfile dmg x.mp4; rc=$?
check "pass 2 with a damaged log: refused naming it" "$(rr_why "$T_TMP/d" $rc)" refused "$T_TMP/d" $rc 1 "dmg-0.log.*damaged"
head -c 5000 ffmpeg2pass-0.log >cut-0.log
rr "$T_TMP/c" -y -i "$IN" -c:v libx264 $OPT -b:v 400k -pass 2 -passlogfile cut x.mp4; rc=$?
check "pass 2 with a cut log: refused naming it" "$(rr_why "$T_TMP/c" $rc)" refused "$T_TMP/c" $rc 1 "cut-0.log.*damaged"
check "no OUTPUT after a refusal" "$(has "$W")" [ ! -e x.mp4 ]

# --- -passlogfile with a path; pass 1 to a real OUTPUT; a log replaced --------
echo "not a log" >sub/p-0.log
rr "$T_TMP/r1" -y -i "$IN" -c:v libx264 $OPT -b:v 400k -pass 1 -passlogfile sub/p -f null -; rc=$?
check "-passlogfile sub/p: exit 0" "$(rr_why "$T_TMP/r1" $rc)" [ $rc -eq 0 ]
check "-passlogfile sub/p: the old log replaced at sub/p-0.log" "$(head -c 20 sub/p-0.log)" grep -q "^render-passlog" sub/p-0.log
rr "$T_TMP/r2" -i "$IN" -c:v libx264 $OPT -b:v 400k -pass 2 -passlogfile sub/p second.mp4; rc=$?
r=$(vrate second.mp4)
check "pass 2 from -passlogfile sub/p: within 5% of -b:v" "$(rr_why "$T_TMP/r2" $rc); $r" within "$r" 400000 5
check "no temporary file left in sub/" "$(has "$W/sub")" [ "$(ls -A sub | tr '\n' ' ')" = "p-0.log " ]

# --- pass 1 to a real OUTPUT: x264's first pass, as ffmpeg's pass-1 file -------
rm -f first.mp4 second.mp4
rr "$T_TMP/r3" -y -i "$IN" -c:v libx264 $OPT -b:v 400k -pass 1 -passlogfile sub/q first.mp4; rc=$?
check "pass 1 to a real OUTPUT: exit 0" "$(rr_why "$T_TMP/r3" $rc)" [ $rc -eq 0 ]
e=$(ffmpeg -nostdin -v error -i first.mp4 -f null - 2>&1 | head -c 300)
check "pass 1 to a real OUTPUT: decodes without an error" "$e" [ -z "$e" ]
( cd "$T_TMP" && $FF -i "$IN" -c:v libx264 -preset veryfast -b:v 400k -pass 1 -passlogfile cli1 -an cli1.mp4 )
v_frames "$T_TMP/cli1.mp4" "$T_TMP/c1"
v_frames first.mp4 "$T_TMP/r1"
check "pass 1 to a real OUTPUT: the CLI's frames and times" "$(same_lines "$T_TMP/c1.t" "$T_TMP/r1.t")" \
    same_lines "$T_TMP/c1.t" "$T_TMP/r1.t"
r=$(vrate first.mp4); c=$(vrate "$T_TMP/cli1.mp4")
check "pass 1 to a real OUTPUT: within 15% of ffmpeg's pass-1 file" "render $r, ffmpeg $c" within "$r" "$c" 15
check "pass 1 to a real OUTPUT: the log beside it" "$(has "$W/sub")" grep -q "^render-passlog" sub/q-0.log
[ "$(ls -A "$W" | tr '\n' ' ')" = "cut-0.log dmg-0.log ffmpeg2pass-0.log first.mp4 out.mp4 sub " ] &&
    [ "$(ls -A "$W/sub" | tr '\n' ' ')" = "p-0.log q-0.log " ]
verdict $? "pass 1 to a real OUTPUT: no temporary file left" "$(has "$W") / $(has "$W/sub")"
# The stream is declared as the chunks encode it: x264's fast first pass
# (one reference, no 8x8 transform: Main, not High), as ffmpeg's pass-1 file.
hdr() { ffprobe -v error -select_streams v:0 -show_entries stream=profile,refs -of csv=p=0 "$1"; }
check "pass 1 to a real OUTPUT: x264's first-pass headers, as ffmpeg's" "render $(hdr first.mp4), ffmpeg $(hdr "$T_TMP/cli1.mp4")" \
    [ "$(hdr first.mp4)" = "$(hdr "$T_TMP/cli1.mp4")" ]
rr "$T_TMP/r4" -i "$IN" -c:v libx264 $OPT -b:v 400k -pass 2 -passlogfile sub/q second.mp4; rc=$?
r=$(vrate second.mp4)
check "pass 2 after pass 1 to a real OUTPUT: within 5% of -b:v" "$(rr_why "$T_TMP/r4" $rc); $r" within "$r" 400000 5

# render-mpi: x264's stats stay on rank 0, so -pass on two ranks is one line
# before any log is written (on one rank it is render's run).
RENDER_MPI=${RENDER_MPI:-$(dirname "$RENDER")/render-mpi}
if [ -x "$RENDER_MPI" ] && command -v mpirun >/dev/null; then
    OMP_NUM_THREADS=1 mpirun --allow-run-as-root --oversubscribe --bind-to none -np 2 "$RENDER_MPI" \
        -y -i "$IN" -c:v libx264 $OPT -b:v 400k -pass 1 -passlogfile sub/m m.mp4 </dev/null \
        >"$T_TMP/m.out" 2>"$T_TMP/m.err"; rc=$?
    [ $rc -ne 0 ] && [ "$(grep -c "^render-mpi: .*-pass runs in one process" "$T_TMP/m.err")" = 1 ]
    verdict $? "render-mpi -pass 1 on two ranks: refused in one line" "$(head -c 300 "$T_TMP/m.err")"
    [ ! -e m.mp4 ] && [ ! -e sub/m-0.log ]
    verdict $? "render-mpi -pass 1 on two ranks: no log, no OUTPUT" "$(has "$W") / $(has "$W/sub")"
else echo "skip - render-mpi: $RENDER_MPI not built or no mpirun"; fi

# --- usage --------------------------------------------------------------------
rr "$T_TMP/u3" -i "$IN" -c:v libx264 -b:v 400k -pass 3 y.mp4; rc=$?
check "-pass 3: refused in one line" "$(rr_why "$T_TMP/u3" $rc)" refused "$T_TMP/u3" $rc 2 "pass 3"
rr "$T_TMP/u5" -i "$IN" -c:v libx265 -b:v 400k -pass 1 -f null -; rc=$?
check "-pass with libx265: refused in one line" "$(rr_why "$T_TMP/u5" $rc)" refused "$T_TMP/u5" $rc 2 "libx264 only"
rr "$T_TMP/un" -i "$IN" -c:v libx264 -b:v 400k -pass 2 -f null -; rc=$?
check "-pass 2 -f null: refused in one line" "$(rr_why "$T_TMP/un" $rc)" refused "$T_TMP/un" $rc 2 "f null"
rr "$T_TMP/ub" -i "$IN" -c:v libx264 -pass 1 -f null -; rc=$?
check "-pass without -b:v: refused in one line" "$(rr_why "$T_TMP/ub" $rc)" refused "$T_TMP/ub" $rc 2 "needs -b:v"
[ ! -e y.mp4 ] && [ ! -e ./- ]
verdict $? "no file made by the refused lines" "$(has "$W")"

finish
