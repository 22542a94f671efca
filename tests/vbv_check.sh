#!/usr/bin/env bash
# vbv_check.sh FILE MAXRATE BUFSIZE [INIT] - the VBV (leaky bucket) over a
# file's video packets, as an H.264 decoder's buffer sees them: it starts
# INIT full (fraction, default 0.9: x264's vbv-init), each packet in decode
# order takes its size out, then its duration of MAXRATE bits/s flows in,
# never above BUFSIZE bits. Prints "underflows=N min_fill=BITS frames=N";
# exits 1 when a packet found the buffer short. Uses ffprobe only, so it
# checks render's output and the CLI's alike.
set -eu
f=${1:?file} rate=${2:?maxrate bits/s} buf=${3:?bufsize bits} init=${4:-0.9}
# A packet's refill is the time to the next one (decode times; muxers do
# not all store durations); the last one's, the one before's. ffprobe
# writes the fields in its own order: dts_time, size.
ffprobe -v error -select_streams v:0 -show_entries packet=dts_time,size \
    -of csv=p=0 "$f" |
awk -F, -v rate="$rate" -v buf="$buf" -v init="$init" '
    function frame(size, dur) {
        fill -= 8 * size; if (fill < min) min = fill
        if (fill < 0) { bad++; fill = 0 }
        fill += rate * dur; if (fill > buf) fill = buf; n++
    }
    BEGIN { fill = buf * init; min = fill; bad = 0; n = 0; have = 0 }
    { if (have) { d = $1 - t; frame(s, d) } t = $1; s = $2; have = 1 }
    END { if (have) frame(s, d); printf "underflows=%d min_fill=%.0f frames=%d\n", bad, min, n; exit bad > 0 }'
