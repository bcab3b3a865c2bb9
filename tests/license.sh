#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# Every source file, script and man page names its license and carries a
# copyright line (man pages that only point at another with .so excepted),
# and the license text is there.
. "${top_srcdir:?}/tests/tap.sh"
cd "$top_srcdir" || bail "no source tree at $top_srcdir"

if [ -s COPYING ] && grep -q 'LESSER GENERAL PUBLIC LICENSE' COPYING &&
   grep -q 'Version 2.1' COPYING; then
	ok "COPYING holds the LGPL 2.1"
else
	bad "COPYING is missing or is not the LGPL 2.1"
fi

missing=
for f in $(find configure.ac .ci src loader tests doc -type f \
	   \( -name '*.[ch]' -o -name '*.am' -o -name '*.sh' -o -name '*.py' \
	      -o -name '*.sym' -o -name '*.pc.in' -o -name '*.ac' \
	      -o -name '*.[1-8]' -o -path '.ci/run' \) \
	   ! -name build-id.h ! -name config.h ! -path 'tests/fuzz/regress/*' |
	   sort); do
	case $f in
	doc/*.[1-8])
		[ "$(grep -cv '^\.so ' "$f")" -eq 0 ] && continue ;;
	esac
	if ! head -n 4 "$f" | grep -q 'SPDX-License-Identifier: LGPL-2.1-or-later' ||
	   ! head -n 4 "$f" | grep -q 'Copyright (C) [0-9]'; then
		missing="$missing $f"
	fi
done
if [ -z "$missing" ]; then
	ok "every source file, script and man page has an SPDX line and a copyright"
else
	bad "files without an SPDX line or a copyright in their first lines:
$(printf '%s\n' $missing)"
fi
finish
