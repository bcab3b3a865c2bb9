/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* pristine_spawn_file_actions_*(): glibc 2.36's checks and semantics. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "export.h"
#include "file-actions.h"
#include "pristine.h"

/* Is fd a descriptor number posix_spawn() file actions accept? */
static int valid_fd(int fd)
{
	struct rlimit rl;

	if (fd < 0)
		return 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 1;
	return (rlim_t)fd < rl.rlim_cur;
}

static struct fa_action *add(pristine_spawn_file_actions_t *fa)
{
	struct fa_action *a = fa->__actions;

	if (fa->__used == fa->__allocated) {
		int n = fa->__allocated ? 2 * fa->__allocated : 8;

		if (!(a = realloc(a, (size_t)n * sizeof(*a))))
			return NULL;
		fa->__actions = a;
		fa->__allocated = n;
	}
	a = &a[fa->__used++];
	memset(a, 0, sizeof(*a));
	return a;
}

PRISTINE_EXPORT int
pristine_spawn_file_actions_init(pristine_spawn_file_actions_t *fa)
{
	memset(fa, 0, sizeof(*fa));
	return 0;
}

PRISTINE_EXPORT int
pristine_spawn_file_actions_destroy(pristine_spawn_file_actions_t *fa)
{
	struct fa_action *a = fa->__actions;
	int i;

	for (i = 0; i < fa->__used; i++)
		free(a[i].path);
	free(a);
	memset(fa, 0, sizeof(*fa));
	return 0;
}

static int add_path(pristine_spawn_file_actions_t *fa, enum fa_type type,
		    int fd, const char *path, int oflag, mode_t mode)
{
	char *copy = strdup(path);
	struct fa_action *a;

	if (!copy || !(a = add(fa))) {
		free(copy);
		return ENOMEM;
	}
	*a = (struct fa_action){ .type = type, .fd = fd, .oflag = oflag,
				 .mode = mode, .path = copy };
	return 0;
}

static int add_fd(pristine_spawn_file_actions_t *fa, enum fa_type type,
		  int fd, int newfd)
{
	struct fa_action *a;

	if (!(a = add(fa)))
		return ENOMEM;
	a->type = type;
	a->fd = fd;
	a->newfd = newfd;
	return 0;
}

PRISTINE_EXPORT int
pristine_spawn_file_actions_addopen(pristine_spawn_file_actions_t *fa, int fd,
				    const char *path, int oflag, mode_t mode)
{
	if (!valid_fd(fd))
		return EBADF;
	return add_path(fa, FA_OPEN, fd, path, oflag, mode);
}

PRISTINE_EXPORT int
pristine_spawn_file_actions_addclose(pristine_spawn_file_actions_t *fa, int fd)
{
	if (!valid_fd(fd))
		return EBADF;
	return add_fd(fa, FA_CLOSE, fd, 0);
}

PRISTINE_EXPORT int
pristine_spawn_file_actions_adddup2(pristine_spawn_file_actions_t *fa, int fd,
				    int newfd)
{
	if (!valid_fd(fd) || !valid_fd(newfd))
		return EBADF;
	return add_fd(fa, FA_DUP2, fd, newfd);
}

PRISTINE_EXPORT int
pristine_spawn_file_actions_addchdir(pristine_spawn_file_actions_t *fa,
				     const char *path)
{
	return add_path(fa, FA_CHDIR, 0, path, 0, 0);
}

PRISTINE_EXPORT int
pristine_spawn_file_actions_addfchdir(pristine_spawn_file_actions_t *fa, int fd)
{
	if (!valid_fd(fd))
		return EBADF;
	return add_fd(fa, FA_FCHDIR, fd, 0);
}

PRISTINE_EXPORT int
pristine_spawn_file_actions_addclosefrom(pristine_spawn_file_actions_t *fa,
					 int from)
{
	if (!valid_fd(from))
		return EBADF;
	return add_fd(fa, FA_CLOSEFROM, from, 0);
}

PRISTINE_EXPORT int
pristine_spawn_file_actions_addtcsetpgrp(pristine_spawn_file_actions_t *fa,
					 int tcfd)
{
	if (!valid_fd(tcfd))
		return EBADF;
	return add_fd(fa, FA_TCSETPGRP, tcfd, 0);
}
