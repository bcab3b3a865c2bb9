# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# Sourced by the shell tests, which speak TAP to automake's tap-driver.sh:
# one result a check, and the plan at the end.
#	ok NAME		it passed
#	bad WHY...	it failed: WHY's first line names it, the rest
#			follows as comments
#	skip NAME WHY	it could not run, and why
#	note TEXT...	a comment
#	bail WHY...	the test cannot go on at all
#	finish		the plan; exits 1 if a check failed
tap_count=0
tap_failed=0

# tap_result ok|"not ok" TEXT [DIRECTIVE]
tap_result() {
	tap_count=$((tap_count + 1))
	printf '%s %d - %s%s\n' "$1" "$tap_count" \
		"$(printf '%s\n' "$2" | sed -n '1{s/#/\\#/g;p;}')" "${3:+ # $3}"
	printf '%s\n' "$2" | sed '1d; s/^/# /'
}

ok() { tap_result ok "$1"; }
bad() { tap_result "not ok" "$*"; tap_failed=1; }
skip() { tap_result ok "$1" "SKIP $2"; }
note() { printf '%s\n' "$*" | sed 's/^/# /'; }
bail() { printf 'Bail out! %s\n' "$*"; exit 99; }
finish() { printf '1..%d\n' "$tap_count"; exit "$tap_failed"; }
