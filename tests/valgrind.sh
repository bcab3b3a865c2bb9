#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# The library's Check tests, once, under valgrind's memcheck: zero errors,
# no memory definitely lost. The real binaries run, not libtool's wrapper
# scripts. Check forks a process per test, which valgrind follows: an
# error there ends that test with status 1, which fails it (with
# CK_FORK=no, tests that change process-wide state would meet each
# other's). Executed children are not traced: the loader and the
# programs it starts (the loader is no libc program, and valgrind cannot
# run its userspace exec).
set -u
: "${top_builddir:?}" "${tests_builddir:?}"
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind not found (Debian package valgrind)"
	exit 1
fi
LD_LIBRARY_PATH=$top_builddir/src/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
unset CK_FORK
status=0
for t in test-pristine test-reserve test-async; do
	bin=$tests_builddir/.libs/$t
	[ -x "$bin" ] || bin=$tests_builddir/$t
	if [ ! -x "$bin" ]; then
		echo "valgrind: $t is not built (configured --without-check?)"
		exit 1
	fi
	echo "valgrind: $t"
	valgrind --quiet --trace-children=no --error-exitcode=1 \
		--leak-check=full --errors-for-leak-kinds=definite \
		"$bin" || status=1
done
exit $status
