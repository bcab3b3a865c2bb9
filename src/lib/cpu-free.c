/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * A free CPU (cpu-free.h), from the kernel's count of runnable tasks: the
 * fourth field of /proc/loadavg, "running/total", counts every task on a
 * run queue now, the reader included. Called by the reserves' thread only,
 * never on a spawn's path.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cpu-free.h"

int cpu_free(void)
{
	char buf[128], *p;
	cpu_set_t mine;
	long running;
	ssize_t n;
	int fd;

	CPU_ZERO(&mine);
	if (sched_getaffinity(0, sizeof(mine), &mine) < 0)
		return -1;
	if ((fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	/* "0.50 0.40 0.30 2/123 4567" */
	if (!(p = strchr(buf, '/')))
		return -1;
	while (p > buf && p[-1] != ' ')
		p--;
	running = strtol(p, NULL, 10);
	return running - 1 < CPU_COUNT(&mine);
}
