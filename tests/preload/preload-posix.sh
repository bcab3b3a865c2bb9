#!/bin/sh
# The posix_spawn layer's tests, built on glibc's names: first on glibc
# alone (the expectations are glibc's), then through the preload shim.
set -u
. "${top_srcdir:?}/tests/preload/preload-lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin=${tests_builddir:?}/test-posix-glibc

"$bin" >"$tmp/glibc.out" 2>&1 || { cat "$tmp/glibc.out"; echo "FAIL: on glibc alone"; exit 1; }
tail -n +1 "$tmp/glibc.out" | grep '%'
run_shim "$tmp/shim.out" "$tmp/shim.err" "$bin"
rc=$?
cat "$tmp/shim.out"
[ $rc -eq 0 ] || { cat "$tmp/shim.err"; echo "FAIL: through the shim"; exit 1; }
check_stats "$tmp/shim.err" || { echo "FAIL: spawns did not go through pristine"; exit 1; }
