#!/usr/bin/env bash
# e2e_ffcli9.sh - encoders and their options where render once differed
# silently from the ffmpeg CLI, each row run with the stock ffmpeg CLI and
# with render (lib.sh `line`: -w 1, 2, 3 in turn, 2w chunks): streams,
# frame count and times, and the checks each row names.
#   - a fixed GOP the engine did not know as one: SVT-AV1 (-g N, or
#     -svtav1-params keyint=N: it cuts no scenes unless scd=1), libvpx,
#     libvpx-vp9 and libaom-av1 with -g N -keyint_min N (their fixed
#     interval), and x264's negative scenecut (it clips the threshold to
#     0..100: off). Chunks were planned freely and every join added a
#     keyframe: -svtav1-params keyint=20 on 50 frames at -w 1 keyed frames
#     0, 25, 40 where the CLI keys 0, 20, 40. The input has a scene cut at
#     1 s, off the grid, so a scene-cut keyframe would show too.
#   - -force_key_frames where the encoder makes no keyframe of a forced
#     frame: libx265 codes it as an I frame that is not a keyframe unless
#     -forced-idr 1, and FFmpeg 5.1's libsvtav1 forces nothing; render
#     started chunks on the forced frames, so they became keyframes
#     (expr:gte(t,n_forced*0.5): keys at 0, 1.0, 1.52 s where the CLI's
#     are at 0 and 1.0, its scene cut). Now refused in one line; with
#     -forced-idr 1 the keyframes are the CLI's.
#
#   - FFmpeg's own MPEG-family encoders (mpeg1video, mpeg2video, mpeg4 ...)
#     key every -g frames (12 by default) and cut each picture into one
#     slice per encoder thread. render planned them freely and encoded
#     with one thread: another GOP and other slices, so other pixels
#     (-c:v mpeg2video -q:v 2: frames differed from the third one on).
#     Now chunks start on that grid and those encoders get the CLI's
#     thread count (-threads, auto by default): the CLI's keyframes, and
#     its very packets where the encoder keeps nothing over an I frame
#     (mpeg4 here). They carry state over their I frames (the first P
#     frame's motion search starts from the last P frame's vectors), so
#     frames after some joins still differed (mpeg2video -q:v 2: 21 of 200
#     packets at -w 2): each chunk's encoder is now warmed up on the GOP
#     before it, its packets dropped, and the packets are the CLI's. With
#     scene changes on (their default) a cut moves the CLI's grid: render
#     says so.
#
#   - mpeg1video and mpeg2video write a time code in each GOP header (the
#     picture's number, from -gop_timecode) and mark their first GOP
#     closed: each chunk's encoder started again at 00:00:00:00, closed,
#     where the CLI counts on. The four bytes are now rewritten as one
#     encoder writes them (engine/pichdr.c); so are the temporal references
#     in each picture header of h263, h263p, flv, h261 and rv20, which
#     started over at each join (flv -q:v 5: 152 of 200 packets differed). -timecode (the file's tag and
#     the encoder's GOP time code, as ffmpeg sets both) was refused.
#
#   - -sws_flags was refused as unknown (exit 2); it now sets the flags
#     of the graph's scalers, as ffmpeg does after -i (and nothing before).
#
#   - a second input (-i VIDEO -i LOGO.png -filter_complex overlay) was
#     refused; an image is now read by the graph itself, in every chunk;
#     and a video stream made by -filter_complex no longer copies the input
#     video's tags and disposition (ffmpeg ties it to no input stream).
#
#   - a codec's name where ffmpeg takes an encoder's (-c:v h264, -c:v hevc,
#     -c:a mp3) was taken as an encoder's name: -c:v h264 -qp 0 was refused
#     (no encoder is called h264). It now means the encoder libavcodec
#     picks for that codec (libx264, libx265, libmp3lame), as ffmpeg does.
#
#   - audio-only outputs were refused (-vn) or got the video anyway (an
#     MP3 took it as a PNG stream flagged cover art): where ffmpeg writes
#     the audio alone (-vn, maps of audio only, wav, opus, mp3 ...), so does
#     render, in one pass (engine/remux.c, no video).
#
#   - libx264 -qp 0 (lossless: x264 codes no B-frames, although libx264
#     declares two frames of reordering) got decode times two frames before
#     its presentation times, where the CLI writes x264's own (dts = pts).
#
#   - libwebp_anim's animation (one packet when flushed) came out as one
#     RIFF file per chunk, joined: readers showed the first chunk only. An
#     APNG restarted its fcTL/fdAT sequence numbers and coded a default
#     image (IDAT) at each join: an invalid file. Both run as one chunk.
#
#   - one image (-frames:v 1 thumb.jpg) was refused: image2 writes OUTPUT
#     once, into the temporary file; the encoder is the extension's, as
#     ffmpeg picks it (a .png got mjpeg), and one chunk runs the encoder's
#     own rate control (the JPEG's size was the two passes').
#
#   RENDER=/abs/path/render bash tests/e2e_ffcli9.sh      (ONLY="gop forcekf lavc sws image names webp thumb" for sections)
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
lsan_suppress libx264.so libx265.so
FF="ffmpeg -nostdin -v error -y"
ROW=0

s_gop() {
    $FF -f lavfi -i testsrc2=s=320x240:r=25:d=1 -f lavfi -i mandelbrot=s=320x240:r=25 \
        -filter_complex "[1]trim=end_frame=25,setpts=PTS-STARTPTS[m];[0][m]concat=n=2:v=1" \
        -c:v libx264 -preset ultrafast -g 10 "$W/cut.mp4" ||
        { fail "gop input" "ffmpeg could not make it"; return; }
    LINE_IN=$W/cut.mp4
    line "libsvtav1 -svtav1-params keyint=20"         mkv  keys,size -c:v libsvtav1 -preset 12 -svtav1-params keyint=20
    line "libsvtav1 -g 20"                            mkv  keys,size -c:v libsvtav1 -preset 12 -g 20
    line "libvpx-vp9 -g 20 -keyint_min 20"            webm keys,size -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -g 20 -keyint_min 20
    line "libvpx -g 20 -keyint_min 20"                webm keys,size -c:v libvpx -deadline realtime -cpu-used 8 -g 20 -keyint_min 20
    line "libaom-av1 -g 20 -keyint_min 20"            mkv  keys,size -c:v libaom-av1 -cpu-used 8 -usage realtime -g 20 -keyint_min 20
    line "libx264 -x264opts keyint=20:scenecut=-1"    mp4  keys,size -c:v libx264 -preset veryfast -x264opts keyint=20:scenecut=-1
    unset LINE_IN
}

s_forcekf() {
    local rc n
    [ -s "$W/cut.mp4" ] || { fail "forcekf input" "section gop makes it"; return; }
    for enc in "libx265 -preset superfast" "libsvtav1 -preset 12"; do
        rm -f "$W/fk.mkv"
        # shellcheck disable=SC2086
        "$RENDER" -q -w 2 -i "$W/cut.mp4" -c:v $enc -force_key_frames "expr:gte(t,n_forced*0.5)" \
            "$W/fk.mkv" </dev/null 2>"$W/fk.err"
        rc=$?; n=$(wc -l <"$W/fk.err")
        check "${enc%% *} -force_key_frames: refused in one line, no output" "exit $rc, $n lines: $(head -c 200 "$W/fk.err")" \
            test "$rc" = 1 -a "$n" = 1 -a ! -e "$W/fk.mkv"
    done
    LINE_IN=$W/cut.mp4
    line "libx265 -forced-idr 1 -force_key_frames expr" mkv keys -c:v libx265 -preset superfast -forced-idr 1 \
        -force_key_frames "expr:gte(t,n_forced*0.5)"
    unset LINE_IN
}

# FFmpeg's own MPEG-family encoders code an I frame every -g (12) frames
# and cut each picture into one slice per thread: chunks on that grid,
# with the CLI's thread count, give the CLI's very packets (decoded frames
# identical although lossy, where the encoder keeps nothing over an I
# frame).
s_lavc() {
    local rc
    $FF -f lavfi -i testsrc2=s=320x240:r=25:d=2 -f lavfi -i sine=f=440:r=44100:d=2 \
        -c:v libx264 -preset ultrafast -g 50 -pix_fmt yuv420p -c:a aac "$W/lv.mp4" ||
        { fail "lavc input" "ffmpeg could not make it"; return; }
    LINE_IN=$W/lv.mp4
    # These encoders carry state over their I frames (a fresh encoder
    # started on frame 24 gave other P frames after it than the CLI's,
    # started on frame 0): each chunk's encoder is warmed up on the GOP
    # before it, whose packets are dropped.
    line "mpeg2video -q:v 2"                   mkv pkts,keys,gophdr -c:v mpeg2video -q:v 2
    line "mpeg2video -gop_timecode drop-frame" mkv keys,gophdr -c:v mpeg2video -r 30000/1001 -gop_timecode "01:02:03;04"
    line "mpeg1video -flags +cgop"             mpg keys,gophdr -c:v mpeg1video -flags +cgop -sc_threshold 1000000000
    line "-timecode into MPEG-2 (GOP time codes)" mkv keys,gophdr,tags -c:v mpeg2video -timecode 01:02:03:04
    line "-timecode into MP4 (its tmcd track)"  mp4 tags -c:v libx264 -preset ultrafast -timecode 10:00:00:00
    line "mpeg4 -q:v 3 into AVI"               avi md5,keys -c:v mpeg4 -q:v 3 -c:a libmp3lame
    line "mpeg2video -g 7 -q:v 4"              mkv md5,keys -c:v mpeg2video -g 7 -q:v 4
    line "mpeg2video -q:v 3 -r 30 into MPEG-PS" mpg md5,keys,gophdr -c:v mpeg2video -q:v 3 -r 30
    line "msmpeg4 -q:v 3 into AVI"             avi pkts,keys -c:v msmpeg4 -q:v 3
    # H.263, its Sorenson form in FLV, H.261 and RealVideo 2 number their
    # pictures in each picture header: renumbered as one encoder does
    line "flv -q:v 5"                          flv pkts,keys -c:v flv -q:v 5
    line "h263p -q:v 5 (a custom picture clock)" mkv pkts,keys -c:v h263p -q:v 5
    line "h263 -q:v 5 at CIF"                  mkv pkts -c:v h263 -q:v 5 -s 352x288
    line "h261 -q:v 5 at CIF"                  mkv pkts -c:v h261 -q:v 5 -s 352x288
    line "rv20 -q:v 5 into RealMedia"          rm  pkts -c:v rv20 -q:v 5 -s 352x288 -an
    line "mpeg1video -q:v 3 -threads 1"        mpg md5,keys -c:v mpeg1video -q:v 3 -threads 1
    [ -s "$W/cut.mp4" ] || { fail "lavc cut input" "section gop makes it"; return; }
    LINE_IN=$W/cut.mp4
    line "mpeg1video -sc_threshold 1000000000" mpg keys,size -c:v mpeg1video -q:v 3 -sc_threshold 1000000000
    unset LINE_IN
    # The warm-up is reported; rate control (their default bitrate) counts
    # every frame an encoder gets, so it goes without one.
    local wq wb
    "$RENDER" -q -y -w 2 --report "$W/wq.json" -i "$W/lv.mp4" -c:v mpeg2video -q:v 2 "$W/wq.mkv" </dev/null
    "$RENDER" -q -y -w 2 --report "$W/wb.json" -i "$W/lv.mp4" -c:v mpeg2video "$W/wb.mkv" </dev/null
    wq=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ratectl"]["encoder_warmup"])' "$W/wq.json" 2>&1)
    wb=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ratectl"]["encoder_warmup"])' "$W/wb.json" 2>&1)
    check "report: encoder_warmup 12 with -q:v, 0 under rate control" "got $wq and $wb" \
        [ "$wq" = 12 -a "$wb" = 0 ]
    # With scene changes on (the default) the encoder keys the cut at 1 s
    # and counts its GOP from there: chunks after it start elsewhere than
    # the CLI's I frames, and render says so.
    "$RENDER" -y -w 2 --chunks 4 -i "$W/cut.mp4" -c:v mpeg2video -q:v 3 "$W/sc.mkv" </dev/null 2>"$W/sc.err"
    rc=$?
    check "mpeg2video on a scene cut: the moved GOP named" "exit $rc: $(head -c 300 "$W/sc.err")" \
        grep -q "at scene changes" "$W/sc.err"
}

# -sws_flags after -i sets the graph's scalers (-s, scale without flags,
# the conversion to the encoder's format); before -i nothing, as ffmpeg.
s_sws() {
    local rc
    [ -s "$W/lv.mp4" ] || { fail "sws input" "section lavc makes it"; return; }
    LINE_IN=$W/lv.mp4
    line "-sws_flags lanczos -s 200x150"          mkv md5 -sws_flags lanczos -s 200x150 -c:v ffv1
    line "-vf scale=160:120 -sws_flags neighbor"  mkv md5 -vf scale=160:120 -sws_flags neighbor -c:v ffv1
    line "-sws_flags bilinear -pix_fmt yuv444p"   mkv md5 -sws_flags bilinear -pix_fmt yuv444p -c:v ffv1
    line "-sws_flags area, scale with its own"    mkv md5 -sws_flags area -vf scale=200:150:flags=neighbor -c:v ffv1
    unset LINE_IN
    $FF -sws_flags lanczos -i "$W/lv.mp4" -s 200x150 -c:v ffv1 "$W/swf.mkv" &&
        "$RENDER" -q -y -sws_flags lanczos -i "$W/lv.mp4" -s 200x150 -c:v ffv1 "$W/swr.mkv" </dev/null
    check "-sws_flags before -i: the default scaler, as ffmpeg" "outputs differ" \
        cmp -s <(v_md5 "$W/swf.mkv") <(v_md5 "$W/swr.mkv")
    "$RENDER" -q -y -i "$W/lv.mp4" -sws_flags bogus -s 200x150 "$W/swb.mkv" </dev/null 2>"$W/swb.err"; rc=$?
    check "-sws_flags bogus: refused in one line, no output" "exit $rc: $(head -c 200 "$W/swb.err")" \
        test "$rc" = 2 -a "$(wc -l <"$W/swb.err")" = 1 -a ! -e "$W/swb.mkv"
}

# A second input that is a still image, overlaid through -filter_complex
# (labelled, unlabelled, through filters of its own): the CLI's frames, in
# chunks; the video stream, fed by a graph, takes none of the input's tags
# or dispositions (ffmpeg ties it to no input stream).
s_image() {
    local rc
    [ -s "$W/lv.mp4" ] || { fail "image input" "section lavc makes it"; return; }
    $FF -f lavfi -i "testsrc=s=64x48:d=1,format=rgba,colorchannelmixer=aa=0.5" -frames:v 1 "$W/logo.png" ||
        { fail "image input" "ffmpeg could not make the logo"; return; }
    LINE_IN=$W/lv.mp4
    line "overlay [0:v][1:v]"                mkv md5,tags -i "$W/logo.png" -filter_complex "[0:v][1:v]overlay=5:5" -c:v ffv1
    line "overlay, inputs unlabelled"        mkv md5,tags -i "$W/logo.png" -filter_complex "overlay=W-w-10:H-h-10" -c:v ffv1
    line "[1]scale, overlay, -map [v]"       mkv md5,tags -i "$W/logo.png" \
        -filter_complex "[1]scale=32:-1[l];[0][l]overlay=10:10,format=yuv420p[v]" -map "[v]" -map 0:a -c:v ffv1
    line "overlay enable=between(t,0.5,1.5)" mp4 md5,tags -i "$W/logo.png" \
        -filter_complex "[0:v][1:v]overlay=(W-w)/2:(H-h)/2:enable='between(t,0.5,1.5)'" -c:v libx264 -qp 0 -preset ultrafast -c:a copy
    line "-filter_complex hflip: no input tags" mkv md5,tags -filter_complex hflip -c:v ffv1
    unset LINE_IN
    "$RENDER" -w 2 -i "$W/lv.mp4" -i "$W/logo.png" -filter_complex overlay -c:v ffv1 --dry-run "$W/x.mkv" \
        </dev/null >"$W/img.plan" 2>&1
    check "overlay of an image runs in chunks" "$(head -c 300 "$W/img.plan")" \
        grep -q "chunk contract: local, exact" "$W/img.plan"
    img_refused() {
        local name=$1; shift
        rm -f "$W/o.mkv"
        "$RENDER" -q -y "$@" </dev/null >/dev/null 2>"$W/img.err"; rc=$?
        check "$name: refused in one line, no output" "exit $rc: $(head -c 200 "$W/img.err")" \
            test "$rc" = 2 -a "$(wc -l <"$W/img.err")" = 1 -a ! -e "$W/o.mkv"
    }
    img_refused "a video as second input" -i "$W/lv.mp4" -i "$W/lv.mp4" -filter_complex overlay "$W/o.mkv"
    img_refused "an image without -filter_complex" -i "$W/lv.mp4" -i "$W/logo.png" -c:v ffv1 "$W/o.mkv"
    img_refused "options before the second -i" -i "$W/lv.mp4" -loop 1 -i "$W/logo.png" -filter_complex overlay "$W/o.mkv"
    img_refused "a third input" -i "$W/lv.mp4" -i "$W/logo.png" -i "$W/logo.png" -filter_complex overlay "$W/o.mkv"
    cp "$W/logo.png" "$W/logo2.png"
    img_refused "the image is OUTPUT" -i "$W/lv.mp4" -i "$W/logo2.png" -filter_complex overlay -c:v png -f image2 "$W/logo2.png"
    check "the image is OUTPUT: left as it was" "changed" cmp -s "$W/logo.png" "$W/logo2.png"
}

# A codec's name stands for the encoder libavcodec picks for it.
s_names() {
    local rc n
    $FF -f lavfi -i testsrc2=s=160x120:r=25:d=1 -f lavfi -i sine=f=440:r=44100:d=1 \
        -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac "$W/nm.mp4" ||
        { fail "names input" "ffmpeg could not make it"; return; }
    LINE_IN=$W/nm.mp4
    line "-c:v h264 -qp 0 (libx264)"           mkv md5 -c:v h264 -preset ultrafast -qp 0
    # -fps_mode passthrough: ffmpeg rounds each frame's time, shifted by the
    # input's start (an Opus track starts 6.5 ms before the video), to the
    # encoder's tick; render rounded it unshifted and added the start after
    $FF -f lavfi -i "testsrc2=s=160x120:r=30:d=3,setpts='if(lt(N,45),N/30,1.5+(N-45)/15)/TB'" \
        -f lavfi -i sine=d=4 -c:v libx264 -preset ultrafast -c:a libopus -fps_mode vfr "$W/vfr.mkv" ||
        { fail "vfr input" "ffmpeg could not make it"; return; }
    LINE_IN=$W/vfr.mkv
    line "-fps_mode passthrough, VFR + Opus into MP4" mp4 md5,dts -c:v libx264 -preset ultrafast -qp 0 -fps_mode passthrough
    line "-vsync 0, VFR + Opus into MOV"       mov md5,dts -c:v ffv1 -vsync 0
    LINE_IN=$W/nm.mp4
    # libx264 declares B-frames before x264 finds lossless coding has none:
    # the CLI writes x264's own decode times (dts = pts), render wrote two
    # frames of delay
    line "libx264 -qp 0 into MP4: decode times" mp4 md5,dts -c:v libx264 -qp 0
    line "libx264 -qp 0 into F4V: decode times" f4v md5,dts -c:v libx264 -preset veryfast -qp 0
    line "-c:v hevc -x265-params lossless=1"  mkv md5 -c:v hevc -preset ultrafast -x265-params lossless=1:log-level=error
    line "-c:a mp3 (libmp3lame)"               mkv md5 -c:v ffv1 -c:a mp3 -b:a 96k
    unset LINE_IN
    # Outputs where ffmpeg writes the audio alone: -vn, maps of audio only,
    # a format without video (wav, opus, adts), one that takes pictures only
    # as cover art (mp3: it got the video as a PNG stream flagged cover art)
    LINE_IN=$W/nm.mp4
    line "mp3 from a video: the audio alone"   mp3 bytes
    line "wav from a video"                    wav bytes -t 0.5
    line "-vn -c:a copy into M4A"              m4a bytes -vn -c:a copy
    line "-map 0:a -c:a flac into Matroska"    mkv apkts -map 0:a -c:a flac
    line "-map 0:1 -c copy (stream 1, audio)"  m4a bytes -map 0:1 -c copy
    line "-vn -c copy into M4A"                m4a bytes -vn -c copy
    line "-vn -ss 0.3 -t 0.5 -c:a libopus"     opus apkts -vn -ss 0.3 -t 0.5 -c:a libopus
    unset LINE_IN
    for bad in "-vn -crf 20" "-vn -vf scale=32:32" "-map 0:a -c:v libx264"; do
        rm -f "$W/nm.m4a"
        # shellcheck disable=SC2086
        "$RENDER" -q -i "$W/nm.mp4" $bad "$W/nm.m4a" </dev/null 2>"$W/nm.err"
        rc=$?; n=$(wc -l <"$W/nm.err")
        check "$bad: no video to set, refused in one line, no output" "exit $rc, $n lines: $(head -c 200 "$W/nm.err")" \
            eval '[ $rc = 2 ] && [ "$n" = 1 ] && [ ! -e "$W/nm.m4a" ]'
    done
    # -f concat opens the files its list names: said so, not "Operation not permitted"
    printf "file '%s'\nfile '%s'\n" "$W/nm.mp4" "$W/nm.mp4" >"$W/list.txt"
    "$RENDER" -q -y -f concat -safe 0 -i "$W/list.txt" -c copy "$W/cat.mkv" </dev/null 2>"$W/nm.err"
    "$RENDER" -q -y -f concat -i "$W/list.txt" -c copy "$W/cat.mkv" </dev/null 2>"$W/nm2.err"
    rc=$?
    check "-f concat: refused in one line that says why, no output" "exit $rc: $(head -c 200 "$W/nm2.err")" \
        eval '[ $rc != 0 ] && [ "$(wc -l <"$W/nm2.err")" = 1 ] && grep -q "opens the files its list names" "$W/nm2.err" && [ ! -e "$W/cat.mkv" ]'
    # an input with a cover picture: ffmpeg writes it as the MP3's cover art
    $FF -i "$W/nm.mp4" -f lavfi -i color=red:s=32x32:d=0.04 -map 0:a -map 1:v -c:a aac -c:v png \
        -disposition:v:0 attached_pic "$W/cov.m4a" || { fail "cover input" "ffmpeg could not make it"; return; }
    rm -f "$W/cov.mp3"
    "$RENDER" -q -i "$W/cov.m4a" "$W/cov.mp3" </dev/null 2>"$W/nm.err"
    rc=$?; n=$(wc -l <"$W/nm.err")
    check "mp3 from an input with cover art: refused in one line, no output" "exit $rc, $n lines: $(head -c 200 "$W/nm.err")" \
        eval '[ $rc != 0 ] && [ "$n" = 1 ] && grep -q "cover" "$W/nm.err" && [ ! -e "$W/cov.mp3" ]'
    "$RENDER" -q -i "$W/cov.m4a" -vn "$W/cov.mp3" </dev/null 2>"$W/nm.err"
    rc=$?
    check "mp3 from it with -vn: the audio alone" "exit $rc: $(head -c 200 "$W/nm.err")" \
        eval '[ $rc = 0 ] && [ "$(ffprobe -v error -show_entries stream=codec_type -of csv=p=0 "$W/cov.mp3")" = audio ]'
    for bad in "-c:v h265" "-c:v aac" "-c:a h264"; do
        rm -f "$W/nm.mkv"
        # shellcheck disable=SC2086
        "$RENDER" -q -i "$W/nm.mp4" $bad -crf 20 "$W/nm.mkv" </dev/null 2>"$W/nm.err"
        rc=$?; n=$(wc -l <"$W/nm.err")
        check "$bad: refused in one line naming it, no output" "exit $rc, $n lines: $(head -c 200 "$W/nm.err")" \
            eval '[ $rc != 0 ] && [ "$n" = 1 ] && grep -q -- "${bad#* }" "$W/nm.err" && [ ! -e "$W/nm.mkv" ]'
    done
}

# libwebp_anim gives the whole animation as one packet at its end: each
# chunk's was a RIFF file of its own, and readers saw the first only. One
# chunk now, said in a line: the CLI's file byte for byte.
s_webp() {
    local rc
    [ -s "$W/nm.mp4" ] || { fail "webp input" "section names makes it"; return; }
    $FF -i "$W/nm.mp4" -t 1 -c:v libwebp_anim -lossless 1 "$W/wf.webp" || { fail "webp" "ffmpeg failed"; return; }
    "$RENDER" -y -w 2 -i "$W/nm.mp4" -t 1 -c:v libwebp_anim -lossless 1 "$W/wr.webp" </dev/null 2>"$W/wr.err"
    rc=$?
    check "libwebp_anim: one RIFF file, the CLI's bytes" "exit $rc, $(grep -c RIFF "$W/wr.webp" 2>&1) RIFF" \
        cmp -s "$W/wf.webp" "$W/wr.webp"
    check "libwebp_anim: one chunk, said in a line" "$(head -c 300 "$W/wr.err")" \
        grep -q "libwebp_anim .*rendered as one chunk" "$W/wr.err"
    # apng numbers every frame's chunks in one sequence and codes only the
    # first frame as IDAT: chunks restarted both (an invalid APNG)
    $FF -i "$W/nm.mp4" -t 1 -plays 0 "$W/af.apng" || { fail "apng" "ffmpeg failed"; return; }
    "$RENDER" -y -w 3 -i "$W/nm.mp4" -t 1 -plays 0 "$W/ar.apng" </dev/null 2>"$W/ar.err"
    rc=$?
    check "apng: the CLI's bytes (one sequence, one default image)" "exit $rc: $(head -c 200 "$W/ar.err")" \
        cmp -s "$W/af.apng" "$W/ar.apng"
    check "apng: one chunk, said in a line" "$(head -c 300 "$W/ar.err")" \
        grep -q "encoder apng .*rendered as one chunk" "$W/ar.err"
}

# One image: -frames:v 1 into a picture's name (image2 picks the encoder
# by the extension). It was refused; the CLI's file, byte for byte (the
# JPEG at mjpeg's own rate control: one chunk runs no passes).
s_thumb() {
    local rc
    [ -s "$W/lv.mp4" ] || { fail "thumb input" "section lavc makes it"; return; }
    LINE_IN=$W/lv.mp4
    line "-ss 1.2 -frames:v 1 into JPEG"       jpg bytes -ss 1.2 -frames:v 1
    line "-frames:v 1 into PNG"                png bytes -frames:v 1
    line "-vf scale=80:-1 -vframes 1 into BMP" bmp bytes -vf scale=80:-1 -vframes 1
    unset LINE_IN
    for bad in "-frames:v 2 t.jpg" "-update 1 t%02d.jpg" "t.jpg"; do
        # shellcheck disable=SC2086
        (cd "$W" && "$RENDER" -q -y -i "$W/lv.mp4" $bad </dev/null 2>"$W/th.err"); rc=$?
        check "image2 ${bad}: refused in one line, nothing written" "exit $rc: $(head -c 200 "$W/th.err")" \
            eval '[ $rc != 0 ] && [ "$(wc -l <"$W/th.err")" = 1 ] && [ -z "$(ls "$W" | grep "^t.*jpg")" ]'
    done
}

for sec in gop forcekf lavc sws image names webp thumb; do
    want "$sec" && "s_$sec"
done

finish
