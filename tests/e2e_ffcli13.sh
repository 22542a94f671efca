#!/usr/bin/env bash
# e2e_ffcli13.sh - everyday command lines whose output differed from the
# stock CLI's in what players show, each against the CLI:
#   - durations: a graph that retimes (setpts=0.5*PTS, setpts=2*PTS,
#     select, fps on an input that starts at 3.2 s) into Matroska: the
#     last packet of each chunk lasted until the chunk's end in input time,
#     and Matroska writes the largest packet end as the stream's DURATION
#     tag and the file's duration (4.3 s where the CLI writes 3.07). Both
#     are the CLI's now, at several worker counts.
#   - grid: x264 at 30 fps into FLV or Matroska (1 ms time base) after
#     setpts=0.5*PTS: the two decode times before the first frame were
#     counted back as 2 x 33 ms where the CLI rescales 2/30 s (67 ms), so
#     after the muxer's shift every time was 1 ms early. The frames' times
#     and the first decode times are the CLI's now.
#   - abranch: an audio branch in -filter_complex ("[0:v]setpts=0.5*PTS[v];
#     [0:a]atempo=2[a]" -map "[v]" -map "[a]", the line for a faster
#     clip) was refused; it is filtered once as -af is, from the stream its
#     label names, and mapped where -map "[a]" stands: the CLI's frames,
#     audio packets, tags and dispositions (a stream from a graph takes
#     none of its input's). What does not fit is refused in one line: a
#     part of the graph that takes both, -af beside it, other audio mapped,
#     its output not mapped, -c:a copy; and -af with -c:a copy, which
#     render ignored with exit 0 (the CLI refuses it).
#   - afx: the audio's graph (-af, the branch) went unchecked by the filter
#     table's side effects: amovie=http://... opened a connection, ladspa
#     loaded a plugin, ametadata=file= wrote its file in place. It is checked
#     as the video's graph is (--protocols, --allow-filter, a written file
#     under a temporary name renamed at the end, -y), chunked or remuxed.
#   - perstream: -c:a:0 aac with two audio streams encoded both with aac
#     (the CLI gives the second the container's default), -b:a:0 set both,
#     -c:a:1 was refused: -c:a:N, -c:s:N and -b:a:N name one stream now,
#     the last given winning as in ffmpeg (-ac:a:N and -ar:a:N too,
#     tests/e2e_ffcli14.sh); -sample_fmt:a:0 with several audio streams
#     is refused in one line (render's is every stream's).
#
#   RENDER=/abs/path/render bash tests/e2e_ffcli13.sh
# Sections (ONLY="..."): durations, grid, abranch, afx, perstream.
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
FF="ffmpeg -nostdin -v error -y"
IN=$W/in.mp4
ROW=0
$FF -f lavfi -i testsrc2=s=160x120:r=30:d=4 -f lavfi -i sine=d=4 -c:v libx264 -g 15 -bf 2 \
    -pix_fmt yuv420p -c:a aac -shortest "$W/in.mp4" &&
$FF -f lavfi -i testsrc2=s=160x120:r=30:d=4 -c:v libx264 -g 30 -output_ts_offset 3.2 "$W/off.flv" &&
$FF -f lavfi -i testsrc2=s=160x120:r=25:d=3 -f lavfi -i sine=f=300:d=3 -f lavfi -i sine=f=600:d=3 -map 0 -map 1 -map 2 \
    -c:v libx264 -c:a aac -metadata:s:a:0 language=eng -metadata:s:a:1 language=ger "$W/two.mkv" ||
    { fail "inputs" "ffmpeg could not make the test clips"; finish; exit 1; }

# durs FILE: the file's duration and its video stream's DURATION tag.
durs() {
    ffprobe -v error -show_entries format=duration:stream_tags=DURATION -select_streams v -of csv=p=0 "$1" |
        tr '\n' ' '
}

if want durations; then
    for job in "in.mp4|setpts=0.5*PTS" "in.mp4|setpts=2*PTS" "in.mp4|select='not(mod(n,4))'" "off.flv|fps=10"; do
        in=${job%%|*} vf=${job#*|}
        $FF -i "$W/$in" -vf "$vf" -c:v ffv1 -an "$W/ff.mkv"
        want_d=$(durs "$W/ff.mkv")
        for w in 2 3; do
            rr "$W/rr" -y -w $w --chunks $((w * 2)) -i "$W/$in" -vf "$vf" -c:v ffv1 -an "$W/rd.mkv"; rc=$?
            got=$(durs "$W/rd.mkv" 2>/dev/null)
            [ $rc = 0 ] && [ -n "$want_d" ] && [ "$got" = "$want_d" ]
            verdict $? "durations: $in -vf $vf -w $w: the CLI's file and stream durations" \
                "$(rr_why "$W/rr" $rc); CLI: $want_d render: $got"
        done
    done
fi

if want grid; then
    for job in "setpts=0.5*PTS|flv" "setpts=0.5*PTS|mkv" "null|flv"; do
        vf=${job%%|*} ext=${job#*|}
        $FF -i "$W/in.mp4" -vf "$vf" -c:v libx264 -an "$W/ff.$ext"
        rr "$W/rr" -y -w 3 -i "$W/in.mp4" -vf "$vf" -c:v libx264 -an "$W/rd.$ext"; rc=$?
        # every frame's time, and the decode times before the first join
        # (later ones follow the chunks' own frame types)
        { v_ts "$W/ff.$ext" | head -n 3; v_times "$W/ff.$ext"; } >"$W/ff.t"
        { v_ts "$W/rd.$ext" | head -n 3; v_times "$W/rd.$ext"; } >"$W/rd.t"
        [ $rc = 0 ] && [ -s "$W/ff.t" ] && cmp -s "$W/ff.t" "$W/rd.t"
        verdict $? "grid: -vf $vf -c:v libx264 .$ext: the CLI's frame and decode times" \
            "$(rr_why "$W/rr" $rc); first difference: $(diff "$W/ff.t" "$W/rd.t" | sed -n 2p)"
    done
fi

if want abranch; then
    line "abranch: speed x2" mkv md5,apkts,tags -filter_complex "[0:v]setpts=0.5*PTS[v];[0:a]atempo=2[a]" \
        -map "[v]" -map "[a]" -c:v ffv1
    line "abranch: audio label first" mkv md5,apkts,tags -filter_complex "[0:a]atempo=0.5[a];[0:v]setpts=2*PTS[v]" \
        -map "[a]" -map "[v]" -c:v ffv1
    line "abranch: split and mix" mkv md5,apkts,tags -filter_complex \
        "[0:v]scale=80:-2[v];[0:a]asplit[x][y];[x]volume=0.5[x2];[x2][y]amix=inputs=2[a]" -map "[v]" -map "[a]" -c:v ffv1
    LINE_IN=$W/two.mkv line "abranch: the second audio, video mapped" mkv md5,apkts,tags \
        -filter_complex "[0:a:1]volume=2[a]" -map 0:v -map "[a]" -c:v ffv1
    LINE_IN=$W/two.mkv line "abranch: video copied" mkv apkts,tags -filter_complex "[0:a]aecho=0.8:0.9:100:0.3[a]" \
        -map 0:v -map "[a]" -c:v copy
    for args in "-filter_complex [0:v][0:a]concat=n=1:v=1:a=1[v][a] -map [v] -map [a]|takes both" \
                "-filter_complex [0:v]null[v];[0:a]atempo=2[a] -map [v] -map [a] -af volume=2|both filter" \
                "-filter_complex [0:v]null[v];[0:a]atempo=2[a] -map [v] -map [a] -map 0:a|map no other audio" \
                "-filter_complex [0:v]null[v];[0:a]atempo=2[a] -map [v]|is not mapped" \
                "-filter_complex [0:v]null[v];[0:a]atempo=2[a] -map [v] -map [a] -c:a copy|not filtered" \
                "-af volume=2 -c:a copy|not filtered" "-af volume=2 -c copy|not filtered"; do
        a=${args%%|*} words=${args#*|}
        # shellcheck disable=SC2086
        rr "$W/rr" -y -i "$IN" $a -c:v ffv1 "$W/x.mkv"; rc=$?
        [ $rc = 2 ] && [ "$(wc -l <"$W/rr.err")" = 1 ] && grep -q "$words" "$W/rr.err" && [ ! -e "$W/x.mkv" ]
        verdict $? "abranch: $a: refused in one line" "$(rr_why "$W/rr" $rc)"
    done
fi

if want afx; then
    for v in ffv1 copy; do
        rr "$W/rr" -y -i "$IN" -af "amovie=http\\\\://127.0.0.1\\\\:9/x.wav,amix" -c:v $v "$W/x.mkv"; rc=$?
        [ $rc = 1 ] && [ "$(wc -l <"$W/rr.err")" = 1 ] && grep -q "protocol 'http' is not allowed" "$W/rr.err" &&
            [ ! -e "$W/x.mkv" ]
        verdict $? "afx: -af amovie=http://... -c:v $v: refused in one line, nothing written" "$(rr_why "$W/rr" $rc)"
        rr "$W/rr" -y -i "$IN" -filter_complex "[0:a]ladspa=f=x[a]" -map 0:v -map "[a]" -c:v $v "$W/x.mkv"; rc=$?
        [ $rc = 2 ] && [ "$(wc -l <"$W/rr.err")" = 1 ] && grep -q "allow-filter ladspa" "$W/rr.err" && [ ! -e "$W/x.mkv" ]
        verdict $? "afx: an audio branch with ladspa -c:v $v: refused in one line" "$(rr_why "$W/rr" $rc)"
        mkdir -p "$W/m$v"
        $FF -i "$IN" -af "astats=metadata=1,ametadata=mode=print:file=$W/m$v/ff.txt" -c:v $v "$W/m$v/ff.mkv"
        rr "$W/rr" -y -w 2 -i "$IN" -af "astats=metadata=1,ametadata=mode=print:file=$W/m$v/rd.txt" -c:v $v \
            "$W/m$v/rd.mkv"; rc=$?
        [ $rc = 0 ] && [ -s "$W/m$v/ff.txt" ] && cmp -s "$W/m$v/ff.txt" "$W/m$v/rd.txt" &&
            [ "$(ls "$W/m$v" | tr '\n' ' ')" = "ff.mkv ff.txt rd.mkv rd.txt " ]
        verdict $? "afx: -af ametadata=file= -c:v $v: the CLI's file, nothing else left" "$(rr_why "$W/rr" $rc); $(has "$W/m$v")"
        echo keep >"$W/m$v/keep.txt"
        rr "$W/rr" -i "$IN" -af "astats=metadata=1,ametadata=mode=print:file=$W/m$v/keep.txt" -c:v $v \
            "$W/m$v/new.mkv"; rc=$?
        [ $rc = 1 ] && [ "$(cat "$W/m$v/keep.txt")" = keep ] && [ ! -e "$W/m$v/new.mkv" ] &&
            grep -q "keep.txt: already exists" "$W/rr.err"
        verdict $? "afx: -af ametadata=file=EXISTING -c:v $v without -y: refused, the file kept" "$(rr_why "$W/rr" $rc)"
    done
    # -filter_complex is built to read its labels while the line is read:
    # that build must open nothing (it truncated an existing file, then
    # said the file exists; it connected to a movie's URL).
    echo keep >"$W/keep.txt"
    rr "$W/rr" -i "$IN" -filter_complex "[0:v]metadata=mode=print:file=$W/keep.txt[v]" -map "[v]" -c:v ffv1 \
        "$W/k.mkv"; rc=$?
    [ $rc = 1 ] && [ "$(cat "$W/keep.txt")" = keep ] && [ ! -e "$W/k.mkv" ] && grep -q "keep.txt: already exists" "$W/rr.err"
    verdict $? "afx: -filter_complex metadata=file=EXISTING without -y: refused, the file kept" "$(rr_why "$W/rr" $rc); $(cat "$W/keep.txt")"
    rr "$W/rr" -y -i "$IN" -filter_complex "[0:v]metadata=mode=print:file=$W/keep.txt[v]" -map "[v]" -c:v ffv1 \
        "$W/k.mkv"; rc=$?
    $FF -i "$IN" -filter_complex "[0:v]metadata=mode=print:file=$W/keepff.txt[v]" -map "[v]" -c:v ffv1 "$W/kf.mkv"
    [ $rc = 0 ] && cmp -s "$W/keep.txt" "$W/keepff.txt"
    verdict $? "afx: -filter_complex metadata=file=EXISTING -y: the CLI's file" "$(rr_why "$W/rr" $rc)"
    rr "$W/rr" -y -i "$IN" -filter_complex "movie=http\\\\://127.0.0.1\\\\:9/x.png[m];[0:v][m]overlay[v]" -map "[v]" \
        -c:v ffv1 "$W/k2.mkv"; rc=$?
    [ $rc = 2 ] && [ "$(wc -l <"$W/rr.err")" = 1 ] && grep -q "protocol 'http' is not allowed" "$W/rr.err"
    verdict $? "afx: -filter_complex movie=http://...: refused before anything opens it" "$(rr_why "$W/rr" $rc)"
fi

if want perstream; then
    LINE_IN=$W/two.mkv line "perstream: -c:a:0 aac" mkv md5,apkts,tags -map 0 -c:v ffv1 -c:a:0 aac
    LINE_IN=$W/two.mkv line "perstream: -c:a aac -c:a:1 copy" mkv apkts,tags -map 0 -c:v ffv1 -c:a aac -c:a:1 copy
    LINE_IN=$W/two.mkv line "perstream: -c:a:1 copy -c:a aac (the last wins)" mkv apkts,tags -map 0 -c:v ffv1 \
        -c:a:1 copy -c:a aac
    LINE_IN=$W/two.mkv line "perstream: -c:a:0 copy -c:a:1 libvorbis -b:a:1 48k" mkv apkts,tags -map 0 -c:v ffv1 \
        -c:a:0 copy -c:a:1 libvorbis -b:a:1 48k
    LINE_IN=$W/two.mkv line "perstream: -b:a 96k -b:a:0 32k" mp4 apkts,tags -map 0 -c:v libx264 -b:a 96k -b:a:0 32k
    rr "$W/rr" -y -i "$W/two.mkv" -map 0 -c:v ffv1 -sample_fmt:a:0 fltp "$W/x.mkv"; rc=$?
    [ $rc = 1 ] && [ "$(wc -l <"$W/rr.err")" = 1 ] && grep -q -- "-sample_fmt:a:0 (or :s:0) sets the first stream" "$W/rr.err" &&
        [ ! -e "$W/x.mkv" ]
    verdict $? "perstream: -sample_fmt:a:0 with two audio streams: refused in one line" "$(rr_why "$W/rr" $rc)"
    LINE_IN=$W/two.mkv line "perstream: -ar:a:0 with one audio stream" mkv apkts -map 0:v -map 0:a:1 -c:v ffv1 -ar:a:0 22050
    LINE_IN=$W/two.mkv line "perstream: -ar:a:0 with two audio streams" mkv apkts -map 0 -c:v ffv1 -ar:a:0 22050
fi

finish
