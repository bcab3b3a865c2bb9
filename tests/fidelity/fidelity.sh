#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# Fidelity: a process started by pristine must look, from inside and from
# /proc, like one started by a real execve(). For each build of the probe
# (dynamic PIE, static, static-pie), as root and as an unprivileged user,
# the probe is run by fork()+execve() (the reference) and through
# libpristine (pristine_spawn(), pristine_open(), and pristine_open() in
# "kernel" mode), with the same configuration; see probe-launch.c.
#
# Every line of the two outputs must be equal, except for the keys that
# doc/fidelity.md allows, in list items like
#
#	- `allow[SCOPE]: KEY...`
#
# KEY is a shell pattern on the probe's keys; SCOPE (optional) lists words
# of the cases the allowance is for, from four groups (see GROUPS). Within
# each group that SCOPE names words from, the case must be one of them.
# The reference itself must report nothing BAD: that checks the probe's
# model of exec against the kernel.
set -u
. "${top_srcdir:?}/tests/tap.sh"
top_builddir=${top_builddir:-..}
top_srcdir=${top_srcdir:-..}
tests=${tests_builddir:-.}
loader=${PRISTINE_LOADER:?}
doc=$top_srcdir/doc/fidelity.md
nobody=65534
GROUPS="root,unprivileged dynamic,static,static-pie spawn,open,kernel
	plain,memfd,big,seccomp"

say() { printf '%s\n' "$*"; }

[ -r "$doc" ] || bail "no $doc"

# The allowances, one per line: "SCOPE|KEYS".
lines=$(grep '^- `allow' "$doc" | sed 's/^- `\([^`]*\)`.*$/\1/')
rules=$(printf '%s\n' "$lines" | sed -n \
	-e 's/^allow: *\(.*\)$/|\1/p' \
	-e 's/^allow\[\([a-z,-]*\)\]: *\(.*\)$/\1|\2/p')
if [ "$(printf '%s\n' "$rules" | grep -c '|')" -ne \
     "$(printf '%s\n' "$lines" | grep -c .)" ]; then
	bad "doc/fidelity.md has a malformed allow line:
$lines"
	finish
fi
for w in $(printf '%s\n' "$rules" | cut -d'|' -f1 | tr ',' ' '); do
	case ",$(echo $GROUPS | tr ' ' ','),"  in
	*",$w,"*) ;;
	*) bad "doc/fidelity.md: unknown scope word $w"; finish ;;
	esac
done

# applies SCOPE CASE-WORD... : for each group, either SCOPE names none of
# its words or it names the case's.
applies() {
	scope=,$1,
	shift
	for group in $GROUPS; do
		named=0 hit=0
		for w in $(echo "$group" | tr ',' ' '); do
			case $scope in *",$w,"*) named=1 ;; esac
		done
		for w in "$@"; do
			case ",$group," in *",$w,"*) ;; *) continue ;; esac
			case $scope in *",$w,"*) hit=1 ;; esac
		done
		[ $named -eq 0 ] || [ $hit -eq 1 ] || return 1
	done
}

allowed_keys() {
	printf '%s\n' "$rules" | while IFS='|' read -r scope keys; do
		if applies "$scope" "$@"; then say "$keys"; fi
	done
}

# The keys whose lines differ between two outputs (or are in one only).
differing_keys() {
	awk 'FNR == NR { a[$1] = $0; next }
	     { b[$1] = $0 }
	     END {
		for (k in a) if (!(k in b) || a[k] != b[k]) print k
		for (k in b) if (!(k in a)) print k
	     }' "$1" "$2" | sort
}

show() {	# show KEY LABEL FILE
	awk -v k="$1" -v m="$2" '$1 == k { print "\t" m ": " $0 }' "$3"
}

# launch WHO METHOD VARIANT PROBE OUT
launch() {
	priv=
	if [ "$1" = unprivileged ] && [ "$(id -u)" -eq 0 ]; then
		priv="setpriv --reuid=$nobody --regid=$nobody --clear-groups"
		priv="$priv --inh-caps=-all"
	fi
	timeout 30 $priv "$tmp/probe-launch" "$2" "$3" "$4" "$tmp/work.$1" \
		>"$5" 2>"$5.err"
}

# compare REF OUT WHO BUILD METHOD VARIANT: one result.
compare() {
	ref=$1 out=$2
	shift 2
	allow=$(allowed_keys "$@")
	seen= differ=
	for key in $(differing_keys "$ref" "$out"); do
		allowed=0
		for pat in $allow; do
			case $key in $pat) allowed=1 ;; esac
		done
		if [ $allowed -eq 1 ]; then
			seen="$seen $key"
			continue
		fi
		differ="$differ
$key differs:
$(show "$key" execve "$ref")
$(show "$key" "$3" "$out")"
	done
	if [ -z "$differ" ]; then
		ok "$*: as by execve()${seen:+ (allowed:$seen)}"
	else
		bad "$*: differences doc/fidelity.md does not list:$differ"
	fi
}

tmp=$(mktemp -d) || bail "no scratch directory"
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
for f in probe probe-static probe-static-pie probe-launch; do
	cp "$tests/$f" "$tmp/" || bail "cannot copy $f"
done
cp "$loader" "$tmp/pristine-loader" &&
cp -L "$top_builddir/src/.libs/libpristine.so.0" "$tmp/" ||
	bail "cannot copy the loader and the library"
chmod 755 "$tmp"/*
set -f	# keys like maps.[heap] are words, not file patterns
PRISTINE_LOADER=$tmp/pristine-loader
LD_LIBRARY_PATH=$tmp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export PRISTINE_LOADER LD_LIBRARY_PATH

if [ "$(id -u)" -eq 0 ]; then
	users="root unprivileged"
	if ! command -v setpriv >/dev/null; then
		skip "unprivileged: every build, method and variant" \
			"setpriv (util-linux) not found"
		users=root
	fi
else
	users=unprivileged	# as ourselves
fi

# Each user runs copies of the probes it owns, so that opening one for
# writing is refused only because it is running (ETXTBSY).
for who in $users; do
	mkdir "$tmp/$who" "$tmp/work.$who"
	for f in probe probe-static probe-static-pie; do
		cp "$tmp/$f" "$tmp/$who/"
	done
	if [ "$who" = unprivileged ] && [ "$(id -u)" -eq 0 ]; then
		chown -R $nobody:$nobody "$tmp/$who" "$tmp/work.$who"
	fi
done

for who in $users; do
	for build in dynamic static static-pie; do
		probe=$tmp/$who/probe
		[ $build = dynamic ] || probe=$probe-$build
		for variant in plain memfd big seccomp; do
			case $variant in
			plain) methods="spawn open kernel" ;;
			big) methods="spawn open" ;;
			*) methods="open kernel" ;;
			esac
			ref=$tmp/out.$who.$build.$variant.execve
			if ! launch $who execve $variant "$probe" "$ref"; then
				bad "$who $build execve $variant: did not run:
$(cat "$ref" "$ref.err")"
				continue
			fi
			if grep -q ' BAD: ' "$ref"; then
				bad "$who $build execve $variant: the" \
				    "reference is BAD (the probe is wrong):
$(grep ' BAD: ' "$ref")"
			else
				ok "$who $build execve $variant: the" \
				   "reference reports nothing BAD"
			fi
			for method in $methods; do
				out=$tmp/out.$who.$build.$variant.$method
				if launch $who $method $variant "$probe" "$out"
				then
					compare "$ref" "$out" \
						$who $build $method $variant
				else
					bad "$who $build $method $variant:" \
					    "did not run:
$(cat "$out" "$out.err")"
				fi
			done
		done
	done
done
finish
