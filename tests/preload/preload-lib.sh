# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# Shared by the preload tests: where the shim is, and checking its stats.
shim=${top_builddir:?}/src/.libs/libpristine-preload.so
[ -f "$shim" ] || bail "no shim at $shim"

# A shim built with --enable-sanitizers needs the ASan runtime loaded
# before it, and the programs it runs in are not ours to leak-check.
asan=$(ldd "$shim" 2>/dev/null | awk '/libasan/ { print $3 }')
preload=${asan:+$asan }$shim

# run_shim OUT ERR cmd...: runs cmd with the shim and statistics on.
run_shim() {
	_out=$1 _err=$2
	shift 2
	LD_PRELOAD=$preload PRISTINE_STATS=1 \
		ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
		"$@" >"$_out" 2>"$_err"
}

# check_stats ERR: every statistics line in ERR shows no glibc spawn and no
# fallback; at least one spawn went through pristine. Prints the totals.
check_stats() {
	awk '
	/^pristine-preload\[/ {
		lines++
		for (i = 2; i <= NF; i++) {
			split($i, kv, "=")
			sum[kv[1]] += kv[2]
		}
	}
	END {
		printf "stats: %d lines;", lines
		for (k in sum) printf " %s=%d", k, sum[k]
		printf "\n"
		# glibc spawns for want of descriptors are the library
		# route of its own (tests near RLIMIT_NOFILE make them).
		if (!lines || sum["glibc"] ||
		    sum["fallback"] - sum["fallback-nofds"] ||
		    sum["loader"] + sum["kernel"] == 0)
			exit 1
	}' "$1"
}

# strip_stats FILE: the file without the shim statistics lines.
strip_stats() {
	grep -v '^pristine-preload\[' "$1" || true
}
