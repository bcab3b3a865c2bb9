/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The spawn methods under test. Each one starts the target with the same
 * argv, envp and inherited descriptors, and nothing else set, so they do
 * the same work as far as the child can see.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <unistd.h>
#include "bench.h"
#include "pristine.h"

/* The child only execs or exits, which vfork() allows. */
static int fork_exec(const struct target *t, pid_t *pid, int use_vfork)
{
	pid_t p = use_vfork ? vfork() : fork();

	if (p < 0)
		return errno;
	if (p == 0) {
		execve(t->path, t->argv, t->envp);
		_exit(127);
	}
	*pid = p;
	return 0;
}

static int fork_spawn(void *state, const struct target *t, pid_t *pid)
{
	return fork_exec(t, pid, 0);
}

static int vfork_spawn(void *state, const struct target *t, pid_t *pid)
{
	return fork_exec(t, pid, 1);
}

static int posix_spawn_spawn(void *state, const struct target *t, pid_t *pid)
{
	return posix_spawn(pid, t->path, NULL, NULL, t->argv, t->envp);
}

/* An attribute object with the given exec mode, as a method's state. */
static int mode_prepare(int mode, void **state)
{
	pristine_spawnattr_t *attr = malloc(sizeof(*attr));
	int err;

	if (!attr)
		return ENOMEM;
	if ((err = pristine_spawnattr_init(attr)) ||
	    (err = pristine_spawnattr_setexecmode(attr, mode))) {
		free(attr);
		return err;
	}
	*state = attr;
	return 0;
}

static void mode_release(void *state)
{
	pristine_spawnattr_destroy(state);
	free(state);
}

/* A spawn that took another route than the method's does not count. */
static int on_route(int err, int route)
{
	if (!err && pristine_last_route() != route)
		return ENOEXEC;
	return err;
}

/* The default path: a new empty process each time (even with the pool of
 * "pristine-pool" around), the loader maps the image itself. The route is
 * checked so that a silent fall back to the kernel cannot pass for it. */
static int pristine_spawn_prepare(const struct target *t, void **state)
{
	return mode_prepare(PRISTINE_EXEC_FRESH, state);
}

static int pristine_spawn_spawn(void *state, const struct target *t,
				pid_t *pid)
{
	return on_route(pristine_spawn(pid, t->path, NULL, state, t->argv,
				       t->envp), PRISTINE_ROUTE_LOADER);
}

/* The same empty process, but the image is run by execve() from inside
 * it (PRISTINE_ROUTE_KERNEL_ASKED). */
static int kernel_mode_prepare(const struct target *t, void **state)
{
	return mode_prepare(PRISTINE_EXEC_KERNEL | PRISTINE_EXEC_FRESH, state);
}

static int kernel_mode_spawn(void *state, const struct target *t,
			     pid_t *pid)
{
	return on_route(pristine_spawn(pid, t->path, NULL, state, t->argv,
				       t->envp), PRISTINE_ROUTE_KERNEL_ASKED);
}

/*
 * Pre-created empty processes: a pool of POOL_SIZE, made when the cell
 * starts (after pinning, so its refill thread and members share the CPU
 * set), dropped at its end. A member taken is refilled off the critical
 * path, in the idle gap the benchmark leaves between samples.
 */
#define POOL_SIZE 2

static int pool_prepare(const struct target *t, void **state)
{
	return pristine_pool_create(POOL_SIZE, 0) < 0 ? errno : 0;
}

static int pool_spawn(void *state, const struct target *t, pid_t *pid)
{
	return on_route(pristine_spawn(pid, t->path, NULL, NULL, t->argv,
				       t->envp), PRISTINE_ROUTE_LOADER);
}

static void pool_release(void *state)
{
	pristine_pool_destroy();
}

/* Templates: members with the target already mapped and pre-faulted. */
static int template_prepare(const struct target *t, void **state)
{
	*state = pristine_template_create(t->path, -1, POOL_SIZE, 0);
	return *state ? 0 : errno;
}

static int template_spawn(void *state, const struct target *t, pid_t *pid)
{
	return on_route(pristine_template_spawn(state, pid, NULL, NULL,
						t->argv, t->envp),
			PRISTINE_ROUTE_LOADER);
}

static void template_release(void *state)
{
	pristine_template_destroy(state);
}

/* One sample of each per round. */
const struct method methods[] = {
	{ "fork+execve", NULL, fork_spawn, NULL, 1 },
	{ "vfork+execve", NULL, vfork_spawn, NULL, 0 },
	{ "posix_spawn", NULL, posix_spawn_spawn, NULL, 0 },
	{ "pristine_spawn", pristine_spawn_prepare, pristine_spawn_spawn,
	  mode_release, 0 },
	{ "pristine-kernel", kernel_mode_prepare, kernel_mode_spawn,
	  mode_release, 0 },
	{ "pristine-pool", pool_prepare, pool_spawn, pool_release, 0 },
	{ "pristine-template", template_prepare, template_spawn,
	  template_release, 0 },
};
const size_t n_methods = sizeof(methods) / sizeof(methods[0]);
const size_t baseline_method = 2;
