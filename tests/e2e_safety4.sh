#!/usr/bin/env bash
# e2e_safety4.sh - safety, round two, the last real-file and debris items
# (issue 18): a damaged MP4/MOV sample table, damaged Ogg, render-mpi's
# rank 0 killed.
#
#   RENDER=/abs/path/render RENDER_MPI=/abs/path/render-mpi bash tests/e2e_safety4.sh
#   (ONLY="stsz ogg mpi" picks sections)
. "$(dirname "$0")/lib.sh"

need_fixtures
need_render

FX=$FIXTURES
W=$T_TMP

# same_run RC REF OUT: the run succeeded and OUT has REF's (non-empty) lines.
same_run() { [ "$1" -eq 0 ] && [ -s "$2" ] && same_lines "$2" "$3" >/dev/null; }

# --- one sample of the table claims more bytes than the file has --------------
# Where the CLI ends such a file depends on its demuxer's interleaving of
# all streams; render's chunks and tracks read apart, so it refuses, naming
# the sample. A size within the file, or one the demuxer drops with the
# rest of the table (over 2^30), is read alike by both: same output.
s_stsz() {
    local d=$W/stsz kind v rc want
    command -v python3 >/dev/null || { ok "stsz: (no python3, skipped)"; return; }
    mkdir -p "$d"
    for kind in soun vide; do
        for v in 0x20000000 200000; do
            python3 tests/tools/mov_stsz.py "$FX/cfr.mp4" "$d/bad.mov" 20 "$v" "$kind"
            [ $kind = soun ] && want='stream 1 (audio) sample 20' || want='stream 0 (video) sample 20'
            rc=0; rr "$W/s1" -i "$d/bad.mov" -c:v ffv1 -c:a copy "$d/o.mkv" || rc=$?
            check "stsz: $kind sample of $v bytes, ffmpeg form: one line naming bad.mov and the sample" \
                "$(rr_why "$W/s1" $rc), dir: $(has "$d")" \
                sh -c "[ $rc -eq 1 ] && [ \$(wc -l < '$W/s1.err') -eq 1 ] && grep -qF 'bad.mov: $want claims' '$W/s1.err' && [ \"\$(ls -A '$d')\" = bad.mov ]"
            rc=0; rr "$W/s2" "$d/bad.mov" -o "$d/o.mkv" -q --vf null -c:v ffv1 || rc=$?
            check "stsz: $kind sample of $v bytes, own form: refused the same way" \
                "$(rr_why "$W/s2" $rc), dir: $(has "$d")" \
                sh -c "[ $rc -eq 1 ] && grep -qF 'bad.mov: $want claims' '$W/s2.err' && [ \"\$(ls -A '$d')\" = bad.mov ]"
        done
        for v in 0x7fffffff 5000; do
            python3 tests/tools/mov_stsz.py "$FX/cfr.mp4" "$d/bad.mov" 20 "$v" "$kind"
            ffmpeg -nostdin -v quiet -i "$d/bad.mov" -c:v ffv1 -c:a copy "$d/ref.mkv"
            rc=0; rr "$W/s3" -i "$d/bad.mov" -c:v ffv1 -c:a copy -w 2 "$d/o.mkv" || rc=$?
            v_frames "$d/ref.mkv" "$W/r"; v_frames "$d/o.mkv" "$W/o"
            check "stsz: $kind sample of $v bytes: the CLI's frames" "$(rr_why "$W/s3" $rc); $(same_lines "$W/r.md5" "$W/o.md5")" \
                same_run "$rc" "$W/r.md5" "$W/o.md5"
            check "stsz: $kind sample of $v bytes: the CLI's frame times" "$(same_times "$W/r.t" 0 "$W/o.t" 0 0.0005)" \
                same_times "$W/r.t" 0 "$W/o.t" 0 0.0005
            check "stsz: $kind sample of $v bytes: the CLI's audio packets" \
                "$(probe "$d/ref.mkv" stream=nb_read_packets -count_packets -select_streams a) vs $(probe "$d/o.mkv" stream=nb_read_packets -count_packets -select_streams a)" \
                [ "$(probe "$d/ref.mkv" stream=nb_read_packets -count_packets -select_streams a)" = \
                  "$(probe "$d/o.mkv" stream=nb_read_packets -count_packets -select_streams a)" ]
            rm -f "$d/ref.mkv" "$d/o.mkv"
        done
    done
    rm -rf "$d"
}

# --- damaged Ogg --------------------------------------------------------------
# Theora returns -1 when its headers are damaged, which reads as
# "Operation not permitted": the decoder's own words are the reason. A
# damaged tail is read as the CLI reads it.
s_ogg() {
    local d=$W/ogg m off rc
    command -v python3 >/dev/null || { ok "ogg: (no python3, skipped)"; return; }
    mkdir -p "$d"
    ffmpeg -nostdin -v error -f lavfi -i testsrc=s=160x120:r=25:d=3 -f lavfi -i sine=d=3 \
        -c:v libtheora -c:a libvorbis -shortest "$W/t.ogg" ||
        { fail "ogg: make a Theora+Vorbis file" "ffmpeg failed"; return; }
    for m in '\x82theora:7' '\x80theora:10'; do
        python3 tests/tools/ogg_poke.py "$W/t.ogg" "$d/bad.ogg" "${m%:*}" "${m#*:}"
        rc=0; rr "$W/g1" "$d/bad.ogg" -o "$d/o.mkv" -q --vf null -c:v ffv1 || rc=$?
        check "ogg: damaged header (${m#\\x}): one line with the decoder's reason, not EPERM" \
            "$(rr_why "$W/g1" $rc), dir: $(has "$d")" \
            sh -c "[ $rc -eq 1 ] && [ \$(wc -l < '$W/g1.err') -eq 1 ] && grep -q 'bad.ogg: the theora decoder cannot start on this stream: [A-Za-z]' '$W/g1.err' && ! grep -q 'not permitted' '$W/g1.err' && [ \"\$(ls -A '$d')\" = bad.ogg ]"
        rc=0; rr "$W/g2" -i "$d/bad.ogg" "$d/o.mkv" || rc=$?
        check "ogg: damaged header (${m#\\x}), ffmpeg form: the same line" "$(rr_why "$W/g2" $rc)" \
            sh -c "[ $rc -eq 1 ] && grep -q 'bad.ogg: the theora decoder cannot start' '$W/g2.err'"
    done
    head -c 60000 "$W/t.ogg" >"$d/cut.ogg"
    ffmpeg -nostdin -v quiet -i "$d/cut.ogg" -c:v ffv1 -an "$d/ref.mkv"
    rc=0; rr "$W/g3" -i "$d/cut.ogg" -c:v ffv1 -an -w 2 "$d/o.mkv" || rc=$?
    v_frames "$d/ref.mkv" "$W/gr"; v_frames "$d/o.mkv" "$W/go"
    check "ogg: cut short: the CLI's frames" "$(rr_why "$W/g3" $rc); $(same_lines "$W/gr.md5" "$W/go.md5")" \
        same_run "$rc" "$W/gr.md5" "$W/go.md5"
    check "ogg: cut short: the CLI's frame times" "$(same_times "$W/gr.t" 0 "$W/go.t" 0 0.0005)" \
        same_times "$W/gr.t" 0 "$W/go.t" 0 0.0005
    rm -rf "$d"
}

# --- render-mpi: rank 0 killed ------------------------------------------------
# SIGKILL gives rank 0 no chance to clean up: mpirun must end the other
# ranks (no hang), and the next run for the same OUTPUT, render or
# render-mpi, removes the dead rank 0's marked, unlocked part file
# (io/owner.h) and writes OUTPUT. 40 s of input, so that rank 0 is still
# at work when the kill comes on a loaded machine (12 s once ended first).
s_mpi() {
    local d=$W/mpi mp victim r p rc round left
    local mpi=${RENDER_MPI:-$(dirname "$RENDER")/render-mpi}
    if [ ! -x "$mpi" ] || ! command -v mpirun >/dev/null; then
        echo "skip - mpi: $mpi not built or no mpirun"; return
    fi
    export OMPI_MCA_btl=self,vader OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    lsan_suppress $MPI_LIBS
    mkdir -p "$d"
    ffmpeg -nostdin -v error -f lavfi -i testsrc=s=320x240:r=25:d=40 -f lavfi -i sine=d=40 \
        -c:v libx264 -preset ultrafast -g 25 -pix_fmt yuv420p -c:a aac -shortest "$W/big.mp4" ||
        { fail "mpi: make the input" "ffmpeg failed"; return; }
    for round in render render-mpi; do
        OMP_NUM_THREADS=1 timeout 60 mpirun --oversubscribe --bind-to none -np 3 "$mpi" "$W/big.mp4" \
            -o "$d/o.mp4" -y -q --vf hqdn3d </dev/null >"$W/m.out" 2>"$W/m.err" &
        mp=$!
        victim=""
        if wait_for_temp "$d/o.mp4" 400; then
            # this run's ranks only: another suite may run render-mpi at the same time
            for p in $(pgrep -f "$mpi.*$d/o.mp4"); do
                r=$(tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p')
                [ "$r" = 0 ] && victim=$p
            done
        fi
        [ -n "$victim" ] && kill -9 "$victim"
        rc=0; wait "$mp" || rc=$?
        [ -n "$victim" ] || { fail "mpi ($round): kill -9 rank 0 mid-run" "rank 0 not found (exit $rc)"; continue; }
        sleep 0.3 # mpirun may return before the last rank has finished dying
        left=$(pgrep -f "$mpi.*$d/o.mp4" | tr '\n' ' ')
        check "mpi ($round): kill -9 rank 0: mpirun ends, no rank left running" "exit $rc, left: $left" \
            test "$rc" -ne 0 -a "$rc" -ne 124 -a -z "$left"
        check "mpi ($round): kill -9 rank 0: no OUTPUT" "$(has "$d")" test ! -e "$d/o.mp4"
        # The debris the next run must take away (SIGKILL: nobody removed it).
        compgen -G "$d/o.mp4.part-*" >/dev/null && echo "   (rank 0 left $(has "$d"))"
        if [ $round = render ]; then
            rc=0; rr "$W/m2" "$W/big.mp4" -o "$d/o.mp4" -q -t 1 || rc=$?
        else
            rc=0; OMP_NUM_THREADS=1 timeout 60 mpirun --oversubscribe --bind-to none -np 2 "$mpi" \
                "$W/big.mp4" -o "$d/o.mp4" -q -t 1 </dev/null >"$W/m2.out" 2>"$W/m2.err" || rc=$?
        fi
        check "mpi ($round): the next $round run removes rank 0's part file and writes OUTPUT" \
            "$(rr_why "$W/m2" $rc), dir: $(has "$d")" \
            sh -c "[ $rc -eq 0 ] && [ \"\$(ls -A '$d')\" = o.mp4 ]"
        rm -f "$d/o.mp4"
    done
    rm -rf "$d"
}

want stsz && s_stsz
want ogg && s_ogg
want mpi && s_mpi
finish
