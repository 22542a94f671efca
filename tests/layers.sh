#!/usr/bin/env bash
# The layers of src/ (docs/LAYOUT.md): dependencies run one way.
#
#   io  <  streams  <  engine  <  ui, sweep  <  cli.c, main.c  <  mpi
#
# A file may include headers of its own folder and of lower layers only;
# ui and sweep sit side by side and do not include each other; gen/ stands
# alone. Includes always name the subsystem ("engine/chunk.h"); a bare name
# is a top-level header (cli.h, version.h). One check per source file, and
# first a check that the checker itself catches a planted upward include.
set -u
cd "$(dirname "$0")/.."

rank() {
    case "$1" in
        io) echo 0 ;; streams) echo 1 ;; engine) echo 2 ;;
        ui|sweep) echo 3 ;; top) echo 4 ;; mpi) echo 5 ;; gen) echo 9 ;;
        *) echo -1 ;;
    esac
}

# Print the offending includes of FILE (path relative to ROOT/src), if any.
violations() {
    local root=$1 file=$2 dir inc folder r_own r_inc
    dir=${file%/*}
    [ "$dir" = "$file" ] && dir=top
    r_own=$(rank "$dir")
    while IFS= read -r inc; do
        case "$inc" in
            */*) folder=${inc%%/*} ;;
            *) folder=top ;;
        esac
        [ "$folder" = "$dir" ] && continue
        r_inc=$(rank "$folder")
        if [ "$dir" = gen ] || [ "$folder" = gen ] || [ "$r_inc" -lt 0 ] ||
           [ "$r_inc" -ge "$r_own" ]; then
            echo "$file includes \"$inc\""
        fi
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$root/src/$file")
}

pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# The checker must catch an upward include (io including the engine) and a
# sideways one (ui including sweep).
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src/io" "$tmp/src/ui"
printf '#include "engine/chunk.h"\n' > "$tmp/src/io/x.c"
printf '#include "sweep/sweep.h"\n#include "engine/report.h"\n' > "$tmp/src/ui/y.c"
[ -n "$(violations "$tmp" io/x.c)" ] && ok || bad "checker missed io -> engine"
[ "$(violations "$tmp" ui/y.c | wc -l)" -eq 1 ] && ok || bad "checker missed ui -> sweep, or refused ui -> engine"

n=0
while IFS= read -r f; do
    rel=${f#src/}
    n=$((n + 1))
    out=$(violations . "$rel")
    if [ -z "$out" ]; then ok; else bad "$out"; fi
done < <(find src -name '*.[ch]' | sort)
[ "$n" -gt 50 ] && ok || bad "only $n source files found"

echo "layers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
