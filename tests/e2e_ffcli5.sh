#!/usr/bin/env bash
# e2e_ffcli5.sh - output-side lines in the ffmpeg form where render once
# differed silently from the ffmpeg CLI, each row run with the stock ffmpeg
# CLI and with render (-w 1, 2, 3 in turn; lib.sh `line`): streams, frame
# count and times, audio duration, and the checks each row names.
#   - GIF: every chunk's encoder opened its first packet with a GIF header;
#     inside the file it shifted the frame delays by 1/100 s at each join.
#
#   RENDER=/abs/path/render bash tests/e2e_ffcli5.sh      (ONLY="gif ..." for sections)
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
lsan_suppress libx264.so libx265.so
FF="ffmpeg -nostdin -v error -y"
ROW=0

# 2 s of 320x240 at 25 fps, B-frames, with stereo AAC.
IN=$W/in.mp4
$FF -f lavfi -i testsrc2=s=320x240:r=25:d=2 -f lavfi -i sine=f=440:r=48000:d=2 \
    -c:v libx264 -preset ultrafast -bf 3 -g 25 -pix_fmt yuv420p -c:a aac -ac 2 "$IN" ||
    { fail "input" "ffmpeg could not make the input"; finish; exit 1; }

if want gif; then
    line "gif: the container's defaults"             gif md5
    line "gif: -vf scale=161:-1 (odd size)"          gif md5 -vf scale=161:-1
    line "gif: palettegen + paletteuse"              gif md5 -vf "split[a][b];[a]palettegen[p];[b][p]paletteuse"
fi

finish
