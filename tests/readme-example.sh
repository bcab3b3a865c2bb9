#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# Extracts README's example program and its build command, and runs the
# command as printed, with pkg-config pointed at this build tree (or, for
# `make installcheck`, at the installed pristine.pc; see installed.sh). The
# program must compile without a warning and print what /bin/echo prints.
#	readme-example.sh [PKG_CONFIG_PATH]
set -u
. "${top_srcdir:?}/tests/tap.sh"
tmp=$(mktemp -d) || bail "no scratch directory"
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

# The example: from its "/* hello.c" line to the closing brace of main()
# at the start of a line, less the four spaces of indentation; the
# command: the next indented line that starts with "cc ".
awk -v out="$tmp/hello.c" -v cmd="$tmp/cmd" '
	/^    \/\* hello\.c/ { inside = 1 }
	inside { line = $0; sub(/^    /, "", line); print line > out }
	inside && /^    }$/ { inside = 0; done = 1; next }
	done && /^    cc / { sub(/^    /, ""); print > cmd; exit }
' "$top_srcdir/README"
[ -s "$tmp/hello.c" ] && [ -s "$tmp/cmd" ] ||
	bail "no example (a '/* hello.c' block and a 'cc' line) in README"
grep -q '^#include <fcntl.h>' "$tmp/hello.c" &&
ok "the example includes <fcntl.h> for AT_FDCWD" ||
bad "the example lacks <fcntl.h>"

if [ $# -ge 1 ]; then
	PKG_CONFIG_PATH=$1
else
	# This build tree, as pkg-config would describe an install.
	mkdir "$tmp/pc"
	cat >"$tmp/pc/pristine.pc" <<EOP
Name: pristine
Description: this build tree
Version: 0
Libs: -L${top_builddir:?}/src/.libs -lpristine
Cflags: -I$top_srcdir/src/lib
EOP
	PKG_CONFIG_PATH=$tmp/pc
	LD_LIBRARY_PATH=$top_builddir/src/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	export LD_LIBRARY_PATH
fi
export PKG_CONFIG_PATH
# The command as printed, with the compiler's warnings on and made errors.
cmd=$(sed 's/^cc /${CC:-cc} -Wall -Wextra -Werror /' "$tmp/cmd")
note "$cmd"
# A library built with --enable-sanitizers brings the ASan runtime along.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:verify_asan_link_order=0}
export ASAN_OPTIONS
(cd "$tmp" && eval "$cmd") >"$tmp/out" 2>"$tmp/err"
rc=$?
want=$(/bin/echo hello)
if [ $rc = 0 ] && [ "$(cat "$tmp/out")" = "$want" ]; then
	ok "the README example compiles and prints what /bin/echo prints"
else
	bad "the README example: status $rc, output [$(cat "$tmp/out")], expected [$want]: $(cat "$tmp/err")"
fi
finish
