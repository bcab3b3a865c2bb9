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
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
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

/*
 * execve()'s checks on the file open at fd (O_PATH), in its order, before
 * anything opens it: a regular file (not a directory, a FIFO, a socket or
 * a device, whose open could block, wake a peer or run a driver), on a
 * mount that allows exec, that the effective ids may execute.
 */
static int exec_allowed(int fd)
{
	struct statfs sfs;
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	       fstatfs(fd, &sfs) == 0 && !(sfs.f_flags & ST_NOEXEC) &&
	       syscall(SYS_faccessat2, fd, "", X_OK,
		       AT_EMPTY_PATH | AT_EACCESS) == 0;
}

/*
 * A file that passed the checks, opened for reading through /proc/self/fd
 * (no second lookup of the path; a write lease is broken and waited for,
 * as by execve()): that descriptor, or the O_PATH one if it cannot be read
 * (execute-only, no /proc).
 */
static int reopen(int fd)
{
	char name[64];
	int r;

	snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
	if ((r = open(name, O_RDONLY | O_CLOEXEC)) < 0)
		return fd;
	close(fd);
	return r;
}

int open_image(int dirfd, const char *path, char **execfn, char **kpath)
{
	int fd;

	*execfn = *kpath = NULL;
	if (!*path)
		return -ENOENT;
	if ((fd = openat(dirfd, path, O_PATH | O_CLOEXEC)) < 0)
		return -errno;
	/* A file that fails a check goes as it is: the empty process checks
	 * again, with its own ids, and gives execve()'s error when it runs
	 * (or the kernel does, if a check is refused to it). */
	if (exec_allowed(fd))
		fd = reopen(fd);
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
