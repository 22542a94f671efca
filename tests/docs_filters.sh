#!/usr/bin/env bash
# docs_filters.sh - docs/FILTERS.md ends with the filter table as
# src/engine/filtertab.c has it (printed by tests/tools/filtertab_md.c).
#
#   bash tests/docs_filters.sh TOOL            check (make test)
#   bash tests/docs_filters.sh --write TOOL    rewrite the page's table (make docs-filters)
set -u
cd "$(dirname "$0")/.." || exit 1
write=0
[ "${1:-}" = "--write" ] && { write=1; shift; }
tool=$1 doc=docs/FILTERS.md
head='## The table (generated from `src/engine/filtertab.c`)'
n=$(grep -n -F -x "$head" "$doc" | cut -d: -f1)
if [ -z "$n" ]; then
    echo "FAIL - $doc has no line '$head'"; echo "0 passed, 1 failed"; exit 1
fi
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT
{ head -n "$n" "$doc"; echo; "$tool"; } >"$tmp" || { echo "FAIL - $tool"; echo "0 passed, 1 failed"; exit 1; }
if [ $write = 1 ]; then
    cat "$tmp" >"$doc" && echo "$doc: table written"
    exit
fi
if cmp -s "$tmp" "$doc"; then
    echo "ok - $doc: the table is filtertab.c's"; echo "1 passed, 0 failed"
else
    echo "FAIL - $doc: the table differs from src/engine/filtertab.c (make docs-filters rewrites it)"
    diff "$doc" "$tmp" | head -n 10
    echo "0 passed, 1 failed"; exit 1
fi
