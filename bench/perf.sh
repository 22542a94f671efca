#!/usr/bin/env bash
# bench/perf.sh - the engine's speed and memory targets, run by hand:
#   bash bench/perf.sh            (RUNS=3 by default; medians reported)
#
# Every comparison is a ratio of runs made in this one script run, so the
# machine's speed cancels out; the runs of a comparison alternate so that
# background load hits both sides alike. Each point also gives both sides'
# CPU seconds, and a line against the CLI its "floor": the CLI's CPU over
# (cores x its wall time), the ratio render reaches doing the CLI's work
# on every core all the time; render gets below it only by doing less
# work than the CLI, so a goal far below it cannot be met on this machine.
#   1. 60 s 854x480 clip, hqdn3d + x264 veryfast crf 23:
#      render -w 2 vs render -w 1 (speedup), and vs ffmpeg's own threading
#   2. long GOP (keyframe every 250 frames, 300 frames, 720p): -w 2 vs -w 1
#   3. 2 s clip: -w 8 vs -w 1 (over-decomposition must not hurt small inputs)
#   0. the machine's own ceiling: two independent one-thread renders at once
#      against one alone (shared caches, memory bandwidth, SMT on the host)
#   4. peak memory (max RSS) for a 10-minute 480p input vs a 1-minute one
#      (hqdn3d + x264 ultrafast: memory, not speed, is measured)
#   5. heavy filter: render -w 2 on 1 s of 480p with --vf nlmeans=s=3 vs the
#      ffmpeg CLI (12 s of work on one core in a 1 s clip)
#   6. the prototype's design on the long-GOP clip: one `ffmpeg -ss S -t D
#      -i IN -threads 1` process per chunk (as many chunks as render plans,
#      two at a time) joined with the concat demuxer, vs render -w 2
#   7. what chunking costs in compression: output bytes at the same CRF,
#      8 and 57 chunks against one, 60 s clip, x264; AV1 (libaom-av1,
#      cpu-used 8) on 4 s of 426x240 (libaom: its chunks cost the most)
#   8. two cores against the machine: the -w 2 speedup of 1. over the
#      ceiling of 0., from the same script run
#   9. long encodes (issue 20), 20 s of 480x270, --vf null, render -w 2 vs
#      ffmpeg -threads 0, same settings: libaom-av1 cpu-used 8 crf 35 (goal
#      time <= 0.85, bytes <= +10%), libsvtav1 preset 10 crf 35 (<= 0.90,
#      <= +5%) ["av1"]; a clip with a hard cut every 3 s, bytes at equal CRF
#      with --split scenes, x264 and aom (within 2% of the CLI's) ["cuts"];
#      a run killed (SIGKILL) half-way, then --resume, vs a clean run
#      (goal <= 0.6) ["resume"]
#  11. the ffmpeg form (issue 19): default line, -vf yadif=1 and -vf
#      boxblur (no slice threads in 5.1) against the same ffmpeg line,
#      --target-size against ffmpeg's two passes ["ffform"]; with -vf
#      sab=lr=3, a filter heavier than x264 that the CLI runs on one
#      thread ["ffheavy"]
#  10. filter graphs (the chunk contract): render -w 2 over the ffmpeg CLI
#      with its own threads, same graph: minterpolate=fps=50 on 6 s of
#      640x360 (ffv1 and x264 veryfast; the CLI runs it on one core; its
#      default search, EPZS, is a recursion no pre-roll bounds: chunks that
#      each replay the frames before them, exact), and with me=umh
#      (chunked, exact: a window of 4 back, 2 ahead),
#      yadif=1,scale=640:360 + x264 veryfast on 10 s of 854x480; and a
#      graph forced to one chunk (hqdn3d,tpad=stop=1: tpad needs the whole
#      stream) at -w 2 against -w 1
#  11. the default workload with --exact: hqdn3d replayed before each
#      chunk, -w 2 against -w 1 on the 60 s 480p clip ["exact"]
#
# ONLY="ceiling w1w2 ..." runs some sections: ceiling w1w2 ffmpeg longgop
# small memory heavy proto bytes graphs exact encoders av1 cuts resume ffform ffheavy (the
# two-core ratio needs ceiling and w1w2).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
RENDER=${RENDER:-./render}
GEN=${GEN:-./gen-mandelbrot}
RUNS=${RUNS:-3}
A=assets/perf
mkdir -p "$A"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
unset OMP_NUM_THREADS OMP_SCHEDULE
ONLY=${ONLY:-}
want() { [ -z "$ONLY" ] || [[ " $ONLY " == *" $1 "* ]]; }

gen() { [ -s "$1" ] || "$GEN" -q -o "$1" "${@:2}"; }
{ want w1w2 || want ffmpeg || want bytes || want exact; } && gen "$A/clip60.mp4" --size 854x480 --fps 30 --duration 60 --gop 30
{ want longgop || want proto; } && gen "$A/longgop.mp4" --size 1280x720 --fps 30 --duration 10 --gop 250
want small && gen "$A/clip2.mp4" --size 854x480 --fps 30 --duration 2 --gop 30
if want memory; then
    gen "$A/clip1m.mp4"  --size 854x480 --fps 30 --duration 60 --gop 30 --preset ultrafast
    gen "$A/clip10m.mp4" --size 854x480 --fps 30 --duration 600 --gop 30 --preset ultrafast
fi
want heavy && gen "$A/clip1.mp4" --size 854x480 --fps 30 --duration 1 --gop 30
want bytes && gen "$A/clipav1.mp4" --size 426x240 --fps 30 --duration 4 --gop 30
want graphs && gen "$A/clip360.mp4" --size 640x360 --fps 25 --duration 6 --gop 25
want graphs && gen "$A/clip10.mp4" --size 854x480 --fps 25 --duration 10 --gop 25

W=(--vf hqdn3d --preset veryfast --crf 23)

# wall seconds of one command; its CPU seconds (user + system, its
# children included) go to $OUT/last.cpu
secs() {
    local TIMEFORMAT='%R %U %S' t
    t=$( { time "$@" >/dev/null 2>&1; } 2>&1 | tail -n 1)
    awk -v t="$t" 'BEGIN { split(t, f, " "); printf "%.3f\n", f[2] + f[3] }' > "$OUT/last.cpu"
    awk -v t="$t" 'BEGIN { split(t, f, " "); printf "%.3f\n", f[1] }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

# time_pair NAME CMD1 -- CMD2: alternate RUNS times, print both medians
declare -A MED
measure() {
    local name=$1; shift
    local -a a=() b=()
    while [ "$1" != "--" ]; do a+=("$1"); shift; done; shift
    b=("$@")
    : > "$OUT/$name.a"; : > "$OUT/$name.b"; : > "$OUT/$name.acpu"; : > "$OUT/$name.bcpu"
    for _ in $(seq "$RUNS"); do
        secs "${a[@]}" >> "$OUT/$name.a"; cat "$OUT/last.cpu" >> "$OUT/$name.acpu"
        secs "${b[@]}" >> "$OUT/$name.b"; cat "$OUT/last.cpu" >> "$OUT/$name.bcpu"
    done
    MED[$name.a]=$(median < "$OUT/$name.a")
    MED[$name.b]=$(median < "$OUT/$name.b")
    MED[$name.acpu]=$(median < "$OUT/$name.acpu")
    MED[$name.bcpu]=$(median < "$OUT/$name.bcpu")
    printf '%-10s %s s (%s) vs %s s (%s); CPU %s s vs %s s\n' "$name" "${MED[$name.a]}" \
        "$(paste -sd' ' "$OUT/$name.a")" "${MED[$name.b]}" "$(paste -sd' ' "$OUT/$name.b")" \
        "${MED[$name.acpu]}" "${MED[$name.bcpu]}"
}

# The time ratio B/A that B reaches doing A's CPU work on every core all
# the time. A CLI that already keeps the cores busy (its encoder's threads
# beside a one-thread filter) leaves little: B goes below this floor only
# by doing less work than A (one x264 thread per worker wastes less than
# the CLI's frame threads: about 12% of the CPU with x264 medium here).
floor() {
    awk -v c="${MED[$1.acpu]}" -v w="${MED[$1.a]}" -v n="$(nproc)" \
        'BEGIN { printf "%.2f", c / (n * w) }'
}
# own NAME: the same bound for render's own CPU time (its work: a replay's
# or a pre-roll's frames included): no schedule on these cores beats it.
own() {
    awk -v c="${MED[$1.bcpu]}" -v w="${MED[$1.a]}" -v n="$(nproc)" \
        'BEGIN { printf "%.2f", c / (n * w) }'
}

echo "host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "runs per point: $RUNS (medians)"
one() { "$RENDER" "$A/clip2x.mp4" "${W[@]}" -w 1 --chunks 1 -q -y -o "$OUT/$1.mp4"; }
pair() { one a & one b; wait; }
want ceiling && gen "$A/clip2x.mp4" --size 854x480 --fps 30 --duration 20 --gop 30
want ceiling && measure ceiling one a -- pair
want w1w2 && measure w1w2 "$RENDER" "$A/clip60.mp4" "${W[@]}" -w 1 -q -y -o "$OUT/o.mp4" -- \
             "$RENDER" "$A/clip60.mp4" "${W[@]}" -w 2 -q -y -o "$OUT/o.mp4"
want ffmpeg && measure ffmpeg ffmpeg -v error -y -i "$A/clip60.mp4" -vf hqdn3d -c:v libx264 -preset veryfast \
                      -crf 23 -c:a copy "$OUT/f.mp4" -- \
               "$RENDER" "$A/clip60.mp4" "${W[@]}" -w 2 -q -y -o "$OUT/o.mp4"
want longgop && measure longgop "$RENDER" "$A/longgop.mp4" "${W[@]}" -w 1 -q -y -o "$OUT/o.mp4" -- \
                "$RENDER" "$A/longgop.mp4" "${W[@]}" -w 2 -q -y -o "$OUT/o.mp4"
want small && measure small "$RENDER" "$A/clip2.mp4" -w 1 -q -y -o "$OUT/o.mp4" -- \
              "$RENDER" "$A/clip2.mp4" -w 8 -q -y -o "$OUT/o.mp4"

# 5. A heavy filter on a short clip: the ffmpeg CLI (its own threading) vs -w 2.
H=(--vf nlmeans=s=3 --preset veryfast --crf 23)
want heavy && measure heavy ffmpeg -v error -y -i "$A/clip1.mp4" -vf nlmeans=s=3 -c:v libx264 \
                     -preset veryfast -crf 23 -c:a copy "$OUT/f.mp4" -- \
              "$RENDER" "$A/clip1.mp4" "${H[@]}" -w 2 -q -y -o "$OUT/o.mp4"
# The same with chunks of equal length: nlmeans costs the same on every
# frame, whatever the compressed sizes say.
want heavy && measure heavy_time ffmpeg -v error -y -i "$A/clip1.mp4" -vf nlmeans=s=3 -c:v libx264 \
                     -preset veryfast -crf 23 -c:a copy "$OUT/f.mp4" -- \
              "$RENDER" "$A/clip1.mp4" "${H[@]}" -w 2 --split time -q -y -o "$OUT/o.mp4"

# 6. The prototype: a process per chunk, at the media ranges render plans.
proto() {  # proto IN WORKERS OUT
    local in=$1 w=$2 out=$3 dir=$OUT/proto
    rm -rf "$dir"
    mkdir -p "$dir"
    "$RENDER" "$in" --dry-run -w "$w" "${W[@]}" |
        awk '$1 ~ /^[0-9]+$/ && NF == 6 { printf "%d %.6f %.6f\n", $1, $2, $3 - $2 }' > "$dir/ranges"
    # shellcheck disable=SC2016
    xargs -P "$w" -L 1 sh -c 'ffmpeg -v error -y -ss "$2" -t "$3" -i "$0" -vf hqdn3d \
        -c:v libx264 -preset veryfast -crf 23 -threads 1 -an "$1/part$4.mp4"' "$in" "$dir" \
        < <(awk '{ print $2, $3, $1 }' "$dir/ranges")
    awk -v d="$dir" '{ printf "file %s/part%d.mp4\n", d, $1 }' "$dir/ranges" > "$dir/list"
    ffmpeg -v error -y -f concat -safe 0 -i "$dir/list" -c copy "$out"
}
want proto && measure proto proto "$A/longgop.mp4" 2 "$OUT/p.mp4" -- \
              "$RENDER" "$A/longgop.mp4" "${W[@]}" -w 2 -q -y -o "$OUT/o.mp4"

# 9. Filter graphs: what exactness costs. minterpolate's EPZS search is
# replayed before each chunk (me=umh: a window, pre-roll and post-roll);
# yadif=1 one frame each side; tpad makes the graph one chunk, which must
# cost no more than -w 1.
X264=(-c:v libx264 -preset veryfast -crf 23)
if want graphs; then
    MI=minterpolate=fps=50
    measure mi_ffv1 ffmpeg -v error -y -i "$A/clip360.mp4" -vf "$MI" -c:v ffv1 -an "$OUT/f.mkv" -- \
        "$RENDER" "$A/clip360.mp4" --vf "$MI" -c:v ffv1 -an -w 2 -q -y -o "$OUT/o.mkv"
    measure mi_x264 ffmpeg -v error -y -i "$A/clip360.mp4" -vf "$MI" "${X264[@]}" -an "$OUT/f.mp4" -- \
        "$RENDER" "$A/clip360.mp4" --vf "$MI" "${X264[@]}" -an -w 2 -q -y -o "$OUT/o.mp4"
    measure mi_umh ffmpeg -v error -y -i "$A/clip360.mp4" -vf "$MI:me=umh" -c:v ffv1 -an "$OUT/f.mkv" -- \
        "$RENDER" "$A/clip360.mp4" --vf "$MI:me=umh" -c:v ffv1 -an -w 2 -q -y -o "$OUT/o.mkv"
    YS=yadif=1,scale=640:360
    measure yadif ffmpeg -v error -y -i "$A/clip10.mp4" -vf "$YS" "${X264[@]}" -an "$OUT/f.mp4" -- \
        "$RENDER" "$A/clip10.mp4" --vf "$YS" "${X264[@]}" -an -w 2 -q -y -o "$OUT/o.mp4"
    ONE=hqdn3d,tpad=stop=1
    measure onechunk "$RENDER" "$A/clip10.mp4" --vf "$ONE" "${X264[@]}" -an -w 1 -q -y -o "$OUT/o.mp4" -- \
        "$RENDER" "$A/clip10.mp4" --vf "$ONE" "${X264[@]}" -an -w 2 -q -y -o "$OUT/o.mp4"
fi

# 11. --exact on the default workload: hqdn3d replayed before each chunk
# (one chunk before the replay).
want exact && measure exact "$RENDER" "$A/clip60.mp4" "${W[@]}" --exact -w 1 -q -y -o "$OUT/o.mp4" -- \
                            "$RENDER" "$A/clip60.mp4" "${W[@]}" --exact -w 2 -q -y -o "$OUT/o.mp4"

# 7. Bytes at equal CRF: every chunk starts with an IDR frame and a cold
# rate control. One run each: sizes do not vary between runs.
bytes_of() {  # a hung or failed encoder gives "n/a", not the end of the script
    if timeout 900 "$RENDER" "$@" -q -y -o "$OUT/b.mkv" >/dev/null 2>&1; then stat -c %s "$OUT/b.mkv"
    else echo n/a; fi
}
if want bytes; then
    b1=$(bytes_of "$A/clip60.mp4" "${W[@]}" -w 2 --chunks 1)
    b8=$(bytes_of "$A/clip60.mp4" "${W[@]}" -w 2 --chunks 8)
    b57=$(bytes_of "$A/clip60.mp4" "${W[@]}" -w 2 --chunks 57)
    AV=(--vf null -c:v libaom-av1 --crf 35 --venc-opt cpu-used=8)
    a1=$(bytes_of "$A/clipav1.mp4" "${AV[@]}" -w 2 --chunks 1)
    a8=$(bytes_of "$A/clipav1.mp4" "${AV[@]}" -w 2 --chunks 8)
fi

rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
m1=1 m10=1
if want memory && [ "${MEMORY:-1}" = 1 ]; then
    m1=$(rss "$RENDER" "$A/clip1m.mp4" --preset ultrafast -w 2 -q -y -o "$OUT/m.mp4")
    m10=$(rss "$RENDER" "$A/clip10m.mp4" --preset ultrafast -w 2 -q -y -o "$OUT/m.mp4")
fi

pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%+.1f%%", 100 * (a / b - 1); else printf "n/a" }'; }

echo
echo "target                                   measured   goal"
if want ceiling; then
    ceil2=$(awk -v a="${MED[ceiling.a]}" -v b="${MED[ceiling.b]}" 'BEGIN { printf "%.3f", 2 * a / b }')
    printf 'machine ceiling: 2 x 1 thread at once     %-10s (2 / (time of the pair / time of one))\n' "$ceil2"
fi
want w1w2 && printf 'speedup -w 2 / -w 1 (60 s 480p)          %-10s >= 1.85\n' "$(ratio "${MED[w1w2.a]}" "${MED[w1w2.b]}")"
want ceiling && want w1w2 &&
    printf 'speedup -w 2 / the machine ceiling       %-10s >= 0.97  (same run)\n' \
        "$(awk -v a="${MED[w1w2.a]}" -v b="${MED[w1w2.b]}" -v c="$ceil2" 'BEGIN { printf "%.3f", a / b / c }')"
want ffmpeg && printf 'time render -w 2 / ffmpeg -threads auto  %-10s <= 0.85\n' "$(ratio "${MED[ffmpeg.b]}" "${MED[ffmpeg.a]}")"
want longgop && printf 'speedup -w 2 / -w 1 (long GOP 720p)      %-10s >= 1.7\n' "$(ratio "${MED[longgop.a]}" "${MED[longgop.b]}")"
want small && printf 'time -w 8 / -w 1 (2 s clip)              %-10s <= 1.10\n' "$(ratio "${MED[small.b]}" "${MED[small.a]}")"
want memory && printf 'peak RSS 10 min / 1 min (480p, -w 2)     %-10s <= 1.5   (%s KiB vs %s KiB)\n' \
    "$(ratio "$m10" "$m1")" "$m10" "$m1"
want heavy && printf 'time render -w 2 / ffmpeg, nlmeans 1 s   %-10s <= 0.60\n' "$(ratio "${MED[heavy.b]}" "${MED[heavy.a]}")"
want heavy && printf '  the same with --split time             %-10s <= 0.60\n' "$(ratio "${MED[heavy_time.b]}" "${MED[heavy_time.a]}")"
want proto && printf 'time render -w 2 / process per chunk     %-10s (long GOP 720p; the prototype design, 2 at a time)\n' \
    "$(ratio "${MED[proto.b]}" "${MED[proto.a]}")"
if want graphs; then
    printf 'time render -w 2 / ffmpeg, minterpolate  %-10s <= 0.60  (ffv1, 6 s 360p; floor %s, with the replay %s)\n' \
        "$(ratio "${MED[mi_ffv1.b]}" "${MED[mi_ffv1.a]}")" "$(floor mi_ffv1)" "$(own mi_ffv1)"
    printf '  the same with x264 veryfast            %-10s <= 0.60  (floor %s, with the replay %s)\n' \
        "$(ratio "${MED[mi_x264.b]}" "${MED[mi_x264.a]}")" "$(floor mi_x264)" "$(own mi_x264)"
    printf '  me=umh (chunked), ffv1                 %-10s (floor %s, with the pre-roll %s)\n' \
        "$(ratio "${MED[mi_umh.b]}" "${MED[mi_umh.a]}")" "$(floor mi_umh)" "$(own mi_umh)"
    printf 'time render -w 2 / ffmpeg, yadif=1,scale %-10s <= 1.00  (x264 veryfast, 10 s 480p; floor %s)\n' \
        "$(ratio "${MED[yadif.b]}" "${MED[yadif.a]}")" "$(floor yadif)"
    printf 'one chunk (tpad): -w 2 / -w 1            %-10s <= 1.05\n' "$(ratio "${MED[onechunk.b]}" "${MED[onechunk.a]}")"
fi
want exact && printf 'speedup --exact -w 2 / -w 1 (60 s 480p)  %-10s (hqdn3d replayed; 1.0 as one chunk)\n' \
    "$(ratio "${MED[exact.a]}" "${MED[exact.b]}")"
if want bytes; then
    printf 'bytes, 8 chunks vs 1 (x264, 60 s)        %-10s (%s vs %s)\n' "$(pct "$b8" "$b1")" "$b8" "$b1"
    printf 'bytes, 57 chunks vs 1 (x264, 60 s)       %-10s (%s vs %s)\n' "$(pct "$b57" "$b1")" "$b57" "$b1"
    printf 'bytes, 8 chunks vs 1 (AV1 aom, 4 s)      %-10s (%s vs %s)\n' "$(pct "$a8" "$a1")" "$a8" "$a1"
fi
# 9. Long encodes: AV1 against the CLI, cuts, resume (issue 20).
long_encodes() {
    local in=$A/av1_480x270_20s.mp4 cuts=$A/cuts3s_480x270.mp4 fb rb
    gen "$in" --size 480x270 --fps 30 --duration 20
    if want av1; then
        AOM=(-c:v libaom-av1 --crf 35 --venc-opt cpu-used=8)
        SVT=(-c:v libsvtav1 --crf 35 --preset 10)
        measure aom ffmpeg -nostdin -v error -y -i "$in" -vf null -an -threads 0 -c:v libaom-av1 \
                    -cpu-used 8 -crf 35 "$OUT/fa.mkv" -- \
                "$RENDER" "$in" --vf null -c:a none "${AOM[@]}" -w 2 -q -y -o "$OUT/ra.mkv"
        measure svt ffmpeg -nostdin -v error -y -i "$in" -vf null -an -threads 0 -c:v libsvtav1 \
                    -preset 10 -crf 35 "$OUT/fs.mkv" -- \
                "$RENDER" "$in" --vf null -c:a none "${SVT[@]}" -w 2 -q -y -o "$OUT/rs.mkv"
        printf 'AV1 aom cpu-used 8, time render / CLI   %-10s <= 0.85\n' "$(ratio "${MED[aom.b]}" "${MED[aom.a]}")"
        printf '  bytes render vs CLI                    %-10s <= +10%%\n' \
            "$(pct "$(stat -c %s "$OUT/ra.mkv")" "$(stat -c %s "$OUT/fa.mkv")")"
        printf 'AV1 svt preset 10, time render / CLI     %-10s <= 0.90\n' "$(ratio "${MED[svt.b]}" "${MED[svt.a]}")"
        printf '  bytes render vs CLI                    %-10s <= +5%%\n' \
            "$(pct "$(stat -c %s "$OUT/rs.mkv")" "$(stat -c %s "$OUT/fs.mkv")")"
    fi
    if want cuts; then
        # a hard cut every 3 s: the mandelbrot, testsrc2, smptebars ... in turn
        [ -s "$cuts" ] || ffmpeg -nostdin -v error -y \
            -f lavfi -i "mandelbrot=size=480x270:rate=30,trim=duration=3" \
            -f lavfi -i testsrc2=size=480x270:rate=30:duration=3 \
            -f lavfi -i smptebars=size=480x270:rate=30:duration=3 \
            -f lavfi -i "mandelbrot=size=480x270:rate=30:start_scale=0.5,trim=duration=3" \
            -f lavfi -i testsrc=size=480x270:rate=30:duration=3 \
            -f lavfi -i "cellauto=size=480x270:rate=30:seed=1,trim=duration=3" \
            -filter_complex "[0][1][2][3][4][5]concat=n=6:v=1,format=yuv420p" \
            -c:v libx264 -preset veryfast -g 300 -sc_threshold 0 "$cuts"
        fb=$(ffmpeg -nostdin -v error -y -i "$cuts" -an -c:v libx264 -preset veryfast -crf 23 "$OUT/c.mkv" &&
             stat -c %s "$OUT/c.mkv")
        rb=$(bytes_of "$cuts" --vf null -c:a none --preset veryfast --crf 23 -w 2 --split scenes)
        printf 'cut every 3 s, x264 bytes render vs CLI  %-10s within 2%%\n' "$(pct "$rb" "$fb")"
        fb=$(ffmpeg -nostdin -v error -y -i "$cuts" -an -c:v libaom-av1 -cpu-used 8 -crf 35 "$OUT/c.mkv" &&
             stat -c %s "$OUT/c.mkv")
        rb=$(bytes_of "$cuts" --vf null -c:a none -c:v libaom-av1 --crf 35 --venc-opt cpu-used=8 -w 2 --split scenes)
        printf 'cut every 3 s, aom bytes render vs CLI   %-10s within 2%%\n' "$(pct "$rb" "$fb")"
    fi
    if want resume; then
        # the default workload; killed when half its chunks are journaled
        local clean=() resumed=() t pid j
        for _ in $(seq "$RUNS"); do
            rm -f "$OUT/k.mp4"
            clean+=("$(secs "$RENDER" "$in" "${W[@]}" -w 2 --resume -q -y -o "$OUT/k.mp4")")
            # the last run's progress file would say "half done" at once
            rm -f "$OUT/k.mp4" "$OUT/p.txt"
            "$RENDER" "$in" "${W[@]}" -w 2 --resume -q -y -o "$OUT/k.mp4" --progress "$OUT/p.txt" &
            pid=$!
            # --progress writes key=value blocks (chunks_done=, chunks_total=)
            for _ in $(seq 6000); do
                j=$(tail -n 20 "$OUT/p.txt" 2>/dev/null | awk -F= '$1 == "chunks_done" { d = $2 }
                    $1 == "chunks_total" { t = $2 } END { print (t > 0 && 2 * d >= t) }' || true)
                [ "$j" = 1 ] && break
                sleep 0.05
            done
            kill -KILL "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
            t=$(secs "$RENDER" "$in" "${W[@]}" -w 2 --resume -q -y -o "$OUT/k.mp4")
            resumed+=("$t")
        done
        printf 'resume after a kill half-way / clean run %-10s <= 0.6   (%s vs %s s)\n' \
            "$(ratio "$(printf '%s\n' "${resumed[@]}" | median)" "$(printf '%s\n' "${clean[@]}" | median)")" \
            "$(printf '%s\n' "${resumed[@]}" | median)" "$(printf '%s\n' "${clean[@]}" | median)"
    fi
}
{ want av1 || want cuts || want resume; } && long_encodes

# 11. The ffmpeg form (issue 19): the same line through ffmpeg and render
# -w 2, 60 s of 480p with a sine track: the default line (libx264 medium,
# aac), with yadif=1 and with a filter the CLI runs on one thread (boxblur), and two passes
# to a target size (--target-size against ffmpeg's -pass 1 / -pass 2).
ffform() {
    local in=$A/ffform60.mp4 tgt=6000000 fb rb
    [ -s "$in" ] || { gen "$A/ffform60v.mp4" --size 854x480 --fps 30 --duration 60 --gop 30 &&
        ffmpeg -nostdin -v error -y -i "$A/ffform60v.mp4" -f lavfi -i sine=f=440:d=60 -map 0:v -map 1:a \
            -c:v copy -c:a aac -shortest "$in"; }
    # sab has no slice threads and costs three times x264 medium: here the
    # CLI's one filter thread is the bottleneck the 0.7 goal is about
    if want ffheavy; then
        measure ffsab ffmpeg -nostdin -v error -y -i "$in" -vf sab=lr=3 "$OUT/fs.mp4" -- \
            "$RENDER" -i "$in" -vf sab=lr=3 -w 2 -q -y "$OUT/rs.mp4"
        printf 'ffmpeg form with -vf sab=lr=3: render / CLI %-7s <= 0.7   (one filter thread the CLI waits on; floor %s)\n' \
            "$(ratio "${MED[ffsab.b]}" "${MED[ffsab.a]}")" "$(floor ffsab)"
    fi
    want ffform || return 0
    measure ffdef ffmpeg -nostdin -v error -y -i "$in" "$OUT/fd.mp4" -- \
        "$RENDER" -i "$in" -w 2 -q -y "$OUT/rd.mp4"
    measure ffyadif ffmpeg -nostdin -v error -y -i "$in" -vf yadif=1 "$OUT/fy.mp4" -- \
        "$RENDER" -i "$in" -vf yadif=1 -w 2 -q -y "$OUT/ry.mp4"
    # boxblur has no slice threads in 5.1 (yadif has): the CLI runs it on one
    measure ffbox ffmpeg -nostdin -v error -y -i "$in" -vf boxblur=5:2 -preset veryfast "$OUT/fb.mp4" -- \
        "$RENDER" -i "$in" -vf boxblur=5:2 -preset veryfast -w 2 -q -y "$OUT/rb.mp4"
    twopass() {
        ffmpeg -nostdin -v error -y -i "$in" -an -c:v libx264 -b:v "$1" -pass 1 -passlogfile "$OUT/pl" \
            -f null - && ffmpeg -nostdin -v error -y -i "$in" -an -c:v libx264 -b:v "$1" -pass 2 \
            -passlogfile "$OUT/pl" "$OUT/f2.mp4"
    }
    # the CLI's two passes at the bitrate that fills the target
    local br=$(awk -v t="$tgt" 'BEGIN { printf "%d", t * 8 / 60 }')
    measure fftwo twopass "$br" -- "$RENDER" -i "$in" -an -c:v libx264 --target-size "$tgt" -w 2 -q -y "$OUT/r2.mp4"
    printf 'ffmpeg form, default line: render / CLI  %-10s <= 1.0   (libx264 medium + aac, 60 s 480p; floor %s)\n' \
        "$(ratio "${MED[ffdef.b]}" "${MED[ffdef.a]}")" "$(floor ffdef)"
    printf '  with -vf yadif=1                       %-10s <= 0.7   (yadif has slice threads; floor %s)\n' \
        "$(ratio "${MED[ffyadif.b]}" "${MED[ffyadif.a]}")" "$(floor ffyadif)"
    printf '  with -vf boxblur=5:2 -preset veryfast  %-10s <= 0.7   (a filter the CLI runs on one thread; floor %s)\n' \
        "$(ratio "${MED[ffbox.b]}" "${MED[ffbox.a]}")" "$(floor ffbox)"
    printf '  --target-size %s: time / CLI 2-pass %-10s < 1     bytes %s of the target (within 2%%)\n' \
        "$tgt" "$(ratio "${MED[fftwo.b]}" "${MED[fftwo.a]}")" "$(pct "$(stat -c %s "$OUT/r2.mp4")" "$tgt")"
}
{ want ffform || want ffheavy; } && ffform

# Per encoder: render -w 2 vs the ffmpeg CLI (its own section, "encoders").
if want encoders; then
    echo
    RENDER="$RENDER" GEN="$GEN" RUNS="$RUNS" ONLY= bash bench/perf_encoders.sh
fi
