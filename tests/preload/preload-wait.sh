#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# Waits for any child in a program with PRISTINE_POOL (issue 13): idle
# members are the program's children to the kernel, but the program must
# see what glibc alone gives it (ECHILD once its own children are reaped,
# 0 under WNOHANG while they run, its own children's ends, never a
# member's). wait-any prints one line per case; the lines with glibc
# alone, through the shim, and through the shim with a pool must be the
# same, as root and as uid 65534.
set -u
. "${top_srcdir:?}/tests/tap.sh"
. "$top_srcdir/tests/preload/preload-lib.sh"
tmp=$(mktemp -d) || bail "no scratch directory"
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
cp "${tests_builddir:?}/wait-any" "$tmp/" || bail "no wait-any"
nobody=65534

# as WHO cmd...: runs cmd as WHO (root: as we are).
as() {
	who=$1
	shift
	if [ "$who" = root ]; then
		"$@"
	else
		setpriv --reuid=$nobody --regid=$nobody --clear-groups \
			--inh-caps=-all "$@"
	fi
}

if [ "$(id -u)" -eq 0 ]; then
	users=root
	if command -v setpriv >/dev/null; then
		users="root uid65534"
	else
		skip "uid 65534" "setpriv (util-linux) not found"
	fi
else
	users=self
fi

for who in $users; do
	[ "$who" = self ] && who=root	# as ourselves
	(cd "$tmp" && as "$who" ./wait-any >"$tmp/glibc.out" 2>"$tmp/glibc.err")
	if grep -q 'BLOCKED\|STRANGER' "$tmp/glibc.out"; then
		bad "$who: glibc alone gives what the test calls wrong
$(cat "$tmp/glibc.out")"
		continue
	fi
	for how in shim pool; do
		pool=
		[ $how = pool ] && pool=2
		(cd "$tmp" && as "$who" env LD_PRELOAD="$preload" \
			PRISTINE_POOL=$pool PRISTINE_STATS=1 \
			ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
			./wait-any >"$tmp/$how.out" 2>"$tmp/$how.err")
		if cmp -s "$tmp/glibc.out" "$tmp/$how.out"; then
			ok "$who, shim${pool:+ with PRISTINE_POOL=$pool}: every wait as with glibc alone"
		else
			bad "$who, shim${pool:+ with PRISTINE_POOL=$pool}: waits differ from glibc's
$(diff "$tmp/glibc.out" "$tmp/$how.out")"
		fi
		stats=$(check_stats "$tmp/$how.err") &&
		ok "$who, $how: spawned through pristine ($stats)" ||
		bad "$who, $how: did not spawn through pristine: $stats"
	done
	# The member cases ran only if the pool had members to kill.
	if grep -q 'members killed: [1-9]' "$tmp/pool.err" &&
	   grep -q 'members stopped: 1' "$tmp/pool.err"; then
		ok "$who: members killed and stopped from outside were never seen"
	else
		bad "$who: the pool had no member to kill or stop
$(cat "$tmp/pool.err")"
	fi
done
finish
