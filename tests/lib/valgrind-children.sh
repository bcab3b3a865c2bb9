#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# valgrind --trace-children=yes follows a caller's children across their
# exec: a program spawned through pristine must run under valgrind too,
# and pristine must add no error of its own. The loader sees that it runs
# on valgrind's CPU and lets the kernel execute the program (route
# valgrind), which valgrind then follows. Compared with glibc's
# posix_spawn() in the same run, through the library and the shim:
#   - /bin/true: no error, exit 0;
#   - uninit-read, a program with one memcheck error: the child exits
#     with valgrind's --error-exitcode, so it ran under valgrind.
# Before the rule, the loader mapped the program under valgrind's CPU,
# unknown to valgrind: thousands of errors, and --error-exitcode failed
# clean programs.
set -u
. "${top_srcdir:?}/tests/tap.sh"
top_builddir=${top_builddir:-..}
tests=${tests_builddir:-.}
: "${PRISTINE_LOADER:?}"
shim=$top_builddir/src/.libs/libpristine-preload.so
spawner=$tests/loader-spawner

finish_skip() { skip "every case" "$*"; finish; }
command -v valgrind >/dev/null || finish_skip "valgrind not found"
nm "$spawner" 2>/dev/null | grep -q __asan_init &&
	finish_skip "a sanitizer build: valgrind cannot run it"
LD_LIBRARY_PATH=$top_builddir/src/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH

tmp=$(mktemp -d) || bail "no scratch directory"
trap 'rm -rf "$tmp"' EXIT

# vg WAY PROGRAM OUT: the spawner under valgrind, spawning PROGRAM
vg() {
	pre=
	mode=$1
	if [ "$1" = shim ]; then
		pre="env LD_PRELOAD=$shim"
		mode=glibc
	fi
	LOADER_SPAWNER_MODE=$mode timeout 300 valgrind -q \
		--trace-children=yes --error-exitcode=99 \
		$pre "$spawner" "$2" "${2##*/}" >"$3" 2>"$3.err"
}

# errors FILE: memcheck's error reports in FILE (their first lines)
errors() {
	grep -c '^==[0-9]*== [A-Z]' "$1"
}

for prog in /bin/true "$tests/uninit-read"; do
	name=${prog##*/}
	ref=$tmp/$name.glibc
	vg glibc "$prog" "$ref"
	st=$?
	want=$(sed -n 's/^spawner: err=0 route=[0-9-]* //p' "$ref")
	case $name,$st,$want in
	true,0,exit=0 | uninit-read,0,exit=99) ;;
	*) bad "glibc's posix_spawn() of $name under valgrind: status $st, $want
$(cat "$ref" "$ref.err")"
	   continue ;;
	esac
	for way in default shim; do
		out=$tmp/$name.$way
		vg $way "$prog" "$out"
		st=$?
		got=$(sed -n 's/^spawner: err=0 route=[0-9-]* //p' "$out")
		if [ $st -eq 0 ] && [ "$got" = "$want" ] &&
		   [ "$(errors "$out.err")" = "$(errors "$ref.err")" ]; then
			ok "$name through $way under valgrind --trace-children=yes: $got, as glibc's; no error of pristine's"
		else
			bad "$name through $way under valgrind: status $st, child $got (glibc's: $want):
$(cat "$out" "$out.err" | head -40)"
		fi
	done
done
finish
