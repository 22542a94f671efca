#!/usr/bin/env bash
# e2e_recut.sh - the last round re-cut at run time (issue 20; plan.h
# rd_plan_recut). A clip whose last seconds cost far more than their
# packet sizes say (a heavy blur enabled by time) leaves the plan's last
# chunks wrong; as each of the last round's chunks is taken, the joins
# after it move where the workers end together. The output keeps the
# CLI's frames and frame times (ffv1) whatever joins moved, through graphs
# whose chunks need pre-roll, post-roll, frame numbers, the stream's start
# or a frame grid. Where the plan must stay (--chunks N, a static
# schedule, --resume) nothing moves.
#
#   RENDER=/abs/path/render GEN=/abs/path/gen-mandelbrot bash tests/e2e_recut.sh
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
CLIP=$W/m.mp4
"$GEN" -q -o "$CLIP" --size 320x240 --fps 25 --duration 10 --gop 25 ||
    { fail "clip" "gen-mandelbrot could not make the clip"; finish; exit 1; }
HEAVY="boxblur=luma_radius=12:luma_power=3:enable='gte(t,7)'"

# jget FILE EXPR: a value of the report (python's json).
jget() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"; }

# 1. Against the CLI, at -w 2 and -w 3, each graph with the heavy tail.
moved=0 runs=0
for g in null "tmix=frames=3" "fade=in:0:30" "framerate=fps=50" "setpts=PTS-STARTPTS"; do
    ffmpeg -nostdin -v error -i "$CLIP" -vf "$g,$HEAVY" -c:v ffv1 -c:a copy -y "$W/ref.mkv" &&
        v_frames "$W/ref.mkv" "$W/ref" || { fail "ffmpeg $g" "the CLI failed"; continue; }
    for w in 2 3; do
        rr "$W/o" "$CLIP" --vf "$g,$HEAVY" -c:v ffv1 -w "$w" -y -o "$W/o.mkv" --report "$W/o.json"; rc=$?
        if [ $rc -ne 0 ]; then
            fail "$g -w $w" "$(rr_why "$W/o" $rc)"
            continue
        fi
        v_frames "$W/o.mkv" "$W/o"
        n=$(jget "$W/o.json" "r['plan']['recut_joins']")
        runs=$((runs + 1))
        [ "$n" -gt 0 ] && moved=$((moved + 1))
        check "$g -w $w ($n joins moved): the CLI's frames" "$(same_lines "$W/ref.md5" "$W/o.md5")" \
            same_lines "$W/ref.md5" "$W/o.md5"
        check "$g -w $w: the CLI's frame times" "$(same_times "$W/ref.t" 0 "$W/o.t" 0 0.0005)" \
            same_times "$W/ref.t" 0 "$W/o.t" 0 0.0005
        check "$g -w $w: the report's chunks cover the clip" "$(jget "$W/o.json" "r['chunks_detail']")" \
            test "$(jget "$W/o.json" "all(a['media_end_s'] == b['media_start_s'] for a, b in zip(r['chunks_detail'], r['chunks_detail'][1:])) and r['plan']['recut_joins'] <= r['plan']['joins']")" = True
    done
done
# The blur makes the last seconds about five times dearer than the rest:
# the plan's estimate is wrong in every run, and most runs move a join.
check "joins moved in most runs ($moved of $runs)" "$moved of $runs" test $((2 * moved)) -gt "$runs"

# 2. The plan stays where it must: --chunks N cuts as --dry-run said (the
#    same line, the same chunks); a static schedule gives chunks to workers
#    by number, not to whoever is free.
rr "$W/d" "$CLIP" --vf "$HEAVY" -c:v ffv1 -w 2 --chunks 6 --dry-run -o "$W/d.mkv" --report "$W/d.json"; rc1=$?
rr "$W/c" "$CLIP" --vf "$HEAVY" -c:v ffv1 -w 2 --chunks 6 -y -o "$W/c.mkv" --report "$W/c.json"; rc2=$?
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ]; then
    ranges="[round(c['media_start_s'], 4) for c in r['chunks_detail']]"
    check "--chunks 6: the dry run's chunks, none moved" "$(jget "$W/c.json" "$ranges")" \
        test "$(jget "$W/d.json" "$ranges")-0" = "$(jget "$W/c.json" "$ranges")-$(jget "$W/c.json" "r['plan']['recut_joins']")"
else
    fail "--chunks 6" "$(rr_why "$W/d" $rc1) $(rr_why "$W/c" $rc2)"
fi
OMP_SCHEDULE=static rr "$W/s" "$CLIP" --vf "$HEAVY" -c:v ffv1 -w 2 -y -o "$W/s.mkv" --report "$W/s.json"; rc=$?
check "OMP_SCHEDULE=static: no join moved" "$(rr_why "$W/s" $rc)" \
    test "$rc-$(jget "$W/s.json" "r['plan']['recut_joins']")" = "0-0"

# 3. The default encoder, audio with it: the frame count and times of the
#    CLI's x264 output, the audio packets the input's.
ffmpeg -nostdin -v error -i "$CLIP" -vf "$HEAVY" -c:v libx264 -preset veryfast -c:a copy -y "$W/x.mp4" &&
    v_frames "$W/x.mp4" "$W/x"
rr "$W/y" "$CLIP" --vf "$HEAVY" -w 2 --preset veryfast -y -o "$W/y.mp4" --report "$W/y.json"; rc=$?
if [ $rc -eq 0 ]; then
    v_frames "$W/y.mp4" "$W/y"
    check "x264 -w 2 ($(jget "$W/y.json" "r['plan']['recut_joins']") joins moved): the CLI's frame times" \
        "$(same_times "$W/x.t" 0 "$W/y.t" 0 0.0005)" same_times "$W/x.t" 0 "$W/y.t" 0 0.0005
    check "x264 -w 2: the input's audio packets" "$(same_lines <(a_pkts "$CLIP") <(a_pkts "$W/y.mp4"))" \
        same_lines <(a_pkts "$CLIP") <(a_pkts "$W/y.mp4")
else
    fail "x264 -w 2" "$(rr_why "$W/y" $rc)"
fi
finish
