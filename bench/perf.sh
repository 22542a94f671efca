#!/usr/bin/env bash
# bench/perf.sh - the engine's speed and memory targets, run by hand:
#   bash bench/perf.sh            (RUNS=3 by default; medians reported)
#
# Every comparison is a ratio of runs made in this one script run, so the
# machine's speed cancels out; the runs of a comparison alternate so that
# background load hits both sides alike.
#   1. 60 s 854x480 clip, hqdn3d + x264 veryfast crf 23:
#      render -w 2 vs render -w 1 (speedup), and vs ffmpeg's own threading
#   2. long GOP (keyframe every 250 frames, 300 frames, 720p): -w 2 vs -w 1
#   3. 2 s clip: -w 8 vs -w 1 (over-decomposition must not hurt small inputs)
#   0. the machine's own ceiling: two independent one-thread renders at once
#      against one alone (shared caches, memory bandwidth, SMT on the host)
#   4. peak memory (max RSS) for a 10-minute 480p input vs a 1-minute one
#      (hqdn3d + x264 ultrafast: memory, not speed, is measured)
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

gen() { [ -s "$1" ] || "$GEN" -q -o "$1" "${@:2}"; }
gen "$A/clip60.mp4"  --size 854x480 --fps 30 --duration 60 --gop 30
gen "$A/longgop.mp4" --size 1280x720 --fps 30 --duration 10 --gop 250
gen "$A/clip2.mp4"   --size 854x480 --fps 30 --duration 2 --gop 30
gen "$A/clip1m.mp4"  --size 854x480 --fps 30 --duration 60 --gop 30 --preset ultrafast
gen "$A/clip10m.mp4" --size 854x480 --fps 30 --duration 600 --gop 30 --preset ultrafast

W=(--vf hqdn3d --preset veryfast --crf 23)

# wall seconds of one command
secs() {
    local t0=$EPOCHREALTIME
    "$@" >/dev/null 2>&1
    awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f\n", b - a }'
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
    : > "$OUT/$name.a"; : > "$OUT/$name.b"
    for _ in $(seq "$RUNS"); do
        secs "${a[@]}" >> "$OUT/$name.a"
        secs "${b[@]}" >> "$OUT/$name.b"
    done
    MED[$name.a]=$(median < "$OUT/$name.a")
    MED[$name.b]=$(median < "$OUT/$name.b")
    printf '%-10s %s s (%s) vs %s s (%s)\n' "$name" "${MED[$name.a]}" \
        "$(paste -sd' ' "$OUT/$name.a")" "${MED[$name.b]}" "$(paste -sd' ' "$OUT/$name.b")"
}

echo "host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "runs per point: $RUNS (medians)"
one() { "$RENDER" "$A/clip2x.mp4" "${W[@]}" -w 1 --chunks 1 -q -y -o "$OUT/$1.mp4"; }
pair() { one a & one b; wait; }
gen "$A/clip2x.mp4" --size 854x480 --fps 30 --duration 20 --gop 30
measure ceiling one a -- pair
measure w1w2 "$RENDER" "$A/clip60.mp4" "${W[@]}" -w 1 -q -y -o "$OUT/o.mp4" -- \
             "$RENDER" "$A/clip60.mp4" "${W[@]}" -w 2 -q -y -o "$OUT/o.mp4"
measure ffmpeg ffmpeg -v error -y -i "$A/clip60.mp4" -vf hqdn3d -c:v libx264 -preset veryfast \
                      -crf 23 -c:a copy "$OUT/f.mp4" -- \
               "$RENDER" "$A/clip60.mp4" "${W[@]}" -w 2 -q -y -o "$OUT/o.mp4"
measure longgop "$RENDER" "$A/longgop.mp4" "${W[@]}" -w 1 -q -y -o "$OUT/o.mp4" -- \
                "$RENDER" "$A/longgop.mp4" "${W[@]}" -w 2 -q -y -o "$OUT/o.mp4"
measure small "$RENDER" "$A/clip2.mp4" -w 1 -q -y -o "$OUT/o.mp4" -- \
              "$RENDER" "$A/clip2.mp4" -w 8 -q -y -o "$OUT/o.mp4"

rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
m1=1 m10=1
if [ "${MEMORY:-1}" = 1 ]; then
    m1=$(rss "$RENDER" "$A/clip1m.mp4" --preset ultrafast -w 2 -q -y -o "$OUT/m.mp4")
    m10=$(rss "$RENDER" "$A/clip10m.mp4" --preset ultrafast -w 2 -q -y -o "$OUT/m.mp4")
fi

echo
echo "target                                   measured   goal"
printf 'machine ceiling: 2 x 1 thread at once     %-10s (2 / (time of the pair / time of one))\n' \
    "$(awk -v a="${MED[ceiling.a]}" -v b="${MED[ceiling.b]}" 'BEGIN { printf "%.3f", 2 * a / b }')"
printf 'speedup -w 2 / -w 1 (60 s 480p)          %-10s >= 1.85\n' "$(ratio "${MED[w1w2.a]}" "${MED[w1w2.b]}")"
printf 'time render -w 2 / ffmpeg -threads auto  %-10s <= 0.85\n' "$(ratio "${MED[ffmpeg.b]}" "${MED[ffmpeg.a]}")"
printf 'speedup -w 2 / -w 1 (long GOP 720p)      %-10s >= 1.7\n' "$(ratio "${MED[longgop.a]}" "${MED[longgop.b]}")"
printf 'time -w 8 / -w 1 (2 s clip)              %-10s <= 1.10\n' "$(ratio "${MED[small.b]}" "${MED[small.a]}")"
printf 'peak RSS 10 min / 1 min (480p, -w 2)     %-10s <= 1.5   (%s KiB vs %s KiB)\n' \
    "$(ratio "$m10" "$m1")" "$m10" "$m1"
echo; RENDER="$RENDER" GEN="$GEN" RUNS="$RUNS" bash bench/perf_encoders.sh   # per encoder: render -w 2 vs the ffmpeg CLI
