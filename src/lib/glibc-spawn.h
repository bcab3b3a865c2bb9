/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The spawn of last resort: glibc's own posix_spawn(), for when this
 * process has no descriptor left for an empty process (a socket pair and
 * a pidfd) but glibc, which needs none, would spawn.
 */
#ifndef PRISTINE_GLIBC_SPAWN_H
#define PRISTINE_GLIBC_SPAWN_H

#include <sys/types.h>
#include "pristine.h"

/*
 * Is err the library's own want of descriptors (EMFILE, ENFILE from a
 * call it made for itself, never from the program's file actions)?
 */
int glibc_wanted(int err);

/*
 * posix_spawn() (posix_spawnp() if search) of file by glibc, with the
 * attributes and file actions translated one for one: all of pristine's
 * exist in glibc 2.36. With pidfd, a pidfd for the child (one descriptor:
 * EMFILE without it, before anything runs, as glibc's pidfd_spawn()).
 * Returns 0 or a positive errno; errno stays the caller's.
 */
int glibc_spawn(pid_t *pid, int *pidfd, const char *file, int search,
		const pristine_spawn_file_actions_t *fa,
		const pristine_spawnattr_t *attr, char *const argv[],
		char *const envp[]);

#endif
