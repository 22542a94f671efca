#!/usr/bin/env bash
# e2e_resume.sh - --resume (issue 20): a render killed at any point, then
# the same command with --resume, writes what one uninterrupted run writes
# (ffv1: the decoded frames and their times, and the audio packets),
# encoding only the chunks the journal lacks; a journal of another input,
# of other settings, or with a damaged chunk is never used for the wrong
# output; nothing is left afterwards.
#
#   RENDER=/abs/path/render [RENDER_MPI=/abs/path/render-mpi] bash tests/e2e_resume.sh
#
# Sections (ONLY="..."): plain, before, middle, final, workers, damaged,
# input, settings, refuse, signal, mpi.
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
IN=$W/in.mp4
IN2=$W/in2.mp4
# A workload slow enough to be killed in the middle (about a second on two
# cores), with a temporal filter, so that where chunks start shows in the
# pixels; a fixed chunk count, so that the reference has the same plan
# (an automatic plan weighs times measured on the first frame).
VF="hqdn3d=8,unsharp=7:7:2"
ARGS=(-c:v ffv1 --vf "$VF" --chunks 8)

ffmpeg -nostdin -v error -f lavfi -i testsrc2=s=320x240:r=25:d=6 -f lavfi -i sine=f=440:d=6 \
    -c:v libx264 -g 50 -pix_fmt yuv420p -c:a aac -shortest "$IN" &&
ffmpeg -nostdin -v error -f lavfi -i testsrc=s=320x240:r=25:d=6 -f lavfi -i sine=f=660:d=6 \
    -c:v libx264 -g 50 -pix_fmt yuv420p -c:a aac -shortest "$IN2" ||
    { fail "inputs" "ffmpeg could not make the test clips"; finish; exit 1; }

err_of() { head -c 300 "$1" | tr '\n' '|'; }
records() { grep -aob RDJC "$1" 2>/dev/null | wc -l; }   # chunk records in a journal
jnum() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$2)" "$1" 2>/dev/null; }
a_md5() { ffmpeg -nostdin -v error -i "$1" -map 0:a:0 -c copy -f framemd5 - 2>/dev/null | grep -v '^#'; }
# same_output A B: same video frames and times, same audio packets (A's
# decode is kept for the next comparison with A).
same_output() {
    if [ "${SA_OF:-}" != "$1" ]; then
        v_frames "$1" "$W/sa"; a_md5 "$1" | md5sum >"$W/sa.a"; SA_OF=$1
    fi
    v_frames "$2" "$W/sb"
    same_lines "$W/sa.md5" "$W/sb.md5" && same_lines "$W/sa.t" "$W/sb.t" &&
        [ "$(cat "$W/sa.a")" = "$(a_md5 "$2" | md5sum)" ] && [ -s "$W/sa.md5" ]
}
# only DIR NAMES...: the directory holds exactly these names.
only() {
    local d=$1; shift
    [ "$(ls -A "$d" | sort | tr '\n' ' ')" = "$(printf '%s\n' "$@" | sort | tr '\n' ' ')" ]
}

# kill_at OUT RECORDS ARGS...: start render ARGS in the background and
# SIGKILL it once OUT.journal holds RECORDS chunk records (0: as soon as the
# journal exists). The run is stopped (SIGSTOP) while the journal is looked
# at, so the look costs it no time: a short final phase is caught too.
# $KILLED_AT gets the records it held.
kill_at() {
    local out=$1 want=$2 i pid; shift 2
    "$RENDER" "$@" -q </dev/null >/dev/null 2>"$W/killed.err" &
    pid=$!
    for i in $(seq 6000); do
        sleep 0.002
        kill -STOP $pid 2>/dev/null || break
        if [ -e "$out.journal" ] && [ "$(records "$out.journal")" -ge "$want" ]; then break; fi
        kill -CONT $pid 2>/dev/null
    done
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    KILLED_AT=$(records "$out.journal")
}

# The reference: one uninterrupted run, no --resume: no journal either.
REF=$W/ref.mkv
rr "$W/ref" "$IN" -o "$REF" -w 3 "${ARGS[@]}" -q --report "$W/ref.json"; rc=$?
check "plain: a clean run" "$(rr_why "$W/ref" $rc)" [ $rc = 0 ]
NCH=$(jnum "$W/ref.json" "['chunks']")
NFR=$(jnum "$W/ref.json" "['frames_out']")
check "plain: $NCH chunks, $NFR frames" "$NCH chunks" [ "${NCH:-0}" = 8 ]
check "plain: without --resume no journal" "$(ls -A "$W")" [ ! -e "$REF.journal" ]

d=$W/p; mkdir -p "$d"
rr "$W/p1" "$IN" -o "$d/out.mkv" -w 3 "${ARGS[@]}" --resume; rc=$?
check "plain: --resume, no kill: exit 0, same output" "$(rr_why "$W/p1" $rc)" \
    eval '[ $rc = 0 ] && same_output "$REF" "$d/out.mkv"'
check "plain: the journal goes with a complete OUTPUT" "$(ls -A "$d")" only "$d" out.mkv

# resumed NAME DIR OUT [ARGS...]: run --resume (-w 2 by default: the plan
# must come from the journal, not from the new worker count) and check the
# output against the reference and that nothing is left.
resumed() {
    local name=$1 d=$2 out=$3 rc; shift 3
    rr "$d/r" "$IN" -o "$out" "${ARGS[@]}" --resume --report "$d/r.json" "$@"; rc=$?
    check "$name: resumed run exits 0" "$(rr_why "$d/r" $rc)" [ $rc = 0 ]
    check "$name: same frames, times and audio as one run" "$(same_output "$REF" "$out")" \
        same_output "$REF" "$out"
    check "$name: nothing left but OUTPUT" "$(ls -A "$d")" only "$d" "$(basename "$out")" r.out r.err r.json
    RESUMED=$(jnum "$d/r.json" "['resumed_chunks']")
    ENCODED=$(jnum "$d/r.json" "['frames_out'] - json.load(open(sys.argv[1]))['resumed_frames']")
    RESUMED=${RESUMED:--1} ENCODED=${ENCODED:--1}
}

if want before; then
    d=$W/b; mkdir -p "$d"
    kill_at "$d/out.mkv" 0 "$IN" -o "$d/out.mkv" -w 3 "${ARGS[@]}" --resume
    check "before: SIGKILL left the journal" "$(ls -A "$d")" [ -e "$d/out.mkv.journal" ]
    resumed before "$d" "$d/out.mkv" -w 2
    check "before: $RESUMED of $NCH chunks resumed (killed at $KILLED_AT)" "" [ "$RESUMED" = "$KILLED_AT" ]
fi

if want middle; then
    d=$W/m; mkdir -p "$d"
    kill_at "$d/out.mkv" 3 "$IN" -o "$d/out.mkv" -w 3 "${ARGS[@]}" --resume
    check "middle: killed with $KILLED_AT of $NCH chunks journaled" "" \
        eval '[ "$KILLED_AT" -ge 3 ] && [ "$KILLED_AT" -lt "$NCH" ]'
    check "middle: OUTPUT's temporary is still there (SIGKILL)" "$(ls -A "$d")" \
        eval 'ls "$d"/out.mkv.part-* >/dev/null 2>&1'
    resumed middle "$d" "$d/out.mkv" -w 2
    check "middle: the journal's $KILLED_AT chunks reused" "resumed $RESUMED" [ "$RESUMED" = "$KILLED_AT" ]
    check "middle: fewer frames encoded ($ENCODED of $NFR)" "" [ "$ENCODED" -lt "$NFR" ]
    check "middle: the report marks resumed chunks" "" \
        [ "$(jnum "$d/r.json" "['chunks_detail'][0]['resumed']")" = True ]
    check "middle: stderr says what is resumed" "$(err_of "$d/r.err")" \
        grep -q "out.mkv.journal: resuming: $KILLED_AT of $NCH chunks journaled" "$d/r.err"
fi

if want final; then
    # Killed once every chunk is journaled and the trailer written, at the
    # instant OUTPUT is put in place: tests/tools/killrename.c makes render
    # SIGKILL itself there, so the kill lands in that window on every run
    # (polling for it was a race a fast final write could win).
    d=$W/f; mkdir -p "$d"
    shim=$W/killrename.so
    ${CC:-cc} -shared -fPIC -o "$shim" "$T_ROOT/tests/tools/killrename.c" -ldl 2>"$W/cc.err"
    # (a sanitizer build wants its runtime first among the preloads: the
    # shim before it is harmless, the check is turned off)
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
    check "final: the kill shim builds" "$(err_of "$W/cc.err")" [ -s "$shim" ]
    # (bash's own "Killed" line goes to the braces' /dev/null)
    { LD_PRELOAD=$shim RD_KILL_AT_RENAME=out.mkv "$RENDER" "$IN" -o "$d/out.mkv" -w 3 "${ARGS[@]}" \
        --resume -q </dev/null >/dev/null 2>"$W/killed.err"; rc=$?; } 2>/dev/null
    KILLED_AT=$(records "$d/out.mkv.journal")
    check "final: killed at OUTPUT's rename (exit $rc), $KILLED_AT of $NCH chunks journaled" \
        "$(ls -A "$d")" eval '[ $rc = 137 ] && [ ! -e "$d/out.mkv" ] && [ "$KILLED_AT" = "$NCH" ]'
    jsize=$(stat -c %s "$d/out.mkv.journal" 2>/dev/null || echo 0)
    resumed final "$d" "$d/out.mkv" -w 2
    check "final: nothing encoded again ($ENCODED frames)" "" [ "$ENCODED" = 0 ]
    osize=$(stat -c %s "$d/out.mkv")
    check "final: the journal ($jsize bytes) no larger than OUTPUT ($osize)" "" [ "$jsize" -le "$osize" ]
fi

if want workers; then
    # An automatic plan (2 workers: 4 chunks) killed, resumed with 1 worker
    # (which alone would plan one chunk): the chunks are the journal's, as
    # --dry-run --resume shows them.
    d=$W/w; mkdir -p "$d"
    AUTO=(-c:v ffv1 --vf "$VF")
    kill_at "$d/out.mkv" 1 "$IN" -o "$d/out.mkv" -w 2 "${AUTO[@]}" --resume
    "$RENDER" "$IN" -o "$d/out.mkv" -w 1 "${AUTO[@]}" --resume --dry-run --report "$d/plan.json" -q
    ranges() { jnum "$1" "['chunks_detail']" | python3 -c "import sys, ast; print([round(c['media_start_s'], 3) for c in ast.literal_eval(sys.stdin.read().replace('true','True').replace('false','False').replace('null','None'))])"; }
    planned=$(ranges "$d/plan.json"); rm -f "$d/plan.json"
    rr "$d/r" "$IN" -o "$d/out.mkv" -w 1 "${AUTO[@]}" --resume --report "$d/r.json"; rc=$?
    check "workers: resumed with -w 1: exit 0" "$(rr_why "$d/r" $rc)" [ $rc = 0 ]
    check "workers: the journal's chunks ($planned)" "$(ranges "$d/r.json")" \
        eval '[ "$(ranges "$d/r.json")" = "$planned" ] && [ "$(jnum "$d/r.json" "[\"chunks\"]")" -ge 2 ]'
    check "workers: nothing left" "$(ls -A "$d")" only "$d" out.mkv r.out r.err r.json
fi

if want damaged; then
    d=$W/d; mkdir -p "$d"
    kill_at "$d/out.mkv" 3 "$IN" -o "$d/out.mkv" -w 3 "${ARGS[@]}" --resume
    # One byte of the second record's packets changed.
    off=$(grep -aob RDJC "$d/out.mkv.journal" | sed -n 2p | cut -d: -f1)
    printf '\x5a' | dd of="$d/out.mkv.journal" bs=1 seek=$((off + 24 + 40)) conv=notrunc 2>/dev/null
    resumed damaged "$d" "$d/out.mkv" -w 2
    check "damaged: the damaged chunk encoded again ($RESUMED of $KILLED_AT reused)" "" \
        [ "$RESUMED" = $((KILLED_AT - 1)) ]
    check "damaged: said on stderr" "$(err_of "$d/r.err")" grep -q "damaged records are encoded again" "$d/r.err"
fi

if want input; then
    # The journal of in.mp4, then --resume on another input to the same OUTPUT.
    d=$W/i; mkdir -p "$d"
    kill_at "$d/out.mkv" 2 "$IN" -o "$d/out.mkv" -w 3 "${ARGS[@]}" --resume
    rr "$W/ref2" "$IN2" -o "$W/ref2.mkv" -w 3 "${ARGS[@]}"
    rr "$d/r" "$IN2" -o "$d/out.mkv" -w 3 "${ARGS[@]}" --resume; rc=$?
    check "input: exit 0" "$(rr_why "$d/r" $rc)" [ $rc = 0 ]
    check "input: the mismatch named in one line" "$(err_of "$d/r.err")" \
        eval '[ "$(grep -c "written for another input" "$d/r.err")" = 1 ]'
    check "input: the output is the other input's, whole" "$(same_output "$W/ref2.mkv" "$d/out.mkv")" \
        same_output "$W/ref2.mkv" "$d/out.mkv"
    check "input: nothing left" "$(ls -A "$d")" only "$d" out.mkv r.out r.err
    # The same file touched (modification time): another input too.
    rm -f "$d"/*; cp "$IN" "$d/in.mp4"
    kill_at "$d/out.mkv" 2 "$d/in.mp4" -o "$d/out.mkv" -w 3 "${ARGS[@]}" --resume
    touch -d '2001-01-01' "$d/in.mp4"
    rr "$d/r" "$d/in.mp4" -o "$d/out.mkv" -w 3 "${ARGS[@]}" --resume --report "$d/r.json"; rc=$?
    check "input: a touched input is another input" "$(err_of "$d/r.err")" \
        eval '[ $rc = 0 ] && grep -q "another input (input.mtime" "$d/r.err" && [ "$(jnum "$d/r.json" "[\"resumed_chunks\"]")" = 0 ]'
fi

if want settings; then
    d=$W/s; mkdir -p "$d"
    kill_at "$d/out.mkv" 2 "$IN" -o "$d/out.mkv" -w 3 "${ARGS[@]}" --resume
    rr "$d/r" "$IN" -o "$d/out.mkv" -w 3 -c:v ffv1 --vf "hqdn3d=8" --resume --report "$d/r.json"; rc=$?
    check "settings: another graph: exit 0, nothing reused" "$(rr_why "$d/r" $rc)" \
        eval '[ $rc = 0 ] && [ "$(jnum "$d/r.json" "[\"resumed_chunks\"]")" = 0 ]'
    check "settings: named in one line" "$(err_of "$d/r.err")" \
        eval '[ "$(grep -c "written for other settings (vf: $VF then, hqdn3d=8 now)" "$d/r.err")" = 1 ]'
    rm -f "$d"/*
    kill_at "$d/out.mkv" 2 "$IN" -o "$d/out.mkv" -w 3 "${ARGS[@]}" --resume
    rr "$d/r" "$IN" -o "$d/out.mkv" -w 3 "${ARGS[@]}" --venc-opt slices=4 --resume --report "$d/r.json"; rc=$?
    check "settings: an encoder option more: nothing reused" "$(err_of "$d/r.err")" \
        eval '[ $rc = 0 ] && [ "$(jnum "$d/r.json" "[\"resumed_chunks\"]")" = 0 ]'
    check "settings: nothing left" "$(ls -A "$d")" only "$d" out.mkv r.out r.err r.json
fi

if want refuse; then
    d=$W/x; mkdir -p "$d"
    echo "user data" >"$d/out.mkv.journal"
    rr "$d/r" "$IN" -o "$d/out.mkv" -w 2 "${ARGS[@]}" -q --resume; rc=$?
    check "refuse: a file that is not a journal: exit 1, one line" "$(rr_why "$d/r" $rc)" \
        eval '[ $rc = 1 ] && [ "$(wc -l <"$d/r.err")" = 1 ] && grep -q "not a render journal" "$d/r.err"'
    check "refuse: it is untouched, no OUTPUT" "$(ls -A "$d")" \
        eval '[ "$(cat "$d/out.mkv.journal")" = "user data" ] && only "$d" out.mkv.journal r.out r.err'
    rm -f "$d"/*
    ln -s "$IN" "$d/out.mkv.journal"
    rr "$d/r" "$IN" -o "$d/out.mkv" -w 2 "${ARGS[@]}" -q --resume; rc=$?
    check "refuse: a symlink at the journal's name" "$(rr_why "$d/r" $rc)" \
        eval '[ $rc = 1 ] && only "$d" out.mkv.journal r.out r.err && [ -L "$d/out.mkv.journal" ]'
    rm -f "$d"/*
    rr "$d/r" "$IN" -o "$d/out.mkv" "${ARGS[@]}" -q --resume --report "$d/out.mkv.journal"; rc=$?
    check "refuse: --report at the journal's name" "$(rr_why "$d/r" $rc)" \
        eval '[ $rc = 1 ] && only "$d" r.out r.err'
    rr "$d/r" "$IN" --resume --sweep 1; rc=$?
    check "refuse: --resume with --sweep is a usage error" "$(rr_why "$d/r" $rc)" [ $rc = 2 ]
fi

if want signal; then
    # Ctrl-C: OUTPUT's temporary goes, the journal stays for --resume.
    d=$W/c; mkdir -p "$d"
    "$RENDER" "$IN" -o "$d/out.mkv" -w 3 "${ARGS[@]}" --resume </dev/null >/dev/null 2>&1 &
    pid=$!
    for i in $(seq 2000); do [ "$(records "$d/out.mkv.journal")" -ge 2 ] && break; sleep 0.005; done
    kill -INT $pid; rc=0; wait $pid || rc=$?
    check "signal: SIGINT: exit 130, the journal kept, no temporary" "rc $rc: $(ls -A "$d")" \
        eval '[ $rc = 130 ] && only "$d" out.mkv.journal'
    resumed signal "$d" "$d/out.mkv" -w 2
fi

if want mpi && [ -n "${RENDER_MPI:-}" ] && [ -x "${RENDER_MPI:-}" ] && command -v mpirun >/dev/null; then
    # A rank killed: the job dies; the same job with --resume finishes it.
    export OMPI_MCA_btl=self,vader OMPI_MCA_rmaps_base_oversubscribe=1
    lsan_suppress $MPI_LIBS # OpenMPI's start-up, under make asan (lib.sh)
    MPIRUN=(mpirun --allow-run-as-root --bind-to none -np 2)
    d=$W/mpi; mkdir -p "$d"
    "${MPIRUN[@]}" "$RENDER_MPI" "$IN" -o "$d/out.mkv" -w 2 "${ARGS[@]}" --resume \
        </dev/null >/dev/null 2>"$d/k.err" &
    pid=$!
    for i in $(seq 3000); do [ "$(records "$d/out.mkv.journal")" -ge 2 ] && break; sleep 0.005; done
    rank=$(pgrep -P $pid -f render-mpi | tail -n 1)
    [ -n "$rank" ] && kill -9 "$rank"
    wait $pid 2>/dev/null
    got=$(records "$d/out.mkv.journal")
    check "mpi: a killed rank leaves $got chunks journaled" "$(ls -A "$d")" [ "$got" -ge 2 ]
    rm -f "$d/k.err"
    "${MPIRUN[@]}" "$RENDER_MPI" "$IN" -o "$d/out.mkv" -w 2 "${ARGS[@]}" --resume \
        --report "$d/r.json" </dev/null >"$d/r.out" 2>"$d/r.err"; rc=$?
    check "mpi: resumed job exits 0" "$(rr_why "$d/r" $rc)" [ $rc = 0 ]
    check "mpi: same frames and audio as render's one run" "$(same_output "$REF" "$d/out.mkv")" \
        same_output "$REF" "$d/out.mkv"
    check "mpi: journaled chunks reused, nothing left" "$(ls -A "$d")" \
        eval '[ "$(jnum "$d/r.json" "[\"resumed_chunks\"]")" -ge 2 ] && only "$d" out.mkv r.out r.err r.json'
fi

finish
