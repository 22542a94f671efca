#!/usr/bin/env bash
# e2e_render.sh - hold ./render to its invariants (frame-exact, audio, orientation) on nasty inputs,
# with the stock ffmpeg/ffprobe as the independent oracle.
#
#   RENDER=/abs/path/render bash tests/e2e_render.sh     (cwd: anywhere)
#
# Each check prints "ok - NAME" or "FAIL - NAME (detail)"; the last line is
# "N passed, N failed"; the exit status is non-zero when anything failed.
. "$(dirname "$0")/lib.sh"

need_fixtures
need_render

FX=$FIXTURES
W=$T_TMP
# Frame times agree within 1 ms: Matroska stores milliseconds, so each side
# may be rounded by half of one.
TOL_PTS=0.0011
TOL_AV=0.030

# --- the fixtures are what they claim (checks the oracle, not render) --------

fx_vfr() {   # frame intervals really vary
    v_times "$FX/$1" | awk 'NR > 1 { d = sprintf("%.3f", $1 - p); s[d] } { p = $1 }
                            END { n = 0; for (k in s) n++; exit !(n >= 3) }'
}
fx_open_gop() {   # a keyframe followed in decode order by a frame shown before it
    ffprobe -v error -select_streams v:0 -show_entries packet=pts_time,flags -of csv=p=0 "$FX/$1" |
        awk -F, 'k != "" && $1 + 0 < k { found = 1 } { k = "" }
                 $2 ~ /K/ && NR > 1 { k = $1 + 0 } END { exit !found }'
}
fx_hevc_cra() {   # CRA keyframes with RASL leading pictures (NAL types 21 and 8/9)
    ffmpeg -nostdin -hide_banner -i "$FX/hevc10.mkv" -c copy -bsf:v trace_headers -f null - 2>&1 |
        awk '/nal_unit_type/ { t = $NF; c[t]++ } END { exit !(c[21] > 0 && c[8] + c[9] > 0) }'
}
fx_editlist() {   # packets the edit list hides (discard flag), and an elst box
    ffprobe -v error -select_streams v:0 -show_entries packet=flags -of csv=p=0 "$FX/editlist.mp4" |
        grep -q D && grep -q elst "$FX/editlist.mp4"
}
fx_ts_start() {
    probe "$FX/start.ts" format=start_time | awk '{ exit !($1 > 1.3 && $1 < 1.6) }'
}
fx_rotation() {
    [ "$(probe "$FX/rotated.mp4" stream_side_data=rotation -select_streams v:0)" = 90 ]
}
fx_truncated() {   # the index promises more frames than decode
    local n
    n=$(v_md5 "$FX/trunc_faststart.mp4" | wc -l)
    [ "$n" -lt "$(probe "$FX/trunc_faststart.mp4" stream=nb_frames -select_streams v:0)" ]
}

s_fixtures() {
    check "fixture vfr.mp4 is variable frame rate" "fewer than 3 distinct frame intervals" fx_vfr vfr.mp4
    check "fixture vfr.mkv is variable frame rate" "fewer than 3 distinct frame intervals" fx_vfr vfr.mkv
    check "fixture opengop.mp4 has open GOPs" "no leading frames after a keyframe" fx_open_gop opengop.mp4
    check "fixture hevc10.mkv has CRA + RASL" "no NAL types 21 and 8/9" fx_hevc_cra
    check "fixture hevc10.mkv is 10-bit" "pix_fmt $(probe "$FX/hevc10.mkv" stream=pix_fmt)" \
        [ "$(probe "$FX/hevc10.mkv" stream=pix_fmt -select_streams v:0)" = yuv420p10le ]
    check "fixture editlist.mp4 has an edit list" "no discarded packets or no elst" fx_editlist
    check "fixture start.ts starts near 1.4 s" "start_time $(probe "$FX/start.ts" format=start_time)" fx_ts_start
    check "fixture rotated.mp4 has rotation 90" "no display matrix" fx_rotation
    check "fixture three.mp4 has 3 frames" "" [ "$(v_md5 "$FX/three.mp4" | wc -l)" -eq 3 ]
    check "fixture trunc_faststart.mp4 decodes short" "decodes all frames" fx_truncated
}

# --- 1. frame-exact ----------------------------------------------------------
# Decoded pixels (framemd5, md5 column only) must equal the input's decode.
#
# Frame times are compared relative to each file's first video frame. Not
# absolute: libavformat itself moves the whole output when a copied audio
# stream starts before zero (AAC priming: the Matroska muxer shifts every
# stream up by ~23 ms, exactly as `ffmpeg -i in.mp4 -c:a copy out.mkv`
# does), and the input side may start anywhere (MPEG-TS near 1.4 s, WebM
# at -7 ms). Relative times still catch every dropped, duplicated, shifted
# or re-timed frame (VFR flattened to CFR); where the video sits against the
# audio is the A/V offset check in section 2.

# v_format FILE: "WIDTH,HEIGHT,PIX_FMT" of the first video stream.
v_format() {
    ffprobe -v error -select_streams v:0 -show_entries stream=width,height,pix_fmt \
        -of csv=p=0 "$1" | head -n 1 | cut -d, -f1-3
}

# frame_exact TAG INPUT WORKERS RENDER_ARGS...
frame_exact() {
    local tag=$1 in=$2 w=$3; shift 3
    local out=$W/fe.mkv ref=$W/ref.$(basename "$in")
    rm -f "$out"
    if [ ! -e "$ref.md5" ]; then
        v_frames "$in" "$ref"
        v_format "$in" >"$ref.fmt"
    fi
    local rc=0
    rr "$W/fe" "$in" --vf null -c:v ffv1 -o "$out" -y -q -w "$w" "$@" || rc=$?
    if [ $rc -ne 0 ] || [ ! -s "$out" ]; then
        fail "frame-exact $tag: render" "$(rr_why "$W/fe" $rc)"
        return
    fi
    local why
    v_frames "$out" "$W/out"
    if why=$(same_lines "$ref.md5" "$W/out.md5"); then ok "frame-exact $tag: pixels"
    else fail "frame-exact $tag: pixels" "framemd5 $why"; fi
    if why=$(same_times "$ref.t" "$(head -n 1 "$ref.t")" "$W/out.t" "$(head -n 1 "$W/out.t")" $TOL_PTS)
    then ok "frame-exact $tag: timestamps"
    else fail "frame-exact $tag: timestamps" "relative pts: $why"; fi
    local fin fout
    fin=$(cat "$ref.fmt")
    fout=$(v_format "$out")
    if [ "$fin" = "$fout" ]; then ok "frame-exact $tag: size and pix_fmt"
    else fail "frame-exact $tag: size and pix_fmt" "input $fin, output $fout"; fi
}


s_frame() {
    VIDEO_FIXTURES="cfr.mp4 vfr.mp4 vfr.mkv opengop.mp4 longgop.mp4 editlist.mp4 start.ts
                    hevc10.mkv odd444.mkv rotated.mp4 three.mp4 vp9.webm noaudio.mp4"
    for f in $VIDEO_FIXTURES; do
        for w in 1 2 3 8; do
            frame_exact "$f -w $w" "$FX/$f" $w
        done
    done
    frame_exact "longgop.mp4 -w 3 --chunks 7" "$FX/longgop.mp4" 3 --chunks 7
    frame_exact "vfr.mkv -w 2 --chunks 7" "$FX/vfr.mkv" 2 --chunks 7
    frame_exact "opengop.mp4 -w 2 --chunks 7" "$FX/opengop.mp4" 2 --chunks 7
    # Chunks shorter than a GOP: one inside the last, open GOP.
    frame_exact "opengop.mp4 -w 2 --chunks 19" "$FX/opengop.mp4" 2 --chunks 19
    # One frame per chunk, variable frame rate.
    frame_exact "vfr.mp4 -w 2 --chunks 75" "$FX/vfr.mp4" 2 --chunks 75
}

# Rotation is carried as side data (not applied to the pixels) into MP4.
s_rotation() {
    rc=0
    rr "$W/rot" "$FX/rotated.mp4" --vf null -w 2 -q -y -o "$W/rot.mp4" || rc=$?
    if [ $rc -ne 0 ]; then
        fail "rotation kept in mp4" "$(rr_why "$W/rot" $rc)"
    else
        got=$(ffprobe -v error -select_streams v:0 \
            -show_entries stream=width,height:stream_side_data=rotation -of csv=p=0 "$W/rot.mp4")
        check "rotation kept in mp4" "expected 320,240,90 (stored size, display matrix), got $got" \
            [ "$got" = "320,240,90" ]
    fi
}

# --- 2. audio, with the default workload (hqdn3d + libx264) into MP4 -----------


s_audio() {
    AUDIO_FIXTURES="cfr.mp4 vfr.mp4 vfr.mkv opengop.mp4 longgop.mp4 editlist.mp4 start.ts
                    hevc10.mkv rotated.mp4 vp9.webm"
    for f in $AUDIO_FIXTURES; do
        in=$FX/$f out=$W/av.mp4
        rm -f "$out"
        rc=0
        rr "$W/av" "$in" -w 2 -q -y -o "$out" || rc=$?
        if [ $rc -ne 0 ] || [ ! -s "$out" ]; then
            fail "audio $f: render" "$(rr_why "$W/av" $rc)"
            continue
        fi
        errs=$(ffmpeg -nostdin -v error -i "$out" -f null - 2>&1 | head -c 300 | tr '\n' '|')
        check "audio $f: output decodes cleanly" "ffmpeg -v error says: $errs" [ -z "$errs" ]

        read -r ain_s ain_e <<<"$(a_span "$in")"
        read -r aout_s aout_e <<<"$(a_span "$out")"
        if [ -z "${aout_s:-}" ]; then
            fail "audio $f: duration" "no audio stream in the output"
            continue
        fi
        vin=$(v_times "$in" | head -n 1)
        vout=$(v_times "$out" | head -n 1)
        d=$(awk -v a="$ain_s" -v b="$ain_e" -v c="$aout_s" -v e="$aout_e" \
            'BEGIN { printf "%.4f %.4f", b - a, e - c }')
        read -r din dout <<<"$d"
        check "audio $f: duration within 30 ms" "input $din s, output $dout s" \
            near "$din" "$dout" $TOL_AV
        # A/V offset: where the first audio sample sits against the first frame.
        o=$(awk -v a="$ain_s" -v v="$vin" -v c="$aout_s" -v u="$vout" \
            'BEGIN { printf "%.4f %.4f", a - v, c - u }')
        read -r oin oout <<<"$o"
        check "audio $f: A/V offset within 30 ms" "audio start - video start: input $oin s, output $oout s" \
            near "$oin" "$oout" $TOL_AV
        nin=$(v_times "$in" | wc -l)
        nout=$(v_times "$out" | wc -l)
        check "audio $f: same frame count" "input $nin, output $nout" [ "$nin" -eq "$nout" ]
        if [ "$f" = hevc10.mkv ]; then
            pf=$(probe "$out" stream=pix_fmt -select_streams v:0)
            check "10-bit stays 10-bit with libx264" "output pix_fmt $pf" [ "$pf" = yuv420p10le ]
        fi
    done
}

s_acodec() {
    local rc=0
    rr "$W/anone" "$FX/cfr.mp4" --vf null -c:a none -w 2 -q -y -o "$W/anone.mp4" || rc=$?
    if [ $rc -ne 0 ]; then fail "-c:a none" "$(rr_why "$W/anone" $rc)"
    else
        check "-c:a none: no audio stream" "audio found" \
            [ -z "$(probe "$W/anone.mp4" stream=index -select_streams a)" ]
    fi
    rc=0
    rr "$W/aaac" "$FX/vp9.webm" --vf null -c:a aac -w 2 -q -y -o "$W/aaac.mp4" || rc=$?
    if [ $rc -ne 0 ]; then fail "-c:a aac" "$(rr_why "$W/aaac" $rc)"
    else
        local c
        c=$(probe "$W/aaac.mp4" stream=codec_name -select_streams a:0)
        check "-c:a aac: Opus re-encoded to AAC" "audio codec '$c'" [ "$c" = aac ]
    fi
}

# --- 3. temporal filter joins ------------------------------------------------
# hqdn3d carries state from frame to frame; a chunk that starts cold differs
# from the one-chunk run for a few frames. On this noisy clip a cold join
# scores ~44.8 dB (measured with ffmpeg trim), an 8-frame pre-roll > 85 dB.


s_temporal() {
    rc=0
    rr "$W/tf1" "$FX/noisy.mp4" --vf hqdn3d -c:v ffv1 -o "$W/tf_a.mkv" -y -q --chunks 1 -w 1 || rc=$?
    rc2=0
    rr "$W/tf8" "$FX/noisy.mp4" --vf hqdn3d -c:v ffv1 -o "$W/tf_b.mkv" -y -q -w 2 || rc2=$?
    if [ $rc -ne 0 ] || [ $rc2 -ne 0 ]; then
        fail "hqdn3d joins >= 45 dB" "one chunk: $(rr_why "$W/tf1" $rc); -w 2: $(rr_why "$W/tf8" $rc2)"
    else
        na=$(v_md5 "$W/tf_a.mkv" | wc -l)
        nb=$(v_md5 "$W/tf_b.mkv" | wc -l)
        # psnr pairs frames by timestamp; "inf" means identical.
        psnr=$(ffmpeg -nostdin -v error -i "$W/tf_b.mkv" -i "$W/tf_a.mkv" \
            -lavfi psnr=stats_file=- -f null - 2>/dev/null |
            awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^psnr_avg:/) {
                       v = substr($i, 10); n++
                       x = (v == "inf") ? 1e9 : v + 0
                       if (min == "" || x < min) { min = x; at = n } } }
                 END { if (min == "") print "none"
                       else printf "%s %d %d\n", (min >= 1e9 ? "inf" : sprintf("%.2f", min)), at, n }')
        read -r pmin pat pn <<<"$psnr"
        echo "# hqdn3d joins: minimum PSNR ${pmin} dB (frame ${pat:-?} of ${pn:-0}), frames $nb vs $na"
        check "hqdn3d joins: same frame count" "8 chunks $nb, one chunk $na" [ "$na" -eq "$nb" ]
        check "hqdn3d joins >= 45 dB" "minimum ${pmin} dB at frame ${pat:-?}" \
            awk -v m="$pmin" 'BEGIN { exit !(m == "inf" || (m != "none" && m + 0 >= 45)) }'
    fi
}

# --- 4. the default workload on the default small asset ---------------------


s_small() {
    SMALL=assets/small.mp4
    if [ ! -e "$SMALL" ]; then
        fail "default workload on $SMALL" "missing; run make assets"
    else
        rc=0
        rr "$W/small" "$SMALL" -w 2 -q -y -o "$W/small.mp4" || rc=$?
        if [ $rc -ne 0 ]; then
            fail "default workload on $SMALL" "$(rr_why "$W/small" $rc)"
        else
            errs=$(ffmpeg -nostdin -v error -i "$W/small.mp4" -f null - 2>&1 | head -c 300 | tr '\n' '|')
            check "default workload on $SMALL: valid mp4" "ffmpeg -v error says: $errs" [ -z "$errs" ]
            nin=$(v_times "$SMALL" | wc -l)
            nout=$(v_times "$W/small.mp4" | wc -l)
            check "default workload on $SMALL: same frame count" "input $nin, output $nout" \
                test "$nin" -gt 0 -a "$nin" -eq "$nout"
        fi
    fi
}

# --- 5. --report ---------------------------------------------------------------
# render-report/1: phase times and one entry per chunk. The key names are
# looked up loosely (any list of chunk objects, any "probe"/"plan"/...
# number) so the check holds the content, not the spelling.

report_ok() {   # FILE CHUNKS [THREADS] [SCHEDULE]
    command -v python3 >/dev/null || { report_ok_grep "$@"; return; }
    python3 - "$@" <<'EOF'
import json, sys
path, nchunks = sys.argv[1], int(sys.argv[2])
threads = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] else None
sched = sys.argv[4] if len(sys.argv) > 4 else None
try:
    r = json.load(open(path))
except Exception as e:
    print("not JSON: %s" % e); sys.exit(1)
nums, lists, strs = {}, [], {}
def walk(o, k=""):
    if isinstance(o, dict):
        for a, b in o.items(): walk(b, a)
    elif isinstance(o, list):
        if o and all(isinstance(x, dict) for x in o): lists.append((k, o))
        for x in o: walk(x, k)
    elif isinstance(o, (int, float)) and not isinstance(o, bool): nums.setdefault(k, o)
    elif isinstance(o, str): strs.setdefault(k, o)
walk(r)
bad = []
for ph in ("probe", "plan", "parallel", "merge", "total"):
    if not any(ph in k for k in nums): bad.append("no %s time" % ph)
chunks = [l for k, l in lists if "chunk" in k]
if not chunks: bad.append("no chunk list")
elif len(chunks[0]) != nchunks: bad.append("%d chunk entries, expected %d" % (len(chunks[0]), nchunks))
if threads is not None and nums.get("threads") != threads:
    bad.append("threads %s, expected %d" % (nums.get("threads"), threads))
if sched and sched not in str(strs.get("schedule", "")):
    bad.append("schedule %r, expected %s" % (strs.get("schedule"), sched))
if bad: print("; ".join(bad)); sys.exit(1)
EOF
}

# Without python3: the render-report/1 names as render writes them today.
report_ok_grep() {
    local f=$1 n=$2 k bad=""
    for k in probe_s plan_s parallel_s merge_tail_s total_s; do
        grep -q "\"$k\"" "$f" || bad="$bad no $k;"
    done
    [ "$(grep -o '"media_start_s"' "$f" | wc -l)" -eq "$n" ] || bad="$bad not $n chunk entries;"
    [ -z "${3:-}" ] || grep -q "\"threads\":[[:space:]]*$3[,}[:space:]]" "$f" || bad="$bad threads not $3;"
    [ -z "${4:-}" ] || grep -q "\"schedule\":[[:space:]]*\"$4" "$f" || bad="$bad schedule not $4;"
    [ -z "$bad" ] || { echo "$bad"; return 1; }
}

s_report() {
    rc=0
    rr "$W/rep" "$FX/cfr.mp4" --vf null -c:v ffv1 -w 2 --chunks 5 -q -y -o "$W/rep.mkv" --report "$W/rep.json" || rc=$?
    if [ $rc -ne 0 ]; then fail "--report" "$(rr_why "$W/rep" $rc)"
    elif why=$(report_ok "$W/rep.json" 5); then ok "--report: JSON with phases and 5 chunks"
    else fail "--report: JSON with phases and 5 chunks" "$why"; fi
    if [ $rc -eq 0 ]; then
        check "--report: every chunk's thread CPU time, within its wall time" \
            "$(grep -o '"cpu_s":[^,}]*' "$W/rep.json" | tr '\n' ' ')" json_ok "$W/rep.json" \
            'all(0 < c["cpu_s"] <= c["end_s"] - c["start_s"] + 0.01 for c in d["chunks_detail"])'
    fi

    # --dry-run: the plan for 64 workers on any machine, and no file but the report.
    mkdir -p "$W/dry"
    rc=0
    rr "$W/dryr" "$FX/cfr.mp4" --dry-run -w 64 -o "$W/dry/out.mkv" --report "$W/dry/plan.json" || rc=$?
    check "--dry-run -w 64: exit 0" "$(rr_why "$W/dryr" $rc)" [ $rc -eq 0 ]
    check "--dry-run: writes no OUTPUT and no temporary file" "dir has: $(ls -A "$W/dry" | tr '\n' ' ')" \
        [ "$(ls -A "$W/dry")" = "plan.json" ]
    check "--dry-run: prints the plan's chunks" "$(head -c 300 "$W/dryr.out")" \
        grep -q "media_start_s" "$W/dryr.out"
    local frames
    frames=$(probe "$FX/cfr.mp4" stream=nb_read_frames -count_frames -select_streams v:0)
    check "--dry-run --report: planned chunks cover the $frames frames, in order" \
        "$(head -c 400 "$W/dry/plan.json")" json_ok "$W/dry/plan.json" \
        "d['dry_run'] and d['workers_requested'] == 64 and d['chunks'] == len(d['chunks_detail']) > 1 and
         sum(c['frames'] for c in d['chunks_detail']) == $frames and
         all(a['media_end_s'] == b['media_start_s'] for a, b in zip(d['chunks_detail'], d['chunks_detail'][1:])) and
         all(c['wasted_frames'] >= 0 and 0 < c['cost_share'] < 1 for c in d['chunks_detail']) and
         d['predicted_speedup'] > 1"
    # A graph far slower than opening a chunk (nlmeans) gets small chunks:
    # 1 s of cfr.mp4 is one GOP, and 2 workers still get more than 2 chunks.
    rr "$W/dryh" "$FX/cfr.mp4" --dry-run -w 2 -t 1 --vf nlmeans=s=3 -o "$W/dry/h.mkv" \
        --report "$W/dry/heavy.json"
    check "--dry-run: a heavy graph is measured and gets chunks of a few frames" \
        "$(head -c 400 "$W/dry/heavy.json")" json_ok "$W/dry/heavy.json" \
        "d['filter_frame_s'] > d['chunk_open_s'] > 0 and d['chunks'] > 2"
    rm -f "$W/dry/heavy.json"

    # The machine's ceiling in a sweep: p independent one-thread renders at once.
    rc=0
    rr "$W/swc" "$FX/cfr.mp4" --sweep 1,2 --repeat 1 -t 1 --ceiling 0.5 --vf null -c:v ffv1 \
        -o "$W/dry/sweep.mkv" -q --export "$W/dry/sweep.json" || rc=$?
    check "--sweep with --ceiling: exit 0" "$(rr_why "$W/swc" $rc)" [ $rc -eq 0 ]
    check "--sweep: ceiling at 1 and 2 workers, efficiency against it" \
        "$(head -c 300 "$W/dry/sweep.json" 2>/dev/null)" json_ok "$W/dry/sweep.json" \
        "[c['workers'] for c in d['ceiling']] == [1, 2] and d['ceiling'][0]['speedup'] == 1 and
         d['ceiling'][1]['speedup'] > 0 and d['ceiling_s'] == 0.5 and
         all(r['efficiency_vs_ceiling'] > 0 for r in d['runs'])"
    check "--sweep: the ceiling's scratch files are gone" "$(ls -a "$W/dry" | tr '\n' ' ')" \
        sh -c '! ls -a "$1" | grep -q "\.render-sweep-"' _ "$W/dry"
}

# json_ok FILE EXPR: EXPR (Python, on the parsed file as d) is true. Without
# python3 the check passes only if the file parses as far as grep can tell.
json_ok() {
    if command -v python3 >/dev/null; then
        python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$1" "$2"
    else
        grep -q '"schema"' "$1"
    fi
}

# --- 6. OpenMP environment ---------------------------------------------------

s_omp() {
    rc=0
    OMP_NUM_THREADS=2 rr "$W/omp" "$FX/cfr.mp4" --vf null -c:v ffv1 -q -y -o "$W/omp.mkv" \
        --chunks 4 --report "$W/omp.json" || rc=$?
    if [ $rc -ne 0 ]; then fail "OMP_NUM_THREADS=2" "$(rr_why "$W/omp" $rc)"
    elif why=$(report_ok "$W/omp.json" 4 2); then ok "OMP_NUM_THREADS=2: runs 2 threads"
    else fail "OMP_NUM_THREADS=2: runs 2 threads" "$why"; fi

    rc=0
    OMP_SCHEDULE=static rr "$W/sched" "$FX/cfr.mp4" --vf null -c:v ffv1 -w 2 -q -y -o "$W/sched.mkv" \
        --chunks 4 --report "$W/sched.json" || rc=$?
    if [ $rc -ne 0 ]; then fail "OMP_SCHEDULE=static" "$(rr_why "$W/sched" $rc)"
    elif why=$(report_ok "$W/sched.json" 4 "" static); then
        v_md5 "$W/sched.mkv" >"$W/sched.md5"
        v_md5 "$FX/cfr.mp4" >"$W/cfr.md5"
        if why=$(same_lines "$W/cfr.md5" "$W/sched.md5"); then ok "OMP_SCHEDULE=static: static schedule, same frames"
        else fail "OMP_SCHEDULE=static: static schedule, same frames" "framemd5 $why"; fi
    else fail "OMP_SCHEDULE=static: static schedule, same frames" "$why"; fi
}

# ONLY="audio temporal" runs just those sections (names: the s_* above).
for sec in fixtures frame rotation audio acodec temporal small report omp; do
    want "$sec" && "s_$sec"
done

finish
