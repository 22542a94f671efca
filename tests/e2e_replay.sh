#!/usr/bin/env bash
# e2e_replay.sh - a filter whose state is made from every frame before
# (minterpolate's EPZS motion search) runs in chunks, each replaying the
# frames before it at frozen times (contract.h replay), and gives the
# ffmpeg CLI's frames and frame times (ffv1): at several worker and chunk
# counts, from Matroska's coarser time base, behind and before other
# filters, across a frame size change, in the ffmpeg form with -ss. Where
# a replay cannot be exact (a filter before it that reads times, one after
# it that looks at other frames, a time base too coarse) it is one chunk,
# said in one line. The control shows the clip needs the replay: the CLI
# itself, started later, gives other frames.
#
#   RENDER=/abs/path/render GEN=/abs/path/gen-mandelbrot bash tests/e2e_replay.sh
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
FF="ffmpeg -nostdin -v error -y"
MI=minterpolate=fps=50
"$GEN" -q -o "$W/z.mp4" --size 480x270 --fps 25 --duration 3 --gop 25 --no-audio &&
    $FF -i "$W/z.mp4" -c copy "$W/z.mkv" ||
    { fail "clip" "gen-mandelbrot or ffmpeg could not make the clips"; finish; exit 1; }

jget() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"; }

# frames FILE PREFIX: "time md5" of every decoded frame (v_frames).
frames() { v_frames "$1" "$2"; paste -d' ' "$2.t" "$2.md5" >"$2"; }

# ref NAME CLIP GRAPH [FFMPEG INPUT OPTIONS]: the CLI's frames, into $W/NAME.
ref() {
    local n=$1 clip=$2 g=$3; shift 3
    $FF "$@" -i "$clip" -vf "$g" -an -c:v ffv1 "$W/$n.mkv" && frames "$W/$n.mkv" "$W/$n" ||
        fail "ffmpeg $g" "the CLI failed"
}

# same NAME REF LABEL RENDER-ARGS...: render's output has REF's frames and
# times, and ran in chunks with the replay.
same() {
    local n=$1 r=$2 label=$3 rc; shift 3
    rr "$W/$n" "$@" -an -c:v ffv1 -y -o "$W/$n.mkv" --report "$W/$n.json"; rc=$?
    if [ $rc -ne 0 ]; then fail "$label" "$(rr_why "$W/$n" $rc)"; return; fi
    frames "$W/$n.mkv" "$W/$n"
    check "$label: the CLI's frames and times" "$(same_lines "$W/$r" "$W/$n")" same_lines "$W/$r" "$W/$n"
    check "$label: chunks that replay" "$(jget "$W/$n.json" "r['chunks'], r['contract']")" \
        test "$(jget "$W/$n.json" "r['chunks'] > 1 and r['contract']['kind'] == 'replay' and r['contract']['exact']")" = True
}

# 1. The control: started 0.8 s in (a chunk without the replay), the CLI
#    gives other frames long after its window of four frames.
ref whole "$W/z.mp4" "$MI"
$FF -ss 0.8 -i "$W/z.mp4" -vf "setpts=PTS+0.8/TB,$MI" -an -c:v ffv1 "$W/late.mkv" && frames "$W/late.mkv" "$W/late"
d=$(awk 'NR == FNR { a[$1] = $2; next } $1 >= 1.2 && ($1 in a) && a[$1] != $2 { d++ } END { print d + 0 }' \
    "$W/whole" "$W/late")
check "control: the CLI started at 0.8 s differs past its window ($d frames)" "$d" test "$d" -gt 0

# 2. Chunks that replay: the CLI's frames at several counts.
same w2 whole "-w 2" "$W/z.mp4" --vf "$MI" -w 2
check "-w 2: the plan weighed the replay" "$(jget "$W/w2.json" "r['plan']['replay_weight']")" \
    test "$(jget "$W/w2.json" "0 < (r['plan']['replay_weight'] or 0) < 1")" = True
same w3 whole "-w 3" "$W/z.mp4" --vf "$MI" -w 3
same c5 whole "-w 2 --chunks 5" "$W/z.mp4" --vf "$MI" -w 2 --chunks 5
same ex whole "--exact -w 2 (a replay is exact)" "$W/z.mp4" --vf "$MI" -w 2 --exact
ref whole_mkv "$W/z.mkv" "$MI"
same mkv whole_mkv "Matroska (1/1000 s ticks) -w 3" "$W/z.mkv" --vf "$MI" -w 3
CH="scale=320:-2,$MI:mb_size=8,eq=brightness=0.05,hflip"
ref chain "$W/z.mp4" "$CH"
same chain chain "'$CH' -w 3" "$W/z.mp4" --vf "$CH" -w 3

# 3. Across a frame size change: a chunk's replay builds the graph anew
#    where the CLI does (and the frames it made before are not the sync's).
$FF -f lavfi -i "mandelbrot=s=160x120:r=25,trim=end_frame=50,format=yuv420p" -c:v libx264 -g 12 "$W/s1.mp4" &&
$FF -f lavfi -i "mandelbrot=s=176x144:r=25:start_scale=2,trim=end_frame=50,format=yuv420p" -c:v libx264 \
    -g 12 "$W/s2.mp4" &&
printf "file '%s'\nfile '%s'\n" "$W/s1.mp4" "$W/s2.mp4" >"$W/s.txt" &&
$FF -f concat -safe 0 -i "$W/s.txt" -c copy "$W/sizes.mkv" || fail "size change clip" "ffmpeg could not make it"
ref sizes_ref "$W/sizes.mkv" "$MI"
for c in 3 5; do
    same "sz$c" sizes_ref "a size change, -w 3 --chunks $c" "$W/sizes.mkv" --vf "$MI" -w 3 --chunks $c
done

# 4. The ffmpeg form, -ss before -i: the replay starts at the cut, as the CLI's graph does.
$FF -ss 1 -i "$W/z.mp4" -vf "$MI" -an -c:v ffv1 "$W/ss_ref.mkv" && frames "$W/ss_ref.mkv" "$W/ss_ref"
OMP_NUM_THREADS=3 rr "$W/ss" -ss 1 -i "$W/z.mp4" -vf "$MI" -an -c:v ffv1 -y "$W/ss.mkv"; rc=$?
if [ $rc -eq 0 ]; then
    frames "$W/ss.mkv" "$W/ss"
    check "ffmpeg form -ss 1, 3 threads: the CLI's frames and times" "$(same_lines "$W/ss_ref" "$W/ss")" \
        same_lines "$W/ss_ref" "$W/ss"
else fail "ffmpeg form -ss 1" "$(rr_why "$W/ss" $rc)"; fi

# 5. No replay where it cannot be exact: one chunk, one line, the CLI's frames.
$FF -i "$W/z.mp4" -t 1 -pix_fmt yuv420p "$W/z.y4m" || fail "y4m clip" "ffmpeg could not make it"
# one NAME CLIP GRAPH FILTER WHY [ARGS]: one chunk at -w 3, the line
# naming FILTER (WHY a grep pattern) once, the CLI's frames.
one() {
    local n=$1 clip=$2 g=$3 f=$4 why=$5 rc; shift 5
    ref "${n}_ref" "$clip" "$g"
    rr "$W/$n" "$clip" --vf "$g" -w 3 "$@" -an -c:v ffv1 -y -o "$W/$n.mkv" --report "$W/$n.json"; rc=$?
    if [ $rc -ne 0 ]; then fail "'$g' one chunk" "$(rr_why "$W/$n" $rc)"; return; fi
    frames "$W/$n.mkv" "$W/$n"
    check "'$g' ($(basename "$clip")): one chunk, one line" "$(grep warning "$W/$n.err")" \
        test "$(grep -cx "render: warning: filter '$f' $why: rendered as one chunk" "$W/$n.err")-$(jget "$W/$n.json" "r['chunks']")" = 1-1
    check "'$g' ($(basename "$clip")): the CLI's frames" "$(same_lines "$W/${n}_ref" "$W/$n")" \
        same_lines "$W/${n}_ref" "$W/$n"
}
one before "$W/z.y4m" "eq=brightness=0.05,$MI" minterpolate "is replayed only when the filters before it read nothing but pixels"
one after "$W/z.y4m" "$MI,tmix" minterpolate "is replayed only when the filters after it are frame-local"
one coarse "$W/z.y4m" "$MI" minterpolate "is replayed only where the input's time base has many ticks per output frame"

# 6. --exact: hqdn3d's temporal state is made from the pixels too, so it
#    is replayed where the start-up measure says the replay pays (the
#    encoder's share of a frame is skipped), and its output is the CLI's,
#    where the pre-roll's approximation is not; on a clip too short for
#    that measure, one chunk with the line.
"$GEN" -q -o "$W/h.mp4" --size 160x120 --fps 25 --duration 14 --gop 25 --no-audio ||
    fail "hqdn3d clip" "gen-mandelbrot could not make it"
ref hq_ref "$W/h.mp4" hqdn3d
same hq hq_ref "hqdn3d --exact -w 2" "$W/h.mp4" --vf hqdn3d --exact -w 2
rr "$W/hp" "$W/h.mp4" --vf hqdn3d -w 2 -an -c:v ffv1 -y -o "$W/hp.mkv"
frames "$W/hp.mkv" "$W/hp"
check "control: hqdn3d without --exact (a pre-roll) differs from the CLI" "$(same_lines "$W/hq_ref" "$W/hp")" \
    sh -c "! cmp -s '$W/hq_ref' '$W/hp'"
# render-mpi: the ranks replay as the threads do
RENDER_MPI=${RENDER_MPI:-$(dirname "$RENDER")/render-mpi}
if [ -x "$RENDER_MPI" ] && command -v mpirun >/dev/null; then
    lsan_suppress $MPI_LIBS
    OMPI_MCA_btl=self,vader OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 \
        mpirun --oversubscribe --bind-to none -np 2 "$RENDER_MPI" "$W/h.mp4" --vf hqdn3d --exact -an -c:v ffv1 \
        -y -o "$W/hm.mkv" --report "$W/hm.json" </dev/null >"$W/hm.out" 2>"$W/hm.err"; rc=$?
    if [ $rc -eq 0 ]; then
        frames "$W/hm.mkv" "$W/hm"
        check "render-mpi, 2 ranks, hqdn3d --exact: the CLI's frames and times" "$(same_lines "$W/hq_ref" "$W/hm")" \
            same_lines "$W/hq_ref" "$W/hm"
        check "render-mpi: chunks that replay" "$(jget "$W/hm.json" "r['chunks'], r['contract']['kind']")" \
            test "$(jget "$W/hm.json" "r['chunks'] > 1 and r['contract']['kind'] == 'replay'")" = True
    else fail "render-mpi hqdn3d --exact" "$(rr_why "$W/hm" $rc)"; fi
else echo "skip - render-mpi or mpirun missing: no MPI replay check"; fi
# a replayed filter that keeps times is weighed a whole frame of the graph, not timed
rr "$W/hd" "$W/h.mp4" --vf hqdn3d --exact -w 2 --dry-run -c:v ffv1 -o "$W/hd.mkv"
check "--dry-run hqdn3d --exact: the replay's line, untimed" "$(grep '^replay' "$W/hd.out")" \
    grep -q "^replay: .*(hqdn3d makes each as it makes any, the encoder skipped)" "$W/hd.out"
one short "$W/z.y4m" hqdn3d hqdn3d "replayed before each chunk would cost about what the chunk does (a replayed frame [0-9.]* of a processed one)" --exact

# 7. --dry-run says what the replay costs; later chunks are shorter.
rr "$W/d" "$W/z.mp4" --vf "$MI" -w 3 --dry-run -o "$W/d.mkv" --report "$W/d.json"
check "--dry-run: the replay's line" "$(grep '^replay' "$W/d.out")" grep -q "^replay: each chunk first feeds" "$W/d.out"
check "--dry-run: each chunk shorter than the one before" "$(jget "$W/d.json" "[c['frames'] for c in r['chunks_detail']]")" \
    test "$(jget "$W/d.json" "all(a['frames'] > b['frames'] for a, b in zip(r['chunks_detail'], r['chunks_detail'][1:])) and len(r['chunks_detail']) == 3")" = True
no_files=$(ls "$W" | grep -c '\.part' || true)
check "nothing left beside the outputs" "$no_files" test "$no_files" = 0

finish
