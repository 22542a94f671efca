#!/bin/bash
# e2e_filters.sh - every graph gives the ffmpeg CLI's frames and frame times
# at -w 1 and -w 3 (the chunk contract, src/engine/contract.h), or says in
# one line that it runs as one chunk. Graphs as users write them, on
# progressive, interlaced and telecined clips, and chains. Small clips, a
# few seconds: the walk over every filter is tests/filters_all.sh
# (make test-filters).
#
#   RENDER=./render bash tests/e2e_filters.sh      ONLY="graphs contract" ...
. "$(dirname "$0")/lib.sh"
need_render

FF="ffmpeg -nostdin -v error -y"
mk_clips() {
    $FF -f lavfi -i testsrc2=s=160x120:r=25:d=4 -c:v libx264 -g 12 -pix_fmt yuv420p \
        "$T_TMP/prog.mp4" &&
    $FF -f lavfi -i testsrc2=s=160x120:r=50:d=4 -vf interlace=scan=tff,setfield=tff \
        -c:v libx264 -flags +ildct+ilme -g 12 -pix_fmt yuv420p "$T_TMP/inter.mp4" &&
    $FF -f lavfi -i testsrc2=s=160x120:r=24000/1001:d=4 -vf telecine -c:v libx264 -g 12 \
        -pix_fmt yuv420p "$T_TMP/tele.mp4"
}
mk_clips || { fail "clips" "ffmpeg could not make the test clips"; finish; exit 1; }

# frames FILE OUT: "time md5" of every decoded frame, in output order.
frames() {
    v_frames "$1" "$2"
    paste -d' ' "$2.t" "$2.md5" >"$2"
}

# same_as_cli CLIP GRAPH [RENDER ARGS]: render -w 1 and -w 3 give the frames
# and frame times of ffmpeg -i CLIP -vf GRAPH (ffv1, lossless, so exact).
# OUT, FFENC, RDENC (set for one call) change the container and encoder.
same_as_cli() {
    local name=$1 clip=$T_TMP/$1 g=$2 w why rc ext=${OUT:-mkv} tag= into=
    local ffenc=${FFENC:--c:v ffv1} rdenc=${RDENC:--c:v ffv1}; shift 2
    [ "$ext" = mkv ] || { tag=" $ext"; into=" into $ext"; }
    if ! $FF -i "$clip" -vf "$g" -an $ffenc "$T_TMP/ref.$ext" 2>"$T_TMP/ff.err"; then
        fail "$name '$g'$tag" "the ffmpeg CLI refuses it: $(head -c 200 "$T_TMP/ff.err")"
        return
    fi
    frames "$T_TMP/ref.$ext" "$T_TMP/ref"
    for w in 1 3; do
        rr "$T_TMP/r" -y -q -w "$w" -an $rdenc --vf "$g" "$@" -o "$T_TMP/out.$ext" "$clip"
        rc=$?
        if [ $rc -ne 0 ]; then fail "$name '$g'$tag -w $w" "$(rr_why "$T_TMP/r" $rc)"; continue; fi
        frames "$T_TMP/out.$ext" "$T_TMP/out"
        if why=$(same_lines "$T_TMP/ref" "$T_TMP/out"); then ok "$name '$g'$into -w $w: the CLI's frames and times"
        else fail "$name '$g'$tag -w $w" "$why"; fi
    done
}

# same_in_mp4 CLIP GRAPH: as same_as_cli, into MP4 (libx264 -qp 0, lossless):
# a constant-rate container, where the CLI's frame sync fills a gap with
# copies and drops a frame that lands on a taken tick.
same_in_mp4() {
    OUT=mp4 FFENC="-c:v libx264 -qp 0" RDENC="-c:v libx264 --venc-opt qp=0" same_as_cli "$@"
}

# warns CLIP GRAPH LINE [ARGS]: -w 3 renders GRAPH as one chunk, saying LINE once.
warns() {
    local name=$1 clip=$T_TMP/$1 g=$2 line=$3 rc; shift 3
    rr "$T_TMP/w" -y -w 3 -an -c:v ffv1 --vf "$g" "$@" --report "$T_TMP/w.json" \
        -o "$T_TMP/w.mkv" "$clip"
    rc=$?
    if [ $rc -ne 0 ]; then fail "$name '$g' warns" "$(rr_why "$T_TMP/w" $rc)"; return; fi
    if [ "$(grep -cxF "$line" "$T_TMP/w.err")" = 1 ] &&
       grep -q '"chunks":[[:space:]]*1,' "$T_TMP/w.json"; then
        ok "$name '$g': one chunk, one line"
    else
        fail "$name '$g' warns" "want once: $line; got: $(grep -i warning "$T_TMP/w.err" | head -2 | tr '\n' '|')"
    fi
}

# min_psnr A B: the lowest per-frame PSNR (dB) of B against A ("inf" when identical).
min_psnr() {
    ffmpeg -nostdin -v error -i "$1" -i "$2" -lavfi "[0:v][1:v]psnr=stats_file=$T_TMP/psnr.log" \
        -f null - 2>/dev/null
    awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^psnr_avg:/) { split($i, a, ":"); v = a[2]
           if (v != "inf" && (m == "" || v + 0 < m)) m = v + 0 } }
         END { print (m == "" ? "inf" : m) }' "$T_TMP/psnr.log"
}

if want graphs; then
    # frame-local, windows, timeline changers, and chains of them
    for g in null "scale=80:60,hflip" tmix tblend deflicker atadenoise "tmix=frames=5,tblend" \
             "fps=10" "fps=30000/1001" "fps=7,tmix" "framerate=fps=50" "minterpolate=fps=50" \
             "scale=80:60,fps=15" "select='gt(scene,0.1)'" "trim=start=1:end=3"; do
        same_as_cli prog.mp4 "$g"
    done
    # frame numbers and the whole stream: the CLI's frames, whichever way
    for g in "setpts=PTS-STARTPTS" "setpts=0.5*PTS" "select='not(mod(n,3))'" "drawbox=enable='between(n,10,20)'" \
             "crop=x='n*2':w=100" "fade=in:0:30" "framestep=2" "trim=start_frame=10" \
             reverse "loop=loop=2:size=10" "tpad=stop=5" "split[a][b];[a]tmix[c];[b][c]overlay"; do
        same_as_cli prog.mp4 "$g"
    done
    # interlaced and telecined sources
    for g in yadif "yadif=1" "bwdif=1" w3fdif "yadif=1,scale=80:60" separatefields; do
        same_as_cli inter.mp4 "$g"
    done
    for g in "fieldmatch,decimate" pullup "detelecine=first_field=top"; do
        same_as_cli tele.mp4 "$g"
    done
    # libvidstab draws from the process's rand() while it configures: the
    # whole stream's graph starts it where a fresh process (the CLI) does.
    # A zoom, so that the transforms move (testsrc2's would all be zero).
    # FFmpeg 5.1's vidstabtransform never frees the motions libvidstab read
    # (vs_vector_init: the ffmpeg CLI loses the same 8 KiB): not ours.
    lsan_suppress libvidstab
    if $FF -f lavfi -i "mandelbrot=s=160x120:r=25,trim=end_frame=50" -c:v libx264 -g 12 \
           -pix_fmt yuv420p "$T_TMP/zoom.mp4" &&
       $FF -i "$T_TMP/zoom.mp4" -vf "vidstabdetect=result=$T_TMP/zoom.trf" -f null -; then
        same_as_cli zoom.mp4 "vidstabtransform=input=$T_TMP/zoom.trf"
        warns zoom.mp4 "vidstabtransform=input=$T_TMP/zoom.trf" \
            "render: warning: filter 'vidstabtransform' needs the whole stream: rendered as one chunk"
        # minterpolate's default search (EPZS) starts from the frame
        # before's vectors: each chunk replays the frames before it
        # (tests/e2e_replay.sh has the cases).
        same_as_cli zoom.mp4 "minterpolate=fps=50"
        # mestimate's vectors, drawn: EPZS is the same recursion; its
        # default search (esa) is a window, chunked.
        warns zoom.mp4 "mestimate=method=epzs,codecview=mv=pf+bf" \
            "render: warning: filter 'mestimate' needs the whole stream (its motion search (EPZS) starts from the vectors found for the frame before: no pre-roll bounds how a chunk's vectors differ): rendered as one chunk"
        same_as_cli zoom.mp4 "mestimate,codecview=mv=pf+bf"
    else fail "vidstab clip" "ffmpeg could not make the zoom clip or its transforms"; fi
fi

if want cfr; then
    # render's own form, a graph that retimes: the CLI's frame grid and sync
    for g in "setpts=0.5*PTS" "setpts=2*PTS" "select='not(mod(n,3))'" "fps=10"; do
        same_in_mp4 prog.mp4 "$g"
    done
fi

if want grid; then
    # framerate starts its output grid at the first frame it sees: chunks
    # first fed a frame on the whole run's grid (and one period of the
    # rates' pattern before, for its scene score) give the CLI's frames.
    # Hard cuts, so that the scene score decides; a TS that starts late.
    $FF -f lavfi -i "testsrc2=s=160x120:r=25:d=2" -f lavfi -i "mandelbrot=s=160x120:r=25,trim=end_frame=50" \
        -f lavfi -i "cellauto=s=160x120:r=25:seed=1,trim=end_frame=50" \
        -filter_complex "[0:v][1:v][2:v]concat=n=3,format=yuv420p" -c:v libx264 -g 12 "$T_TMP/cuts.mp4" &&
    $FF -i "$T_TMP/cuts.mp4" -c:v mpeg2video -q:v 3 -g 12 -bf 2 "$T_TMP/cuts.ts" ||
        fail "grid clips" "ffmpeg could not make them"
    for g in "framerate=fps=50" "framerate=fps=60" "framerate=fps=30,scale=80:60" \
             "framerate=fps=10" "scale=80:60,framerate=fps=60:scene=3"; do
        same_as_cli cuts.mp4 "$g"
    done
    same_as_cli cuts.ts "framerate=fps=60"
    # minterpolate without EPZS's recursion: a window of four frames and
    # the scene score of the pair before, exact in chunks
    for g in "minterpolate=fps=50:mi_mode=blend" "minterpolate=fps=60:mi_mode=dup" \
             "minterpolate=fps=50:me=umh" "minterpolate=fps=50:me_mode=bidir:me=ds"; do
        same_as_cli cuts.mp4 "$g" --chunks 6
    done
    same_as_cli inter.mp4 "framerate=fps=60"
    rr "$T_TMP/g" -y -q -w 3 -an -c:v ffv1 --vf framerate=fps=60 --report "$T_TMP/g.json" \
        -o "$T_TMP/g.mkv" "$T_TMP/cuts.mp4"
    check "framerate=fps=60 runs in chunks" "$(grep -o '"chunks":[^,]*' "$T_TMP/g.json" | head -1)" \
        grep -q '"chunks":[[:space:]]*[2-9]' "$T_TMP/g.json"
    # where the grid meets the frames every 500 frames, and a frame rate
    # that varies: one chunk, with the line
    warns tele.mp4 "framerate=fps=60" "render: warning: filter 'framerate' needs the time of the stream's \
first frame (its output grid meets the input's frames too seldom for chunks to start on it): rendered as one chunk"
    $FF -i "$T_TMP/prog.mp4" -vf "setpts='PTS+gte(N,40)*0.02/TB'" -c:v libx264 -g 12 -fps_mode passthrough \
        "$T_TMP/vfr.mkv" || fail "vfr clip" "ffmpeg could not make it"
    warns vfr.mkv "framerate=fps=50" "render: warning: filter 'framerate' needs the time of the stream's \
first frame (the input's frame rate varies, and chunks follow its grid only at a constant rate): rendered as one chunk"
    same_as_cli vfr.mkv "framerate=fps=50"
fi

if want numbered; then
    # Frame numbers: each chunk's links count from the whole-stream number
    # of its first frame, so these run in chunks, with the CLI's frames.
    for g in "fade=in:0:30" "select='not(mod(n,3))'" "fade=in:0:10,framestep=3" \
             "fade=in:20:30,crop=x='n':w=100" "drawbox=enable='between(n,40,60)':t=fill"; do
        same_as_cli prog.mp4 "$g" --chunks 6
        rr "$T_TMP/n" --dry-run -w 3 --vf "$g" --report "$T_TMP/n.json" -y "$T_TMP/prog.mp4"
        check "'$g' runs in chunks, exact" "$(grep '^chunk contract' "$T_TMP/n.out")" \
            grep -q "^chunk contract: [a-z]*, exact: each chunk's graph numbers its frames" "$T_TMP/n.out"
    done
    same_as_cli inter.mp4 "drawbox=enable='between(n,40,60)':t=fill" --chunks 6
    # behind a filter that drops frames the count is its output's: one chunk
    warns prog.mp4 "select='not(mod(n,2))',fade=in:0:10" "render: warning: filter 'fade' needs the whole-stream \
frame numbers (fades by frame number on its link; by time (d) frame-local (refined)): rendered as one chunk"
    # the CLI numbers from 0 again where the frame size changes: made again as one chunk
    $FF -f lavfi -i testsrc2=s=160x120:r=25:d=2 -c:v libx264 -g 12 -pix_fmt yuv420p "$T_TMP/s1.mp4" &&
    $FF -f lavfi -i testsrc2=s=176x144:r=25:d=2 -c:v libx264 -g 12 -pix_fmt yuv420p "$T_TMP/s2.mp4" &&
    printf "file '%s'\nfile '%s'\n" "$T_TMP/s1.mp4" "$T_TMP/s2.mp4" > "$T_TMP/s.txt" &&
    $FF -f concat -safe 0 -i "$T_TMP/s.txt" -c copy "$T_TMP/sizes.mkv" ||
        fail "size change clip" "ffmpeg could not make it"
    same_as_cli sizes.mkv "fade=in:0:80" --chunks 6
    rr "$T_TMP/z" -y -w 3 --chunks 6 -an -c:v ffv1 --vf "fade=in:0:80" -o "$T_TMP/z.mkv" "$T_TMP/sizes.mkv"
    # The line names the start of the chunk that met the change first:
    # which one that is depends on the workers' pace (the size changes at 2 s).
    check "a size change before a chunk: made again as one chunk, with the line" "$(cat "$T_TMP/z.err")" \
        grep -qE "^render: warning: .*sizes.mkv: the frame size or format changes before [2-9]\.[0-9]{3} s, .*: rendered again as one chunk$" "$T_TMP/z.err"
fi

if want prime; then
    # setpts with STARTPTS in a chain of frame-local filters: every chunk's
    # graph is first fed a frame at the whole run's first time. A TS that
    # starts late, so that STARTPTS is not 0.
    $FF -i "$T_TMP/prog.mp4" -c:v mpeg2video -q:v 3 -g 12 -bf 2 -output_ts_offset 1.4 "$T_TMP/late.ts" ||
        fail "late TS" "ffmpeg could not make it"
    for g in "setpts=PTS-STARTPTS" "scale=80:60,setpts=(PTS-STARTPTS)/2,hflip" "setpts=PTS-STARTT/TB+2/TB"; do
        same_as_cli late.ts "$g" --chunks 6
    done
    rr "$T_TMP/p" --dry-run -w 3 --vf setpts=PTS-STARTPTS -y "$T_TMP/late.ts"
    check "setpts=PTS-STARTPTS runs in chunks" "$(grep -E '^(plan|chunk contract)' "$T_TMP/p.out")" \
        grep -q "^chunk contract: timeline, exact: setpts takes the whole run's first time" "$T_TMP/p.out"
    # beside a filter that holds frames back: one chunk, with the line
    warns late.ts "tmix,setpts=PTS-STARTPTS" "render: warning: filter 'setpts' needs the time of the \
stream's first frame (expression uses the stream's start): rendered as one chunk"
    same_as_cli late.ts "tmix,setpts=PTS-STARTPTS"
fi

if want contract; then
    warns prog.mp4 reverse "render: warning: filter 'reverse' needs the whole stream: rendered as one chunk"
    warns prog.mp4 "null,tpad=stop=3" "render: warning: filter 'tpad' needs the whole stream: rendered as one chunk"
    # --exact: the recursive filter is the whole-stream run, with the line
    rr "$T_TMP/x" -y -w 3 -an -c:v ffv1 --vf hqdn3d --exact -o "$T_TMP/x.mkv" "$T_TMP/prog.mp4"
    if grep -q "^render: warning: filter 'hqdn3d' .*: rendered as one chunk$" "$T_TMP/x.err"; then
        ok "--exact hqdn3d: one chunk, one line"
    else fail "--exact hqdn3d" "$(head -c 300 "$T_TMP/x.err")"; fi
    same_as_cli prog.mp4 hqdn3d --exact
    # without it: an approximation within the stated bound (60 dB)
    $FF -i "$T_TMP/prog.mp4" -vf hqdn3d -an -c:v ffv1 "$T_TMP/ref.mkv"
    rr "$T_TMP/h" -y -q -w 3 --chunks 6 -an -c:v ffv1 --vf hqdn3d -o "$T_TMP/h.mkv" "$T_TMP/prog.mp4"
    p=$(min_psnr "$T_TMP/ref.mkv" "$T_TMP/h.mkv")
    check "hqdn3d chunked: every frame >= 60 dB (lowest $p)" "lowest $p dB" \
        awk -v p="$p" 'BEGIN { exit !(p == "inf" || p >= 60) }'
    # --dry-run and --report show the contract
    rr "$T_TMP/d" --dry-run -w 3 --vf "yadif=1,tmix" --report "$T_TMP/d.json" -y "$T_TMP/inter.mp4"
    check "--dry-run prints the contract" "$(head -c 300 "$T_TMP/d.out")" \
        grep -q "^chunk contract: " "$T_TMP/d.out"
    check "--report has contract.preroll and postroll" "$(head -c 400 "$T_TMP/d.json")" \
        grep -q '"postroll":' "$T_TMP/d.json"
    rr "$T_TMP/d" --dry-run -w 3 --vf reverse --report "$T_TMP/d.json" -y "$T_TMP/prog.mp4"
    check "--dry-run names the filter that forced one chunk" "$(head -c 300 "$T_TMP/d.out")" \
        grep -q "^chunk contract: whole, one chunk: filter 'reverse'" "$T_TMP/d.out"
fi

finish
