#!/usr/bin/env bash
# e2e_safety3.sh - safety, round two, part two (issue 18): errors that say
# what is wrong in one whole line, the memory estimate (from the largest
# frame), numbers out of range.
#
#   RENDER=/abs/path/render bash tests/e2e_safety3.sh    (ONLY="errors memory" ...)
. "$(dirname "$0")/lib.sh"

need_fixtures
need_render

FX=$FIXTURES
W=$T_TMP

# --- errors: one whole line, the file and the real reason ---------------------
s_errors() {
    local d=$W/err rc long g
    mkdir -p "$d"
    # A long name and a long graph: the reason after them is not cut.
    long=$d/$(printf 'd%.0s' {1..200})/$(printf 'e%.0s' {1..200})
    mkdir -p "$long"
    g="$(printf 'null,%.0s' {1..150})nosuchfilter"
    rc=0; rr "$W/e1" "$FX/cfr.mp4" -o "$long/o.mp4" -q --vf "$g" || rc=$?
    check "errors: a 760-byte graph: one line that ends with the reason" "$(rr_why "$W/e1" $rc)" \
        sh -c "[ $rc -eq 1 ] && [ \$(wc -l < '$W/e1.err') -eq 1 ] && grep -q \"nosuchfilter': [A-Z]\" '$W/e1.err'"
    rc=0; rr "$W/e2" "$FX/cfr.mp4" -o "$long/$(printf 'f%.0s' {1..240}).webm" -q -t 0.5 || rc=$?
    check "errors: x264 into a 640-byte .webm name: the container cannot hold h264" "$(rr_why "$W/e2" $rc)" \
        sh -c "[ $rc -eq 1 ] && [ \$(wc -l < '$W/e2.err') -eq 1 ] && grep -q 'webm container cannot hold h264 video' '$W/e2.err' && [ -z \"\$(ls -A '$long')\" ]"
    rc=0; rr "$W/e3" -i "$FX/cfr.mp4" -c:v libx264 -t 0.5 "$d/o.webm" || rc=$?
    check "errors: ffmpeg form, -c:v libx264 o.webm: the container cannot hold h264" "$(rr_why "$W/e3" $rc)" \
        sh -c "[ $rc -eq 1 ] && grep -q 'webm container cannot hold h264 video' '$W/e3.err'"
    # A newline or an escape in an argument: still one line, escaped.
    rc=0; rr "$W/e4" "$(printf '%s/no\nsuch\033[2J.mp4' "$d")" -o "$d/o.mp4" -q || rc=$?
    check "errors: a newline and ESC in INPUT: one line, shown as \\n and \\x1b" "$(rr_why "$W/e4" $rc)" \
        sh -c "[ $rc -eq 1 ] && [ \$(wc -l < '$W/e4.err') -eq 1 ] && grep -qF 'no\\nsuch\\x1b[2J.mp4: No such file' '$W/e4.err'"
    rc=0; rr "$W/e5" "$FX/cfr.mp4" -o "$d/o.mp4" -q --vf "$(printf 'null\nnosuch')" || rc=$?
    check "errors: a newline in --vf: one line" "$(rr_why "$W/e5" $rc)" \
        sh -c "[ $rc -eq 1 ] && [ \$(wc -l < '$W/e5.err') -eq 1 ]"
    rm -rf "${long%/*}"
    # A MOV whose sample table gives one audio packet 512 MiB: the input is
    # named with the reason, not OUTPUT with "Cannot allocate memory".
    if command -v python3 >/dev/null; then
        python3 tests/tools/mov_stsz.py "$FX/cfr.mp4" "$d/bad.mov" 20 0x20000000
        rc=0; rr "$W/e6" "$d/bad.mov" -o "$d/o.mkv" -q --vf null -c:v ffv1 || rc=$?
        check "errors: a corrupt audio sample size: exit 1 naming bad.mov and why, nothing left" \
            "$(rr_why "$W/e6" $rc), dir: $(has "$d")" \
            sh -c "[ $rc -eq 1 ] && grep -q 'bad.mov: stream 1 (audio) sample 20 claims 536870912 bytes at byte [0-9]*, past the end of the file' '$W/e6.err' && [ \"\$(ls -A '$d')\" = bad.mov ]"
        rm -f "$d/bad.mov"
    fi
    rm -rf "$d"
}

# --- signals while --progress waits for a FIFO's reader -----------------------
s_fifo() {
    local d=$W/fifo rc pid
    mkdir -p "$d"
    mkfifo "$d/p"
    "$RENDER" "$FX/cfr.mp4" -o "$d/o.mp4" -q --progress "$d/p" </dev/null >"$W/f.out" 2>"$W/f.err" &
    pid=$!
    sleep 1
    kill -INT $pid
    rc=0; wait $pid || rc=$?
    check "signals: Ctrl-C while --progress FIFO has no reader: exit 130, one line" \
        "exit $rc: $(head -c 300 "$W/f.err")" \
        sh -c "[ $rc -eq 130 ] && [ \$(wc -l < '$W/f.err') -eq 1 ] && grep -q interrupted '$W/f.err' && [ \"\$(ls -A '$d')\" = p ]"
    rm -rf "$d"
}

# --- numbers outside sane ranges are usage errors (exit 2) --------------------
s_ranges() {
    local a rc
    while IFS= read -r a; do
        # shellcheck disable=SC2086
        # A value taken would fail later on the missing folder: exit 1, not 2.
        case $a in --weak*|--repeat*|--ceiling*|--sweep*) set -- --export "$W/nodir/x.json" ;;
                   *) set -- -o "$W/nodir/o.mp4" ;; esac
        rc=0; rr "$W/r" "$FX/cfr.mp4" -q "$@" $a || rc=$?
        check "ranges: render $a: exit 2, one line naming the option" "$(rr_why "$W/r" $rc)" \
            sh -c "[ $rc -eq 2 ] && [ \$(wc -l < '$W/r.err') -eq 1 ] && grep -q -- '${a%% *}' '$W/r.err'"
    done <<'LIST'
--weak 1e308
--weak inf
--weak nan
-w 0
-w 99999
--chunks 1e9
--chunk-factor -1
--crf 1e308
-b:v 1e13
-maxrate 9e18
-bufsize 1e14
--target-size 1e300
-g 1e308
--preroll 1e9
-t 1e308
-t nan
--repeat 1e9
--ceiling 1e308
--sweep 99999
LIST
    for a in "-q:v 1e308" "-b:v 1e13" "-maxrate 1e14" "-ar 1e308" "-t 1e308"; do
        # shellcheck disable=SC2086
        rc=0; rr "$W/r" -i "$FX/cfr.mp4" $a "$W/nodir/o.mp4" || rc=$?
        check "ranges: ffmpeg form $a: exit 2" "$(rr_why "$W/r" $rc)" test $rc -eq 2
    done
}

# --- memory: the control group's limit, not only MemAvailable ------------------
# RENDER_TEST_CGROUP_ROOT (a test hook) puts a fake /sys/fs/cgroup in place.
s_memory() {
    local d=$W/mem cg=$W/cg rc
    mkdir -p "$d" "$cg/memory"
    # 100 MB of room: 80 MB planned for, two 320x240 x264 workers (~40 MB each).
    echo $((500 * 1000 * 1000)) > "$cg/memory.max"
    echo $((400 * 1000 * 1000)) > "$cg/memory.current"
    rc=0; RENDER_TEST_CGROUP_ROOT=$cg rr "$W/m1" "$FX/cfr.mp4" -o "$d/o.mp4" -q -w 4 --chunks 4 || rc=$?
    check "memory: -w 4 past memory.max: refused in one line naming what fits, nothing left" \
        "$(rr_why "$W/m1" $rc), dir: $(has "$d")" \
        sh -c "[ $rc -eq 1 ] && [ \$(wc -l < '$W/m1.err') -eq 1 ] && grep -q -- '-w 4 needs about .*at most -w [12] fits' '$W/m1.err' && [ -z \"\$(ls -A '$d')\" ]"
    rc=0; RENDER_TEST_CGROUP_ROOT=$cg OMP_NUM_THREADS=4 rr "$W/m2" "$FX/cfr.mp4" -o "$d/o.mp4" --chunks 4 || rc=$?
    check "memory: 4 automatic workers past memory.max: fewer, with one line" "$(rr_why "$W/m2" $rc)" \
        sh -c "[ $rc -eq 0 ] && grep -q '[12] workers instead of 4' '$W/m2.err' && grep -q 'done: .* [12] workers, 4 chunks' '$W/m2.err'"
    rm -f "$d"/* "$cg"/memory.*
    # cgroup v1: memory.limit_in_bytes less memory.usage_in_bytes.
    echo $((20 * 1000 * 1000)) > "$cg/memory/memory.limit_in_bytes"
    echo $((10 * 1000 * 1000)) > "$cg/memory/memory.usage_in_bytes"
    rc=0; RENDER_TEST_CGROUP_ROOT=$cg rr "$W/m3" "$FX/cfr.mp4" -o "$d/o.mp4" -q -w 1 || rc=$?
    check "memory: cgroup v1 with 10 MB left: one worker does not fit, refused" "$(rr_why "$W/m3" $rc), dir: $(has "$d")" \
        sh -c "[ $rc -eq 1 ] && grep -q 'one worker needs about' '$W/m3.err' && [ -z \"\$(ls -A '$d')\" ]"
    rm -rf "$d" "$cg"
}

# --- memory: the largest frame, not the first -----------------------------------
# A raw H.264 stream of 64x64 frames, then one 16000x8000 frame (a new SPS):
# the first frame's estimate (~25 MB) fits in 1.5 GB of room, the largest
# frame's (over 4 GB) does not. Also as MPEG-TS (its demuxer parses).
s_grow() {
    local d=$W/grow cg=$W/cg2 rc f
    mkdir -p "$d" "$cg"
    ffmpeg -v error -y -f lavfi -i testsrc=s=64x64:r=25:d=0.4 -c:v libx264 -preset ultrafast \
        -pix_fmt yuv420p -f h264 "$W/g1.h264" &&
    ffmpeg -v error -y -f lavfi -i color=s=16000x8000:r=25:d=0.04 -c:v libx264 -preset ultrafast \
        -pix_fmt yuv420p -f h264 "$W/g2.h264" || { fail "grow: fixture" "ffmpeg could not make it"; return; }
    cat "$W/g1.h264" "$W/g2.h264" > "$W/grow.h264"
    ffmpeg -v error -y -i "$W/grow.h264" -c copy -f mpegts "$W/grow.ts"
    echo $((1500 * 1000 * 1000)) > "$cg/memory.max"
    echo 0 > "$cg/memory.current"
    for f in grow.h264 grow.ts; do
        rc=0; RENDER_TEST_CGROUP_ROOT=$cg rr "$W/g.$f" "$W/$f" -o "$d/o.mp4" -w 1 || rc=$?
        check "grow: $f, 64x64 then 16000x8000 in 1.5 GB: refused in one line naming the largest frame, nothing left" \
            "$(rr_why "$W/g.$f" $rc), dir: $(has "$d")" \
            sh -c "[ $rc -eq 1 ] && [ \$(wc -l < '$W/g.$f.err') -eq 1 ] && grep -q 'one worker needs about .*input frames up to 16000x8000' '$W/g.$f.err' && [ -z \"\$(ls -A '$d')\" ]"
    done
    rm -rf "$d" "$cg" "$W"/g1.h264 "$W"/g2.h264 "$W"/grow.*
}

# --- threads: OMP_NUM_THREADS past any machine -----------------------------------
s_threads() {
    local d=$W/thr rc
    mkdir -p "$d"
    rc=0; OMP_NUM_THREADS=100000 rr "$W/t1" "$FX/cfr.mp4" -o "$d/o.mp4" || rc=$?
    check "threads: OMP_NUM_THREADS=100000: lowered in one line, done, only the output left" \
        "$(rr_why "$W/t1" $rc), dir: $(has "$d")" \
        sh -c "[ $rc -eq 0 ] && [ \$(grep -c 'workers instead of OMP_NUM_THREADS=100000' '$W/t1.err') -eq 1 ] && [ \"\$(ls -A '$d')\" = o.mp4 ]"
    rm -rf "$d"
    # libgomp ends the program itself when it cannot create a thread: render
    # makes as many first and says so (io/threads.h); the part file would go
    # all the same. (Not under the sanitizer: its shadow
    # memory needs more address space than the limit leaves.)
    if [ "${SANITIZED:-0}" != 1 ] && ! grep -qa __asan_init "$RENDER"; then
        mkdir -p "$d"
        rc=0; ( ulimit -v 300000; OMP_STACKSIZE=64M rr "$W/t2" "$FX/cfr.mp4" -o "$d/o.mp4" -w 8 --chunks 8 -q ) || rc=$?
        check "threads: no thread can be made (ulimit -v): exit 1, nothing left" \
            "$(rr_why "$W/t2" $rc), dir: $(has "$d")" sh -c "[ $rc -eq 1 ] && [ -z \"\$(ls -A '$d')\" ]"
        check "threads: render's one line names OUTPUT and the reason, not libgomp's" \
            "$(head -c 300 "$W/t2.err")" sh -c "[ \$(wc -l <'$W/t2.err') -eq 1 ] &&
            grep -q '^render: $d/o.mp4: cannot start 8 worker threads with 64 MiB of stack each' '$W/t2.err'"
        # The count was not given: as many workers as can be made, in one line.
        rc=0; ( ulimit -v 700000; OMP_NUM_THREADS=12 OMP_STACKSIZE=64M rr "$W/t3" "$FX/cfr.mp4" --vf null -c:v ffv1 \
                -o "$d/o.mkv" -t 1 ) || rc=$?
        check "threads: OMP_NUM_THREADS=12 with 64 MiB stacks under ulimit -v: fewer workers, one line, done" \
            "$(rr_why "$W/t3" $rc)" sh -c "[ $rc -eq 0 ] && grep -q ' workers: cannot start 12 worker threads' '$W/t3.err'"
        rm -rf "$d"
    fi
}

for sec in errors fifo ranges memory grow threads; do
    want "$sec" && "s_$sec"
done

finish
