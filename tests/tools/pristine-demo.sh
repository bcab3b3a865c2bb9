#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# pristine-demo as a learner runs it: the scenario runs and reports, -v
# narrates every step and shows what the child saw, --compare prints its
# table, and every exit status. No timing is asserted.
set -u
. "${top_srcdir:?}/tests/tools/tools-lib.sh"

printf 'not a program\n' >"$tmp/noexec"
chmod 644 "$tmp/noexec"

note "the scenario"
t "$DEMO"
expect_rc "pristine-demo runs /bin/true" 0
grep -q '^pristine-demo: ran /bin/true in an empty process: pid [0-9]*, route loader$' "$tmp/out" &&
grep -q '^  exited with status 0; create [0-9]* µs, configure [0-9]* µs, run [0-9]* µs, exit [0-9]* µs$' "$tmp/out" &&
ok "the report names the command, route, status and phase times" ||
bad "report: $(cat "$tmp/out")"
[ ! -s "$tmp/err" ] && ok "nothing on stderr" || bad "stderr: $(cat "$tmp/err")"

note "-v: each step, the empty process, the child's view"
t "$DEMO" -v
expect_rc "-v" 0
missing=
for line in \
	'create  *pristine_open(0) = [0-9]*, the handle h$' \
	'empty process: pid [0-9]*, child of [0-9]* (this demo)$' \
	'configure  *pristine_config(h, SET_FD, "fd:0"): /dev/null, read-only$' \
	'configure  *pristine_config(h, SET_FD, "fd:1"): /dev/null, write-only$' \
	'configure  *pristine_config(h, SET_FD, "fd:2"): a copy of fd 1$' \
	'configure  *pristine_config(h, SET_PATH, "cwd"): "/"$' \
	'configure  *pristine_config(h, SET_INT, "close-from"): 3$' \
	'configure  *pristine_config(h, SET_STRING, "argv"): true$' \
	'configure  *pristine_config(h, SET_STRING, "env") x [0-9]*: the caller.s environment$' \
	'configure  *pristine_config(h, SET_PATH, "exec"): /bin/true$' \
	'run  *pristine_run(h, &pid) = pidfd [0-9]*: pid [0-9]*, route traced$' \
	'exit  *waitpid([0-9]*): exited with status 0$' \
	'^total [0-9]* µs: create [0-9]*, configure [0-9]*, run [0-9]*, exit [0-9]*$'
do
	grep -q -- "$line" "$tmp/out" || missing="$missing
/$line/"
done
[ -z "$missing" ] &&
ok "-v narrates create, each configuration step, run and exit" ||
bad "-v lacks:$missing"
# The empty process holds one socket and nothing else.
sed -n '/all it holds/,/cwd/p' "$tmp/out" >"$tmp/empty"
if grep -q 'cannot be traced\|does not show' "$tmp/out"; then
	why=$(grep -m 1 'cannot be traced\|does not show' "$tmp/out")
	skip "the empty process holds only its control socket" "$why"
	skip "what the child saw" "$why"
	skip "the child is the empty process" "$why"
else
	[ "$(grep -c '^ *fd ' "$tmp/empty")" = 1 ] &&
	grep -q '^ *fd [0-9]*  *socket:\[[0-9]*\] (read-write)$' "$tmp/empty" &&
	ok "the empty process holds only its control socket" ||
	bad "empty process view: $(cat "$tmp/empty")"
	sed -n '/^what the child saw/,/cwd/p' "$tmp/out" >"$tmp/child"
	expect "what the child saw: fds 0-2 on /dev/null, cwd /" \
"  fd 0    /dev/null (read-only)
  fd 1    /dev/null (write-only)
  fd 2    /dev/null (write-only)
  cwd     /" "$(sed 1d "$tmp/child")"
	pid=$(sed -n 's/.*empty process: pid \([0-9]*\),.*/\1/p' "$tmp/out")
	grep -q "^what the child saw (pid $pid, parent [0-9]*, seen at its exit):$" \
		"$tmp/out" && ok "the child is the empty process, pid $pid" ||
	bad "child view header: $(grep 'child saw' "$tmp/out")"
fi
t "$DEMO" --verbose -- sh -c 'echo visible; echo visible >&2; exit 4'
expect_rc "--verbose with a command after --" 4
grep -qx 'visible' "$tmp/out" "$tmp/err" &&
bad "the command's stdout/stderr reached the terminal" ||
ok "the command's stdout and stderr go to /dev/null"
grep -q 'pristine_config(h, SET_STRING, "argv") x 3: sh -c '"'echo visible; echo visible >&2; exit 4'"'$' "$tmp/out" &&
ok "argv is narrated as one quoted line" ||
bad "argv line: $(grep argv "$tmp/out")"

note "exit statuses"
t "$DEMO" -- sh -c 'exit 7'
expect_rc "the command's status" 7
grep -q '^  exited with status 7; ' "$tmp/out" && ok "reported" ||
bad "report: $(cat "$tmp/out")"
t "$DEMO" -- sh -c 'kill -TERM $$'
expect_rc "killed by SIGTERM: 128+15" 143
grep -q '^  killed by SIGTERM; ' "$tmp/out" && ok "reported" ||
bad "report: $(cat "$tmp/out")"
t "$DEMO" -- no-such-command-here
expect_msg "command not found" 127 "'no-such-command-here'" \
	"No such file or directory"
t "$DEMO" -- "$tmp/noexec"
expect_msg "command not executable" 126 "noexec" "Permission denied"
t "$DEMO" --bogus
expect_msg "unknown option" 125 "unknown option '--bogus'"
t "$DEMO" -n
expect_msg "-n without a number" 125 "'-n' needs an argument"
t "$DEMO" --compare -n 0
expect_msg "-n 0" 125 "-n '0'"
t "$DEMO" true
expect_msg "a command without --" 125 "unexpected argument 'true'"

note "--compare"
t "$DEMO" --compare -n 5
expect_rc "--compare -n 5" 0
grep -q '^pristine-demo: /bin/true, 5 runs of each, spawn to reaped exit status$' "$tmp/out" &&
grep -q '^  method  *median µs  *min µs$' "$tmp/out" &&
grep -q '^  fork + exec  *[0-9][0-9]*  *[0-9][0-9]*$' "$tmp/out" &&
grep -q '^  posix_spawn  *[0-9][0-9]*  *[0-9][0-9]*$' "$tmp/out" &&
grep -q '^  pristine  *[0-9][0-9]*  *[0-9][0-9]*$' "$tmp/out" &&
grep -q '^every run exited with status 0$' "$tmp/out" &&
ok "the table: fork + exec, posix_spawn, pristine" ||
bad "table: $(cat "$tmp/out")"
# Aligned: every row of the table is as wide as the header.
w=$(sed -n '/^  method/,/^$/p' "$tmp/out" | sed '/^$/d; s/µ/u/g' |
    while IFS= read -r l; do printf '%s\n' "$l" | wc -c; done | sort -u)
expect "the table's rows are aligned" 1 "$(echo "$w" | wc -l)"
t "$DEMO" --compare -n 3 -- sh -c 'exit 2'
expect_rc "--compare with a command" 0
grep -q '^every run exited with status 2$' "$tmp/out" &&
ok "--compare reports the command's status" || bad "$(cat "$tmp/out")"

note "--help, --version"
t "$DEMO" --help
expect_rc "--help" 0
expect_mentions "--help mentions every option" -v, --verbose --compare \
	"-n N" --help --version
t "$DEMO" --version
expect_out "--version" "pristine-demo (pristine) 0.1.0"

finish
