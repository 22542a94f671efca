#!/usr/bin/env bash
# e2e_ffcli10.sh - command lines render once refused or read otherwise than
# the ffmpeg CLI, each against the stock CLI:
#   - a numbered image sequence as OUTPUT (frames/%04d.png), the everyday
#     way to take a video apart, was refused ("render writes one file").
#     It is written now as ffmpeg names it (-start_number, -frame_pts, %%,
#     a directory), its files the CLI's byte for byte at -w 1, 2, 3 and
#     with -c:v copy; nothing is written over without -y (the lowest
#     number is named), never the input, and a run that fails or is
#     interrupted leaves none of its files. -update, -atomic_writing,
#     -strftime and --resume are refused in one line.
#   - -f null (ffmpeg -i IN -f null -, the everyday benchmark line) was
#     refused unless -pass 1: it now decodes, filters and encodes
#     everything (wrapped_avframe unless -c:v) and writes nothing, whatever
#     OUTPUT is named.
#   - x264's note (a user-data SEI with its version and options, in the
#     first packet it codes) came back at every join, where the CLI's file
#     has it once: ffprobe showed it as side data on each chunk's first
#     frame. Later copies are now cut (engine/seidup.c).
#   - render's own --vf and --venc-opt in the ffmpeg form (render -i IN
#     --vf yadif=1 OUT) were read and then dropped: the file had no filter
#     and the encoder not the option, with exit 0.
#
#   RENDER=/abs/path/render bash tests/e2e_ffcli10.sh
# Sections (ONLY="..."): seq, copy, refuse, safe, fail, signal, null, sei, own.
. "$(dirname "$0")/lib.sh"

need_render
W=$T_TMP
IN=$W/in.mp4
FF=(ffmpeg -nostdin -v error)
"${FF[@]}" -f lavfi -i testsrc2=s=160x120:r=25:d=2 -f lavfi -i sine=d=2 -c:v libx264 -g 10 \
    -pix_fmt yuv420p -c:a aac -shortest "$IN" ||
    { fail "inputs" "ffmpeg could not make the test clip"; finish; exit 1; }

# same_files DIR_A DIR_B: the same files (names below the directories),
# byte for byte (echoes the first difference).
same_files() {
    local a=$1 b=$2 f
    (cd "$a" && find . -type f | sort) >"$W/sf.a"
    (cd "$b" && find . -type f | sort) >"$W/sf.b"
    [ -s "$W/sf.a" ] && cmp -s "$W/sf.a" "$W/sf.b" ||
        { echo "$(wc -l <"$W/sf.a") vs $(wc -l <"$W/sf.b") files"; return 1; }
    while read -r f; do
        cmp -s "$a/$f" "$b/$f" || { echo "$f differs"; return 1; }
    done <"$W/sf.a"
}
# only DIR [NAMES...]: the directory holds exactly these names (none: empty).
only() {
    local d=$1; shift
    [ "$(ls -A "$d" | sort | tr '\n' ' ')" = "$(for n in "$@"; do echo "$n"; done | sort | tr '\n' ' ')" ]
}

# seqline NAME PATTERN ARGS...: ffmpeg, then render at -w 1, 2, 3, each in
# a fresh directory, the same files.
seqline() {
    local name=$1 pat=$2 w rc; shift 2
    rm -rf "$W/ff" && mkdir -p "$W/ff/sub"
    (cd "$W/ff" && "${FF[@]}" -i "$IN" "$@" "$pat") ||
        { fail "$name: the CLI runs it" ""; return; }
    for w in 1 2 3; do
        rm -rf "$W/r$w" && mkdir -p "$W/r$w/sub"
        (cd "$W/r$w" && rr "$W/rr" -i "$IN" -w $w "$@" "$pat"); rc=$?
        check "$name -w $w: exit 0" "$(rr_why "$W/rr" $rc)" [ $rc = 0 ]
        check "$name -w $w: the CLI's files" "$(same_files "$W/ff" "$W/r$w")" \
            same_files "$W/ff" "$W/r$w"
    done
}

if want seq; then
    seqline "png" f_%03d.png
    seqline "jpg -q:v 3 -start_number 0, scaled" j_%04d.jpg -q:v 3 -start_number 0 -vf scale=80:60
    seqline "bmp -frame_pts 1, yadif=1" p_%d.bmp -frame_pts 1 -vf yadif=1 -pix_fmt gray
    seqline "a %% in the name, a -frames:v" 'a%%_%02d.png' -frames:v 7
    check "a %% in the name: a%_01.png" "$(ls "$W/r3" | head -3 | tr '\n' ' ')" [ -e "$W/r3/a%_01.png" ]
    seqline "a directory" sub/f_%03d.png -vf fps=5
fi

if want copy; then
    MJ=$W/mj.avi
    "${FF[@]}" -f lavfi -i testsrc=s=160x120:r=25:d=1 -c:v mjpeg "$MJ"
    rm -rf "$W/cf" "$W/cr" && mkdir -p "$W/cf" "$W/cr"
    (cd "$W/cf" && "${FF[@]}" -i "$MJ" -c:v copy m_%03d.jpg)
    (cd "$W/cr" && rr "$W/cp" -i "$MJ" -c:v copy m_%03d.jpg); rc=$?
    check "-c:v copy into a sequence: exit 0" "$(rr_why "$W/cp" $rc)" [ $rc = 0 ]
    check "-c:v copy into a sequence: the CLI's files" "$(same_files "$W/cf" "$W/cr")" \
        same_files "$W/cf" "$W/cr"
fi

if want refuse; then
    d=$W/ref; mkdir -p "$d"
    for o in "-update 1" "-atomic_writing 1" "-strftime 1" "--resume"; do
        (cd "$d" && rr "$W/rf" -i "$IN" $o x_%03d.png); rc=$?
        check "$o with a sequence: refused in one line" "$(rr_why "$W/rf" $rc)" \
            eval '[ $rc != 0 ] && [ "$(wc -l <"$W/rf.err")" = 1 ] && grep -q -- "${o%% *}" "$W/rf.err"'
        check "$o: nothing written" "$(has "$d")" only "$d"
    done
    (cd "$d" && rr "$W/rf" -i "$IN" x.png); rc=$?
    check "many frames into one picture's name: refused, says %d" "$(rr_why "$W/rf" $rc)" \
        eval '[ $rc != 0 ] && grep -q "%04d" "$W/rf.err"'
fi

if want safe; then
    d=$W/safe; rm -rf "$d"; mkdir -p "$d"
    (cd "$d" && rr "$W/s1" -i "$IN" -frames:v 10 s_%02d.png); rc=$?
    check "first run: 10 files" "$(rr_why "$W/s1" $rc)" eval '[ $rc = 0 ] && [ "$(ls "$d" | wc -l)" = 10 ]'
    touch -d '2001-01-01' "$d"/s_*.png
    (cd "$d" && rr "$W/s2" -i "$IN" -frames:v 10 -vf negate s_%02d.png); rc=$?
    check "again without -y: refused, the lowest number named" "$(rr_why "$W/s2" $rc)" \
        eval '[ $rc = 1 ] && grep -q "s_01.png: already exists, as do 9 more" "$W/s2.err"'
    check "again without -y: no file touched" "$(ls -l --time-style=+%Y "$d" | head -3)" \
        eval '[ -z "$(find "$d" -type f -newermt 2002-01-01)" ] && [ "$(ls -A "$d" | wc -l)" = 10 ]'
    (cd "$d" && rr "$W/s3" -i "$IN" -frames:v 10 -start_number 11 s_%02d.png); rc=$?
    check "numbers past the files there: written" "$(rr_why "$W/s3" $rc)" \
        eval '[ $rc = 0 ] && [ -e "$d/s_20.png" ] && [ "$(ls -A "$d" | wc -l)" = 20 ]'
    touch -d '2001-01-01' "$d"/s_*.png
    (cd "$d" && rr "$W/s4" -y -i "$IN" -frames:v 10 -vf negate s_%02d.png); rc=$?
    check "with -y: replaced" "$(rr_why "$W/s4" $rc)" \
        eval '[ $rc = 0 ] && [ "$(find "$d" -type f -newermt 2002-01-01 | wc -l)" = 10 ]'
    # the input is a file the pattern names
    cp "$d/s_01.png" "$d/in_005.png"
    (cd "$d" && rr "$W/s5" -y -i in_005.png in_%03d.png); rc=$?
    check "-y over the input itself: refused" "$(rr_why "$W/s5" $rc)" \
        eval '[ $rc != 0 ] && grep -q "in_005.png would write over the input" "$W/s5.err" && cmp -s "$d/s_01.png" "$d/in_005.png"'
    (cd "$d" && rr "$W/s6" -y -i s_%02d.png -vf negate s_%02d.png); rc=$?
    check "-y over the input's own sequence: refused" "$(rr_why "$W/s6" $rc)" \
        eval '[ $rc != 0 ] && grep -q "input.s own sequence" "$W/s6.err"'
    check "nothing left but the files" "$(has "$d")" eval '[ -z "$(ls -A "$d" | grep part-)" ]'
fi

if want fail; then
    # A file that appears at frame 12's name while the run goes: the run
    # fails naming it, and takes back every file it wrote; the planted one stays.
    shim=$W/killrename.so
    ${CC:-cc} -shared -fPIC -o "$shim" "$T_ROOT/tests/tools/killrename.c" -ldl 2>"$W/cc.err"
    # (a sanitizer build wants its runtime first among the preloads: the
    # shim before it is harmless, the check is turned off)
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
    check "the shim builds" "$(head -c 200 "$W/cc.err")" [ -s "$shim" ]
    d=$W/fail; rm -rf "$d"; mkdir -p "$d"
    (cd "$d" && LD_PRELOAD=$shim RD_PLANT_AT_RENAME=f_012.png rr "$W/f1" -i "$IN" -w 2 f_%03d.png); rc=$?
    check "a file appeared meanwhile: exit 1, named" "$(rr_why "$W/f1" $rc)" \
        eval '[ $rc = 1 ] && grep -q "f_012.png: already exists" "$W/f1.err"'
    check "the run's own files taken back, the other kept" "$(has "$d")" only "$d" f_012.png
    (cd "$d" && LD_PRELOAD=$shim RD_PLANT_AT_RENAME=f_030.png rr "$W/f2" -y -i "$IN" -w 2 f_%03d.png); rc=$?
    check "with -y the same file is replaced: exit 0, 50 files" "$(rr_why "$W/f2" $rc)" \
        eval '[ $rc = 0 ] && [ "$(ls "$d" | wc -l)" = 50 ] && [ -s "$d/f_030.png" ]'
fi

if want signal; then
    # SIGINT once files are being written: none left (a slow graph, many
    # chunks: the run lasts seconds on two cores, its files come chunk by chunk).
    d=$W/sig; rm -rf "$d"; mkdir -p "$d"
    "${FF[@]}" -f lavfi -i testsrc2=s=320x240:r=25:d=10 -c:v libx264 -g 25 "$W/long.mp4"
    start_bg "$W/g" -i "$W/long.mp4" -w 2 --chunks 20 -vf "scale=1280:960,unsharp=13:13:3" "$d/g_%03d.png"
    wait_file "$d/g_0*.png" 200
    kill -INT -"$PID" 2>/dev/null
    wait_gone "$PID" 300
    check "SIGINT: exit 130" "rc $RC, $(head -c 200 "$W/g.err")" [ "$RC" = 130 ]
    check "SIGINT: no file of the run left" "$(has "$d")" only "$d"
fi

if want null; then
    d=$W/null; mkdir -p "$d"
    nf=$(ffprobe -v error -count_frames -select_streams v -show_entries stream=nb_read_frames -of csv=p=0 "$IN")
    for o in "-" "/dev/null" "$d/out.mkv"; do
        for a in "" "-vf hqdn3d -c:v libx264" "-c copy"; do
            # shellcheck disable=SC2086
            (cd "$d" && rr "$W/n" -i "$IN" $a -f null "$o" --report "$W/n.json"); rc=$?
            fo=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['frames_out'])" "$W/n.json" 2>/dev/null)
            check "-f null $o ${a:-(defaults)}: exit 0, $fo frames (the input's $nf), nothing written" \
                "$(rr_why "$W/n" $rc); $(has "$d")" \
                eval '[ $rc = 0 ] && [ "$fo" = "$nf" ] && [ -z "$(ls -A "$d")" ] && ! grep -q warning "$W/n.err"'
            rm -f "$W/n.json"
        done
    done
    rr "$W/n" -i "$IN" -f null - --resume; rc=$?
    check "-f null --resume: refused" "$(rr_why "$W/n" $rc)" eval '[ $rc = 2 ] && grep -q "nothing to resume" "$W/n.err"'
fi

if want sei; then
    d=$W/sei; mkdir -p "$d"
    notes() { ffprobe -v error -select_streams v -show_frames -show_entries frame_side_data=side_data_type "$1" |
              grep -c "User Data Unregistered"; }
    for ext in mp4 mkv ts; do
        "${FF[@]}" -i "$IN" -c:v libx264 -qp 0 -an "$d/ff.$ext"
        rr "$W/se" -i "$IN" -w 3 --chunks 3 -c:v libx264 -qp 0 -an "$d/r.$ext"; rc=$?
        v_frames "$d/ff.$ext" "$W/sea"; v_frames "$d/r.$ext" "$W/seb"
        check "x264 into .$ext, 3 chunks: the note on $(notes "$d/r.$ext") frame(s), as the CLI's $(notes "$d/ff.$ext")" \
            "$(rr_why "$W/se" $rc)" eval '[ $rc = 0 ] && [ "$(notes "$d/r.$ext")" = "$(notes "$d/ff.$ext")" ]'
        check "x264 into .$ext, 3 chunks: the CLI's frames and times" "" \
            eval 'same_lines "$W/sea.md5" "$W/seb.md5" && same_lines "$W/sea.t" "$W/seb.t"'
    done
fi

if want own; then
    d=$W/own; mkdir -p "$d"
    "${FF[@]}" -i "$IN" -vf yadif=1 -c:v ffv1 -an "$d/ff.mkv"
    rr "$W/o1" -i "$IN" --vf yadif=1 -c:v ffv1 -an "$d/r.mkv"; rc=$?
    v_frames "$d/ff.mkv" "$W/ofa"; v_frames "$d/r.mkv" "$W/ofb"
    check "--vf in the ffmpeg form: the CLI's -vf frames" "$(rr_why "$W/o1" $rc)" \
        eval '[ $rc = 0 ] && same_lines "$W/ofa.md5" "$W/ofb.md5" && same_lines "$W/ofa.t" "$W/ofb.t"'
    rr "$W/o2" -i "$IN" --vf yadif=1 -vf null "$d/r2.mkv"; rc=$?
    check "--vf and -vf: refused" "$(rr_why "$W/o2" $rc)" eval '[ $rc = 2 ] && [ ! -e "$d/r2.mkv" ]'
    "${FF[@]}" -i "$IN" -crf 45 -an "$d/ff.mp4"
    rr "$W/o3" -i "$IN" --venc-opt crf=45 -an "$d/r.mp4"; rc=$?
    a=$(size "$d/ff.mp4"); b=$(size "$d/r.mp4")
    check "--venc-opt in the ffmpeg form: used (crf=45: $b bytes, the CLI's -crf 45 $a)" \
        "$(rr_why "$W/o3" $rc)" eval '[ $rc = 0 ] && [ $((b * 10)) -lt $((a * 13)) ] && [ $((b * 13)) -gt $((a * 10)) ]'
    rr "$W/o4" -i "$IN" --venc-opt nosuch=1 "$d/r4.mp4"; rc=$?
    check "--venc-opt unknown: refused" "$(rr_why "$W/o4" $rc)" eval '[ $rc != 0 ] && grep -q nosuch "$W/o4.err"'
fi

finish
