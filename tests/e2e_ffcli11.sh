#!/usr/bin/env bash
# e2e_ffcli11.sh - everyday command lines that gave other output than the
# ffmpeg CLI with exit 0, or were refused where the CLI writes a file,
# each against the stock CLI:
#   - drop: tblend, tlut2 and amplify never output the first frame they
#     see. Into MP4 (the frame sync of a constant-rate container, any input
#     with audio) the CLI then repeats the second frame at time 0; render
#     planned the sync on the input's times and wrote one frame fewer, all
#     of them a frame late.
#   - eof: where the graph's input ends decides how far fps= fills: the CLI
#     ends it at the last frame plus its packet's duration, or, with none
#     (VFR Matroska), a frame at the decoder's rate, or at the frame itself.
#     render took the gap to the frame before: fps=25 gave one frame more.
#   - nodefault: -map 0 of a file with subtitles into MP4 without -c:s:
#     the CLI stops (MP4 has no default subtitle encoder), render left the
#     subtitles out with exit 0. The same for audio into a format without
#     a default audio encoder (GIF).
#   - order: the graph's filters were made after the source and the sink,
#     and libavfilter places a pixel format conversion by the order filters
#     were made: `-vf thumbnail OUT.png` measured RGB frames where the CLI
#     measures YUV, and picked another frame. The CLI's order now.
#   - one: an image name without a number (OUT.png) was refused unless
#     -frames:v 1, where the CLI writes a graph's one picture (palettegen,
#     thumbnail). It is written now; a second frame stops the run (the CLI
#     writes the first and fails) and leaves no file. -update 1 (one file
#     written over at every picture: the last stays) was refused; it is the
#     CLI's file now, also when a later picture is smaller.
#
#   RENDER=/abs/path/render bash tests/e2e_ffcli11.sh
#   - complex: an audio branch in -filter_complex ([0:a]volume=0.5[a]) was
#     refused as "render writes one video"; it is filtered now
#     (e2e_ffcli13.sh abranch), and one left unmapped is named in one line.
# Sections (ONLY="..."): drop, eof, nodefault, order, one, complex.
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
IN=$W/in.mp4
FF=(ffmpeg -nostdin -v error)
av_clip "$IN" ||
    { fail "inputs" "ffmpeg could not make the test clip"; finish; exit 1; }

# same_run NAME OUT ARGS...: the CLI and render at -w 1, 2 and 3 with
# ARGS (after -i IN) into OUT's format: exit 0, and the same frames and
# frame times.
same_run() {
    local name=$1 out=$2 w rc why; shift 2
    "${FF[@]}" -y -i "$IN" "$@" "$W/ff.$out" || { fail "$name: the CLI runs it" ""; return; }
    v_frames "$W/ff.$out" "$W/ff"
    for w in 1 2 3; do
        rr "$W/rr" -y -i "$IN" -w $w --chunks $((w * 2)) "$@" "$W/rd.$out"; rc=$?
        if [ $rc != 0 ]; then fail "$name -w $w" "$(rr_why "$W/rr" $rc)"; continue; fi
        v_frames "$W/rd.$out" "$W/rd"
        why=$(same_lines "$W/ff.t" "$W/rd.t") &&
            why=$(same_lines "$W/ff.md5" "$W/rd.md5")
        check "$name -w $w: the CLI's frames and times" "$why" [ -z "$why" ]
    done
}

if want drop; then
    for g in tblend tlut2 amplify "tblend=all_mode=difference,scale=80:-2"; do
        same_run "$g into MOV (constant rate)" mov -vf "$g" -c:v ffv1 -an
    done
    same_run "tblend into MP4, with audio" mp4 -vf tblend -c:v libx264 -qp 0 -c:a copy
fi

if want eof; then
    # VFR Matroska without packet durations (no default duration: -r 1000
    # with -fps_mode vfr keeps the times); the last frame at 3.103 s, 52 ms
    # after the one before: fps=25 ends at tick 78 (3.103 s) in the CLI,
    # at 79 when the graph's input ends 52 ms later.
    VFR=$W/vfr.mkv
    "${FF[@]}" -f lavfi -i "testsrc2=s=160x120:r=25:d=3,settb=1/1000,setpts='(N/24+0.01*mod(N\,3))/TB'" \
        -c:v libx264 -bf 2 -r 1000 -fps_mode vfr "$VFR" ||
        { fail "eof: the VFR clip" ""; }
    check "eof: the clip has no packet durations" "" \
        [ "$(ffprobe -v error -select_streams v -show_entries packet=duration -of csv=p=0 "$VFR" | sort -u)" = "N/A" ]
    for g in fps=25 fps=10 fps=30,scale=80:-2; do
        "${FF[@]}" -y -i "$VFR" -vf "$g" -c:v ffv1 "$W/ff.mkv" && v_frames "$W/ff.mkv" "$W/ff"
        for w in 1 3; do
            rr "$W/rr" -y -i "$VFR" -w $w -vf "$g" -c:v ffv1 "$W/rd.mkv"; rc=$?
            if [ $rc != 0 ]; then fail "eof $g -w $w" "$(rr_why "$W/rr" $rc)"; continue; fi
            v_frames "$W/rd.mkv" "$W/rd"
            why=$(same_lines "$W/ff.t" "$W/rd.t") && why=$(same_lines "$W/ff.md5" "$W/rd.md5")
            check "eof: VFR Matroska -vf $g -w $w: the CLI's $(wc -l <"$W/ff.t") frames" "$why" [ -z "$why" ]
        done
    done
    # With packet durations (MP4) the last frame's own duration counts.
    same_run "eof: MP4 -vf fps=7" mkv -vf fps=7 -c:v ffv1 -an
fi

if want nodefault; then
    SUBS=$W/subs.mkv
    printf '1\n00:00:00,200 --> 00:00:01,500\nhello\n' >"$W/s.srt"
    "${FF[@]}" -i "$IN" -i "$W/s.srt" -map 0 -map 1 -c:v copy -c:a copy -c:s srt "$SUBS" ||
        fail "nodefault: the clip with subtitles" ""
    rm -f "$W/o.mp4"
    "${FF[@]}" -y -i "$SUBS" -map 0 -c:v libx264 -c:a aac "$W/ff.mp4" 2>/dev/null
    ffrc=$?
    rr "$W/rr" -i "$SUBS" -map 0 -c:v libx264 -c:a aac "$W/o.mp4"; rc=$?
    [ $rc = 1 ] && [ $ffrc != 0 ]
    verdict $? "nodefault: -map 0, a subtitle into MP4, no -c:s: exit 1 as the CLI ($ffrc)" \
        "$(rr_why "$W/rr" $rc)"
    [ "$(wc -l <"$W/rr.err")" = 1 ] && grep -q "stream 0:2 (subtitle subrip.*-c:s.*-sn" "$W/rr.err"
    verdict $? "nodefault: one line naming the stream and the way out" "$(cat "$W/rr.err")"
    check "nodefault: no output file" "$(ls "$W")" [ ! -e "$W/o.mp4" ]
    rr "$W/rr" -y -i "$SUBS" -map 0 -c:v libx264 -c:a aac -c:s mov_text "$W/o.mp4"; rc=$?
    [ $rc = 0 ] && [ "$(probe "$W/o.mp4" stream=codec_name -select_streams s)" = mov_text ]
    verdict $? "nodefault: with -c:s mov_text: the subtitle converted" "$(rr_why "$W/rr" $rc)"
    rr "$W/rr" -y -i "$SUBS" -map 0 -c:v libx264 -c:a aac -sn "$W/o.mp4"; rc=$?
    [ $rc = 0 ] && [ -z "$(probe "$W/o.mp4" stream=index -select_streams s)" ]
    verdict $? "nodefault: with -sn: no subtitle" "$(rr_why "$W/rr" $rc)"
    rr "$W/rr" -y -i "$SUBS" "$W/o.mp4"; rc=$?
    [ $rc = 0 ] && [ -z "$(probe "$W/o.mp4" stream=index -select_streams s)" ]
    verdict $? "nodefault: without -map, ffmpeg's selection leaves the subtitle out" "$(rr_why "$W/rr" $rc)"
    rr "$W/rr" -y -i "$IN" -map 0:v -map 0:a "$W/o.gif"; rc=$?
    [ $rc = 1 ] && grep -q "no default audio encoder.*-an" "$W/rr.err" && [ ! -e "$W/o.gif" ]
    verdict $? "nodefault: -map 0:a into GIF (no audio encoder): exit 1, one line" "$(rr_why "$W/rr" $rc)"
fi

if want order; then
    for g in thumbnail thumbnail=20 "thumbnail,hflip"; do
        "${FF[@]}" -y -i "$IN" -vf "$g" -frames:v 1 "$W/ff.png"
        rr "$W/rr" -y -i "$IN" -vf "$g" -frames:v 1 "$W/rd.png"; rc=$?
        check "order: -vf $g -frames:v 1 OUT.png: the CLI's file byte for byte" "$(rr_why "$W/rr" $rc)" \
            cmp -s "$W/ff.png" "$W/rd.png"
    done
    same_run "order: thumbnail into PNG in Matroska" mkv -vf thumbnail -c:v png -an
    same_run "order: -vf with labels on its ends" mkv -vf "[a]scale=80:60[b]" -c:v ffv1 -an
fi

if want one; then
    "${FF[@]}" -y -i "$IN" -vf palettegen "$W/ff.png"
    rm -f "$W/rd.png"
    rr "$W/rr" -i "$IN" -vf palettegen "$W/rd.png"; rc=$?
    check "one: -vf palettegen OUT.png: exit 0" "$(rr_why "$W/rr" $rc)" [ $rc = 0 ]
    check "one: the CLI's file byte for byte" "" cmp -s "$W/ff.png" "$W/rd.png"
    mkdir -p "$W/many"
    rr "$W/rr" -i "$IN" -w 2 "$W/many/m.png"; rc=$?
    check "one: many frames into one image name: exit 1" "$(rr_why "$W/rr" $rc)" [ $rc = 1 ]
    [ "$(wc -l <"$W/rr.err")" = 1 ] && grep -q "m.png: .*more than one frame.*%04d.*-frames:v 1" "$W/rr.err"
    verdict $? "one: one line saying how to name them" "$(cat "$W/rr.err")"
    check "one: nothing left in the directory" "$(ls -A "$W/many")" [ -z "$(ls -A "$W/many")" ]
    for w in 1 3; do
        "${FF[@]}" -y -i "$IN" -vf fps=4,fade=out:st=1.5:d=0.5 -update 1 "$W/ff.png"
        rr "$W/rr" -y -w $w -i "$IN" -vf fps=4,fade=out:st=1.5:d=0.5 -update 1 "$W/rd.png"; rc=$?
        check "one: -update 1 -w $w: the CLI's last picture byte for byte (smaller than the first)" \
            "$(rr_why "$W/rr" $rc)" cmp -s "$W/ff.png" "$W/rd.png"
    done
    rr "$W/rr" -y -i "$IN" -strftime 1 "$W/many/%Y.png"; rc=$?
    [ $rc != 0 ] && [ "$(wc -l <"$W/rr.err")" = 1 ] && [ -z "$(ls -A "$W/many")" ]
    verdict $? "one: -strftime refused in one line" "$(rr_why "$W/rr" $rc)"
    "${FF[@]}" -y -i "$IN" -ss 1 -frames:v 1 "$W/ff.jpg"
    rr "$W/rr" -y -i "$IN" -ss 1 -frames:v 1 "$W/rd.jpg"; rc=$?
    check "one: -ss 1 -frames:v 1 OUT.jpg still the CLI's file" "$(rr_why "$W/rr" $rc)" \
        cmp -s "$W/ff.jpg" "$W/rd.jpg"
fi

if want complex; then
    # Without a -map of [a] the unmapped output is named; with one, it is written.
    rr "$W/rr" -y -i "$IN" -filter_complex "[0:v]scale=80:-2[v];[0:a]volume=0.5[a]" -map "[v]" "$W/o.mp4"; rc=$?
    [ $rc = 2 ] && [ "$(wc -l <"$W/rr.err")" = 1 ] && grep -q "audio output \[a\] is not mapped" "$W/rr.err"
    verdict $? "complex: an audio branch not mapped: exit 2, one line naming it" "$(rr_why "$W/rr" $rc)"
    rr "$W/rr" -y -i "$IN" -filter_complex "[0:v]scale=80:-2[v];[0:a]volume=0.5[a]" -map "[v]" -map "[a]" \
        "$W/o.mp4"; rc=$?
    [ $rc = 0 ] && [ "$(ffprobe -v error -show_entries stream=codec_type -of csv=p=0 "$W/o.mp4" | tr '\n' ' ')" = "video audio " ]
    verdict $? "complex: an audio branch mapped: a video and an audio stream" "$(rr_why "$W/rr" $rc)"
    rr "$W/rr" -y -i "$IN" -filter_complex "[0:v]scale=80:-2[v]" -map "[v]" -map "[x]" "$W/o.mp4"; rc=$?
    [ $rc = 2 ] && [ "$(wc -l <"$W/rr.err")" = 1 ] &&
        grep -q -- "-map \[x\]: render maps one output of -filter_complex for the video (\[v\])" "$W/rr.err"
    verdict $? "complex: a second -map of the graph: exit 2, one line" "$(rr_why "$W/rr" $rc)"
fi

finish
