#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# Unmodified programs, with glibc alone and through the preload shim: GNU
# make -j2 on 300+ targets, ninja -j2 on 300+ edges, Python's posix_spawn,
# and a C program calling system() and popen(). Results must be identical
# byte for byte, and the shim's trace must show the spawns went
# through pristine.
set -u
. "${top_srcdir:?}/tests/tap.sh"
. "$top_srcdir/tests/preload/preload-lib.sh"
tmp=$(mktemp -d) || bail "no scratch directory"
trap 'rm -rf "$tmp"' EXIT

# compare NAME: runs ./run-NAME in a fresh copy of $tmp/NAME.src twice.
compare() {
	name=$1
	for how in glibc shim; do
		rm -rf "$tmp/$name.$how"
		cp -r "$tmp/$name.src" "$tmp/$name.$how"
		if [ $how = glibc ]; then
			(cd "$tmp/$name.$how" && sh ./run >"../$name.$how.out" 2>"../$name.$how.err")
		else
			(cd "$tmp/$name.$how" && run_shim "../$name.$how.out" "../$name.$how.err" sh ./run)
		fi
		echo "exit $?" >>"$tmp/$name.$how.out"
	done
	strip_stats "$tmp/$name.shim.err" >"$tmp/$name.shim.err2"
	if cmp -s "$tmp/$name.glibc.out" "$tmp/$name.shim.out" &&
	   cmp -s "$tmp/$name.glibc.err" "$tmp/$name.shim.err2"; then
		ok "$name: the same output and status with the shim"
	else
		bad "$name differs with the shim
$(diff "$tmp/$name.glibc.out" "$tmp/$name.shim.out" | head -20)
$(diff "$tmp/$name.glibc.err" "$tmp/$name.shim.err2" | head -20)"
	fi
	if diff -r -x run "$tmp/$name.glibc" "$tmp/$name.shim" >/dev/null; then
		ok "$name: the same files with the shim"
	else
		bad "$name produced different files with the shim
$(diff -r -x run "$tmp/$name.glibc" "$tmp/$name.shim" | head -20)"
	fi
	stats=$(check_trace "$tmp/$name.shim.err") &&
	ok "$name: spawned through pristine ($stats)" ||
	bad "$name did not spawn through pristine: $stats"
}

# GNU make: redirections, pipelines, failing commands, -k.
mkdir "$tmp/make.src"
{
	printf 'N := $(shell seq 1 320)\n'
	printf 'all: $(addprefix out/t,$(N))\n'
	printf 'out/t%%: | out\n'
	printf '\t@echo "target $@" > $@; echo "$@ line" | tr a-z A-Z >> $@\n'
	printf '\t@n=$(notdir $@); n=$${n#t}; if [ $$((n %% 40)) -eq 0 ]; then echo "$@ fails" >&2; exit 1; fi\n'
	printf 'out:\n\tmkdir -p out\n'
} >"$tmp/make.src/Makefile"
# make numbers a failed recipe inconsistently under -j (line 4 or 5 for
# the same rule, with glibc alone too): compare without the line number.
cat >"$tmp/make.src/run" <<'RUN'
unset MAKEFLAGS MFLAGS MAKELEVEL
make -j2 -k -s >log 2>err
s=$?
grep '^pristine-preload' err >&2
sort log
grep -v '^pristine-preload' err | sed 's/Makefile:[0-9]*:/Makefile:N:/' | sort
echo "make: $s"
rm -f log err
RUN
compare make

# ninja: a new process group per edge.
if command -v ninja >/dev/null; then
	mkdir "$tmp/ninja.src"
	{
		printf 'rule gen\n  command = echo $out | rev > $out && test -s $out\n'
		printf 'rule cat\n  command = cat $in | sort > $out\n'
		i=1 all=
		while [ $i -le 310 ]; do
			printf 'build f%d: gen\n' $i
			all="$all f$i"
			i=$((i + 1))
		done
		printf 'build all: cat%s\ndefault all\n' "$all"
	} >"$tmp/ninja.src/build.ninja"
	printf 'ninja -j2 >/dev/null; s=$?; md5sum all; echo "ninja: $s"; rm -f .ninja_log .ninja_deps\n' >"$tmp/ninja.src/run"
	compare ninja
else
	bad "ninja not installed (Debian package ninja-build)"
fi

# Python's os.posix_spawn, os.posix_spawnp and subprocess.
if command -v python3 >/dev/null; then
	mkdir "$tmp/python.src"
	cp "$top_srcdir/tests/preload/posix-user.py" "$tmp/python.src/"
	printf 'python3 posix-user.py\n' >"$tmp/python.src/run"
	compare python
else
	bad "python3 not installed"
fi

# system() and popen().
mkdir "$tmp/shell.src"
printf '%s\n' "${tests_builddir:?}/shell-user" >"$tmp/shell.src/run"
compare shell

finish
