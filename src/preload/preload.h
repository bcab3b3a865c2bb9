/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * libpristine-preload.so: routing an unmodified program's spawns. Two
 * objects: the one LD_PRELOAD names (front.c, settings.c, wait.c) holds
 * the interposers and nothing of the library, so that a program that
 * never spawns pays no more than for an empty library; the core
 * (libpristine-preload-core.so: preload.c, shell.c, report.c, core.c and
 * libpristine) is loaded from the same directory at the first call that
 * needs it.
 */
#ifndef PRISTINE_PRELOAD_H
#define PRISTINE_PRELOAD_H

#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include "pristine.h"

#define SHIM_EXPORT __attribute__((visibility("default")))

/* SHIM_DEFAULT is 0: the settings of a process with no PRISTINE_*
 * variable are all zeros, written by nobody. */
enum shim_mode { SHIM_DEFAULT, SHIM_LOADER, SHIM_KERNEL, SHIM_OFF };

/* The PRISTINE_* variables, read when the shim is loaded, and only if
 * one of them is set (settings.c). */
struct shim_settings {
	enum shim_mode mode;	/* PRISTINE_PRELOAD */
	int stats;		/* PRISTINE_STATS=1 */
	unsigned int pool;	/* PRISTINE_POOL, or 0 */
	const char *trace;	/* PRISTINE_TRACE: "stderr", a file, NULL */
	pid_t loaded_by;	/* with stats: the process that loaded it */
	const char *program;	/* with stats: argv[0] after its last '/' */
};
extern struct shim_settings shim_settings;

/*
 * What the front gives the core, and the core's entry points. Both
 * objects come from one build; the core refuses another version.
 */
#define SHIM_CORE_ABI 1
#define SHIM_CORE_ENTRY "pristine_preload_core"

struct shim_front {
	unsigned int abi;	/* SHIM_CORE_ABI */
	unsigned int size;	/* sizeof(struct shim_front) */
	const struct shim_settings *settings;
	/* The next definition of a symbol (glibc's), as the front finds
	 * it: RTLD_NEXT means nothing from an object loaded by dlopen(). */
	void *(*next)(const char *name);
};

struct shim_core {
	unsigned int abi, size;	/* SHIM_CORE_ABI, sizeof(struct shim_core) */
	__typeof__(posix_spawn) *spawn;
	__typeof__(posix_spawnp) *spawnp;
	__typeof__(posix_spawn_file_actions_init) *fa_init;
	__typeof__(posix_spawn_file_actions_destroy) *fa_destroy;
	__typeof__(posix_spawn_file_actions_addopen) *fa_addopen;
	__typeof__(posix_spawn_file_actions_addclose) *fa_addclose;
	__typeof__(posix_spawn_file_actions_adddup2) *fa_adddup2;
	__typeof__(posix_spawn_file_actions_addchdir_np) *fa_addchdir_np;
	__typeof__(posix_spawn_file_actions_addfchdir_np) *fa_addfchdir_np;
	__typeof__(posix_spawn_file_actions_addclosefrom_np)
		*fa_addclosefrom_np;
	__typeof__(posix_spawn_file_actions_addtcsetpgrp_np)
		*fa_addtcsetpgrp_np;
	int (*system)(const char *cmd);
	FILE *(*popen)(const char *cmd, const char *mode);
	int (*pclose)(FILE *f);
	/* The pool's members, for the wait family (held.h); NULL in the
	 * front's table of glibc's functions. */
	int (*held_possible)(void);
	void (*held_lock)(sigset_t *old);
	void (*held_unlock)(const sigset_t *old);
	int (*held_has_locked)(pid_t pid);
	void (*held_forget)(pid_t pid);
	/* PRISTINE_STATS=1: says this process's line if it counted spawns of
	 * its own and returns 1; 0 if it has none (the front then speaks
	 * for a process that loaded the shim). locked: at exit(), not in
	 * _exit(). */
	int (*report)(int locked);
};

/* The core's entry (core.c): its table, or NULL for a front of another
 * build. */
typedef const struct shim_core *shim_core_entry(const struct shim_front *f);

/* In the front (front.c): the core, loaded at the first call (or glibc's
 * functions if it cannot be); the core if it is loaded, else NULL,
 * without loading it (async-signal-safe). */
const struct shim_core *shim_core(void);
const struct shim_core *shim_core_loaded(void);
/* In the front (wait.c): a child the program just spawned. */
void shim_spawned(pid_t pid);

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
/* The core's report (report.c; struct shim_core). */
int shim_report(int locked);
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

/* Looks up the next definition of a symbol (glibc's), through the
 * front. */
void *shim_next(const char *name);

/* The core's interposers (preload.c, shell.c), in its table (core.c). */
__typeof__(posix_spawn) shim_posix_spawn;
__typeof__(posix_spawnp) shim_posix_spawnp;
__typeof__(posix_spawn_file_actions_init) shim_fa_init;
__typeof__(posix_spawn_file_actions_destroy) shim_fa_destroy;
__typeof__(posix_spawn_file_actions_addopen) shim_fa_addopen;
__typeof__(posix_spawn_file_actions_addclose) shim_fa_addclose;
__typeof__(posix_spawn_file_actions_adddup2) shim_fa_adddup2;
__typeof__(posix_spawn_file_actions_addchdir_np) shim_fa_addchdir_np;
__typeof__(posix_spawn_file_actions_addfchdir_np) shim_fa_addfchdir_np;
__typeof__(posix_spawn_file_actions_addclosefrom_np)
	shim_fa_addclosefrom_np;
__typeof__(posix_spawn_file_actions_addtcsetpgrp_np)
	shim_fa_addtcsetpgrp_np;
int shim_system(const char *cmd);
FILE *shim_popen(const char *cmd, const char *mode);
int shim_pclose(FILE *f);

#endif
