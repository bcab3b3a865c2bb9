#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# pristine.h as users compile it: alone, in every C standard from C89 to
# C17 and as C++ from C++98, with -Wall -Wextra -pedantic and no warning;
# and glibc's posix_spawn_file_actions_t or posix_spawnattr_t passed where
# pristine's type is expected is a compile error, as in C++, while a null
# pointer and pristine's own types compile cleanly. The same program with
# glibc's own functions is the reference: it must compile.
set -u
. "${top_srcdir:?}/tests/tap.sh"
cc=${CC:-cc}
cxx=${CXX:-g++}
inc="-I$top_srcdir/src/lib"
tmp=$(mktemp -d) || bail "no scratch directory"
trap 'rm -rf "$tmp"' EXIT

# compile LANG STD FILE: no output, status 0 means compiled.
compile() {
	case $1 in
	c)	$cc -std="$2" -Wall -Wextra -pedantic $inc -c -o "$tmp/o.o" \
			-x c "$3" >"$tmp/err" 2>&1 ;;
	c++)	$cxx -std="$2" -Wall -Wextra -pedantic $inc -c -o "$tmp/o.o" \
			-x c++ "$3" >"$tmp/err" 2>&1 ;;
	esac
}

printf '#include <pristine.h>\n' >"$tmp/alone.c"
printf '#include <pristine.h>\n#include <pristine.h>\n' >"$tmp/twice.c"
have_cxx=yes
command -v "$cxx" >/dev/null 2>&1 || have_cxx=no
for std in c89 c99 c11 c17 gnu89 gnu11 c++98 c++11 c++17; do
	case $std in c++*) lang=c++ ;; *) lang=c ;; esac
	if [ $lang = c++ ] && [ $have_cxx = no ]; then
		skip "pristine.h alone, -std=$std" "no C++ compiler ($cxx)"
		continue
	fi
	for f in alone twice; do
		if compile $lang $std "$tmp/$f.c" && [ ! -s "$tmp/err" ]; then
			ok "pristine.h $f, -std=$std -Wall -Wextra -pedantic"
		else
			bad "pristine.h $f, -std=$std: $(cat "$tmp/err")"
		fi
	done
done

# Right types: pristine's, const or not, NULL, arrays; the functions'
# addresses; glibc's reference with glibc's functions.
cat >"$tmp/right.c" <<'EOC'
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <spawn.h>
#include <stddef.h>
#include <pristine.h>
int right(char *const *argv, char *const *envp);
int right(char *const *argv, char *const *envp)
{
	pristine_spawn_file_actions_t fa, fav[1];
	pristine_spawnattr_t attr;
	const pristine_spawnattr_t *cattr = &attr;
	posix_spawn_file_actions_t gfa;
	posix_spawnattr_t gattr;
	int (*fn)(pid_t *, const char *, const pristine_spawn_file_actions_t *,
		  const pristine_spawnattr_t *, char *const[], char *const[]) =
		pristine_spawn;
	pid_t pid;
	short flags;

	pristine_spawn_file_actions_init(&fa);
	pristine_spawn_file_actions_init(fav);
	pristine_spawnattr_init(&attr);
	pristine_spawnattr_getflags(cattr, &flags);
	posix_spawn_file_actions_init(&gfa);
	posix_spawnattr_init(&gattr);
	return pristine_spawn(&pid, "/bin/true", &fa, &attr, argv, envp) +
	       pristine_spawnp(&pid, "true", fav, cattr, argv, envp) +
	       pristine_spawn(&pid, "/bin/true", NULL, NULL, argv, envp) +
	       fn(&pid, "/bin/true", NULL, NULL, argv, envp) +
	       posix_spawn(&pid, "/bin/true", &gfa, &gattr, argv, envp);
}
EOC
for std in c99 c11; do
	if compile c $std "$tmp/right.c" && [ ! -s "$tmp/err" ]; then
		ok "-std=$std: pristine's types, NULL, arrays, the address: no warning"
	else
		bad "-std=$std: right types: $(cat "$tmp/err")"
	fi
done
if [ $have_cxx = yes ]; then
	compile c++ c++11 "$tmp/right.c" && [ ! -s "$tmp/err" ] &&
	ok "-std=c++11: the same program" ||
	bad "-std=c++11: right types: $(cat "$tmp/err")"
fi

# Wrong types: glibc's objects passed to pristine's functions.
wrong() {	# NAME CALL
	printf '%s\n' '#ifndef _GNU_SOURCE' '#define _GNU_SOURCE' '#endif' \
		'#include <spawn.h>' \
		'#include <stddef.h>' '#include <pristine.h>' \
		'int wrong(char *const *argv, char *const *envp);' \
		'int wrong(char *const *argv, char *const *envp)' '{' \
		'	posix_spawn_file_actions_t gfa;' \
		'	posix_spawnattr_t gattr;' '	pid_t pid;' \
		'	(void)gfa; (void)gattr; (void)pid; (void)argv; (void)envp;' \
		"	return $2;" '}' >"$tmp/wrong.c"
	for lang_std in c:c99 c:c11 c:c17 c++:c++11; do
		lang=${lang_std%%:*} std=${lang_std#*:}
		if [ $lang = c++ ] && [ $have_cxx = no ]; then
			skip "$1, -std=$std" "no C++ compiler ($cxx)"
			continue
		fi
		# The error must be about the type, not something else.
		case $lang in
		c)	why="expects a pristine_" ;;
		c++)	why="cannot convert" ;;
		esac
		if compile $lang $std "$tmp/wrong.c"; then
			bad "$1, -std=$std: compiled; $(cat "$tmp/err")"
		elif grep -q "$why" "$tmp/err"; then
			ok "$1, -std=$std: a compile error"
		else
			bad "$1, -std=$std: another error: $(cat "$tmp/err")"
		fi
	done
}
wrong "glibc's file actions to pristine_spawn()" \
	'pristine_spawn(&pid, "/bin/true", &gfa, NULL, argv, envp)'
wrong "glibc's attributes to pristine_spawnp()" \
	'pristine_spawnp(&pid, "true", NULL, &gattr, argv, envp)'
wrong "glibc's file actions to pristine_spawn_file_actions_adddup2()" \
	'pristine_spawn_file_actions_adddup2(&gfa, 1, 2)'
wrong "glibc's attributes to pristine_spawnattr_setflags()" \
	'pristine_spawnattr_setflags(&gattr, 0)'
wrong "glibc's attributes to pristine_template_spawn()" \
	'pristine_template_spawn(NULL, &pid, NULL, &gattr, argv, envp)'
finish
