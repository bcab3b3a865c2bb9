#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# The loader must be a freestanding static-pie: no interpreter, no dynamic
# relocations, no undefined symbols, no libc, no executable stack, and at
# most 32 KiB once stripped.
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
undef=$("$nm" -u "$loader")
[ -z "$undef" ] && ok "no undefined symbols" || bad "undefined symbols: $undef"
stack=$("$readelf" -lW "$loader" | grep GNU_STACK)
case $stack in
"")	bad "no PT_GNU_STACK" ;;
*RWE*)	bad "executable stack" ;;
*)	ok "PT_GNU_STACK, not executable" ;;
esac
tmp=$(mktemp) || bail "no scratch file"
strip -o "$tmp" "$loader"
size=$(wc -c < "$tmp")
rm -f "$tmp"
[ "$size" -le 32768 ] && ok "stripped size $size bytes <= 32768" ||
bad "stripped size $size > 32768"
finish
