#!/usr/bin/env bash
# e2e_errors.sh - how ./render fails: bad input, bad output, bad usage, Ctrl-C.
#
#   RENDER=/abs/path/render bash tests/e2e_errors.sh     (cwd: anywhere)
#
# Invariant 4 (bad input) and the exit statuses of the command line: 1 failed
# (with exactly one line "render: FILE: reason"), 2 usage error, 130
# interrupted; never a partial OUTPUT or a temporary file left behind.
. "$(dirname "$0")/lib.sh"

need_fixtures
need_render

FX=$FIXTURES
W=$T_TMP

# one_line PREFIX FILE: FILE is exactly one line and it starts with PREFIX.
one_line() {
    [ "$(wc -l <"$2")" -eq 1 ] && [ "$(head -c ${#1} "$2")" = "$1" ]
}
# Show stderr in a FAIL line, newlines as "|".
err_of() { head -c 400 "$1" | tr '\n' '|'; }

# --- bad input -----------------------------------------------------------------
# Each run writes into its own empty directory; afterwards the directory
# must still be empty (no OUTPUT, no temporary file).

bad_input() {   # NAME INPUT_PATH [ALT]
    local name=$1 in=$2 alt=${3:-}
    local d=$W/bad.$name
    mkdir -p "$d"
    local before rc=0
    before=$(ls -A "$d")
    rr "$W/bad_$name" "$in" -o "$d/out.mp4" || rc=$?
    local after
    after=$(ls -A "$d")
    if [ -n "$alt" ] && [ $rc -eq 0 ]; then
        # Accepted alternative for a file that ends early: rendered, with a
        # warning that says how much is missing.
        if grep -q "^render: $in: .*\(missing\|truncated\|of [0-9]\+ frames\)" "$W/bad_$name.err"; then
            ok "bad input $name: rendered with a warning"
        else
            fail "bad input $name" "exit 0 without a warning saying how much is missing; stderr: $(err_of "$W/bad_$name.err")"
        fi
        return
    fi
    check "bad input $name: exit 1" "$(rr_why "$W/bad_$name" $rc)" [ $rc -eq 1 ]
    check "bad input $name: one line 'render: $in: ...'" "stderr: $(err_of "$W/bad_$name.err")" \
        one_line "render: $in: " "$W/bad_$name.err"
    check "bad input $name: nothing left in the output dir" "before [$before], after [$(echo $after)]" \
        [ "$before" = "$after" ]
}

s_input() {
    bad_input empty "$FX/empty.mp4"
    bad_input random "$FX/random.mp4"
    bad_input trunc_moovend "$FX/trunc_moovend.mp4"
    bad_input trunc_faststart "$FX/trunc_faststart.mp4" alt
    bad_input text "$FX/text.mp4"
    bad_input audio_only "$FX/audio.m4a"
    bad_input missing "$W/no-such-file.mp4"
    # A relative path is reported as given.
    bad_input relative "tests/tmp/fixtures/text.mp4"
}

# --- the output ------------------------------------------------------------------

s_output() {
    local rc

    # OUTPUT equal to INPUT: refused, input untouched (also through another
    # spelling of the same path).
    cp "$FX/cfr.mp4" "$W/same.mp4"
    rc=0; rr "$W/same" "$W/same.mp4" -o "$W/same.mp4" -y -q || rc=$?
    check "OUTPUT = INPUT refused (exit 1 or 2)" "$(rr_why "$W/same" $rc)" [ $rc -eq 1 -o $rc -eq 2 ]
    check "OUTPUT = INPUT: input untouched" "input changed" cmp -s "$FX/cfr.mp4" "$W/same.mp4"
    cp "$FX/cfr.mp4" "$W/same.mp4"
    mkdir -p "$W/sub"
    rc=0; rr "$W/same2" "$W/same.mp4" -o "$W/sub/../same.mp4" -y -q || rc=$?
    check "OUTPUT = INPUT by another path refused" "$(rr_why "$W/same2" $rc)" [ $rc -eq 1 -o $rc -eq 2 ]
    check "OUTPUT = INPUT by another path: input untouched" "input changed" \
        cmp -s "$FX/cfr.mp4" "$W/same.mp4"
    ln -sf same.mp4 "$W/link.mp4"
    rc=0; rr "$W/same3" "$W/same.mp4" -o "$W/link.mp4" -y -q || rc=$?
    check "OUTPUT = INPUT through a symlink refused" "$(rr_why "$W/same3" $rc)" [ $rc -eq 1 -o $rc -eq 2 ]
    check "OUTPUT = INPUT through a symlink: input untouched" "input changed" \
        cmp -s "$FX/cfr.mp4" "$W/same.mp4"

    # An existing OUTPUT is kept without -y, replaced with it.
    mkdir -p "$W/exist"
    printf 'precious\n' >"$W/exist/out.mp4"
    rc=0; rr "$W/exist" "$FX/cfr.mp4" --vf null -o "$W/exist/out.mp4" -q || rc=$?
    check "existing OUTPUT without -y: exit 1" "$(rr_why "$W/exist" $rc)" [ $rc -eq 1 ]
    check "existing OUTPUT without -y: one line 'render: ...'" "stderr: $(err_of "$W/exist.err")" \
        one_line "render: " "$W/exist.err"
    check "existing OUTPUT without -y: kept byte for byte" "it changed" \
        [ "$(cat "$W/exist/out.mp4")" = precious ]
    check "existing OUTPUT without -y: no temporary file" "dir has: $(ls -A "$W/exist" | tr '\n' ' ')" \
        [ "$(ls -A "$W/exist")" = out.mp4 ]
    rc=0; rr "$W/exist_y" "$FX/cfr.mp4" --vf null -o "$W/exist/out.mp4" -q -y || rc=$?
    check "existing OUTPUT with -y: exit 0" "$(rr_why "$W/exist_y" $rc)" [ $rc -eq 0 ]
    check "existing OUTPUT with -y: replaced by a video" "not a video" \
        [ "$(probe "$W/exist/out.mp4" stream=codec_type -select_streams v:0)" = video ]
    check "existing OUTPUT with -y: no temporary file" "dir has: $(ls -A "$W/exist" | tr '\n' ' ')" \
        [ "$(ls -A "$W/exist")" = out.mp4 ]

    # Unwritable output locations. We may run as root, where chmod stops
    # nothing: use a directory that does not exist, and /proc.
    for o in /nonexistent/dir/out.mp4 /proc/render-e2e-out.mp4; do
        rc=0; rr "$W/unw" "$FX/cfr.mp4" --vf null -o "$o" -q -y || rc=$?
        check "unwritable $o: exit 1" "$(rr_why "$W/unw" $rc)" [ $rc -eq 1 ]
        check "unwritable $o: one line 'render: $o: ...'" "stderr: $(err_of "$W/unw.err")" \
            one_line "render: $o: " "$W/unw.err"
    done
}

# --- usage -----------------------------------------------------------------------

s_usage() {
    local rc args
    for args in "-w 0" "-w abc" "-w" "--bogus-option" "--chunks -1" "--chunk-factor 0" \
                "-w 2x" "--crf abc" "--dry-run --sweep" "--ceiling -1"; do
        mkdir -p "$W/usage"
        # shellcheck disable=SC2086
        rc=0; rr "$W/usage_r" "$FX/cfr.mp4" -o "$W/usage/out.mp4" $args || rc=$?
        check "usage error '$args': exit 2" "$(rr_why "$W/usage_r" $rc)" [ $rc -eq 2 ]
        check "usage error '$args': says something on stderr" "stderr empty" [ -s "$W/usage_r.err" ]
        check "usage error '$args': no output" "dir has: $(ls -A "$W/usage" | tr '\n' ' ')" \
            [ -z "$(ls -A "$W/usage")" ]
    done

    rc=0; rr "$W/help" --help || rc=$?
    check "--help: exit 0" "$(rr_why "$W/help" $rc)" [ $rc -eq 0 ]
    local missing="" opt
    for opt in -o --output -w --workers --chunks --chunk-factor --vf -c:v --vcodec --crf --preset \
               --venc-opt -c:a --acodec -y -q --quiet --report --sweep --export -h --help --version; do
        grep -q -e "$opt\b" "$W/help.out" || missing="$missing $opt"
    done
    check "--help on stdout mentions every documented option" "missing:$missing" [ -z "$missing" ]
    rc=0; rr "$W/version" --version || rc=$?
    check "--version: exit 0, prints a version" "$(rr_why "$W/version" $rc)" \
        test $rc -eq 0 -a -s "$W/version.out"
}

# --- Ctrl-C ------------------------------------------------------------------------
# SIGINT in the middle of a render: exit 130, no OUTPUT, no temporary file.
# Job control puts render in its own process group with SIGINT at its
# default (a non-interactive shell would start it with SIGINT ignored).

s_sigint() {
    local d=$W/int in=$FX/noisy.mp4
    mkdir -p "$d"
    # Slow on purpose: the default workload at x264's slowest preset.
    set -m
    "$RENDER" "$in" -w 2 --preset veryslow -o "$d/out.mp4" -q </dev/null >"$W/int.out" 2>"$W/int.err" &
    local pid=$!
    set +m
    sleep 1
    if ! kill -0 $pid 2>/dev/null; then
        wait $pid
        fail "SIGINT: render still running after 1 s" "it finished (exit $?), nothing to interrupt"
        return
    fi
    kill -INT $pid
    local rc=0 waited=0
    while kill -0 $pid 2>/dev/null && [ $waited -lt 100 ]; do sleep 0.1; waited=$((waited + 1)); done
    if kill -0 $pid 2>/dev/null; then
        kill -KILL $pid 2>/dev/null
        wait $pid 2>/dev/null
        fail "SIGINT: render stops within 10 s" "still running, killed"
        return
    fi
    wait $pid || rc=$?
    check "SIGINT: exit 130" "$(rr_why "$W/int" $rc)" [ $rc -eq 130 ]
    check "SIGINT: no output, no temporary file" "dir has: $(ls -A "$d" | tr '\n' ' ')" \
        [ -z "$(ls -A "$d")" ]
}

for sec in input output usage sigint; do
    want "$sec" && "s_$sec"
done

finish
