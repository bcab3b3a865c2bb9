/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Test target: prints its open descriptors, one "N" per line ("N cloexec"
 * if FD_CLOEXEC is set), then "cwd PATH". Its output must be the same
 * whether glibc's posix_spawn() or pristine started it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char cwd[4096];
	int fd;

	if (!d)
		return 2;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		fd = atoi(e->d_name);
		if (fd == dirfd(d))
			continue;
		printf("%d%s\n", fd,
		       (fcntl(fd, F_GETFD) & FD_CLOEXEC) ? " cloexec" : "");
	}
	closedir(d);
	printf("cwd %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	return 0;
}
