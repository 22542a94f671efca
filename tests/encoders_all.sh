#!/usr/bin/env bash
# encoders_all.sh - every encoder the ffmpeg CLI can use, in the containers
# people put it in, at several worker and chunk counts, against the ffmpeg
# CLI's own output for the same job as the oracle.
#
#   RENDER=/abs/path/render bash tests/encoders_all.sh     (ONLY="matrix regress")
#   make test-encoders (its own target, as make test-filters: about 40 s,
#   run by CI and by make asan, kept out of make test's time)
#
# For each encoder, one `ffmpeg -i IN -vf null -c:v X` reference, then render
# at -w 1/2/3 with 2/3/4 chunks (so joins happen): exit 0, nothing on stderr
# under -q, every frame at the reference's frame times, a clean decode, and
# packets with dts strictly increasing and dts <= pts (what the container
# stores: Matroska keeps no dts, AVI no pts), and the CLI's decode timestamps.
. "$(dirname "$0")/lib.sh"

need_render

W=$T_TMP
IN=$W/in.mp4
NFRAMES=40
TOL=0.0011      # Matroska stores milliseconds: half of one each side
# A hang is a failure, not a stuck suite (SVT-AV1 once hung forever).
LIMIT=60

# Under `make asan`: libx265 3.5 never frees some of what it allocates.
lsan_suppress libx265

# 256x144: dnxhd's smallest size is 256x120. Keyframes every 10 frames so
# chunks start on them.
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=256x144:rate=25:duration=1.6 \
    -c:v libx264 -g 10 -pix_fmt yuv420p "$IN" ||
    { fail "input" "ffmpeg could not make the test input"; finish; exit 1; }

# encoder | container | render options | the same for the ffmpeg CLI
MATRIX="
libx264    | mp4  |                                                       |
libx264    | ts   |                                                       |
libx264    | avi  | --venc-opt bf=3                                       | -bf 3
libx264rgb | mkv  |                                                       |
libx265    | mp4  | --preset ultrafast                                    | -preset ultrafast
libx265    | mkv  | --preset ultrafast                                    | -preset ultrafast
libsvtav1  | mkv  | --preset 12                                           | -preset 12
libaom-av1 | mkv  | --venc-opt cpu-used=8 --venc-opt usage=realtime       | -cpu-used 8 -usage realtime
librav1e   | mkv  | --venc-opt speed=10                                   | -speed 10
libvpx-vp9 | webm | --venc-opt deadline=realtime --venc-opt cpu-used=8    | -deadline realtime -cpu-used 8
libvpx     | webm | --venc-opt deadline=realtime --venc-opt cpu-used=8    | -deadline realtime -cpu-used 8
mpeg2video | ts   | --venc-opt bf=2                                       | -bf 2
mpeg4      | avi  | --venc-opt bf=2                                       | -bf 2
mjpeg      | avi  |                                                       |
prores_ks  | mov  |                                                       |
dnxhd      | mov  | --venc-opt profile=dnxhr_lb                           | -profile:v dnxhr_lb
ffv1       | mkv  |                                                       |
utvideo    | avi  |                                                       |
"

# pkt_ok FILE: dts strictly increasing and dts <= pts, where stored.
pkt_ok() {
    ffprobe -v error -select_streams v:0 -show_entries packet=pts,dts -of csv=p=0 "$1" |
        awk -F, '
            $1 == "" { next }
            $2 != "N/A" { if (have && $2 <= last) { printf "dts %s after %s", $2, last; exit 1 }
                          last = $2; have = 1 }
            $1 != "N/A" && $2 != "N/A" && $1 < $2 { printf "pts %s < dts %s", $1, $2; exit 1 }
            { n++ }
            END { if (!n) { printf "no packets"; exit 1 } }'
}

# dts_list FILE: the decode timestamps as stored, one a line.
dts_list() {
    ffprobe -v error -select_streams v:0 -show_entries packet=dts -of csv=p=0 "$1" | awk -F, '$1 != ""'
}

# decode_clean FILE: a full decode prints nothing at -v error.
decode_clean() {
    local e
    e=$(ffmpeg -nostdin -v error -i "$1" -map 0:v:0 -f null - 2>&1 | head -c 300)
    [ -z "$e" ] || { printf '%s' "$e" | tr '\n' '|'; return 1; }
}

# one_run TAG OUT ARGS...: render under -q; every check on its output.
one_run() {
    local tag=$1 out=$2 ref=$3 rc why; shift 3
    timeout "$LIMIT" "$RENDER" -q -y --vf null "$@" -o "$out" "$IN" </dev/null >"$out.out" 2>"$out.err"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        fail "$tag: exit 0" "$(rr_why "$out" "$rc")"
        return
    fi
    check "$tag: nothing on stderr under -q" "$(head -c 200 "$out.err" | tr '\n' '|')" \
        test ! -s "$out.err"
    v_times "$out" >"$out.t"
    why=$(same_times "$ref.t" 0 "$out.t" 0 "$TOL") && ok "$tag: $NFRAMES frames at the CLI's times" ||
        fail "$tag: $NFRAMES frames at the CLI's times" "$why"
    why=$(decode_clean "$out") && ok "$tag: decodes without a word" || fail "$tag: decodes without a word" "$why"
    why=$(pkt_ok "$out") && ok "$tag: dts increasing, dts <= pts" || fail "$tag: dts increasing, dts <= pts" "$why"
    # The joined timeline is the one the CLI writes for one encoder: the
    # GOPs differ at joins, the decode timestamps do not.
    dts_list "$out" >"$out.dts"
    why=$(same_lines "$ref.dts" "$out.dts") && ok "$tag: the CLI's decode timestamps" ||
        fail "$tag: the CLI's decode timestamps" "$why"
}

s_matrix() {
    local enc ext ropt fopt ref n
    while IFS='|' read -r enc ext ropt fopt; do
        enc=$(echo $enc); ext=$(echo $ext)
        [ -n "$enc" ] || continue
        ref=$W/ref_${enc}.$ext
        # shellcheck disable=SC2086  # the option lists are word lists
        if ! ffmpeg -nostdin -v error -y -i "$IN" -vf null -c:v "$enc" $fopt "$ref" 2>"$ref.err" </dev/null; then
            fail "$enc/$ext: the ffmpeg CLI reference" "$(head -c 200 "$ref.err" | tr '\n' '|')"
            continue
        fi
        v_times "$ref" >"$ref.t"
        dts_list "$ref" >"$ref.dts"
        n=$(wc -l <"$ref.t")
        if [ "$n" -ne "$NFRAMES" ]; then
            fail "$enc/$ext: the reference has $NFRAMES frames" "$n"
            continue
        fi
        for w in 1 2 3; do
            # shellcheck disable=SC2086
            one_run "$enc/$ext -w $w --chunks $((w + 1))" "$W/out_${enc}_$w.$ext" "$ref" \
                -w "$w" --chunks $((w + 1)) -c:v "$enc" $ropt
        done
    done <<<"$MATRIX"
}

# The failures this suite was written for, each on its own.
s_regress() {
    local ref=$W/ref_x265.mp4 rc
    ffmpeg -nostdin -v error -y -i "$IN" -vf null -c:v libx265 -preset ultrafast "$ref" 2>/dev/null </dev/null
    v_times "$ref" >"$ref.t"
    dts_list "$ref" >"$ref.dts"
    # libx265 declares no reorder depth and reorders two frames deep; its
    # banner went to stderr under -q.
    one_run "libx265 -w 1 --chunks 1 (declares no reorder depth)" "$W/x265_1.mp4" "$ref" \
        -w 1 --chunks 1 -c:v libx265 --preset ultrafast
    # SVT-AV1 1.4 hangs in its close when it never had an end of stream, and
    # on an end of stream after no frame (the template encoder).
    timeout 20 "$RENDER" -q -y --vf null -w 1 --chunks 1 -c:v libsvtav1 --preset 12 \
        -o "$W/svt_1.mkv" "$IN" </dev/null >/dev/null 2>"$W/svt_1.err"
    rc=$?
    check "libsvtav1 -w 1 --chunks 1 ends (no hang) with exit 0" "exit $rc" [ "$rc" -eq 0 ]
    # CFR-only encoders were handed the stream time base as a frame rate.
    timeout "$LIMIT" "$RENDER" -q -y --vf null -w 1 -c:v mpeg2video -o "$W/m2v_1.mpg" "$IN" \
        </dev/null >/dev/null 2>"$W/m2v_1.err"
    rc=$?
    check "mpeg2video opens (frame rate, not the time base)" "$(rr_why "$W/m2v_1" "$rc")" [ "$rc" -eq 0 ]
}

want matrix && s_matrix
want regress && s_regress
finish
