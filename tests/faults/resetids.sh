#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# POSIX_SPAWN_RESETIDS from a set-user-ID-root and a set-group-ID-root
# caller run by uid 65534: the child's real, effective and saved ids, its
# groups, its five capability sets and AT_SECURE must be those glibc's
# posix_spawn() gives, by every way pristine has (default, loader and
# kernel modes, a pool member, a template member, the preload shim).
# Before the route rule, the userspace route kept saved uid 0 and a full
# permitted set: the child could setresuid(0, 0, 0). Without RESETIDS the
# same callers' children keep the mixed ids, as with glibc, and the
# default mode lets the kernel make that secure exec (route secure).
#
# A set-id program ignores PRISTINE_LOADER and runs the loader at its
# configured path: the test puts this build's loader there, in a private
# mount namespace only (an overlay, or a bind mount over an installed
# one). Needs root, unshare, setpriv and a mount without nosuid.
set -u
. "${top_srcdir:?}/tests/tap.sh"
tests=${tests_builddir:-.}
loader=${PRISTINE_LOADER:?}
configured=${PRISTINE_LOADER_PATH:?}
nobody=65534
skip_all() { skip "every case" "$*"; finish; }

[ "$(id -u)" -eq 0 ] || skip_all "not root: cannot make set-ID programs"
for p in unshare setpriv mount; do
	command -v $p >/dev/null || skip_all "$p (util-linux) not found"
done

tmp=$(mktemp -d) || bail "no scratch directory"
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
findmnt -n -o OPTIONS -T "$tmp" 2>/dev/null | grep -qw nosuid &&
	skip_all "$tmp is mounted nosuid (set TMPDIR elsewhere)"
mkdir "$tmp/upper" "$tmp/work"
for v in uid gid; do
	for b in resetids-caller resetids-shim; do
		cp "$tests/$b" "$tmp/$b.$v" || bail "cannot copy $b"
		chown root:root "$tmp/$b.$v"
		if [ $v = uid ]; then
			chmod 4755 "$tmp/$b.$v"
		else
			chmod 2755 "$tmp/$b.$v"
		fi
	done
done
cp "$loader" "$tmp/pristine-loader" && chmod 755 "$tmp/pristine-loader"

# In the namespace: the loader at its configured path, then the command.
cat >"$tmp/ns.sh" <<EOF
#!/bin/sh
set -e
if [ -e "$configured" ]; then
	mount --bind "$tmp/pristine-loader" "$configured"
else
	a=\$(dirname "$configured")
	while [ ! -d "\$a" ]; do a=\$(dirname "\$a"); done
	mount -t overlay overlay \\
		-o "lowerdir=\$a,upperdir=$tmp/upper,workdir=$tmp/work" "\$a"
	mkdir -p "\$(dirname "$configured")"
	cp "$tmp/pristine-loader" "$configured"
fi
exec "\$@"
EOF
chmod 755 "$tmp/ns.sh"

# run CALLER WAY OUT [keep]: the child's lines in OUT, the caller's in
# OUT.err
run() {
	unshare -m --propagation private sh "$tmp/ns.sh" \
		setpriv --reuid=$nobody --regid=$nobody --clear-groups \
		--inh-caps=-all "$1" "$2" ${4:-} >"$3" 2>"$3.err"
}

for v in uid gid; do
	ref=$tmp/$v.glibc
	if ! run "$tmp/resetids-caller.$v" glibc "$ref"; then
		bad "set-$v-root caller, glibc: did not run:
$(cat "$ref" "$ref.err")"
		continue
	fi
	if ! grep -q "^caller: .* 65534/0/0" "$ref.err"; then
		skip "set-$v-root caller: every way" \
			"the caller did not run set-$v ($(head -1 "$ref.err"))"
		continue
	fi
	for way in default loader kernel pool template shim; do
		out=$tmp/$v.$way
		if [ $way = shim ]; then
			run "$tmp/resetids-shim.$v" glibc "$out"
		else
			run "$tmp/resetids-caller.$v" $way "$out"
		fi
		st=$?
		route=$(sed -n 's/^route: //p' "$out.err")
		if [ $st -ne 0 ]; then
			bad "set-$v-root caller, RESETIDS, $way: failed:
$(cat "$out" "$out.err")"
		elif cmp -s "$ref" "$out"; then
			ok "set-$v-root caller, RESETIDS, $way (route $route): ids, groups and capabilities as glibc's"
		else
			bad "set-$v-root caller, RESETIDS, $way (route $route):
glibc's child:
$(cat "$ref")
this one's:
$(cat "$out")"
		fi
	done
	# Without RESETIDS: the mixed ids stay, AT_SECURE is 1.
	run "$tmp/resetids-caller.$v" glibc "$ref.keep" keep
	for way in default pool; do
		out=$tmp/$v.$way.keep
		run "$tmp/resetids-caller.$v" $way "$out" keep
		route=$(sed -n 's/^route: //p' "$out.err")
		# A fresh spawn is the kernel's in any case; a member's
		# loader sees the secure exec.
		want=secure
		[ $way = default ] && want=fresh
		# (A set-gid child is not dumpable: it cannot read its auxv.)
		if { grep -q '^secure 1$' "$ref.keep" ||
		     grep -q 'auxv: Permission denied' "$ref.keep.err"; } &&
		   cmp -s "$ref.keep" "$out" && [ "$route" = $want ]; then
			ok "set-$v-root caller, no RESETIDS, $way: route $want; ids, capabilities and AT_SECURE as glibc's"
		else
			bad "set-$v-root caller, no RESETIDS, $way (route $route, where it should be $want):
glibc's child:
$(cat "$ref.keep" "$ref.keep.err")
this one's:
$(cat "$out" "$out.err")"
		fi
	done
done
finish
