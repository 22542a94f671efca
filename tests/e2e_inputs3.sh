#!/usr/bin/env bash
# e2e_inputs3.sh - inputs users have (FLV, AVI, ASF, NUT, GIF, DV, ...)
# with audio, crossed with everyday lines, against the ffmpeg CLI: the same
# streams (field order included), the same frame times, the same decoded
# frames and every audio packet at the CLI's time, at -w 1 and 3 (2w+1 chunks: every run crosses joins).
#   RENDER=/abs/path/render bash tests/e2e_inputs3.sh
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
FF="ffmpeg -nostdin -hide_banner -v error -y"
V="-f lavfi -i testsrc2=s=160x120:r=25:d=2"
A="-f lavfi -i sine=d=2"

FFLINE_AUDIO=1 # ffline compares every audio packet too (lib.sh)

# Containers that do not store a field order (FLV, AVI, NUT, GIF; DV's
# frames are bottom field first): the CLI tags its output from the first
# frame it encodes (progressive, or bt for DV); render's said unknown.
s_field_tag() {
    $FF $V $A -c:v flv -g 25 -c:a libmp3lame -ar 44100 -f flv "$W/f.flv"
    $FF $V $A -c:v mpeg4 -bf 2 -g 25 -c:a pcm_s16le -f avi "$W/f.avi"
    $FF -f lavfi -i testsrc2=s=720x576:r=25:d=0.4 -f lavfi -i sine=d=0.4:sample_rate=48000 \
        -c:v dvvideo -pix_fmt yuv420p -c:a pcm_s16le -ac 2 -f dv "$W/f.dv"
    ffline field_flv "$W/f.flv" -c:v ffv1
    ffline field_avi "$W/f.avi" -c:v ffv1
    ffline field_dv "$W/f.dv" -c:v ffv1
    # A graph that changes the colours (scale to BT.601): the template
    # opened again for them, and the field order was no longer looked at.
    ffline field_flv_scale "$W/f.flv" -vf scale=80:60 -c:v ffv1
}

# Interlaced sources (x264 fields, tff; MPEG-2 telecined, bff): the CLI
# tags its output from the first frame (tb, bt), not from the container
# (tt, bb), and codes fields only when -flags asks: render's libx264 coded
# fields of its own (level 2.1 against 1.1, field_order tt).
s_interlaced() {
    $FF $V $A -vf setfield=tff -c:v libx264 -flags +ildct+ilme -g 25 -c:a aac "$W/il.mp4"
    $FF -f lavfi -i testsrc2=s=160x120:r=24000/1001:d=1.5 -vf telecine -c:v mpeg2video -g 15 \
        -flags +ildct+ilme -f vob "$W/tele.mpg"
    ffline il_x264 "$W/il.mp4" -c:v libx264 -qp 0
    ffline il_x264_fields "$W/il.mp4" -c:v libx264 -qp 0 -flags +ildct+ilme
    ffline tele_ffv1 "$W/tele.mpg" -c:v ffv1
}

# An output -ss on a stream whose time base is the frame rate (MXF, Ogg:
# 1/25): -ss 0.7 leaves the frame at 0.72 half a tick in, and the CLI
# takes the cut off at the encoder's precision, so that frame goes to tick
# 1; render rounded the cut to the stream's ticks first (tick 0: every
# frame 40 ms early, one frame more under -t). With an input -ss too, each
# is rounded apart (0.3 and 0.7 keep 1.04 on, not 1.0).
s_out_seek() {
    $FF $V $A -c:v mpeg2video -g 12 -bf 2 -b:v 2M -c:a pcm_s16le -ar 48000 -f mxf "$W/s.mxf"
    $FF $V $A -c:v libtheora -g 25 -c:a libvorbis -f ogg "$W/s.ogg"
    ffline mxf_out_ss_t "$W/s.mxf" -ss 0.7 -t 1 -c:v ffv1 -c:a pcm_s16le
    ffline ogg_out_ss "$W/s.ogg" -ss 0.7 -c:v ffv1
    PRE="-ss 0.3" ffline mxf_in_out_ss "$W/s.mxf" -ss 0.7 -c:v ffv1 -an
    # The input -ss through a graph that changes the time base (yadif=1:
    # 1/50): the CLI shifts the packets by 8 ticks of 1/25 (0.32 s), render
    # took 0.3 s off the 1/50 frames (every frame 20 ms late).
    PRE="-ss 0.3" ffline mxf_in_ss_yadif "$W/s.mxf" -vf yadif=1 -c:v ffv1 -an
}

# -t with the audio encoded: ffmpeg's trims (the input's before -af, the
# output's after it) cut the last audio frame to the sample: 44100 samples
# for -t 1 at 44.1 kHz. render wrote whole frames (45056: 21 ms more, a
# last packet of 23 ms where the CLI's has 1), also with -c:v copy.
s_audio_t() {
    $FF $V $A -c:v libx264 -g 25 -c:a aac "$W/t.mp4"
    $FF $V $A -c:v libx264 -g 25 -c:a ac3 -f mpegts "$W/t.ts"
    PRE="-t 1" ffline in_t_pcm "$W/t.mp4" -c:v ffv1 -c:a pcm_s16le
    ffline out_t_pcm "$W/t.mp4" -t 1 -c:v ffv1 -c:a pcm_s16le
    PRE="-ss 0.3" ffline ts_in_ss_out_t "$W/t.ts" -t 1 -c:v ffv1 -c:a pcm_s16le
    EXT=mp4 ffline out_t_vcopy_aac "$W/t.mp4" -t 1 -c:v copy -c:a aac
}

for sec in field_tag interlaced out_seek audio_t; do
    want "$sec" && "s_$sec"
done

finish
