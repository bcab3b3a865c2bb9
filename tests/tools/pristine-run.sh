#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# pristine-run as a user drives it: every option, every exit status, and a
# system call denied with --seccomp-deny failing in the command with the
# chosen errno. Runs the binary of this build tree (see tools-lib.sh).
set -u
. "${top_srcdir:?}/tests/tools/tools-lib.sh"

# The fields of a process's /proc/PID/stat a shell can read: "$1 $5 $6"
# is pid, process group, session (comm must have no spaces).
STAT='read l </proc/$$/stat; set -- $l'

printf 'not a program\n' >"$tmp/noexec"
chmod 644 "$tmp/noexec"
printf '#!/nonexistent/interpreter\n' >"$tmp/badinterp"
chmod 755 "$tmp/badinterp"
printf 'garbage garbage garbage\n' >"$tmp/garbage"
chmod 755 "$tmp/garbage"
mkdir "$tmp/bin" "$tmp/pub"
chmod 777 "$tmp/pub"
printf '#!/bin/sh\necho "mine $*"\n' >"$tmp/bin/mycmd"
chmod 755 "$tmp/bin/mycmd"

note "exit statuses"
t "$RUN" true
expect_rc "command succeeds" 0
t "$RUN" sh -c 'exit 42'
expect_rc "command's own status" 42
t "$RUN" sh -c 'kill -USR1 $$'
expect_rc "killed by SIGUSR1: 128+10" 138
t "$RUN" sh -c 'kill -KILL $$'
expect_rc "killed by SIGKILL: 128+9" 137
t "$RUN" no-such-command-here
expect_msg "command not found in PATH" 127 "'no-such-command-here'" \
	"No such file or directory"
t "$RUN" /nonexistent/dir/cmd
expect_msg "path does not exist" 127 "'/nonexistent/dir/cmd'" \
	"No such file or directory"
t "$RUN" "$tmp/badinterp"
expect_msg "script interpreter missing" 127 "badinterp" \
	"No such file or directory"
t "$RUN" "$tmp/noexec"
expect_msg "file without execute permission" 126 "noexec" \
	"Permission denied"
t "$RUN" PATH="$tmp" noexec
expect_msg "only a non-executable match in PATH" 126 "'noexec'" \
	"Permission denied"
t "$RUN" "$tmp/bin"
expect_msg "a directory" 126 "Permission denied"
t "$RUN" "$tmp/garbage"
expect_msg "not an executable format" 126 "garbage" "Exec format error"
t "$RUN" --setsid --pgroup 0 true
expect_msg "setup step refused at run (setpgid after setsid)" 125 \
	"(pgroup)" "Operation not permitted"

note "usage errors: status 125 and one line naming the problem"
t "$RUN"
expect_msg "no command" 125 "no command given"
t "$RUN" --no-such-option true
expect_msg "unknown long option" 125 "unknown option '--no-such-option'"
t "$RUN" -Z true
expect_msg "unknown short option" 125 "unknown option '-Z'"
t "$RUN" --umask
expect_msg "missing argument" 125 "'--umask' needs an argument"
t "$RUN" --fd 3 true
expect_msg "--fd without =" 125 "malformed --fd spec '3'"
t "$RUN" --fd x=/dev/null true
expect_msg "--fd with a bad N" 125 "malformed --fd spec 'x=/dev/null'"
t "$RUN" --fd 3= true
expect_msg "--fd with nothing after =" 125 "malformed --fd spec '3='"
t "$RUN" --fd 3=:w true
expect_msg "--fd with a mode but no path" 125 "malformed --fd spec" "no path"
t "$RUN" --fd 3=/nonexistent/file:r true
expect_msg "--fd path that cannot be opened" 125 "/nonexistent/file" \
	"No such file or directory"
t "$RUN" --fd 4=9 true
expect_msg "--fd N=M with M not open" 125 \
	"descriptor 9 would not be open in the command"
t sh -c 'exec 3</dev/null; "$1" --close-from 3 --fd 4=3 true' sh "$RUN"
expect_msg "--fd N=M with M closed by an earlier --close-from" 125 \
	"--fd 4=3: descriptor 3 would not be open"
t "$RUN" --close-from x true
expect_msg "bad --close-from" 125 "--close-from 'x'"
t "$RUN" --umask 0999 true
expect_msg "bad --umask" 125 "--umask '0999'" "octal"
t "$RUN" --umask 01000 true
expect_msg "--umask beyond 0777" 125 "--umask '01000'"
t "$RUN" --rlimit NOFILE true
expect_msg "--rlimit without =" 125 "malformed --rlimit 'NOFILE'"
t "$RUN" --rlimit BOGUS=1 true
expect_msg "bad rlimit name" 125 "unknown resource limit name 'BOGUS'"
t "$RUN" --rlimit NOFILE=lots true
expect_msg "bad rlimit value" 125 "not a limit value"
t "$RUN" --rlimit NOFILE=20:10 true
expect_msg "soft above hard" 125 "soft limit above hard limit"
t "$RUN" --pgroup -1 true
expect_msg "bad --pgroup" 125 "--pgroup '-1'"
t "$RUN" --sigmask INT,NOSUCHSIG true
expect_msg "bad signal in --sigmask" 125 "unknown signal 'NOSUCHSIG'"
t "$RUN" --sigdefault 99 true
expect_msg "bad signal in --sigdefault" 125 "unknown signal '99'"
t "$RUN" --sigignore KILL true
expect_msg "--sigignore KILL" 125 "SIGKILL and SIGSTOP cannot be ignored"
t "$RUN" --pdeathsig NOPE true
expect_msg "bad --pdeathsig" 125 "unknown signal 'NOPE'"
if [ "${HAVE_LIBSECCOMP:-yes}" = yes ]; then
	t "$RUN" --seccomp-deny no_such_syscall true
	expect_msg "unknown system call" 125 \
		"unknown system call 'no_such_syscall'"
else
	t "$RUN" --seccomp-deny mkdir true
	expect_msg "--seccomp-deny in a build without libseccomp" 125 \
		"--seccomp-deny is unavailable" "built without libseccomp"
fi
t "$RUN" --seccomp-deny , true
expect_msg "empty --seccomp-deny" 125 "no system call named"
t "$RUN" --seccomp-deny mkdir --seccomp-errno ENOTANERRNO true
expect_msg "unknown errno name" 125 "unknown errno 'ENOTANERRNO'"
t "$RUN" --seccomp-deny mkdir --seccomp-errno 5000 true
expect_msg "errno out of range" 125 "unknown errno '5000'"
t "$RUN" --seccomp-errno EPERM true
expect_msg "--seccomp-errno alone" 125 "--seccomp-errno needs --seccomp-deny"
t "$RUN" --mode turbo true
expect_msg "bad --mode" 125 "--mode 'turbo'" "loader or kernel"
t "$RUN" -u A=B true
expect_msg "-u with =" 125 "cannot unset 'A=B'"
t "$RUN" -C /nonexistent/dir true
expect_msg "-C to a missing directory" 125 "--chdir /nonexistent/dir" \
	"No such file or directory"

note "--help, --version, -v"
t "$RUN" --help
expect_rc "--help" 0
expect_mentions "--help mentions every option" -C, --chdir -i, \
	--ignore-environment -u, --unset --fd --close-from --umask --rlimit \
	--setsid --pgroup --sigmask --sigdefault --sigignore --pdeathsig \
	--no-new-privs --seccomp-deny --seccomp-errno --name --mode -v, \
	--verbose --help --version
t "$RUN" --version
expect_rc "--version" 0
expect_out "--version text" "pristine-run (pristine) 0.1.0"
t "$RUN" -v sh -c 'echo out'
expect_rc "-v" 0
expect_out "-v keeps stdout to the command" "out"
grep -q '^pristine-run: run  *pid [0-9]*, route loader$' "$tmp/err" &&
grep -q '^pristine-run: exit  *pid [0-9]* exited with status 0$' "$tmp/err" &&
grep -q '^pristine-run: argv  *sh -c echo out$' "$tmp/err" &&
grep -q '^pristine-run: exec  */.*/sh$' "$tmp/err" &&
ok "-v describes argv, exec, run and exit" ||
bad "-v output: $(cat "$tmp/err")"
t "$RUN" --verbose --umask 022 true
grep -q '^pristine-run: umask  *0022$' "$tmp/err" &&
ok "--verbose describes each option" || bad "--verbose: $(cat "$tmp/err")"
t "$RUN" -v sh -c 'kill -TERM $$'
grep -q 'was killed by SIGTERM (status 143)$' "$tmp/err" &&
ok "-v names the signal" || bad "-v on a signal: $(cat "$tmp/err")"

note "environment: -i, -u, NAME=VALUE, PATH"
t env -i PRISTINE_LOADER="$PRISTINE_LOADER" A=1 "$RUN" -i env
expect_out "-i: empty environment" ""
t "$RUN" --ignore-environment X=y env
expect_out "--ignore-environment then NAME=VALUE" "X=y"
t env FOO=old "$RUN" FOO=new sh -c 'echo $FOO'
expect_out "NAME=VALUE replaces" "new"
t env FOO=1 BAR=2 "$RUN" -u FOO sh -c 'echo "${FOO-unset} $BAR"'
expect_out "-u removes" "unset 2"
t env FOO=1 "$RUN" --unset FOO sh -c 'echo "${FOO-unset}"'
expect_out "--unset removes" "unset"
t "$RUN" -i PATH="$tmp/bin" mycmd a b
expect_out "the command is searched in the new PATH" "mine a b"
t "$RUN" -- true
expect_rc "-- before the command" 0

note "descriptors: inherited, --fd, --close-from"
t sh -c 'exec 3>"$1"; "$2" sh -c "echo via3 >&3"' sh "$tmp/f3" "$RUN"
expect "descriptors without close-on-exec are inherited" "via3" \
	"$(cat "$tmp/f3")"
t "$RUN" --fd 1="$tmp/w" echo first
t "$RUN" --fd 1="$tmp/w" echo second
expect "--fd N=PATH: fd 1 defaults to w (truncate)" "second" "$(cat "$tmp/w")"
printf 'a much longer first line\n' >"$tmp/w"
t "$RUN" --fd 1="$tmp/w:w" echo x
expect "--fd :w truncates" "x" "$(cat "$tmp/w")"
t "$RUN" --fd 1="$tmp/w:a" echo y
expect "--fd :a appends" "x
y" "$(cat "$tmp/w")"
printf 'input line\n' >"$tmp/in"
t "$RUN" --fd 0="$tmp/in" cat
expect_out "--fd 0=PATH defaults to r" "input line"
t "$RUN" --fd 0="$tmp/in:r" cat
expect_out "--fd :r" "input line"
t "$RUN" --fd 0="$tmp/in:r" sh -c 'echo x 2>/dev/null >&0 || echo refused'
expect_out "--fd :r is read-only" "refused"
t "$RUN" --fd 5="$tmp/rw:rw" sh -c \
	'echo rw >&5; while read k v; do [ "$k" = flags: ] && echo $v; done </proc/$$/fdinfo/5'
case $(cat "$tmp/out") in
*2) expect "--fd :rw opens read-write" "rw" "$(cat "$tmp/rw")" ;;
*) bad "--fd :rw flags: $(cat "$tmp/out")" ;;
esac
t "$RUN" --fd 1="$tmp/a:b" echo colon
expect "--fd path with a colon and no mode" "colon" "$(cat "$tmp/a:b")"
t "$RUN" --fd 1=2 sh -c 'echo to-stderr'
expect "--fd N=M duplicates the inherited fd M" "to-stderr" "$(cat "$tmp/err")"
t "$RUN" --fd 1="$tmp/log" --fd 2=1 sh -c 'echo out; echo err >&2'
expect "--fd 2=1 after --fd 1=PATH: both in PATH, like 2>&1" "out
err" "$(cat "$tmp/log")"
t sh -c 'exec 7>"$1"; "$2" --fd 4=7 sh -c "echo via4 >&4"' sh "$tmp/f7" "$RUN"
expect "--fd 4=7 installs a copy of fd 7 as fd 4" "via4" "$(cat "$tmp/f7")"
: >"$tmp/f3"
t sh -c 'exec 3>"$1"; "$2" --close-from 3 sh -c "echo x >&3" 2>/dev/null' \
	sh "$tmp/f3" "$RUN"
[ "$rc" != 0 ] && [ ! -s "$tmp/f3" ] &&
ok "--close-from 3 closes inherited fd 3" || bad "--close-from: status $rc"
t "$RUN" --close-from 3 --fd 3="$tmp/f3" sh -c 'echo after >&3'
expect "options apply in order: --fd after --close-from stays" "after" \
	"$(cat "$tmp/f3")"
t "$RUN" --fd 3="$tmp/f3" --close-from 3 sh -c 'echo x >&3'
[ "$rc" != 0 ] && ok "options apply in order: --close-from after --fd closes it" ||
bad "--fd then --close-from: status $rc"

note "directory, umask, limits"
t "$RUN" -C / pwd
expect_out "-C" "/"
t "$RUN" --chdir "$tmp/bin" sh -c 'pwd'
expect_out "--chdir" "$tmp/bin"
t "$RUN" -C "$tmp/bin" ./mycmd rel
expect_out "-C: a relative command is found in the new directory" "mine rel"
t "$RUN" --umask 027 sh -c umask
expect_out "--umask" "0027"
t "$RUN" --rlimit NOFILE=100:200 sh -c 'echo $(ulimit -Sn) $(ulimit -Hn)'
expect_out "--rlimit NAME=SOFT:HARD" "100 200"
t "$RUN" --rlimit nofile=64 sh -c 'echo $(ulimit -Sn) $(ulimit -Hn)'
expect_out "--rlimit NAME=VALUE sets both" "64 64"
hard=$(ulimit -Hc)
t "$RUN" --rlimit RLIMIT_CORE=0: sh -c 'echo $(ulimit -Sc) $(ulimit -Hc)'
expect_out "--rlimit NAME=SOFT: keeps the hard limit" "0 $hard"

note "sessions and process groups"
t "$RUN" --setsid sh -c "$STAT; echo \$1 \$6"
set -- $(cat "$tmp/out")
expect "--setsid: the command leads a new session" "$1" "${2-}"
t "$RUN" --pgroup 0 sh -c "$STAT; echo \$1 \$5"
set -- $(cat "$tmp/out")
expect "--pgroup 0: a new process group" "$1" "${2-}"
rm -f "$tmp/leader"
"$RUN" --pgroup 0 sh -c 'echo $$ >"$1.t"; mv "$1.t" "$1"; sleep 10' sh \
	"$tmp/leader" &
leader_job=$!
i=0
while [ ! -s "$tmp/leader" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
group=$(cat "$tmp/leader")
t "$RUN" --pgroup "$group" sh -c "$STAT; echo \$5"
expect_out "--pgroup N joins group N" "$group"
kill -- -"$group" 2>/dev/null	# the shell and its sleep
wait $leader_job 2>/dev/null

note "signals"
sigline() { grep "^$1:" "$tmp/out" | cut -f2; }
t "$RUN" --sigmask INT,USR1 grep SigBlk /proc/self/status
expect "--sigmask blocks exactly these" "0000000000000202" "$(sigline SigBlk)"
t "$RUN" --sigmask sigint,10,rtmin+1 grep SigBlk /proc/self/status
expect "--sigmask names, numbers, RTMIN+n" "0000000400000202" "$(sigline SigBlk)"
t "$RUN" --sigmask 32,33 grep SigBlk /proc/self/status
expect "--sigmask reaches glibc's own 32 and 33" "0000000180000000" \
	"$(sigline SigBlk)"
t "$RUN" --sigmask '' grep SigBlk /proc/self/status
expect "--sigmask '': nothing blocked" "0000000000000000" "$(sigline SigBlk)"
# What this test itself ignores (its caller may ignore some): the base.
base=$(grep '^SigIgn:' /proc/self/status | cut -f2)
with() { printf '%016x' $(( 0x$base | $1 )); }
without() { printf '%016x' $(( 0x$base & ~$1 )); }
t "$RUN" --sigignore TERM,USR2 grep SigIgn /proc/self/status
expect "--sigignore" "$(with 0x4800)" "$(sigline SigIgn)"
t sh -c 'trap "" HUP; "$1" grep SigIgn /proc/self/status' sh "$RUN"
expect "ignored signals are inherited, as across exec" "$(with 1)" \
	"$(sigline SigIgn)"
t sh -c 'trap "" HUP; "$1" --sigdefault HUP grep SigIgn /proc/self/status' \
	sh "$RUN"
expect "--sigdefault undoes an inherited ignore" "$(without 1)" \
	"$(sigline SigIgn)"
rm -f "$tmp/ready" "$tmp/got"
"$RUN" sh -c 'trap "echo TERM >\"$1/got\"; exit 3" TERM; : >"$1/ready"
	i=0; while [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done; exit 9' \
	sh "$tmp" &
job=$!
i=0
while [ ! -e "$tmp/ready" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -TERM $job
wait $job
rc=$?
expect_rc "SIGTERM to pristine-run reaches the command" 3
rm -f "$tmp/ready" "$tmp/got"
sh -c '"$2" --pdeathsig TERM sh -c "trap \"echo TERM >$1/got; exit\" TERM
	: >$1/ready; i=0; while [ \$i -lt 200 ]; do sleep 0.05; i=\$((i + 1)); done" &
	echo $! >"$1/runpid"; wait' sh "$tmp" "$RUN" &
job=$!
i=0
while [ ! -e "$tmp/ready" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -KILL "$(cat "$tmp/runpid")"
wait $job
i=0
while [ ! -s "$tmp/got" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
expect "--pdeathsig TERM: the command gets SIGTERM when pristine-run dies" \
	"TERM" "$(cat "$tmp/got" 2>/dev/null)"

note "identity: --name, --mode, --no-new-privs"
t "$RUN" --name hello-name sh -c 'cat /proc/$$/comm'
expect_out "--name sets comm" "hello-name"
t "$RUN" -v --mode kernel true
grep -q 'route kernel$' "$tmp/err" && ok "--mode kernel: the kernel executes" ||
bad "--mode kernel: $(cat "$tmp/err")"
t "$RUN" -v --mode loader true
grep -q 'route loader$' "$tmp/err" && ok "--mode loader: the loader maps" ||
bad "--mode loader: $(cat "$tmp/err")"
nnp() { grep '^NoNewPrivs:' "$tmp/out" | cut -f2; }
# Tests about setting no_new_privs need a caller without it.
own_nnp=$(grep '^NoNewPrivs:' /proc/self/status | cut -f2)
t "$RUN" grep NoNewPrivs /proc/self/status
expect "no_new_privs is inherited, not set, by default" "$own_nnp" "$(nnp)"
t "$RUN" --no-new-privs grep NoNewPrivs /proc/self/status
expect "--no-new-privs" "1" "$(nnp)"

note "--seccomp-deny: the denied call fails in the command with the errno"
if [ "${HAVE_LIBSECCOMP:-yes}" = no ]; then
	skip "--seccomp-deny" "needs libseccomp, and this build has none (configure --without-libseccomp)"
else
for mode in loader kernel; do
	rm -rf "$tmp/pub/d"
	t "$RUN" --mode $mode --seccomp-deny mkdir,mkdirat \
		--seccomp-errno EROFS mkdir "$tmp/pub/d"
	expect_rc "$mode: mkdir denied with EROFS fails" 1
	grep -q 'Read-only file system' "$tmp/err" && [ ! -d "$tmp/pub/d" ] &&
	ok "$mode: mkdir saw EROFS and made nothing" ||
	bad "$mode: mkdir said: $(cat "$tmp/err")"
done
t "$RUN" --seccomp-deny mkdir,mkdirat mkdir "$tmp/pub/d"
grep -q 'Operation not permitted' "$tmp/err" &&
ok "--seccomp-errno defaults to EPERM" || bad "default errno: $(cat "$tmp/err")"
t "$RUN" --seccomp-deny mkdir --seccomp-deny mkdirat --seccomp-errno 5 \
	sh -c 'mkdir "$1/d" 2>&1; : >"$1/f" && echo touched' sh "$tmp/pub"
grep -q 'Input/output error' "$tmp/out" && grep -qx touched "$tmp/out" &&
ok "repeated --seccomp-deny, numeric errno (EIO); other calls work" ||
bad "repeated --seccomp-deny: $(cat "$tmp/out")"
t "$RUN" --mode kernel --seccomp-deny execve,execveat true
expect_msg "the kernel route's execveat is filtered too" 126 \
	"Operation not permitted"
# A kernel before 5.9, as far as close_range() goes: the empty process is
# not made (it would hold every descriptor of its creator's).
t "$RUN" --seccomp-deny close_range --seccomp-errno ENOSYS "$RUN" true
expect_msg "without close_range(), no empty process (Linux 5.9)" 125 \
	"close_range() failed" "Linux 5.9 or later"
capeff=$(grep '^CapEff:' /proc/self/status | cut -f2)
if [ "$own_nnp" = 0 ] && [ $(( 0x$capeff >> 21 & 1 )) = 1 ]; then
	t "$RUN" --seccomp-deny mkdir grep NoNewPrivs /proc/self/status
	expect "with CAP_SYS_ADMIN, --seccomp-deny does not set no_new_privs" \
		"0" "$(nnp)"
else
	skip "with CAP_SYS_ADMIN, --seccomp-deny does not set no_new_privs" \
		"this test lacks CAP_SYS_ADMIN or has no_new_privs"
fi
fi

note "unprivileged"
t $NOBODY "$RUN" true
case $rc in
0)	ok "unprivileged: pristine-run true" ;;
125|126|127)
	# The build tree must be readable by uid 65534 (not under /root).
	skip "unprivileged cases" \
		"as uid 65534: $(head -n 1 "$tmp/err")" ;;
*)	bad "unprivileged: pristine-run true: status $rc: $(cat "$tmp/err")" ;;
esac
unprivileged=$rc
if [ "$unprivileged" = 0 ] && [ "${HAVE_LIBSECCOMP:-yes}" = yes ]; then
	for mode in loader kernel; do
		rm -rf "$tmp/pub/d"
		t $NOBODY "$RUN" --mode $mode --seccomp-deny mkdir,mkdirat \
			--seccomp-errno EROFS sh -c \
			'grep NoNewPrivs /proc/self/status; mkdir "$1/d"' sh \
			"$tmp/pub"
		expect "$mode: --seccomp-deny implies no_new_privs" "1" "$(nnp)"
		grep -q 'Read-only file system' "$tmp/err" &&
		[ ! -d "$tmp/pub/d" ] &&
		ok "$mode: unprivileged, mkdir saw EROFS" ||
		bad "$mode: unprivileged mkdir: $(cat "$tmp/err")"
	done
fi
if [ "$unprivileged" = 0 ]; then
	hard=$($NOBODY sh -c 'ulimit -Hn')
	if [ "$hard" != unlimited ]; then
		t $NOBODY "$RUN" --rlimit NOFILE=$((hard + 1)) true
		expect_msg "raising a hard limit unprivileged" 125 "(rlimit:NOFILE)" \
			"Operation not permitted"
	else
		skip "raising a hard limit unprivileged" \
			"the hard limit of open files is unlimited"
	fi
fi

finish
