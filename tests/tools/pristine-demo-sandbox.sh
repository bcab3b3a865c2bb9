#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# pristine-demo --sandbox: a process confined step by step (user, mount,
# network and IPC namespaces, no capability, no_new_privs, Landlock,
# seccomp) reports what it may do; the same confinement by the chain of
# tools that sets it up by exec (unshare, setpriv) gives the same ids and
# capabilities. As root and as uid 65534.
set -u
. "${top_srcdir:?}/tests/tools/tools-lib.sh"

rm -f /tmp/pristine-sandbox
rmdir /tmp/pristine-sandbox.d 2>/dev/null
for who in root nobody; do
	prefix=
	[ $who = nobody ] && prefix=$NOBODY
	[ $who = root ] && [ "$(id -u)" != 0 ] && continue
	uid=$($prefix id -u)
	# shellcheck disable=SC2086
	t $prefix "$DEMO" --sandbox
	expect_rc "as $who: the sandboxed shell ran" 0
	expect_mentions "as $who: root inside, this user outside" \
		"uid 0 in a user namespace: 0 $uid 1"
	expect_mentions "as $who: no capability" \
		"CapEff:	0000000000000000"
	expect_mentions "as $who: the system's files may be read" \
		"reading /etc/hostname: allowed"
	if grep -q "has no Landlock" "$tmp/out"; then
		skip "as $who: Landlock refuses to write" "no Landlock"
	else
		expect_mentions "as $who: Landlock refuses to write" \
			"cannot create /tmp/pristine-sandbox: Permission denied"
		grep -q 'route \(landlock\|creds\)$' "$tmp/out" &&
			ok "as $who: the kernel executed the shell" ||
			bad "as $who: route: $(grep route "$tmp/out")"
	fi
	expect_mentions "as $who: seccomp refuses mkdir" \
		"cannot create directory '/tmp/pristine-sandbox.d': Operation not permitted"
	[ ! -e /tmp/pristine-sandbox ] && [ ! -e /tmp/pristine-sandbox.d ] &&
		ok "as $who: nothing was written" ||
		bad "as $who: the sandbox wrote to /tmp"

	# The same ids and capabilities as unshare and setpriv give.
	# shellcheck disable=SC2086
	t $prefix unshare --user --map-root-user --mount --net --ipc \
		setpriv --bounding-set=-all --inh-caps=-all --no-new-privs \
		sh -c 'echo "uid $(id -u) in a user namespace:" $(cat /proc/self/uid_map); grep -E "^(Cap|NoNewPrivs)" /proc/self/status'
	want=$(cat "$tmp/out")
	# shellcheck disable=SC2086
	t $prefix "$DEMO" --sandbox -- sh -c 'echo "uid $(id -u) in a user namespace:" $(cat /proc/self/uid_map); grep -E "^(Cap|NoNewPrivs)" /proc/self/status'
	expect "as $who: what unshare | setpriv give" "$want" \
		"$(grep -v '^pristine-demo\|^  exited' "$tmp/out")"
done

note "-v narrates each step of the sandbox"
t "$DEMO" -v --sandbox
expect_rc "-v --sandbox" 0
missing=
for key in '"unshare"): new user, mount, network and IPC namespaces' \
	'"setgroups"): deny' '"uid-map"): root inside' '"gid-map")' \
	'"mount-propagation"): no mount' '"cap-bounding"): empty' \
	'"no-new-privs")' '"seccomp"): mkdir and mkdirat fail with EPERM'; do
	grep -qF -- "$key" "$tmp/out" || missing="$missing $key"
done
[ -z "$missing" ] && ok "-v shows every step" || bad "-v lacks:$missing"

t "$DEMO" --sandbox --compare
expect_msg "--sandbox with --compare" 125 "--compare"
t "$DEMO" --sandbox -- sh -c 'mkdir /tmp/pristine-sandbox.d'
expect_rc "a command of the caller's in the sandbox: its status" 1
finish
