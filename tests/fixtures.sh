#!/usr/bin/env bash
# fixtures.sh DIR - build the small, nasty inputs the end-to-end tests use.
#
# Every file is made with the stock ffmpeg CLI from lavfi sources, so the
# fixtures do not depend on the code under test. Idempotent: a file that
# exists is kept (each is written under a temporary name and renamed, so an
# interrupted run never leaves half a fixture). Small on purpose: the whole
# set takes a few seconds on two cores.
#
# What each one exercises is said next to it; tests/e2e_*.sh rely on the
# names below.
set -eu

dir=${1:?usage: fixtures.sh DIR}
. "$(dirname "$0")/fixture_lib.sh"
mkdir -p "$dir"
cd "$dir"

FF="ffmpeg -nostdin -hide_banner -v error -y"
# The exact bytes do not matter (x264 threads may vary them), only the
# structure each fixture promises.
X264="-c:v libx264 -preset veryfast -pix_fmt yuv420p"
AAC="-c:a aac -b:a 64k"


# Constant frame rate H.264 + AAC, keyframe every second: the plain case, and
# the source of the edit-list and truncated files below.
fixture cfr.mp4 eval '$FF -f lavfi -i testsrc2=s=320x240:r=25:d=3 \
    -f lavfi -i sine=f=440:r=48000:d=3 $X264 -g 25 $AAC -f mp4 "$tmp"'

# Variable frame rate: 1.5 s at 24 fps, then 30 fps, with a +0/10/20 ms
# jitter on top, so neither "index x rate" nor a fixed step predicts a pts.
VFR="settb=1/1000,setpts='(if(lt(N\,36)\,N/24\,1.5+(N-36)/30)+0.01*mod(N\,3))/TB'"
fixture vfr.mp4 eval '$FF -f lavfi -i "testsrc2=s=320x240:r=25:d=3,$VFR" \
    -f lavfi -i sine=d=3 $X264 -g 25 $AAC -fps_mode vfr -f mp4 "$tmp"'
fixture vfr.mkv eval '$FF -f lavfi -i "mandelbrot=s=240x180:r=25,trim=duration=3,$VFR" \
    -f lavfi -i sine=f=220:d=3 $X264 -g 25 $AAC -fps_mode vfr -f matroska "$tmp"'

# Open GOP with a B-pyramid: recovery-point I frames are flagged as
# keyframes, and the B frames that follow them in decode order show before
# them and reference the previous GOP.
fixture opengop.mp4 eval '$FF -f lavfi -i testsrc2=s=320x240:r=25:d=3 \
    -f lavfi -i sine=d=3 $X264 \
    -x264-params open_gop=1:b-pyramid=normal:bframes=3:keyint=12:min-keyint=12:scenecut=0 \
    $AAC -f mp4 "$tmp"'

# Long GOP: one keyframe in 300 frames (keyint 250), so chunk boundaries
# cannot all sit on keyframes and workers pay the seek tax.
fixture longgop.mp4 eval '$FF -f lavfi -i testsrc2=s=160x120:r=25:d=12 \
    -f lavfi -i sine=d=12 $X264 -x264-params keyint=250:min-keyint=250:scenecut=0 \
    $AAC -f mp4 "$tmp"'

# MP4 edit list: stream copy cut at 1.3 s, mid-GOP. The file starts at the
# keyframe at 1.0 s and its edit list hides the first 0.3 s (the demuxer
# flags those packets discard).
fixture editlist.mp4 eval '$FF -ss 1.3 -i cfr.mp4 -c copy -f mp4 "$tmp"'

# MPEG-TS starts near 1.4 s (the muxer's default offset), with audio.
fixture start.ts eval '$FF -f lavfi -i testsrc2=s=320x240:r=25:d=3 \
    -f lavfi -i sine=d=3 $X264 -g 25 $AAC -f mpegts "$tmp"'

# 10-bit HEVC in Matroska: x265's default open GOP gives CRA keyframes with
# RASL leading pictures that cannot be decoded when decoding starts there.
fixture hevc10.mkv eval '$FF -f lavfi -i testsrc2=s=320x240:r=24:d=3 \
    -f lavfi -i sine=d=3 -c:v libx265 -pix_fmt yuv420p10le -preset fast \
    -x265-params keyint=24:min-keyint=24:open-gop=1:log-level=error \
    $AAC -f matroska "$tmp"'

# Odd size, 4:4:4, lossless intra (every frame a keyframe), no audio.
fixture odd444.mkv eval '$FF -f lavfi -i mandelbrot=s=161x121:r=25 -frames:v 50 \
    -c:v ffv1 -pix_fmt yuv444p -f matroska "$tmp"'

# A phone clip held upright: the pixels are landscape and a display matrix
# says "rotate 90". ffmpeg 5.1 turns a rotate tag into that matrix only when
# stream copying, hence the second pass.
fixture rotated.mp4 eval '$FF -f lavfi -i testsrc2=s=320x240:r=30:d=2 \
    -f lavfi -i sine=d=2 $X264 -g 30 $AAC -f mp4 "$tmp.src" &&
    $FF -i "$tmp.src" -c copy -metadata:s:v:0 rotate=90 -f mp4 "$tmp"; rm -f "$tmp.src"'

# Three frames: fewer frames than workers and chunks.
fixture three.mp4 eval '$FF -f lavfi -i testsrc2=s=320x240:r=25 -frames:v 3 \
    $X264 -f mp4 "$tmp"'

# VP9 + Opus in WebM: hidden alt-ref frames, Opus pre-skip (negative start).
fixture vp9.webm eval '$FF -f lavfi -i testsrc2=s=320x240:r=25:d=2 -f lavfi -i sine=d=2 \
    -c:v libvpx-vp9 -deadline good -cpu-used 5 -b:v 300k -g 25 -c:a libopus \
    -f webm "$tmp"'

# Temporal noise under a temporal denoiser: hqdn3d's state matters here. A
# chunk that starts cold scores ~45 dB against the one-chunk run (measured
# with ffmpeg's trim), one with an 8-frame pre-roll > 85 dB.
fixture noisy.mp4 eval '$FF -f lavfi -i "testsrc2=s=320x240:r=25:d=3,noise=alls=12:allf=t" \
    $X264 -crf 18 -g 25 -f mp4 "$tmp"'

# Video without audio.
fixture noaudio.mp4 eval '$FF -f lavfi -i testsrc2=s=320x240:r=25:d=2 \
    $X264 -g 25 -f mp4 "$tmp"'

# Audio only: nothing to render.
fixture audio.m4a eval '$FF -f lavfi -i sine=d=2 $AAC -f mp4 "$tmp"'

# --- broken inputs ---------------------------------------------------------
fixture empty.mp4 eval ': > "$tmp"'
# Random bytes, the same every time (an LCG in awk, so no tool can differ).
random_bytes() {
    LC_ALL=C awk 'BEGIN { x = 12345; for (i = 0; i < 65536; i++) {
        x = (x * 1103515245 + 12345) % 2147483648
        printf "%c", int(x / 65536) % 256 } }'
}
fixture random.mp4 eval 'random_bytes > "$tmp"'
# Index (moov) at the end, file cut in half: no index at all.
fixture trunc_moovend.mp4 eval 'head -c $(( $(stat -c %s cfr.mp4) / 2 )) cfr.mp4 > "$tmp"'
# Index at the front (faststart), cut at 60%: the index promises frames the
# file no longer has; libavformat reads to a "clean" end of file.
fixture trunc_faststart.mp4 eval '$FF -i cfr.mp4 -c copy -movflags +faststart -f mp4 "$tmp.src" &&
    head -c $(( $(stat -c %s "$tmp.src") * 6 / 10 )) "$tmp.src" > "$tmp"; rm -f "$tmp.src"'
fixture text.mp4 eval 'printf "this is not a video\njust text named .mp4\n" > "$tmp"'

exit 0
