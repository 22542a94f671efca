#!/usr/bin/env bash
# e2e_inputs2.sh - more inputs users have, in the ffmpeg form, against the
# ffmpeg CLI: the same streams (side data included), the same frame times
# from the first one on (absolute: a constant shift is a difference too),
# and the same decoded frames, at -w 1 and 3 (2w+1 chunks: every run crosses joins).
#   RENDER=/abs/path/render bash tests/e2e_inputs2.sh
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
FF="ffmpeg -nostdin -hide_banner -v error -y"
SRC="-f lavfi -i testsrc2=s=160x120:r=25:d=2"

# MPEG-PS starts at 0.54 s, half a frame off the 25 fps grid: the first
# frame is at 0 as in ffmpeg's output, not half a frame late.
s_ps_start() {
    $FF $SRC -c:v mpeg2video -g 12 -f vob "$W/ps.mpg"
    ffline ps_start "$W/ps.mpg" -c:v ffv1
}

# HDR10 carried only in x265's SEI: ffmpeg 5.1 gives the re-encoded stream
# none of it (no mastering display or light level side data).
s_hdr10() {
    $FF $SRC -c:v libx265 -pix_fmt yuv420p10le -x265-params \
        "log-level=none:keyint=25:hdr10=1:master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1):max-cll=1000,400:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc" \
        "$W/hdr10.mp4"
    ffline hdr10 "$W/hdr10.mp4" -c:v ffv1
}

# WMV: ASF stores milliseconds, so the audio packets' times step by 46
# and 47 ms: the CLI counts samples afresh after each longer step, and puts
# the decoder's last (flushed) frame where its count of samples says.
# Every audio packet at ffmpeg's time, encoded or not.
s_asf_audio() {
    local c rc why
    $FF $SRC -f lavfi -i sine=d=2 -c:v wmv2 -c:a wmav2 -g 25 "$W/a.wmv"
    for c in pcm_s16le libvorbis aac copy; do
        $FF -i "$W/a.wmv" -c:v ffv1 -c:a $c "$W/af.mkv"
        rc=0
        "$RENDER" -q -w 2 -i "$W/a.wmv" -c:v ffv1 -c:a $c -y "$W/ar.mkv" </dev/null 2>"$W/r.err" || rc=$?
        [ $rc -eq 0 ] || { fail "wmv -c:a $c" "exit $rc: $(head -c 300 "$W/r.err")"; continue; }
        why=$(same_lines <(apkts "$W/af.mkv") <(apkts "$W/ar.mkv")) &&
            ok "wmv -c:a $c: every audio packet at ffmpeg's time" || fail "wmv -c:a $c: audio packet times" "$why"
    done
}
# Input -ss in a format the demuxer searches by time (MPEG-TS): the CLI's
# seek lands between keyframes, its decoder shows nothing until the next
# one, and its frame sync repeats that picture back to the seek point
# (MP4) or the output starts there (Matroska). render's frames were those
# of a decode from the keyframe before: a different file.
s_ts_seek() {
    $FF -f lavfi -i testsrc2=s=160x120:r=25:d=6 -f lavfi -i sine=d=6 -c:v libx264 -g 50 \
        -c:a aac -f mpegts "$W/seek.ts"
    $FF -f lavfi -i testsrc2=s=160x120:r=25:d=6 -c:v mpeg2video -g 25 -bf 2 -f mpegts "$W/seek2.ts"
    PRE="-ss 0.5" EXT=mp4 ffline ts_ss_mid_gop_mp4 "$W/seek.ts" -c:v libx264 -qp 0
    PRE="-ss 2.3" ffline ts_ss_mid_gop_mkv "$W/seek.ts" -c:v ffv1 -c:a pcm_s16le
    PRE="-ss 2" EXT=mp4 ffline ts_ss_on_key "$W/seek.ts" -c:v libx264 -qp 0
    PRE="-ss 1.3" ffline ts_ss_mpeg2 "$W/seek2.ts" -c:v ffv1
}

# -c copy with -ss: every packet of every stream at the CLI's time, in
# the CLI's order. After -i (an output -ss) the CLI reads from the start
# and copies from the first packet that decodes at or after T (the video
# from a keyframe on); render seeked and copied from where the seek landed
# (0.4 s of audio more, the video 0.4 s late). Before -i on Matroska the
# CLI's demuxer skips blocks until a keyframe block of any stream: with
# the video off, render's audio began 4 packets later.
s_copy_seek() {
    local in ext a name
    $FF -f lavfi -i testsrc2=s=160x120:r=25:d=6 -f lavfi -i sine=d=6 -c:v libx264 -g 50 \
        -c:a aac -f mpegts "$W/cs.ts"
    $FF -i "$W/cs.ts" -c copy "$W/cs.mp4"
    $FF -i "$W/cs.mp4" -c copy "$W/cs.mkv"
    for in in cs.ts cs.mp4 cs.mkv; do
        for ext in mkv mp4; do
            for a in "-i $W/$in -ss 2.3" "-ss 2.3 -i $W/$in" "-ss 1 -i $W/$in -ss 1.3"; do
                name="${a//$W\//} -c copy (.$ext)"
                $FF $a -c copy "$W/cf.$ext"
                rc=0
                "$RENDER" -q -w 2 $a -c copy -y "$W/cr.$ext" </dev/null 2>"$W/r.err" || rc=$?
                [ $rc -eq 0 ] || { fail "$name" "exit $rc: $(head -c 300 "$W/r.err")"; continue; }
                why=$(same_lines <(allpkts "$W/cf.$ext") <(allpkts "$W/cr.$ext")) &&
                    ok "$name: every packet as ffmpeg's" || fail "$name: packets" "$why"
            done
        done
    done
}
# An MPEG-TS whose audio starts 23 ms before its video, the audio left
# out: the CLI's reading moves the start to the streams it uses (the
# video), so the first frame is at 0; render's was one tick late.
s_ts_start() {
    local a rc why
    $FF -f lavfi -i testsrc2=s=160x120:r=25:d=3 -f lavfi -i sine=d=3 -c:v libx264 -g 25 \
        -c:a aac -f mpegts "$W/st.ts"
    ffline ts_start_an "$W/st.ts" -an -c:v ffv1
    ffline ts_start_map_v "$W/st.ts" -map 0:v -c:v ffv1
    ffline ts_start_yadif "$W/st.ts" -an -vf yadif=1 -c:v ffv1
    ffline ts_start_out_ss "$W/st.ts" -an -ss 0.5 -c:v ffv1
    EXT=mp4 ffline ts_start_mp4 "$W/st.ts" -an -c:v libx264 -qp 0
    for a in "-an -c copy" "-map 0:v -ss 1 -c copy"; do
        $FF -i "$W/st.ts" $a "$W/stf.mkv"
        rc=0
        "$RENDER" -q -i "$W/st.ts" $a -y "$W/str.mkv" </dev/null 2>"$W/r.err" || rc=$?
        [ $rc -eq 0 ] || { fail "ts start $a" "exit $rc: $(head -c 300 "$W/r.err")"; continue; }
        why=$(same_lines <(allpkts "$W/stf.mkv") <(allpkts "$W/str.mkv")) &&
            ok "ts start $a: every packet as ffmpeg's" || fail "ts start $a: packets" "$why"
    done
}

allpkts() { ffprobe -v error -show_entries packet=stream_index,pts,dts,flags -of csv=p=0 "$1"; }


for sec in ps_start hdr10 asf_audio ts_seek copy_seek ts_start; do
    want "$sec" && "s_$sec"
done

finish
