#!/usr/bin/env bash
# e2e_ratectl.sh - rate control across chunks and keyframes on a fixed GOP,
# against the stock ffmpeg CLI (x264 veryfast, a small mandelbrot clip):
#   -b:v          the file's bitrate within 5% of the CLI's, -w 1/2/3
#   -maxrate/-bufsize  no VBV underflow in the joined stream where the CLI has none
#   --target-size the whole file within 2% of the target, -w 1/2/3
#   fixed GOP     keyframes (and I frames) exactly the CLI's, -w 1/2/3
#   temporaries   no stats file left, after a run and after Ctrl-C
#   usage         settings that do not go together: exit 2, one line
. "$(dirname "$0")/lib.sh"
need_render

FF="ffmpeg -nostdin -hide_banner -v error -y"
IN=$T_TMP/in.mp4
X="--vf null --preset veryfast"
$FF -f lavfi -i "mandelbrot=s=320x240:r=25,trim=duration=12" -f lavfi -i sine=d=12 \
    -c:v libx264 -preset veryfast -g 50 -pix_fmt yuv420p -c:a aac -b:a 64k "$IN" ||
    { fail "input" "ffmpeg could not make the clip"; finish; exit 1; }

vrate() { ffprobe -v error -select_streams v:0 -show_entries stream=bit_rate -of csv=p=0 "$1"; }
# within A B PCT: |A - B| <= PCT% of B
within() { awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 0 && b > 0 && d <= b * p / 100) }'; }
clean_decode() { [ -z "$(ffmpeg -nostdin -v error -i "$1" -f null - 2>&1 | head -c 200)" ]; }
# Anything in DIR besides the expected files (stats temporaries).
strays() { ls -A "$1" | grep -v -x -e in.mp4 -e 'cli.*\.mp4' -e 'out.*\.mp4' -e '.*\.json' -e '.*\.err' -e '.*\.out' -e '.*\.txt' -e lsan.supp; }

# --- -b:v ------------------------------------------------------------------------
# (12 s: on shorter clips the CLI's one-pass ABR itself is off its target,
# 426 kb/s for 400k on 8 s of this clip, where render's two passes land on it.)
$FF -i "$IN" -an -c:v libx264 -preset veryfast -b:v 400k "$T_TMP/cli_b.mp4"
cli=$(vrate "$T_TMP/cli_b.mp4")
for w in 1 2 3; do
    o=$T_TMP/out_b$w.mp4
    if rr "$T_TMP/b$w" -y "$IN" -o "$o" -w "$w" $X -an -b:v 400k --report "$T_TMP/b$w.json"; then
        r=$(vrate "$o")
        check "-b:v 400k -w $w: bitrate $r within 5% of the CLI's $cli" "" within "$r" "$cli" 5
        check "-b:v 400k -w $w: bitrate $r within 2% of 400k" "" within "$r" 400000 2
        check "-b:v 400k -w $w: decodes without an error" "" clean_decode "$o"
    else
        fail "-b:v 400k -w $w" "$(rr_why "$T_TMP/b$w" $?)"
    fi
done
check "-b:v with libx264: two passes in the report" "" grep -q '"mode":[[:space:]]*"two-pass"' "$T_TMP/b2.json"

# The ffmpeg form: the same line as the CLI's, the same rate.
o=$T_TMP/out_bf.mp4
if rr "$T_TMP/bf" -w 2 -y -i "$IN" -an -c:v libx264 -preset veryfast -b:v 400k "$o"; then
    r=$(vrate "$o")
    check "ffmpeg form -b:v 400k: bitrate $r within 5% of the CLI's $cli" "" within "$r" "$cli" 5
else
    fail "ffmpeg form -b:v 400k" "$(rr_why "$T_TMP/bf" $?)"
fi

# --- VBV ---------------------------------------------------------------------------
VBV="-b:v 400k -maxrate 400k -bufsize 400k"
$FF -i "$IN" -an -c:v libx264 -preset veryfast $VBV "$T_TMP/cli_v.mp4"
if bash tests/vbv_check.sh "$T_TMP/cli_v.mp4" 400000 400000 >"$T_TMP/vcli.txt"; then
    for run in "-w 2" "-w 3 --chunks 16"; do
        o=$T_TMP/out_v.mp4
        if rr "$T_TMP/v" -y "$IN" -o "$o" $run $X -an $VBV; then
            check "$VBV $run: no VBV underflow in the joined stream" "$(bash tests/vbv_check.sh "$o" 400000 400000)" \
                bash tests/vbv_check.sh "$o" 400000 400000
        else
            fail "$VBV $run" "$(rr_why "$T_TMP/v" $?)"
        fi
    done
    o=$T_TMP/out_vf.mp4
    if rr "$T_TMP/vf" -w 3 --chunks 9 -y -i "$IN" -an -c:v libx264 -preset veryfast $VBV "$o"; then
        check "ffmpeg form $VBV: no VBV underflow" "$(bash tests/vbv_check.sh "$o" 400000 400000)" \
            bash tests/vbv_check.sh "$o" 400000 400000
    else
        fail "ffmpeg form $VBV" "$(rr_why "$T_TMP/vf" $?)"
    fi
else
    fail "VBV oracle" "the CLI's own output underflows: $(cat "$T_TMP/vcli.txt")"
fi

# --- --target-size -------------------------------------------------------------------
for w in 1 2 3; do
    o=$T_TMP/out_t$w.mp4
    if rr "$T_TMP/t$w" -y "$IN" -o "$o" -w "$w" $X --target-size 900k; then
        s=$(stat -c %s "$o")
        check "--target-size 900k -w $w: $s bytes within 2%" "" within "$s" 900000 2
    else
        fail "--target-size -w $w" "$(rr_why "$T_TMP/t$w" $?)"
    fi
done
check "no stats file left after the two-pass runs" "$(strays "$T_TMP")" test -z "$(strays "$T_TMP")"

# --- fixed GOP ---------------------------------------------------------------------------
# Frame number, key flag and picture type of every I frame or keyframe.
keys() {
    ffprobe -v error -select_streams v:0 -show_entries frame=key_frame,pict_type -of compact=p=0:nk=1 "$1" |
        grep -E '^[01]\|' | awk -F'|' '$1 == 1 || $2 == "I" { print NR - 1, $1, $2 }'
}
$FF -i "$IN" -an -c:v libx264 -preset veryfast -g 25 -keyint_min 25 -sc_threshold 0 "$T_TMP/cli_g.mp4"
keys "$T_TMP/cli_g.mp4" >"$T_TMP/kcli.txt"
for run in "-w 1" "-w 2" "-w 3 --chunks 7"; do
    o=$T_TMP/out_g.mp4
    if rr "$T_TMP/g" -y "$IN" -o "$o" $run $X -an -g 25 -keyint_min 25 -sc_threshold 0 --report "$T_TMP/g.json"; then
        keys "$o" >"$T_TMP/k.txt"
        check "-g 25 -sc_threshold 0 $run: keyframes and I frames exactly the CLI's" \
            "$(diff "$T_TMP/kcli.txt" "$T_TMP/k.txt" | head -3 | tr '\n' ' ')" cmp -s "$T_TMP/kcli.txt" "$T_TMP/k.txt"
    else
        fail "fixed GOP $run" "$(rr_why "$T_TMP/g" $?)"
    fi
done
check "fixed GOP: join_keyframes 0 in the report" "" grep -q '"join_keyframes":[[:space:]]*0' "$T_TMP/g.json"
if rr "$T_TMP/gx" -y "$IN" -o "$T_TMP/out_gx.mp4" -w 2 $X -an --venc-opt x264-params=keyint=25:min-keyint=25:scenecut=0; then
    keys "$T_TMP/out_gx.mp4" >"$T_TMP/kx.txt"
    check "x264-params keyint=25:scenecut=0: keyframes exactly the CLI's" "" cmp -s "$T_TMP/kcli.txt" "$T_TMP/kx.txt"
else
    fail "x264-params fixed GOP" "$(rr_why "$T_TMP/gx" $?)"
fi
if rr "$T_TMP/j" -y "$IN" -o "$T_TMP/out_j.mp4" -w 2 --chunks 4 $X -an --report "$T_TMP/j.json"; then
    check "no fixed GOP: join_keyframes = chunks - 1 (3)" "" grep -q '"join_keyframes":[[:space:]]*3' "$T_TMP/j.json"
else
    fail "join_keyframes" "$(rr_why "$T_TMP/j" $?)"
fi

# --- Ctrl-C during the analysis pass: nothing left --------------------------------------------
mkdir -p "$T_TMP/int"
"$RENDER" -q -y "$IN" -o "$T_TMP/int/out.mp4" -w 2 --chunks 16 --vf hqdn3d --preset medium --target-size 900k \
    </dev/null >/dev/null 2>&1 &
pid=$!
for i in $(seq 200); do ls "$T_TMP/int" | grep -q x264 && break; sleep 0.02; done
kill -INT "$pid" 2>/dev/null
wait "$pid"; rc=$?
check "Ctrl-C in two passes: exit 130, no file left" "exit $rc, left: $(ls -A "$T_TMP/int" | tr '\n' ' ')" \
    test "$rc" = 130 -a -z "$(ls -A "$T_TMP/int")"

# --- settings that do not go together ---------------------------------------------------------
usage() {
    local name=$1; shift
    rr "$T_TMP/u" "$@" -o "$T_TMP/out_u.mp4" "$IN"; local rc=$?
    check "$name: exit 2, one line" "$(rr_why "$T_TMP/u" $rc)" test "$rc" = 2 -a "$(wc -l <"$T_TMP/u.err")" = 1
}
usage "--two-pass without a bitrate" --two-pass
usage "--target-size with -c:v libx265" --target-size 1M -c:v libx265
usage "-maxrate without -bufsize" -maxrate 1M
usage "--target-size with -b:v" --target-size 1M -b:v 1M
usage "-b:v 12q" -b:v 12q
finish
