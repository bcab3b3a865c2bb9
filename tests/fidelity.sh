#!/bin/sh
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
# of the cases the allowance is for: root unprivileged, dynamic static
# static-pie, spawn open kernel, plain memfd big seccomp. Within each of those four
# groups the case must be one of the words given, if any are.
# The reference itself must report nothing BAD: that checks the probe's
# model of exec against the kernel.
set -u
top_builddir=${top_builddir:-..}
top_srcdir=${top_srcdir:-..}
tests=${tests_builddir:-.}
loader=${PRISTINE_LOADER:?}
doc=$top_srcdir/doc/fidelity.md
nobody=65534
fail=0

say() { printf '%s\n' "$*"; }
no() { say "FAIL: $*"; fail=1; }

[ -r "$doc" ] || { say "FAIL: no $doc"; exit 1; }

# The allowances, one per line: "SCOPE|KEYS".
lines=$(grep '^- `allow' "$doc" | sed 's/^- `\([^`]*\)`.*$/\1/')
rules=$(printf '%s\n' "$lines" | sed -n \
	-e 's/^allow: *\(.*\)$/|\1/p' \
	-e 's/^allow\[\([a-z,-]*\)\]: *\(.*\)$/\1|\2/p')
if [ "$(printf '%s\n' "$rules" | grep -c '|')" -ne \
     "$(printf '%s\n' "$lines" | grep -c .)" ]; then
	say "FAIL: doc/fidelity.md has a malformed allow line:"
	printf '%s\n' "$lines"
	exit 1
fi

# applies SCOPE WHO BUILD METHOD VARIANT
applies() {
	scope=$1 who=$2 build=$3 method=$4 variant=$5
	for group in "root unprivileged:$who" "dynamic static static-pie:$build" \
		     "spawn open kernel:$method" \
		     "plain memfd big seccomp:$variant"; do
		words=${group%:*} case_=${group##*:} named=0 hit=0
		for w in $(printf '%s' "$scope" | tr ',' ' '); do
			case " $words " in *" $w "*) ;; *) continue ;; esac
			named=1
			[ "$w" = "$case_" ] && hit=1
		done
		[ $named -eq 0 ] || [ $hit -eq 1 ] || return 1
	done
	return 0
}

allowed_keys() {
	printf '%s\n' "$rules" | while IFS='|' read -r scope keys; do
		for w in $(printf '%s' "$scope" | tr ',' ' '); do
			case " root unprivileged dynamic static static-pie spawn open kernel plain memfd big seccomp " in
			*" $w "*) ;;
			*) say "BADSCOPE:$w" ;;
			esac
		done
		applies "$scope" "$@" && say "$keys"
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

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
for f in probe probe-static probe-static-pie probe-launch; do
	cp "$tests/$f" "$tmp/" || exit 1
done
cp "$loader" "$tmp/pristine-loader" &&
cp -L "$top_builddir/src/.libs/libpristine.so.0" "$tmp/" || exit 1
chmod 755 "$tmp"/*
set -f	# keys like maps.[heap] are words, not file patterns
PRISTINE_LOADER=$tmp/pristine-loader
LD_LIBRARY_PATH=$tmp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export PRISTINE_LOADER LD_LIBRARY_PATH

if [ "$(id -u)" -eq 0 ]; then
	users="root unprivileged"
	if ! command -v setpriv >/dev/null; then
		say "note: no setpriv (util-linux): the unprivileged cases do not run"
		users=root
	fi
else
	users=unprivileged	# as ourselves
fi

# launch WHO METHOD VARIANT PROBE OUT
launch() {
	who=$1; shift
	work=$tmp/work.$who
	if [ "$who" = unprivileged ] && [ "$(id -u)" -eq 0 ]; then
		timeout 30 setpriv --reuid=$nobody --regid=$nobody \
			--clear-groups --inh-caps=-all \
			"$tmp/probe-launch" "$1" "$2" "$3" "$work" \
			>"$4" 2>"$4.err"
	else
		timeout 30 "$tmp/probe-launch" "$1" "$2" "$3" "$work" \
			>"$4" 2>"$4.err"
	fi
}

# Each user runs copies of the probes it owns, so that opening one for
# writing is refused only because it is running (ETXTBSY).
for who in $users; do
	mkdir "$tmp/$who" "$tmp/work.$who"
	cp "$tmp/probe" "$tmp/probe-static" "$tmp/probe-static-pie" "$tmp/$who/"
	if [ "$who" = unprivileged ] && [ "$(id -u)" -eq 0 ]; then
		chown -R $nobody:$nobody "$tmp/$who" "$tmp/work.$who"
	fi
done

for who in $users; do
	for probe in probe probe-static probe-static-pie; do
		case $probe in
		probe) build=dynamic ;;
		*) build=${probe#probe-} ;;
		esac
		for variant in plain memfd big seccomp; do
			ref=$tmp/out.$who.$build.$variant.execve
			case_="$build $who $variant"
			if ! launch "$who" execve $variant "$tmp/$who/$probe" "$ref"; then
				no "$case_: the reference run failed:"
				cat "$ref" "$ref.err"
				continue
			fi
			if grep -q ' BAD: ' "$ref"; then
				no "$case_: the reference itself is BAD (the probe's model of exec is wrong):"
				grep ' BAD: ' "$ref"
			fi
			case $variant in
			plain) methods="spawn open kernel" ;;
			memfd|seccomp) methods="open kernel" ;;
			big) methods="spawn open" ;;
			esac
			for method in $methods; do
				out=$tmp/out.$who.$build.$variant.$method
				if ! launch "$who" $method $variant "$tmp/$who/$probe" "$out"; then
					no "$case_ $method: the run failed:"
					cat "$out" "$out.err"
					continue
				fi
				allow=$(allowed_keys "$who" "$build" "$method" "$variant")
				case $allow in
				*BADSCOPE:*)
					no "unknown scope word in doc/fidelity.md: $allow"
					exit 1 ;;
				esac
				seen=
				for key in $(differing_keys "$ref" "$out"); do
					ok=0
					for pat in $allow; do
						case $key in $pat) ok=1 ;; esac
					done
					if [ $ok -eq 1 ]; then
						seen="$seen $key"
						continue
					fi
					no "$case_ $method: $key differs:"
					awk -v k="$key" -v m="execve" '$1 == k { print "\t" m ": " $0 }' "$ref"
					awk -v k="$key" -v m="$method" '$1 == k { print "\t" m ": " $0 }' "$out"
				done
				say "checked: $case_ $method${seen:+ (allowed:$seen)}"
			done
		done
	done
done
[ $fail -eq 0 ] && say "fidelity: every difference is one doc/fidelity.md lists"
exit $fail
