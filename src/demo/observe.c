/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Looking at a process from outside, through /proc: its parent, its open
 * descriptors with their access modes, its working directory. This is how
 * the demo shows what an empty process holds and what the child saw.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "demo.h"

/* The first line of a small /proc file, without its newline. */
static int read_line(const char *file, char *buf, size_t size)
{
	FILE *f = fopen(file, "re");
	int ok;

	if (!f)
		return -1;
	ok = fgets(buf, (int)size, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

pid_t demo_find_child(const char *name)
{
	char file[64], comm[32];
	pid_t found = -1;
	FILE *f;
	int pid;

	snprintf(file, sizeof(file), "/proc/self/task/%d/children",
		 (int)gettid());
	if (!(f = fopen(file, "re")))
		return -1;
	while (fscanf(f, "%d", &pid) == 1) {
		snprintf(file, sizeof(file), "/proc/%d/comm", pid);
		if (read_line(file, comm, sizeof(comm)) == 0 &&
		    !strcmp(comm, name))
			found = pid;
	}
	fclose(f);
	return found;
}

static const char *access_mode(pid_t pid, int fd)
{
	char file[64], line[64];
	FILE *f;
	unsigned int flags;
	const char *mode = "";

	snprintf(file, sizeof(file), "/proc/%d/fdinfo/%d", (int)pid, fd);
	if (!(f = fopen(file, "re")))
		return mode;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "flags: %o", &flags) == 1) {
			flags &= O_ACCMODE;
			mode = flags == O_RDONLY ? " (read-only)"
			     : flags == O_WRONLY ? " (write-only)"
						 : " (read-write)";
			break;
		}
	fclose(f);
	return mode;
}

static int by_number(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int demo_observe(pid_t pid, struct demo_view *v)
{
	char dir[64], file[96], target[256], line[128];
	int fds[64], n = 0, i;
	struct dirent *e;
	FILE *f;
	DIR *d;
	ssize_t len;

	memset(v, 0, sizeof(*v));
	snprintf(file, sizeof(file), "/proc/%d/status", (int)pid);
	if (!(f = fopen(file, "re")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "PPid: %d", &v->ppid) == 1)
			break;
	fclose(f);

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	if (!(d = opendir(dir)))
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			if (n < (int)(sizeof(fds) / sizeof(fds[0])))
				fds[n++] = atoi(e->d_name);
			else
				v->extra++;
		}
	closedir(d);
	qsort(fds, (size_t)n, sizeof(fds[0]), by_number);
	for (i = 0; i < n; i++) {
		if (v->nfds == sizeof(v->fds) / sizeof(v->fds[0])) {
			v->extra++;
			continue;
		}
		snprintf(file, sizeof(file), "%s/%d", dir, fds[i]);
		len = readlink(file, target, sizeof(target) - 1);
		target[len > 0 ? len : 0] = 0;
		snprintf(v->fds[v->nfds++], sizeof(v->fds[0]),
			 "fd %-4d %.60s%s", fds[i], target,
			 access_mode(pid, fds[i]));
	}

	snprintf(file, sizeof(file), "/proc/%d/cwd", (int)pid);
	len = readlink(file, v->cwd, sizeof(v->cwd) - 1);
	if (len < 0)
		return -1;
	v->cwd[len] = 0;
	return 0;
}

void demo_print_view(const struct demo_view *v, int indent)
{
	size_t i;

	for (i = 0; i < v->nfds; i++)
		printf("%*s%s\n", indent, "", v->fds[i]);
	if (v->extra)
		printf("%*s... and %zu more\n", indent, "", v->extra);
	if (!v->nfds && !v->extra)
		printf("%*sno open descriptors\n", indent, "");
	printf("%*scwd     %s\n", indent, "", v->cwd);
}
