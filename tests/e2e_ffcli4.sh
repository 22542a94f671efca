#!/usr/bin/env bash
# e2e_ffcli4.sh - more everyday ffmpeg options in the ffmpeg form, each row
# run with the stock ffmpeg CLI and with render (-w 1, 2, 3 in turn; lib.sh
# `line`): the codec tag (-tag, -tag:v, -vtag, -atag) on encoded, copied and
# remuxed streams, and a tag the muxer refuses, refused by both; the frame
# sync (-fps_mode, -vsync) forced to passthrough, cfr or vfr into MP4 and
# Matroska, on a VFR input with a 5 s hole, with and without setpts=0.5*PTS
# (lib.sh `sync`: frame count, frame times, decoded frames); the audio
# encoder's sample format and channel layout (-sample_fmt, -ch_layout,
# -channel_layout, with -ac); bitstream filters (-bsf:v, -bsf:a, -bsf) on
# copied streams (every packet compared) and on encoded ones; -shortest on
# inputs whose audio, or video, is 1 s shorter (ffmpeg 5.1 ends every
# stream at the input's end: the output is the same as without it);
# -force_key_frames chapters[+-D] on an input with four chapters (keyframes,
# frames, decoded frames), with -ss before and after -i, -t, -map_chapters
# -1 and into MPEG-TS (no chapters written, ffmpeg's keyframes all the same);
# an output -t/-to through graphs that are not frame-local (select, setpts,
# fps, hqdn3d), after an output -ss and alone; -itsoffset before -i (frames,
# times, first packets, audio) and its combinations not made exact yet.
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
# A VFR file: 25 fps with a 5 s hole after 2 s.
HOLE="setpts='PTS+if(gte(N\,50)\,5/TB\,0)'"
$FF -f lavfi -i "testsrc2=s=160x120:r=25:d=4,$HOLE" -c:v libx264 -preset ultrafast -g 25 \
    -fps_mode passthrough "$W/hole.mp4" ||
    { fail "input" "ffmpeg could not make the VFR input"; finish; exit 1; }

# refused_line NAME EXIT ARGS...: render exits EXIT with one line on stderr.
refused_line() {
    local name=$1 want=$2 rc
    shift 2
    "$RENDER" -q "$@" </dev/null >/dev/null 2>"$W/bad.err"; rc=$?
    [ $rc -eq "$want" ] && [ "$(wc -l <"$W/bad.err")" -eq 1 ] && ok "$name: refused in one line" ||
        fail "$name: refused in one line" "exit $rc: $(head -c 200 "$W/bad.err")"
}

# pkts NAME EXT OPTIONS...: ffmpeg and render (-w 1..3 by row) write the
# same packets (stream, pts, dts, duration, flags, size) and streams.
pkts() {
    local name=$1 ext=$2 w why
    shift 2
    ROW=$((ROW + 1)); w=$(( (ROW - 1) % 3 + 1 ))
    local f=$W/f$ROW.$ext r=$W/r$ROW.$ext
    $FF -i "${LINE_IN:-$IN}" "$@" "$f" 2>"$W/f.err" || { fail "$name" "ffmpeg failed: $(head -c 200 "$W/f.err")"; return; }
    if ! "$RENDER" -q -w "$w" -i "${LINE_IN:-$IN}" "$@" "$r" </dev/null 2>"$W/r.err"; then
        fail "$name (-w $w)" "render failed: $(head -c 300 "$W/r.err")"; return
    fi
    why=$(same_lines <(ffprobe -v error -show_entries packet=stream_index,pts,dts,duration,flags,size -of csv "$f") \
                     <(ffprobe -v error -show_entries packet=stream_index,pts,dts,duration,flags,size -of csv "$r")) &&
        ok "$name: packets" || fail "$name: packets" "$why"
    why=$(same_lines <(streams "$f"; ffprobe -v error -show_entries stream=codec_tag_string,level,extradata_size -of csv "$f") \
                     <(streams "$r"; ffprobe -v error -show_entries stream=codec_tag_string,level,extradata_size -of csv "$r")) &&
        ok "$name: streams" || fail "$name: streams" "$why"
}

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
    refused_line "-tag:a:1" 2 -i "$IN" -tag:a:1 mp4a "$W/bad.mp4"
fi

if want audio; then
    line "-sample_fmt s32 -ch_layout mono, flac"      mkv md5,ctag -c:v ffv1 -c:a flac -sample_fmt s32 -ch_layout mono
    line "-ch_layout 5.1 with aac"                    mp4 ctag $LL -c:a aac -ch_layout 5.1
    line "-channel_layout FL+FR+LFE, remux video"     mkv ctag -c:v copy -c:a flac -channel_layout FL+FR+LFE
    line "-ac 6 (the encoder's first 6-channel layout)" mkv ctag -c:v copy -c:a libopus -ac 6
    line "-ac 1 -ch_layout stereo: the layout wins"   mkv ctag -c:v copy -c:a libvorbis -ac 1 -ch_layout stereo
    line "-sample_fmt:a s16 with ac3"                 mkv ctag -c:v copy -c:a ac3 -sample_fmt:a s16
    line "-sample_fmt s16 -ar 22050 -ch_layout 3c"   mkv ctag -c:v copy -c:a pcm_s16le -sample_fmt s16 -ar 22050 -ch_layout 3c
    refused_line "-sample_fmt nosuch" 2 -i "$IN" -sample_fmt nosuch "$W/bad.mkv"
    refused_line "-ch_layout 7.9" 2 -i "$IN" -ch_layout 7.9 "$W/bad.mkv"
    refused_line "-sample_fmt s16 with aac (the encoder refuses)" 1 -i "$IN" -c:a aac -sample_fmt s16 "$W/bad.mkv"
fi

if want bsf; then
    $FF -i "$IN" -c copy "$W/in.ts" || fail "bsf input" "ffmpeg could not make the TS"
    LINE_IN=$W/in.ts pkts "-c copy -bsf:a aac_adtstoasc (TS to MP4)"       mp4 -c copy -bsf:a aac_adtstoasc
    pkts "-c:v copy -bsf:v h264_mp4toannexb -f mpegts"                ts -c:v copy -bsf:v h264_mp4toannexb -an -f mpegts
    pkts "-c copy -bsf null,null (every stream)"                      mkv -c copy -bsf null,null
    pkts "-c:v copy -bsf:v h264_metadata=level=4.1 (remux)"          mp4 -c:v copy -bsf:v h264_metadata=level=4.1 -c:a copy
    pkts "-c:v copy -bsf:v h264_mp4toannexb,dump_extra -c:a aac"     ts -c:v copy -bsf:v h264_mp4toannexb,dump_extra -c:a aac
    line "-bsf:v h264_metadata=level=4.1 with libx264"                mp4 md5,ctag $LL -bsf:v h264_metadata=level=4.1 -c:a copy
    why=$(same_lines <(ffprobe -v error -show_entries stream=level -of csv "$W/f$ROW.mp4") \
                     <(ffprobe -v error -show_entries stream=level -of csv "$W/r$ROW.mp4")) &&
        ok "h264_metadata: the level ffmpeg writes" || fail "h264_metadata: the level" "$why"
    line "-bsf:v dump_extra, libx264 into TS"                         ts md5 $LL -bsf:v dump_extra -f mpegts
    line "-bsf:a aac_adtstoasc on encoded aac"                        mkv md5 -c:v ffv1 -c:a aac -bsf:a aac_adtstoasc
    line "-bsf:a h264_mp4toannexb: no such codec, both fail"          mp4 "" -c:v copy -c:a copy -bsf:a h264_mp4toannexb
    refused_line "-bsf:v nosuch" 2 -i "$IN" -bsf:v nosuch "$W/bad.mp4"
    refused_line "-bsf:a:1" 2 -i "$IN" -bsf:a:1 null "$W/bad.mp4"
fi

if want shortest; then
    $FF -f lavfi -i testsrc2=s=160x120:r=25:d=3 -f lavfi -i sine=f=440:r=48000:d=2 -c:v libx264 \
        -preset ultrafast -g 25 -pix_fmt yuv420p -c:a aac -ac 2 "$W/ashort.mp4" &&
    $FF -f lavfi -i testsrc2=s=160x120:r=25:d=2 -f lavfi -i sine=f=440:r=48000:d=3 -c:v libx264 \
        -preset ultrafast -g 25 -pix_fmt yuv420p -c:a aac -ac 2 "$W/vshort.mp4" ||
        fail "shortest inputs" "ffmpeg could not make them"
    LINE_IN=$W/ashort.mp4 line "audio 1 s shorter: -shortest -c:a copy"   mp4 md5 $LL -shortest -c:a copy
    LINE_IN=$W/vshort.mp4 line "video 1 s shorter: -shortest, aac to mkv" mkv md5 $LL -c:a aac -shortest
    for i in ashort vshort; do
        LINE_IN=$W/$i.mp4 pkts "$i: -c copy -shortest"          mkv -c copy -shortest
    done
    refused_line "-shortest -vf trim (ffmpeg's end: its threads)" 2 -i "$W/vshort.mp4" -vf trim=end=1 -shortest "$W/bad.mp4"
    refused_line "-shortest -af atrim" 2 -i "$W/vshort.mp4" -af atrim=end=1 -shortest "$W/bad.mp4"
fi

if want chapters; then
    printf ';FFMETADATA1\n' >"$W/ch.txt"
    for c in 0:1300 1300:2710 2710:4000 3050:4000; do
        printf '[CHAPTER]\nTIMEBASE=1/1000\nSTART=%s\nEND=%s\n' "${c%:*}" "${c#*:}" >>"$W/ch.txt"
    done
    $FF -f lavfi -i testsrc2=s=160x120:r=25:d=4 -f lavfi -i sine=d=4 -i "$W/ch.txt" -map 0 -map 1 \
        -map_metadata 2 -c:v libx264 -preset ultrafast -g 250 -c:a aac "$W/chap.mp4" ||
        fail "chapters input" "ffmpeg could not make it"
    export LINE_IN=$W/chap.mp4
    line "-force_key_frames chapters"                   mkv md5,keys $LL -g 250 -force_key_frames chapters
    line "-force_key_frames chapters-0.1"               mp4 md5,keys $LL -g 250 -force_key_frames chapters-0.1
    line "-force_key_frames 0.5,chapters+0.05"          mkv md5,keys $LL -g 250 -force_key_frames 0.5,chapters+0.05
    line "chapters after an output -ss 1"               mkv md5,keys $LL -g 250 -ss 1 -force_key_frames chapters
    line "chapters, -t 3 (the last ones left out)"      mp4 md5,keys $LL -g 250 -t 3 -force_key_frames chapters
    line "chapters, -map_chapters -1: none"             mkv md5,keys $LL -g 250 -map_chapters -1 -force_key_frames chapters
    line "chapters into MPEG-TS (not written, used)"    ts md5,keys $LL -g 250 -force_key_frames chapters -f mpegts
    unset LINE_IN
    for pre in "-ss 1.1" "-ss 0.5 -t 3"; do
        ROW=$((ROW + 1)); w=$(( (ROW - 1) % 3 + 1 ))
        $FF $pre -i "$W/chap.mp4" $LL -g 250 -force_key_frames chapters "$W/f$ROW.mkv" &&
            "$RENDER" -q -w $w --chunks $((w * 2)) $pre -i "$W/chap.mp4" $LL -g 250 -force_key_frames chapters \
                "$W/r$ROW.mkv" </dev/null 2>"$W/r.err" || { fail "$pre -i: chapters" "$(head -c 200 "$W/r.err")"; continue; }
        why=$(same_lines <(keys "$W/f$ROW.mkv") <(keys "$W/r$ROW.mkv")) && ok "$pre before -i: chapters' keyframes (-w $w)" ||
            fail "$pre before -i: chapters' keyframes" "$why"
    done
fi

if want sync; then
    for e in mp4 mkv; do
        for m in passthrough cfr vfr auto; do
            sync "hole to $e, -fps_mode $m"                 hole.mp4 $e $LL -fps_mode $m
        done
        for m in cfr vfr auto; do
            sync "hole to $e, setpts=0.5*PTS, -fps_mode $m" hole.mp4 $e $LL -vf setpts=0.5*PTS -fps_mode $m
        done
        sync "hole to $e, setpts=2*PTS, passthrough"        hole.mp4 $e $LL -vf setpts=2*PTS -fps_mode passthrough
    done
    sync "-vsync 2 (vfr) to mp4"                            hole.mp4 mp4 $LL -vsync 2
    sync "-vsync cfr before -i, to mkv"                     hole.mp4 mkv -vsync cfr $LL
    sync "-fps_mode vfr wins over a later -vsync cfr"       hole.mp4 mp4 $LL -fps_mode vfr -vsync cfr
    # Two frames on one tick: ffmpeg writes both and its muxer shifts one
    # (0.04 and 0.040078 s in MP4); render says so and stops.
    refused_line "passthrough, two frames on one tick" 1 -i "$W/hole.mp4" $LL -vf setpts=0.5*PTS \
        -fps_mode passthrough "$W/bad.mkv"
    refused_line "-fps_mode drop" 2 -i "$W/hole.mp4" -fps_mode drop "$W/bad.mkv"
    refused_line "-vsync auto (ffmpeg: not a number)" 2 -i "$W/hole.mp4" -vsync auto "$W/bad.mkv"
    refused_line "-fps_mode 1 (ffmpeg: names only)" 2 -i "$W/hole.mp4" -fps_mode 1 "$W/bad.mkv"
fi

if want outlimit; then
    # An output -t/-to through a graph that retimes, drops or looks back:
    # the graph runs from the input's start, ffmpeg's output trim ends it
    # and the frame sync stops at the first tick at or past -t.
    $FF -f lavfi -i testsrc2=s=160x120:r=25:d=4 -f lavfi -i sine=f=440:r=48000:d=4 -c:v libx264 \
        -preset ultrafast -g 25 -pix_fmt yuv420p -c:a aac -ac 2 "$W/four.mp4" ||
        fail "outlimit input" "ffmpeg could not make it"
    export LINE_IN=$W/four.mp4
    line "-ss 1.3 -t 1, select every 3rd (25 frames)"  mp4 md5 -ss 1.3 -t 1 -vf "select=not(mod(n\,3))" $LL
    line "-ss 1.3 -t 1, select every 3rd to mkv"      mkv md5 -ss 1.3 -t 1 -vf "select=not(mod(n\,3))" -c:v ffv1
    line "-ss 1.3 -t 1, setpts=2*PTS"                 mkv md5 -ss 1.3 -t 1 -vf setpts=2*PTS -c:v ffv1
    line "-ss 0.5 -to 2.1, fps=10"                    mp4 md5 -ss 0.5 -to 2.1 -vf fps=10 $LL
    line "-ss 1.02 -t 1.5, hqdn3d"                    mp4 md5 -ss 1.02 -t 1.5 -vf hqdn3d $LL
    # -t alone: the input read past it where the graph needs more.
    line "-t 1.1, setpts=0.5*PTS"                     mp4 md5 -t 1.1 -vf setpts=0.5*PTS $LL
    line "-t 1.1, setpts=2*PTS"                       mkv md5 -t 1.1 -vf setpts=2*PTS -c:v ffv1
    line "-to 2.1, select every 3rd"                  mp4 md5 -to 2.1 -vf "select=not(mod(n\,3))" $LL
    unset LINE_IN
    LINE_IN=$W/hole.mp4 line "hole, -t 3, setpts=0.5*PTS (cfr copies end at -t)" mp4 md5 -t 3 -vf setpts=0.5*PTS $LL
    LINE_IN=$W/hole.mp4 line "hole, -ss 1 -t 4, setpts=2*PTS to mkv"  mkv md5 -ss 1 -t 4 -vf setpts=2*PTS -c:v ffv1
fi

if want itsoffset; then
    # -itsoffset T before -i: every stream T later. MP4 (cfr) gets the
    # first frame copied from 0, Matroska (vfr) starts it on its tick;
    # audio and video packets start where ffmpeg's do (first of each).
    first_pkts() {
        ffprobe -v error -show_entries packet=stream_index,pts_time -of csv=p=0 "$1" | sort -t, -k1,1 -s -u
    }
    itso() {
        local name=$1 ext=$2 off=$3 w why
        shift 3
        ROW=$((ROW + 1)); w=$(( (ROW - 1) % 3 + 1 ))
        local f=$W/f$ROW.$ext r=$W/r$ROW.$ext
        $FF -itsoffset "$off" -i "$IN" "$@" "$f" &&
            "$RENDER" -q -w $w --chunks $((w * 2)) -itsoffset "$off" -i "$IN" "$@" "$r" </dev/null 2>"$W/r.err" ||
            { fail "$name" "$(head -c 200 "$W/r.err")"; return; }
        why=$(same_lines <(v_times "$f"; v_md5 "$f") <(v_times "$r"; v_md5 "$r")) &&
            ok "$name: frames, times, decoded frames (-w $w)" || fail "$name: frames (-w $w)" "$why"
        why=$(same_lines <(first_pkts "$f"; streams "$f") <(first_pkts "$r"; streams "$r")) &&
            ok "$name: first packets, streams" || fail "$name: first packets, streams" "$why"
        near "$(a_dur "$f")" "$(a_dur "$r")" 0.025 && ok "$name: audio duration" ||
            fail "$name: audio duration" "ffmpeg $(a_dur "$f") s, render $(a_dur "$r") s"
    }
    for e in mp4 mkv; do
        itso "-itsoffset 1.5 to $e"             $e 1.5  $LL
        itso "-itsoffset 0.37 to $e, -c:a copy" $e 0.37 $LL -c:a copy
    done
    itso "-itsoffset 1.5, ffv1 and flac to mkv"  mkv 1.5 -c:v ffv1 -c:a flac
    for o in "-vf setpts=0.5*PTS" "-c copy" "-c:v copy" "-ss 0.5" "-t 1" "-frames:v 5" "-r 10"; do
        # shellcheck disable=SC2086
        refused_line "-itsoffset 1, $o" 2 -itsoffset 1 -i "$IN" $o "$W/bad.mp4"
    done
    refused_line "-itsoffset -0.5" 2 -itsoffset -0.5 -i "$IN" "$W/bad.mp4"
    refused_line "-itsoffset x" 2 -itsoffset x -i "$IN" "$W/bad.mp4"
fi

finish
