#!/usr/bin/env bash
# e2e_ffcli6.sh - graphs and options in the ffmpeg form where render once
# differed silently from the ffmpeg CLI, each row run with the stock ffmpeg
# CLI and with render (-w 1, 2, 3 in turn; lib.sh `line`): streams, frame
# count and times, audio duration, and the checks each row names.
#   - -t/-to with encoded audio: render kept the whole last audio frame
#     (-t 2 into PCM: 2.005 s, ffmpeg 2.000 s: its trims cut to the
#     sample), and cut the input at -t where an -af retimes it (-af
#     atempo=1.25 -t 2: 1.6 s of audio, ffmpeg 2.0 s; asetpts=0.5*PTS:
#     1 s). Checked here to the sample (asamples).
#   - a fixed GOP (-g 12 -keyint_min 12 -sc_threshold 0) with -r or a
#     graph that retimes (fps, setpts): chunks started on the input's grid
#     of 12, not the output's, so keyframes moved after the first join
#     (-r 10: at 1.2 s, 2.4 s ... where ffmpeg's are at 2.4 s, 3.6 s), and
#     the warning meant for that counted packets the muxer had already
#     taken (always 0). Now chunks start where an output frame on the grid
#     does (-r), or the graph runs as one chunk (fps, setpts).
#   - the field order of an interlaced input: ffmpeg tags the output from
#     the first filtered frame (tb/bt, or progressive) and codes fields
#     only under -flags +ildct; render kept the input's tag (tt) and coded
#     fields unasked (libx264: interlaced frames where ffmpeg's are
#     progressive). After a graph that also changed the colour range
#     (yadif=1,scale; fieldorder) the fields were not asked at all
#     (unknown), nor after a graph that holds 5 frames back
#     (fieldmatch,decimate; pullup), nor after one that gives none in the
#     frames the template feeds (select from 1 s on, reverse).
#   - an output -t with -r after an output -ss between frames: the limit
#     was checked on the input's ticks (25 fps: the frame at 2.48 s, 1.98 s
#     into the output, rounded to 2.0) where ffmpeg checks the encoder's
#     (-r 50: tick 99 of 100): -r 50 -ss 0.5 -t 2 gave 99 frames, not 100.
#   - hqdn3d (recursive: approximated per chunk, by design) gave other
#     frames than the CLI's without a word: now one line says so, and
#     --exact gives the CLI's frames.
#
#   RENDER=/abs/path/render bash tests/e2e_ffcli6.sh      (ONLY="atrim graphs" for sections)
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
lsan_suppress libx264.so libx265.so
FF="ffmpeg -nostdin -v error -y"
ROW=0

# a_md5 FILE: every decoded audio frame's time, size and md5.
a_md5() {
    ffmpeg -nostdin -v error -i "$1" -map 0:a:0 -f framemd5 - 2>/dev/null | awk -F', *' '!/^#/ { print $3, $5, $NF }'
}

# aline NAME EXT CHECKS OPTIONS...: `line`, then the decoded audio of both
# outputs identical, sample for sample (asamples).
aline() {
    local why
    line "$@"
    [ -s "$W/f$ROW.$2" ] && [ -s "$W/r$ROW.$2" ] || return
    why=$(same_lines <(a_md5 "$W/f$ROW.$2") <(a_md5 "$W/r$ROW.$2")) &&
        ok "$1: audio samples identical" || fail "$1: audio samples identical" "$why"
}

# preline NAME EXT PRE OPTIONS...: aline with input options PRE before -i.
preline() {
    local name=$1 ext=$2 pre=$3 w why
    shift 3
    pair "$name" "$ext" "$pre" "$IN" "$@" || return
    w=$PAIR_W
    why=$(same_lines <(v_md5 "$PAIR_F") <(v_md5 "$PAIR_R")) && ok "$name: decoded frames identical (-w $w)" ||
        fail "$name: decoded frames identical (-w $w)" "$why"
    why=$(same_lines <(a_md5 "$PAIR_F") <(a_md5 "$PAIR_R")) && ok "$name: audio samples identical" ||
        fail "$name: audio samples identical" "$why"
}

# 3 s of 320x240 at 25 fps, B-frames, with stereo AAC.
IN=$W/in.mp4
$FF -f lavfi -i testsrc2=s=320x240:r=25:d=3 -f lavfi -i sine=f=440:r=48000:d=3 \
    -c:v libx264 -preset ultrafast -bf 3 -g 25 -pix_fmt yuv420p -c:a aac -ac 2 "$IN" ||
    { fail "input" "ffmpeg could not make the input"; finish; exit 1; }
PCM="-c:v ffv1 -c:a pcm_s16le"

if want atrim; then
    aline "-t 2, pcm (cut inside an AAC frame)"        mkv md5 -t 2 $PCM
    aline "-to 1.99, pcm"                               mkv md5 -to 1.99 $PCM
    aline "-t 2 -af atempo=1.25 (reads 2.5 s of audio)" mkv md5 -t 2 -af atempo=1.25 $PCM
    aline "-t 1.2 -af asetpts=0.5*PTS"                  mkv md5 -t 1.2 -af asetpts=0.5*PTS $PCM
    aline "-ss 1 -t 1.3 -af atempo=2"                   mkv md5 -ss 1 -t 1.3 -af atempo=2 $PCM
    aline "-t 1.5, aac into mp4"                        mp4 md5 -t 1.5 -c:v libx264 -qp 0 -preset ultrafast -c:a aac
    preline "input -t 2, pcm"                           mkv "-t 2" $PCM
    preline "input -ss 1 -t 1.5, -af atempo=0.8"        mkv "-ss 1 -t 1.5" -af atempo=0.8 $PCM
    preline "input -t 2, output -ss 0.5, vorbis"        mkv "-t 2" -ss 0.5 -c:v ffv1 -c:a libvorbis
    preline "-c:v copy, input -t 1.7, pcm"              mkv "-t 1.7" -c:v copy -c:a pcm_s16le
fi

if want gop; then
    G="-c:v libx264 -qp 0 -preset ultrafast -g 12 -keyint_min 12 -sc_threshold 0 -an"
    line "fixed GOP, -r 10 (frames dropped)"           mp4 md5,keys $G -r 10
    line "fixed GOP, -r 50 -vf hflip (frames repeated)" mp4 md5,keys $G -r 50 -vf hflip
    line "fixed GOP, -r 24"                            mp4 md5,keys $G -r 24
    line "fixed GOP, -vf fps=30"                       mp4 md5,keys $G -vf fps=30
    line "fixed GOP, -vf setpts=0.5*PTS"               mp4 md5,keys $G -vf setpts=0.5*PTS
    line "fixed GOP, -vf framerate=fps=50"             mkv md5,keys $G -vf framerate=fps=50
fi

if want fields; then
    # 2 s of 50 fields a second, top field first, coded interlaced.
    INTER=$W/inter.mp4
    $FF -f lavfi -i testsrc2=s=320x240:r=50:d=2 -f lavfi -i sine=d=2 -vf interlace=scan=tff,setfield=tff \
        -c:v libx264 -preset ultrafast -flags +ildct+ilme -g 12 -pix_fmt yuv420p -c:a aac "$INTER" &&
    $FF -f lavfi -i testsrc2=s=320x240:r=24000/1001:d=2 -vf telecine -c:v libx264 -preset ultrafast \
        -g 12 -pix_fmt yuv420p "$W/tele.mp4" ||
        { fail "fields input" "ffmpeg could not make the inputs"; finish; exit 1; }
    # fields FILE: the stream's field order and each frame's interlacing
    # (the frames' side data, x264's SEI at each chunk's start, left out).
    fields() {
        ffprobe -v error -select_streams v:0 -show_entries stream=field_order \
            -show_entries frame=interlaced_frame,top_field_first -of csv "$1" |
            awk -F, '$1 == "frame" { print $1, $2, $3 } $1 == "stream" { print $1, $2 }'
    }
    # fo_same NAME EXT: the last row's field order and frames' interlacing are ffmpeg's.
    fo_same() {
        local why
        why=$(same_lines <(fields "$W/f$ROW.$2") <(fields "$W/r$ROW.$2")) &&
            ok "$1: field order and interlaced frames" || fail "$1: field order and interlaced frames" "$why"
    }
    LINE_IN=$INTER
    line "interlaced, -vf hflip, ffv1 (tagged tb)"    mkv md5 -c:v ffv1 -vf hflip -an; fo_same "hflip, ffv1" mkv
    line "interlaced, libx264 without -flags"         mp4 md5 -c:v libx264 -qp 0 -preset ultrafast -an
    fo_same "libx264 without -flags" mp4
    line "interlaced, libx264 -flags +ildct+ilme"     mp4 md5 -c:v libx264 -qp 0 -preset ultrafast -flags +ildct+ilme -an
    fo_same "libx264 -flags +ildct+ilme" mp4
    line "interlaced, -vf yadif=1,scale=160:-2"       mkv md5 -c:v ffv1 -vf yadif=1,scale=160:-2 -an
    fo_same "yadif=1,scale" mkv
    line "interlaced, -vf fieldorder=bff"             mkv md5 -c:v ffv1 -vf fieldorder=bff -an
    fo_same "fieldorder=bff" mkv
    line "interlaced, select from 1 s (no frame in 16)" mkv md5 -c:v ffv1 -an -vf "select=gte(t\,1),setpts=PTS-STARTPTS"
    fo_same "select from 1 s" mkv
    line "interlaced, reverse -t 1"                   mkv md5 -c:v ffv1 -an -vf reverse -t 1
    fo_same "reverse" mkv
    LINE_IN=$W/tele.mp4
    line "telecined, fieldmatch,yadif,decimate"       mkv md5 -c:v ffv1 -vf fieldmatch,yadif=deint=interlaced,decimate
    fo_same "fieldmatch,yadif,decimate" mkv
    line "telecined, pullup,fps=24000/1001"           mkv md5 -c:v ffv1 -vf pullup,fps=24000/1001
    fo_same "pullup,fps" mkv
    unset LINE_IN
fi

if want outlimit; then
    line "-r 50 -ss 0.5 -t 2 (the last frame 1.98 s in)" mp4 md5 -c:v libx264 -qp 0 -preset ultrafast -an -r 50 -ss 0.5 -t 2
    line "-r 40 -ss 0.5 -t 1.99 to mkv"                 mkv md5 -c:v ffv1 -an -r 40 -ss 0.5 -t 1.99
    line "-r 30000/1001 -ss 0.5 -t 2, hflip"            mkv md5 -c:v ffv1 -an -r 30000/1001 -ss 0.5 -t 2 -vf hflip
    # An output -t ends the encoder's input, not the graph's: a filter
    # that looks ahead (yadif, atadenoise, deflicker) made its last frames
    # from the frames after the limit in ffmpeg's run, and from an end of
    # stream in render's (the last frame's pixels differed). An input -t
    # ends the graph's input too: there the end of stream is right.
    LINE_IN=$W/lookahead.mp4
    [ -s "$LINE_IN" ] || $FF -f lavfi -i testsrc2=s=320x240:r=50:d=3 -vf interlace=scan=tff,setfield=tff \
        -c:v libx264 -preset ultrafast -flags +ildct+ilme -g 12 -pix_fmt yuv420p "$LINE_IN"
    line "interlaced, -vf yadif -t 1.3"               mkv md5 -c:v ffv1 -vf yadif -t 1.3
    line "interlaced, -vf yadif -ss 0.7 -t 1.5"       mkv md5 -c:v ffv1 -vf yadif -ss 0.7 -t 1.5
    line "interlaced, -vf atadenoise -to 2"           mkv md5 -c:v ffv1 -vf atadenoise -to 2
    line "interlaced, -vf deflicker -t 1.9"           mkv md5 -c:v ffv1 -vf deflicker -t 1.9
    line "interlaced, -vf yadif -frames:v 20"         mkv md5 -c:v ffv1 -vf yadif -frames:v 20
    line "interlaced, -vf atadenoise -ss 0.5 -frames:v 30" mkv md5 -c:v ffv1 -vf atadenoise -ss 0.5 -frames:v 30
    # An AVI with packed B-frames has no frame times: the limit is a count.
    LINE_IN=$W/packed.avi
    $FF -f lavfi -i testsrc2=s=320x240:r=25:d=3 -c:v mpeg4 -bf 2 -q:v 3 "$LINE_IN"
    line "AVI with B-frames, -vf atadenoise -t 2"     mkv md5 -c:v ffv1 -vf atadenoise -t 2
    LINE_IN=$W/lookahead.mp4
    IN_SAVE=$IN; IN=$LINE_IN
    preline "interlaced, input -t 1.3, -vf yadif"     mkv "-t 1.3" -c:v ffv1 -vf yadif
    IN=$IN_SAVE; unset LINE_IN
    # A graph that ends before its input (an output -t through fps: a trim
    # after the graph) stops the reading there, as the CLI does (render
    # read to the end: 20 times the CLI's time for -t 1 on a 20 s clip).
    # The chunk's own CPU time for 1 s of output against 7 s of it.
    $FF -f lavfi -i testsrc2=s=640x360:r=25:d=8 -c:v libx264 -preset ultrafast -g 25 "$W/long.mp4"
    for t in 1 7; do
        "$RENDER" -q -y -w 2 -i "$W/long.mp4" -vf fps=10 -t $t -c:v rawvideo "$W/long$t.nut" --report "$W/long$t.json" </dev/null
    done
    cpu() { python3 -c 'import json,sys; print(sum(c["cpu_s"] for c in json.load(open(sys.argv[1]))["chunks_detail"]))' "$1"; }
    c1=$(cpu "$W/long1.json"); c7=$(cpu "$W/long7.json")
    check "-vf fps=10 -t 1 reads no further than it needs ($c1 s of CPU, -t 7: $c7 s)" "" \
        awk -v a="$c1" -v b="$c7" 'BEGIN { exit !(a > 0 && a < b * 0.5) }'
fi

if want demux; then
    # Options before -i that are the demuxer's, as ffmpeg passes them:
    # -framerate for an image sequence, -f rawvideo with -s/-video_size,
    # -pix_fmt/-pixel_format and -framerate, -fflags. render refused them.
    mkdir -p "$W/seq"
    $FF -f lavfi -i testsrc2=s=160x120:r=10:d=2 "$W/seq/img%03d.png" &&
    $FF -f lavfi -i testsrc2=s=160x120:r=25:d=2 -f rawvideo -pix_fmt yuv422p "$W/raw.yuv" ||
        { fail "demux inputs" "ffmpeg could not make them"; finish; exit 1; }
    # dline NAME PRE IN ARGS...: frames and times as ffmpeg's (-w 1..3 by row).
    dline() {
        local name=$1 pre=$2 in=$3 why
        shift 3
        pair "$name" mkv "$pre" "$in" "$@" || return
        why=$(same_lines <(v_md5 "$PAIR_F") <(v_md5 "$PAIR_R")) && ok "$name: frames (-w $PAIR_W)" ||
            fail "$name: frames (-w $PAIR_W)" "$why"
        why=$(same_times <(v_times "$PAIR_F") 0 <(v_times "$PAIR_R") 0 0.0005) && ok "$name: times" ||
            fail "$name: times" "$why"
    }
    dline "-framerate 10 -i img%03d.png"          "-framerate 10" "$W/seq/img%03d.png" -c:v ffv1
    dline "-framerate 10 -i img%03d.png -vf fps=25" "-framerate 10" "$W/seq/img%03d.png" -c:v ffv1 -vf fps=25
    dline "-start_number 5 -framerate 7 (a later first image)" "-start_number 5 -framerate 7" "$W/seq/img%03d.png" -c:v ffv1
    dline "-f rawvideo -video_size -pixel_format -framerate" "-f rawvideo -video_size 160x120 -pixel_format yuv422p -framerate 25" "$W/raw.yuv" -c:v ffv1
    dline "-f rawvideo -s -pix_fmt (ffmpeg's names)"  "-f rawvideo -s 160x120 -pix_fmt yuv422p" "$W/raw.yuv" -c:v ffv1 -vf hflip
    dline "-fflags +genpts"                           "-fflags +genpts" "$IN" -c:v ffv1 -an
    # An endless input (an image looped with -loop 1, a common way to make
    # a video of a still): the limit ends the reading. render's probe and
    # its tracks reader read it without end (and without bound in memory).
    $FF -f lavfi -i testsrc2=s=160x120 -frames:v 1 "$W/still.png"
    for pre_post in "-loop 1|-t 2" "-loop 1 -t 1.5|" "-loop 1|-frames:v 30" "-loop 1|-t 2 -vf fps=10" \
                    "-loop 1 -framerate 10|-frames:v 12 -r 25"; do
        pre=${pre_post%%|*} post=${pre_post#*|}
        ROW=$((ROW + 1)); w=$(( (ROW - 1) % 3 + 1 ))
        # shellcheck disable=SC2086
        $FF $pre -i "$W/still.png" $post -c:v ffv1 "$W/lf$ROW.mkv"
        # shellcheck disable=SC2086
        timeout -s KILL 60 "$RENDER" -q -y -w $w $pre -i "$W/still.png" $post -c:v ffv1 "$W/lr$ROW.mkv" </dev/null 2>"$W/lr.err"
        rc=$?
        why=$(same_lines <(v_md5 "$W/lf$ROW.mkv") <(v_md5 "$W/lr$ROW.mkv")) && [ $rc -eq 0 ] &&
            ok "still image, $pre -i ... $post: ends, the CLI's frames (-w $w)" ||
            fail "still image, $pre -i ... $post: ends, the CLI's frames (-w $w)" "exit $rc: $why $(head -c 200 "$W/lr.err")"
    done
    # No limit: endless, as ffmpeg; a SIGTERM still ends it at once.
    "$RENDER" -q -y -loop 1 -i "$W/still.png" -c:v ffv1 "$W/endless.mkv" </dev/null 2>/dev/null &
    pid=$!; sleep 1; kill -TERM $pid
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 $pid 2>/dev/null || break; sleep 0.3; done
    kill -0 $pid 2>/dev/null && { kill -KILL $pid; fail "endless input: SIGTERM ends it" "still running 3 s later"; } ||
        { wait $pid; rc=$?; check "endless input: SIGTERM ends it (exit $rc), nothing left" "$(has "$W")" \
            sh -c "[ $rc -eq 143 ] && ! ls '$W'/endless.mkv* >/dev/null 2>&1"; }

    # refused NAME EXIT ARGS...: render exits EXIT with one line naming why.
    drefused() {
        local name=$1 want=$2 rc
        shift 2
        "$RENDER" -q -y "$@" "$W/bad.mkv" </dev/null >/dev/null 2>"$W/bad.err"; rc=$?
        [ $rc -eq "$want" ] && [ "$(wc -l <"$W/bad.err")" -eq 1 ] && ok "$name: refused in one line (exit $rc)" ||
            fail "$name: refused in one line" "exit $rc: $(head -c 200 "$W/bad.err")"
    }
    drefused "-framerate on an MP4 (its demuxer has none: ffmpeg stops too)" 1 -framerate 10 -i "$IN" -c:v ffv1
    check "-framerate on an MP4: the line names the option and the demuxer" "$(cat "$W/bad.err")" \
        grep -q -- "-framerate before -i: the mov,mp4.* demuxer takes no such option" "$W/bad.err"
    drefused "-f rawvideo without a size"              1 -f rawvideo -i "$W/raw.yuv" -c:v ffv1
    drefused "-f mpegts on an MP4"                     1 -f mpegts -i "$IN" -c:v ffv1
    drefused "-f nosuch before -i"                     2 -f nosuch -i "$IN" -c:v ffv1
    drefused "-nosuchoption before -i"                 2 -nosuchoption 1 -i "$IN" -c:v ffv1
    drefused "-protocol_whitelist before -i (--protocols says that)" 2 -protocol_whitelist file,http -i "$IN" -c:v ffv1
fi

if want muxtb; then
    # Copied audio's times through ffmpeg's muxing time base: a stream that
    # had a packet queued before the header (which waits for the video
    # encoder) keeps the input's (Matroska's milliseconds: steps of 1014
    # and 1015 at 44.1 kHz); one whose first packet came after it gets the
    # output's (steps of 1024). render always gave 1024.
    $FF -f lavfi -i testsrc2=s=160x120:r=25:d=3 -f lavfi -i sine=d=3 -c:v libx264 -preset ultrafast \
        -c:a aac "$W/early.mkv" &&
    $FF -f lavfi -i testsrc2=s=160x120:r=25:d=3 -itsoffset 1 -f lavfi -i sine=d=2 -c:v libx264 \
        -preset ultrafast -c:a aac "$W/late.mkv" &&
    $FF -f lavfi -i testsrc2=s=160x120:r=25:d=3 -f lavfi -i sine=d=3 -c:v mjpeg -c:a aac "$W/intra.mkv" ||
        { fail "muxtb inputs" "ffmpeg could not make them"; finish; exit 1; }
    # mline NAME IN EXT ARGS...: every audio packet's pts, dts and duration as ffmpeg's.
    mline() {
        local name=$1 in=$2 ext=$3 why
        shift 3
        pair "$name" "$ext" "" "$in" "$@" || return
        why=$(same_lines <(apkts "$PAIR_F") <(apkts "$PAIR_R")) && ok "$name: audio packets (-w $PAIR_W)" ||
            fail "$name: audio packets (-w $PAIR_W)" "$why"
    }
    mline "mkv, audio first, copied into mov"     "$W/early.mkv" mov -c:v ffv1 -c:a copy
    mline "mkv, audio first, copied into nut"     "$W/early.mkv" nut -c:v ffv1 -c:a copy
    mline "mkv, audio 1 s late, copied into mov"  "$W/late.mkv"  mov -c:v ffv1 -c:a copy
    mline "mkv, output -ss 1, copied into mov"    "$W/early.mkv" mov -c:v ffv1 -c:a copy -ss 1
    mline "mkv mjpeg, -ss 0.5 -t 1, into mov"     "$W/intra.mkv" mov -c:v ffv1 -c:a copy -ss 0.5 -t 1
fi

if want approx; then
    "$RENDER" -y -w 2 --chunks 3 -i "$IN" -c:v ffv1 -an -vf hqdn3d,unsharp "$W/ap.mkv" </dev/null 2>"$W/ap.err"
    check "hqdn3d chunked: one line says it approximates" "$(head -c 300 "$W/ap.err")" \
        grep -q "note: filter 'hqdn3d' .*--exact" "$W/ap.err"
    $FF -i "$IN" -c:v ffv1 -an -vf hqdn3d,unsharp "$W/apf.mkv"
    "$RENDER" -q -y -w 2 --chunks 3 --exact -i "$IN" -c:v ffv1 -an -vf hqdn3d,unsharp "$W/apx.mkv" </dev/null
    why=$(same_lines <(v_md5 "$W/apf.mkv") <(v_md5 "$W/apx.mkv")) && ok "hqdn3d --exact: the CLI's frames" ||
        fail "hqdn3d --exact: the CLI's frames" "$why"
    "$RENDER" -y -w 2 --chunks 3 -i "$IN" -c:v ffv1 -an -vf hflip "$W/ap2.mkv" </dev/null 2>"$W/ap2.err"
    check "hflip: no such line" "$(cat "$W/ap2.err")" sh -c "! grep -q note: '$W/ap2.err'"
fi

finish
