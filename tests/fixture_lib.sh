# fixture_lib.sh - the rule every fixtures*.sh script builds by; source it
# from the fixture directory.
#
# fixture NAME CMD...: run CMD (which writes "$tmp") unless NAME exists, then
# rename "$tmp" to NAME, so an interrupted run never leaves half a fixture.
fixture() {
    local name=$1; shift
    [ -e "$name" ] && return 0
    tmp=".tmp.$name"
    "$@" && [ -e "$tmp" ] || { echo "${0##*/}: cannot make $PWD/$name" >&2; rm -f "$tmp"*; exit 1; }
    mv -f "$tmp" "$name"
}
