#!/usr/bin/env bash
# e2e_dashboard.sh - the live dashboard in a real pseudo-terminal (tmux), the
# plain and silent modes, and --progress.
#
#   RENDER=/abs/path/render bash tests/e2e_dashboard.sh     (cwd: anywhere)
#
# Each check prints "ok - NAME" or "FAIL - NAME (detail)"; the last line is
# "N passed, N failed"; the exit status is non-zero when anything failed.
# tmux shows what a person would see (capture-pane) and, through pipe-pane,
# the raw bytes render wrote to its terminal.
. "$(dirname "$0")/lib.sh"

need_render
command -v tmux >/dev/null ||
    { fail "tmux" "not installed; run make deps"; finish; exit 1; }

W=$T_TMP
# Under `make asan`: OpenMPI's start-up allocations (the render-mpi panes).
lsan_suppress $MPI_LIBS
TM="tmux -L rd-e2e-$$ -f /dev/null"
trap '$TM kill-server 2>/dev/null; rm -rf "$T_TMP"' EXIT
trap '$TM kill-server 2>/dev/null; rm -rf "$T_TMP"; exit 130' INT TERM
ESC=$'\033'

IN=${SMALL:-assets/small.mp4}
[ -f "$IN" ] || { fail "input" "$IN is missing; run make assets"; finish; exit 1; }
FRAMES=$(ffprobe -v error -count_frames -select_streams v:0 \
             -show_entries stream=nb_read_frames -of csv=p=0 "$IN")
# A clip long enough to interrupt and resize mid-run, whatever the core count.
LONG=$W/long.mp4
ffmpeg -nostdin -v error -f lavfi -i mandelbrot=s=320x240:r=25 -t 30 -g 25 \
    -pix_fmt yuv420p -c:v libx264 -preset ultrafast "$LONG" ||
    { fail "long input" "ffmpeg lavfi failed"; finish; exit 1; }

# tty_start NAME ENV INPUT ARGS...: render in a detached 100x40 tmux pane, its
# raw output to $W/NAME.raw, its exit status to $W/NAME.rc when it ends. The
# pane waits for a gate file so pipe-pane is attached before the first byte.
tty_start() {
    local name=$1 envs=$2 in=$3; shift 3
    local cmd="while [ ! -e '$W/$name.go' ]; do sleep 0.05; done; cd '$T_ROOT' &&"
    cmd="$cmd env $envs '$RENDER' '$in' -y -o '$W/$name.mp4' $* </dev/null;"
    cmd="$cmd echo \$? > '$W/$name.rc.tmp'; mv '$W/$name.rc.tmp' '$W/$name.rc'; sleep 600"
    $TM new-session -d -s "$name" -x 100 -y 40 "$cmd"
    $TM pipe-pane -o -t "$name" "cat > '$W/$name.raw'"
    touch "$W/$name.go"
}

# tty_wait NAME [SECONDS]: snapshot the pane every 0.1 s into $W/NAME.live.N
# until render ends, then the final screen (scrollback too, wrapped lines
# joined) into $W/NAME.screen.
tty_wait() {
    local name=$1 max=$(( ${2:-120} * 10 )) i=0
    while [ ! -e "$W/$name.rc" ] && [ $i -lt $max ]; do
        $TM capture-pane -p -t "$name" >"$W/$name.live.$i"
        i=$((i + 1))
        sleep 0.1
    done
    sleep 0.3 # pipe-pane's cat flushes
    $TM capture-pane -p -J -t "$name" -S -300 | sed -e 's/ *$//' >"$W/$name.screen"
    $TM kill-session -t "$name"
    [ -e "$W/$name.rc" ] || echo timeout >"$W/$name.rc"
}

tty_run() { tty_start "$@"; tty_wait "$1"; }

has_esc() { grep -q "$ESC" "$1"; }
# ends_restored FILE: the last cursor command in the raw stream shows it.
ends_restored() {
    python3 - "$1" <<'EOF'
import sys
raw = open(sys.argv[1], 'rb').read()
show, hide = raw.rfind(b'\x1b[?25h'), raw.rfind(b'\x1b[?25l')
sys.exit(0 if show > hide and raw.rfind(b'\x1b[0m') >= 0 else 1)
EOF
}
out_frames() {
    ffprobe -v error -count_frames -select_streams v:0 \
        -show_entries stream=nb_read_frames -of csv=p=0 "$1" 2>/dev/null
}
screen_why() { printf 'exit %s, screen: %s' "$(cat "$W/$1.rc")" "$(grep -v '^$' "$W/$1.screen" | tail -n 12 | tr '\n' '|')"; }

# --- colour terminal: the full dashboard ---------------------------------------

# veryslow: a run of a few seconds, so captures catch it mid-way
tty_run color "-u NO_COLOR TERM=xterm-256color" "$IN" --preset veryslow
S=$W/color.screen
check "tty: exit 0" "$(screen_why color)" [ "$(cat "$W/color.rc")" = 0 ]
check "tty: header shows input, size and frame rate" "$(screen_why color)" \
    grep -qE "^input +$(basename "$IN") +[0-9]+x[0-9]+ +[0-9.]+ fps" "$S"
check "tty: header shows filter, encoder, workers, chunks, schedule" "$(screen_why color)" \
    grep -qE "^workload .* -> [a-z0-9_]+ +[0-9]+ workers +[0-9]+ chunks +schedule " "$S"
check "tty: CPU heatmap, a percentage per core" "$(screen_why color)" \
    grep -qE "^(cpu|mean) +[0-9]+% +[0-9]+( +[0-9]+)*$" "$S"
check "tty: chunk grid, every chunk written" "$(screen_why color)" \
    sh -c "grep -qE '^chunks +[# ]+\$' '$S' && grep -qE '^ +0 queued +0 running +0 done +[0-9]+ written' '$S'"
check "tty: a line per worker" "$(screen_why color)" grep -qE "^worker 0 " "$S"
check "tty: progress bar full, $FRAMES/$FRAMES frames" "$(screen_why color)" \
    grep -qE "^done +\[#+\] 100\.0% +$FRAMES/$FRAMES frames +[0-9.]+ fps" "$S"
check "tty: summary says $FRAMES frames (ffprobe's count)" "$(screen_why color)" \
    grep -qE "^render: done: $FRAMES frames in [0-9.]+ s \([0-9.]+ fps\)" "$S"
check "tty: summary has CPU per core, output size, wasted frames" "$(screen_why color)" \
    sh -c "tr '\n' ' ' <'$S' | grep -qE 'CPU [0-9]+% per core on [0-9]+ cores; +output [0-9.]+ [KMG]?i?B; +[0-9]+ wasted decode frames'"
check "tty: every line fits the 100 columns" "$(awk 'length > 99' "$S" | head -n 2)" \
    sh -c "! awk 'length > 99 { bad = 1 } END { exit !bad }' '$S'"
check "tty: colour escapes on a colour terminal" "no ESC in the raw stream" has_esc "$W/color.raw"
check "tty: terminal restored at the end (attributes reset, cursor shown)" \
    "raw stream tail: $(tail -c 40 "$W/color.raw" | od -c | head -n 3 | tr '\n' ' ')" \
    ends_restored "$W/color.raw"
check "tty: output has the input's $FRAMES frames" "got $(out_frames "$W/color.mp4")" \
    [ "$(out_frames "$W/color.mp4")" = "$FRAMES" ]
live=""
for f in "$W"/color.live.*; do
    # The very first frame has no CPU row yet (a load needs two /proc/stat
    # samples): look for a later one.
    grep -qE "^render +\[[#-]+\]" "$f" && grep -q "^chunks " "$f" &&
        grep -qE "^(cpu|mean) +[0-9]+%" "$f" && { live=$f; break; }
done
if [ -n "$live" ]; then
    check "tty: mid-run frame shows heatmap, chunk grid and a moving bar" "$(tr '\n' '|' <"$live")" \
        grep -qE "^(cpu|mean) +[0-9]+%" "$live"
else
    echo "ok - tty: mid-run frame # SKIP no capture caught a frame after the first one"
fi

# --- NO_COLOR and TERM=dumb: plain lines, no escape sequences at all -----------

for name in nocolor dumb; do
    if [ $name = nocolor ]; then mode="NO_COLOR=1 TERM=xterm-256color"; else mode="-u NO_COLOR TERM=dumb"; fi
    tty_run "$name" "$mode" "$IN"
    check "$mode: exit 0" "$(screen_why "$name")" [ "$(cat "$W/$name.rc")" = 0 ]
    check "$mode: no escape sequence in the raw stream" \
        "$(grep -c "$ESC" "$W/$name.raw") lines with ESC" sh -c "! grep -q '$ESC' '$W/$name.raw'"
    check "$mode: input line, then the summary" "$(screen_why "$name")" \
        sh -c "grep -qE '^render: .*$(basename "$IN"), [0-9]+x[0-9]+' '$W/$name.screen' &&
               grep -qE '^render: done: $FRAMES frames in' '$W/$name.screen'"
done

# --- not a terminal, -q, --progress ----------------------------------------------

rr "$W/pipe" "$IN" -y -o "$W/pipe.mp4"
rc=$?
check "stderr not a terminal: exit 0" "$(rr_why "$W/pipe" $rc)" [ $rc = 0 ]
check "stderr not a terminal: no escape sequence" "$(head -c 200 "$W/pipe.err" | od -c | head -n 2)" \
    sh -c "! grep -q '$ESC' '$W/pipe.err'"
check "stderr not a terminal: just the one-line summary" "$(rr_why "$W/pipe" $rc)" \
    sh -c "[ \$(wc -l <'$W/pipe.err') = 1 ] && grep -qE '^render: done: $FRAMES frames in .* wasted decode frames\$' '$W/pipe.err'"

rr "$W/quiet" "$IN" -y -o "$W/quiet.mp4" -q
rc=$?
check "-q: exit 0 and nothing on stderr" "$(rr_why "$W/quiet" $rc)" \
    sh -c "[ $rc = 0 ] && [ ! -s '$W/quiet.err' ]"

rr "$W/prog" "$IN" -y -o "$W/prog.mp4" -q --progress -
rc=$?
P=$W/prog.out
check "--progress -: exit 0" "$(rr_why "$W/prog" $rc)" [ $rc = 0 ]
check "--progress -: ends with progress=end" "last line: $(tail -n 1 "$P")" \
    [ "$(tail -n 1 "$P")" = "progress=end" ]
check "--progress -: last block has frame=$FRAMES total_frames=$FRAMES" \
    "$(tail -n 12 "$P" | tr '\n' ' ')" \
    sh -c "tail -n 12 '$P' | grep -qx 'frame=$FRAMES' && tail -n 12 '$P' | grep -qx 'total_frames=$FRAMES'"
check "--progress -: only key=value lines, one progress= per block" "$(grep -v '^[a-z_]*=' "$P" | head -n 2)" \
    sh -c "! grep -qv '^[a-z_]*=' '$P' &&
           [ \$(grep -c '^progress=' '$P') = \$(grep -c '^frame=' '$P') ]"
for k in fps chunks_done out_size elapsed_s phase; do
    check "--progress -: has $k=" "" grep -q "^$k=" "$P"
done
check "--progress -: -q leaves stderr empty" "$(head -c 200 "$W/prog.err")" [ ! -s "$W/prog.err" ]

tty_run progtty "-u NO_COLOR TERM=xterm-256color" "$LONG" --preset ultrafast --progress "'$W/progtty.txt'"
check "--progress FILE beside the tty dashboard: several blocks, then progress=end" \
    "$(tail -n 3 "$W/progtty.txt" 2>/dev/null | tr '\n' ' ')" \
    sh -c "[ \"\$(tail -n 1 '$W/progtty.txt')\" = progress=end ] && [ \$(grep -c '^progress=continue' '$W/progtty.txt') -ge 1 ]"

# --- Ctrl-C and a resize while it runs -----------------------------------------

# until_render NAME: wait (up to 30 s) until the pane shows the render phase.
until_render() {
    local i=0
    while [ $i -lt 300 ] && [ ! -e "$W/$1.rc" ]; do
        $TM capture-pane -p -t "$1" | grep -qE "^render +\[" && return 0
        i=$((i + 1))
        sleep 0.1
    done
    return 1
}

tty_start intr "-u NO_COLOR TERM=xterm-256color" "$LONG" --preset veryslow
if until_render intr; then
    $TM send-keys -t intr C-c
    tty_wait intr 60
    check "Ctrl-C: exit 130" "$(screen_why intr)" [ "$(cat "$W/intr.rc")" = 130 ]
    check "Ctrl-C: terminal restored (attributes reset, cursor shown)" \
        "raw stream tail: $(tail -c 60 "$W/intr.raw" | od -c | head -n 4 | tr '\n' ' ')" \
        ends_restored "$W/intr.raw"
    check "Ctrl-C: no summary claims success" "$(screen_why intr)" \
        sh -c "! grep -q '^render: done:' '$W/intr.screen'"
else
    tty_wait intr 60
    fail "Ctrl-C" "the dashboard never showed the render phase; $(screen_why intr)"
fi

tty_start resize "-u NO_COLOR TERM=xterm-256color" "$LONG" --preset faster
if until_render resize; then
    $TM resize-window -t resize -x 64 -y 30
    tty_wait resize 120
    # the last frame, from its header to the summary, redrawn for 64 columns
    last=$(awk '/^input / { s = "" } { s = s $0 "\n" } END { printf "%s", s }' "$W/resize.screen" |
           sed -n '1,/^render: done:/p' | sed '$d')
    check "SIGWINCH: after a resize to 64 columns every line is shorter" \
        "$(printf '%s\n' "$last" | awk 'length > 63' | head -n 2 | tr '\n' '|')" \
        sh -c "[ -n \"\$1\" ] && ! printf '%s\n' \"\$1\" | awk 'length > 63 { bad = 1 } END { exit !bad }'" _ "$last"
else
    tty_wait resize 60
    fail "SIGWINCH" "the dashboard never showed the render phase; $(screen_why resize)"
fi

# --- render-mpi: rank 0's dashboard through mpirun's terminal ------------------------
RENDER_MPI=${RENDER_MPI:-$(dirname "$RENDER")/render-mpi}
if [ -x "$RENDER_MPI" ] && command -v mpirun >/dev/null; then
    # mpi_start NAME INPUT ARGS...: as tty_start, with mpirun -np 2 render-mpi
    # (one thread each) in the pane. mpirun gives its ranks pipes; rank 0
    # finds mpirun's terminal behind them.
    mpi_start() {
        local name=$1 in=$2; shift 2
        local cmd="while [ ! -e '$W/$name.go' ]; do sleep 0.05; done; cd '$T_ROOT' &&"
        cmd="$cmd env -u NO_COLOR TERM=xterm-256color OMP_NUM_THREADS=1 OMPI_MCA_btl=self,vader"
        cmd="$cmd OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"
        cmd="$cmd mpirun --oversubscribe --bind-to none -np 2 '$RENDER_MPI' '$in' -y -o '$W/$name.mp4' $* </dev/null;"
        cmd="$cmd echo \$? > '$W/$name.rc.tmp'; mv '$W/$name.rc.tmp' '$W/$name.rc'; sleep 600"
        $TM new-session -d -s "$name" -x 100 -y 40 "$cmd"
        $TM pipe-pane -o -t "$name" "cat > '$W/$name.raw'"
        touch "$W/$name.go"
    }
    # slower: long enough that a capture falls mid-run beside another script
    mpi_start mpi "$IN" --preset slower
    tty_wait mpi
    S=$W/mpi.screen
    check "mpi tty: exit 0" "$(screen_why mpi)" [ "$(cat "$W/mpi.rc")" = 0 ]
    check "mpi tty: a row per rank (host, busy threads, cpu, fps) in place of the cores" "$(screen_why mpi)" \
        sh -c "grep -qE '^rank 0 +[^ ]+ +[01]/1 busy .*cpu +[0-9?]+%? +[0-9.]+ fps\$' '$S' &&
               grep -qE '^rank 1 +[^ ]+ +[01]/1 busy ' '$S' && ! grep -qE '^(cpu|mean) +[0-9]+%' '$S'"
    check "mpi tty: mid-run, a rank row shows a thread busy" "no live capture had one" \
        sh -c "cat '$W'/mpi.live.* | grep -qE '^rank [01] +[^ ]+ +1/1 busy '"
    check "mpi tty: progress bar full, $FRAMES/$FRAMES frames; render's summary with 2 ranks" "$(screen_why mpi)" \
        sh -c "grep -qE '^done +\[#+\] 100\.0% +$FRAMES/$FRAMES frames' '$S' &&
               grep -qE '^render-mpi: done: $FRAMES frames in .*; 2 ranks;' '$S'"
    check "mpi tty: terminal restored" "$(tail -c 60 "$W/mpi.raw" | od -c | head -n 2 | tr '\n' ' ')" \
        ends_restored "$W/mpi.raw"

    mpi_start mpiintr "$LONG" --preset veryslow
    if until_render mpiintr; then
        $TM send-keys -t mpiintr C-c
        tty_wait mpiintr 60
        check "mpi Ctrl-C: rank 0's one line, no output, no temporary file" "$(screen_why mpiintr)" \
            sh -c "[ \$(grep -c '^render-mpi: interrupted; $W/mpiintr.mp4 not written\$' '$W/mpiintr.screen') = 1 ] &&
                   ! ls '$W' | grep -q '^mpiintr.mp4'" 
        check "mpi Ctrl-C: terminal restored" "$(tail -c 60 "$W/mpiintr.raw" | od -c | head -n 2 | tr '\n' ' ')" \
            ends_restored "$W/mpiintr.raw"
    else
        tty_wait mpiintr 60
        fail "mpi Ctrl-C" "the dashboard never showed the render phase; $(screen_why mpiintr)"
    fi
else
    echo "skip - render-mpi dashboard: $RENDER_MPI not built or no mpirun"
fi

finish
