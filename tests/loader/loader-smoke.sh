#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# Started by hand, without its control socket, the loader says so on
# stderr and exits 127 without doing anything else.
set -u
. "${top_srcdir:?}/tests/tap.sh"
loader=${PRISTINE_LOADER:?}
for args in "" "7" "abc" "0"; do
	err=$("$loader" $args 2>&1 </dev/null)
	rc=$?
	case $rc:$err in
	127:*"no control socket"*)
		ok "'loader $args': exits 127: $err" ;;
	*)	bad "'loader $args': exited $rc (expected 127), said: $err" ;;
	esac
done
finish
