#!/usr/bin/env bash
# e2e_safety2.sh - safety, round two (issue 18): the classes of attack that
# e2e_safety.sh does not cover.
#
#   RENDER=/abs/path/render bash tests/e2e_safety2.sh    (ONLY="encoder signals" ...)
#
# Sections: encoder (an encoder that will not open), signals (a graph that
# never ends), parts (ownership of temporary files, long names), input
# (opened once), debris (every failure path), errors (one whole line),
# memory (the estimate), files (real files against the CLI), filters (the
# filter graph as a door).
. "$(dirname "$0")/lib.sh"

need_fixtures
need_render

FX=$FIXTURES
W=$T_TMP
MPI=${RENDER_MPI:-$(dirname "$RENDER")/render-mpi}
SANITIZED=0
grep -qa __asan_init "$RENDER" && SANITIZED=1
# Under `make asan`: libx265 keeps what a refused preset allocated, and
# OpenMPI its start-up (lib.sh); render's own leaks are still caught.
lsan_suppress libx265 $MPI_LIBS


# --- encoder: one that will not open is an error, never a crash -------------
s_encoder() {
    local d=$W/enc rc c
    mkdir -p "$d"
    for c in libx264 libx265 libvpx-vp9 libaom-av1 libsvtav1 mpeg4; do
        rc=0; rr "$W/e" "$FX/cfr.mp4" -o "$d/o.mp4" -q -c:v "$c" --preset bogus -t 0.5 || rc=$?
        check "encoder: $c --preset bogus: exit 1, one render line naming the refusal, nothing left" \
            "$(rr_why "$W/e" $rc), dir: $(has "$d")" \
            sh -c "[ $rc -eq 1 ] && [ \$(grep -c '^render' '$W/e.err') -eq 1 ] &&
                   tail -n 1 '$W/e.err' | grep -q -e 'bogus' -e \"no option 'preset'\" && [ -z \"\$(ls -A '$d')\" ]"
    done
    rc=0; rr "$W/e2" "$FX/cfr.mp4" -o "$d/o.mp4" -q --venc-opt profile=nonsense -t 0.5 || rc=$?
    check "encoder: libx264 profile=nonsense: exit 1, the reason, nothing left" "$(rr_why "$W/e2" $rc)" \
        sh -c "[ $rc -eq 1 ] && tail -n 1 '$W/e2.err' | grep -q 'cannot open encoder libx264.*: .' && [ -z \"\$(ls -A '$d')\" ]"
    if [ -x "$MPI" ] && command -v mpirun >/dev/null; then
        export OMPI_MCA_btl=self,vader OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
        rc=0; OMP_NUM_THREADS=1 timeout 60 mpirun --oversubscribe --bind-to none -np 2 "$MPI" "$FX/cfr.mp4" \
            -o "$d/o.mp4" -q --preset bogus -t 0.5 </dev/null >"$W/em.out" 2>"$W/em.err" || rc=$?
        check "encoder: render-mpi --preset bogus: fails without a crash, nothing left" \
            "exit $rc: $(head -c 300 "$W/em.err" | tr '\n' '|'), dir: $(has "$d")" \
            sh -c "[ $rc -eq 1 ] && ! grep -q -e 'Segmentation' -e 'signal 11' '$W/em.err' &&
                   grep -q 'bogus' '$W/em.err' && [ -z \"\$(ls -A '$d')\" ]"
    else
        echo "skip - encoder: render-mpi (no render-mpi or mpirun)"
    fi
}


# --- signals: one signal ends the run, whatever the graph -----------------
# A graph that never ends spins in the filter drain (or, for one frame that
# loops for ever, in the template that measures the graph): the first
# signal must stop the workers there, not only between packets.
s_signals() {
    local d=$W/sig vf sig sigs n t0 ms
    mkdir -p "$d"
    for vf in tpad=stop=-1 loop=loop=-1:size=10 loop=loop=-1:size=1 "loop=loop=-1:size=1,tpad=stop=-1"; do
        sigs=TERM
        [ "$vf" = tpad=stop=-1 ] && sigs="TERM INT"
        for sig in $sigs; do
            n=$(kill -l $sig)
            start_bg "$W/s" "$FX/cfr.mp4" -o "$d/o.mp4" -q -w 2 --vf "$vf"
            sleep 1
            t0=$(date +%s%N)
            kill -$sig $PID
            wait_gone $PID 30 || kill -KILL $PID
            ms=$((($(date +%s%N) - t0) / 1000000))
            check "signals: --vf $vf, one SIG$sig: exit $((128 + n)) within 3 s, one line, nothing left" \
                "$(rr_why "$W/s" $RC) after $ms ms, dir: $(has "$d")" \
                sh -c "[ $RC -eq $((128 + n)) ] && [ \$(wc -l <'$W/s.err') -eq 1 ] && [ -z \"\$(ls -A '$d')\" ]"
            rm -f "$d"/*
        done
    done
}

# mark_hold FILE KEY SECONDS: make FILE as render marks its temporary files
# (owner.h: the user.render.temp attribute) and hold its lock for SECONDS
# in the background (pid in $HOLDER); SECONDS 0: marked, not locked.
mark_hold() {
    python3 - "$1" "$2" "$3" <<'PY' &
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o644)
os.write(fd, b"data")
if float(sys.argv[3]) > 0:
    fcntl.flock(fd, fcntl.LOCK_EX)
os.setxattr(sys.argv[1], "user.render.temp", sys.argv[2].encode())
open(sys.argv[1] + ".ready", "w").close()
time.sleep(float(sys.argv[3]))
PY
    HOLDER=$!
    local n=0
    while [ ! -e "$1.ready" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
    rm -f "$1.ready"
}

# --- parts: a temporary file is removed only when provably a dead render's --
s_parts() {
    local d=$W/parts rc stale long u
    mkdir -p "$d"
    printf 'data\n' >"$d/o.mp4.part-99999999"
    printf 'data\n' >"$d/o.mp4.part-1"
    rc=0; rr "$W/p1" "$FX/cfr.mp4" -o "$d/o.mp4" -q --vf null -t 0.5 || rc=$?
    check "parts: a user's o.mp4.part-99999999 (dead pid) and .part-1 kept" "$(rr_why "$W/p1" $rc), dir: $(has "$d")" \
        sh -c "[ $rc -eq 0 ] && [ \"\$(cat '$d/o.mp4.part-99999999')\" = data ] && [ -e '$d/o.mp4.part-1' ]"
    check "parts: the finished OUTPUT carries no temporary-file marker" "$(getfattr -d "$d/o.mp4" 2>&1 | head -3)" \
        python3 -c "import os,sys; sys.exit('user.render.temp' in os.listxattr('$d/o.mp4'))"
    rm -f "$d"/*
    # A live run's file (marked, locked) under a pid this namespace calls dead.
    mark_hold "$d/o.mp4.part-99999998" o.mp4 30
    rc=0; rr "$W/p2" "$FX/cfr.mp4" -o "$d/o.mp4" -q --vf null -t 0.5 || rc=$?
    check "parts: a live run's marked and locked file kept (its pid means nothing here)" \
        "$(rr_why "$W/p2" $rc), dir: $(has "$d")" \
        sh -c "[ $rc -eq 0 ] && [ -e '$d/o.mp4.part-99999998' ]"
    kill $HOLDER; wait $HOLDER 2>/dev/null
    # Once its lock is gone, the same file is a dead render's: removed.
    rc=0; rr "$W/p3" "$FX/cfr.mp4" -o "$d/o.mp4" -q -y --vf null -t 0.5 || rc=$?
    check "parts: the same file, unlocked: removed by the next run" "$(rr_why "$W/p3" $rc), dir: $(has "$d")" \
        sh -c "[ $rc -eq 0 ] && [ ! -e '$d/o.mp4.part-99999998' ]"
    # Marked for another OUTPUT: not this run's to remove.
    mark_hold "$d/o.mp4.part-99999997" other.mp4 0; wait $HOLDER
    rc=0; rr "$W/p4" "$FX/cfr.mp4" -o "$d/o.mp4" -q -y --vf null -t 0.5 || rc=$?
    check "parts: a file marked for another name kept" "$(rr_why "$W/p4" $rc), dir: $(has "$d")" \
        sh -c "[ $rc -eq 0 ] && [ -e '$d/o.mp4.part-99999997' ]"
    rm -f "$d"/*
    # SIGKILL, and the parent does not reap the dead render (a zombie keeps
    # its pid alive): the next run still removes its file.
    set -m
    "$RENDER" "$FX/noisy.mp4" -o "$d/o.mp4" -q --preset veryslow -w 2 </dev/null >/dev/null 2>&1 &
    local pid=$!
    set +m
    wait_file "$d/o.mp4.part-*" 50
    kill -KILL $pid 2>/dev/null; sleep 0.3
    stale=$(cd "$d" && ls o.mp4.part-* 2>/dev/null)
    rc=0; rr "$W/p5" "$FX/cfr.mp4" -o "$d/o.mp4" -q --vf null -t 0.5 || rc=$?
    check "parts: SIGKILL, parent not reaped yet: the next run removes $stale" "$(rr_why "$W/p5" $rc), dir: $(has "$d")" \
        sh -c "[ -n '$stale' ] && [ $rc -eq 0 ] && [ ! -e '$d/$stale' ]"
    wait $pid 2>/dev/null
    rm -f "$d"/*
    # A live run in another PID namespace: its part file has a pid that
    # means something else here; a run on the host for the same OUTPUT keeps it.
    if unshare -pf --mount-proc true 2>/dev/null; then
        set -m
        # render gets a pid of some 300 there (dead, or someone else's, here).
        unshare -pf --mount-proc sh -c 'for i in $(seq 300); do /bin/true; done; "$@"; :' sh \
            "$RENDER" "$FX/noisy.mp4" -o "$d/o.mp4" -q --preset veryslow -w 2 </dev/null >/dev/null 2>&1 &
        pid=$!
        set +m
        wait_file "$d/o.mp4.part-*" 50
        stale=$(cd "$d" && ls o.mp4.part-* 2>/dev/null)
        rc=0; rr "$W/p6" "$FX/cfr.mp4" -o "$d/o.mp4" -q --vf null -t 0.5 || rc=$?
        check "parts: a live run in another PID namespace keeps $stale" "$(rr_why "$W/p6" $rc), dir: $(has "$d")" \
            sh -c "[ -n '$stale' ] && [ $rc -eq 0 ] && [ -e '$d/$stale' ]"
        kill -TERM -- -$pid; wait_gone $pid 50 || kill -KILL -- -$pid
        rm -f "$d"/*
    else
        echo "skip - parts: another PID namespace (unshare -p not allowed)"
    fi
    # OUTPUT names at NAME_MAX: the temporary name is shortened, never refused.
    long=$(printf 'a%.0s' $(seq 251)).mp4
    rc=0; rr "$W/p7" "$FX/cfr.mp4" -o "$d/$long" --report "$d/${long:5}.json" -q --vf null -t 0.5 || rc=$?
    check "parts: OUTPUT and --report of 255 bytes are written, nothing else left" \
        "$(rr_why "$W/p7" $rc), dir: $(has "$d" | head -c 200)" \
        sh -c "[ $rc -eq 0 ] && [ -s '$d/$long' ] && [ -s '$d/${long:5}.json' ] && [ \$(ls -A '$d' | wc -l) -eq 2 ]"
    rm -f "$d"/*
    u=$(printf 'é%.0s' $(seq 125))x.mp4   # 255 bytes, two-byte characters
    rc=0; rr "$W/p8" "$FX/cfr.mp4" -o "$d/$u" -q --vf null -t 0.5 || rc=$?
    check "parts: a 255-byte UTF-8 OUTPUT is written" "$(rr_why "$W/p8" $rc)" \
        sh -c "[ $rc -eq 0 ] && [ -s '$d/$u' ] && [ \$(ls -A '$d' | wc -l) -eq 1 ]"
    # Stale temporary files of a long name are found under the shortened name.
    set -m
    "$RENDER" "$FX/noisy.mp4" -o "$d/$u" -q -y --preset veryslow -w 2 </dev/null >/dev/null 2>&1 &
    pid=$!
    set +m
    wait_file "$d/*.part-*" 50
    kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
    stale=$(cd "$d" && ls | grep part- | head -c 300)
    rc=0; rr "$W/p9" "$FX/cfr.mp4" -o "$d/$u" -q -y --vf null -t 0.5 || rc=$?
    check "parts: a long OUTPUT's shortened temporary file, left by SIGKILL, removed by the next run" \
        "$(rr_why "$W/p9" $rc), left: $(ls "$d" | grep part- | head -c 200)" \
        sh -c "[ -n '$stale' ] && [ $rc -eq 0 ] && [ -z \"\$(ls -A '$d' | grep part-)\" ]"
    rm -f "$d"/*
    # A sweep killed with SIGKILL leaves hidden scratch outputs; the next
    # sweep there removes them, not a user's file named like one.
    set -m
    "$RENDER" "$FX/noisy.mp4" --sweep 1,2 --repeat 1 --preset veryslow --export "$d/s.json" -q \
        </dev/null >/dev/null 2>&1 &
    pid=$!
    set +m
    wait_file "$d/.render-sweep-*.part-*" 100
    kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
    stale=$(cd "$d" && ls -A | tr '\n' ' ')
    printf 'mine\n' >"$d/.render-sweep-mine00.mp4"
    rc=0; rr "$W/p10" "$FX/cfr.mp4" --sweep 1 --repeat 1 -t 0.3 --vf null --export "$d/s.json" -q || rc=$?
    check "parts: a sweep's scratch files left by SIGKILL ($stale) removed by the next sweep, a user's kept" \
        "$(rr_why "$W/p10" $rc), dir: $(has "$d")" \
        sh -c "case '$stale' in *.render-sweep-*) ;; *) exit 1 ;; esac && [ $rc -eq 0 ] &&
               [ \"\$(ls -A '$d' | sort | tr '\n' ' ')\" = '.render-sweep-mine00.mp4 s.json ' ]"
    rm -f "$d"/* "$d"/.render-sweep-*
}

# --- input: every chunk reads the file that was probed ---------------------
s_input() {
    local d=$W/inp rc
    mkdir -p "$d"
    # Another file renamed over INPUT mid-run: render goes on with the file
    # it probed (the same inode), never frames of both. Lossless, so the
    # output's frames are the input's.
    cp "$FX/noisy.mp4" "$d/in.mp4"
    v_md5 "$d/in.mp4" >"$W/ref.md5"
    cp "$FX/cfr.mp4" "$d/other.mp4"
    start_bg "$W/i1" "$d/in.mp4" -o "$d/o.mkv" -q -c:v ffv1 -an -w 2 --chunks 6 --vf realtime
    wait_file "$d/o.mkv.part-*" 50
    mv "$d/other.mp4" "$d/in.mp4"
    wait_gone $PID 300 || kill -KILL $PID
    v_md5 "$d/o.mkv" >"$W/o.md5" 2>/dev/null
    check "input: a file renamed over INPUT mid-run: exit 0 with the probed file's frames only" \
        "$(rr_why "$W/i1" $RC), $(same_lines "$W/ref.md5" "$W/o.md5")" \
        sh -c "[ $RC -eq 0 ] && [ -s '$W/ref.md5' ] && cmp -s '$W/ref.md5' '$W/o.md5'"
    rm -f "$d"/*
    # The file itself changed in place (rewritten, appended to): an error.
    for how in rewrite append; do
        cp "$FX/noisy.mp4" "$d/in.mp4"
        start_bg "$W/i2" "$d/in.mp4" -o "$d/o.mp4" -q --preset veryslow -w 2 --chunks 6
        wait_file "$d/o.mp4.part-*" 50
        case $how in
            rewrite) cat "$FX/cfr.mp4" >"$d/in.mp4" ;;
            append) printf 'more' >>"$d/in.mp4" ;;
        esac
        wait_gone $PID 300 || kill -KILL $PID
        check "input: INPUT changed in place mid-run ($how): exit 1, one line saying so, no OUTPUT" \
            "$(rr_why "$W/i2" $RC), dir: $(has "$d")" \
            sh -c "[ $RC -eq 1 ] && [ \$(wc -l <'$W/i2.err') -eq 1 ] &&
                   grep -q 'in.mp4: changed while rendering' '$W/i2.err' && [ \"\$(ls -A '$d')\" = in.mp4 ]"
        rm -f "$d"/*
    done
}

# --- filters: every file a filter touches obeys render's file rules ----------
s_filters() {
    local d=$W/flt rc vf
    mkdir -p "$d" && cp "$FX/cfr.mp4" "$d/in.mp4"
    # Writing over INPUT, OUTPUT or a sidecar: refused before anything is
    # opened, --dry-run included; the input byte for byte.
    for vf in "metadata=mode=print:file=$d/in.mp4" "metadata=print:file=$d/in.mp4" \
              "null,metadata@m=print:file='$d/in.mp4'" "signalstats,metadata=print:file=$d/o.mp4" \
              "metadata=print:file=$d/r.json" "psnr=stats_file=$d/in.mp4" "vidstabdetect=result=$d/in.mp4"; do
        for dry in "" --dry-run; do
            case $dry$vf in --dry-run*o.mp4|--dry-run*r.json) continue ;; esac  # a dry run writes neither
            rc=0; rr "$W/f1" "$d/in.mp4" -o "$d/o.mp4" --report "$d/r.json" -q -w 2 --vf "$vf" $dry || rc=$?
            check "filters: --vf $vf $dry: refused in one line, input intact, nothing written" \
                "$(rr_why "$W/f1" $rc), dir: $(has "$d")" \
                sh -c "[ $rc -eq 1 ] && [ \$(wc -l <'$W/f1.err') -eq 1 ] && grep -q 'would write over' '$W/f1.err' &&
                       cmp -s '$FX/cfr.mp4' '$d/in.mp4' && [ \"\$(ls -A '$d')\" = in.mp4 ]"
        done
    done
    # An existing file is not replaced without -y.
    printf 'keep\n' >"$d/m.txt"
    rc=0; rr "$W/f2" "$d/in.mp4" -o "$d/o.mp4" -q --vf "metadata=print:file=$d/m.txt" || rc=$?
    check "filters: metadata file= an existing file, no -y: refused, kept" "$(rr_why "$W/f2" $rc)" \
        sh -c "[ $rc -eq 1 ] && grep -q 'm.txt: already exists (use -y' '$W/f2.err' &&
               [ \"\$(cat '$d/m.txt')\" = keep ] && [ ! -e '$d/o.mp4' ]"
    rm -f "$d/m.txt"
    # --dry-run never writes it.
    rc=0; rr "$W/f3" "$d/in.mp4" -o "$d/o.mp4" --dry-run --vf "signalstats,metadata=print:file=$d/m.txt" || rc=$?
    check "filters: --dry-run does not write the filter's file" "$(rr_why "$W/f3" $rc), dir: $(has "$d")" \
        sh -c "[ $rc -eq 0 ] && [ \"\$(ls -A '$d')\" = in.mp4 ]"
    # A run writes it once, whole, as the ffmpeg CLI does (one chunk).
    rc=0; rr "$W/f4" "$d/in.mp4" -o "$d/o.mp4" -q -w 2 --vf "signalstats,metadata=print:file=$d/m.txt" || rc=$?
    ffmpeg -nostdin -v error -i "$d/in.mp4" -vf "signalstats,metadata=print:file=$W/ref.txt" -f null - 2>/dev/null
    check "filters: signalstats,metadata=print:file= at -w 2: the CLI's file, nothing else left" \
        "$(rr_why "$W/f4" $rc), dir: $(has "$d")" \
        sh -c "[ $rc -eq 0 ] && [ -s '$W/ref.txt' ] && cmp -s '$W/ref.txt' '$d/m.txt' &&
               [ \"\$(ls -A '$d' | tr '\n' ' ')\" = 'in.mp4 m.txt o.mp4 ' ]"
    rm -f "$d/m.txt" "$d/o.mp4"
    # A failed run removes it (and its temporary file): -t past a bad encoder option.
    rc=0; rr "$W/f5" "$d/in.mp4" -o "$d/o.mp4" -q --venc-opt nosuchoption=1 --vf "metadata=print:file=$d/m.txt" || rc=$?
    check "filters: a failed run leaves neither the filter's file nor its temporary" \
        "$(rr_why "$W/f5" $rc), dir: $(has "$d")" sh -c "[ $rc -eq 1 ] && [ \"\$(ls -A '$d')\" = in.mp4 ]"
    # A signal removes it too.
    start_bg "$W/f6" "$d/in.mp4" -o "$d/o.mp4" -q --vf "metadata=print:file=$d/m.txt,realtime=speed=0.5"
    wait_file "$d/m.txt.tmp-*" 50
    kill -TERM $PID; wait_gone $PID 50 || kill -KILL $PID
    check "filters: SIGTERM removes the filter's temporary file" "$(rr_why "$W/f6" $RC), dir: $(has "$d")" \
        sh -c "[ $RC -eq 143 ] && [ \"\$(ls -A '$d')\" = in.mp4 ]"
    # Reads go through --protocols; sockets and plugins need their name.
    for vf in "movie='concat\\:$d/in.mp4|$d/in.mp4'[m];[in][m]overlay" \
              "movie=subfile\\\\:,,start,0,end,0,,\\\\:$d/in.mp4[m];[in][m]overlay" \
              "subtitles=http\\\\://127.0.0.1\\\\:9/x.srt" "zmq,null" "frei0r=filter_name=x" \
              "ladspa=file=$d/x.so"; do
        rc=0; rr "$W/f7" "$d/in.mp4" -o "$d/o.mp4" -q --vf "$vf" || rc=$?
        check "filters: --vf $vf: refused in one line before anything is opened" "$(rr_why "$W/f7" $rc)" \
            sh -c "[ $rc -eq 1 ] && [ \$(wc -l <'$W/f7.err') -eq 1 ] &&
                   grep -q -e 'is not allowed (--protocols)' -e 'refused unless named (--allow-filter' '$W/f7.err' &&
                   [ \"\$(ls -A '$d')\" = in.mp4 ]"
        rm -f "$d/o.mp4"
    done
    rc=0; rr "$W/f8" "$d/in.mp4" -o "$d/o.mp4" -q --vf "movie='concat\\:$d/in.mp4'[m];[in][m]overlay" \
        --protocols concat -t 0.5 || rc=$?
    check "filters: --protocols concat lets movie= read concat:" "$(rr_why "$W/f8" $rc)" \
        sh -c "[ $rc -eq 0 ] && [ -s '$d/o.mp4' ]"
    rm -f "$d/o.mp4"
}

# --- debris: nothing left on any failure path --------------------------------
s_debris() {
    local d=$W/deb rc ss
    mkdir -p "$d"
    # A stack overflow in a worker (a tiny OMP_STACKSIZE): the crash handler
    # runs on its own stack and removes the temporary file.
    if [ $SANITIZED = 1 ]; then
        echo "skip - debris: stack overflow (a sanitizer build reports it itself)"
    else
        for ss in 16k 32k; do
            rc=0; ( ulimit -c 0; OMP_STACKSIZE=$ss exec "$RENDER" "$FX/cfr.mp4" -o "$d/o.mp4" -q -w 2 -t 1 \
                </dev/null >"$W/d1.out" 2>"$W/d1.err" ) 2>/dev/null || rc=$?
            check "debris: OMP_STACKSIZE=$ss: failed or done, nothing left behind" "exit $rc, dir: $(has "$d")" \
                sh -c "{ [ $rc -eq 0 ] && [ \"\$(ls -A '$d')\" = o.mp4 ]; } || { [ $rc -ne 0 ] && [ -z \"\$(ls -A '$d')\" ]; }"
            rm -f "$d"/*
        done
    fi
}

# --- errors: one whole line with the real reason ------------------------------
s_errors() {
    local rc
    rc=0; "$RENDER" "$FX/cfr.mp4" --dry-run </dev/null >/dev/full 2>"$W/x1.err" || rc=$?
    check "errors: --dry-run > /dev/full: exit 1, says so" "exit $rc: $(head -c 300 "$W/x1.err")" \
        sh -c "[ $rc -eq 1 ] && grep -q 'standard output: No space left on device' '$W/x1.err'"
    rc=0; "$RENDER" --help </dev/null >/dev/full 2>"$W/x2.err" || rc=$?
    check "errors: --help > /dev/full: exit 1" "exit $rc" test $rc -eq 1
    # --dry-run with a --report that exists: refused before planning, in
    # one line that says so; the OUTPUT of an earlier run (a dry run only
    # names it) is not removed, with -y neither.
    local d=$W/dry
    mkdir -p "$d" && printf 'earlier\n' >"$d/o.mp4" && printf '{}\n' >"$d/r.json"
    rc=0; "$RENDER" "$FX/cfr.mp4" --dry-run -o "$d/o.mp4" --report "$d/r.json" </dev/null >/dev/null \
        2>"$W/x3.err" || rc=$?
    check "errors: --dry-run, --report exists: exit 1, 'already exists', OUTPUT kept" \
        "exit $rc: $(head -c 300 "$W/x3.err"), o.mp4: $(cat "$d/o.mp4" 2>&1)" \
        sh -c "[ $rc -eq 1 ] && [ \$(wc -l <'$W/x3.err') -eq 1 ] && grep -q 'r.json: already exists (use -y' '$W/x3.err' &&
               [ \"\$(cat '$d/o.mp4')\" = earlier ] && [ \"\$(cat '$d/r.json')\" = '{}' ]"
    rc=0; "$RENDER" "$FX/cfr.mp4" --dry-run -y -o "$d/o.mp4" --report "$d/r.json" </dev/null >/dev/null \
        2>"$W/x4.err" || rc=$?
    check "errors: --dry-run -y: the report replaced, OUTPUT untouched" \
        "exit $rc: $(head -c 300 "$W/x4.err"), o.mp4: $(cat "$d/o.mp4" 2>&1)" \
        sh -c "[ $rc -eq 0 ] && [ \"\$(cat '$d/o.mp4')\" = earlier ] && grep -q '\"dry_run\"' '$d/r.json'"
    rm -rf "$d"
}

for sec in encoder signals parts input filters debris errors; do
    want "$sec" && "s_$sec"
done

finish
