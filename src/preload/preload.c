/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The posix_spawn() family of an unmodified program, routed through
 * libpristine. glibc's objects stay valid glibc objects: every file action
 * is also given to glibc, so falling back costs nothing; the shim keeps its
 * own copy in the object's padding. Attributes are read back through
 * glibc's public getters.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "preload.h"

#define FA_MAGIC 0x70727374	/* "prst" */

/* Our state in glibc's padding: a magic word and a pointer. */
struct fa_slot {
	int magic;
	int broken;		/* an allocation failed: only glibc knows all */
	pristine_spawn_file_actions_t *own;
};

_Static_assert(sizeof(struct fa_slot) <=
	       sizeof(((posix_spawn_file_actions_t *)0)->__pad),
	       "the slot fits glibc's padding");

#define NEXT(name) \
	static __typeof__(name) *next_##name; \
	if (!next_##name) \
		next_##name = shim_next(#name)

static int loader_broken;	/* set once: everything goes to glibc */

enum shim_mode shim_mode(void)
{
	if (__atomic_load_n(&loader_broken, __ATOMIC_RELAXED))
		return SHIM_OFF;
	return shim_settings.mode;
}

/*
 * PRISTINE_POOL=N: a pool of N empty processes, made at the first spawn
 * (not at load: a program that never spawns should not pay for one).
 */
static void make_pool(void)
{
	if (shim_settings.pool &&
	    pristine_pool_create(shim_settings.pool, 0) < 0)
		fprintf(stderr, "libpristine-preload: no pool: %s\n",
			pristine_errmsg());
}

void shim_pool(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, make_pool);
}

static struct fa_slot *slot(const posix_spawn_file_actions_t *fa)
{
	return (struct fa_slot *)(void *)fa->__pad;
}

/* Why the loader is unusable, in the library's words (said once). */
static char broken_why[256];

static void warn(void)
{
	snprintf(broken_why, sizeof(broken_why), "the loader cannot be used: %s",
		 pristine_errmsg());
	fprintf(stderr, "libpristine-preload: %s; spawning with glibc instead\n",
		pristine_errmsg());
	__atomic_store_n(&loader_broken, 1, __ATOMIC_RELEASE);
}

/* Is err the loader being missing or from another build? Then says so
 * once: the caller spawns with glibc, now and from now on. */
static int unusable(int err)
{
	static pthread_once_t warned = PTHREAD_ONCE_INIT;

	if (err != ELIBACC && err != ELIBBAD)
		return 0;
	pthread_once(&warned, warn);
	return 1;
}

/* A spawn the shim gave to glibc, and why. */
static void note_glibc(const char *program, const char *why, long long start)
{
	struct shim_outcome o = {
		.program = program, .how = SHIM_GLIBC, .why = why,
		.start = start,
	};

	if (__atomic_load_n(&loader_broken, __ATOMIC_ACQUIRE)) {
		o.how = SHIM_NOLOADER;
		o.why = broken_why;
	}
	shim_note(&o);
}

/* A spawn through pristine: its route, its failure, or glibc's after all
 * (1: the loader is unusable, the caller spawns with glibc). */
static int note_library(const char *program, int err, long long start)
{
	struct shim_outcome o = {
		.program = program, .how = SHIM_LIBRARY, .err = err,
		.route = pristine_last_route(), .start = start,
	};
	int fallback = unusable(err);

	if (fallback) {
		o.how = SHIM_NOLOADER;
		o.err = 0;
		o.why = broken_why;
	} else if (err) {
		o.why = pristine_errmsg();
	}
	shim_note(&o);
	return fallback;
}

int shim_spawn_native(pid_t *pid, const char *path,
		      const pristine_spawn_file_actions_t *fa,
		      const pristine_spawnattr_t *attr, char *const argv[],
		      char *const envp[])
{
	long long start = shim_settings.trace ? shim_clock() : 0;
	int err = pristine_spawn(pid, path, fa, attr, argv, envp);

	note_library(path, err, start);
	return err;
}

/* Copies glibc's attributes, through its getters, into pristine's. */
static int convert_attr(const posix_spawnattr_t *g, pristine_spawnattr_t *p,
			short *flags_out)
{
	struct sched_param sp;
	sigset_t set;
	short flags;
	pid_t pgrp;
	int policy;

	pristine_spawnattr_init(p);
	if (shim_mode() == SHIM_KERNEL)
		pristine_spawnattr_setexecmode(p, PRISTINE_EXEC_KERNEL);
	else if (shim_mode() == SHIM_LOADER)
		pristine_spawnattr_setexecmode(p, PRISTINE_EXEC_LOADER);
	if (!g)
		return 0;
	posix_spawnattr_getflags(g, &flags);
	if (pristine_spawnattr_setflags(p, flags)) {
		*flags_out = flags;
		return -1;	/* a flag pristine does not know: glibc's */
	}
	posix_spawnattr_getpgroup(g, &pgrp);
	pristine_spawnattr_setpgroup(p, pgrp);
	posix_spawnattr_getsigmask(g, &set);
	pristine_spawnattr_setsigmask(p, &set);
	posix_spawnattr_getsigdefault(g, &set);
	pristine_spawnattr_setsigdefault(p, &set);
	posix_spawnattr_getschedparam(g, &sp);
	pristine_spawnattr_setschedparam(p, &sp);
	posix_spawnattr_getschedpolicy(g, &policy);
	p->__policy = policy;	/* glibc accepted it; keep it verbatim */
	return 0;
}

static int glibc_spawn(pid_t *pid, const char *file, int search,
		       const posix_spawn_file_actions_t *fa,
		       const posix_spawnattr_t *attr, char *const argv[],
		       char *const envp[])
{
	NEXT(posix_spawn);
	NEXT(posix_spawnp);

	return (search ? next_posix_spawnp : next_posix_spawn)(pid, file, fa,
							       attr, argv,
							       envp);
}

int shim_spawn(pid_t *pid, const char *file, int search,
	       const posix_spawn_file_actions_t *fa,
	       const posix_spawnattr_t *attr, char *const argv[],
	       char *const envp[])
{
	long long start = shim_settings.trace ? shim_clock() : 0;
	const pristine_spawn_file_actions_t *pfa = NULL;
	pristine_spawnattr_t pa;
	char why[64];
	short flags;
	int err;

	if (shim_mode() == SHIM_OFF) {
		note_glibc(file, "PRISTINE_PRELOAD=off", start);
		return glibc_spawn(pid, file, search, fa, attr, argv, envp);
	}
	if (fa) {
		struct fa_slot *s = slot(fa);

		if (s->magic != FA_MAGIC || s->broken) {
			note_glibc(file, s->broken ? "no memory for the shim's "
				   "copy of the file actions" : "file actions "
				   "the shim did not see initialised", start);
			return glibc_spawn(pid, file, search, fa, attr, argv,
					   envp);
		}
		pfa = s->own;
	}
	if (convert_attr(attr, &pa, &flags) < 0) {
		snprintf(why, sizeof(why), "spawn flags %#x that pristine does "
			 "not know", (unsigned short)flags);
		note_glibc(file, why, start);
		return glibc_spawn(pid, file, search, fa, attr, argv, envp);
	}
	shim_pool();
	err = search ? pristine_spawnp(pid, file, pfa, &pa, argv, envp)
		     : pristine_spawn(pid, file, pfa, &pa, argv, envp);
	if (note_library(file, err, start))
		return glibc_spawn(pid, file, search, fa, attr, argv, envp);
	return err;
}

int shim_posix_spawn(pid_t *pid, const char *path,
		     const posix_spawn_file_actions_t *fa,
		     const posix_spawnattr_t *attr, char *const argv[],
		     char *const envp[])
{
	return shim_spawn(pid, path, 0, fa, attr, argv, envp);
}

int shim_posix_spawnp(pid_t *pid, const char *file,
		      const posix_spawn_file_actions_t *fa,
		      const posix_spawnattr_t *attr, char *const argv[],
		      char *const envp[])
{
	return shim_spawn(pid, file, 1, fa, attr, argv, envp);
}

int shim_fa_init(posix_spawn_file_actions_t *fa)
{
	NEXT(posix_spawn_file_actions_init);
	int err = next_posix_spawn_file_actions_init(fa);
	struct fa_slot *s = slot(fa);

	if (err)
		return err;
	s->magic = FA_MAGIC;
	s->broken = 0;
	s->own = malloc(sizeof(*s->own));
	if (!s->own)
		s->broken = 1;
	else
		pristine_spawn_file_actions_init(s->own);
	return 0;
}

int shim_fa_destroy(posix_spawn_file_actions_t *fa)
{
	NEXT(posix_spawn_file_actions_destroy);
	struct fa_slot *s = slot(fa);

	if (s->magic == FA_MAGIC && s->own) {
		pristine_spawn_file_actions_destroy(s->own);
		free(s->own);
	}
	memset(s, 0, sizeof(*s));
	return next_posix_spawn_file_actions_destroy(fa);
}

/* glibc first (its verdict is the answer), then our copy. */
#define MIRROR(glibc_call, own_call) \
	do { \
		struct fa_slot *s = slot(fa); \
		int err = (glibc_call); \
		if (err || s->magic != FA_MAGIC || s->broken) \
			return err; \
		if ((own_call)) \
			s->broken = 1; \
		return 0; \
	} while (0)

int shim_fa_addopen(posix_spawn_file_actions_t *fa, int fd, const char *path,
		    int oflag, mode_t mode)
{
	NEXT(posix_spawn_file_actions_addopen);
	MIRROR(next_posix_spawn_file_actions_addopen(fa, fd, path, oflag, mode),
	       pristine_spawn_file_actions_addopen(s->own, fd, path, oflag, mode));
}

int shim_fa_addclose(posix_spawn_file_actions_t *fa, int fd)
{
	NEXT(posix_spawn_file_actions_addclose);
	MIRROR(next_posix_spawn_file_actions_addclose(fa, fd),
	       pristine_spawn_file_actions_addclose(s->own, fd));
}

int shim_fa_adddup2(posix_spawn_file_actions_t *fa, int fd, int newfd)
{
	NEXT(posix_spawn_file_actions_adddup2);
	MIRROR(next_posix_spawn_file_actions_adddup2(fa, fd, newfd),
	       pristine_spawn_file_actions_adddup2(s->own, fd, newfd));
}

int shim_fa_addchdir_np(posix_spawn_file_actions_t *fa, const char *path)
{
	NEXT(posix_spawn_file_actions_addchdir_np);
	MIRROR(next_posix_spawn_file_actions_addchdir_np(fa, path),
	       pristine_spawn_file_actions_addchdir(s->own, path));
}

int shim_fa_addfchdir_np(posix_spawn_file_actions_t *fa, int fd)
{
	NEXT(posix_spawn_file_actions_addfchdir_np);
	MIRROR(next_posix_spawn_file_actions_addfchdir_np(fa, fd),
	       pristine_spawn_file_actions_addfchdir(s->own, fd));
}

int shim_fa_addclosefrom_np(posix_spawn_file_actions_t *fa, int from)
{
	NEXT(posix_spawn_file_actions_addclosefrom_np);
	MIRROR(next_posix_spawn_file_actions_addclosefrom_np(fa, from),
	       pristine_spawn_file_actions_addclosefrom(s->own, from));
}

int shim_fa_addtcsetpgrp_np(posix_spawn_file_actions_t *fa, int tcfd)
{
	NEXT(posix_spawn_file_actions_addtcsetpgrp_np);
	MIRROR(next_posix_spawn_file_actions_addtcsetpgrp_np(fa, tcfd),
	       pristine_spawn_file_actions_addtcsetpgrp(s->own, tcfd));
}
