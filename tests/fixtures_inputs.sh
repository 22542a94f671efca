#!/usr/bin/env bash
# fixtures_inputs.sh DIR - the real-world inputs tests/e2e_inputs.sh renders:
# files whose keyframe flags are not random-access points, whose size changes
# mid-stream, that have no timestamps or timestamps that jump, damaged
# files, and one small file per container family people actually have.
#
# Every file is made with the stock ffmpeg CLI from lavfi sources (the
# oracle side never depends on the code under test). Idempotent: a file
# that exists is kept; each is written under a temporary name and renamed.
# Tiny on purpose (160x120 to 320x240, 1-3 s): the set takes a few seconds.
set -eu

dir=${1:?usage: fixtures_inputs.sh DIR}
. "$(dirname "$0")/fixture_lib.sh"
mkdir -p "$dir"
cd "$dir"

FF="ffmpeg -nostdin -hide_banner -v error -y"
SRC="-f lavfi -i testsrc2=s=160x120:r=25:d=2"
X264="-c:v libx264 -preset veryfast -pix_fmt yuv420p"


# x264 intra refresh: one IDR, then recovery points only. MP4 and Matroska
# flag the recovery points as sync samples; a decode that starts at one
# shows unrecovered frames.
# 3 s with a recovery point every 20 frames, so that chunks can start
# where a recovery period ends.
fixture intra.mp4 eval '$FF -f lavfi -i testsrc2=s=160x120:r=25:d=3 $X264 \
    -x264-params intra-refresh=1:keyint=20 -f mp4 "$tmp"'
fixture intra.mkv eval '$FF -i intra.mp4 -c copy -f matroska "$tmp"'
fixture intra.ts eval '$FF -i intra.mp4 -c copy -f mpegts "$tmp"'

# Mid-stream size change: two MPEG-TS pieces joined byte-wise (as
# `ffmpeg -i "concat:a.ts|b.ts" -c copy` does), 160x120 then 240x180.
fixture size_a.ts eval '$FF $SRC $X264 -g 25 -f mpegts "$tmp"'
fixture size_b.ts eval '$FF -f lavfi -i testsrc2=s=240x180:r=25:d=2 $X264 -g 25 -f mpegts "$tmp"'
fixture sizechange.ts eval '$FF -i "concat:size_a.ts|size_b.ts" -c copy -f mpegts "$tmp"'
# ...and a pixel format change (4:2:0 then 4:4:4) in the same way.
fixture fmt_b.ts eval '$FF -f lavfi -i testsrc2=s=160x120:r=25:d=2 -c:v libx264 -preset veryfast \
    -pix_fmt yuv444p -g 25 -f mpegts "$tmp"'
fixture fmtchange.ts eval '$FF -i "concat:size_a.ts|fmt_b.ts" -c copy -f mpegts "$tmp"'

# A timestamp reset: the same MPEG-TS twice, byte-wise.
fixture reset.ts eval 'cat size_a.ts size_a.ts > "$tmp"'

# Raw elementary streams: no timestamps at all.
fixture raw.h264 eval '$FF $SRC $X264 -g 25 -bf 2 -f h264 "$tmp"'
fixture raw.hevc eval '$FF $SRC -c:v libx265 -x265-params log-level=none:keyint=25:bframes=3 \
    -pix_fmt yuv420p -f hevc "$tmp"'
fixture raw.m2v eval '$FF $SRC -c:v mpeg2video -g 12 -bf 2 -f mpeg2video "$tmp"'

# AVI with B-frames: packed (MPEG-4 part 2) and H.264 with only dts.
fixture bframes_mpeg4.avi eval '$FF $SRC -c:v mpeg4 -bf 2 -g 25 -f avi "$tmp"'
fixture bframes_h264.avi eval '$FF $SRC $X264 -bf 3 -g 25 -f avi "$tmp"'

# Damage: a run of garbage bytes over the middle of the file.
damage() {
    local n size
    size=$(stat -c %s "$1")
    cp "$1" "$2"
    n=$((size / 5))
    head -c "$n" /dev/zero | dd of="$2" bs=1 seek=$((size * 2 / 5)) conv=notrunc status=none
}
fixture src_long.mkv eval '$FF -f lavfi -i testsrc2=s=160x120:r=25:d=4 $X264 -g 25 -f matroska "$tmp"'
fixture src_long.ts eval '$FF -i src_long.mkv -c copy -f mpegts "$tmp"'
fixture src_long.mp4 eval '$FF -i src_long.mkv -c copy -f mp4 "$tmp"'
fixture src_long.avi eval '$FF -i src_long.mkv -c copy -bsf:v h264_mp4toannexb -f avi "$tmp"'
fixture damaged.mkv eval 'damage src_long.mkv "$tmp"'
fixture damaged.ts eval 'damage src_long.ts "$tmp"'
fixture damaged.mp4 eval 'damage src_long.mp4 "$tmp"'
fixture damaged.avi eval 'damage src_long.avi "$tmp"'

# One small file per container family.
fixture wmv2.asf eval '$FF $SRC -c:v wmv2 -g 25 -f asf "$tmp"'
fixture theora.ogg eval '$FF $SRC -c:v libtheora -g 25 -f ogg "$tmp"'
fixture pal.dv eval '$FF -f lavfi -i testsrc2=s=720x576:r=25:d=0.6 -c:v dvvideo -pix_fmt yuv420p -f dv "$tmp"'
fixture mpeg2.mpg eval '$FF $SRC -c:v mpeg2video -g 12 -bf 2 -f vob "$tmp"'
fixture flv1.flv eval '$FF $SRC -c:v flv -g 25 -f flv "$tmp"'
fixture vp8.webm eval '$FF $SRC -c:v libvpx -g 25 -b:v 300k -f webm "$tmp"'
fixture prores422.mov eval '$FF $SRC -c:v prores_ks -profile:v 2 -pix_fmt yuv422p10le -f mov "$tmp"'
fixture mpeg2.mxf eval '$FF $SRC -c:v mpeg2video -g 12 -bf 2 -b:v 2M -f mxf "$tmp"'
fixture av1.mkv eval '$FF -f lavfi -i testsrc2=s=160x120:r=25:d=1 -c:v libaom-av1 -cpu-used 8 \
    -g 12 -b:v 200k -f matroska "$tmp"'
fixture hevc_b.mp4 eval '$FF $SRC -c:v libx265 -x265-params log-level=none:keyint=12:bframes=4 \
    -pix_fmt yuv420p -f mp4 "$tmp"'
fixture x264_422p10.mkv eval '$FF $SRC -c:v libx264 -preset veryfast -pix_fmt yuv422p10le -g 12 \
    -f matroska "$tmp"'
# An image sequence (image2 demuxer, 25 fps by default): made in a
# temporary folder renamed at the end.
if [ ! -d seq ]; then
    rm -rf .tmp.seq && mkdir .tmp.seq
    $FF -f lavfi -i testsrc2=s=160x120:r=25:d=1 -f image2 .tmp.seq/img_%03d.png
    mv .tmp.seq seq
fi
