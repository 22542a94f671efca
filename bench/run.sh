#!/usr/bin/env bash
# bench/run.sh - `make bench`: the scaling experiments of bench/EXERCISES.md.
#
# Generates its clips into assets/, runs every sweep through the CLI as a
# user would, writes bench/results/<name>.json (render-bench/1) and the
# gnuplot .dat files beside them, draws plots/*.png and *.svg, and ends with
# a summary table.
#
# Environment:
#   RENDER   the render binary (default ./render)
#   GEN      the clip generator (default ./gen-mandelbrot)
#   QUICK=1  short clips, one run per point: a smoke test (~2 min on 2 cores)
#   BENCH_SECONDS  length of the main clip (default: grows with the largest
#            worker count P, 2 s a worker, from 20 s up to 120 s; QUICK 3)
#   SIDE_SECONDS   length of the clip of the schedule and chunk-factor
#            experiments (default: the main clip's, at most 40 s)
#   REPEAT   runs per point for the main sweeps (default 3; QUICK 1)
#   POINTS   worker counts, e.g. 1,2,4,8 (default 1,2,4,... up to the cores, and the cores)
#
# Experiments (name: what):
#   main         strong scaling, in one process (render --sweep), dynamic schedule
#   processes    the same, one process per run (OMP_NUM_THREADS loop + --report),
#                assembled with render --assemble-sweep
#   static       OMP_SCHEDULE=static, equal-length chunks (--split time)
#   dynamic_time dynamic,1 on the same equal-length chunks (guided too, unless QUICK)
#   cf1, cf16    --chunk-factor 1 and 16      (main is 4; cf16 unless QUICK)
#   small_heavy, small_light   a 2 s clip: default workload vs --vf null --preset ultrafast
#   weak         weak scaling (--weak S: p workers get p x S seconds)
set -euo pipefail
export LC_ALL=C   # '.' decimals from EPOCHREALTIME, awk and printf

cd "$(dirname "$0")/.."
RENDER=${RENDER:-./render}
GEN=${GEN:-./gen-mandelbrot}
QUICK=${QUICK:-0}
RES=bench/results
TMP=bench/tmp
PLOTS=plots

# The runs set these themselves; a value left in the caller's shell would
# silently change every experiment.
unset OMP_NUM_THREADS OMP_SCHEDULE OMP_DYNAMIC OMP_PROC_BIND OMP_PLACES

die() { echo "bench: $*" >&2; exit 1; }
step() { printf '\n== %s\n' "$*" >&2; }
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

[ -x "$RENDER" ] || die "$RENDER not found (make render, or set RENDER=)"
NCPU=$(nproc)

# 1, 2, 4, ... up to the cores, and the cores: the same list render --sweep
# uses by default, spelled out so the process loop runs the same points.
default_points() {
    local p=1 list=""
    while [ "$p" -le "$NCPU" ]; do list="$list,$p"; p=$((p * 2)); done
    [ $((p / 2)) -eq "$NCPU" ] || list="$list,$NCPU"
    echo "${list#,}"
}
POINTS=${POINTS:-$(default_points)}
PMAX=$(echo "$POINTS" | tr ',' '\n' | sort -n | tail -1)

# The main clip grows with the largest worker count: 2 s (two 1 s GOPs) a
# worker, so that every point has a few chunks of at least a GOP per worker
# and the curve shows the machine, not the clip's granularity. 20 s at
# least (2 cores: the whole bench near ten minutes); 120 s at most, so a
# 64- or 128-core node still finishes in bounded time (docs/PERFORMANCE.md).
# The secondary experiments compare schedules and chunk factors with each
# other, and a shorter clip (at most 40 s) does that as well.
if [ "$QUICK" = 1 ]; then
    SECONDS_MAIN=${BENCH_SECONDS:-3}
    REPEAT=${REPEAT:-1}
else
    SECONDS_MAIN=${BENCH_SECONDS:-$(( PMAX * 2 < 20 ? 20 : PMAX * 2 > 120 ? 120 : PMAX * 2 ))}
    REPEAT=${REPEAT:-3}
fi
SECONDS_SIDE=${SIDE_SECONDS:-$(( SECONDS_MAIN < 40 ? SECONDS_MAIN : 40 ))}
REPEAT2=1   # secondary experiments: one run per point keeps the whole run short

EXPERIMENTS="main processes static dynamic_time guided cf1 cf4 cf16 small_heavy small_light weak"
mkdir -p assets "$RES" "$TMP" "$PLOTS"
# Results of an earlier run must not end up in this run's charts.
for name in $EXPERIMENTS; do rm -f "$RES/$name.json" "$RES/${name}"_*.dat; done

# ---- clips ------------------------------------------------------------------

MAIN=assets/bench_480p_${SECONDS_MAIN}s.mp4
SIDE=assets/bench_480p_${SECONDS_SIDE}s.mp4
SMALL=assets/bench_480p_2s.mp4
clip() {  # clip FILE SECONDS: 854x480, 30 fps, a keyframe every second
    [ -s "$1" ] && return 0
    [ -x "$GEN" ] || die "$GEN not found (make gen-mandelbrot, or set GEN=)"
    step "generating $1 ($2 s)"
    "$GEN" --size 854x480 --fps 30 --duration "$2" --gop 30 -o "$1"
}
clip "$MAIN" "$SECONDS_MAIN"
clip "$SIDE" "$SECONDS_SIDE"
clip "$SMALL" 2

# ---- in-process sweeps --------------------------------------------------------

sweep() {  # sweep NAME INPUT REPEAT [render options...]
    local name=$1 input=$2 repeat=$3
    shift 3
    step "$name: render $input --sweep $POINTS $*"
    "$RENDER" "$input" --sweep "$POINTS" -y --repeat "$repeat" \
        --export "$RES/$name.json" --dat-dir "$RES" "$@"
}

# The plans every point gets, and what list scheduling predicts for them.
for p in ${POINTS//,/ }; do "$RENDER" "$MAIN" --dry-run -w "$p" | sed -n 2,3p; done >&2
# main also measures the machine's own ceiling (--ceiling, default 2 s a job).
sweep main "$MAIN" "$REPEAT"
# Schedules are compared on chunks of equal length (--split time): the
# default cost-balanced chunks would hide most of what static gets wrong.
OMP_SCHEDULE=static sweep static "$SIDE" "$REPEAT2" --split time --ceiling 0
OMP_SCHEDULE=dynamic,1 sweep dynamic_time "$SIDE" "$REPEAT2" --split time --ceiling 0
[ "$QUICK" = 1 ] || OMP_SCHEDULE=guided sweep guided "$SIDE" "$REPEAT2" --split time --ceiling 0
sweep cf1 "$SIDE" "$REPEAT2" --chunk-factor 1 --ceiling 0
# A QUICK clip is too short for 16 chunks per worker.
[ "$QUICK" = 1 ] || sweep cf16 "$SIDE" "$REPEAT2" --chunk-factor 16 --ceiling 0
# The default factor on the same clip, when the main clip is longer.
[ "$SIDE" = "$MAIN" ] || sweep cf4 "$SIDE" "$REPEAT2" --ceiling 0
sweep small_heavy "$SMALL" "$REPEAT" --ceiling 0
sweep small_light "$SMALL" "$REPEAT" --vf null --preset ultrafast --ceiling 0

# Weak scaling: every point must fit in the clip, so S = clip / largest p
# (at most 5 s, at least 1 s), and points that would need more are left out.
UNIT=$(awk -v d="$SECONDS_MAIN" -v p="$PMAX" \
    'BEGIN { u = d / p; if (u > 5) u = 5; if (u < 1) u = 1; printf "%.1f", int(u * 10) / 10 }')
WEAK_POINTS=$(echo "$POINTS" | tr ',' '\n' |
    awk -v d="$SECONDS_MAIN" -v u="$UNIT" '$1 * u <= d + 1e-9' | paste -sd, -)
step "weak: $UNIT s per worker, points $WEAK_POINTS"
"$RENDER" "$MAIN" --sweep "$WEAK_POINTS" -y --weak "$UNIT" --repeat "$REPEAT2" \
    --export "$RES/weak.json" --dat-dir "$RES" --ceiling 0

# ---- one process per run -----------------------------------------------------
# As at a shell: OMP_NUM_THREADS=p render IN --report FILE. The wall time of
# each process goes next to its report (FILE.wall) so that the assembled
# sweep counts start-up, which the in-process sweep never pays.

PROC=$TMP/processes
rm -rf "$PROC"
mkdir -p "$PROC"
timed() {  # timed REPORT [VAR=VALUE...] RENDER ARGS...: one run, wall time to REPORT.wall
    local report=$1 t0 t1
    shift
    t0=$EPOCHREALTIME
    env "$@" --report "$report" -q -y -o "$TMP/processes_out.mp4"
    t1=$EPOCHREALTIME
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }' > "$report.wall"
}

if "$RENDER" --help 2>&1 | grep -q -- '--assemble-sweep'; then
    step "processes: OMP_NUM_THREADS in $POINTS, $REPEAT runs each"
    baselines=() runs=()
    for r in $(seq "$REPEAT"); do
        timed "$PROC/base_r$r.json" OMP_NUM_THREADS=1 "$RENDER" "$MAIN" -w 1 --chunks 1
        baselines+=(--baseline "$PROC/base_r$r.json")
    done
    for p in ${POINTS//,/ }; do
        for r in $(seq "$REPEAT"); do
            timed "$PROC/p${p}_r$r.json" OMP_NUM_THREADS="$p" "$RENDER" "$MAIN"
            runs+=("$PROC/p${p}_r$r.json")
            printf 'processes: OMP_NUM_THREADS=%d, run %d/%d: %s s\n' "$p" "$r" "$REPEAT" \
                "$(cat "$PROC/p${p}_r$r.json.wall")" >&2
        done
    done
    rm -f "$TMP/processes_out.mp4"
    # The ceiling main measured: same machine, same clip, same workload.
    "$RENDER" --assemble-sweep "$RES/processes.json" -y --dat-dir "$RES" \
        --ceiling-from "$RES/main.json" "${baselines[@]}" "${runs[@]}"
else
    echo "bench: $RENDER has no --assemble-sweep; skipping the one-process-per-run sweep" >&2
fi

# ---- charts -------------------------------------------------------------------

chart() {  # chart SCRIPT OUT NEEDED.dat... -- gnuplot -e assignments
    local script=$1 out=$2 vars=""
    shift 2
    while [ "$1" != "--" ]; do
        [ -s "$1" ] || { echo "bench: no $1, skipping $out" >&2; return 0; }
        shift
    done
    shift
    for v in "$@"; do vars="$vars$v; "; done
    # A chart that cannot be drawn (e.g. no valid point on a noisy machine)
    # is said, not the end of the bench: the JSON results are already written.
    if gnuplot -e "${vars}out='$PLOTS/$out'" "$PLOTS/$script.gp"; then
        echo "  $PLOTS/$out.png $PLOTS/$out.svg" >&2
    else
        echo "bench: $script.gp could not draw $PLOTS/$out" >&2
    fi
}

if command -v gnuplot > /dev/null; then
    step "charts"
    R=$RES
    chart speedup speedup $R/main_scaling.dat -- "dat='$R/main_scaling.dat'"
    chart efficiency efficiency $R/main_scaling.dat -- "dat='$R/main_scaling.dat'"
    chart karp_flatt karp_flatt $R/main_scaling.dat -- "dat='$R/main_scaling.dat'"
    chart phases phases $R/main_phases.dat -- "dat='$R/main_phases.dat'" "name='in one process'"
    chart phases phases_processes $R/processes_phases.dat -- \
        "dat='$R/processes_phases.dat'" "name='one process per run'"
    chart gantt gantt $R/main_gantt.dat -- "dat='$R/main_gantt.dat'" "name='dynamic,1'"
    chart gantt gantt_static $R/static_gantt.dat -- "dat='$R/static_gantt.dat'" \
        "name='static, equal-length chunks'"
    chart gantt gantt_dynamic $R/dynamic_time_gantt.dat -- "dat='$R/dynamic_time_gantt.dat'" \
        "name='dynamic,1, equal-length chunks'"
    guided=()
    [ -s $R/guided_scaling.dat ] && guided=("dat3='$R/guided_scaling.dat'")
    chart schedule schedule $R/static_scaling.dat $R/dynamic_time_scaling.dat -- \
        "dat='$R/static_scaling.dat'" "dat2='$R/dynamic_time_scaling.dat'" "${guided[@]}"
    chart small_file small_file $R/small_heavy_scaling.dat $R/small_light_scaling.dat -- \
        "dat='$R/small_heavy_scaling.dat'" "dat2='$R/small_light_scaling.dat'" \
        "t1='heavy: hqdn3d + x264 default preset, 2 s clip'" \
        "t2='light: null filter + x264 ultrafast, 2 s clip'"
    cf16=()
    [ -s $R/cf16_scaling.dat ] && cf16=("dat3='$R/cf16_scaling.dat'")
    cf4=$R/main_scaling.dat
    [ -s $R/cf4_scaling.dat ] && cf4=$R/cf4_scaling.dat
    chart chunk_factor chunk_factor $R/cf1_scaling.dat "$cf4" -- \
        "dat='$R/cf1_scaling.dat'" "dat2='$cf4'" "${cf16[@]}"
    chart weak weak $R/weak_scaling.dat -- "dat='$R/weak_scaling.dat'" "name='$UNIT s per worker'"
    chart processes processes $R/main_scaling.dat $R/processes_scaling.dat -- \
        "dat='$R/main_scaling.dat'" "dat2='$R/processes_scaling.dat'"
else
    echo "bench: gnuplot not found (make deps); no charts" >&2
fi

# ---- summary ----------------------------------------------------------------------

printf '\nrender bench: %s, %d cpus, points %s, main clip %s\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$NCPU" "$POINTS" "$MAIN"
printf '%-12s %9s %9s %8s %8s %9s %8s  %s\n' experiment "T1_s" "Tbest_s" "at_p" speedup "fit_f" vs_ceil results
for name in $EXPERIMENTS; do
    dat=$RES/${name}_scaling.dat
    [ -s "$dat" ] || continue
    # Strong scaling: the fastest point. Weak: the largest worker count.
    awk -v name="$name" -v json="$RES/$name.json" '
        /^# baseline_s/ { t1 = $3 }
        /^# (amdahl|gustafson)_f/ { f = $3; law = ($2 ~ /gustafson/) ? " (G)" : "" }
        /^[0-9]/ && (law ? $1 >= p : (best == "" || $2 < best)) { best = $2; p = $1; s = $3; c = $13 }
        END { printf "%-12s %9.3f %9.3f %8d %8.2f %9s %8s  %s\n",
                     name, t1, best, p, s, sprintf("%.3f%s", f, law),
                     (c == "" || c == "NaN") ? "-" : sprintf("%.2f", c), json }' "$dat"
done
echo "(speedup = T1 / Tbest, T1 = one worker, one chunk; weak: scaled speedup at the largest p, fit f_s (G);"
echo " vs_ceil = speedup / what p independent one-thread renders reach on this machine)"
