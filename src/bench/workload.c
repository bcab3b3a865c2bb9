/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * A workload as a user would try it: GNU make running a generated
 * makefile of 300 no-op targets (each recipe a real /bin/true, which make
 * posix_spawn()s itself), with -j2: without the shim, with it, and with
 * it and pools of a few sizes (PRISTINE_POOL); interleaved runs, median
 * wall times, ratios to the plain make. One untimed run per variant
 * first, with PRISTINE_STATS=1, shows how the shim routed make's spawns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

#ifndef BENCH_SHIM_PATH
#define BENCH_SHIM_PATH "libpristine-preload.so"
#endif

#define TARGETS 300
#define MAX_VARIANTS 6

struct variant {
	const char *name;
	const char *preload;
	const char *pool;	/* "PRISTINE_POOL=N", or NULL */
	char *envp[8];
	char buf[4096];
};

/* The makefile: every target phony, its recipe one command with no
 * shell syntax, so that make spawns /bin/true itself. */
static int write_makefile(const char *path)
{
	FILE *f = fopen(path, "w");
	int i;

	if (!f)
		return errno;
	fprintf(f, "T :=");
	for (i = 1; i <= TARGETS; i++)
		fprintf(f, " t%d", i);
	fprintf(f, "\nall: $(T)\n$(T):\n\t@/bin/true\n.PHONY: all $(T)\n");
	return fclose(f) ? errno : 0;
}

/*
 * One run with PRISTINE_STATS=1, make's standard error to a file: make's
 * own line says how its spawns went.
 */
static void check_routes(struct variant *v, char *const argv[],
			 const char *dir)
{
	const char *extra[] = { "PRISTINE_STATS=1", v->pool, NULL };
	posix_spawn_file_actions_t fa;
	char *envp[8], buf[4096], log[4200], line[1024];
	unsigned long spawns = 0, loader = 0, kernel = 0, glibc = 0;
	unsigned long fallback = 0;
	int status, err, found = 0;
	pid_t pid;
	FILE *f;

	snprintf(log, sizeof(log), "%s/stats", dir);
	if (bench_env(envp, 8, buf, sizeof(buf), v->preload, extra))
		return;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log,
					 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (err || waitpid(pid, &status, 0) != pid) {
		printf("  %-10s check: %s\n", v->name, strerror(err));
		return;
	}
	f = fopen(log, "r");
	while (f && fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "]: spawns=");

		if (!p || !strstr(line, " program=make"))
			continue;
		if (sscanf(p, "]: spawns=%lu loader=%lu kernel=%lu", &spawns,
			   &loader, &kernel) == 3 && strstr(p, " glibc=")) {
			sscanf(strstr(p, " glibc="), " glibc=%lu fallback=%lu",
			       &glibc, &fallback);
			found = 1;
		}
	}
	if (f)
		fclose(f);
	if (found)
		printf("  %-10s make's spawns: %lu (loader %lu, kernel %lu, "
		       "glibc %lu, fallback %lu)\n", v->name, spawns, loader,
		       kernel, glibc, fallback);
	else
		printf("  %-10s make said no statistics line\n", v->name);
}

void bench_workload(size_t rounds, int quick)
{
	static const char *const pools[] = { "PRISTINE_POOL=1",
					     "PRISTINE_POOL=2",
					     "PRISTINE_POOL=4" };
	struct variant v[MAX_VARIANTS];
	char dir[] = "/tmp/pristine-bench-make.XXXXXX", mk[64], stats[64];
	char *argv[] = { "make", "-s", "-j2", "-f", mk, "all", NULL };
	double *wall = NULL, med[MAX_VARIANTS], cpu;
	size_t nv = 0, i, r, k, n = 0;
	int err;

	printf("\nworkload: make -j2, %d no-op targets (each a spawned "
	       "/bin/true), %zu interleaved runs per variant\n", TARGETS,
	       rounds);
	if (access(BENCH_SHIM_PATH, R_OK) < 0) {
		printf("  skipped: %s: %s\n", BENCH_SHIM_PATH, strerror(errno));
		return;
	}
	v[nv++] = (struct variant){ .name = "plain" };
	v[nv++] = (struct variant){ .name = "shim", .preload = BENCH_SHIM_PATH };
	for (i = quick ? 1 : 0; i < sizeof(pools) / sizeof(pools[0]); i++) {
		v[nv] = (struct variant){ .preload = BENCH_SHIM_PATH,
					  .pool = pools[i] };
		v[nv].name = pools[i] + strlen("PRISTINE_");
		nv++;
		if (quick)
			break;
	}
	if (!mkdtemp(dir)) {
		printf("  skipped: mkdtemp: %s\n", strerror(errno));
		return;
	}
	snprintf(mk, sizeof(mk), "%s/Makefile", dir);
	snprintf(stats, sizeof(stats), "%s/stats", dir);
	if ((err = write_makefile(mk))) {
		printf("  skipped: %s: %s\n", mk, strerror(err));
		goto out;
	}
	for (k = 0; k < nv; k++) {
		const char *extra[] = { v[k].pool, NULL };

		if (bench_env(v[k].envp, 8, v[k].buf, sizeof(v[k].buf),
			      v[k].preload, extra))
			goto out;
	}
	if (bench_run(argv, v[0].envp, &med[0], &cpu)) {
		printf("  skipped: make -j2 did not run\n");
		goto out;
	}
	for (k = 1; k < nv; k++)
		check_routes(&v[k], argv, dir);
	wall = calloc(rounds * nv, sizeof(*wall));
	if (!wall)
		goto out;
	for (r = 0; r < rounds; r++) {
		double w[MAX_VARIANTS];

		for (i = 0, err = 0; i < nv && !err; i++) {
			k = (i + r) % nv;
			err = bench_run(argv, v[k].envp, &w[k], &cpu);
		}
		if (err) {
			printf("  a run failed: %s\n", strerror(err));
			break;
		}
		for (k = 0; k < nv; k++)
			wall[k * rounds + n] = w[k];
		n++;
	}
	printf("  %-10s %12s %8s\n", "variant", "median ms", "ratio");
	for (k = 0; k < nv; k++) {
		med[k] = bench_median(wall + k * rounds, n);
		printf("  %-10s %12.1f %8.2f\n", v[k].name, med[k] / 1e3,
		       med[0] > 0 ? med[k] / med[0] : 0);
	}
	printf("  targets: shim <= 1.05, shim and a pool <= 1.00\n");
out:
	free(wall);
	unlink(stats);
	unlink(mk);
	rmdir(dir);
}
