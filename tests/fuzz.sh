#!/usr/bin/env bash
# fuzz.sh - `make fuzz`: mutated small files through the sanitizer build.
#
#   RENDER=build/asan/render bash tests/fuzz.sh [MUTANTS_PER_CONTAINER]
#   (FUZZ_CONTAINERS="ts mkv mp4 avi ogg flv mov mxf h264 hevc",
#    FUZZ_FIRST=1 first seed, FUZZ_JOBS=2, FUZZ_TIMEOUT=30 seconds a mutant,
#    FUZZ_ARGS="--vf minterpolate=fps=50" more options for every render)
#
# Seed files (MPEG-TS, Matroska, MP4, AVI, Ogg theora+vorbis, FLV, MOV,
# MXF with MPEG-2 and PCM; 160x120, 1 s, with audio; and raw H.264 / HEVC
# elementary streams without audio) are made with ffmpeg; zzuf (fixed seeds 1..N, ratio 0.4%) writes each mutant
# to a file, which render reads as any input (zzuf's LD_PRELOAD mode does
# not mix with AddressSanitizer, and render opens its input many times).
# A mutant fails the run when render reports a sanitizer error, dies of a
# signal, runs past its timeout, exits with a status other than 0 or 1, or
# leaves any file behind. Failing mutants are kept in tests/tmp/fuzz/ to
# become fixtures. Ends with "N passed, N failed" like the e2e scripts.
. "$(dirname "$0")/lib.sh"

N=${1:-${FUZZ_N:-150}}
FIRST=${FUZZ_FIRST:-1}    # seeds FIRST .. FIRST+N-1
RATIO=${FUZZ_RATIO:-0.004}
JOBS=${FUZZ_JOBS:-2}
LIMIT=${FUZZ_TIMEOUT:-30}
ARGS=${FUZZ_ARGS:-}       # words, e.g. a graph that takes another path through the engine
KEEP=$T_ROOT/tests/tmp/fuzz
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=87}

need_render
command -v zzuf >/dev/null || { fail "zzuf" "not installed (make deps)"; finish; exit 1; }
mkdir -p "$KEEP" "$T_TMP/seeds"

seed_file() {  # CONTAINER: a small seed made by ffmpeg
    local c=$1 v="-c:v libx264 -g 12" a ar=22050 f=""
    case $c in
    ts|mp4|mov|flv) a="-c:a aac" ;;
    mkv)    a="-c:a libopus" ;;
    avi)    v="-c:v mpeg4 -g 12"; a="-c:a pcm_s16le" ;;
    ogg)    v="-c:v libtheora -g 12"; a="-c:a libvorbis" ;;
    mxf)    v="-c:v mpeg2video -g 12"; a="-c:a pcm_s16le"; ar=48000 ;;
    h264)   a="-an"; f="-f h264" ;;
    hevc)   v="-c:v libx265 -x265-params log-level=error:keyint=12"; a="-an"; f="-f hevc" ;;
    esac
    # shellcheck disable=SC2086
    ffmpeg -v error -y -f lavfi -i testsrc=s=160x120:r=25:d=1 -f lavfi -i sine=d=1:r=$ar \
        $v $a -pix_fmt yuv420p -shortest $f "$T_TMP/seeds/seed.$c"
}

# one CONTAINER SEED: prints "ok" or "FAIL reason"; keeps failing mutants.
one() {
    local c=$1 s=$2 d=$T_TMP/run.$1.$2 rc=0 why=""
    mkdir -p "$d/out"
    zzuf -s "$s" -r "$RATIO" <"$T_TMP/seeds/seed.$c" >"$d/in.$c"
    # shellcheck disable=SC2086
    ( cd "$d/out" && exec timeout -s KILL "$LIMIT" "$RENDER" "$d/in.$c" -o o.mp4 -q -w 2 \
        --preset ultrafast $ARGS </dev/null >"$d/out.txt" 2>"$d/err.txt" ) || rc=$?
    if grep -q -e "ERROR: AddressSanitizer" -e "ERROR: LeakSanitizer" -e "runtime error:" "$d/err.txt"; then
        why="sanitizer: $(grep -m1 -e ERROR: -e 'runtime error:' "$d/err.txt" | head -c 200)"
    elif [ $rc -eq 137 ]; then
        why="hang (killed after ${LIMIT}s)"
    elif [ $rc -gt 128 ]; then
        why="signal $((rc - 128))"
    elif [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
        why="exit $rc: $(head -c 200 "$d/err.txt" | tr '\n' '|')"
    elif [ $rc -eq 1 ] && [ -n "$(ls -A "$d/out")" ]; then
        why="failed and left: $(ls -A "$d/out" | tr '\n' ' ')"
    elif [ $rc -eq 0 ] && [ "$(ls -A "$d/out")" != o.mp4 ]; then
        why="done but the dir has: $(ls -A "$d/out" | tr '\n' ' ')"
    fi
    if [ -n "$why" ]; then
        local k=$KEEP/crash_${c}_s$s${ARGS:+_$(printf %s "$ARGS" | cksum | cut -d' ' -f1)}
        cp "$d/in.$c" "$k.$c"
        { [ -z "$ARGS" ] || echo "render options: $ARGS"; cat "$d/err.txt"; } >"$k.txt"
        echo "FAIL $c seed $s: $why"
    else
        echo "ok"
    fi
    rm -rf "$d"
}
export -f one
export RENDER RATIO LIMIT KEEP T_TMP ARGS

for c in ${FUZZ_CONTAINERS:-ts mkv mp4 avi ogg flv mov mxf h264 hevc}; do
    seed_file "$c" || { fail "seed $c" "ffmpeg could not make it"; continue; }
    res=$(seq "$FIRST" "$((FIRST + N - 1))" | xargs -P "$JOBS" -I{} bash -c 'one "$0" "$1"' "$c" {})
    bad=$(grep -c '^FAIL' <<<"$res" || true)
    if [ "$bad" -eq 0 ]; then
        ok "fuzz $c${ARGS:+ ($ARGS)}: $N mutants, no sanitizer report, crash, hang or leftover"
    else
        fail "fuzz $c${ARGS:+ ($ARGS)}: $bad of $N mutants" "$(grep '^FAIL' <<<"$res" | head -5 | tr '\n' ';') kept in $KEEP"
    fi
done
finish
