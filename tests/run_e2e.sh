#!/usr/bin/env bash
# run_e2e.sh - runs every tests/e2e_*.sh, E2E_JOBS at a time (default:
# the cores, at most 4). A script's output is printed whole when it ends,
# with its time, so the lines of two scripts never mix. The scripts that
# signal, time or watch a run (SOLO) never run beside each other, and each
# runs beside at most one other script. Exit 1 when any script failed.
#
# E2E_SET picks the scripts when none are named: core (make test: the
# engine, files, safety, resume, MPI, the dashboard), cli (make test-cli:
# the tables of ffmpeg command lines run through both tools), or all.
#
#   RENDER=... GEN=... RENDER_MPI=... [E2E_SET=core|cli|all] bash tests/run_e2e.sh [SCRIPT...]
cd "$(dirname "$0")/.." || exit 1
CLI_SET=" e2e_ffcli e2e_ffcli2 e2e_ffcli3 e2e_ffcli4 e2e_ffcli5 e2e_ffcli6 e2e_ffcli7 e2e_ffcli8 e2e_ffcli9
          e2e_ffcli10 e2e_ffcli11 e2e_ffcli12 e2e_ffcli13 e2e_ffcli14 e2e_filters e2e_inputs2 e2e_inputs3 e2e_tsjump e2e_ratectl e2e_ratectl2 "
in_set() {
    local n; n=$(basename "$1" .sh)
    case "${E2E_SET:-all}" in
    core) case " $(echo $CLI_SET) " in *" $n "*) return 1 ;; esac; return 0 ;;
    cli) case " $(echo $CLI_SET) " in *" $n "*) return 0 ;; esac; return 1 ;;
    *) return 0 ;;
    esac
}
SOLO=" e2e_dashboard e2e_errors e2e_gen e2e_mpi e2e_ratectl e2e_resume e2e_safety e2e_safety2 e2e_safety3 e2e_safety4 "
jobs_max=${E2E_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$jobs_max" -gt 4 ] && jobs_max=4
[ "$jobs_max" -lt 1 ] && jobs_max=1
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/render-e2e.XXXXXX") || exit 1
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$LOGS"' EXIT
trap 'exit 130' INT TERM

# The longest first, so that the last to end is a short one, each SOLO
# script beside a long other one; scripts not named here come last.
if [ $# -gt 0 ]; then queue=("$@"); else
    queue=(tests/e2e_render.sh tests/e2e_safety2.sh tests/e2e_ffcli3.sh tests/e2e_dashboard.sh
           tests/e2e_ffcli4.sh tests/e2e_mpi.sh tests/e2e_ffcli.sh tests/e2e_resume.sh
           tests/e2e_filters.sh tests/e2e_ratectl.sh tests/e2e_tracks.sh tests/e2e_safety.sh
           tests/e2e_inputs.sh tests/e2e_gen.sh tests/e2e_ffcli2.sh tests/e2e_safety4.sh
           tests/e2e_ffcli6.sh tests/e2e_inputs3.sh tests/e2e_inputs2.sh tests/e2e_ffcli5.sh
           tests/e2e_ratectl2.sh tests/e2e_remux.sh tests/e2e_safety3.sh tests/e2e_twopass.sh
           tests/e2e_tsjump.sh tests/e2e_ffcli7.sh tests/e2e_ffcli8.sh tests/e2e_ffcli9.sh
           tests/e2e_errors.sh)
    for t in tests/e2e_*.sh; do
        case " ${queue[*]} " in *" $t "*) ;; *) queue+=("$t") ;; esac
    done
    picked_set=()
    for t in "${queue[@]}"; do in_set "$t" && picked_set+=("$t"); done
    queue=("${picked_set[@]}")
fi

declare -A started=()
running=() rc=0 solo_on="" failed=()
is_solo() { case "$SOLO" in *" $(basename "$1" .sh) "*) return 0 ;; esac; return 1; }

start() {
    local t=$1 n; n=$(basename "$t" .sh)
    started[$t]=$(date +%s)
    ( bash "$t" >"$LOGS/$n.log" 2>&1; echo $? >"$LOGS/$n.rc" ) &
    running+=("$t")
    is_solo "$t" && solo_on=$t
}

# Print and forget the scripts that have ended.
reap() {
    local keep=() t n
    for t in "${running[@]}"; do
        n=$(basename "$t" .sh)
        if [ -e "$LOGS/$n.rc" ]; then
            echo "== $t"
            cat "$LOGS/$n.log"
            echo "== $t: $(( $(date +%s) - started[$t] )) s"
            if [ "$(cat "$LOGS/$n.rc")" != 0 ]; then
                rc=1
                failed+=("$t: $(grep -c '^FAIL\|^not ok' "$LOGS/$n.log") failed, exit $(cat "$LOGS/$n.rc")")
                grep '^FAIL\|^not ok' "$LOGS/$n.log" | head -20 >>"$LOGS/failed-lines"
            fi
            [ "$solo_on" = "$t" ] && solo_on=""
        else
            keep+=("$t")
        fi
    done
    running=("${keep[@]}")
}

while [ ${#queue[@]} -gt 0 ] || [ ${#running[@]} -gt 0 ]; do
    picked=-1
    if [ ${#running[@]} -lt "$jobs_max" ]; then
        for i in "${!queue[@]}"; do
            t=${queue[$i]}
            if is_solo "$t"; then
                # beside one other script at most, and never another solo one
                [ -z "$solo_on" ] && [ ${#running[@]} -le 1 ] && { picked=$i; break; }
            elif [ -z "$solo_on" ] || [ ${#running[@]} -lt 2 ]; then
                picked=$i; break
            fi
        done
    fi
    if [ "$picked" -ge 0 ]; then
        start "${queue[$picked]}"
        unset "queue[$picked]"
        queue=("${queue[@]}")
        continue
    fi
    wait -n 2>/dev/null
    reap
done
# A CI log keeps only its tail: name what failed at the end.
if [ ${#failed[@]} -gt 0 ]; then
    echo "== failed scripts:"
    printf '  %s\n' "${failed[@]}"
    [ -s "$LOGS/failed-lines" ] && cat "$LOGS/failed-lines"
fi
exit $rc
