#!/usr/bin/env bash
# e2e_ffcli12.sh - everyday command lines that failed or were refused in
# words that did not say why, each against the stock CLI:
#   - y4m: `-i IN OUT.y4m` (yuv4mpegpipe, whose default encoder is
#     wrapped_avframe: a pointer to the picture, not its bytes) stopped with
#     "Invalid argument": the chunks emptied those packets, as is right only
#     for -f null. The picture now travels as bytes (rawpic.h) and is the
#     CLI's file byte for byte, also with --resume's journal; -f null still
#     holds no picture.
#   - map2: `-i a.mp4 -i b.mp3 -map 0:v -map 1:a` was refused as "not a
#     stream specifier of input 0"; the line now says that render takes
#     streams from its first input only.
#   - queues: -thread_queue_size, -max_muxing_queue_size (in many pasted
#     lines), -muxing_queue_data_threshold and -stats_period were refused
#     as unknown; they size the CLI's own queues and progress lines, so
#     they are checked as the CLI checks them and change nothing.
#   - cover: `-map 0` of a file with a cover picture (an attached PNG):
#     the CLI encodes the picture with the video encoder as a second,
#     one-frame video (Matroska) or fails (MP4, MOV); render copied it as
#     cover art (or left it out of MOV) with exit 0. Refused in one line
#     now; -map 0:V leaves it out and gives the CLI's file.
#   - subs: -c:s srt of a SubRip stream (or ass of an ASS one) was a copy:
#     the CLI decodes and encodes it (CRLF line ends, the ENCODER tag).
#     After an output -ss the subtitle decoder did not see the cues
#     before the start, whose count the CLI's ASS lines carry (ReadOrder).
#   - audio: an input without video (a song) stopped with "no video
#     stream"; the CLI writes its other streams alone: the one pass of -vn
#     now, the CLI's packets; a video option is refused in one line.
#   - rate: -r before -i (`-r 10 -i frame%03d.png`, in many answers) was
#     refused; for an image sequence or one picture it numbers the frames
#     from 0 at that rate as -framerate does: the CLI's frames. Other
#     inputs, and an output -r beside it, are refused in one line.
#   - fifo: the ffmpeg form opens the input while it reads the line (is
#     there a video? an image sequence?): a FIFO must not be opened there
#     (the open waits for a writer): refused at once in one line, as the
#     render form refuses it.
#
#   RENDER=/abs/path/render bash tests/e2e_ffcli12.sh
# Sections (ONLY="..."): y4m, map2, queues, cover, subs, audio, rate, fifo.
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
IN=$W/in.mp4
FF=(ffmpeg -nostdin -v error)
av_clip "$IN" && "${FF[@]}" -f lavfi -i sine=f=440:d=2 "$W/a.mp3" ||
    { fail "inputs" "ffmpeg could not make the test clips"; finish; exit 1; }

if want y4m; then
    "${FF[@]}" -y -i "$IN" "$W/ff.y4m"
    "${FF[@]}" -y -i "$IN" -vf scale=80:-2,format=yuv444p "$W/ff2.y4m"
    for w in 1 2 3; do
        rr "$W/rr" -y -w $w --chunks $((w * 2)) -i "$IN" "$W/rd.y4m"; rc=$?
        check "y4m -w $w: the CLI's file byte for byte" "$(rr_why "$W/rr" $rc)" cmp -s "$W/ff.y4m" "$W/rd.y4m"
        rr "$W/rr" -y -w $w -i "$IN" -vf scale=80:-2,format=yuv444p "$W/rd2.y4m"; rc=$?
        check "y4m -w $w: after a graph, 4:4:4: the CLI's file" "$(rr_why "$W/rr" $rc)" \
            cmp -s "$W/ff2.y4m" "$W/rd2.y4m"
    done
    rr "$W/rr" -y -w 2 --resume -i "$IN" "$W/rs.y4m"; rc=$?
    check "y4m --resume: the CLI's file, no journal left" "$(rr_why "$W/rr" $rc) $(has "$W")" \
        cmp -s "$W/ff.y4m" "$W/rs.y4m" && [ -z "$(ls -A "$W" | grep -v '^\(in.mp4\|a.mp3\|ff.*\|rd.*\|rs.y4m\|rr\..*\)$')" ]
    rr "$W/rr" -y -w 2 -i "$IN" -f null -; rc=$?
    check "y4m: -f null - still runs" "$(rr_why "$W/rr" $rc)" [ $rc = 0 ]
fi

if want map2; then
    for m in 1:a 1 "1:a?"; do
        rr "$W/rr" -y -i "$IN" -i "$W/a.mp3" -map 0:v -map "$m" "$W/o.mp4"; rc=$?
        [ $rc = 2 ] && [ "$(wc -l <"$W/rr.err")" = 1 ] && grep -q "first input only" "$W/rr.err" &&
            [ ! -e "$W/o.mp4" ]
        verdict $? "map2: -map $m: exit 2, one line: streams of the first input only" "$(rr_why "$W/rr" $rc)"
    done
fi

if want queues; then
    "${FF[@]}" -y -i "$IN" -c:v ffv1 -c:a flac "$W/ffq.mkv"
    v_frames "$W/ffq.mkv" "$W/ffq"
    rr "$W/rr" -y -w 2 -thread_queue_size 512 -i "$IN" -max_muxing_queue_size 1024 \
        -muxing_queue_data_threshold 0 -stats_period 0.5 -c:v ffv1 -c:a flac "$W/rdq.mkv"; rc=$?
    v_frames "$W/rdq.mkv" "$W/rdq" 2>/dev/null
    [ $rc = 0 ] && same_lines "$W/ffq.md5" "$W/rdq.md5" >/dev/null &&
        same_lines "$W/ffq.t" "$W/rdq.t" >/dev/null
    verdict $? "queues: accepted, the CLI's frames and times" "$(rr_why "$W/rr" $rc)"
    for a in "-max_muxing_queue_size x" "-stats_period -1"; do
        rr "$W/rr" -y -i "$IN" $a "$W/o.mkv"; rc=$?
        [ $rc = 2 ] && [ "$(wc -l <"$W/rr.err")" = 1 ] && grep -q -- "${a% *}" "$W/rr.err"
        verdict $? "queues: $a: exit 2, one line naming it" "$(rr_why "$W/rr" $rc)"
    done
fi

if want cover; then
    "${FF[@]}" -i "$IN" -f lavfi -i color=c=red:s=32x32:d=0.04 -map 0 -map 1 -c copy -c:v:1 png \
        -disposition:v:1 attached_pic "$W/cover.mp4" ||
        { fail "cover: input" "ffmpeg could not make it"; finish; exit 1; }
    for ext in mkv mp4 mov; do
        rr "$W/rr" -y -w 2 -i "$W/cover.mp4" -map 0 "$W/cv.$ext"; rc=$?
        [ $rc = 1 ] && [ "$(wc -l <"$W/rr.err")" = 1 ] &&
            grep -q "stream 0:2 .*cover picture.*-map 0:V" "$W/rr.err" && [ ! -e "$W/cv.$ext" ]
        verdict $? "cover: -map 0 into .$ext: exit 1, one line naming the picture, no output" \
            "$(rr_why "$W/rr" $rc)"
    done
    "${FF[@]}" -y -i "$W/cover.mp4" -map 0:V -map 0:a -c:v ffv1 "$W/ffc.mkv"
    rr "$W/rr" -y -w 2 -i "$W/cover.mp4" -map 0:V -map 0:a -c:v ffv1 "$W/rdc.mkv"; rc=$?
    v_frames "$W/ffc.mkv" "$W/ffc"; v_frames "$W/rdc.mkv" "$W/rdc" 2>/dev/null
    [ $rc = 0 ] && [ "$(streams "$W/ffc.mkv")" = "$(streams "$W/rdc.mkv")" ] &&
        same_lines "$W/ffc.md5" "$W/rdc.md5" >/dev/null
    verdict $? "cover: -map 0:V -map 0:a: the CLI's streams and frames" "$(rr_why "$W/rr" $rc)"
fi

# sub_pkts FILE: every subtitle packet's stream, time, duration and bytes
sub_pkts() {
    ffprobe -v error -select_streams s -show_entries packet=stream_index,pts_time,duration_time,data \
        -show_data -of compact "$1"
}

if want subs; then
    printf '1\n00:00:00,200 --> 00:00:00,900\nHello there\n\n2\n00:00:01,100 --> 00:00:01,800\nSecond line\nin two rows\n\n' \
        >"$W/s.srt"
    "${FF[@]}" -i "$IN" -i "$W/s.srt" -map 0 -map 1 -c copy "$W/subs.mkv" ||
        { fail "subs: input" "ffmpeg could not make it"; finish; exit 1; }
    for args in "-c:s srt" "-ss 0.5 -c:s ass" "-ss 0.5 -t 1 -c:s ass" "-c:s webvtt"; do
        # shellcheck disable=SC2086
        "${FF[@]}" -y -i "$W/subs.mkv" -map 0 -c:v ffv1 -c:a copy $args "$W/ffs.mkv"
        # shellcheck disable=SC2086
        rr "$W/rr" -y -w 2 -i "$W/subs.mkv" -map 0 -c:v ffv1 -c:a copy $args "$W/rds.mkv"; rc=$?
        [ $rc = 0 ] && [ "$(sub_pkts "$W/ffs.mkv")" = "$(sub_pkts "$W/rds.mkv")" ] &&
            [ "$(ffprobe -v error -select_streams s -show_entries stream_tags -of compact "$W/ffs.mkv")" = \
              "$(ffprobe -v error -select_streams s -show_entries stream_tags -of compact "$W/rds.mkv")" ]
        verdict $? "subs: $args: the CLI's subtitle packets and tags" "$(rr_why "$W/rr" $rc)"
    done
fi

# pkts FILE: every packet's stream, times and bytes, with the streams' codecs and tags
pkts() {
    ffprobe -v error -show_entries packet=stream_index,pts,duration,data_hash:stream=codec_name:stream_tags \
        -show_data_hash md5 -of csv "$1"
}

if want audio; then
    "${FF[@]}" -y -i "$IN" -vn -c:a copy "$W/song.m4a"
    for o in mp4 mp3 mkv; do
        "${FF[@]}" -y -i "$W/song.m4a" "$W/ffa.$o"
        rr "$W/rr" -y -w 2 -i "$W/song.m4a" "$W/rda.$o"; rc=$?
        [ $rc = 0 ] && [ "$(pkts "$W/ffa.$o")" = "$(pkts "$W/rda.$o")" ]
        verdict $? "audio: a song into .$o: the CLI's packets" "$(rr_why "$W/rr" $rc)"
    done
    rr "$W/rr" -y -i "$W/song.m4a" -vf hflip "$W/rdv.mp4"; rc=$?
    [ $rc = 2 ] && [ "$(wc -l <"$W/rr.err")" = 1 ] && grep -q "song.m4a has no video stream" "$W/rr.err" &&
        [ ! -e "$W/rdv.mp4" ]
    verdict $? "audio: -vf with a song: exit 2, one line" "$(rr_why "$W/rr" $rc)"
fi

if want rate; then
    mkdir -p "$W/seq"
    "${FF[@]}" -i "$IN" -vf fps=5 -frames:v 8 "$W/seq/f%03d.png"
    for args in "-r 10 -i $W/seq/f%03d.png" "-r 30000/1001 -i $W/seq/f%03d.png -vf fps=25" \
                "-loop 1 -t 1 -r 7 -i $W/seq/f001.png"; do
        # shellcheck disable=SC2086
        "${FF[@]}" -y $args -c:v libx264 -qp 0 -pix_fmt yuv420p "$W/ffr.mp4"
        v_frames "$W/ffr.mp4" "$W/ffr"
        # shellcheck disable=SC2086
        rr "$W/rr" -y -w 2 $args -c:v libx264 -qp 0 -pix_fmt yuv420p "$W/rdr.mp4"; rc=$?
        v_frames "$W/rdr.mp4" "$W/rdr" 2>/dev/null
        [ $rc = 0 ] && [ -s "$W/ffr.t" ] && same_lines "$W/ffr.t" "$W/rdr.t" >/dev/null &&
            same_lines "$W/ffr.md5" "$W/rdr.md5" >/dev/null
        verdict $? "rate: $(echo "$args" | sed "s|$W/||g"): the CLI's frames and times" "$(rr_why "$W/rr" $rc)"
    done
    for args in "-r 10 -i $IN" "-r 5 -i $W/seq/f%03d.png -r 25"; do
        # shellcheck disable=SC2086
        rr "$W/rr" -y $args "$W/rdx.mp4"; rc=$?
        [ $rc = 2 ] && [ "$(wc -l <"$W/rr.err")" = 1 ] && grep -q "^render: -r [0-9]* before -i" "$W/rr.err" &&
            [ ! -e "$W/rdx.mp4" ]
        verdict $? "rate: $(echo "$args" | sed "s|$W/||g"): refused in one line" "$(rr_why "$W/rr" $rc)"
    done
fi

if want fifo; then
    mkfifo "$W/in.fifo"
    for args in "-i $W/in.fifo" "-i $W/in.fifo -map 0:1" "-r 5 -i $W/in.fifo"; do
        t0=$(date +%s%N)
        # shellcheck disable=SC2086
        rc=0; timeout 20 "$RENDER" -y $args "$W/f.mp4" </dev/null >"$W/rr.out" 2>"$W/rr.err" || rc=$?
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        [ $rc = 1 ] && [ $ms -lt 5000 ] && [ "$(wc -l <"$W/rr.err")" = 1 ] && grep -q "a FIFO or pipe" "$W/rr.err" &&
            [ ! -e "$W/f.mp4" ]
        verdict $? "fifo: $(echo "$args" | sed "s|$W/||g"): exit 1 at once, one line" "$(rr_why "$W/rr" $rc) in $ms ms"
    done
    rm -f "$W/in.fifo"
fi

finish
