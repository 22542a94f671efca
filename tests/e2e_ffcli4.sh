#!/usr/bin/env bash
# e2e_ffcli4.sh - more everyday ffmpeg options in the ffmpeg form, each row
# run with the stock ffmpeg CLI and with render (-w 1, 2, 3 in turn; lib.sh
# `line`): the codec tag (-tag, -tag:v, -vtag, -atag) on encoded, copied and
# remuxed streams, and a tag the muxer refuses, refused by both.
#
#   RENDER=/abs/path/render bash tests/e2e_ffcli4.sh      (ONLY="tag ..." for sections)
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
lsan_suppress libx264.so libx265.so
FF="ffmpeg -nostdin -v error -y"
ROW=0

# 2 s of 320x240 at 25 fps with stereo AAC.
IN=$W/in.mp4
$FF -f lavfi -i testsrc2=s=320x240:r=25:d=2 -f lavfi -i sine=f=440:r=48000:d=2 \
    -c:v libx264 -preset ultrafast -g 25 -pix_fmt yuv420p -c:a aac -ac 2 "$IN" ||
    { fail "input" "ffmpeg could not make the input"; finish; exit 1; }
LL="-c:v libx264 -qp 0 -preset ultrafast"

if want tag; then
    line "-tag:v hvc1 with libx265 (the Apple line)"  mp4 ctag -c:v libx265 -preset ultrafast -tag:v hvc1 -c:a copy
    line "-tag:v avc3, lossless x264"                 mp4 md5,ctag $LL -tag:v avc3 -c:a copy
    line "-vtag avc3 -atag mp4a, audio encoded"       mp4 ctag $LL -vtag avc3 -c:a aac -atag mp4a
    line "-c copy -tag:v avc3 (remux)"                mp4 md5,ctag -c copy -tag:v avc3
    line "-c:v copy -tag:v 0x33637661 (a number)"     mov md5,ctag -c:v copy -tag:v 0x33637661 -an
    line "-vtag XVID in AVI"                          avi ctag -c:v mpeg4 -vtag XVID -an
    line "-tag:v xyz1: the muxer refuses"             mp4 "" $LL -tag:v xyz1
    line "-tag hvc1 on every stream: refused"         mp4 "" -c:v libx265 -preset ultrafast -tag hvc1 -c:a copy
    line "-tag:v 0: the muxer's choice"               mkv md5,ctag -c:v ffv1 -tag:v 0 -c:a copy
    "$RENDER" -q -i "$IN" -tag:a:1 mp4a "$W/bad.mp4" </dev/null 2>"$W/bad.err"; rc=$?
    [ $rc -eq 2 ] && [ "$(wc -l <"$W/bad.err")" -eq 1 ] && ok "-tag:a:1 refused in one line" ||
        fail "-tag:a:1 refused in one line" "exit $rc: $(head -c 200 "$W/bad.err")"
fi

finish
