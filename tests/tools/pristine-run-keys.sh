#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# pristine-run's credential, namespace, root, scheduling and resource
# options against the tools users know: the same options given to setpriv,
# unshare, nsenter, chroot, chrt, taskset, ionice, choom, setarch and
# nice, which set up their own process and exec, and to pristine-run,
# which configures an empty process; keys-probe reports what each program
# was started with, and the reports must be the same. As root and as uid
# 65534. Then a chain of those tools against one pristine-run, and the
# route each key takes.
set -u
. "${top_srcdir:?}/tests/tools/tools-lib.sh"
PROBE="${tests_builddir:?}/keys-probe"
PROBE_DYN="$tests_builddir/keys-probe-dynamic"

# The test's own namespaces, for keys-probe's "same" or "new".
PROBE_REF=
for ns in user mnt uts ipc net pid cgroup time pid_for_children \
	time_for_children; do
	PROBE_REF="$PROBE_REF $ns=$(stat -L -c %i /proc/self/ns/$ns)"
done
export PROBE_REF

# same NAME FILTER "TOOL ARGS" "PRISTINE-RUN ARGS" [PREFIX]: the probe's
# lines matching FILTER (an egrep pattern), and the status, must be the
# same. PREFIX (such as $NOBODY) runs both as another user. The words of
# the commands are split by the shell: no quoted spaces in them.
same() {
	name=$1 filter=$2 tool=$3 ours=$4 prefix=${5:-}
	# shellcheck disable=SC2086
	t $prefix $tool "$PROBE"
	want=$(grep -E "$filter" "$tmp/out") want_rc=$rc
	cp "$tmp/err" "$tmp/want-err"
	# shellcheck disable=SC2086
	t $prefix "$RUN" $ours "$PROBE"
	got=$(grep -E "$filter" "$tmp/out")
	if [ "$want_rc" != 0 ] && [ "$rc" != 0 ]; then
		ok "$name: both refuse ($(head -c 120 "$tmp/err"))"
	elif [ "$want_rc" != "$rc" ]; then
		bad "$name: status $rc, the tool's $want_rc" \
			"tool: $(cat "$tmp/want-err")" "ours: $(cat "$tmp/err")"
	elif [ -z "$want" ]; then
		bad "$name: the probe printed nothing matching $filter"
	elif [ "$want" = "$got" ]; then
		ok "$name"
	else
		bad "$name: the processes differ" \
			"$(printf '%s\n' "$want" >"$tmp/a"
			   printf '%s\n' "$got" >"$tmp/b"
			   diff "$tmp/a" "$tmp/b")"
	fi
}

# route NAME WANT ARGS...: pristine-run -v's route for ARGS.
route() {
	name=$1 want=$2
	shift 2
	t "$RUN" -v "$@" true
	got=$(sed -n 's/.*route \([a-z]*\)$/\1/p' "$tmp/err")
	expect "$name: route $want" "$want" "$got"
}

CREDS='^(Uid|Gid|Groups|Cap[A-Za-z]+|NoNewPrivs):|^(securebits|at_secure|pdeathsig):'

note "credentials: setpriv"
for opts in \
	"--reuid=65534 --regid=65534 --clear-groups --inh-caps=-all" \
	"--reuid=1000 --regid=1000 --groups=5,6,7 --inh-caps=+net_raw --ambient-caps=+net_raw" \
	"--reuid=1000 --regid=1000 --keep-groups --inh-caps=+net_bind_service,+sys_nice --ambient-caps=+net_bind_service" \
	"--euid=1000 --keep-groups" \
	"--ruid=1000" \
	"--egid=1000 --keep-groups" \
	"--bounding-set=-all,+chown,+setuid --inh-caps=+chown" \
	"--securebits=+noroot --reuid=0" \
	"--securebits=+noroot,+no_setuid_fixup,+keep_caps_locked --reuid=1000 --regid=1000 --clear-groups" \
	"--pdeathsig=TERM --reuid=1000 --regid=1000 --clear-groups" \
	"--nnp --reuid=1000 --regid=1000 --clear-groups --inh-caps=+kill --ambient-caps=+kill"
do
	if [ "$(id -u)" = 0 ]; then
		same "as root: $opts" "$CREDS" "setpriv $opts" "$opts"
	else
		skip "as root: $opts" "not root"
	fi
done
if [ "$(id -u)" = 0 ]; then
	same "as root, options in another order: the same step" "$CREDS" \
		"setpriv --reuid=1000 --regid=1000 --clear-groups" \
		"--clear-groups --reuid=1000 --regid=1000"
	same "as root: --init-groups" "$CREDS" \
		"setpriv --reuid=65534 --regid=65534 --init-groups" \
		"--reuid=65534 --regid=65534 --init-groups"
fi
for opts in "--inh-caps=-all" "--reuid=65534" "--reuid=0" \
	"--securebits=+noroot" "--bounding-set=-chown" "--clear-groups"; do
	same "as uid 65534: $opts" "$CREDS" "setpriv $opts" "$opts" "$NOBODY"
done
route "a uid" creds --reuid=0
route "an inheritable set" creds --inh-caps=-all
t "$RUN" --reuid=nosuchuser true
expect_msg "an unknown user" 125 "--reuid" "nosuchuser"
t "$RUN" --inh-caps=+nosuchcap true
expect_msg "an unknown capability" 125 "--inh-caps" "nosuchcap"
t "$RUN" --securebits=+keep_caps true
expect_msg "keep_caps, which exec clears" 125 "--securebits" "keep_caps"

note "namespaces: unshare and nsenter"
NS='^ns |^(uid_map|gid_map|setgroups|timens_offsets|root propagation|pid|Uid|Gid|CapEff|CapPrm|cwd):'
for opts in \
	"--user --map-root-user --mount --uts --net" \
	"--user --map-current-user --ipc" \
	"--user --map-user=1000 --map-group=1000" \
	"--user --setgroups=deny" \
	"--user --map-root-user --mount --propagation=slave" \
	"--user --map-root-user --mount --propagation=unchanged" \
	"--user --map-root-user --cgroup" \
	"--user --map-root-user --time --monotonic=100 --boottime=5"
do
	same "as root: $opts" "$NS" "unshare $opts" "$opts"
	same "as uid 65534: $opts" "$NS" "unshare $opts" "$opts" "$NOBODY"
done
if [ "$(id -u)" = 0 ]; then
	for opts in "--mount" "--uts --ipc --net" "--cgroup" \
		"--time --monotonic=-10"; do
		same "as root: $opts" "$NS" "unshare $opts" "$opts"
	done
	same "as root: --pid, the command is PID 1" "$NS" \
		"unshare --pid --fork --mount-proc" "--pid --mount-proc"
else
	skip "namespaces without a user namespace" "not root"
fi
same "as uid 65534: --mount without a user namespace" "$NS" \
	"unshare --mount" "--mount" "$NOBODY"
t $NOBODY "$RUN" --pid true
expect_msg "as uid 65534: --pid" 125 "PID namespace" "CAP_SYS_ADMIN"
same "as uid 65534: --user --pid, as unshare -Urpf" "$NS" \
	"unshare --user --map-root-user --pid --fork --mount-proc" \
	"--user --map-root-user --pid --mount-proc" "$NOBODY"
t $NOBODY "$RUN" --mount true
expect_msg "as uid 65534: --mount says what it needs" 125 \
	"--mount: Operation not permitted" \
	"needs CAP_SYS_ADMIN, or CLONE_NEWUSER"
route "a user namespace" creds --user
route "a time namespace" timens --time
route "a mount namespace" loader --mount

# A process in namespaces of its own, for nsenter and --setns.
unshare --uts --ipc --net sleep 300 &
target=$!
# Wait until it is unshare's no longer: it exec'd sleep.
for _ in 1 2 3 4 5 6 7 8 9 10; do
	[ "$(readlink /proc/$target/ns/net)" != "$(readlink /proc/self/ns/net)" ] &&
		[ "$(cat /proc/$target/comm)" = sleep ] && break
	sleep 0.2
done
if [ "$(id -u)" = 0 ]; then
	same "as root: nsenter -a -t PID" "$NS" \
		"nsenter -a -t $target --preserve-credentials" \
		"--nsenter $target"
	same "as root: nsenter --net=FILE" "$NS" \
		"nsenter --net=/proc/$target/ns/net" \
		"--setns /proc/$target/ns/net"
fi
t $NOBODY "$RUN" --nsenter "$target" true
[ "$rc" != 0 ] && ok "as uid 65534: another user's namespaces are refused" ||
	bad "as uid 65534: joined root's namespaces"
kill "$target"
wait "$target" 2>/dev/null

note "the root directory: chroot and unshare --root"
mkdir -p "$tmp/root/sub" "$tmp/root/bin"
cp "$PROBE" "$tmp/root/bin/keys-probe"
cp "$PROBE_DYN" "$tmp/root/bin/dynamic"
chmod -R a+rX "$tmp/root"
ROOTED='^(root|cwd|pid|Uid):'
if [ "$(id -u)" = 0 ]; then
	t chroot "$tmp/root" /bin/keys-probe
	want=$(grep -E "$ROOTED" "$tmp/out")
	t "$RUN" --root "$tmp/root" /bin/keys-probe
	expect "as root: chroot DIR" "$want" "$(grep -E "$ROOTED" "$tmp/out")"
	t "$RUN" --root "$tmp/root" keys-probe
	expect "as root: a command found in the new root's PATH" "$want" \
		"$(grep -E "$ROOTED" "$tmp/out")"
	t unshare --root "$tmp/root" --wd /sub /bin/keys-probe
	want=$(grep -E "$ROOTED" "$tmp/out")
	t "$RUN" --root "$tmp/root" --wd /sub /bin/keys-probe
	expect "as root: unshare --root DIR --wd DIR" "$want" \
		"$(grep -E "$ROOTED" "$tmp/out")"
	# The interpreter is looked up in the new root, which has none.
	t chroot "$tmp/root" /bin/dynamic
	want_rc=$rc
	t "$RUN" --root "$tmp/root" /bin/dynamic
	expect "as root: no interpreter in the new root: the same status" \
		"$want_rc" "$rc"
	t "$RUN" --mode kernel --root "$tmp/root" /bin/dynamic
	expect "as root: the same on the kernel route" "$want_rc" "$rc"
else
	skip "chroot" "not root"
fi
same "as uid 65534: --root in a user namespace" "$ROOTED" \
	"unshare --user --map-root-user --root=$tmp/root --wd=/sub" \
	"--user --map-root-user --root=$tmp/root --wd=/sub" "$NOBODY"
t $NOBODY "$RUN" --root "$tmp/root" /bin/keys-probe
expect_msg "as uid 65534: chroot without the privilege" 125 \
	"--root $tmp/root: Operation not permitted" "needs CAP_SYS_CHROOT"

note "scheduling and resources: nice, chrt, taskset, ionice, choom, setarch"
SCHED='^(Cpus_allowed_list|nice|sched|ioprio|oom_score_adj|timerslack|mdwe|thp_disable|personality):'
ncpu=$(nproc)
last=$((ncpu - 1))
for pair in \
	"nice -n 5|--nice 5" \
	"nice -n -3|--nice -3" \
	"chrt -f 10|--sched fifo:10" \
	"chrt -r -R 3|--sched rr:3 --reset-on-fork" \
	"chrt -b 0|--sched batch" \
	"chrt -i 0|--sched idle" \
	"chrt -o 0|--sched other" \
	"taskset -c $last|--cpus $last" \
	"taskset -c 0-$last|--cpus 0-$last" \
	"ionice -c 2 -n 6|--ioprio best-effort:6" \
	"ionice -c 3|--ioprio idle" \
	"ionice -c 1 -n 2|--ioprio realtime:2" \
	"ionice -c 0|--ioprio none" \
	"choom -n 500 --|--oom-score-adj 500" \
	"choom -n -200 --|--oom-score-adj -200" \
	"setarch -R|--addr-no-randomize" \
	"setarch linux32|--personality linux32" \
	"nice -n 2 chrt -b 0|--nice 2 --sched batch"
do
	tool=${pair%%|*} ours=${pair#*|}
	if [ "$(id -u)" = 0 ]; then
		same "as root: $tool" "$SCHED" "$tool" "$ours"
	fi
	same "as uid 65534: $tool" "$SCHED" "$tool" "$ours" "$NOBODY"
done
route "nice" loader --nice 1
route "sched" loader --sched batch
route "MDWE" mdwe --mdwe
route "a personality" personality --addr-no-randomize
t "$RUN" --mdwe "$PROBE"
expect "--mdwe: the command has MDWE" "mdwe: 1" \
	"$(grep '^mdwe:' "$tmp/out")"
t "$RUN" --thp-disable "$PROBE"
expect "--thp-disable: the command has it" "thp_disable: 1" \
	"$(grep '^thp_disable:' "$tmp/out")"
t "$RUN" --timer-slack 12345 "$PROBE"
expect "--timer-slack: the command has it" "timerslack: 12345" \
	"$(grep '^timerslack:' "$tmp/out")"
t "$RUN" --cpus 1000 true
expect_msg "a CPU list beyond the CPUs" 125 "--cpus 1000: Invalid argument" \
	"none of these CPUs is online"
t "$RUN" --sched fifo:100 true
expect_msg "a priority out of range" 125 "--sched" "0..99"
t "$RUN" --ioprio loud true
expect_msg "an unknown I/O class" 125 "--ioprio" "unknown class"

note "Landlock, as setpriv 2.40 spells it"
mkdir -p "$tmp/ll/ok" "$tmp/ll/no"
echo x >"$tmp/ll/ok/file"
echo x >"$tmp/ll/no/file"
cp /bin/true "$tmp/ll/ok/true"
cp /bin/true "$tmp/ll/no/true"
chmod -R a+rX "$tmp/ll"
LL="--landlock-access fs --landlock-rule path-beneath:read-file,read-dir,execute:/usr --landlock-rule path-beneath:read-file,read-dir,execute:/lib --landlock-rule path-beneath:read-file,read-dir,execute:/lib64 --landlock-rule path-beneath:read-file,read-dir,execute:$tests_builddir --landlock-rule path-beneath:read-file,read-dir,execute:$tmp/ll/ok --landlock-rule path-beneath:read-file:/proc"
if "$RUN" --landlock-access fs:make-dir true 2>/dev/null; then
	for who in root nobody; do
		prefix=
		[ $who = nobody ] && prefix=$NOBODY
		# shellcheck disable=SC2086
		t env PROBE_OPEN="$tmp/ll/no/file" PROBE_EXEC="$tmp/ll/no/true" \
			$prefix "$RUN" $LL "$PROBE"
		expect "as $who: outside the rules: open refused" \
			"open $tmp/ll/no/file: EACCES" \
			"$(grep '^open' "$tmp/out")"
		expect "as $who: outside the rules: exec refused" \
			"exec $tmp/ll/no/true: EACCES" \
			"$(grep '^exec' "$tmp/out")"
		# shellcheck disable=SC2086
		t env PROBE_OPEN="$tmp/ll/ok/file" PROBE_EXEC="$tmp/ll/ok/true" \
			$prefix "$RUN" $LL "$PROBE"
		expect "as $who: inside the rules: open and exec allowed" \
			"open $tmp/ll/ok/file: ok exec $tmp/ll/ok/true: ok" \
			"$(grep -E '^(open|exec)' "$tmp/out" | tr '\n' ' ' |
			   sed 's/ $//')"
		# shellcheck disable=SC2086
		t $prefix "$RUN" $LL "$tmp/ll/no/true"
		expect_msg "as $who: the command itself outside execute" 126 \
			"Permission denied"
	done
	route "Landlock" landlock --landlock-access fs \
		--landlock-rule path-beneath:read-file,read-dir,execute:/
else
	skip "Landlock" "this kernel has none"
fi
t $NOBODY "$RUN" --landlock-access fs:make-dir --nnp true
expect_rc "--nnp after --landlock-access: set before it, as setpriv" 0
t "$RUN" --landlock-rule path-beneath:read-file:/ true
expect_msg "a rule without --landlock-access" 125 "--landlock-access"
t "$RUN" --landlock-access fs --landlock-rule path-beneath:fly:/ true
expect_msg "an unknown access right" 125 "fly"

note "one pristine-run for a chain of tools"
if [ "$(id -u)" = 0 ]; then
	ALL="$CREDS|$NS|$SCHED|^(rlimit)"
	same "unshare | setpriv | chrt | taskset | nice | choom" "$ALL" \
		"unshare --user --map-root-user --mount --uts setpriv --inh-caps=-all --bounding-set=-all,+sys_chroot,+setpcap chrt -b 0 taskset -c 0 nice -n 3 choom -n 100 --" \
		"--user --map-root-user --mount --uts --inh-caps=-all --bounding-set=-all,+sys_chroot,+setpcap --sched batch --cpus 0 --nice 3 --oom-score-adj 100"
	t "$RUN" -v --user --map-root-user --mount --inh-caps=-all \
		--sched batch --cpus 0 true
	for key in unshare setgroups uid-map gid-map mount-propagation \
		cap-inheritable sched affinity; do
		grep -q "^pristine-run: $key " "$tmp/err" &&
			ok "-v shows the step $key" ||
			bad "-v does not show the step $key: $(cat "$tmp/err")"
	done
fi
finish
