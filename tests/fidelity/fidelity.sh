#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# Fidelity: a process started by pristine must look, from inside and from
# /proc, like one started by a real execve(). For each build of the probe
# (dynamic PIE, static, static-pie), as root, as an unprivileged user, and
# as that user with a loader installed cap_checkpoint_restore=p
# ("capable"), the probe is run by fork()+execve() (the reference) and
# through libpristine (pristine_spawn() and pristine_open() in the default
# mode, pristine_open() in the "loader" and "kernel" modes), with the same
# configuration; see probe-launch.c. The route each run took is checked
# too: the default mode lets the kernel execute a fresh spawn's image
# (fresh), and for pristine_open() maps in userspace where /proc/PID/exe
# can be set (root, capable) and lets the kernel execute the image where
# it cannot.
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
GROUPS="root,unprivileged,capable dynamic,static,static-pie
	spawn,open,loader,kernel plain,memfd,big,seccomp"

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
	priv= lpath=$tmp/pristine-loader
	if [ "$1" != root ] && [ "$(id -u)" -eq 0 ]; then
		priv="setpriv --reuid=$nobody --regid=$nobody --clear-groups"
		priv="$priv --inh-caps=-all"
	fi
	[ "$1" = capable ] && lpath=$tmp/cap-install/pristine-loader
	PRISTINE_LOADER=$lpath timeout 30 $priv "$tmp/probe-launch" "$2" "$3" \
		"$4" "$tmp/work.$1" >"$5" 2>"$5.err"
}

# The route the default mode must take: for a fresh spawn the kernel's
# (fresh); for another empty process userspace where /proc/PID/exe can
# be set, unless a configured seccomp filter would leave the trampoline
# page; the kernel's where it cannot be set.
# route_wanted WHO METHOD VARIANT: a pattern, or nothing to check.
route_wanted() {
	case $2 in
	kernel) say kernel; return ;;
	loader) say 'loader|seccomp'; return ;;
	spawn) say fresh; return ;;
	execve) return ;;
	esac
	case $1,$3 in
	*,seccomp) say seccomp ;;
	unprivileged,*) say exe ;;
	*) say loader ;;
	esac
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
	route=$(sed -n 's/^probe-launch: route //p' "$out.err")
	want=$(route_wanted "$1" "$3" "$4")
	if [ -n "$want" ] && ! echo "$route" | grep -Eqx "$want"; then
		differ="$differ
route $route, where it should be $want"
	fi
	if [ -z "$differ" ]; then
		ok "$*: route $route, as by execve()${seen:+ (allowed:$seen)}"
	else
		bad "$*: route $route: differences doc/fidelity.md does not" \
		    "list:$differ"
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
	users="root unprivileged capable"
	if ! command -v setpriv >/dev/null; then
		skip "unprivileged, capable: every build, method and variant" \
			"setpriv (util-linux) not found"
		users=root
	fi
else
	users=unprivileged	# as ourselves
fi

# The capability install: a copy of the loader with exactly
# cap_checkpoint_restore=p, as `make install-loader-capability` makes it.
# File capabilities need setcap, a file system with security xattrs, and
# a mount without nosuid.
case " $users " in
*" capable "*)
	mkdir "$tmp/cap-install" && chmod 755 "$tmp/cap-install" &&
	cp "$loader" "$tmp/cap-install/pristine-loader"
	why=
	if ! command -v setcap >/dev/null; then
		why="setcap (libcap2-bin) not found"
	elif ! setcap cap_checkpoint_restore=p \
		"$tmp/cap-install/pristine-loader" 2>/dev/null; then
		why="setcap failed: no security xattrs on $tmp?"
	elif findmnt -n -o OPTIONS -T "$tmp" 2>/dev/null | grep -qw nosuid
	then
		why="$tmp is mounted nosuid: file capabilities do not apply"
	fi
	if [ -n "$why" ]; then
		skip "capable: every build, method and variant" "$why"
		users=$(echo $users | sed 's/ *capable//')
	fi
	;;
esac

# Each user runs copies of the probes it owns, so that opening one for
# writing is refused only because it is running (ETXTBSY).
for who in $users; do
	mkdir "$tmp/$who" "$tmp/work.$who"
	for f in probe probe-static probe-static-pie; do
		cp "$tmp/$f" "$tmp/$who/"
	done
	if [ "$who" != root ] && [ "$(id -u)" -eq 0 ]; then
		chown -R $nobody:$nobody "$tmp/$who" "$tmp/work.$who"
	fi
done

for who in $users; do
	for build in dynamic static static-pie; do
		probe=$tmp/$who/probe
		[ $build = dynamic ] || probe=$probe-$build
		for variant in plain memfd big seccomp; do
			case $variant in
			plain) methods="spawn open loader kernel" ;;
			big) methods="spawn open loader" ;;
			*) methods="open loader kernel" ;;
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
