/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * What the shim costs a process that never spawns: /bin/true, and a
 * program that only forks, started many times with nothing preloaded,
 * with an empty library preloaded, and with the shim; interleaved, one
 * sample of each per round. The shim's cost is its median beyond the
 * empty library's (the price of any preload, which is not the shim's).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "bench.h"

#ifndef BENCH_SHIM_PATH
#define BENCH_SHIM_PATH "libpristine-preload.so"
#endif
#ifndef BENCH_EMPTY_PATH
#define BENCH_EMPTY_PATH "libpristine-bench-empty.so"
#endif
#ifndef BENCH_FORK_PATH
#define BENCH_FORK_PATH "pristine-bench-fork"
#endif

static double clock_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

int bench_run(char *const argv[], char *const envp[], double *wall_us,
	      double *cpu_us)
{
	struct rusage ru;
	double t0 = clock_us();
	pid_t pid;
	int err, status;

	err = posix_spawnp(&pid, argv[0], NULL, NULL, argv, envp);
	if (err)
		return err;
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return errno;
	*wall_us = clock_us() - t0;
	*cpu_us = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
		  (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return ECHILD;	/* the program failed: no sample */
	return 0;
}

int bench_env(char **envp, size_t max, char *buf, size_t len,
	      const char *preload, const char *const *extra)
{
	size_t n = 0;

	envp[n++] = "PATH=/usr/local/bin:/usr/bin:/bin";
	envp[n++] = "LC_ALL=C";
	/* The library's loader, as make bench gives it (the shim's core
	 * would look for the installed one). */
	if (getenv("PRISTINE_LOADER")) {
		static char loader[4096];

		snprintf(loader, sizeof(loader), "PRISTINE_LOADER=%s",
			 getenv("PRISTINE_LOADER"));
		envp[n++] = loader;
	}
	if (preload) {
		if ((size_t)snprintf(buf, len, "LD_PRELOAD=%s", preload) >= len)
			return ENAMETOOLONG;
		envp[n++] = buf;
	}
	for (; extra && *extra; extra++) {
		if (n + 1 >= max)
			return E2BIG;
		envp[n++] = (char *)*extra;
	}
	envp[n] = NULL;
	return 0;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), by_value);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define N_PRELOADS 3

void bench_shim_load(size_t rounds)
{
	static const char *const names[N_PRELOADS] = { "none", "empty",
						       "shim" };
	const char *libs[N_PRELOADS] = { NULL, BENCH_EMPTY_PATH,
					 BENCH_SHIM_PATH };
	char *true_argv[] = { "/bin/true", NULL };
	char *fork_argv[] = { BENCH_FORK_PATH, NULL };
	char *const *progs[] = { true_argv, fork_argv };
	static const char *const prog_names[] = { "true", "fork" };
	char *envs[N_PRELOADS][8], bufs[N_PRELOADS][4096];
	double *wall, *cpu;
	size_t p, r, k, i;

	printf("\nshim load cost: a program that never spawns, started %zu "
	       "times per preload, interleaved\n  (fork: a program that "
	       "forks once and waits; cpu: the child's user+system time)\n",
	       rounds);
	for (k = 0; k < N_PRELOADS; k++) {
		if (libs[k] && access(libs[k], R_OK) < 0) {
			printf("  skipped: %s: %s\n", libs[k], strerror(errno));
			return;
		}
		if (bench_env(envs[k], 8, bufs[k], sizeof(bufs[k]), libs[k],
			      NULL))
			return;
	}
	wall = calloc(rounds * N_PRELOADS, sizeof(*wall));
	cpu = calloc(rounds * N_PRELOADS, sizeof(*cpu));
	if (!wall || !cpu) {
		printf("  skipped: no memory\n");
		goto out;
	}
	printf("  %-5s %-6s %10s %10s %12s %12s\n", "prog", "preload",
	       "wall us", "cpu us", "wall-empty", "cpu-empty");
	for (p = 0; p < sizeof(progs) / sizeof(progs[0]); p++) {
		double mw[N_PRELOADS], mc[N_PRELOADS];
		size_t n = 0;

		for (r = 0; r < rounds; r++) {
			double w[N_PRELOADS], c[N_PRELOADS];
			int err = 0;

			/* A B C, B C A, C A B: no preload always first. */
			for (i = 0; i < N_PRELOADS && !err; i++) {
				k = (i + r) % N_PRELOADS;
				err = bench_run(progs[p], envs[k], &w[k],
						&c[k]);
			}
			if (err) {
				printf("  %s: %s\n", prog_names[p],
				       strerror(err));
				break;
			}
			for (k = 0; k < N_PRELOADS; k++) {
				wall[k * rounds + n] = w[k];
				cpu[k * rounds + n] = c[k];
			}
			n++;
		}
		for (k = 0; k < N_PRELOADS; k++) {
			mw[k] = bench_median(wall + k * rounds, n);
			mc[k] = bench_median(cpu + k * rounds, n);
		}
		for (k = 0; k < N_PRELOADS; k++) {
			printf("  %-5s %-6s %10.1f %10.1f", prog_names[p],
			       names[k], mw[k], mc[k]);
			if (k == N_PRELOADS - 1)
				printf(" %12.1f %12.1f", mw[k] - mw[1],
				       mc[k] - mc[1]);
			printf("\n");
		}
	}
	printf("  target: the shim <= 5 us per process beyond the empty "
	       "library\n");
out:
	free(wall);
	free(cpu);
}
