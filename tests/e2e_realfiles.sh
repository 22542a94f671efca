#!/usr/bin/env bash
# e2e_realfiles.sh - small real-world files, each made by the ffmpeg CLI,
# against the CLI as oracle: `render IN --vf null -c:v ffv1 -an` must give
# what `ffmpeg -i IN -map 0:v:0 -c:v ffv1 -an` gives (frames and frame
# times via framemd5, pix_fmt, colour range, sample aspect ratio, frame
# rate) at -w 1 and -w 3.
#
#   RENDER=/abs/path/render bash tests/e2e_realfiles.sh     (cwd: anywhere)
#
# Each check prints "ok - NAME" or "FAIL - NAME (detail)"; the last line is
# "N passed, N failed"; the exit status is non-zero when anything failed.
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
SRC="-f lavfi -i testsrc2=s=320x240:r=25:d=2"

# props FILE: what the stream says (pix_fmt, range, SAR, rates).
props() {
    ffprobe -v error -select_streams v:0 -show_entries \
        stream=pix_fmt,color_range,sample_aspect_ratio,r_frame_rate,avg_frame_rate \
        -of csv=p=0 "$1"
}

# same NAME IN: render at -w 1 and -w 3 against the CLI.
same() {
    local name=$1 in=$2 w want got
    ffmpeg -nostdin -y -v error -i "$in" -map 0:v:0 -c:v ffv1 -an "$W/ref.mkv" ||
        { fail "$name" "ffmpeg could not convert it"; return; }
    want="$(props "$W/ref.mkv") $(ffmpeg -v error -i "$W/ref.mkv" -f framemd5 - | grep -v '^#' | md5sum)"
    for w in 1 3; do
        if ! "$RENDER" "$in" -o "$W/out.mkv" --vf null -c:v ffv1 -an -w "$w" -q -y 2>"$W/err"; then
            fail "$name -w $w" "render failed: $(head -1 "$W/err")"; continue
        fi
        got="$(props "$W/out.mkv") $(ffmpeg -v error -i "$W/out.mkv" -f framemd5 - | grep -v '^#' | md5sum)"
        if [ "$got" = "$want" ]; then ok "$name -w $w"; else fail "$name -w $w" "want $want, got $got"; fi
    done
}

# The stream's aspect ratio (Matroska display size, AVI header) is
# stamped on every frame, as the CLI does, over the decoder's none.
ffmpeg -nostdin -y -v error $SRC -pix_fmt gray -c:v ffv1 "$W/gray.mkv"
same "gray ffv1 in Matroska (SAR from the container)" "$W/gray.mkv"
ffmpeg -nostdin -y -v error $SRC -c:v msmpeg4v3 "$W/divx.avi"
same "DivX 3 AVI (SAR from the container)" "$W/divx.avi"

# An AVI with drop frames (empty chunks, here where a frame was left out):
# healthy, so --strict takes it, and the frames are the CLI's.
ffmpeg -nostdin -y -v error $SRC -vf "select='not(eq(n\,10))'" -fps_mode passthrough \
    -c:v msmpeg4v3 -f matroska "$W/gap.mkv"
ffmpeg -nostdin -y -v error -i "$W/gap.mkv" -c copy -fps_mode passthrough "$W/drop.avi"
if "$RENDER" "$W/drop.avi" -o "$W/strict.mkv" --vf null -c:v ffv1 -an --strict -q -y 2>"$W/err"; then
    ok "DivX 3 AVI with a drop frame passes --strict"
else
    fail "DivX 3 AVI with a drop frame passes --strict" "$(head -1 "$W/err")"
fi
same "DivX 3 AVI with a drop frame" "$W/drop.avi"

# RGB pictures into libx264: the CLI's encoder takes the colours of the
# first frame out of the graph (limited range, unspecified), not the PNG's
# full range: yuv444p, never yuvj444p. Lossless, so the frames compare too.
rgb() {
    local name=$1 in=$2 w want got
    ffmpeg -nostdin -y -v error -i "$in" -an -c:v libx264 -qp 0 -preset ultrafast "$W/ref.mp4" ||
        { fail "$name" "ffmpeg could not encode it"; return; }
    want="$(props "$W/ref.mp4") $(ffmpeg -v error -i "$W/ref.mp4" -f framemd5 - | grep -v '^#' | md5sum)"
    for w in 1 3; do
        if ! "$RENDER" "$in" -o "$W/out.mp4" --vf null -an --venc-opt qp=0 --preset ultrafast -w "$w" -q -y 2>"$W/err"; then
            fail "$name -w $w" "render failed: $(head -1 "$W/err")"; continue
        fi
        got="$(props "$W/out.mp4") $(ffmpeg -v error -i "$W/out.mp4" -f framemd5 - | grep -v '^#' | md5sum)"
        if [ "$got" = "$want" ]; then ok "$name -w $w"; else fail "$name -w $w" "want $want, got $got"; fi
    done
}
ffmpeg -nostdin -y -v error $SRC -c:v png "$W/png.mov"
rgb "PNG in MOV into libx264 (colours of the graph's frames)" "$W/png.mov"
ffmpeg -nostdin -y -v error $SRC -f apng "$W/anim.apng"
rgb "APNG into libx264" "$W/anim.apng"

finish
