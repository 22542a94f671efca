# lib.sh - shared helpers for tests/e2e_*.sh; source it, do not run it.
#
# After `. tests/lib.sh` the caller is in the repository root and has:
#   RENDER    absolute path of the binary under test ($RENDER, default ./render)
#   FIXTURES  where tests/fixtures.sh puts its inputs (tests/tmp/fixtures)
#   T_TMP     a fresh mktemp directory, removed when the script exits
#   ok NAME / fail NAME DETAIL / check NAME DETAIL CMD...   (counted)
#   finish    prints "N passed, N failed"; returns non-zero on any failure
# plus the ffmpeg/ffprobe probes the scripts share (the oracle side).

set -u

T_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$T_ROOT" || exit 1
RENDER=${RENDER:-./render}
case $RENDER in /*) ;; *) RENDER=$T_ROOT/${RENDER#./} ;; esac
FIXTURES=${FIXTURES:-$T_ROOT/tests/tmp/fixtures}

T_PASS=0
T_FAIL=0
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/render-e2e.XXXXXX") || exit 1
trap 'rm -rf "$T_TMP"' EXIT
# Ctrl-C on the test run itself: clean up and stop, do not count on.
trap 'rm -rf "$T_TMP"; exit 130' INT TERM

ok()   { T_PASS=$((T_PASS + 1)); echo "ok - $1"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL - $1 (${2:-})"; }

# check NAME DETAIL CMD...: ok when CMD succeeds, else fail with DETAIL.
check() {
    local name=$1 detail=$2; shift 2
    if "$@"; then ok "$name"; else fail "$name" "$detail"; fi
}

# av_clip OUT: the command-line tables' small clip: 2 s of 160x120 at
# 25 fps (x264, a keyframe every 10 frames, B-frames) and 2 s of AAC.
av_clip() {
    ffmpeg -nostdin -v error -f lavfi -i testsrc2=s=160x120:r=25:d=2 -f lavfi -i sine=d=2 -c:v libx264 \
        -g 10 -bf 2 -pix_fmt yuv420p -c:a aac -shortest "$1"
}

# verdict STATUS NAME DETAIL: ok when STATUS is 0, else fail with DETAIL.
# For a condition of several commands, which check cannot take (its CMD is
# one command: `check N D A && B` would judge A alone):
#   A && B; verdict $? N D
verdict() {
    if [ "$1" = 0 ]; then ok "$2"; else fail "$2" "${3:-}"; fi
}

finish() {
    echo "$T_PASS passed, $T_FAIL failed"
    [ "$T_FAIL" -eq 0 ]
}

# want SECTION: run it unless $ONLY names other sections.
want() {
    [ -z "${ONLY:-}" ] && return 0
    case " $ONLY " in *" $1 "*) return 0 ;; esac
    return 1
}

# Build the fixtures (idempotent) or stop the script with one failure. The
# scripts run two at a time (run_e2e.sh): one builds, the other waits.
need_fixtures() {
    mkdir -p "$(dirname "$FIXTURES")" &&
    flock "$FIXTURES.lock" bash "$T_ROOT/tests/fixtures.sh" "$FIXTURES" ||
        { fail "fixtures" "tests/fixtures.sh $FIXTURES failed"; finish; exit 1; }
}

# Stop the script early when there is no binary to test.
need_render() {
    [ -x "$RENDER" ] ||
        { fail "render binary" "$RENDER is missing; run make"; finish; exit 1; }
}

# rr OUT_PREFIX ARGS...: run render, stdout to OUT_PREFIX.out, stderr to
# OUT_PREFIX.err; returns render's exit status. stdin is /dev/null so a
# render that asks a question cannot hang the suite.
rr() {
    local p=$1; shift
    "$RENDER" "$@" </dev/null >"$p.out" 2>"$p.err"
}

# A short description of the last run for a FAIL line: exit status and the
# first line of stderr.
rr_why() {
    local p=$1 rc=$2
    printf 'exit %s, stderr: %s' "$rc" "$(head -c 300 "$p.err" | head -n 2 | tr '\n' '|')"
}

# --- the oracle: stock ffprobe / ffmpeg ---------------------------------------

# probe FILE SECTION=KEY [EXTRA...]: one value, e.g. probe f.mp4 format=start_time
probe() {
    local f=$1 entry=$2; shift 2
    ffprobe -v error "$@" -show_entries "$entry" -of default=nw=1:nk=1 "$f" 2>/dev/null | head -n 1
}

# v_md5 FILE: the md5 of every decoded video frame, in output order, one per
# line. Raw pixels as stored: -noautorotate, so a rotation carried as side
# data does not turn into different pixels.
v_md5() {
    ffmpeg -nostdin -v error -noautorotate -i "$1" -map 0:v:0 -fps_mode passthrough \
        -f framemd5 - 2>/dev/null | awk -F', *' '!/^#/ { print $NF }'
}

# v_frames FILE PREFIX: one decode for both: PREFIX.md5 as v_md5, PREFIX.t
# the frame times in seconds (-enc_time_base -1 keeps the stream's own time
# base, so ffmpeg does not round VFR times to a guessed frame rate; these
# agree with ffprobe's best_effort_timestamp to the microsecond on every
# fixture, relative to the first frame).
v_frames() {
    : >"$2.md5"; : >"$2.t"
    ffmpeg -nostdin -v error -noautorotate -i "$1" -map 0:v:0 -fps_mode passthrough \
        -enc_time_base -1 -f framemd5 - 2>/dev/null |
        awk -F', *' -v md5="$2.md5" -v t="$2.t" '
            /^#tb 0:/ { split($0, a, " "); split(a[3], r, "/") }
            !/^#/ { print $NF >> md5; printf "%.6f\n", $3 * r[1] / r[2] >> t }'
}

# v_times FILE: presentation time (s) of every decoded video frame.
v_times() {
    ffprobe -v error -select_streams v:0 \
        -show_entries frame=best_effort_timestamp_time -of csv=p=0 "$1" 2>/dev/null |
        awk -F, 'NF { print $1 }'
}

# a_span FILE: "START END" of the first audio stream's decoded samples, in
# seconds (decoded, so encoder priming and edit lists are already applied).
a_span() {
    ffprobe -v error -select_streams a:0 \
        -show_entries frame=best_effort_timestamp_time,nb_samples:stream=sample_rate \
        -of csv "$1" 2>/dev/null |
        awk -F, '
            /^frame,/ { if ($2 == "N/A") next; t = $2; n = $3
                        if (first == "") first = t; last = t; lastn = n; next }
            /^stream,/ { sr = $2 }
            END { if (first == "" || sr == "") exit 1
                  printf "%.6f %.6f\n", first, last + lastn / sr }'
}

# same_lines A B: succeeds when files A and B have the same lines; otherwise
# prints where they first differ. A and B may be pipes (<(...)): each is
# read once, into a file, before it is counted and compared (counting a
# pipe first would leave nothing to compare but the counts).
same_lines() {
    cat "$1" >"$T_TMP/same_lines.a" && cat "$2" >"$T_TMP/same_lines.b" || return 1
    set -- "$T_TMP/same_lines.a" "$T_TMP/same_lines.b"
    awk -v na="$(wc -l <"$1")" -v nb="$(wc -l <"$2")" '
        FILENAME == ARGV[1] { a[FNR] = $0; next }
        !d && (!(FNR in a) || a[FNR] != $0) { d = FNR; bd = $0 }
        END {
            if (!d && na != nb) d = (na < nb ? na : nb) + 1
            if (!d) exit 0
            printf "%d vs %d lines, first difference at line %d: %s vs %s",
                   na, nb, d, (d in a ? a[d] : "(none)"), (d <= nb ? bd : "(none)")
            exit 1
        }' "$1" "$2"
}

# near A B TOL: |A - B| <= TOL (numbers in seconds).
near() {
    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; exit !(a != "" && b != "" && d <= t && -d <= t) }'
}

# same_times A OFFA B OFFB TOL: the lists of seconds A - OFFA and B - OFFB
# agree line by line within TOL; otherwise prints the first disagreement.
same_times() {
    awk -v oa="$2" -v ob="$4" -v tol="$5" -v na="$(wc -l <"$1")" -v nb="$(wc -l <"$3")" '
        NR == FNR { a[FNR] = $1 - oa; next }
        {
            d = a[FNR] - ($1 - ob); if (d < 0) d = -d
            if (!bad && d > tol) { bad = FNR; ea = a[FNR]; eb = $1 - ob }
        }
        END {
            if (na != nb) { printf "%d vs %d frames", na, nb; exit 1 }
            if (bad) { printf "frame %d at %.6f s, expected %.6f s", bad, eb, ea; exit 1 }
        }' "$1" "$3"
}

# no_leftovers OUT: neither OUT nor OUT.part-* exists.
no_leftovers() {
    local f
    [ ! -e "$1" ] || { echo "$1 exists"; return 1; }
    for f in "$1".part-*; do
        [ -e "$f" ] && { echo "$f left behind"; return 1; }
    done
    return 0
}

# wait_for_temp OUT [TRIES]: until OUT.part-* exists (the run is under way),
# polling every 0.05 s (default 300 tries).
wait_for_temp() {
    local i f
    for i in $(seq "${2:-300}"); do
        for f in "$1".part-*; do [ -e "$f" ] && return 0; done
        sleep 0.05
    done
    return 1
}

# lsan_suppress LIB...: under `make asan`, leaks inside these libraries are
# not ours (OpenMPI never frees its start-up allocations, libx265 3.5 some of
# what x265_encoder_open takes, the ffmpeg CLI leaks the same): suppress them
# by library (a full unwind so the library is known) and keep checking ours.
# Call it once, before the first run (tmux panes inherit it too).
lsan_suppress() {
    printf 'leak:%s\n' "$@" >>"$T_TMP/lsan.supp"
    export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$T_TMP/lsan.supp:print_suppressions=0"
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
}
MPI_LIBS="libmpi libopen-pal libopen-rte libpmix libhwloc libevent mca_"

# --- background runs (the safety scripts) -------------------------------------
# has DIR: what DIR holds, on one line.
has() { ls -A "$1" | tr '\n' ' '; }
# start_bg PREFIX ARGS...: render in the background in its own process
# group (so signals reach only it); its pid in $PID.
start_bg() {
    local p=$1; shift
    set -m
    "$RENDER" "$@" </dev/null >"$p.out" 2>"$p.err" &
    PID=$!
    set +m
}
# wait_gone PID TENTHS: wait up to TENTHS/10 s for PID to end; rc in $RC (255 = still running).
wait_gone() {
    local n=0
    while kill -0 "$1" 2>/dev/null && [ $n -lt "$2" ]; do sleep 0.1; n=$((n + 1)); done
    if kill -0 "$1" 2>/dev/null; then RC=255; return 1; fi
    RC=0; wait "$1" || RC=$?
}
# wait_file GLOB TENTHS: until a file matches.
wait_file() {
    local n=0
    while ! compgen -G "$1" >/dev/null && [ $n -lt "$2" ]; do sleep 0.1; n=$((n + 1)); done
    compgen -G "$1" >/dev/null
}

# --- the ffmpeg form's oracle table (tests/e2e_ffcli*.sh) ---------------------
# The caller sets FF (the ffmpeg command, e.g. "ffmpeg -nostdin -v error -y"),
# W (a work directory), IN (the default input) and ROW=0; `line` runs one
# command line with ffmpeg and with render (-w 1, 2, 3 in turn) and compares.

# streams FILE: one line per stream, the fields both outputs must share.
streams() {
    ffprobe -v error -show_entries \
        stream=codec_type,codec_name,profile,pix_fmt,width,height,sample_aspect_ratio,r_frame_rate,sample_fmt,sample_rate,channels:stream_tags=language \
        -of compact=nk=0 "$1" 2>/dev/null
}

a_dur() { a_span "$1" | awk '{ printf "%.6f\n", $2 - $1 }'; }
keys() {
    ffprobe -v error -select_streams v:0 -show_entries frame=key_frame,best_effort_timestamp_time \
        -of csv=p=0 "$1" | awk -F, '$1 == 1 { print $2 }'
}
size() { stat -c %s "$1"; }
# v_pkts FILE: the first video stream's packets (time, size, MD5), as stored.
v_pkts() {
    ffmpeg -nostdin -v error -i "$1" -map 0:v:0 -c copy -f framemd5 - 2>/dev/null | grep -v '^#' |
        awk -F, '{ print $3, $5, $6 }'
}
# a_pkts FILE: the first audio stream's packets (time, size, MD5), as stored.
a_pkts() {
    ffmpeg -nostdin -v error -i "$1" -map 0:a:0 -c copy -f framemd5 - 2>/dev/null | grep -v '^#' |
        awk -F, '{ print $3, $5, $6 }'
}
# v_ts FILE: the first video stream's packets' dts and pts, as stored.
v_ts() {
    ffprobe -v error -select_streams v:0 -show_entries packet=dts,pts -of csv=p=0 "$1" 2>/dev/null
}
# gophdrs FILE: the time code, closed and broken flags of every MPEG-1/2
# GOP header in FILE's first video stream, one per line.
gophdrs() {
    ffmpeg -nostdin -v error -i "$1" -map 0:v:0 -c copy -f mpeg2video - 2>/dev/null | python3 -c '
import sys
d = sys.stdin.buffer.read(); i = d.find(b"\x00\x00\x01\xb8")
while i >= 0:
    b = int.from_bytes(d[i + 4:i + 8], "big")
    print("%02d:%02d:%02d%s%02d closed=%d broken=%d" % ((b >> 26) & 31, (b >> 20) & 63, (b >> 13) & 63,
          ";" if b >> 31 else ":", (b >> 7) & 63, (b >> 6) & 1, (b >> 5) & 1))
    i = d.find(b"\x00\x00\x01\xb8", i + 4)'
}

# pair NAME EXT PRE IN ARGS...: the next row: `ffmpeg PRE -i IN ARGS OUT`
# and render's (-w 1..3 by row, 2w+1 chunks), into $W/fROW.EXT and
# $W/rROW.EXT; sets PAIR_F, PAIR_R, PAIR_W. Returns 1, with one failure
# said, when either fails.
pair() {
    local name=$1 ext=$2 pre=$3 in=$4
    shift 4
    ROW=$((ROW + 1)); PAIR_W=$(( (ROW - 1) % 3 + 1 ))
    PAIR_F=$W/f$ROW.$ext PAIR_R=$W/r$ROW.$ext
    # shellcheck disable=SC2086
    $FF $pre -i "$in" "$@" "$PAIR_F" 2>"$W/f.err" ||
        { fail "$name" "ffmpeg failed: $(head -c 200 "$W/f.err")"; return 1; }
    # shellcheck disable=SC2086
    "$RENDER" -q -w "$PAIR_W" --chunks $((PAIR_W * 2 + 1)) $pre -i "$in" "$@" "$PAIR_R" </dev/null 2>"$W/r.err" ||
        { fail "$name (-w $PAIR_W)" "render failed: $(head -c 300 "$W/r.err")"; return 1; }
}

# line NAME EXT CHECKS OPTIONS...: one command line of the table, with
# input $LINE_IN (default $IN). CHECKS, comma separated: md5 (decoded frames
# identical), size (within 15%), rate (bitrate within 5%), keys (keyframe
# times identical), tags (global and stream tags identical), ctag (codec
# tags and channel layouts identical).
line() {
    local name=$1 ext=$2 checks=$3 in=${LINE_IN:-$IN} w rf rr_ why d1 d2 s1 s2
    shift 3
    ROW=$((ROW + 1)); w=$(( (ROW - 1) % 3 + 1 ))
    local f=$W/f$ROW.$ext r=$W/r$ROW.$ext
    $FF -i "$in" "$@" "$f" 2>"$W/f$ROW.err"; rf=$?
    "$RENDER" -q -w "$w" --chunks $((w * 2)) -i "$in" "$@" "$r" </dev/null 2>"$W/r$ROW.err"; rr_=$?
    if [ "$rf" -ne 0 ] || [ "$rr_" -ne 0 ]; then
        [ "$rf" -eq "$rr_" ] && [ "$rf" -ne 0 ] && { ok "$name: both refuse"; return; }
        fail "$name" "ffmpeg exit $rf, render (-w $w) exit $rr_: $(head -c 200 "$W/r$ROW.err")"
        return
    fi
    why=$(same_lines <(streams "$f") <(streams "$r")) && ok "$name: streams" || fail "$name: streams" "$why"
    v_times "$f" >"$W/f$ROW.t"; v_times "$r" >"$W/r$ROW.t"
    why=$(same_times "$W/f$ROW.t" 0 "$W/r$ROW.t" 0 0.0005) && ok "$name: frames and times (-w $w)" ||
        fail "$name: frames and times (-w $w)" "$why"
    d1=$(a_dur "$f"); d2=$(a_dur "$r")
    if [ -n "$d1$d2" ]; then
        near "$d1" "$d2" 0.025 && ok "$name: audio duration" || fail "$name: audio duration" "ffmpeg $d1 s, render $d2 s"
    fi
    case ",$checks," in *,md5,*)
        why=$(same_lines <(v_md5 "$f") <(v_md5 "$r")) && ok "$name: decoded frames identical" ||
            fail "$name: decoded frames identical" "$why" ;;
    esac
    s1=$(size "$f"); s2=$(size "$r")
    case ",$checks," in *,size,*)
        awk -v a="$s1" -v b="$s2" 'BEGIN { exit !(b <= a * 1.15 && b >= a * 0.85) }' &&
            ok "$name: size within 15% ($s2 vs $s1)" || fail "$name: size within 15%" "render $s2, ffmpeg $s1 bytes" ;;
    esac
    case ",$checks," in *,keys,*)
        why=$(same_lines <(keys "$f") <(keys "$r")) && ok "$name: keyframes" || fail "$name: keyframes" "$why" ;;
    esac
    case ",$checks," in *,pkts,*)
        why=$(same_lines <(v_pkts "$f") <(v_pkts "$r")) && ok "$name: video packets identical" ||
            fail "$name: video packets identical" "$why" ;;
    esac
    case ",$checks," in *,apkts,*)
        why=$(same_lines <(a_pkts "$f") <(a_pkts "$r")) && [ -n "$(a_pkts "$r")" ] &&
            ok "$name: audio packets identical" || fail "$name: audio packets identical" "${why:-no audio}" ;;
    esac
    case ",$checks," in *,bytes,*)
        cmp -s "$f" "$r" && ok "$name: the CLI's file, byte for byte" ||
            fail "$name: the CLI's file, byte for byte" "$(cmp "$f" "$r" 2>&1 | head -c 200)" ;;
    esac
    case ",$checks," in *,dts,*)
        why=$(same_lines <(v_ts "$f") <(v_ts "$r")) && ok "$name: video decode and presentation times" ||
            fail "$name: video decode and presentation times" "$why" ;;
    esac
    case ",$checks," in *,gophdr,*)
        why=$(same_lines <(gophdrs "$f") <(gophdrs "$r")) && [ -n "$(gophdrs "$r")" ] &&
            ok "$name: GOP time codes" || fail "$name: GOP time codes" "${why:-no GOP header}" ;;
    esac
    case ",$checks," in *,ctag,*)
        why=$(same_lines <(ffprobe -v error -show_entries stream=codec_tag_string,channel_layout -of compact "$f") \
                         <(ffprobe -v error -show_entries stream=codec_tag_string,channel_layout -of compact "$r")) &&
            ok "$name: codec tags and layouts" || fail "$name: codec tags and layouts" "$why" ;;
    esac
    case ",$checks," in *,tags,*)
        why=$(same_lines <(ffprobe -v error -show_entries format_tags:stream_tags:stream_disposition -of compact "$f" | grep -v encoder) \
                         <(ffprobe -v error -show_entries format_tags:stream_tags:stream_disposition -of compact "$r" | grep -v encoder)) &&
            ok "$name: tags and dispositions" || fail "$name: tags and dispositions" "$why" ;;
    esac
}

# sync NAME IN EXT OPTIONS...: ffmpeg and render (-w 1..3 by row) on one line
# (IN a file in $W): frame count, frame times and decoded frames identical.
sync() {
    local name=$1 in=$W/$2 ext=$3 w n1 n2 why
    shift 3
    ROW=$((ROW + 1)); w=$(( (ROW - 1) % 3 + 1 ))
    local f=$W/f$ROW.$ext r=$W/r$ROW.$ext
    $FF -i "$in" "$@" "$f" 2>"$W/f.err" || { fail "$name" "ffmpeg failed: $(head -c 200 "$W/f.err")"; return; }
    if ! "$RENDER" -q -w "$w" --chunks $((w * 2 + 1)) -i "$in" "$@" "$r" </dev/null 2>"$W/r.err"; then
        fail "$name (-w $w)" "render failed: $(head -c 300 "$W/r.err")"; return
    fi
    v_times "$f" >"$W/f.t"; v_times "$r" >"$W/r.t"
    n1=$(wc -l <"$W/f.t"); n2=$(wc -l <"$W/r.t")
    [ "$n1" -eq "$n2" ] && ok "$name: $n1 frames as ffmpeg (-w $w)" || fail "$name: frame count (-w $w)" "ffmpeg $n1, render $n2"
    why=$(same_times "$W/f.t" 0 "$W/r.t" 0 0.0005) && ok "$name: frame times" || fail "$name: frame times" "$why"
    why=$(same_lines <(v_md5 "$f") <(v_md5 "$r")) && ok "$name: decoded frames identical" ||
        fail "$name: decoded frames identical" "$why"
}

# --- one line against the CLI at -w 1 and 3 (tests/e2e_inputs2.sh, e2e_inputs3.sh) ---
# The caller sets FF (the ffmpeg command) and W (a work directory).
# Every stream field ffprobe shows, side data included (tags and the
# encoder string left out: render's own).
all_streams() {
    ffprobe -v error -show_streams "$1" 2>/dev/null |
        grep -v -e '^TAG:' -e '^index=' -e '^id=' -e '^extradata' -e '^bit_rate' -e '^duration' -e '^nb_frames'
}
apkts() { ffprobe -v error -select_streams a -show_entries packet=pts,duration -of csv=p=0 "$1"; }

# ffline NAME IN ARGS...: `ffmpeg $PRE -i IN ARGS OUT` and render the same
# at -w 1 and 3 (more chunks than workers) must agree: streams, frame
# times, decoded frames and, with FFLINE_AUDIO=1, every audio packet. PRE:
# input options (unquoted words); EXT: the output's container (mkv).
ffline() {
    local name=$1 in=$2 w why rc out what="streams, frame times and frames"
    shift 2
    out=$W/$name.ref.${EXT:-mkv}
    $FF ${PRE:-} -i "$in" "$@" "$out" 2>"$W/ref.err" || { fail "$name" "ffmpeg failed: $(head -c 200 "$W/ref.err")"; return; }
    v_times "$out" >"$W/ref.t"; v_md5 "$out" >"$W/ref.md5"
    [ "${FFLINE_AUDIO:-0}" = 1 ] && { apkts "$out" >"$W/ref.a"; what="streams, frame times, frames and audio packets"; }
    for w in 1 3; do
        local r=$W/$name.w$w.${EXT:-mkv}
        rc=0
        "$RENDER" -q -w $w --chunks $((w * 2 + 1)) ${PRE:-} -i "$in" "$@" -y "$r" </dev/null 2>"$W/r.err" || rc=$?
        [ $rc -eq 0 ] || { fail "$name -w $w" "exit $rc: $(head -c 300 "$W/r.err")"; continue; }
        why=$(same_lines <(all_streams "$out") <(all_streams "$r")) ||
            { fail "$name -w $w: streams" "$why"; continue; }
        v_times "$r" >"$W/r.t"
        why=$(same_times "$W/ref.t" 0 "$W/r.t" 0 0.0005) || { fail "$name -w $w: frame times" "$why"; continue; }
        why=$(same_lines "$W/ref.md5" <(v_md5 "$r")) || { fail "$name -w $w: frames" "$why"; continue; }
        if [ "${FFLINE_AUDIO:-0}" = 1 ]; then
            why=$(same_lines "$W/ref.a" <(apkts "$r")) || { fail "$name -w $w: audio packets" "$why"; continue; }
        fi
        ok "$name -w $w: $what as ffmpeg"
    done
}
