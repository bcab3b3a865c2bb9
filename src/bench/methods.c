/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The spawn methods under test. Each one starts the target with the same
 * argv, envp and inherited descriptors, and nothing else set, so they do
 * the same work as far as the child can see.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <linux/capability.h>
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

/* A reserve's spawn: a member's (userspace), or, when none was ready, a
 * fresh one's (PRISTINE_ROUTE_KERNEL_FRESH), as a user would get. */
static int on_member_route(int err)
{
	if (!err && pristine_last_route() == PRISTINE_ROUTE_KERNEL_FRESH)
		return 0;
	return on_route(err, PRISTINE_ROUTE_LOADER);
}

/* The default path: a new empty process each time (even with the pool of
 * "pristine-pool" around), in the default mode, which for a fresh spawn
 * lets the kernel execute the image (PRISTINE_ROUTE_KERNEL_FRESH). The
 * route is checked so that another route cannot pass for it. */
static int pristine_spawn_prepare(const struct target *t, void **state)
{
	return mode_prepare(PRISTINE_EXEC_FRESH, state);
}

/* The loader mode: userspace without the default mode's checks (the
 * difference is their price). */
static int loader_mode_prepare(const struct target *t, void **state)
{
	return mode_prepare(PRISTINE_EXEC_LOADER | PRISTINE_EXEC_FRESH, state);
}

static int loader_mode_spawn(void *state, const struct target *t,
			     pid_t *pid)
{
	return on_route(pristine_spawn(pid, t->path, NULL, state, t->argv,
				       t->envp), PRISTINE_ROUTE_LOADER);
}

static int pristine_spawn_spawn(void *state, const struct target *t,
				pid_t *pid)
{
	return on_route(pristine_spawn(pid, t->path, NULL, state, t->argv,
				       t->envp), PRISTINE_ROUTE_KERNEL_FRESH);
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
	return on_member_route(pristine_spawn(pid, t->path, NULL, NULL,
					      t->argv, t->envp));
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
	return on_member_route(pristine_template_spawn(state, pid, NULL, NULL,
						       t->argv, t->envp));
}

static void template_release(void *state)
{
	pristine_template_destroy(state);
}

/*
 * An unprivileged caller: the spawning thread becomes uid 65534 for the
 * spawn (raw system calls change only this thread's credentials, and a
 * saved uid 0 lets it come back), so that the empty process is started by
 * uid 65534 with no capability, as any user's would be. The switch costs
 * about a microsecond inside the timed region.
 */
#define NOBODY 65534

static int become(unsigned int uid, unsigned int keep)
{
	if (uid) {
		if (syscall(SYS_setresgid, uid, uid, keep) < 0 ||
		    syscall(SYS_setresuid, uid, uid, keep) < 0)
			return errno;
	} else if (syscall(SYS_setresuid, 0, 0, 0) < 0 ||
		   syscall(SYS_setresgid, 0, 0, 0) < 0) {
		return errno;
	}
	return 0;
}

/* An unprivileged method's state: the exec mode, the route it must take,
 * and the loader (NULL: the one PRISTINE_LOADER names). */
struct nobody {
	pristine_spawnattr_t attr;
	int route;
	char *loader_env;
};

static char *default_loader_env;

/*
 * The capability install, for the cell that measures it: a copy of the
 * loader with exactly cap_checkpoint_restore=p (what `make
 * install-loader-capability` gives), in a directory of its own, removed
 * at exit. NULL (and why on stderr, once) where it cannot be made.
 */
static char cap_dir[64], cap_loader[128];

static void cap_remove(void)
{
	unlink(cap_loader);
	rmdir(cap_dir);
}

static const char *cap_install(void)
{
	static int done, ok;
	const char *from = getenv("PRISTINE_LOADER");
	struct vfs_cap_data caps = {
		.magic_etc = VFS_CAP_REVISION_2,
		.data = { { 0 }, { .permitted = 1u << (CAP_CHECKPOINT_RESTORE -
							 32) } },
	};
	struct statvfs vfs;
	char buf[65536];
	int in = -1, out = -1;
	ssize_t n;

	if (done)
		return ok ? cap_loader : NULL;
	done = 1;
	snprintf(cap_dir, sizeof(cap_dir), "/tmp/pristine-bench-XXXXXX");
	if (!from || geteuid() != 0 || !mkdtemp(cap_dir)) {
		fprintf(stderr, "pristine-bench: no capability install (%s)\n",
			!from ? "PRISTINE_LOADER unset" : "not root");
		return NULL;
	}
	atexit(cap_remove);
	snprintf(cap_loader, sizeof(cap_loader), "%s/pristine-loader",
		 cap_dir);
	chmod(cap_dir, 0755);
	in = open(from, O_RDONLY | O_CLOEXEC);
	out = open(cap_loader, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	ok = in >= 0 && out >= 0 && statvfs(cap_dir, &vfs) == 0 &&
	     !(vfs.f_flag & ST_NOSUID) &&
	     setxattr(cap_loader, "security.capability", &caps,
		      XATTR_CAPS_SZ_2, 0) == 0;
	if (!ok)
		fprintf(stderr, "pristine-bench: no capability install in "
			"%s: %s\n", cap_dir, strerror(errno));
	return ok ? cap_loader : NULL;
}

static int nobody_prepare(int mode, int route, const char *loader,
			  void **state)
{
	struct nobody *n;
	const char *env = getenv("PRISTINE_LOADER");
	int err;

	if (geteuid() != 0)
		return ENOTSUP;		/* already someone: see the others */
	if (!default_loader_env && env &&
	    asprintf(&default_loader_env, "PRISTINE_LOADER=%s", env) < 0)
		return ENOMEM;
	if (!(n = calloc(1, sizeof(*n))))
		return ENOMEM;
	n->route = route;
	if ((err = pristine_spawnattr_init(&n->attr)) ||
	    (err = pristine_spawnattr_setexecmode(&n->attr,
						  mode | PRISTINE_EXEC_FRESH)) ||
	    (loader && asprintf(&n->loader_env, "PRISTINE_LOADER=%s",
				loader) < 0)) {
		free(n);
		return err ? err : ENOMEM;
	}
	*state = n;
	return 0;
}

/* uid 65534, default mode: a fresh spawn, which the kernel executes
 * (PRISTINE_ROUTE_KERNEL_FRESH), as it does root's. */
static int nobody_default_prepare(const struct target *t, void **state)
{
	return nobody_prepare(PRISTINE_EXEC_DEFAULT,
			      PRISTINE_ROUTE_KERNEL_FRESH, NULL, state);
}

/* uid 65534, loader mode: the userspace route without /proc/PID/exe (the
 * default before the route rule). */
static int nobody_loader_prepare(const struct target *t, void **state)
{
	return nobody_prepare(PRISTINE_EXEC_LOADER, PRISTINE_ROUTE_LOADER,
			      NULL, state);
}

/* uid 65534, loader mode, with the capability install: the userspace
 * route with /proc/PID/exe (a fresh spawn in the default mode is the
 * kernel's, install or not). */
static int nobody_cap_prepare(const struct target *t, void **state)
{
	const char *loader = cap_install();

	if (!loader)
		return ENOTSUP;
	return nobody_prepare(PRISTINE_EXEC_LOADER, PRISTINE_ROUTE_LOADER,
			      loader, state);
}

static int nobody_spawn(void *state, const struct target *t, pid_t *pid)
{
	struct nobody *n = state;
	int err, back;

	if (n->loader_env)
		putenv(n->loader_env);
	if ((err = become(NOBODY, 0)))
		return err;
	err = on_route(pristine_spawn(pid, t->path, NULL, &n->attr, t->argv,
				      t->envp), n->route);
	back = become(0, 0);
	if (n->loader_env && default_loader_env)
		putenv(default_loader_env);
	return err ? err : back;
}

static void nobody_release(void *state)
{
	struct nobody *n = state;

	pristine_spawnattr_destroy(&n->attr);
	free(n->loader_env);
	free(n);
}

/* One sample of each per round. */
const struct method methods[] = {
	{ "fork+execve", NULL, fork_spawn, NULL, 1 },
	{ "vfork+execve", NULL, vfork_spawn, NULL, 0 },
	{ "posix_spawn", NULL, posix_spawn_spawn, NULL, 0 },
	{ "pristine_spawn", pristine_spawn_prepare, pristine_spawn_spawn,
	  mode_release, 0 },
	{ "pristine-loader", loader_mode_prepare, loader_mode_spawn,
	  mode_release, 0 },
	{ "pristine-kernel", kernel_mode_prepare, kernel_mode_spawn,
	  mode_release, 0 },
	{ "pristine-pool", pool_prepare, pool_spawn, pool_release, 0 },
	{ "pristine-template", template_prepare, template_spawn,
	  template_release, 0 },
	{ "nobody:default", nobody_default_prepare, nobody_spawn,
	  nobody_release, 0 },
	{ "nobody:loader", nobody_loader_prepare, nobody_spawn,
	  nobody_release, 0 },
	{ "nobody:cap-install", nobody_cap_prepare, nobody_spawn,
	  nobody_release, 0 },
};
const size_t n_methods = sizeof(methods) / sizeof(methods[0]);
const size_t baseline_method = 2;
