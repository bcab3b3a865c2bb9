/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* The executable of a run: opened by the library, sent as an fd. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "image.h"

/* dirfd/path as an absolute path (malloc'd), or NULL. */
static char *absolute(int dirfd, const char *path)
{
	char dir[PATH_MAX], link[64], *out = NULL;
	ssize_t n;

	if (path[0] == '/')
		return strdup(path);
	if (dirfd == AT_FDCWD) {
		if (!getcwd(dir, sizeof(dir)))
			return NULL;
	} else {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
		if ((n = readlink(link, dir, sizeof(dir) - 1)) < 0)
			return NULL;
		dir[n] = 0;
	}
	if (asprintf(&out, "%s/%s", dir, path) < 0)
		return NULL;
	return out;
}

int open_image(int dirfd, const char *path, char **execfn, char **kpath)
{
	int fd;

	*execfn = *kpath = NULL;
	if (!*path)
		return -ENOENT;
	/* O_NONBLOCK: a FIFO must not block us (exec refuses it anyway).
	 * An execute-only file cannot be read: the kernel will run it. */
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == EACCES)
		fd = openat(dirfd, path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* AT_EXECFN, as execveat(dirfd, path) would name it; and the
	 * absolute path a kernel fallback executes, resolved now. */
	if (dirfd == AT_FDCWD || path[0] == '/')
		*execfn = strdup(path);
	else if (asprintf(execfn, "/dev/fd/%d/%s", dirfd, path) < 0)
		*execfn = NULL;
	*kpath = absolute(dirfd, path);
	if (!*execfn || !*kpath) {
		free(*execfn);
		free(*kpath);
		*execfn = *kpath = NULL;
		close(fd);
		return -ENOMEM;
	}
	return fd;
}
