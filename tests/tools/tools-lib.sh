# Sourced by the tools' system tests: the binaries of this build tree (their
# libtool wrappers, with the loader from PRISTINE_LOADER), a scratch
# directory, and the checks.
: "${top_builddir:?run me from make check}" "${PRISTINE_LOADER:?}"
RUN="$top_builddir/src/pristine-run"
DEMO="$top_builddir/src/pristine-demo"
LIMIT=20	# seconds any one invocation may take
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pristine-tools.XXXXXX") || exit 99
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

# t CMD...: run with the per-invocation timeout; stdout to $tmp/out,
# stderr to $tmp/err, status in $rc.
t() {
	timeout -k 5 "$LIMIT" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }

# expect NAME WANTED GOT
expect() {
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2], got [$3]"; fi
}

# expect_rc NAME STATUS: the last t's status.
expect_rc() {
	if [ "$rc" = "$2" ]; then ok "$1 (status $2)"
	else bad "$1: status $rc, expected $2; stderr: $(cat "$tmp/err")"; fi
}

# expect_msg NAME STATUS WORDS...: status, and one line on stderr holding
# each of WORDS.
expect_msg() {
	name=$1 status=$2
	shift 2
	expect_rc "$name" "$status"
	lines=$(wc -l <"$tmp/err")
	[ "$lines" -eq 1 ] || bad "$name: $lines lines on stderr: $(cat "$tmp/err")"
	for w in "$@"; do
		grep -qF -- "$w" "$tmp/err" ||
			bad "$name: message lacks '$w': $(cat "$tmp/err")"
	done
}

# expect_out NAME WANTED: the last t's stdout.
expect_out() { expect "$1" "$2" "$(cat "$tmp/out")"; }

# NOBODY CMD...: run unprivileged (as root: uid/gid 65534, no capabilities).
if [ "$(id -u)" = 0 ]; then
	NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all"
else
	NOBODY=
fi

finish() {
	[ $fail -eq 0 ] && echo "all passed"
	exit $fail
}
