/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * pristine-demo --compare: the same scenario started three ways, timed
 * from the first call to the reaped exit status, beside what each way
 * guarantees: pristine is not the fastest of the three, and the table
 * says what it buys. The methods take turns run after run, so a slow
 * moment of the machine falls on all of them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "demo.h"
#include "pristine.h"
#include "tool.h"

/* Each returns the wait status, or -1 with errno set. */
typedef int (*method_fn)(const struct demo *d);

static int reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

static int fork_exec(const struct demo *d)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (dup2(d->null_in, 0) < 0 || dup2(d->null_out, 1) < 0 ||
		    dup2(d->null_out, 2) < 0 || chdir("/") < 0 ||
		    syscall(SYS_close_range, 3, ~0u, 0) < 0)
			_exit(TOOL_EXIT_FAILURE);
		execve(d->path, d->argv, d->envp);
		_exit(errno == ENOENT ? TOOL_EXIT_NOT_FOUND
				      : TOOL_EXIT_CANNOT_EXEC);
	}
	return reap(pid);
}

static int spawn(const struct demo *d)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int err;

	if ((err = posix_spawn_file_actions_init(&fa)))
		goto out;
	if ((err = posix_spawn_file_actions_adddup2(&fa, d->null_in, 0)) ||
	    (err = posix_spawn_file_actions_adddup2(&fa, d->null_out, 1)) ||
	    (err = posix_spawn_file_actions_adddup2(&fa, d->null_out, 2)) ||
	    (err = posix_spawn_file_actions_addchdir_np(&fa, "/")) ||
	    (err = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) ||
	    (err = posix_spawn(&pid, d->path, &fa, NULL, d->argv, d->envp))) {
		posix_spawn_file_actions_destroy(&fa);
		goto out;
	}
	posix_spawn_file_actions_destroy(&fa);
	return reap(pid);
out:
	errno = err;
	return -1;
}

static int empty_process(const struct demo *d)
{
	int h = pristine_open(0), pidfd, err;
	pid_t pid;

	if (h < 0)
		return -1;
	if (demo_configure(d, h, 0, d->nsteps) < 0) {
		err = errno;
		close(h);
		errno = err;
		return -1;
	}
	if ((pidfd = pristine_run(h, &pid)) < 0)
		return -1;
	close(pidfd);
	return reap(pid);
}

/* What a method guarantees, one column each (see the legend). */
enum {
	NO_COPY = 1,	/* never copies the caller's memory */
	APART = 2,	/* the child is set up by another program */
	ERRORS = 4,	/* set-up and exec errors come back from the call */
	STEPS = 8,	/* configured key by key, each key checked */
	PIDFD = 16,	/* a pidfd from the child's creation */
};

static const struct {
	const char *heading, *legend;
} columns[] = {
	{ "no copy", "the caller's memory is never copied (fork copies its "
		     "page\n           tables: its time grows with the "
		     "caller's size)" },
	{ "apart", "the child is set up by another program, not by the "
		   "caller's\n           code on a copy (fork) or on the "
		   "caller's memory (vfork)" },
	{ "errors", "a failed set-up or exec comes back from the call, as "
		    "an errno\n           (fork + exec: only as the child's "
		    "exit status)" },
	{ "steps", "configured key by key, and each key checked when it is "
		   "given" },
	{ "pidfd", "a pidfd for the child from its creation on" },
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

static const struct {
	const char *name;
	method_fn run;
	unsigned int guarantees;
} methods[] = {
	{ "fork + exec", fork_exec, 0 },
	{ "posix_spawn", spawn, NO_COPY | ERRORS },
	{ "pristine", empty_process, NO_COPY | APART | ERRORS | STEPS | PIDFD },
};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double median_us(uint64_t *ns, unsigned int n)
{
	qsort(ns, n, sizeof(*ns), by_value);
	if (n % 2)
		return ns[n / 2] / 1e3;
	return (ns[n / 2 - 1] + ns[n / 2]) / 2e3;
}

int demo_compare(const struct demo *d, unsigned int n)
{
	uint64_t *ns[NMETHODS];
	int status[NMETHODS], same = 1;
	unsigned int run, m, c;

	for (m = 0; m < NMETHODS; m++)
		if (!(ns[m] = calloc(n, sizeof(*ns[m])))) {
			tool_error("out of memory");
			return TOOL_EXIT_FAILURE;
		}
	/* One untimed round first: the page cache and ld.so's caches warm. */
	for (run = 0; run <= n; run++)
		for (m = 0; m < NMETHODS; m++) {
			uint64_t t0 = demo_now();
			int st = methods[m].run(d);

			if (st < 0) {
				tool_error("%s: %s", methods[m].name,
					   m == 2 && *pristine_errmsg()
						   ? pristine_errmsg()
						   : strerror(errno));
				return TOOL_EXIT_FAILURE;
			}
			if (run == 0)
				status[m] = st;
			else
				ns[m][run - 1] = demo_now() - t0;
			same &= st == status[0];
		}

	printf("%s: %s, %u runs of each, spawn to reaped exit status\n\n",
	       tool_name, d->path, n);
	/* Each flag right-aligned under its heading: no trailing blanks. */
	printf("  %-14s %10s %10s", "method", "median µs", "min µs");
	for (c = 0; c < NCOLUMNS; c++)
		printf("  %s", columns[c].heading);
	putchar('\n');
	for (m = 0; m < NMETHODS; m++) {
		double med = median_us(ns[m], n);

		printf("  %-14s %9.0f %9.0f", methods[m].name, med,
		       ns[m][0] / 1e3);
		for (c = 0; c < NCOLUMNS; c++)
			printf("  %*s", (int)strlen(columns[c].heading),
			       methods[m].guarantees & (1u << c) ? "yes"
								 : "no");
		putchar('\n');
		free(ns[m]);
	}
	putchar('\n');
	for (c = 0; c < NCOLUMNS; c++)
		printf("  %-8s %s\n", columns[c].heading, columns[c].legend);
	if (same)
		printf("\nevery run exited with status %d\n",
		       WIFEXITED(status[0]) ? WEXITSTATUS(status[0])
					    : 128 + WTERMSIG(status[0]));
	else
		printf("\nthe runs did not all end alike: the command does "
		       "not behave the same way each time\n");
	return 0;
}
