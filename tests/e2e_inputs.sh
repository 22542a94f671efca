#!/usr/bin/env bash
# e2e_inputs.sh - the files users actually have, against the ffmpeg CLI.
#
# For every input kind tests/fixtures_inputs.sh builds (intra refresh,
# mid-stream size and format changes, raw elementary streams, AVI with
# B-frames, an MPEG-TS timestamp reset, and one file per container family),
# render `--vf null -c:v ffv1` at -w 1, 2 and 3 must give the frames and
# frame times of `ffmpeg -i IN -map 0:v:0 -c:v ffv1 ref.mkv`. Damaged files
# give one warning with the count, and exit 1 under --strict.
. "$(dirname "$0")/lib.sh"

need_render
FXI=${FIXTURES_INPUTS:-$T_ROOT/tests/tmp/fixtures_inputs}
bash "$T_ROOT/tests/fixtures_inputs.sh" "$FXI" ||
    { fail "fixtures" "tests/fixtures_inputs.sh $FXI failed"; finish; exit 1; }
W=$T_TMP
# Frame times are compared as they are (these inputs have no audio that
# could move the video), to a millisecond (Matroska stores milliseconds).
TOL_PTS=0.0011

# ref IN NAME: the oracle's decode of IN as NAME.md5 / NAME.t (once).
ref() {
    [ -e "$W/$2.md5" ] && return 0
    ffmpeg -nostdin -v error -i "$1" -map 0:v:0 -c:v ffv1 -y "$W/$2.ref.mkv" 2>/dev/null
    v_frames "$W/$2.ref.mkv" "$W/$2"
}

# like_ffmpeg NAME IN: render IN at -w 1 and 3, and at -w 2 with more
# chunks than the planner would choose (chunk starts in every GOP), and
# compare each with the oracle.
like_ffmpeg() {
    local name=$1 in=$2
    ref "$in" "$name"
    for w in 1 3 "2 --chunks 7"; do
        local p=$W/$name.w${w// /} rc=0 why
        # shellcheck disable=SC2086
        rr "$p" "$in" --vf null -c:v ffv1 -o "$p.mkv" -y -q -w $w || rc=$?
        if [ $rc -ne 0 ] || [ ! -s "$p.mkv" ]; then
            fail "$name -w $w: render" "$(rr_why "$p" $rc)"
            continue
        fi
        v_frames "$p.mkv" "$p"
        if ! why=$(same_lines "$W/$name.md5" "$p.md5"); then
            fail "$name -w $w: frames" "framemd5 $why"
        elif ! why=$(same_times "$W/$name.t" 0 "$p.t" 0 $TOL_PTS); then
            fail "$name -w $w: frame times" "$why"
        elif [ -s "$p.err" ]; then
            fail "$name -w $w: silent" "stderr: $(head -n 2 "$p.err" | tr '\n' '|')"
        else
            ok "$name -w $w: frames and times as ffmpeg"
        fi
    done
}

s_kinds() {
    like_ffmpeg intra.mp4 "$FXI/intra.mp4"
    like_ffmpeg intra.mkv "$FXI/intra.mkv"
    like_ffmpeg intra.ts "$FXI/intra.ts"
    like_ffmpeg sizechange.ts "$FXI/sizechange.ts"
    like_ffmpeg fmtchange.ts "$FXI/fmtchange.ts"
    like_ffmpeg reset.ts "$FXI/reset.ts"
    like_ffmpeg raw.h264 "$FXI/raw.h264"
    like_ffmpeg raw.hevc "$FXI/raw.hevc"
    like_ffmpeg raw.m2v "$FXI/raw.m2v"
    like_ffmpeg bframes_mpeg4.avi "$FXI/bframes_mpeg4.avi"
    like_ffmpeg bframes_h264.avi "$FXI/bframes_h264.avi"
}

s_containers() {
    for f in wmv2.asf theora.ogg pal.dv mpeg2.mpg flv1.flv vp8.webm prores422.mov mpeg2.mxf \
             av1.mkv hevc_b.mp4 x264_422p10.mkv; do
        like_ffmpeg "$f" "$FXI/$f"
    done
    like_ffmpeg seq "$FXI/seq/img_%03d.png"
}

# The default workload (hqdn3d, libx264) on a size change: no crash, every
# frame at the first frame's size.
s_sizechange_default() {
    local rc=0 got
    rr "$W/sc" "$FXI/sizechange.ts" -o "$W/sc.mp4" -y -q -w 3 || rc=$?
    if [ $rc -ne 0 ]; then fail "sizechange.ts default workload" "$(rr_why "$W/sc" $rc)"; return; fi
    got=$(ffprobe -v error -select_streams v:0 -count_frames \
          -show_entries stream=width,height,nb_read_frames -of csv=p=0 "$W/sc.mp4")
    check "sizechange.ts default workload: 100 frames at 160x120" "got $got" [ "$got" = "160,120,100" ]
}

# damaged NAME: one warning line with the count, exit 0; --strict: exit 1.
damaged() {
    local in=$FXI/$1 rc=0 n want
    want=$(v_md5 "$in" | wc -l)
    rr "$W/dm" "$in" --vf null -c:v ffv1 -o "$W/dm.mkv" -y -w 2 || rc=$?
    n=$(grep -c "warning" "$W/dm.err")
    if [ $rc -ne 0 ]; then fail "$1: exit 0 with a warning" "$(rr_why "$W/dm" $rc)"
    elif [ "$n" -ne 1 ] || ! grep -q "^render: .*$1: warning: .*[0-9]\+ of 100 frames" "$W/dm.err"; then
        fail "$1: exit 0 with a warning" "stderr: $(head -n 3 "$W/dm.err" | tr '\n' '|')"
    # A damaged stream can repeat a frame time. The CLI's frame sync shows
    # the repeat one frame later; where that would run into the next chunk's
    # frames render drops it instead, so one frame fewer than ffmpeg is allowed.
    elif n=$(v_md5 "$W/dm.mkv" | wc -l); [ "$n" -gt "$want" ] || [ "$n" -lt $((want - 1)) ]; then
        fail "$1: exit 0 with a warning" "$(v_md5 "$W/dm.mkv" | wc -l) frames, ffmpeg decodes $want"
    else
        ok "$1: exit 0, one warning with the count"
    fi
    rc=0
    rr "$W/ds" "$in" --vf null -c:v ffv1 -o "$W/ds.mkv" -y -q -w 2 --strict || rc=$?
    if [ $rc -eq 1 ] && grep -q "^render: .*$1: " "$W/ds.err" && [ ! -e "$W/ds.mkv" ]; then
        ok "$1 --strict: exit 1, no output"
    else
        fail "$1 --strict: exit 1, no output" "$(rr_why "$W/ds" $rc)"
    fi
}

s_damage() {
    local f rc
    for f in damaged.mkv damaged.ts damaged.mp4 damaged.avi; do
        damaged $f
    done
    # No false alarm: clean files of every kind pass --strict silently.
    for f in src_long.mkv src_long.avi mpeg2.mpg raw.h264 reset.ts sizechange.ts intra.mp4 \
             bframes_mpeg4.avi; do
        rc=0
        rr "$W/cl" "$FXI/$f" --vf null -c:v ffv1 -o "$W/cl.mkv" -y -w 2 --strict || rc=$?
        check "undamaged $f --strict: exit 0, silent" "$(rr_why "$W/cl" $rc)" \
            [ $rc -eq 0 -a -z "$(grep -v '^render: done' "$W/cl.err")" ]
    done
}

for sec in kinds containers sizechange_default damage; do
    want "$sec" && "s_$sec"
done

finish
