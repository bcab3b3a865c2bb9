#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# What real programs and the tools around them see, in the default mode,
# as root, as uid 65534 and as uid 65534 with the capability install
# ("capable"): the same as after glibc's posix_spawn(), by every way
# pristine has (the library, a pool member, a template member, the shim;
# the kernel mode as a control). Each check is a line of observe's output
# (observe.c), compared with glibc's in the same run:
#   - a program built with RUNPATH $ORIGIN/lib finds its library;
#   - a program re-runs itself through /proc/self/exe, and through its
#     argv[0] in PATH;
#   - from outside: readlink /proc/PID/exe, opening the running file for
#     writing (ETXTBSY), gdb -p resolving main;
#   - strace -f -e trace=execve,execveat of the caller shows the
#     program's own exec.
# Before the route rule, uid 65534's programs failed all but the first
# (and that through the loader's exe), and strace showed no exec of the
# program through the shim, for every user.
set -u
. "${top_srcdir:?}/tests/tap.sh"
top_builddir=${top_builddir:-..}
tests=${tests_builddir:-.}
loader=${PRISTINE_LOADER:?}
nobody=65534
shim=$top_builddir/src/.libs/libpristine-preload.so
WAYS="default kernel pool template shim"
CHECKS="origin reexec-proc reexec-argv0 watch"

tmp=$(mktemp -d) || bail "no scratch directory"
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
cp "$tests/observe" "$loader" "$tmp/" &&
cp -L "$top_builddir/src/.libs/libpristine.so.0" "$tmp/" &&
cp "$shim" "$tmp/shim.so" || bail "cannot copy the programs"
chmod 755 "$tmp"/*
LD_LIBRARY_PATH=$tmp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
# A shim built with --enable-sanitizers needs the ASan runtime before it.
asan=$(ldd "$shim" 2>/dev/null | awk '/libasan/ { print $3 }')
preload="${asan:+$asan }$tmp/shim.so"

users=root
if [ "$(id -u)" -ne 0 ]; then
	users=unprivileged	# as ourselves
elif command -v setpriv >/dev/null; then
	users="root unprivileged capable"
else
	skip "unprivileged, capable" "setpriv (util-linux) not found"
fi
case " $users " in
*" capable "*)
	mkdir "$tmp/cap-install" && chmod 755 "$tmp/cap-install" &&
	cp "$loader" "$tmp/cap-install/pristine-loader"
	why=
	if ! command -v setcap >/dev/null; then
		why="setcap (libcap2-bin) not found"
	elif ! setcap cap_checkpoint_restore=p \
		"$tmp/cap-install/pristine-loader" 2>/dev/null; then
		why="setcap failed: no security xattrs on $tmp?"
	elif findmnt -n -o OPTIONS -T "$tmp" 2>/dev/null | grep -qw nosuid
	then
		why="$tmp is mounted nosuid: file capabilities do not apply"
	fi
	if [ -n "$why" ]; then
		skip "capable: every check" "$why"
		users=$(echo $users | sed 's/ *capable//')
	fi
	;;
esac

# Each user runs its own copy, which it owns: a write open of it fails
# only because it runs.
for who in $users; do
	mkdir -p "$tmp/$who/lib"
	cp "$tests/observe-target" "$tmp/$who/" &&
	cp "$tests/origin-lib/liborigin.so" "$tmp/$who/lib/" ||
		bail "cannot copy observe-target"
	if [ "$who" != root ] && [ "$(id -u)" -eq 0 ]; then
		chown -R $nobody:$nobody "$tmp/$who"
	fi
done

# as WHO CMD...: CMD as that user, with its loader
as() {
	who=$1
	shift
	lpath=$tmp/pristine-loader
	[ "$who" = capable ] && lpath=$tmp/cap-install/pristine-loader
	if [ "$who" != root ] && [ "$(id -u)" -eq 0 ]; then
		set -- setpriv --reuid=$nobody --regid=$nobody \
			--clear-groups --inh-caps=-all "$@"
	fi
	PRISTINE_LOADER=$lpath timeout 60 "$@"
}

# observe WHO WAY CHECK OUT
observe() {
	if [ "$2" = shim ]; then
		as "$1" env LD_PRELOAD="$preload" "$tmp/observe" glibc \
			"$tmp/$1" "$3" >"$4" 2>"$4.err"
	else
		as "$1" "$tmp/observe" "$2" "$tmp/$1" "$3" >"$4" 2>"$4.err"
	fi
}

for who in $users; do
	for check in $CHECKS; do
		ref=$tmp/out.$who.$check.glibc
		if ! observe $who glibc $check "$ref"; then
			bad "$who $check glibc: did not run:
$(cat "$ref" "$ref.err")"
			continue
		fi
		for way in $WAYS; do
			out=$tmp/out.$who.$check.$way
			observe $who $way $check "$out"
			route=$(sed -n 's/^observe: [a-z]*: route //p' \
				"$out.err" | head -1)
			if cmp -s "$ref" "$out"; then
				ok "$who $check $way${route:+ (route $route)}: as glibc's: $(tr '\n' ';' <"$ref")"
			else
				bad "$who $check $way${route:+ (route $route)}:
glibc:
$(cat "$ref")
this way:
$(cat "$out" "$out.err")"
			fi
		done
	done
done

# strace -f of the caller: the program's own exec, once, as with glibc.
if ! command -v strace >/dev/null; then
	skip "strace: every way" "strace not found"
	finish
fi
# strace -ff writes a file per process: no exec is split across lines by
# another process's output ("<unfinished ...>").
# (LeakSanitizer, in a sanitizer build, cannot work under a tracer.)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export ASAN_OPTIONS
execs() {	# execs PREFIX: successful execs of observe-target
	cat "$1".* | grep -c 'exec[a-z]*(.*observe-target.*= 0$'
}
for who in $users; do
	ref=$tmp/$who/strace.glibc
	as $who strace -ff -qq -e trace=execve,execveat -o "$ref" \
		"$tmp/observe" glibc "$tmp/$who" origin >/dev/null 2>&1
	want=$(execs "$ref")
	for way in default pool template shim; do
		out=$tmp/$who/strace.$way
		if [ $way = shim ]; then
			as $who strace -ff -qq -e trace=execve,execveat \
				-o "$out" env LD_PRELOAD="$preload" \
				"$tmp/observe" glibc "$tmp/$who" origin \
				>/dev/null 2>&1
		else
			as $who strace -ff -qq -e trace=execve,execveat \
				-o "$out" "$tmp/observe" $way "$tmp/$who" \
				origin >/dev/null 2>&1
		fi
		got=$(execs "$out")
		if [ "$want" -ge 1 ] && [ "$got" = "$want" ]; then
			ok "$who strace -f $way: the program's exec seen $got time(s), as with glibc"
		else
			bad "$who strace -f $way: $got exec(s) of the program, glibc $want:
$(cat "$out".* | grep exec)"
		fi
	done
done
finish
