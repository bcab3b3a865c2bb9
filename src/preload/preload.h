/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* libpristine-preload.so: routing an unmodified program's spawns. */
#ifndef PRISTINE_PRELOAD_H
#define PRISTINE_PRELOAD_H

#include <spawn.h>
#include "pristine.h"

#define SHIM_EXPORT __attribute__((visibility("default")))

enum shim_mode { SHIM_OFF, SHIM_DEFAULT, SHIM_LOADER, SHIM_KERNEL };

/* The PRISTINE_* variables, read when the shim is loaded (settings.c). */
struct shim_settings {
	enum shim_mode mode;	/* PRISTINE_PRELOAD */
	int stats;		/* PRISTINE_STATS=1 */
	unsigned int pool;	/* PRISTINE_POOL, or 0 */
	const char *trace;	/* PRISTINE_TRACE: "stderr", a file, NULL */
};
extern struct shim_settings shim_settings;

/* PRISTINE_PRELOAD, or off once the loader proved unusable. */
enum shim_mode shim_mode(void);

/* How a spawn was done, for PRISTINE_STATS and PRISTINE_TRACE. */
struct shim_outcome {
	const char *program;	/* the path or file asked for */
	enum {
		SHIM_LIBRARY,	/* through pristine: route or err */
		SHIM_GLIBC,	/* by glibc, the shim's choice (why) */
		SHIM_NOLOADER,	/* by glibc, the loader being unusable */
	} how;
	int route;		/* pristine_last_route() */
	int err;		/* the spawn's error, or 0 */
	const char *why;	/* the reason in words, or NULL */
	long long start;	/* shim_clock() when it began */
};

/* Counts and traces one spawn, as asked (report.c). */
void shim_note(const struct shim_outcome *o);
/* With PRISTINE_STATS=1, at load: this process says its line at exit. */
void shim_report_loaded(void);
/* CLOCK_MONOTONIC in nanoseconds. */
long long shim_clock(void);

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

/*
 * The same with pristine's own objects (for system() and popen()). If it
 * fails because the loader is unusable (ELIBACC or ELIBBAD: said once,
 * counted and traced as a fallback), the caller does the whole job with
 * glibc instead.
 */
int shim_spawn_native(pid_t *pid, const char *path,
		      const pristine_spawn_file_actions_t *fa,
		      const pristine_spawnattr_t *attr, char *const argv[],
		      char *const envp[]);

/* Makes the PRISTINE_POOL pool, once, if asked for. */
void shim_pool(void);

/* Looks up the next definition of a symbol (glibc's). */
void *shim_next(const char *name);

#endif
