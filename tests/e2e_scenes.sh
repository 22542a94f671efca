#!/usr/bin/env bash
# e2e_scenes.sh - chunks at scene cuts (issue 20, --split scenes): on clips
# with hard cuts made by the stock ffmpeg CLI (different sources joined),
# the cuts are found, from the index where it shows them and by the pixel
# measure where it does not (a long GOP without scene detection: no
# keyframe at any cut), joins move onto them, the report and --dry-run
# count them, and the output stays frame-exact (ffv1 against ffmpeg).
# With libaom, which keys only some cuts, joins on cuts are priced.
#
#   RENDER=/abs/path/render bash tests/e2e_scenes.sh
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
CUTS=$W/cuts.mp4      # cuts at 2, 4, 6 s; one keyframe (frame 0) in all; the cut
                      # at 4 s (after the mandelbrot) shows in no frame size either
KEYS=$W/keys.mp4      # cuts at 2, 5, 6.6 s, x264's scene detection on: keyframes there
SRC=(-f lavfi -i testsrc=size=320x180:rate=25:duration=2
     -f lavfi -i "mandelbrot=size=320x180:rate=25,trim=duration=2"
     -f lavfi -i smptebars=size=320x180:rate=25:duration=2
     -f lavfi -i testsrc2=size=320x180:rate=25:duration=2)
CAT="[0][1][2][3]concat=n=4:v=1,format=yuv420p"
ffmpeg -nostdin -v error "${SRC[@]}" -filter_complex "$CAT" -c:v libx264 -preset ultrafast \
    -g 1000 -sc_threshold 0 "$CUTS" &&
ffmpeg -nostdin -v error -f lavfi -i testsrc=size=320x180:rate=25:duration=2 \
    -f lavfi -i "mandelbrot=size=320x180:rate=25,trim=duration=3" \
    -f lavfi -i smptebars=size=320x180:rate=25:duration=1.6 \
    -f lavfi -i testsrc2=size=320x180:rate=25:duration=1.4 \
    -filter_complex "$CAT" -c:v libx264 -preset veryfast -g 1000 "$KEYS" ||
    { fail "inputs" "ffmpeg could not make the test clips"; finish; exit 1; }

# jget FILE EXPR: a value of the report (python's json).
jget() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"; }

# 1. The pixel measure finds the three cuts the keyframes miss; with four
#    chunks every join is on one, at 2, 4 and 6 s.
rr "$W/a" "$CUTS" --dry-run -w 2 --chunks 4 --split scenes -c:v ffv1 --vf null -o "$W/a.mkv" \
    --report "$W/a.json"; rc=$?
if [ $rc -eq 0 ]; then
    check "scenes: three cuts found" "$(jget "$W/a.json" "r['plan']")" \
        test "$(jget "$W/a.json" "r['plan']['scene_cuts']")" = 3
    check "scenes: every join on a cut" "$(jget "$W/a.json" "r['plan']")" \
        test "$(jget "$W/a.json" "r['plan']['cut_joins']")" = 3
    check "scenes: joins at 2, 4, 6 s" "$(jget "$W/a.json" "[c['media_start_s'] for c in r['chunks_detail']]")" \
        test "$(jget "$W/a.json" "' '.join('%.2f' % c['media_start_s'] for c in r['chunks_detail'])")" = "0.00 2.00 4.00 6.00"
    check "scenes: --dry-run prints the count" "$(grep split "$W/a.out")" \
        grep -q "3 scene cuts.*3 of 3 joins on a cut" "$W/a.out"
else
    fail "scenes dry run" "$(rr_why "$W/a" $rc)"
fi

# 2. The index alone (default --split cost) sees cuts by frame sizes or
#    keyframes; where x264 put keyframes at the cuts, it sees all three.
rr "$W/b" "$KEYS" --dry-run -w 2 --chunks 4 -c:v ffv1 --vf null -o "$W/b.mkv" --report "$W/b.json"; rc=$?
if [ $rc -eq 0 ]; then
    check "index: keyframes at the cuts are cuts" "$(jget "$W/b.json" "r['plan']")" \
        test "$(jget "$W/b.json" "r['plan']['scene_cuts_index']")" -ge 3
    check "index: joins on them" "$(jget "$W/b.json" "r['plan']")" \
        test "$(jget "$W/b.json" "r['plan']['cut_joins']")" = 3
else
    fail "index dry run" "$(rr_why "$W/b" $rc)"
fi
rr "$W/c" "$CUTS" --dry-run -w 2 --split time -o "$W/c.mkv" --report "$W/c.json"; rc=$?
check "time: no cuts looked for" "$(rr_why "$W/c" $rc)" \
    test "$rc-$(jget "$W/c.json" "r['plan']['scene_cuts']")" = "0-None"

# 3. Frame-exact: the automatic scene plan, joins at cuts off any keyframe.
ffmpeg -nostdin -v error -i "$CUTS" -c:v ffv1 -f framemd5 "$W/ref.md5"
for w in 2 3; do
    rr "$W/r$w" "$CUTS" -w "$w" --split scenes -c:v ffv1 --vf null -y -o "$W/r$w.mkv" \
        --report "$W/r$w.json"; rc=$?
    if [ $rc -eq 0 ]; then
        ffmpeg -nostdin -v error -i "$W/r$w.mkv" -c:v ffv1 -f framemd5 "$W/r$w.md5"
        check "frame-exact -w $w ($(jget "$W/r$w.json" "r['chunks']") chunks, $(jget "$W/r$w.json" "r['plan']['cut_joins']") joins on a cut)" \
            "$(same_lines <(grep -v '^#' "$W/ref.md5") <(grep -v '^#' "$W/r$w.md5"))" \
            same_lines <(grep -v '^#' "$W/ref.md5") <(grep -v '^#' "$W/r$w.md5")
        check "report -w $w: the plan's cut count" "$(jget "$W/r$w.json" "r['plan']")" \
            test "$(jget "$W/r$w.json" "r['plan']['scene_cuts']")" = 3
    else
        fail "render -w $w --split scenes" "$(rr_why "$W/r$w" $rc)"
    fi
done

# 4. An automatic plan with a cut for every worker starts chunks on cuts
#    only: a join inside a scene costs a keyframe no estimate foresees.
rr "$W/d" "$CUTS" --dry-run -w 2 --split scenes -c:v ffv1 --vf null -o "$W/d.mkv" --report "$W/d.json"; rc=$?
if [ $rc -eq 0 ]; then
    check "scenes, automatic plan: every join on a cut" "$(jget "$W/d.json" "r['plan']")" \
        test "$(jget "$W/d.json" "r['plan']['cut_joins'] == r['plan']['joins'] > 0")" = True
else
    fail "scenes automatic dry run" "$(rr_why "$W/d" $rc)"
fi

# 5. libaom and SVT-AV1: the frames a chunk may start on are read
#    (screen.h) and the plan says so; other encoders read nothing.
if ffmpeg -hide_banner -encoders 2>/dev/null | grep -q libaom-av1; then
    rr "$W/e" "$KEYS" --dry-run -w 2 -c:v libaom-av1 --venc-opt cpu-used=8 --vf null -o "$W/e.mkv" \
        --report "$W/e.json"; rc=$?
    if [ $rc -eq 0 ]; then
        check "libaom: start frames read, one in five" "$(jget "$W/e.json" "r['plan']")" \
            test "$(jget "$W/e.json" "r['plan']['start_frames_read']")" = 40
        check "libaom: --dry-run says how many agree" "$(grep libaom "$W/e.out")" \
            grep -q "libaom-av1 decides on screen content.* of 40 frames read" "$W/e.out"
    else
        fail "libaom dry run" "$(rr_why "$W/e" $rc)"
    fi
fi
# SVT-AV1's automatic screen-content mode decides the same way; with
# scm given in svtav1-params nothing is read.
if ffmpeg -hide_banner -encoders 2>/dev/null | grep -q libsvtav1; then
    rr "$W/s" "$KEYS" --dry-run -w 2 -c:v libsvtav1 --preset 12 --vf null -o "$W/s.mkv" \
        --report "$W/s.json"; rc=$?
    check "libsvtav1: start frames read, one in five" "$(rr_why "$W/s" $rc) $(grep decides "$W/s.out")" \
        sh -c "[ $rc -eq 0 ] && [ \"\$(python3 -c \"import json; print(json.load(open('$W/s.json'))['plan']['start_frames_read'])\")\" = 40 ] &&
               grep -q 'libsvtav1 decides on screen content' '$W/s.out'"
    rr "$W/t" "$KEYS" --dry-run -w 2 -c:v libsvtav1 --preset 12 --venc-opt svtav1-params=scm=0 --vf null \
        -o "$W/t.mkv" --report "$W/t.json"; rc=$?
    check "libsvtav1 with scm=0: nothing read" "$(rr_why "$W/t" $rc)" \
        test "$rc-$(jget "$W/t.json" "r['plan']['start_frames_read']")" = "0-None"
fi
check "libx264: no start frames read" "$(jget "$W/b.json" "r['plan']")" \
    test "$(jget "$W/b.json" "r['plan']['start_frames_read']")" = None

# 6. libaom keys only some cuts itself: the plan's joins on cuts are
#    priced by encoding a few frames from each, and a cut whose keyframe
#    alone passes the share of the bytes (cellauto's noise) is no join;
#    x264, which keys every cut, prices none.
if ffmpeg -hide_banner -encoders 2>/dev/null | grep -q libaom-av1; then
    S=256x144
    ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=$S:rate=25:duration=4 \
        -f lavfi -i "cellauto=size=$S:rate=25,trim=duration=4" \
        -f lavfi -i testsrc=size=$S:rate=25:duration=4 \
        -f lavfi -i "mandelbrot=size=$S:rate=25,trim=duration=4" \
        -filter_complex "[0][1][2][3]concat=n=4:v=1,format=yuv420p" -c:v libx264 -preset ultrafast \
        -g 1000 -sc_threshold 0 "$W/dear.mp4"
    rr "$W/p" "$W/dear.mp4" --dry-run -w 2 --split scenes -c:v libaom-av1 --venc-opt cpu-used=8 --vf null \
        -o "$W/p.mkv" --report "$W/p.json"; rc=$?
    if [ $rc -eq 0 ]; then
        check "priced: three cuts found, the plan's priced" "$(jget "$W/p.json" "r['plan']")" \
            test "$(jget "$W/p.json" "r['plan']['scene_cuts'] == 3 and r['plan']['cuts_priced'] >= 1")" = True
        check "priced: cellauto's cut is too dear" "$(jget "$W/p.json" "r['plan']")" \
            test "$(jget "$W/p.json" "r['plan']['cuts_dear']")" = 1
        check "priced: no chunk starts at 4 s" "$(jget "$W/p.json" "[c['media_start_s'] for c in r['chunks_detail']]")" \
            test "$(jget "$W/p.json" "any(abs(c['media_start_s'] - 4) < 0.01 for c in r['chunks_detail'])")" = False
        check "priced: the joins' keyframes within the share" "$(jget "$W/p.json" "r['plan']")" \
            test "$(jget "$W/p.json" "0 < r['plan']['key_share'] <= r['plan']['max_key_bytes']")" = True
        check "priced: --dry-run says so" "$(grep split "$W/p.out")" \
            grep -q "libaom-av1 keys only some cuts itself: the keyframes of [0-9]* cuts priced.*1 too dear" "$W/p.out"
    else
        fail "priced dry run" "$(rr_why "$W/p" $rc)"
    fi
    rr "$W/q" "$W/dear.mp4" --dry-run -w 2 --split scenes -c:v libx264 --vf null -o "$W/q.mkv" \
        --report "$W/q.json"; rc=$?
    check "x264 keys cuts itself: none priced" "$(rr_why "$W/q" $rc)" \
        test "$rc-$(jget "$W/q.json" "r['plan']['cuts_priced']")" = "0-None"
fi

# 7. A bad mode is a usage error.
rr "$W/u" "$CUTS" --split scene -o "$W/u.mkv"; rc=$?
check "--split scene: usage error" "$(rr_why "$W/u" $rc)" test $rc -eq 2
finish
