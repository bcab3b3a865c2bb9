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
expect_msg "file without execute permission" 126 "'$tmp/noexec'" \
	"Permission denied" "not executable (mode 0644)"
t "$RUN" PATH="$tmp" noexec
expect_msg "only a non-executable match in PATH" 126 "'noexec'" \
	"Permission denied"
t "$RUN" "$tmp/bin"
expect_msg "a directory: said so" 126 "'$tmp/bin'" "Permission denied" \
	"it is a directory"
t "$RUN" --setsid --pgroup 0 true
expect_msg "setup step refused at run (setpgid after setsid): the option" \
	125 "--pgroup 0: Operation not permitted" "leads a session"

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
t "$RUN" --fd 1="$tmp/out.log:wa" true
expect_msg "--fd with an unknown mode" 125 "--fd 1=$tmp/out.log:wa" \
	"unknown mode 'wa'" ":r (read-only, the default), :w (truncate)"
[ ! -e "$tmp/out.log:wa" ] && [ ! -e "$tmp/out.log" ] &&
ok "--fd with an unknown mode creates no file" ||
bad "--fd with an unknown mode created a file"
t "$RUN" --fd 1="$tmp/a:b" true
expect_msg "--fd path with a colon and no mode: refused" 125 \
	"unknown mode 'b'" "as in 1=$tmp/a:b:r"
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
t "$RUN" --timeout soon true
expect_msg "bad --timeout" 125 "--timeout 'soon': not a duration"
t "$RUN" --timeout -1 true
expect_msg "negative --timeout" 125 "--timeout '-1': not a duration"
t "$RUN" --kill-after 1 true
expect_msg "--kill-after alone" 125 "--kill-after needs --timeout"
t "$RUN" --no-wait --timeout 1 true
expect_msg "--timeout with --no-wait" 125 "not with --no-wait"
t "$RUN" --ctty x true
expect_msg "bad --ctty" 125 "--ctty 'x': not a descriptor number"
t "$RUN" --ctty 0 true </dev/null
expect_msg "--ctty on a descriptor that is not a terminal" 125 \
	"--ctty 0: descriptor 0 is not a terminal"
t "$RUN" --ctty 9 true
expect_msg "--ctty on a closed descriptor" 125 \
	"descriptor 9 would not be open"
t "$RUN" --env-file "$tmp/nonexistent" true
expect_msg "--env-file missing" 125 "--env-file $tmp/nonexistent" \
	"No such file or directory"
printf 'A=1\n# a comment\n\nNOT AN ASSIGNMENT\n' >"$tmp/envfile"
t "$RUN" --env-file "$tmp/envfile" true
expect_msg "--env-file with a bad line" 125 "line 4" \
	"expected NAME=VALUE, found 'NOT AN ASSIGNMENT'"
t "$RUN" -S 'true "unterminated' 
expect_msg "-S with an open quote" 125 "no terminating quote"
t "$RUN" -S 'true $HOME'
expect_msg "-S with \$NAME" 125 "only \${VARNAME} expansion is supported"
t "$RUN" -S 'true \q'
expect_msg "-S with an unknown escape" 125 "invalid sequence '\\q'"

note "--help, --version, -v"
t "$RUN" --help
expect_rc "--help" 0
expect_mentions "--help mentions every option" -C, --chdir -i, \
	--ignore-environment -u, --unset --env-file -S, --split-string \
	--fd --close-from --umask --rlimit \
	--setsid --ctty --pgroup --sigmask --sigdefault --sigignore \
	--pdeathsig --no-new-privs --seccomp-deny --seccomp-errno --name \
	--mode --timeout --kill-after --wait --no-wait -v, \
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
grep -q 'was killed by SIGTERM$' "$tmp/err" &&
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
t "$RUN" --fd 1="$tmp/w:w" echo first
t "$RUN" --fd 1="$tmp/w:w" echo second
expect "--fd N=PATH:w truncates, as the shell's >" "second" "$(cat "$tmp/w")"
printf 'precious\n' >"$tmp/r"
t "$RUN" --fd 3="$tmp/r" sh -c 'cat <&3; echo more >&3'
sh -c 'cat <&3; echo more >&3' 3<"$tmp/r" >"$tmp/shell-out" 2>/dev/null
shell_rc=$?
expect "--fd N=PATH without a mode is read-only, as the shell's <" \
	"$(cat "$tmp/shell-out") $shell_rc precious" \
	"$(cat "$tmp/out") $rc $(cat "$tmp/r")"
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
t "$RUN" --fd 1="$tmp/a:b:w" echo colon
expect "--fd path with a colon and a mode" "colon" "$(cat "$tmp/a:b")"
t "$RUN" --fd 1=2 sh -c 'echo to-stderr'
expect "--fd N=M duplicates the inherited fd M" "to-stderr" "$(cat "$tmp/err")"
t "$RUN" --fd 1="$tmp/log:w" --fd 2=1 sh -c 'echo out; echo err >&2'
expect "--fd 2=1 after --fd 1=PATH: both in PATH, like 2>&1" "out
err" "$(cat "$tmp/log")"
t sh -c 'exec 7>"$1"; "$2" --fd 4=7 sh -c "echo via4 >&4"' sh "$tmp/f7" "$RUN"
expect "--fd 4=7 installs a copy of fd 7 as fd 4" "via4" "$(cat "$tmp/f7")"
: >"$tmp/f3"
t sh -c 'exec 3>"$1"; "$2" --close-from 3 sh -c "echo x >&3" 2>/dev/null' \
	sh "$tmp/f3" "$RUN"
[ "$rc" != 0 ] && [ ! -s "$tmp/f3" ] &&
ok "--close-from 3 closes inherited fd 3" || bad "--close-from: status $rc"
t "$RUN" --close-from 3 --fd 3="$tmp/f3:w" sh -c 'echo after >&3'
expect "options apply in order: --fd after --close-from stays" "after" \
	"$(cat "$tmp/f3")"
t "$RUN" --fd 3="$tmp/f3:w" --close-from 3 sh -c 'echo x >&3'
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
kill -TERM -"$group" 2>/dev/null	# the shell and its sleep
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

note "ending as the command ended, as env (which execs) and timeout do"
# The shell's report of a child killed by a signal, and its status: the
# same for pristine-run as for env, which execs the command itself.
for sig in SEGV TERM USR1 ABRT; do
	for who in "" "$NOBODY"; do
		as=${who:+"as uid 65534: "}
		$who bash -c '"$@"; echo "status $?"' bash env sh -c \
			"kill -$sig \$\$" >"$tmp/env.out" 2>"$tmp/env.err"
		$who bash -c '"$@"; echo "status $?"' bash "$RUN" sh -c \
			"kill -$sig \$\$" >"$tmp/run.out" 2>"$tmp/run.err"
		# bash: "bash: line 1: PID Segmentation fault  COMMAND"
		report() { sed -n 's/.*[0-9] \([A-Z][a-z].*[a-z]\)  *[^ ].*/\1/p' "$1" | head -n 1; }
		expect "${as}killed by SIG$sig: status and the shell's report as env's" \
			"$(cat "$tmp/env.out") [$(report "$tmp/env.err")]" \
			"$(cat "$tmp/run.out") [$(report "$tmp/run.err")]"
	done
done
# Ctrl-C in a shell loop: the terminal's SIGINT reaches the whole
# foreground group; bash stops the loop only if its child died of it.
# (The loop's group stands for the terminal's foreground group; a job
# started with & ignores SIGINT, hence --default-signal.)
for tool in env "$RUN"; do
	rm -f "$tmp/loop.pid" "$tmp/loop.out"
	setsid -w env --default-signal=INT bash -c 'echo $$ >"$1.t"
		mv "$1.t" "$1"; while :; do "$2" sleep 30; echo next; done' \
		bash "$tmp/loop.pid" "$tool" >"$tmp/loop.out" 2>&1 &
	job=$!
	i=0
	while [ ! -s "$tmp/loop.pid" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	loop=$(cat "$tmp/loop.pid")
	# Wait until the loop's sleep runs, then Ctrl-C the group.
	i=0
	while ! pgrep -s "$loop" -x sleep >/dev/null && [ $i -lt 200 ]; do
		sleep 0.05; i=$((i + 1)); done
	kill -INT -"$loop"
	i=0
	while kill -0 "$job" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	if kill -0 "$job" 2>/dev/null; then
		state=running
		kill -KILL -"$loop" 2>/dev/null
	else
		state=stopped
	fi
	wait "$job" 2>/dev/null
	state="$state, $(grep -c next "$tmp/loop.out") more rounds"
	eval "loop_$(basename "$tool" | tr -c 'a-z\n' _)=\"\$state\""
done
expect "SIGINT to a shell loop of 'pristine-run sleep' stops it, as with env" \
	"$loop_env" "$loop_pristine_run"
[ "$loop_env" = "stopped, 0 more rounds" ] ||
	bad "the loop of env did not stop ($loop_env): the test is wrong"
# A core dump is the command's: pristine-run makes none of its own, which
# would overwrite it (timeout(1) does the same).
if [ "$(cat /proc/sys/kernel/core_pattern)" = core ] &&
   [ "$(cat /proc/sys/kernel/core_uses_pid)" = 0 ] &&
   [ "$(ulimit -Hc)" = unlimited ]; then
	# A pristine-run built with ASan would set its own (and so the
	# command's) core limit to 0 at start: not here.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}disable_coredump=0
	export ASAN_OPTIONS
	for tool in timeout "$RUN"; do
		d=$tmp/core-$(basename "$tool")
		E=$d.err
		export E
		mkdir "$d"
		case $tool in timeout) args="timeout 20" ;; *) args=$tool ;; esac
		# The shell between reports the signal (to /dev/null).
		sh -c 'cd "$1" && ulimit -c unlimited && shift &&
			"$@" sh -c "kill -SEGV \$\$" 2>"$E"; echo $?' sh "$d" \
			$args >"$d.result" 2>/dev/null
		echo "$(cat "$d.result") $(ls "$d" | wc -l)" >"$d.result"
	done
	expect "a command that dumps core: one core file, the status as timeout(1)'s" \
		"$(cat "$tmp/core-timeout.result")" \
		"$(cat "$tmp/core-pristine-run.result")"
	grep -q 'the command dumped core' "$tmp/core-pristine-run.err" &&
	ok "pristine-run says that the command dumped core" ||
	bad "no word of the core dump: $(cat "$tmp/core-pristine-run.err")"
else
	skip "a command that dumps core" \
		"core_pattern is not plain 'core', or core_uses_pid, or the hard core limit is not unlimited"
fi

note "--timeout and --kill-after, against timeout(1)"
cp /bin/sleep "$tmp/sleep-$$-marker"
for case in "0.3|sleep 30" "10|sh -c 'exit 3'" \
	"0.3|sh -c 'trap \"\" TERM; sleep 1; exit 5'" \
	"-k 0.3 0.3|sh -c 'trap \"\" TERM; sleep 30'"; do
	d=${case%%|*} cmd=${case#*|}
	case $d in
	-k*)	set -- ${d#-k }; ropts="--timeout $2 --kill-after $1" ;;
	*)	ropts="--timeout $d" ;;
	esac
	eval "timeout $d $cmd" >/dev/null 2>&1
	want=$?
	eval "\"\$RUN\" $ropts $cmd" >/dev/null 2>&1
	expect "pristine-run $ropts $cmd: status as timeout(1)'s" "$want" "$?"
done
# With a group of its own, the whole group is signalled (its children
# too), as timeout(1) signals its group.
for tool in timeout "$RUN"; do
	case $tool in
	timeout) timeout 0.3 sh -c '"$1" 30 & wait' sh "$tmp/sleep-$$-marker" ;;
	*) "$RUN" --setsid --timeout 0.3 sh -c '"$1" 30 & wait' sh \
		"$tmp/sleep-$$-marker" ;;
	esac
	rc=$?
	i=0
	while pgrep -f "sleep-$$-marker" >/dev/null && [ $i -lt 40 ]; do
		sleep 0.05; i=$((i + 1)); done
	if pgrep -f "sleep-$$-marker" >/dev/null; then
		eval "left_$(basename "$tool" | tr -c 'a-z\n' _)=\"$rc left\""
		pkill -KILL -f "sleep-$$-marker"
	else
		eval "left_$(basename "$tool" | tr -c 'a-z\n' _)=\"$rc gone\""
	fi
done
expect "--setsid --timeout: the command's children end too, as with timeout(1)" \
	"$left_timeout" "$left_pristine_run"

note "commands without #!: /bin/sh runs them, as execvp(3) (and env) do"
printf 'echo "no #! line: $0 $*"\nexit 4\n' >"$tmp/bin/plain-script"
chmod 755 "$tmp/bin/plain-script"
for cmd in "$tmp/bin/plain-script a b" "PATH=$tmp/bin plain-script c" \
	"$tmp/garbage x"; do
	eval "env $cmd" >"$tmp/env.out" 2>"$tmp/env.err"
	want="$? $(cat "$tmp/env.out") $(cat "$tmp/env.err")"
	eval "\"\$RUN\" $cmd" >"$tmp/out" 2>"$tmp/err"
	expect "$cmd: as env runs it" "$want" \
		"$? $(cat "$tmp/out") $(cat "$tmp/err")"
done

note "-S, --split-string: as env -S splits"
SPLIT_VAR='a value'
export SPLIT_VAR
for str in 'printf [%s] a b' "printf [%s] 'a b' \"c d\" ''" \
	'printf [%s] a\_b "c\_d" x\ty' 'printf [%s] ${SPLIT_VAR} "${SPLIT_VAR}!"' \
	"printf [%s] '\${SPLIT_VAR}' 'it\\'s' \"q\\\"\" \\\\" \
	'printf [%s] a #comment' 'printf [%s] a\cb c' 'printf [%s] x#y \#z \$w'; do
	env -S "$str" >"$tmp/env.out" 2>&1
	want="$? $(cat "$tmp/env.out")"
	t "$RUN" -S "$str"
	expect "-S '$str'" "$want" "$rc $(cat "$tmp/out")"
done
t "$RUN" -S '--umask 077 sh -c umask'
expect_out "-S: options inside the string" "0077"
printf '#!%s -S --umask 027 sh -e\necho "$0 $1"; umask\n' "$RUN" >"$tmp/bin/shebang"
printf '#!/usr/bin/env -S sh -e\necho "$0 $1"; umask 027; umask\n' >"$tmp/bin/shebang-env"
chmod 755 "$tmp/bin/shebang" "$tmp/bin/shebang-env"
t "$tmp/bin/shebang" arg
"$tmp/bin/shebang-env" arg >"$tmp/env.out" 2>&1
expect "a #! line with -S, as with env -S" \
	"$(sed "s|shebang-env|shebang|" "$tmp/env.out")" "$(cat "$tmp/out")"

note "--env-file"
printf '# settings\nA=1 2\n\n  B=x=y\nA=3\n' >"$tmp/envfile"
t "$RUN" -i --env-file "$tmp/envfile" C=4 env
expect_out "--env-file: NAME=VALUE lines in order, comments and blank lines skipped" \
	"$(env -i 'A=1 2' B=x=y A=3 C=4 env)"

note "--wait and --no-wait, against setsid -w and setsid -f"
setsid -w sh -c 'exit 6'
want=$?
t "$RUN" --setsid --wait sh -c 'exit 6'
expect "--setsid --wait: the command's status, as setsid -w" "$want" "$rc"
for tool in "setsid -f" "$RUN --setsid --no-wait"; do
	rm -f "$tmp/fifo" "$tmp/done"
	mkfifo "$tmp/fifo"
	$tool sh -c 'read x <"$1"; echo "$x" >"$2"' sh "$tmp/fifo" "$tmp/done" \
		>/dev/null 2>&1
	rc=$?
	# Back before the command could end: it is still reading the FIFO.
	state="$rc $( [ -e "$tmp/done" ] && echo ended || echo running)"
	timeout 10 sh -c 'echo go >"$1"' sh "$tmp/fifo"
	i=0
	while [ ! -s "$tmp/done" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	eval "nowait_$(echo "$tool" | cut -c1-6 | tr -c 'a-z\n' _)=\"$state $(cat "$tmp/done")\""
done
expect "--no-wait: back at once, status 0, the command runs on, as setsid -f" \
	"$nowait_setsid" "$(eval echo "\$nowait_$(echo "$RUN" | cut -c1-6 | tr -c 'a-z\n' _)")"

note "--ctty: the controlling terminal, against setsid -c"
if command -v python3 >/dev/null 2>&1; then
	# A new pseudo-terminal as stdin; the command's stat field 7 is
	# the device of its controlling terminal (0: none).
	cat >"$tmp/with-pty.py" <<'EOP'
import os, pty, subprocess, sys
master, slave = pty.openpty()
r = subprocess.run(sys.argv[1:], stdin=slave, capture_output=True)
print(r.returncode, r.stdout.decode().strip(), os.stat(os.ttyname(slave)).st_rdev)
sys.stderr.write(r.stderr.decode())
EOP
	field7='read l </proc/$$/stat; set -- ${l#*) }; echo $5'
	python3 "$tmp/with-pty.py" setsid -c sh -c "$field7" >"$tmp/setsid.out"
	python3 "$tmp/with-pty.py" "$RUN" --setsid --ctty 0 sh -c "$field7" >"$tmp/out"
	expect "--setsid --ctty 0: the terminal, as setsid -c" \
		"$(cat "$tmp/setsid.out")" "$(cat "$tmp/out")"
	set -- $(cat "$tmp/out")
	[ "${2-}" = "${3-}" ] && [ "${2-0}" != 0 ] &&
	ok "--ctty: the command's controlling terminal is that terminal" ||
	bad "--ctty: $(cat "$tmp/out")"
	python3 "$tmp/with-pty.py" "$RUN" --ctty 0 true >"$tmp/out" 2>&1
	grep -q -- '--ctty 0: Operation not permitted: the command must lead a session' "$tmp/out" &&
	ok "--ctty without --setsid: the option and the reason" ||
	bad "--ctty without --setsid: $(cat "$tmp/out")"
else
	skip "--ctty" "no python3 to make a pseudo-terminal"
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
		expect_msg "raising a hard limit unprivileged: the option" 125 \
			"--rlimit NOFILE=$((hard + 1)): Operation not permitted" \
			"raising the hard limit above $hard needs CAP_SYS_RESOURCE"
	else
		skip "raising a hard limit unprivileged" \
			"the hard limit of open files is unlimited"
	fi
fi

finish
