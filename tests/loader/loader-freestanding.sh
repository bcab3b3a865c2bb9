#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# The loader must be a freestanding static-pie: no interpreter, no dynamic
# relocations, no undefined symbols, no libc, no executable stack, and at
# most 32 KiB once stripped; built with its own flags, whatever CFLAGS the
# user gave (a distribution's hardening flags must not reach it).
set -u
. "${top_srcdir:?}/tests/tap.sh"
loader=${PRISTINE_LOADER:?}
readelf=${READELF:-readelf}
nm=${NM:-nm}

"$readelf" -h "$loader" | grep -q 'Type:.*DYN' &&
ok "ET_DYN (static-pie)" || bad "not ET_DYN (static-pie)"
"$readelf" -lW "$loader" | grep -q INTERP &&
bad "has a PT_INTERP" || ok "no PT_INTERP"
"$readelf" -dW "$loader" 2>/dev/null | grep -q NEEDED &&
bad "needs shared libraries" || ok "needs no shared library"
relocs=$("$readelf" -rW "$loader")
echo "$relocs" | grep -q 'There are no relocations' &&
ok "no dynamic relocations" || bad "has dynamic relocations: $relocs"
# NM may carry options (libtool sets "/usr/bin/nm -B"): split it.
if undef=$($nm -u "$loader" 2>&1); then
	[ -z "$undef" ] && ok "no undefined symbols" ||
	bad "undefined symbols: $undef"
else
	bad "'$nm -u' failed: $undef"
fi
stack=$("$readelf" -lW "$loader" | grep GNU_STACK)
case $stack in
"")	bad "no PT_GNU_STACK" ;;
*RWE*)	bad "executable stack" ;;
*)	ok "PT_GNU_STACK, not executable" ;;
esac
# With -g, each unit records the options it was compiled with, in the
# order given: the loader's -Os and -fno-stack-protector must come after
# the user's -O2 and -fstack-protector-strong.
producers=$("$readelf" --debug-dump=info "$loader" 2>/dev/null |
	sed -n 's/.*DW_AT_producer.*: GNU C[^ ]* [^ ]* //p' | sort -u)
if [ -z "$producers" ]; then
	skip "the loader's own flags come last" "built without -g"
else
	last_opt() { printf '%s\n' $1 | grep -E -- "$2" | tail -n 1; }
	why=
	while IFS= read -r p; do
		o=$(last_opt "$p" '^-O')
		[ "$o" = -Os ] || why="$why optimisation ${o:-none};"
		s=$(last_opt "$p" '^-f(no-)?stack-protector')
		[ "$s" = -fno-stack-protector ] || why="$why ${s:-no stack option};"
	done <<EOF
$producers
EOF
	[ -z "$why" ] && ok "the loader's own flags come last (-Os, -fno-stack-protector)" ||
	bad "the user's flags win over the loader's:$why"
fi

tmp=$(mktemp) || bail "no scratch file"
strip -o "$tmp" "$loader"
size=$(wc -c < "$tmp")
rm -f "$tmp"
[ "$size" -le 32768 ] && ok "stripped size $size bytes <= 32768" ||
bad "stripped size $size > 32768"
finish
