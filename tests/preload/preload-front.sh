#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# What a process that never spawns loads (issue 17): the preloaded object
# needs libc alone, has no thread-local storage, exports the interposers
# and nothing else, and resolves at load only the symbols any gcc-built
# library does; its core is loaded by a process's first spawn, not by one
# that never spawns nor in mode off; a missing core is said once and glibc
# does the spawns. The cost itself is measured by make bench, never here.
set -u
. "${top_srcdir:?}/tests/tap.sh"
. "$top_srcdir/tests/preload/preload-lib.sh"
tmp=$(mktemp -d) || bail "no scratch directory"
trap 'rm -rf "$tmp"' EXIT
list=${tests_builddir:?}/spawn-list
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

interposers="_Exit __wait __waitpid _exit pclose popen posix_spawn \
posix_spawn_file_actions_addchdir_np posix_spawn_file_actions_addclose \
posix_spawn_file_actions_addclosefrom_np posix_spawn_file_actions_adddup2 \
posix_spawn_file_actions_addfchdir_np posix_spawn_file_actions_addopen \
posix_spawn_file_actions_addtcsetpgrp_np posix_spawn_file_actions_destroy \
posix_spawn_file_actions_init posix_spawnp system wait wait3 wait4 waitid \
waitpid "

# --- The object itself. ---
if ! command -v readelf >/dev/null; then
	skip "the front's dependencies, TLS, exports and relocations" \
		"no readelf"
elif [ -n "$asan" ]; then
	skip "the front's dependencies, TLS, exports and relocations" \
		"a sanitizer build links its runtime and instruments the code"
else
	needed=$(readelf -d "$shim" |
		sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' | tr '\n' ' ')
	if [ "$needed" = "libc.so.6 " ]; then
		ok "the front needs libc alone"
	else
		bad "the front needs: $needed"
	fi
	if readelf -l -W "$shim" | grep -Eq '^ +TLS '; then
		bad "the front has thread-local storage
$(readelf -l -W "$shim" | grep TLS)"
	else
		ok "the front has no thread-local storage"
	fi
	exports=$(readelf --dyn-syms -W "$shim" |
		awk '$5 == "GLOBAL" && $7 != "UND" { sub(/@.*/, "", $8);
			print $8 }' | LC_ALL=C sort | tr '\n' ' ')
	if [ "$exports" = "$interposers" ]; then
		ok "the front exports the interposers and nothing else"
	else
		bad "the front exports: $exports"
	fi
	# Symbols looked up at load (not lazily bound calls): the four of
	# crtbegin and crtend that any gcc-built library has.
	looked_up=$(readelf -r -W "$shim" |
		awk '$3 ~ /GLOB_DAT|_64$|TPOFF|DTPMOD/ { sub(/@.*/, "", $5);
			print $5 }' | LC_ALL=C sort | tr '\n' ' ')
	if [ "$looked_up" = "_ITM_deregisterTMCloneTable _ITM_registerTMCloneTable __cxa_finalize __gmon_start__ " ]
	then
		ok "the front looks up at load only what an empty library does"
	else
		bad "the front looks up at load: $looked_up"
	fi
fi

# --- When the core is loaded. ---
# cores CMD...: how many mappings of the core CMD's process has at its
# end (a Python program: it spawns or not, then reads its own maps).
cores() {
	LD_PRELOAD=$preload "$@" 2>"$tmp/err"
}
if command -v python3 >/dev/null; then
	spawn='import os; os.waitpid(os.posix_spawn("/bin/true", ["true"], {}), 0)'
	count='print(open("/proc/self/maps").read().count("libpristine-preload-core"))'
	n0=$(cores python3 -c "$count")
	n1=$(cores python3 -c "$spawn; $count")
	n2=$(cores env PRISTINE_PRELOAD=off python3 -c "$spawn; $count")
	n3=$(cores env PRISTINE_STATS=1 python3 -c "$count")
	if [ "$n0" = 0 ]; then
		ok "a process that never spawns does not load the core"
	else
		bad "a process that never spawns has $n0 mappings of the core
$(cat "$tmp/err")"
	fi
	if [ "${n1:-0}" -gt 0 ]; then
		ok "the first spawn loads the core"
	else
		bad "no core after a spawn: [$n1]
$(cat "$tmp/err")"
	fi
	if [ "$n2" = 0 ]; then
		ok "mode off spawns with glibc and does not load the core"
	else
		bad "mode off loaded the core: [$n2]
$(cat "$tmp/err")"
	fi
	if [ "${n3:-0}" -gt 0 ]; then
		ok "PRISTINE_STATS=1 loads the core at start"
	else
		bad "PRISTINE_STATS=1 did not load the core: [$n3]
$(cat "$tmp/err")"
	fi
	# Preloaded by a relative name, from a directory the program then
	# leaves for one with a core of its own: the core next to the shim
	# is loaded, not that one.
	mkdir "$tmp/other"
	cp "${top_builddir:?}/src/.libs/libpristine-bench-empty.so" \
		"$tmp/other/libpristine-preload-core.so"
	rel=$(cd "$(dirname "$shim")" &&
		LD_PRELOAD="${asan:+$asan }./$(basename "$shim")" python3 -c "import os; os.chdir('$tmp/other'); $spawn
m = open('/proc/self/maps').read()
print(m.count('$tmp/other/'), m.count('$(dirname "$shim")/libpristine-preload-core.so'))" \
		2>"$tmp/rel.err")
	if [ "$rel" = "0 ${rel#0 }" ] && [ "${rel#0 }" -gt 0 ]; then
		ok "a shim preloaded by a relative name loads the core next to it, not one in the program's new directory"
	else
		bad "relative preload: [$rel] (other, real)
$(cat "$tmp/rel.err")"
	fi
else
	skip "when the core is loaded" "no python3"
fi

# --- A front without its core. ---
mkdir "$tmp/alone"
cp "$shim" "$tmp/alone/"
LD_PRELOAD="${asan:+$asan }$tmp/alone/libpristine-preload.so" \
	"$list" /bin/true /bin/true >"$tmp/alone.out" 2>"$tmp/alone.err"
said=$(grep -c 'libpristine-preload\[[0-9]*\]: no core: .*libpristine-preload-core.so.*; spawning with glibc instead$' \
	"$tmp/alone.err")
if [ "$(grep -c '^/bin/true: exit 0$' "$tmp/alone.out")" = 2 ] &&
   [ "$said" = 1 ] && [ "$(wc -l <"$tmp/alone.err")" = 1 ]; then
	ok "a missing core is said once; glibc does the spawns"
else
	bad "a front without its core
$(cat "$tmp/alone.out" "$tmp/alone.err")"
fi
finish
