# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# Sourced by the tools' system tests: the binaries of this build tree (their
# libtool wrappers, with the loader from PRISTINE_LOADER), a scratch
# directory, and the checks, each a TAP result (tests/tap.sh).
: "${top_builddir:?run me from make check}" "${PRISTINE_LOADER:?}"
. "${top_srcdir:?}/tests/tap.sh"
RUN="$top_builddir/src/pristine-run"
DEMO="$top_builddir/src/pristine-demo"
LIMIT=20	# seconds any one invocation may take
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pristine-tools.XXXXXX") ||
	bail "no scratch directory"
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

# t CMD...: run with the per-invocation timeout; stdout to $tmp/out,
# stderr to $tmp/err, status in $rc.
t() {
	timeout -k 5 "$LIMIT" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# expect NAME WANTED GOT
expect() {
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2], got [$3]"; fi
}

# expect_rc NAME STATUS: the last t's status.
expect_rc() {
	if [ "$rc" = "$2" ]; then ok "$1 (status $2)"
	else bad "$1: status $rc, expected $2; stderr: $(cat "$tmp/err")"; fi
}

# What a message must never show: the library's step numbers, keys and
# function names (the tools speak of options, files and reasons).
INTERNALS='step [0-9]|pristine_config|key "|\([a-z][a-zA-Z0-9:_-]*\): '

# expect_msg NAME STATUS WORDS...: status, and one line on stderr holding
# each of WORDS and no library internal.
expect_msg() {
	name=$1 status=$2
	shift 2
	why=
	[ "$rc" = "$status" ] || why=" status $rc, expected $status;"
	lines=$(wc -l <"$tmp/err")
	[ "$lines" -eq 1 ] || why="$why $lines lines on stderr;"
	! grep -qE "$INTERNALS" "$tmp/err" ||
		why="$why the library's internals in the message;"
	for w in "$@"; do
		grep -qF -- "$w" "$tmp/err" || why="$why message lacks '$w';"
	done
	if [ -z "$why" ]; then ok "$name (status $status)"
	else bad "$name:$why stderr: $(cat "$tmp/err")"; fi
}

# expect_out NAME WANTED: the last t's stdout.
expect_out() { expect "$1" "$2" "$(cat "$tmp/out")"; }

# expect_mentions NAME WORDS...: the last t's stdout holds each of WORDS.
expect_mentions() {
	name=$1
	shift
	missing=
	for w in "$@"; do
		grep -qF -- "$w" "$tmp/out" || missing="$missing $w"
	done
	if [ -z "$missing" ]; then ok "$name"
	else bad "$name: it does not mention$missing"; fi
}

# NOBODY CMD...: run unprivileged (as root: uid/gid 65534, no capabilities).
if [ "$(id -u)" = 0 ]; then
	NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all"
else
	NOBODY=
fi
