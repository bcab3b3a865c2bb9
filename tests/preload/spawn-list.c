/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * spawn-list [-f] [-c N] [-n] PATH...: posix_spawn()s each PATH (argv[0]
 * the path), waits for it and prints "PATH: exit N" or "PATH: error ENAME".
 *   -n    each spawn with no descriptor free (the table filled up to
 *         RLIMIT_NOFILE first, with close-on-exec copies, emptied after)
 *   -f    then fork()s a child that spawns the first PATH once and
 *         returns from main (exit(): the shim's destructor runs)
 *   -c N  then prints "children: M", M the children it did not make (a
 *         pool's members), once M reaches N (at most 10 s) or, for N 0,
 *         after 1 s
 * For the shim's trace and statistics tests (preload-explain.sh).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int fill(int *fds, int max)
{
	int n = 0, fd;

	while (n < max && (fd = fcntl(0, F_DUPFD_CLOEXEC, 0)) >= 0)
		fds[n++] = fd;
	return n;
}

/* The children of every thread (a pool's are its refill thread's). */
static int children(void)
{
	char path[300];
	struct dirent *d;
	long pid;
	int n = 0;
	DIR *dir = opendir("/proc/self/task");

	while (dir && (d = readdir(dir))) {
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children",
			 d->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		while (fscanf(f, "%ld", &pid) == 1)
			n++;
		fclose(f);
	}
	if (dir)
		closedir(dir);
	return n;
}

int main(int argc, char **argv)
{
	int opt, nofds = 0, do_fork = 0, count = -1, i, n, st, err;
	static int fds[1 << 16];
	pid_t pid;

	while ((opt = getopt(argc, argv, "fc:n")) != -1) {
		if (opt == 'n')
			nofds = 1;
		else if (opt == 'f')
			do_fork = 1;
		else if (opt == 'c')
			count = atoi(optarg);
		else
			return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = optind; i < argc; i++) {
		char *a[] = { argv[i], NULL };

		n = nofds ? fill(fds, 1 << 16) : 0;
		err = posix_spawn(&pid, argv[i], NULL, NULL, a, environ);
		while (n)
			close(fds[--n]);
		if (err) {
			printf("%s: error %s\n", argv[i], strerrorname_np(err));
			continue;
		}
		if (waitpid(pid, &st, 0) != pid)
			printf("%s: waitpid: %s\n", argv[i],
			       strerrorname_np(errno));
		else if (WIFEXITED(st))
			printf("%s: exit %d\n", argv[i], WEXITSTATUS(st));
		else
			printf("%s: signal %d\n", argv[i], WTERMSIG(st));
	}
	if (count >= 0) {
		/* The members come once spawns pause (the pool's refill). */
		for (i = 0; i < (count ? 1000 : 100) &&
			    (n = children()) < (count ? count : 1); i++)
			usleep(10000);
		printf("children: %d\n", n);
	}
	if (do_fork && optind < argc) {
		pid = fork();
		if (pid == 0) {
			char *a[] = { argv[optind], NULL };

			if (!posix_spawn(&pid, argv[optind], NULL, NULL, a,
					 environ))
				waitpid(pid, &st, 0);
			return 0;	/* exit(): the shim's destructor */
		}
		waitpid(pid, &st, 0);
	}
	return 0;
}
