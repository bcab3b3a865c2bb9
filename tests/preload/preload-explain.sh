#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# The shim explains itself (issue 15): PRISTINE_TRACE's line per spawn
# (program, route, reason, error, time), whole lines from concurrent
# processes; PRISTINE_STATS=1's line from every process that loaded the
# shim, spawns or not, with no counts of a fork() parent; unknown values
# of the PRISTINE_* variables said once and taken as documented; and the
# pristine-preload command. As root and as uid 65534.
set -u
. "${top_srcdir:?}/tests/tap.sh"
. "$top_srcdir/tests/preload/preload-lib.sh"
tmp=$(mktemp -d) || bail "no scratch directory"
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
cp "${tests_builddir:?}/spawn-list" "$tmp/" || bail "no spawn-list"
list=$tmp/spawn-list
wrapper=$top_builddir/src/pristine-preload
[ -x "$wrapper" ] || bail "no $wrapper"
printf '#!/bin/sh\nexit 5\n' >"$tmp/script.sh"
chmod 755 "$tmp/script.sh"
nobody=65534

# A trace line, all fields.
line_re='^pristine-preload\[[0-9][0-9]*\]: spawn program="[^"]*" route=[a-z][a-z-]*( error=E[A-Z0-9]*)?( reason="([^"\\]|\\.)*")? us=[0-9][0-9]*$'

# as WHO cmd...
as() {
	who=$1
	shift
	if [ "$who" = root ]; then
		"$@"
	else
		setpriv --reuid=$nobody --regid=$nobody --clear-groups \
			--inh-caps=-all "$@"
	fi
}

# shim VAR=VALUE... cmd...: cmd with the shim preloaded, as $who, in $dir.
shim() {
	(cd "$dir" && as "$who" env LD_PRELOAD="$preload" \
		ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} "$@")
}

# once TEXT FILE: how many processes said TEXT, if each said it once
# (lines "libpristine-preload[PID]: TEXT"); "twice" if one said it twice.
once() {
	grep -F "]: $1" "$2" | sed 's/^libpristine-preload\[\([0-9]*\)\].*/\1/' |
		sort | uniq -c | awk '$1 != 1 { twice = 1 } END {
			print twice ? "twice" : NR }'
}

# field NAME LINE: the value of NAME= in a trace line.
field() {
	printf '%s\n' "$2" | sed -n "s/.* $1=\"\{0,1\}\([^\" ]*\).*/\1/p"
}

if [ "$(id -u)" -eq 0 ]; then
	users=root
	if command -v setpriv >/dev/null; then
		users="root uid65534"
	else
		skip "uid 65534" "setpriv (util-linux) not found"
	fi
else
	users=root	# as ourselves
fi

for who in $users; do
	dir=$tmp/$who
	mkdir "$dir"
	chmod 777 "$dir"

	# --- PRISTINE_TRACE=FILE: one line per spawn, every field. ---
	trace=$dir/trace
	(cd "$dir" && as "$who" "$list" /bin/true "$tmp/script.sh" \
		"$tmp/no such file") >"$dir/glibc.out" 2>&1
	shim PRISTINE_PRELOAD=loader PRISTINE_TRACE="$trace" "$list" \
		/bin/true "$tmp/script.sh" "$tmp/no such file" \
		>"$dir/shim.out" 2>"$dir/shim.err"
	if cmp -s "$dir/glibc.out" "$dir/shim.out"; then
		ok "$who: the spawns' results as with glibc alone"
	else
		bad "$who: spawn results differ from glibc's
$(diff "$dir/glibc.out" "$dir/shim.out")"
	fi
	n=$(wc -l <"$trace")
	bad_lines=$(grep -Ev "$line_re" "$trace")
	if [ "$n" -eq 3 ] && [ -z "$bad_lines" ]; then
		ok "$who: a trace line for each of the 3 spawns, every field"
	else
		bad "$who: the trace has $n lines, or lines out of form
$(cat "$trace")"
	fi
	l1=$(sed -n 1p "$trace") l2=$(sed -n 2p "$trace") l3=$(sed -n 3p "$trace")
	# The program as spawned; the route the library reports: the
	# loader's for an ELF in mode loader, the kernel's for a script,
	# with the reason in words; a failure with glibc's error.
	glibc_err=$(sed -n 's/.*no such file: error //p' "$dir/glibc.out")
	if [ "$(field program "$l1")" = /bin/true ] &&
	   [ "$(field route "$l1")" = loader ] &&
	   ! printf '%s' "$l1" | grep -q 'reason=' &&
	   [ "$(field program "$l2")" = "$tmp/script.sh" ] &&
	   [ "$(field route "$l2")" = script ] &&
	   printf '%s' "$l2" | grep -q 'reason="a #! script"' &&
	   [ "$(field route "$l3")" = failed ] &&
	   [ "$(field error "$l3")" = "$glibc_err" ] &&
	   printf '%s' "$l3" | grep -q "program=\"$tmp/no such file\"" &&
	   printf '%s' "$l3" | grep -q 'reason="..*"'; then
		ok "$who: trace: program, route, reason and error as spawned ($glibc_err)"
	else
		bad "$who: trace fields wrong (glibc: $glibc_err)
$(cat "$trace")"
	fi
	# Mode kernel, mode off, and a loader that cannot be used.
	rm -f "$trace"
	shim PRISTINE_PRELOAD=kernel PRISTINE_TRACE="$trace" "$list" \
		/bin/true >/dev/null 2>&1
	shim PRISTINE_PRELOAD=off PRISTINE_TRACE="$trace" "$list" \
		/bin/true >/dev/null 2>&1
	shim PRISTINE_LOADER=/nonexistent PRISTINE_TRACE="$trace" "$list" \
		/bin/true /bin/true >/dev/null 2>"$dir/noloader.err"
	routes=$(sed 's/.* route=\([^ ]*\).*/\1/' "$trace" | tr '\n' ' ')
	if [ "$routes" = "kernel glibc glibc-noloader glibc-noloader " ] &&
	   grep -q 'route=glibc reason="PRISTINE_PRELOAD=off"' "$trace" &&
	   grep -q 'route=glibc-noloader reason="the loader cannot be used: .*/nonexistent' "$trace" &&
	   grep -q 'route=kernel reason="mode kernel' "$trace"; then
		ok "$who: trace: mode kernel, mode off and a missing loader, each with its reason"
	else
		bad "$who: trace routes: $routes
$(cat "$trace")"
	fi
	# No descriptor left: glibc's posix_spawn, the library's own route.
	rm -f "$trace"
	shim PRISTINE_TRACE="$trace" "$list" -n /bin/true \
		>"$dir/nofds.out" 2>&1
	if grep -q '^/bin/true: exit 0$' "$dir/nofds.out" &&
	   grep -q 'route=glibc-nofds reason="no descriptor left' "$trace"; then
		ok "$who: trace: a spawn with no descriptor free is glibc-nofds, with its reason"
	else
		bad "$who: no-descriptor spawn not traced as glibc-nofds
$(cat "$dir/nofds.out" "$trace")"
	fi

	# --- PRISTINE_TRACE=stderr ---
	shim PRISTINE_TRACE=stderr "$list" /bin/true \
		>/dev/null 2>"$dir/stderr.err"
	if [ "$(grep -c 'spawn program="/bin/true"' "$dir/stderr.err")" = 1 ] &&
	   grep -Eq "$line_re" "$dir/stderr.err"; then
		ok "$who: PRISTINE_TRACE=stderr writes the line on standard error"
	else
		bad "$who: PRISTINE_TRACE=stderr
$(cat "$dir/stderr.err")"
	fi

	# --- Concurrent processes append whole lines. ---
	rm -f "$trace"
	set --
	i=0
	while [ $i -lt 40 ]; do
		set -- "$@" /bin/true "$tmp/script.sh"
		i=$((i + 1))
	done
	for p in 1 2 3 4; do
		shim PRISTINE_TRACE="$trace" "$list" "$@" >/dev/null 2>&1 &
	done
	wait
	n=$(wc -l <"$trace")
	bad_lines=$(grep -Ev "$line_re" "$trace" | head -3)
	if [ "$n" -eq 320 ] && [ -z "$bad_lines" ]; then
		ok "$who: 4 processes at once, 320 spawns: 320 whole lines"
	else
		bad "$who: concurrent trace: $n lines, some out of form
$bad_lines"
	fi

	# --- A trace file that cannot be opened: said once, spawns go on. ---
	shim PRISTINE_TRACE=/nonexistent/dir/trace "$list" /bin/true /bin/true \
		>"$dir/notrace.out" 2>"$dir/notrace.err"
	# Said by spawn-list once (its children never spawn, never open).
	if [ "$(once 'PRISTINE_TRACE=/nonexistent/dir/trace: No such file or directory' "$dir/notrace.err")" = 1 ] &&
	   [ "$(grep -c ': exit 0$' "$dir/notrace.out")" = 2 ]; then
		ok "$who: an unopenable trace file is said once; the spawns are done"
	else
		bad "$who: unopenable trace file
$(cat "$dir/notrace.out" "$dir/notrace.err")"
	fi

	# --- PRISTINE_STATS=1: a line from every process that loaded it. ---
	shim PRISTINE_STATS=1 /bin/true 2>"$dir/stats0.err"
	shim PRISTINE_STATS=1 sh -c '/bin/true; /bin/true; exit 0' \
		2>"$dir/stats-sh.err"
	if grep -Eq '^pristine-preload\[[0-9]+\]: spawns=0 loader=0 kernel=0 glibc=0 fallback=0 failed=0 program=true$' "$dir/stats0.err" &&
	   [ "$(wc -l <"$dir/stats0.err")" = 1 ] &&
	   [ "$(grep -c 'spawns=0 .* program=sh$' "$dir/stats-sh.err")" = 1 ] &&
	   [ "$(grep -c 'spawns=0 .* program=true$' "$dir/stats-sh.err")" = 2 ] &&
	   [ "$(wc -l <"$dir/stats-sh.err")" = 3 ]; then
		ok "$who: PRISTINE_STATS=1 says spawns=0 for programs that never spawn (sh, which forks and leaves by _exit(), and its commands)"
	else
		bad "$who: stats lines without spawns
$(cat "$dir/stats0.err" "$dir/stats-sh.err")"
	fi
	shim PRISTINE_STATS=1 "$list" -f /bin/true /bin/true \
		>/dev/null 2>"$dir/stats-fork.err"
	if [ "$(grep -c 'spawns=2 .* program=spawn-list$' "$dir/stats-fork.err")" = 1 ] &&
	   [ "$(grep -c 'spawns=1 .* program=spawn-list$' "$dir/stats-fork.err")" = 1 ] &&
	   [ "$(grep -c 'program=spawn-list$' "$dir/stats-fork.err")" = 2 ]; then
		ok "$who: a fork() child that spawns counts its own spawns, none of its parent's"
	else
		bad "$who: stats of a fork() child
$(cat "$dir/stats-fork.err")"
	fi

	# --- Unknown values: said once each, taken as documented. ---
	# Each process that loads the shim says it once: spawn-list and
	# the two programs it spawns, 3 lines, 3 processes.
	shim PRISTINE_PRELOAD=bogus PRISTINE_STATS=1 "$list" /bin/true \
		/bin/true >/dev/null 2>"$dir/bogus.err"
	if [ "$(once 'PRISTINE_PRELOAD=bogus: not default, loader, kernel or off; the default mode' "$dir/bogus.err")" = 3 ] &&
	   stats=$(check_stats "$dir/bogus.err"); then
		ok "$who: PRISTINE_PRELOAD=bogus is said once; the default mode spawns ($stats)"
	else
		bad "$who: PRISTINE_PRELOAD=bogus
$(cat "$dir/bogus.err")"
	fi
	shim PRISTINE_STATS=yes "$list" /bin/true >/dev/null 2>"$dir/yes.err"
	if [ "$(once 'PRISTINE_STATS=yes: not 0 or 1; no statistics' "$dir/yes.err")" = 2 ] &&
	   ! grep -q 'spawns=' "$dir/yes.err"; then
		ok "$who: PRISTINE_STATS=yes is said once; no statistics"
	else
		bad "$who: PRISTINE_STATS=yes
$(cat "$dir/yes.err")"
	fi
	for v in abc 0 1025 -3 2x; do
		shim PRISTINE_POOL=$v "$list" -c 0 /bin/true /bin/true \
			>"$dir/pool.out" 2>"$dir/pool.err"
		if [ "$(once "PRISTINE_POOL=$v: not a number from 1 to 1024; no pool" "$dir/pool.err")" = 3 ] &&
		   grep -q '^children: 0$' "$dir/pool.out"; then
			ok "$who: PRISTINE_POOL=$v is said once; no pool"
		else
			bad "$who: PRISTINE_POOL=$v
$(cat "$dir/pool.out" "$dir/pool.err")"
		fi
	done
	shim PRISTINE_POOL=2 "$list" -c 2 /bin/true >"$dir/pool.out" \
		2>"$dir/pool.err"
	if [ ! -s "$dir/pool.err" ] && grep -q '^children: 2$' "$dir/pool.out"
	then
		ok "$who: PRISTINE_POOL=2 says nothing and makes 2 members"
	else
		bad "$who: PRISTINE_POOL=2
$(cat "$dir/pool.out" "$dir/pool.err")"
	fi
	shim PRISTINE_PRELOAD= PRISTINE_STATS= PRISTINE_POOL= PRISTINE_TRACE= \
		PRISTINE_PRELOAD=default "$list" /bin/true >/dev/null \
		2>"$dir/empty.err"
	if [ ! -s "$dir/empty.err" ]; then
		ok "$who: empty values and PRISTINE_PRELOAD=default are not reported"
	else
		bad "$who: empty values reported
$(cat "$dir/empty.err")"
	fi

	# --- pristine-preload COMMAND ---
	(cd "$dir" && as "$who" env PRISTINE_SHIM="$shim" LD_PRELOAD="$asan" \
		ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
		PRISTINE_STATS=1 "$wrapper" "$list" /bin/true) \
		>"$dir/wrap.out" 2>"$dir/wrap.err"
	if grep -q '^/bin/true: exit 0$' "$dir/wrap.out" &&
	   stats=$(check_stats "$dir/wrap.err"); then
		ok "$who: pristine-preload runs the command through the shim ($stats)"
	else
		bad "$who: pristine-preload
$(cat "$dir/wrap.out" "$dir/wrap.err")"
	fi
	# The caller's preloads stay first; a relative trace file is the
	# caller's directory's, wherever the program goes.
	(cd "$dir" && as "$who" env PRISTINE_SHIM="$shim" \
		ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
		LD_PRELOAD="${asan:+$asan }/lib/x86_64-linux-gnu/libm.so.6" \
		PRISTINE_TRACE=rel.trace "$wrapper" sh -c \
		'echo "$LD_PRELOAD"; cd /; exec "$0" /bin/true' "$list") \
		>"$dir/wrap2.out" 2>"$dir/wrap2.err"
	if grep -qx "${asan:+$asan }/lib/x86_64-linux-gnu/libm.so.6 $shim" "$dir/wrap2.out" &&
	   [ "$(grep -c 'program="/bin/true"' "$dir/rel.trace" 2>/dev/null)" = 1 ]
	then
		ok "$who: pristine-preload keeps LD_PRELOAD's entries first and makes PRISTINE_TRACE absolute"
	else
		bad "$who: pristine-preload with LD_PRELOAD and a relative trace
$(cat "$dir/wrap2.out" "$dir/wrap2.err")"
	fi
done

# The command's own errors, and its installed path written in.
"$wrapper" >/dev/null 2>"$tmp/w.err"
s1=$?
PRISTINE_SHIM=/nonexistent "$wrapper" /bin/true 2>>"$tmp/w.err"
s2=$?
"$wrapper" --help >/dev/null
s3=$?
if [ $s1 = 125 ] && [ $s2 = 125 ] && [ $s3 = 0 ] &&
   grep -q 'no command' "$tmp/w.err" &&
   grep -q 'the shim /nonexistent cannot be read' "$tmp/w.err"; then
	ok "pristine-preload: no command or no shim is an error (125), --help is not"
else
	bad "pristine-preload's own errors: $s1 $s2 $s3
$(cat "$tmp/w.err")"
fi
if ! grep -q '@[A-Z_]*@' "$wrapper" &&
   grep -q "^shim=\${PRISTINE_SHIM:-/.*/libpristine-preload.so}$" "$wrapper"; then
	ok "pristine-preload: the installed shim's path is written in"
else
	bad "pristine-preload: no installed path
$(grep -n 'shim=\|@' "$wrapper")"
fi
finish
