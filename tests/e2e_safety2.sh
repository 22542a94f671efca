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

has() { ls -A "$1" | tr '\n' ' '; }

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

# start_bg PREFIX ARGS...: render in the background, its own process group; pid in $PID.
start_bg() {
    local p=$1; shift
    set -m
    "$RENDER" "$@" </dev/null >"$p.out" 2>"$p.err" &
    PID=$!
    set +m
}
# wait_gone PID TENTHS: wait up to TENTHS/10 s for PID to end; rc in $RC (255 = still running).
wait_gone() {
    local n=0
    while kill -0 "$1" 2>/dev/null && [ $n -lt "$2" ]; do sleep 0.1; n=$((n + 1)); done
    if kill -0 "$1" 2>/dev/null; then RC=255; return 1; fi
    RC=0; wait "$1" || RC=$?
}
wait_file() {  # GLOB TENTHS: until a file matches.
    local n=0
    while ! compgen -G "$1" >/dev/null && [ $n -lt "$2" ]; do sleep 0.1; n=$((n + 1)); done
    compgen -G "$1" >/dev/null
}

# --- signals: one signal ends the run, whatever the graph -----------------
# A graph that never ends spins in the filter drain (or, for one frame that
# loops for ever, in the template that measures the graph): the first
# signal must stop the workers there, not only between packets.
s_signals() {
    local d=$W/sig vf sig n t0 ms
    mkdir -p "$d"
    for vf in tpad=stop=-1 loop=loop=-1:size=10 loop=loop=-1:size=1 "loop=loop=-1:size=1,tpad=stop=-1"; do
        for sig in TERM INT; do
            n=$(kill -l $sig)
            start_bg "$W/s" "$FX/cfr.mp4" -o "$d/o.mp4" -q -w 2 --vf "$vf"
            sleep 1.5
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

for sec in encoder signals; do
    want "$sec" && "s_$sec"
done

finish
