/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * pristine_spawn(), pristine_spawnp() and their pidfd forms: posix_spawn()
 * of a file the caller names, drawing on the process pool if there is one.
 */
#include "export.h"
#include "pool.h"
#include "spawn-one.h"

static int spawn_file(pid_t *pid, int *pidfd, const char *file, int search,
		      const pristine_spawn_file_actions_t *fa,
		      const pristine_spawnattr_t *attr, char *const argv[],
		      char *const envp[])
{
	const struct spawn_source src = { .reserve = &pool_reserve,
					  .file = file, .search = search };

	return spawn_one(pid, pidfd, &src, fa, attr, argv, envp);
}

PRISTINE_EXPORT int
pristine_spawn(pid_t *pid, const char *path,
	       const pristine_spawn_file_actions_t *file_actions,
	       const pristine_spawnattr_t *attrp, char *const argv[],
	       char *const envp[])
{
	return spawn_file(pid, NULL, path, 0, file_actions, attrp, argv, envp);
}

PRISTINE_EXPORT int
pristine_spawnp(pid_t *pid, const char *file,
		const pristine_spawn_file_actions_t *file_actions,
		const pristine_spawnattr_t *attrp, char *const argv[],
		char *const envp[])
{
	return spawn_file(pid, NULL, file, 1, file_actions, attrp, argv, envp);
}

PRISTINE_EXPORT int
pristine_pidfd_spawn(int *pidfd, const char *path,
		     const pristine_spawn_file_actions_t *file_actions,
		     const pristine_spawnattr_t *attrp, char *const argv[],
		     char *const envp[])
{
	return spawn_file(NULL, pidfd, path, 0, file_actions, attrp, argv,
			  envp);
}

PRISTINE_EXPORT int
pristine_pidfd_spawnp(int *pidfd, const char *file,
		      const pristine_spawn_file_actions_t *file_actions,
		      const pristine_spawnattr_t *attrp, char *const argv[],
		      char *const envp[])
{
	return spawn_file(NULL, pidfd, file, 1, file_actions, attrp, argv,
			  envp);
}
