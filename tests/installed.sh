#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# `make installcheck` (and so `make distcheck`; .ci/run also runs it after
# a DESTDIR install): every file where it belongs, no libtool archive,
# pkg-config's variables naming the installed loader and shim, and the
# installed library, loader, tools and shim running programs. With DESTDIR
# the tree is staged: the loader is named by PRISTINE_LOADER; without it,
# the library finds the loader at the path it was built with.
set -u
: "${bindir:?}" "${libdir:?}" "${pkglibdir:?}" "${pkglibexecdir:?}" \
	"${includedir:?}" "${docdir:?}" "${mandir:?}" "${top_srcdir:?}"
DESTDIR=${DESTDIR-}
. "$top_srcdir/tests/tap.sh"
tmp=$(mktemp -d) || bail "no scratch directory"
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
note "installed under ${DESTDIR:-/} (prefix paths as configured)"

for f in "$bindir/pristine-run" "$bindir/pristine-demo" \
	"$pkglibexecdir/pristine-loader"; do
	[ -x "$DESTDIR$f" ] && ok "$f, executable" || bad "missing: $f"
done
for f in "$libdir/libpristine.so.0" "$libdir/libpristine.so" \
	"$pkglibdir/libpristine-preload.so" \
	"$pkglibdir/libpristine-preload-core.so" "$includedir/pristine.h" \
	"$libdir/pkgconfig/pristine.pc" \
	"$docdir/README" "$docdir/NEWS" "$docdir/COPYING" \
	"$docdir/design.md" "$docdir/fidelity.md" "$docdir/security.md" \
	"$docdir/performance.md" "$docdir/bench.svg" \
	"$mandir/man1/pristine-run.1" "$mandir/man1/pristine-demo.1" \
	"$mandir/man3/pristine_open.3" "$mandir/man7/pristine.7" \
	"$mandir/man8/pristine-preload.8"; do
	[ -f "$DESTDIR$f" ] && ok "$f" || bad "missing: $f"
done
la=$(find "$DESTDIR$libdir" "$DESTDIR$pkglibdir" -name '*.la' 2>/dev/null)
[ -z "$la" ] && ok "no libtool archive (.la) installed" ||
bad "libtool archives installed: $la"
# Every page the man pages point at as doc/NAME.md is installed.
missing=
for md in $(cat "$DESTDIR$mandir"/man*/pristine* | grep -o 'doc/[a-z-]*\.md' |
	sort -u); do
	[ -f "$DESTDIR$docdir/${md#doc/}" ] || missing="$missing $md"
done
[ -z "$missing" ] && ok "every doc/*.md the man pages cite is in $docdir" ||
bad "cited by the man pages, not installed:$missing"

PKG_CONFIG_PATH=$DESTDIR$libdir/pkgconfig
export PKG_CONFIG_PATH
loader=$(pkg-config --variable=loader pristine)
preload=$(pkg-config --variable=preload pristine)
[ "$loader" = "$pkglibexecdir/pristine-loader" ] &&
ok "pkg-config --variable=loader pristine: $loader" ||
bad "pkg-config --variable=loader: [$loader], expected $pkglibexecdir/pristine-loader"
[ "$preload" = "$pkglibdir/libpristine-preload.so" ] &&
ok "pkg-config --variable=preload pristine: $preload" ||
bad "pkg-config --variable=preload: [$preload], expected $pkglibdir/libpristine-preload.so"

# Run what was installed, and nothing of the build tree.
LD_LIBRARY_PATH=$DESTDIR$libdir
export LD_LIBRARY_PATH
if [ -n "$DESTDIR" ]; then
	PRISTINE_LOADER=$DESTDIR$loader
	PKG_CONFIG_SYSROOT_DIR=$DESTDIR
	export PRISTINE_LOADER PKG_CONFIG_SYSROOT_DIR
else
	unset PRISTINE_LOADER
fi
"$DESTDIR$bindir/pristine-run" sh -c 'exit 7' >"$tmp/out" 2>&1
rc=$?
sh -c 'exit 7'
[ $rc = $? ] && ok "the installed pristine-run runs a command (status 7, as sh's)" ||
bad "installed pristine-run: status $rc: $(cat "$tmp/out")"
"$DESTDIR$bindir/pristine-run" -v true >"$tmp/out" 2>&1
grep -q 'route loader$' "$tmp/out" &&
ok "... through the installed loader, which maps the image itself" ||
bad "installed pristine-run -v: $(cat "$tmp/out")"
if command -v python3 >/dev/null 2>&1; then
	LD_PRELOAD=$DESTDIR$preload PRISTINE_STATS=1 python3 -c '
import os, sys
pid = os.posix_spawn("/bin/sh", ["sh", "-c", "exit 7"], os.environ)
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))' >"$tmp/out" 2>&1
	rc=$?
	# A fresh spawn in the default mode is the kernel's (route fresh):
	# one spawn by pristine, none left to glibc.
	[ $rc = 7 ] && grep -Eq 'spawns=1 .*glibc=0 fallback=0 failed=0 program=python3$' "$tmp/out" &&
	ok "the installed shim routes Python's os.posix_spawn() through pristine" ||
	bad "installed shim: status $rc: $(cat "$tmp/out")"
else
	skip "the installed shim" "no python3"
fi
sh "$top_srcdir/tests/readme-example.sh" "$PKG_CONFIG_PATH" >"$tmp/tap" 2>&1
grep -q '^ok .*prints what /bin/echo prints' "$tmp/tap" &&
ok "README's example builds with the installed pristine.pc and runs" ||
bad "README's example against the install: $(cat "$tmp/tap")"
finish
