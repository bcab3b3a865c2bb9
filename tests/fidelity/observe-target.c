/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * What observe.sh runs: a program as real programs are, built with
 * RUNPATH $ORIGIN/lib (ld.so finds its library from /proc/self/exe) and
 * with symbols, in one of four modes:
 *
 *	origin		prints "origin 42": its library was found
 *	reexec-proc	runs itself again through /proc/self/exe (node's
 *			fork(), Go's os.Executable, runc), in origin mode
 *	reexec-argv0	runs itself again by its argv[0] in PATH (perl's
 *			$^X, shells), in origin mode
 *	wait		prints "ready", then waits for EOF on stdin: to be
 *			looked at from outside
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int origin_value(void);

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "origin";
	char *again[] = { argv[0], "origin", NULL };
	char c;

	if (!strcmp(mode, "origin")) {
		printf("origin %d\n", origin_value());
		return 0;
	}
	if (!strcmp(mode, "reexec-proc")) {
		execv("/proc/self/exe", again);
		printf("reexec-proc: %m\n");
		return 126;
	}
	if (!strcmp(mode, "reexec-argv0")) {
		execvp(argv[0], again);
		printf("reexec-argv0: %m\n");
		return 126;
	}
	if (!strcmp(mode, "wait")) {
		printf("ready %d\n", origin_value());
		fflush(stdout);
		while (read(0, &c, 1) > 0)
			;
		return 0;
	}
	return 2;
}
