#!/bin/bash
# filters_all.sh - the exhaustive walk (make test-filters): EVERY video
# filter with one video input and one video output that the ffmpeg CLI
# runs with its default options on a small interlaced clip (96x64, 30
# frames, tff, open GOPs) is rendered at -w 1 and at -w 3 with six chunks
# (joins inside GOPs), with -c:v ffv1, and compared with
# `ffmpeg -i CLIP -vf F -c:v ffv1`: the same frames (framemd5) and frame
# times. The -w 3 run adds `-fps_mode cfr` on both sides, the frame sync
# of MP4, MOV and every input with audio (a filter that drops its first
# frame shows there). A graph render declares an approximation (--dry-run: "approximate")
# must have the CLI's frame times and every frame within PSNR >= 60 dB.
#
# The list comes from the CLI's own `ffmpeg -filters` (the same libavfilter
# render links), rows "V->V". Skipped, each with its reason on a "skip"
# line: hardware filters (no device here), filters the CLI itself refuses
# with default options, and filters whose two CLI runs disagree with each
# other (a random seed drawn at start: no oracle), and graphmonitor, which
# draws the graph's own filter names and queues. A filter whose CLI output
# depends on the CLI's filter thread count (slice threading that changes
# pixels) is compared with `-filter_threads 1`, render's one thread per
# graph, and says so. Every other difference is a failure.
#
# Runs in a scratch directory: filters with default file names
# (vidstabdetect's transforms.trf) write there.
#
#   RENDER=./render bash tests/filters_all.sh         FILTERS="yadif tmix" ...
. "$(dirname "$0")/lib.sh"
need_render

FF="ffmpeg -nostdin -v error -y"
TO="timeout 120"
T_SKIP=0
T_THREADS=""
skip() { T_SKIP=$((T_SKIP + 1)); echo "skip - $1 ($2)"; }

cd "$T_TMP" || exit 1
CLIP=$T_TMP/clip.mp4
$FF -f lavfi -i testsrc2=s=96x64:r=50:d=1.2 -vf interlace=scan=tff,setfield=tff \
    -c:v libx264 -flags +ildct+ilme -g 10 -pix_fmt yuv420p "$CLIP" ||
    { fail "clip" "ffmpeg could not make the test clip"; finish; exit 1; }

# frames FILE OUT: "time md5" of every decoded frame, in output order.
frames() {
    v_frames "$1" "$2"
    paste -d' ' "$2.t" "$2.md5" >"$2"
}

# min_psnr A B: the lowest per-frame PSNR (dB) of B against A ("inf" when
# identical, "" when the two cannot be compared).
min_psnr() {
    rm -f "$T_TMP/psnr.log"
    ffmpeg -nostdin -v error -i "$1" -i "$2" -lavfi "[0:v][1:v]psnr=stats_file=$T_TMP/psnr.log" \
        -f null - 2>/dev/null
    [ -s "$T_TMP/psnr.log" ] || return 0
    awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^psnr_avg:/) { split($i, a, ":"); v = a[2]
           if (v != "inf" && (m == "" || v + 0 < m)) m = v + 0 } }
         END { print (m == "" ? "inf" : m) }' "$T_TMP/psnr.log"
}

# cli F OUT [OPTS]: the oracle's run of F (OPTS after -i); returns its status.
cli() {
    $TO $FF -i "$CLIP" -vf "$1" -an -c:v ffv1 "${@:3}" "$2" 2>"$T_TMP/ff.err"
}

# one F: the CLI's frames at -w 1 and -w 3, or the declared bound.
one() {
    local f=$1 w args rc why approx p
    case $f in
        *_opencl|*_vulkan|*_cuda|*_vaapi|*_qsv|hwupload|hwdownload|hwmap|libplacebo)
            skip "$f" "hardware filter: needs a device"; return ;;
        graphmonitor)
            skip "$f" "draws the graph's own filter names and queue sizes: no two programs agree"
            return ;;
    esac
    if ! cli "$f" "$T_TMP/ref.mkv"; then
        skip "$f" "the CLI refuses it with default options: $(head -n 1 "$T_TMP/ff.err" | head -c 160)"
        return
    fi
    frames "$T_TMP/ref.mkv" "$T_TMP/ref"
    # -w 3 runs with the frame sync of a constant-rate container (MP4,
    # MOV, or any input with audio): frames the graph drops or retimes then
    # change what is duplicated, which Matroska's sync would not show.
    cli "$f" "$T_TMP/refc.mkv" -fps_mode cfr && frames "$T_TMP/refc.mkv" "$T_TMP/refc"
    # What render declares: exact, or an approximation with a bound.
    rr "$T_TMP/d" --dry-run -w 3 --chunks 6 -an -c:v ffv1 --vf "$f" "$CLIP"
    approx=0
    grep -q '^chunk contract: .*approximate' "$T_TMP/d.out" && approx=1
    for w in 1 3; do
        args=(-w "$w") sync=() ref=ref mode=""
        if [ "$w" = 3 ]; then
            args+=(--chunks 6) sync=(-fps_mode cfr) ref=refc mode=" -fps_mode cfr"
        fi
        # The ffmpeg form: the very line the CLI ran, with its frame sync.
        $TO "$RENDER" -q "${args[@]}" -y -i "$CLIP" -vf "$f" -an -c:v ffv1 "${sync[@]}" "$T_TMP/out.mkv" \
            </dev/null >"$T_TMP/r.out" 2>"$T_TMP/r.err"
        rc=$?
        # Sockets and plugins are refused unless the user names the filter
        # (--allow-filter): what is checked here is that refusal, in one line.
        if [ $rc -eq 1 ] && [ "$(wc -l <"$T_TMP/r.err")" -eq 1 ] &&
           grep -q "refused unless named (--allow-filter $f)" "$T_TMP/r.err"; then
            ok "$f -w $w: refused in one line unless named (it opens sockets or loads plugins)"
            continue
        fi
        if [ $rc -ne 0 ]; then fail "$f -w $w$mode" "$(rr_why "$T_TMP/r" $rc)"; continue; fi
        frames "$T_TMP/out.mkv" "$T_TMP/out"
        if [ $approx = 1 ]; then
            if ! why=$(same_lines "$T_TMP/$ref.t" "$T_TMP/out.t"); then
                fail "$f -w $w$mode (approximate)" "frame times: $why"; continue
            fi
            p=$(min_psnr "$T_TMP/$ref.mkv" "$T_TMP/out.mkv")
            if awk -v p="$p" 'BEGIN { exit !(p == "inf" || (p != "" && p >= 60)) }'; then
                ok "$f -w $w$mode: the CLI's frame times, every frame >= 60 dB (lowest $p)"
            else fail "$f -w $w$mode (approximate)" "lowest PSNR '$p' dB, bound 60"; fi
            continue
        fi
        if why=$(same_lines "$T_TMP/$ref" "$T_TMP/out"); then
            ok "$f -w $w$mode: the CLI's frames and times"
            continue
        fi
        # No oracle when the CLI disagrees with itself (a seed drawn at start).
        if cli "$f" "$T_TMP/ref2.mkv" "${sync[@]}" && frames "$T_TMP/ref2.mkv" "$T_TMP/ref2" &&
           ! same_lines "$T_TMP/$ref" "$T_TMP/ref2" >/dev/null; then
            skip "$f" "two runs of the CLI give different frames: no oracle"
            return
        fi
        # Slice threads that change pixels: the CLI differs from itself by
        # thread count; render runs one thread per graph.
        if cli "$f" "$T_TMP/ref1.mkv" -filter_threads 1 "${sync[@]}" && frames "$T_TMP/ref1.mkv" "$T_TMP/ref1" &&
           same_lines "$T_TMP/ref1" "$T_TMP/out" >/dev/null; then
            T_THREADS="$T_THREADS $f"
            ok "$f -w $w$mode: the CLI's frames and times with -filter_threads 1 (its default threads give others)"
            continue
        fi
        fail "$f -w $w$mode" "$why"
    done
}

list=${FILTERS:-$(ffmpeg -hide_banner -filters 2>/dev/null | awk '$3 == "V->V" { print $2 }')}
[ -n "$list" ] || { fail "filter list" "ffmpeg -filters lists no V->V filter"; finish; exit 1; }
for f in $list; do
    one "$f"
done

[ -z "$T_THREADS" ] || echo "the CLI's output depends on its thread count:$(echo "$T_THREADS" | tr ' ' '\n' | sort -u | tr '\n' ' ')"
echo "$T_SKIP skipped"
finish
