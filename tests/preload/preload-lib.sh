# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# Shared by the preload tests: where the shim is, and checking its stats.
shim=${top_builddir:?}/src/.libs/libpristine-preload.so
[ -f "$shim" ] || bail "no shim at $shim"

# A shim built with --enable-sanitizers needs the ASan runtime loaded
# before it, and the programs it runs in are not ours to leak-check.
asan=$(ldd "$shim" 2>/dev/null | awk '/libasan/ { print $3 }')
preload=${asan:+$asan }$shim

# run_shim OUT ERR cmd...: runs cmd with the shim, tracing every spawn
# of the whole process tree to ERR.trace (not to any program's stderr,
# which the tests compare and some programs redirect into files).
run_shim() {
	_out=$1 _err=$2
	shift 2
	case $_err in /*) ;; *) _err=$(pwd)/$_err ;; esac
	rm -f "$_err.trace"
	LD_PRELOAD=$preload PRISTINE_TRACE=$_err.trace \
		ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
		"$@" >"$_out" 2>"$_err"
}

# check_trace ERR: ERR.trace (run_shim's) shows no spawn given to glibc by
# the shim and none for want of the loader; at least one went through
# pristine. Prints the count of each route.
check_trace() {
	awk '
	/^pristine-preload\[[0-9]*\]: spawn / {
		lines++
		for (i = 3; i <= NF; i++)
			if ($i ~ /^route=/)
				n[substr($i, 7)]++
	}
	END {
		printf "trace: %d spawns;", lines
		for (r in n) printf " %s=%d", r, n[r]
		printf "\n"
		# glibc spawns for want of descriptors are the library
		# route of its own (tests near RLIMIT_NOFILE make them).
		if (!lines || n["glibc"] || n["glibc-noloader"] ||
		    lines == n["glibc-nofds"] + n["failed"])
			exit 1
	}' "$1.trace" 2>/dev/null
}

# check_stats ERR: every statistics line (PRISTINE_STATS=1) in ERR shows no
# glibc spawn and no fallback; at least one spawn went through pristine.
# Prints the totals.
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
