#!/bin/sh
# The loader must be a freestanding static-pie: no interpreter, no dynamic
# relocations, no undefined symbols, no libc, no executable stack, and at
# most 32 KiB once stripped.
set -u
loader=${PRISTINE_LOADER:?}
readelf=${READELF:-readelf}
nm=${NM:-nm}
fail=0
no() { echo "FAIL: $*"; fail=1; }

"$readelf" -h "$loader" | grep -q 'Type:.*DYN' || no "not ET_DYN (static-pie)"
"$readelf" -lW "$loader" | grep -q INTERP && no "has a PT_INTERP"
"$readelf" -dW "$loader" 2>/dev/null | grep -q NEEDED && no "needs shared libraries"
relocs=$("$readelf" -rW "$loader")
echo "$relocs" | grep -q 'There are no relocations' || no "has dynamic relocations: $relocs"
undef=$("$nm" -u "$loader")
[ -z "$undef" ] || no "undefined symbols: $undef"
"$readelf" -lW "$loader" | grep GNU_STACK | grep -q RWE && no "executable stack"
"$readelf" -lW "$loader" | grep -q GNU_STACK || no "no PT_GNU_STACK"
tmp=$(mktemp)
strip -o "$tmp" "$loader"
size=$(wc -c < "$tmp")
rm -f "$tmp"
[ "$size" -le 32768 ] || no "stripped size $size > 32768"
echo "loader: stripped size $size bytes"
exit $fail
