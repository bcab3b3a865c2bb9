/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * One spawn with glibc 2.36's posix_spawn() semantics, run by an empty
 * process: a reserve's member if one is ready, else a new one.
 */
#ifndef PRISTINE_SPAWN_ONE_H
#define PRISTINE_SPAWN_ONE_H

#include <sys/types.h>
#include "pristine.h"
#include "reserve.h"

/* Where a spawn's process and image come from. */
struct spawn_source {
	const struct reserve_ops *reserve;	/* its members */
	void *self;				/* the reserve's argument */
	const char *file;	/* the image by name; NULL: the reserve's */
	int search;		/* look file up in $PATH (posix_spawnp()) */
};

/*
 * Returns 0 with *pid and *pidfd (each if not NULL), or a positive errno
 * with the message set; errno stays the caller's.
 */
int spawn_one(pid_t *pid, int *pidfd, const struct spawn_source *src,
	      const pristine_spawn_file_actions_t *fa,
	      const pristine_spawnattr_t *attr, char *const argv[],
	      char *const envp[]);

#endif
