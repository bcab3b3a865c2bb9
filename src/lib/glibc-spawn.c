/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * glibc's posix_spawn() as the posix layer's last resort (glibc-spawn.h).
 * The functions come from libc itself, looked up in it: under the preload
 * shim, the names posix_spawn and posix_spawn_file_actions_* are the
 * shim's, which would call back into this library.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <gnu/lib-names.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "file-actions.h"
#include "glibc-spawn.h"

typedef posix_spawn_file_actions_t gfa_t;
typedef int spawn_fn(pid_t *, const char *, const gfa_t *,
		     const posix_spawnattr_t *, char *const[], char *const[]);

static struct {
	spawn_fn *spawn, *spawnp;
	int (*init)(gfa_t *);
	int (*destroy)(gfa_t *);
	int (*addopen)(gfa_t *, int, const char *, int, mode_t);
	int (*addclose)(gfa_t *, int);
	int (*adddup2)(gfa_t *, int, int);
	int (*addchdir)(gfa_t *, const char *);
	int (*addfchdir)(gfa_t *, int);
	int (*addclosefrom)(gfa_t *, int);
	int (*addtcsetpgrp)(gfa_t *, int);
} libc;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* libc's definition of name, or the one this program links (a static
 * program has no shim in front of libc). */
#define FIND(field, name) do { \
		void *f = lib ? dlsym(lib, #name) : NULL; \
		if (f) \
			memcpy(&libc.field, &f, sizeof(f)); \
		else \
			libc.field = name; \
	} while (0)

static void find(void)
{
	/* Already loaded: RTLD_NOLOAD opens no file, needs no descriptor. */
	void *lib = dlopen(LIBC_SO, RTLD_LAZY | RTLD_NOLOAD);

	FIND(spawn, posix_spawn);
	FIND(spawnp, posix_spawnp);
	FIND(init, posix_spawn_file_actions_init);
	FIND(destroy, posix_spawn_file_actions_destroy);
	FIND(addopen, posix_spawn_file_actions_addopen);
	FIND(addclose, posix_spawn_file_actions_addclose);
	FIND(adddup2, posix_spawn_file_actions_adddup2);
	FIND(addchdir, posix_spawn_file_actions_addchdir_np);
	FIND(addfchdir, posix_spawn_file_actions_addfchdir_np);
	FIND(addclosefrom, posix_spawn_file_actions_addclosefrom_np);
	FIND(addtcsetpgrp, posix_spawn_file_actions_addtcsetpgrp_np);
	if (lib)
		dlclose(lib);	/* drops the reference NOLOAD took */
}

int glibc_wanted(int err)
{
	return err == EMFILE || err == ENFILE;
}

static int translate_actions(gfa_t *g, const pristine_spawn_file_actions_t *fa)
{
	const struct fa_action *a = fa->__actions;
	int i, err = 0;

	for (i = 0; i < fa->__used && !err; i++) {
		switch (a[i].type) {
		case FA_OPEN:
			err = libc.addopen(g, a[i].fd, a[i].path, a[i].oflag,
					   a[i].mode);
			break;
		case FA_CLOSE:
			err = libc.addclose(g, a[i].fd);
			break;
		case FA_DUP2:
			err = libc.adddup2(g, a[i].fd, a[i].newfd);
			break;
		case FA_CHDIR:
			err = libc.addchdir(g, a[i].path);
			break;
		case FA_FCHDIR:
			err = libc.addfchdir(g, a[i].fd);
			break;
		case FA_CLOSEFROM:
			err = libc.addclosefrom(g, a[i].fd);
			break;
		case FA_TCSETPGRP:
			err = libc.addtcsetpgrp(g, a[i].fd);
			break;
		}
	}
	return err;
}

/* pristine's attributes were checked as glibc checks its own: glibc
 * takes them as they are. */
static void translate_attr(posix_spawnattr_t *g, const pristine_spawnattr_t *a)
{
	posix_spawnattr_init(g);
	posix_spawnattr_setflags(g, a->__flags);
	posix_spawnattr_setpgroup(g, a->__pgrp);
	posix_spawnattr_setsigmask(g, &a->__ss);
	posix_spawnattr_setsigdefault(g, &a->__sd);
	posix_spawnattr_setschedparam(g, &a->__sp);
	posix_spawnattr_setschedpolicy(g, a->__policy);
}

int glibc_spawn(pid_t *pid, int *pidfd, const char *file, int search,
		const pristine_spawn_file_actions_t *fa,
		const pristine_spawnattr_t *attr, char *const argv[],
		char *const envp[])
{
	posix_spawnattr_t ga;
	gfa_t gfa;
	int err, saved = errno, slot = -1, pfd;
	pid_t child;

	pthread_once(&once, find);
	/* The pidfd's place, held before anything runs. */
	if (pidfd && (slot = (int)syscall(SYS_pidfd_open, getpid(), 0)) < 0) {
		err = errno;
		errno = saved;
		return err;
	}
	translate_attr(&ga, attr);
	if (fa) {
		libc.init(&gfa);
		err = translate_actions(&gfa, fa);
	} else {
		err = 0;
	}
	if (!err)
		err = (search ? libc.spawnp : libc.spawn)(&child, file,
							  fa ? &gfa : NULL,
							  &ga, argv, envp);
	if (fa)
		libc.destroy(&gfa);
	posix_spawnattr_destroy(&ga);
	if (!err && pidfd) {
		close(slot);
		slot = -1;
		/* Our child, not reaped: its pid names it until we wait. */
		if ((pfd = (int)syscall(SYS_pidfd_open, child, 0)) < 0) {
			/* Another thread took the place: no child may be
			 * left behind without its pidfd. */
			err = errno;
			kill(child, SIGKILL);
			waitpid(child, NULL, 0);
		} else {
			*pidfd = pfd;
		}
	}
	if (slot >= 0)
		close(slot);
	if (!err && pid)
		*pid = child;
	errno = saved;
	return err;
}
