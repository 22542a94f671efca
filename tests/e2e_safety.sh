#!/usr/bin/env bash
# e2e_safety.sh - no file is destroyed, left behind, or read from where it
# should not be (no file destroyed or left behind; issue 12, cases 1-10).
#
#   RENDER=/abs/path/render bash tests/e2e_safety.sh    (ONLY="sidecar signals" ...)
#
# Sections: sidecar (1), protocols (2), symlink (3), appear (4), signals and
# stale (5), hung (6), fifo (7), errors (8), crashers (9, the fuzz finds),
# memory (10), mpi (render-mpi's output through the same temporary file).
. "$(dirname "$0")/lib.sh"

need_fixtures
need_render

FX=$FIXTURES
W=$T_TMP
SLOW=$FX/noisy.mp4                       # at --preset veryslow: several seconds
CRASHERS=$T_ROOT/tests/fuzz_crashers
# Under `make asan` the sanitizer owns SIGSEGV (its report comes first) and
# reserves terabytes of address space (no ulimit -v).
SANITIZED=0
grep -qa __asan_init "$RENDER" && SANITIZED=1

one_line() {  # PREFIX FILE: FILE is one line starting with PREFIX
    [ "$(wc -l <"$2")" -eq 1 ] && [ "$(head -c ${#1} "$2")" = "$1" ]
}
err_of() { head -c 300 "$1" | tr '\n' '|'; }
dir_is() {  # DIR EXPECTED...: the directory holds exactly these names
    local d=$1; shift
    [ "$(ls -A "$d" | sort | tr '\n' ' ')" = "$(printf '%s\n' "$@" | sed '/^$/d' | sort | tr '\n' ' ')" ]
}


# --- 1: --report and --progress never overwrite without -y, never the input --
s_sidecar() {
    local d=$W/side rc
    mkdir -p "$d" && cp "$FX/cfr.mp4" "$d/in.mp4"
    for opt in --report --progress; do
        rc=0; rr "$W/sc1" "$d/in.mp4" $opt "$d/in.mp4" -o "$d/o.mp4" -q -y --vf null || rc=$?
        check "1: $opt INPUT refused, exit 1, one line" "$(rr_why "$W/sc1" $rc)" \
            test $rc -eq 1 -a "$(wc -l <"$W/sc1.err")" -eq 1
        check "1: $opt INPUT: input byte for byte, no OUTPUT" "dir: $(has "$d")" \
            sh -c "cmp -s '$FX/cfr.mp4' '$d/in.mp4' && [ ! -e '$d/o.mp4' ]"
        rc=0; rr "$W/sc2" "$d/in.mp4" $opt "$d/o.mp4" -o "$d/o.mp4" -q --vf null || rc=$?
        check "1: $opt = OUTPUT refused" "$(rr_why "$W/sc2" $rc)" \
            sh -c "[ $rc -eq 1 ] && [ ! -e '$d/o.mp4' ] && grep -q 'would write over OUTPUT' '$W/sc2.err'"
    done
    printf 'keep\n' >"$d/r.json"
    rc=0; rr "$W/sc3" "$d/in.mp4" --report "$d/r.json" -o "$d/o.mp4" -q --vf null || rc=$?
    check "1: existing --report without -y: refused, kept, no OUTPUT" "$(rr_why "$W/sc3" $rc)" \
        sh -c "[ $rc -eq 1 ] && [ \"\$(cat '$d/r.json')\" = keep ] && [ ! -e '$d/o.mp4' ] &&
               grep -q 'already exists (use -y' '$W/sc3.err'"
    rc=0; rr "$W/sc4" "$d/in.mp4" --report "$d/r.json" --progress "$d/p.txt" -o "$d/o.mp4" -q -y --vf null || rc=$?
    check "1: with -y: report replaced by JSON, progress written" "$(rr_why "$W/sc4" $rc)" \
        sh -c "[ $rc -eq 0 ] && grep -q render-report '$d/r.json' && grep -q progress= '$d/p.txt' &&
               [ -z \"\$(ls -A '$d' | grep -e part- -e tmp-)\" ]"
    rc=0; rr "$W/sc5" "$d/in.mp4" --sweep 1 --repeat 1 -t 0.5 --export "$d/in.mp4" -q || rc=$?
    check "1: --export INPUT refused, input kept" "$(rr_why "$W/sc5" $rc)" \
        sh -c "[ $rc -eq 1 ] && cmp -s '$FX/cfr.mp4' '$d/in.mp4'"
    mkdir -p "$d/dat" && printf 'keep\n' >"$d/dat/b_scaling.dat"
    rc=0; rr "$W/sc6" "$d/in.mp4" --sweep 1 --repeat 1 -t 0.5 --export "$d/b.json" --dat-dir "$d/dat" -q || rc=$?
    check "1: existing --dat-dir file without -y: refused before the sweep, kept" "$(rr_why "$W/sc6" $rc)" \
        sh -c "[ $rc -eq 1 ] && [ \"\$(cat '$d/dat/b_scaling.dat')\" = keep ] && [ ! -e '$d/b.json' ] &&
               grep -q 'b_scaling.dat: already exists' '$W/sc6.err'"
}

# --- 2: protocols: local files only, file: resolved before the checks -------
s_protocols() {
    local d=$W/proto rc u
    mkdir -p "$d" && cp "$FX/cfr.mp4" "$d/in.mp4" && printf 'victim\n' >"$d/victim.mp4"
    rc=0; (cd "$d" && rr "$W/p1" file:in.mp4 -o in.mp4 -y -q) || rc=$?
    check "2: file:in.mp4 -o in.mp4 -y refused, input kept" "$(rr_why "$W/p1" $rc)" \
        sh -c "[ $rc -eq 1 ] && cmp -s '$FX/cfr.mp4' '$d/in.mp4' && grep -q 'is the input' '$W/p1.err'"
    rc=0; (cd "$d" && rr "$W/p2" in.mp4 -o "tee:victim.mp4|x.mp4" -q --vf null) || rc=$?
    check "2: -o tee:victim.mp4|x.mp4 refused, victim kept, nothing created" "$(rr_why "$W/p2" $rc) dir: $(has "$d")" \
        sh -c "[ $rc -eq 1 ] && [ \"\$(cat '$d/victim.mp4')\" = victim ] && [ \$(ls -A '$d' | wc -l) -eq 2 ]"
    for u in "concat:$d/in.mp4|$d/in.mp4" "subfile:,,start,0,end,0,,:$d/in.mp4" \
             "http://127.0.0.1:9/in.mp4" "tee:$d/in.mp4"; do
        rc=0; rr "$W/p3" "$u" -o "$d/o.mp4" -q || rc=$?
        check "2: input ${u%%:*}: refused in one line naming the protocol" "$(rr_why "$W/p3" $rc)" \
            sh -c "[ $rc -eq 1 ] && one_line() { [ \"\$(wc -l <\"\$2\")\" -eq 1 ]; }; one_line x '$W/p3.err' &&
                   grep -q \"protocol '${u%%:*}' is not allowed\" '$W/p3.err' && [ ! -e '$d/o.mp4' ]"
    done
    rc=0; rr "$W/p4" "$d/in.mp4" -o "http://127.0.0.1:9/o.mp4" -q || rc=$?
    check "2: -o http://... refused (never POSTed)" "$(rr_why "$W/p4" $rc)" \
        sh -c "[ $rc -eq 1 ] && grep -q 'must be a local file' '$W/p4.err'"
    mkdir -p "$d/hls"
    rc=0; rr "$W/p6" "$d/in.mp4" -o "$d/hls/x.m3u8" -q --vf null || rc=$?
    check "2: -o x.m3u8 (a muxer that writes files of its own) refused, nothing written" \
        "$(rr_why "$W/p6" $rc), dir: $(has "$d/hls")" \
        sh -c "[ $rc -eq 1 ] && grep -q 'writes files of its own' '$W/p6.err' && [ -z \"\$(ls -A '$d/hls')\" ]"
    rc=0; rr "$W/p5" "concat:$d/in.mp4" --protocols concat -o "$d/o.mp4" -q --vf null || rc=$?
    check "2: --protocols concat lets concat: in" "$(rr_why "$W/p5" $rc)" \
        sh -c "[ $rc -eq 0 ] && [ -s '$d/o.mp4' ]"
}

# --- 3: a symlink planted at OUTPUT.part-PID is never written through ------
s_symlink() {
    local d=$W/link pid rc
    mkdir -p "$d" && printf 'precious\n' >"$d/victim"
    # The shell that sleeps becomes render (exec): its pid is known in advance.
    ( sleep 0.3; exec "$RENDER" "$FX/cfr.mp4" -o "$d/o.mp4" -q --vf null </dev/null >"$W/l.out" 2>"$W/l.err" ) &
    pid=$!
    ln -s "$d/victim" "$d/o.mp4.part-$pid"
    rc=0; wait $pid || rc=$?
    check "3: planted symlink: exit 1, one line naming the file" "$(rr_why "$W/l" $rc)" \
        sh -c "[ $rc -eq 1 ] && [ \$(wc -l <'$W/l.err') -eq 1 ] && grep -q 'o.mp4.part-$pid' '$W/l.err'"
    check "3: planted symlink: its target untouched, no OUTPUT" "victim: $(cat "$d/victim"), dir: $(has "$d")" \
        sh -c "[ \"\$(cat '$d/victim')\" = precious ] && [ ! -e '$d/o.mp4' ] && [ -L '$d/o.mp4.part-$pid' ]"
    # A plain file planted there is not truncated either.
    rm -f "$d/o.mp4.part-$pid"
    ( sleep 0.3; exec "$RENDER" "$FX/cfr.mp4" -o "$d/o.mp4" -q --vf null </dev/null >"$W/l2.out" 2>"$W/l2.err" ) &
    pid=$!
    printf 'mine\n' >"$d/o.mp4.part-$pid"
    rc=0; wait $pid || rc=$?
    check "3: planted file at the temporary name kept" "$(rr_why "$W/l2" $rc)" \
        sh -c "[ $rc -eq 1 ] && [ \"\$(cat '$d/o.mp4.part-$pid')\" = mine ]"
}

# --- 4: an OUTPUT that appears during the run is not replaced without -y ---
s_appear() {
    local d=$W/appear
    mkdir -p "$d"
    start_bg "$W/a" "$SLOW" -t 1 -o "$d/o.mp4" -q --preset veryslow -w 2
    wait_file "$d/o.mp4.part-*" 50
    printf 'appeared\n' >"$d/o.mp4"
    wait_gone $PID 300
    check "4: OUTPUT appearing mid-run: exit 1, one line with the cause" "$(rr_why "$W/a" $RC)" \
        sh -c "[ $RC -eq 1 ] && [ \$(wc -l <'$W/a.err') -eq 1 ] && grep -q 'cannot finish the output: appeared' '$W/a.err'"
    check "4: OUTPUT appearing mid-run: kept, temporary file removed" "dir: $(has "$d")" \
        sh -c "[ \"\$(cat '$d/o.mp4')\" = appeared ] && [ \$(ls -A '$d' | wc -l) -eq 1 ]"
    # A --report that appears mid-run: kept, and OUTPUT is taken back (exit 1 leaves none).
    rm -f "$d/o.mp4"
    start_bg "$W/a2" "$SLOW" -t 1 -o "$d/o.mp4" --report "$d/r.json" -q --preset veryslow -w 2
    wait_file "$d/o.mp4.part-*" 50
    printf 'appeared\n' >"$d/r.json"
    wait_gone $PID 300
    check "4: --report appearing mid-run: exit 1, kept, no OUTPUT" "$(rr_why "$W/a2" $RC), dir: $(has "$d")" \
        sh -c "[ $RC -eq 1 ] && [ \"\$(cat '$d/r.json')\" = appeared ] && [ ! -e '$d/o.mp4' ] &&
               [ \$(wc -l <'$W/a2.err') -eq 1 ] &&
               grep -q 'r.json: appeared while rendering.*; removed ' '$W/a2.err' && [ \$(ls -A '$d' | wc -l) -eq 1 ]"
}

# --- 5: every signal removes the temporary file; stale ones are cleaned -----
s_signals() {
    local d=$W/sig sig n want
    mkdir -p "$d"
    for sig in INT TERM HUP QUIT PIPE; do
        n=$(kill -l "$sig"); want=$((128 + n))
        start_bg "$W/s$sig" "$SLOW" -o "$d/o.mp4" -q --preset veryslow -w 2
        if ! wait_file "$d/o.mp4.part-*" 50; then fail "5: SIG$sig" "no temporary file appeared"; kill -KILL $PID; continue; fi
        kill -"$sig" $PID
        wait_gone $PID 100 || kill -KILL $PID
        check "5: SIG$sig: exit $want, one line, nothing left" "$(rr_why "$W/s$sig" $RC), dir: $(has "$d")" \
            sh -c "[ $RC -eq $want ] && [ \$(wc -l <'$W/s$sig.err') -eq 1 ] && grep -q 'SIG$sig' '$W/s$sig.err' &&
                   [ -z \"\$(ls -A '$d')\" ]"
    done
    # A crash: the temporary file goes, render dies of the same signal.
    local crash="SEGV ABRT"
    [ $SANITIZED = 1 ] && { echo "skip - 5: SIGSEGV (a sanitizer build reports it itself)"; crash=ABRT; }
    for sig in $crash; do
        n=$(kill -l "$sig")
        ( ulimit -c 0; start_bg "$W/c$sig" "$SLOW" -o "$d/o.mp4" -q --preset veryslow -w 2
          wait_file "$d/o.mp4.part-*" 50; kill -"$sig" $PID; wait_gone $PID 100; exit $RC ) && RC=0 || RC=$?
        check "5: SIG$sig (a crash): dies of it, temporary file removed" "exit $RC, dir: $(has "$d")" \
            sh -c "[ $RC -eq $((128 + n)) ] && [ -z \"\$(ls -A '$d')\" ]"
    done
    # A sweep: its scratch output (next to --export) goes too, even on a
    # second signal that exits at once.
    start_bg "$W/sw" "$SLOW" --sweep 2 --repeat 1 --preset veryslow --export "$d/s.json" -q
    wait_file "$d/.render-sweep-*" 50
    kill -INT $PID; kill -INT $PID
    wait_gone $PID 100 || kill -KILL $PID
    check "5: sweep, SIGINT twice: exit 130, scratch output removed" "$(rr_why "$W/sw" $RC), dir: $(has "$d")" \
        sh -c "[ $RC -eq 130 ] && [ -z \"\$(ls -A '$d')\" ]"
    # SIGKILL leaves it; the next run for the same OUTPUT removes it (its
    # process is dead), but not the files of live processes or other names.
    start_bg "$W/k" "$SLOW" -o "$d/o.mp4" -q --preset veryslow -w 2
    wait_file "$d/o.mp4.part-*" 50
    kill -KILL $PID; wait $PID 2>/dev/null
    local stale
    stale=$(cd "$d" && ls o.mp4.part-* 2>/dev/null)
    printf 'live\n' >"$d/o.mp4.part-$$"
    printf 'other\n' >"$d/o.mp4.part-1x"
    printf 'other\n' >"$d/p.mp4.part-999999"
    rc=0; rr "$W/k2" "$FX/cfr.mp4" -o "$d/o.mp4" -q --vf null || rc=$?
    check "5: SIGKILL left $stale; the next run removed it, kept a live pid's and other names" \
        "$(rr_why "$W/k2" $rc), dir: $(has "$d")" \
        sh -c "[ -n '$stale' ] && [ $rc -eq 0 ] && [ ! -e '$d/$stale' ] && [ -e '$d/o.mp4.part-$$' ] &&
               [ -e '$d/o.mp4.part-1x' ] && [ -e '$d/p.mp4.part-999999' ]"
    rm -f "$d"/*
}

# --- 6: a stuck worker: the second SIGTERM ends the run at once -------------
s_hung() {
    local d=$W/hung t0
    mkdir -p "$d"
    # realtime at 1% speed sleeps 4 s per frame inside the filter: a worker
    # that never looks at the cancel flag, as a hung encoder would.
    start_bg "$W/h" "$FX/cfr.mp4" -o "$d/o.mp4" -q -w 2 --vf realtime=limit=100000:speed=0.01
    wait_file "$d/o.mp4.part-*" 50
    sleep 0.5
    kill -TERM $PID
    # at once: a sanitized build on a loaded machine gets 3 s, not 0.3
    local n=0 tenths=$((SANITIZED ? 30 : 3))
    while [ -n "$(ls -A "$d")" ] && [ $n -lt $tenths ]; do sleep 0.1; n=$((n + 1)); done
    check "6: first SIGTERM removes the temporary file at once" "dir: $(has "$d")" \
        sh -c "[ -z \"\$(ls -A '$d')\" ]"
    t0=$(date +%s%N)
    kill -TERM $PID
    wait_gone $PID $((SANITIZED ? 30 : 10)) || kill -KILL $PID
    check "6: second SIGTERM: exit 143 within $((SANITIZED ? 3 : 1)) s, one line, nothing left" \
        "$(rr_why "$W/h" $RC) after $((($(date +%s%N) - t0) / 1000000)) ms, dir: $(has "$d")" \
        sh -c "[ $RC -eq 143 ] && [ \$(wc -l <'$W/h.err') -eq 1 ] && [ -z \"\$(ls -A '$d')\" ]"
}

# --- 7: non-seekable input is refused at once (a loaded machine: under 3 s) --
s_fifo() {
    local d=$W/fifo t0 ms rc
    mkdir -p "$d" && mkfifo "$d/in.fifo"
    t0=$(date +%s%N); rc=0
    timeout 5 "$RENDER" "$d/in.fifo" -o "$d/o.mp4" -q </dev/null >"$W/f.out" 2>"$W/f.err" || rc=$?
    ms=$((($(date +%s%N) - t0) / 1000000))
    check "7: FIFO input: exit 1 at once (under 3 s, no writer awaited) with why and what to do" "exit $rc in $ms ms: $(err_of "$W/f.err")" \
        sh -c "[ $rc -eq 1 ] && [ $ms -lt 3000 ] && [ \$(wc -l <'$W/f.err') -eq 1 ] &&
               grep -q 'not a seekable file.*several times.*save it to a file first' '$W/f.err'"
    rc=0; timeout 5 "$RENDER" pipe:0 -o "$d/o.mp4" -q <"$FX/cfr.mp4" >"$W/f2.out" 2>"$W/f2.err" || rc=$?
    check "7: pipe:0 input: refused as not seekable" "exit $rc: $(err_of "$W/f2.err")" \
        sh -c "[ $rc -eq 1 ] && grep -q 'not a seekable file' '$W/f2.err'"
    rc=0; cat "$FX/cfr.mp4" | timeout 5 "$RENDER" /dev/stdin -o "$d/o.mp4" -q >"$W/f3.out" 2>"$W/f3.err" || rc=$?
    check "7: /dev/stdin (a pipe) refused" "exit $rc: $(err_of "$W/f3.err")" \
        sh -c "[ $rc -eq 1 ] && grep -q 'not a seekable file' '$W/f3.err'"
    check "7: nothing written" "dir: $(has "$d")" dir_is "$d" in.fifo
}

# --- 8: errors name the file they are about, with the real reason -----------
s_errors() {
    local d=$W/err rc
    mkdir -p "$d"
    rc=0; rr "$W/e1" "$FX/cfr.mp4" --report / -o "$d/o.mp4" -q --vf null || rc=$?
    check "8: --report /: exit 1, says '/: is a directory', no OUTPUT" "$(rr_why "$W/e1" $rc), dir: $(has "$d")" \
        sh -c "[ $rc -eq 1 ] && one() { :; }; grep -q '^render: /: is a directory' '$W/e1.err' && [ -z \"\$(ls -A '$d')\" ]"
    rc=0; rr "$W/e2" "$FX/cfr.mp4" --report "$d/nodir/r.json" -o "$d/o.mp4" -q --vf null || rc=$?
    check "8: --report in a missing directory: refused before OUTPUT" "$(rr_why "$W/e2" $rc)" \
        sh -c "[ $rc -eq 1 ] && grep -q 'nodir/r.json: cannot create it' '$W/e2.err' && [ -z \"\$(ls -A '$d')\" ]"
    if [ "$(id -u)" != 0 ] || ! mkdir -p "$W/tiny" || ! mount -t tmpfs -o size=64k tmpfs "$W/tiny" 2>/dev/null; then
        echo "skip - 8: ENOSPC (needs root to mount a 64 KiB tmpfs)"
        return
    fi
    rc=0; rr "$W/e3" "$SLOW" -t 1.5 -o "$W/tiny/o.mp4" -q || rc=$?
    check "8: ENOSPC names OUTPUT, not the input, and leaves nothing" "$(rr_why "$W/e3" $rc), tiny: $(has "$W/tiny")" \
        sh -c "[ $rc -eq 1 ] && [ \$(wc -l <'$W/e3.err') -eq 1 ] &&
               grep -q '^render: $W/tiny/o.mp4: .*No space left on device' '$W/e3.err' && [ -z \"\$(ls -A '$W/tiny')\" ]"
    head -c 65536 /dev/zero >"$W/tiny/fill" 2>/dev/null
    rc=0; rr "$W/e4" "$FX/cfr.mp4" -o "$d/o.mp4" --report "$W/tiny/r.json" -q --vf null || rc=$?
    check "8: a report that cannot be written: exit 1, the reason, OUTPUT undone" "$(rr_why "$W/e4" $rc), dir: $(has "$d")" \
        sh -c "[ $rc -eq 1 ] && [ \$(wc -l <'$W/e4.err') -eq 1 ] && grep -q '$W/tiny/r.json: No space left.*; removed' '$W/e4.err' && [ -z \"\$(ls -A '$d')\" ] &&
               [ \"\$(ls -A '$W/tiny')\" = fill ]"
    umount "$W/tiny"
}

# --- 9: every crasher the fuzzer found (make fuzz) stays fixed ---------------
s_crashers() {
    local f d=$W/crash rc base
    mkdir -p "$d"
    for f in "$CRASHERS"/*; do
        [ -f "$f" ] || continue
        base=${f##*/}
        rc=0; (cd "$d" && rr "$W/x" "$f" -o o.mp4 -q -w 2 --preset ultrafast) || rc=$?
        check "9: fuzz crasher $base: exit 0 or 1, no sanitizer report, nothing left on failure" \
            "$(rr_why "$W/x" $rc), dir: $(has "$d")" \
            sh -c "{ [ $rc -eq 0 ] || { [ $rc -eq 1 ] && [ -z \"\$(ls -A '$d')\" ]; }; } &&
                   ! grep -q -e 'Sanitizer' -e 'runtime error' '$W/x.err'"
        rm -f "$d"/*
    done
    # crash_flv_s7: one frame at 1049 s among frames under 1 s (decode
    # order), past -t's scan horizon: -t 1 writes nothing after 1 s (it
    # wrote that frame, and minterpolate filled the 1048 s with frames).
    local g pts
    for g in null "minterpolate=fps=50 --chunks 3"; do
        rc=0
        # shellcheck disable=SC2086
        rr "$W/t1" "$CRASHERS/crash_flv_s7.flv" -t 1 --vf $g -w 2 -q -an -c:v ffv1 -y -o "$d/o.mkv" || rc=$?
        pts=$(ffprobe -v error -select_streams v -show_entries packet=pts_time -of csv=p=0 "$d/o.mkv" 2>/dev/null | sort -n | tail -1)
        check "9: crash_flv_s7 -t 1 --vf $g: no frame after 1 s" "$(rr_why "$W/t1" $rc), last frame at '$pts'" \
            awk -v rc=$rc -v t="$pts" 'BEGIN { exit !(rc == 0 && t != "" && t < 1) }'
        rm -f "$d"/*
    done
    # ...and the ffmpeg form's output -t, the CLI's frames (it failed: "a
    # frame the plan does not know"). The CLI's concealment of the damaged
    # frames depends on its decoder's threads (ENGINE.md, damaged files):
    # render decodes on one, the reference too.
    ffmpeg -nostdin -v quiet -y -threads 1 -i "$CRASHERS/crash_flv_s7.flv" -t 1 -an -c:v ffv1 "$W/t1_ref.mkv"
    rc=0; rr "$W/t1f" -y -i "$CRASHERS/crash_flv_s7.flv" -t 1 -an -c:v ffv1 "$d/o.mkv" || rc=$?
    v_frames "$W/t1_ref.mkv" "$W/t1_ref"; v_frames "$d/o.mkv" "$W/t1f"
    check "9: crash_flv_s7, ffmpeg form -t 1: the CLI's frames and times" \
        "$(rr_why "$W/t1f" $rc), $(same_lines <(paste "$W/t1_ref.t" "$W/t1_ref.md5") <(paste "$W/t1f.t" "$W/t1f.md5"))" \
        sh -c "[ $rc -eq 0 ] && [ -s '$W/t1_ref.md5' ] && cmp -s '$W/t1_ref.md5' '$W/t1f.md5' && cmp -s '$W/t1_ref.t' '$W/t1f.t'"
    rm -f "$d"/*
}

# --- 10: memory: a frame too large is refused before it is allocated -------
s_memory() {
    local d=$W/mem rc avail ms t0
    mkdir -p "$d"
    avail=$(awk '/^MemAvailable:/ { print int($2 / 1048576) }' /proc/meminfo)
    if [ "${avail:-0}" -gt 28 ]; then
        echo "skip - 10: scale=16000:16000 fits in this machine's ${avail} GiB"
    else
        t0=$(date +%s%N); rc=0
        # at once: before any chunk; a sanitized build beside another script is slower
        bound=5000; [ $SANITIZED = 1 ] && bound=20000
        ( [ $SANITIZED = 1 ] || ulimit -v 8000000; rr "$W/m1" "$FX/cfr.mp4" --vf scale=16000:16000 -o "$d/o.mp4" -q ) || rc=$?
        ms=$((($(date +%s%N) - t0) / 1000000))
        check "10: --vf scale=16000:16000 refused at once with the estimate" "$(rr_why "$W/m1" $rc) in $ms ms" \
            sh -c "[ $rc -eq 1 ] && [ $ms -lt $bound ] && [ \$(wc -l <'$W/m1.err') -eq 1 ] &&
                   grep -q 'one worker needs about [0-9.]* GiB (16000x16000 frames' '$W/m1.err' && [ -z \"\$(ls -A '$d')\" ]"
    fi
    # -w N that cannot fit: at 4000x4000 a worker needs about 2.5 GiB.
    local need=$(( avail * 2 / 3 + 2 ))
    rc=0; rr "$W/m2" "$FX/cfr.mp4" --vf scale=4000:4000 -w "$need" --chunks "$need" -o "$d/o.mp4" -q || rc=$?
    check "10: -w $need at 4000x4000 refused with the estimate" "$(rr_why "$W/m2" $rc)" \
        sh -c "[ $rc -eq 1 ] && grep -q -- '-w [0-9]* needs about .* at most -w [0-9]* fits' '$W/m2.err'"
    # Automatic: lowered, said in one line before the run (then interrupted).
    OMP_NUM_THREADS=$need start_bg "$W/m3" "$FX/cfr.mp4" --vf scale=4000:4000 --chunks "$need" -o "$d/o.mp4"
    local n=0
    while ! grep -q 'workers instead of' "$W/m3.err" && kill -0 $PID 2>/dev/null && [ $n -lt 100 ]; do
        sleep 0.1; n=$((n + 1)); done
    kill -INT $PID 2>/dev/null; wait_gone $PID 100 || kill -KILL $PID
    check "10: automatic workers lowered to fit, said in one line" "$(rr_why "$W/m3" $RC)" \
        sh -c "grep -q '^render: $d/o.mp4: [0-9]* workers instead of $need: each needs about [0-9.]* GiB' '$W/m3.err' &&
               [ -z \"\$(ls -A '$d')\" ]"
}

# --- render-mpi: rank 0 writes through the same temporary file -------------
s_mpi() {
    local mpi=${RENDER_MPI:-$(dirname "$RENDER")/render-mpi} d=$W/mpi rc
    if [ ! -x "$mpi" ] || ! command -v mpirun >/dev/null; then
        echo "skip - mpi: no render-mpi or mpirun"
        return
    fi
    mkdir -p "$d" && cp "$FX/cfr.mp4" "$d/in.mp4"
    export OMPI_MCA_btl=self,vader OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    rc=0; OMP_NUM_THREADS=1 mpirun --oversubscribe --bind-to none -np 1 "$mpi" "$d/in.mp4" \
        --report "$d/in.mp4" -o "$d/o.mp4" -q </dev/null >"$W/mp.out" 2>"$W/mp.err" || rc=$?
    check "mpi: --report INPUT refused, input kept" "exit $rc: $(err_of "$W/mp.err")" \
        sh -c "[ $rc -ne 0 ] && cmp -s '$FX/cfr.mp4' '$d/in.mp4' && [ ! -e '$d/o.mp4' ]"
    rc=0; OMP_NUM_THREADS=1 mpirun --oversubscribe --bind-to none -np 2 "$mpi" "file:$d/in.mp4" \
        -o "$d/o.mp4" -q --vf null </dev/null >"$W/mp2.out" 2>"$W/mp2.err" || rc=$?
    check "mpi: a render leaves OUTPUT and no temporary file" "exit $rc: $(err_of "$W/mp2.err"), dir: $(has "$d")" \
        dir_is "$d" in.mp4 o.mp4
}

for sec in sidecar protocols symlink appear signals hung fifo errors crashers memory mpi; do
    want "$sec" && "s_$sec"
done

finish
