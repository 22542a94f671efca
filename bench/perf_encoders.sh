#!/usr/bin/env bash
# bench/perf_encoders.sh - render -w 2 against the ffmpeg CLI with its own
# threading, per encoder, same settings; run by hand (not a timed test):
#   bash bench/perf_encoders.sh                 RUNS=3, 8 s of 854x480
#   RUNS=1 SIZE=320x240 DURATION=3 ONLY="x264 aom" bash bench/perf_encoders.sh
#
# Both sides get --vf null and the same encoder options; ffmpeg keeps its
# default -threads (auto), render runs two workers of one encoder thread
# each. The runs of an encoder alternate (ffmpeg, render, ffmpeg, ...) so
# background load hits both alike; medians are reported. Peak memory is
# /usr/bin/time's max RSS of the median run's process, for render also
# divided by its 2 workers. "cpu ratio" is user+sys CPU seconds, render over
# ffmpeg: the work each side did, which load on a shared machine disturbs
# less than wall time. Goal: time ratio <= 1.0, <= 0.85 for aom (its
# own threads scale poorly).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
RENDER=${RENDER:-./render}
GEN=${GEN:-./gen-mandelbrot}
RUNS=${RUNS:-3}
SIZE=${SIZE:-854x480}
DURATION=${DURATION:-8}
ONLY=${ONLY:-x264 x265 svtav1 aom vp9}
A=assets/perf
mkdir -p "$A"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
unset OMP_NUM_THREADS OMP_SCHEDULE

IN=$A/enc_${SIZE}_${DURATION}s.mp4
[ -s "$IN" ] || "$GEN" -q -o "$IN" --size "$SIZE" --fps 30 --duration "$DURATION" --gop 30

# name | encoder | render options | the same for the ffmpeg CLI | goal
ENCODERS="
x264   | libx264    | --preset veryfast --crf 23                          | -preset veryfast -crf 23             | 1.0
x265   | libx265    | --preset veryfast --crf 28                          | -preset veryfast -crf 28             | 1.0
svtav1 | libsvtav1  | --preset 10                                         | -preset 10                           | 1.0
aom    | libaom-av1 | --venc-opt cpu-used=6 --crf 34                      | -cpu-used 6 -crf 34                  | 0.85
vp9    | libvpx-vp9 | --venc-opt cpu-used=4 --venc-opt deadline=good --crf 34 --venc-opt b=0 | -cpu-used 4 -deadline good -crf 34 -b:v 0 | 1.0
"

# run FILE CMD...: append "seconds maxrss_kib cpu_seconds" of one run to FILE
run() {
    local f=$1; shift
    /usr/bin/time -f '%e %M %U %S' -o "$OUT/t" "$@" >/dev/null 2>"$OUT/err" ||
        { echo "failed: $* ($(head -c 300 "$OUT/err"))" >&2; exit 1; }
    awk '{ print $1, $2, $3 + $4 }' "$OUT/t" >>"$f"
}
# median run of FILE (by wall time): "seconds maxrss cpu_seconds"
median() { sort -g "$1" | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }'; }

echo "host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "input: $IN ($SIZE, $DURATION s, 30 fps); runs per point: $RUNS (medians)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '\n%-7s %9s %9s %7s %5s %10s %10s %11s %11s %10s\n' encoder "ffmpeg s" "render s" ratio goal \
    "cpu ratio" "ffmpeg MiB" "render MiB" "MiB/worker" ""
while IFS='|' read -r name enc ropt fopt goal; do
    name=$(echo $name); enc=$(echo $enc); goal=$(echo $goal)
    [ -n "$name" ] || continue
    case " $ONLY " in *" $name "*) ;; *) continue ;; esac
    : >"$OUT/$name.f"; : >"$OUT/$name.r"
    for _ in $(seq "$RUNS"); do
        # shellcheck disable=SC2086  # option lists are word lists
        run "$OUT/$name.f" ffmpeg -nostdin -v error -y -i "$IN" -vf null -an -c:v "$enc" $fopt "$OUT/f.mkv"
        # shellcheck disable=SC2086
        run "$OUT/$name.r" "$RENDER" -q -y -w 2 --vf null -c:a none -c:v "$enc" $ropt -o "$OUT/r.mkv" "$IN"
    done
    read -r ft fm fc <<<"$(median "$OUT/$name.f")"
    read -r rt rm rc <<<"$(median "$OUT/$name.r")"
    awk -v n="$name" -v ft="$ft" -v rt="$rt" -v g="$goal" -v fm="$fm" -v rm="$rm" \
        -v fc="$fc" -v rc="$rc" 'BEGIN {
        r = rt / ft
        printf "%-7s %9.2f %9.2f %7.3f %5s %10.3f %10.1f %11.1f %11.1f  %s\n", n, ft, rt, r, g,
               rc / fc, fm / 1024, rm / 1024, rm / 2048, (r <= g ? "ok" : "over goal") }'
done <<<"$ENCODERS"
echo "(the machine may be shared: ratios from one run are noisy)"
