#!/bin/sh
# Started by hand, without its control socket, the loader says so on
# stderr and exits 127 without doing anything else.
set -u
loader=${PRISTINE_LOADER:?}
fail=0
for args in "" "7" "abc" "0"; do
	err=$("$loader" $args 2>&1 </dev/null)
	rc=$?
	if [ $rc -ne 127 ]; then
		echo "FAIL: '$loader $args' exited $rc, expected 127"
		fail=1
	fi
	case $err in
	*"no control socket"*) ;;
	*) echo "FAIL: '$loader $args' said: $err"; fail=1 ;;
	esac
done
[ $fail -eq 0 ] && echo "loader smoke: without a control socket it exits 127: $err"
exit $fail
