#!/bin/sh
# The library's Check tests, once, under valgrind's memcheck: zero errors,
# no memory definitely lost. The real binaries run, not libtool's wrapper
# scripts, in one process each (CK_FORK=no); their children are the loader
# and the programs it starts, which are not traced (the loader is no libc
# program, and valgrind cannot run its userspace exec).
set -u
: "${top_builddir:?}" "${tests_builddir:?}"
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind not found (Debian package valgrind)"
	exit 1
fi
LD_LIBRARY_PATH=$top_builddir/src/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
CK_FORK=no
export LD_LIBRARY_PATH CK_FORK
status=0
for t in test-pristine test-reserve; do
	bin=$tests_builddir/.libs/$t
	[ -x "$bin" ] || bin=$tests_builddir/$t
	echo "valgrind: $t"
	valgrind --quiet --trace-children=no --error-exitcode=1 \
		--leak-check=full --errors-for-leak-kinds=definite \
		"$bin" || status=1
done
exit $status
