#!/usr/bin/env bash
# e2e_ffcli14.sh - input -t and MPEG-TS seeks whose output differed from
# the stock CLI's, each against the CLI at -w 1 and 3:
#   - intrim: an input -t or -to (before -i) on a file whose audio starts
#     after the video (an MP4 with the audio 0.5 s late). The CLI trims each
#     encoded stream from its own first sample (its input trim filter has a
#     duration only): the audio runs 0.5 s past the video's cut. render
#     stopped reading at the video's cut and wrote 0.5 s less audio. A copy
#     stops at the cut, in both.
#   - tsstart: an input -ss into an MPEG-TS whose packets say a duration
#     their decode times do not step by (23.976 fps H.264 in 90 kHz ticks:
#     3753 against 3753.75; MPEG-2 coded at 12.5 fps with a 25 fps header).
#     Until its video decoder gives a picture the CLI takes every packet
#     more than 0.1 s before the seek point as a jump and moves the file's
#     offset by the difference: the audio one sample later, the video 40 ms
#     earlier. How many packets that is depends on the decoder's delay (its
#     frame threads); render reads it with the decoder the CLI opens.
#   - editseek: an input -ss into an MP4 cut without re-encoding (an edit
#     list hides the packets from the keyframe before the cut): the CLI's
#     seek lands on that hidden keyframe and its pictures are whole; render
#     refused, saying the CLI's decoder would show damaged pictures.
#   - avicopy: MP3 copied into AVI: the CLI drops the MP3's block_align
#     (1152) on a copy, and AVI's header counts the audio by it: render's
#     header said 41 frames and no duration where the CLI's says 231. And
#     a muxer's refusal met while writing the other tracks (packed B-frames
#     without times into Matroska) named the input and "Invalid argument":
#     it names OUTPUT and the muxer's reason.
#   - mapspec: -map by tag (0:m:language:fre, the line that picks a dub)
#     and by stream id (0:#0x101, 0:i:257, an MPEG-TS PID) was refused as
#     "not a stream specifier"; they select as ffmpeg's do, a tag map alone
#     writing no video as in the CLI.
#   - dupmap: one audio stream mapped twice (the line that keeps a 5.1 track
#     and adds a stereo one: -map 0:a:0 -map 0:a:0 -c:a:0 copy -c:a:1 aac
#     -ac:a:1 2) was refused, and -ac:a:N / -ar:a:N with it: each map is a
#     track of its own, -ac:a:N and -ar:a:N set one stream (the last given
#     winning), and a copy of a stream also decoded ends where the CLI's
#     does (its input time has moved to the packet's end).
#   - framesstop: -frames:v N with other streams. The CLI closes the file
#     when the video has N frames, having read the packets up to the one
#     whose sending made its decoder give the N-th picture: its reorder
#     delay plus one packet per frame thread (-threads before -i, auto =
#     cores + 1). render wrote the audio up to the picture's end, a packet
#     or two short; it now decodes as the CLI does to find that packet.
#     Encoded audio then ends with what the CLI's graph had ready: its
#     loop ends without flushing the graph, so a part frame that an
#     encoder of fixed frame size (ac3, aac, vorbis) waits for is left out.
#
#   RENDER=/abs/path/render bash tests/e2e_ffcli14.sh
# Sections (ONLY="..."): intrim, tsstart, editseek, avicopy, mapspec, dupmap, framesstop.
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
FF="ffmpeg -nostdin -v error -y"
$FF -f lavfi -i testsrc2=s=160x120:r=25:d=4 -itsoffset 0.5 -f lavfi -i sine=f=440:r=44100:d=3.5 \
    -c:v libx264 -g 25 -bf 2 -c:a aac "$W/late.mp4" &&
$FF -f lavfi -i testsrc2=s=160x120:r=24000/1001:d=6 -f lavfi -i sine=f=300:r=44100:d=6 \
    -c:v libx264 -g 24 -c:a aac -f mpegts "$W/film.ts" &&
$FF -f lavfi -i testsrc2=s=176x144:r=25:d=5 -f lavfi -i sine=f=500:r=48000:d=5 \
    -vf tinterlace=4,setfield=tff -r 25 -c:v mpeg2video -flags +ilme+ildct -b:v 1M -c:a ac3 "$W/half.ts" &&
$FF -f lavfi -i testsrc2=s=160x120:r=25:d=7 -f lavfi -i sine=f=700:d=7 -c:v libx264 -bf 2 -g 250 -c:a aac "$W/long.mp4" &&
$FF -ss 1.3 -i "$W/long.mp4" -t 5 -c copy "$W/cut.mp4" &&
$FF -f lavfi -i testsrc2=s=160x120:r=25:d=4 -f lavfi -i sine=d=4 -c:v mpeg4 -bf 2 -vtag DX50 -c:a libmp3lame \
    "$W/divx.avi" &&
$FF -f lavfi -i testsrc2=s=160x120:r=25:d=3 -f lavfi -i sine=f=300:d=3 -f lavfi -i sine=f=600:d=3 \
    -map 0 -map 1 -map 2 -c:v libx264 -c:a aac -metadata:s:a:0 language=eng -metadata:s:a:1 language=fre \
    "$W/dub.mkv" &&
$FF -f lavfi -i testsrc2=s=160x120:r=25:d=3 -f lavfi -i "sine=f=300:d=3,aformat=channel_layouts=5.1" \
    -c:v libx264 -c:a ac3 "$W/surround.mkv" ||
    { fail "inputs" "ffmpeg could not make the test clips"; finish; exit 1; }

# Every audio packet, its data included (PCM: the samples themselves).
a_data() { ffmpeg -nostdin -v error -i "$1" -map 0:a -c copy -f framemd5 - 2>/dev/null | grep -v '^#'; }

# tline NAME IN PRE ARGS...: `ffmpeg PRE -i IN ARGS OUT.mkv` and render's
# at -w 1 and 3: streams, frame times, decoded frames and audio packets.
tline() {
    local name=$1 in=$W/$2 pre=$3 w rc why ref=$W/$1.ref.mkv
    shift 3
    # shellcheck disable=SC2086
    $FF $pre -i "$in" "$@" "$ref" 2>"$W/f.err" || { fail "$name" "ffmpeg failed: $(head -c 200 "$W/f.err")"; return; }
    for w in 1 3; do
        local r=$W/$name.w$w.mkv
        rc=0
        # shellcheck disable=SC2086
        "$RENDER" -q -y -w $w --chunks $((w * 2 + 1)) $pre -i "$in" "$@" "$r" </dev/null 2>"$W/r.err" || rc=$?
        [ $rc -eq 0 ] || { fail "$name -w $w" "exit $rc: $(head -c 300 "$W/r.err")"; continue; }
        why=$(same_lines <(all_streams "$ref") <(all_streams "$r")) || { fail "$name -w $w: streams" "$why"; continue; }
        why=$(same_lines <(v_times "$ref") <(v_times "$r")) || { fail "$name -w $w: frame times" "$why"; continue; }
        why=$(same_lines <(v_md5 "$ref") <(v_md5 "$r")) || { fail "$name -w $w: frames" "$why"; continue; }
        why=$(same_lines <(a_data "$ref") <(a_data "$r")) || { fail "$name -w $w: audio packets" "$why"; continue; }
        ok "$name -w $w: the CLI's streams, frames and audio"
    done
}

if want intrim; then
    tline "-t before -i, audio late" late.mp4 "-t 2" -c:v ffv1 -c:a pcm_s16le
    tline "-t before -i, libvorbis" late.mp4 "-t 2" -c:v ffv1 -c:a libvorbis
    tline "-t before -i, -af atempo=1.5" late.mp4 "-t 2" -c:v ffv1 -af atempo=1.5 -c:a pcm_s16le
    tline "-to before -i" late.mp4 "-to 2.5" -c:v ffv1 -c:a pcm_s16le
    tline "-t before -i, -t after" late.mp4 "-t 2.5" -c:v ffv1 -t 1.5 -c:a pcm_s16le
    tline "-ss -t before -i" late.mp4 "-ss 0.3 -t 2" -c:v ffv1 -c:a pcm_s16le
    tline "-t before -i, audio copied" late.mp4 "-t 2" -c:v ffv1 -c:a copy
fi

if want tsstart; then
    tline "-ss 1, 23.976 fps TS" film.ts "-ss 1" -c:v ffv1 -c:a pcm_s16le
    tline "-ss 2.3, 23.976 fps TS" film.ts "-ss 2.3" -c:v ffv1 -c:a pcm_s16le
    tline "-ss 1, 23.976 fps TS, -t 2" film.ts "-ss 1 -t 2" -c:v ffv1 -c:a pcm_s16le
    tline "-ss 1, 12.5 fps MPEG-2 TS" half.ts "-ss 1" -c:v ffv1 -c:a pcm_s16le
    tline "-ss 1, 12.5 fps MPEG-2 TS, audio copied" half.ts "-ss 1" -c:v ffv1 -c:a copy
    tline "-ss 1, 12.5 fps MPEG-2 TS, -an" half.ts "-ss 1" -c:v ffv1 -an
    tline "-ss 1, 12.5 fps MPEG-2 TS, yadif" half.ts "-ss 1" -vf yadif -c:v ffv1 -c:a pcm_s16le
    tline "-ss 1, 12.5 fps MPEG-2 TS, one decoder thread" half.ts "-threads 1 -ss 1" -c:v ffv1 -c:a pcm_s16le
    tline "no -ss, 23.976 fps TS" film.ts "" -c:v ffv1 -c:a pcm_s16le
fi

if want editseek; then
    tline "-ss 1, MP4 cut by a copy" cut.mp4 "-ss 1" -c:v ffv1 -c:a pcm_s16le
    tline "-ss 3.3, MP4 cut by a copy" cut.mp4 "-ss 3.3" -c:v ffv1 -c:a copy
    tline "-ss 0.5, MP4 cut by a copy, yadif" cut.mp4 "-ss 0.5 -t 2" -vf yadif -c:v ffv1 -c:a pcm_s16le
fi

if want avicopy; then
    a_hdr() { ffprobe -v error -select_streams a -show_entries stream=codec_name,nb_frames,duration -of csv=p=0 "$1"; }
    for job in "-c:a copy -c:v mpeg4 -q:v 3|mp3 copied, video encoded" "-c copy|all copied"; do
        args=${job%%|*} what=${job#*|}
        # shellcheck disable=SC2086
        $FF -i "$W/divx.avi" $args "$W/ff.avi"
        for w in 1 3; do
            # shellcheck disable=SC2086
            rr "$W/rr" -y -w $w -i "$W/divx.avi" $args "$W/rd.avi"; rc=$?
            want_h=$(a_hdr "$W/ff.avi") got=$(a_hdr "$W/rd.avi" 2>/dev/null)
            [ $rc = 0 ] && [ -n "$want_h" ] && [ "$got" = "$want_h" ]
            verdict $? "avicopy: $what -w $w: the audio's frame count and duration in AVI's header" \
                "$(rr_why "$W/rr" $rc); CLI: $want_h render: $got"
        done
    done
    before=$(ls -a "$W" | grep -v '^rr\.' | tr '\n' ' ')
    rr "$W/rr" -q -y -i "$W/divx.avi" -c copy "$W/packed.mkv"; rc=$?
    [ $rc = 1 ] && [ "$(wc -l <"$W/rr.err")" = 1 ] && grep -q "packed.mkv: cannot write to it: .*timestamp" "$W/rr.err" &&
        [ "$(ls -a "$W" | grep -v '^rr\.' | tr '\n' ' ')" = "$before" ]
    verdict $? "avicopy: packed B-frames copied into Matroska: refused in one line naming OUTPUT and the muxer's reason" \
        "exit $rc: $(head -c 300 "$W/rr.err")"
fi

if want mapspec; then
    tline "-map 0:m:language:fre" dub.mkv "" -map 0:v -map 0:m:language:fre -c:v ffv1 -c:a pcm_s16le
    tline "-map 0:a:m:language:eng" dub.mkv "" -map 0:v -map 0:a:m:language:eng -c:v ffv1 -c:a copy
    tline "-map 0 -map -0:m:language:eng" dub.mkv "" -map 0 -map -0:m:language:eng -c:v ffv1 -c:a pcm_s16le
    tline "-map 0:m:language:fre alone" dub.mkv "" -map 0:m:language:fre -c:a pcm_s16le
    tline "-map 0:#0x100 -map 0:i:0x101" film.ts "" -map 0:#0x100 -map 0:i:0x101 -c:v ffv1 -c:a pcm_s16le
    rr "$W/rr" -q -y -i "$W/dub.mkv" -map 0:v -map 0:m:language:ger -c:v ffv1 "$W/none.mkv"; rc=$?
    [ $rc -ne 0 ] && [ "$(wc -l <"$W/rr.err")" = 1 ] && grep -q "0:m:language:ger matches no stream" "$W/rr.err"
    verdict $? "-map 0:m:language:ger (no such stream): refused in one line" "$(rr_why "$W/rr" $rc)"
fi

if want dupmap; then
    tline "5.1 kept, stereo added" surround.mkv "" -map 0:v -map 0:a -map 0:a -c:v ffv1 -c:a:0 copy -c:a:1 aac -ac:a:1 2
    tline "one track twice, -ac:a:1 -ar:a:0" late.mp4 "" -map 0:v -map 0:a -map 0:a -c:v ffv1 -c:a pcm_s16le \
        -ac:a:1 1 -ar:a:0 22050
    tline "-ac:a:1 1 -ac 2 (the last wins)" late.mp4 "" -map 0:v -map 0:a -map 0:a -c:v ffv1 -c:a pcm_s16le -ac:a:1 1 -ac 2
    tline "-map 0 -map 0:a" dub.mkv "" -map 0 -map 0:a -c:v ffv1 -c:a pcm_s16le
    tline "copy and encoded, -t 2" late.mp4 "" -t 2 -map 0:v -map 0:a -map 0:a -c:v ffv1 -c:a:0 copy -c:a:1 pcm_s16le
    tline "copy and encoded, video copied" surround.mkv "" -map 0:v -map 0:a -map 0:a -c:v copy -c:a:0 copy \
        -c:a:1 pcm_s16le -ac:a:1 2
    rr "$W/rr" -q -y -i "$W/late.mp4" -map 0:v -map 0:v -c:v ffv1 "$W/vv.mkv"; rc=$?
    [ $rc -ne 0 ] && [ "$(wc -l <"$W/rr.err")" = 1 ] && grep -q "mapped twice" "$W/rr.err" && [ ! -e "$W/vv.mkv" ]
    verdict $? "the rendered video mapped twice: refused in one line" "$(rr_why "$W/rr" $rc)"
fi

if want framesstop; then
    tline "-frames:v 30, audio copied" late.mp4 "" -frames:v 30 -c:v ffv1 -c:a copy
    tline "-threads 1, -frames:v 30" late.mp4 "-threads 1" -frames:v 30 -c:v ffv1 -c:a copy
    tline "-threads 2, -frames:v 31, audio encoded" late.mp4 "-threads 2" -frames:v 31 -c:v ffv1 -c:a pcm_s16le
    tline "-threads 4, -frames:v 29" late.mp4 "-threads 4" -frames:v 29 -c:v ffv1 -c:a copy
    tline "-frames:v 60, B-frames" long.mp4 "" -frames:v 60 -c:v ffv1 -c:a copy
    tline "-frames:v 40 from MPEG-TS" film.ts "" -frames:v 40 -c:v ffv1 -c:a copy
    # An encoder of fixed frame size: what the graph holds of a part frame
    # when the CLI closes the file is not encoded (after -ss the samples
    # no longer end on one).
    tline "-ss 1.3, -frames:v 40, ac3" long.mp4 "-ss 1.3" -frames:v 40 -c:v ffv1 -c:a ac3
    tline "-ss 0.7, -frames:v 33, libvorbis" long.mp4 "-ss 0.7" -frames:v 33 -c:v ffv1 -c:a libvorbis
    tline "-ss 2, -frames:v 30, aac, -af atempo" long.mp4 "-ss 2" -frames:v 30 -c:v ffv1 -af atempo=1.25 -c:a aac
    # -frames:v N with N the frames there are: the last pictures come from
    # the decoder's drain at the end of input. The CLI drains one stream at
    # a time in stream order and closes the file on the last picture: an
    # audio stream after the video's is not flushed, one before it is.
    $FF -i "$W/long.mp4" -map 0:a -map 0:v -c copy "$W/afirst.mp4"
    n=$(ffmpeg -nostdin -v error -ss 1.3 -i "$W/long.mp4" -an -f framemd5 - | grep -vc '^#')
    tline "-ss 1.3, -frames:v $n (all), ac3" long.mp4 "-ss 1.3" -frames:v "$n" -c:v ffv1 -c:a ac3
    tline "-ss 1.3, -frames:v $n (all), ac3, audio first" afirst.mp4 "-ss 1.3" -frames:v "$n" -c:v ffv1 -c:a ac3
fi

finish
