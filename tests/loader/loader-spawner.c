/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Test helper: spawns PATH through pristine_spawn() with the given
 * arguments (argv[0] included) and this environment, in the exec mode
 * $LOADER_SPAWNER_MODE names (default, loader or kernel; unset: default;
 * glibc: by glibc's posix_spawn(), or the preload shim's), waits for it,
 * and prints one result line after the program's own output:
 *
 *	spawner: err=E route=R exit=N	(or signal=N)
 *
 * The system tests run it under setpriv as another user, so that the
 * spawning process has exactly the credentials the case is about.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pristine.h"

extern char **environ;

int main(int argc, char **argv)
{
	const char *mode = getenv("LOADER_SPAWNER_MODE");
	pristine_spawnattr_t attr;
	pid_t pid;
	int err, st;

	if (argc < 3) {
		fprintf(stderr, "usage: %s PATH ARGV0 [ARG...]\n", argv[0]);
		return 2;
	}
	pristine_spawnattr_init(&attr);
	if (mode && !strcmp(mode, "loader"))
		pristine_spawnattr_setexecmode(&attr, PRISTINE_EXEC_LOADER);
	else if (mode && !strcmp(mode, "kernel"))
		pristine_spawnattr_setexecmode(&attr, PRISTINE_EXEC_KERNEL);
	fflush(stdout);
	if (mode && !strcmp(mode, "glibc"))
		err = posix_spawn(&pid, argv[1], NULL, NULL, argv + 2, environ);
	else
		err = pristine_spawn(&pid, argv[1], NULL, &attr, argv + 2,
				     environ);
	if (err) {
		printf("spawner: err=%d route=-1\n", err);
		return 0;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 3;
	if (WIFEXITED(st))
		printf("spawner: err=0 route=%d exit=%d\n",
		       pristine_last_route(), WEXITSTATUS(st));
	else
		printf("spawner: err=0 route=%d signal=%d\n",
		       pristine_last_route(), WTERMSIG(st));
	return 0;
}
