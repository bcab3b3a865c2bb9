#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# The posix_spawn layer's tests, built on glibc's names: first on glibc
# alone (the expectations are glibc's), then through the preload shim.
# Their TAP lines pass on, numbered anew and named after the round.
set -u
. "${top_srcdir:?}/tests/tap.sh"
. "$top_srcdir/tests/preload/preload-lib.sh"
tmp=$(mktemp -d) || bail "no scratch directory"
trap 'rm -rf "$tmp"' EXIT
bin=${tests_builddir:?}/test-posix-glibc
if [ "${HAVE_CHECK:-yes}" = no ]; then
	skip "the posix layer's tests, with glibc and through the shim" \
		"written with Check, and this build has none (configure --without-check)"
	finish
fi

# relay ROUND FILE: FILE's TAP results as ours; all that its plan promised.
relay() {
	plan= seen=0
	while IFS= read -r line; do
		case $line in
		1..*)	plan=${line#1..} ;;
		"ok "*|"not ok "*)
			seen=$((seen + 1))
			status=${line%% [0-9]*}
			rest=${line#"$status "}
			rest=${rest#* - }
			tap_count=$((tap_count + 1))
			[ "$status" = ok ] || tap_failed=1
			printf '%s %d - %s: %s\n' "$status" "$tap_count" "$1" \
				"$rest" ;;
		*)	printf '%s\n' "$line" ;;
		esac
	done <"$2"
	[ "$plan" = "$seen" ] ||
		bad "$1: $seen results, the plan said ${plan:-nothing}"
}

"$bin" >"$tmp/glibc.tap" 2>"$tmp/glibc.err"
relay "glibc alone" "$tmp/glibc.tap"
note "$(cat "$tmp/glibc.err")"
run_shim "$tmp/shim.tap" "$tmp/shim.err" "$bin"
relay "through the shim" "$tmp/shim.tap"
note "$(strip_stats "$tmp/shim.err")"
stats=$(check_trace "$tmp/shim.err") &&
ok "every spawn went through pristine ($stats)" ||
bad "spawns did not go through pristine: $stats"
finish
