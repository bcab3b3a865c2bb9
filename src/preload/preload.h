/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* libpristine-preload.so: routing an unmodified program's spawns. */
#ifndef PRISTINE_PRELOAD_H
#define PRISTINE_PRELOAD_H

#include <spawn.h>
#include "pristine.h"

#define SHIM_EXPORT __attribute__((visibility("default")))

enum shim_mode { SHIM_OFF, SHIM_DEFAULT, SHIM_LOADER, SHIM_KERNEL };

/* PRISTINE_PRELOAD, read once. */
enum shim_mode shim_mode(void);

/*
 * posix_spawn() through pristine, falling back to glibc (counted, with a
 * message) when the loader is missing or from another build, or when the
 * request uses something only glibc can do. file is searched in PATH if
 * search is set.
 */
int shim_spawn(pid_t *pid, const char *file, int search,
	       const posix_spawn_file_actions_t *fa,
	       const posix_spawnattr_t *attr, char *const argv[],
	       char *const envp[]);

int shim_spawn_native(pid_t *pid, const char *path,
		      const pristine_spawn_file_actions_t *fa,
		      const pristine_spawnattr_t *attr, char *const argv[],
		      char *const envp[]);

/*
 * The same with pristine's own objects (for system() and popen()). If it
 * fails because the loader is unusable (see shim_fallback()), the caller
 * does the whole job with glibc instead.
 */
/* Is err the loader being missing or from another build? Then warns once,
 * counts a fallback, and returns 1: the caller must use glibc. */
int shim_fallback(int err);

/* Makes the PRISTINE_POOL pool, once, if asked for. */
void shim_pool(void);

/* Looks up the next definition of a symbol (glibc's). */
void *shim_next(const char *name);

#endif
