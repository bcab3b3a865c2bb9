/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The run that does not wait, measured as an event loop sees it.
 *
 * In-call time: clock_gettime() around the calls the spawning thread
 * makes, per spawn: all of posix_spawn(); all of pristine_spawn(); and for
 * the asynchronous run pristine_open() plus pristine_config() (the
 * handle's setup), pristine_run_start(), both together, and, once poll()
 * says the handle is readable (not timed), pristine_run_finish(); and
 * both together again with "exec" configured by a descriptor the caller
 * opened once (what a loop that starts one program many times may do). Two
 * blocks: with a warm pool, and without one (a fresh empty process per
 * handle); each block interleaves its methods in a shuffled order per
 * round and has its own posix_spawn() for the ratios.
 *
 * Dispatch rate: n spawns started by one thread as fast as it can, at most
 * IN_FLIGHT at a time, completions reaped as they come: posix_spawn() with
 * waitpid(WNOHANG), against pristine_run_start() with an epoll of the
 * handles (pristine_run_finish() when one is readable) and of the pidfds
 * (waitid() when one is). Also the calling thread's CPU time per spawn.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "async.h"
#include "pristine.h"

#define POOL_SIZE 2	/* as the main table's pristine-pool */
#define GAP_US 1000	/* untimed idle time after every sample */
#define WARMUP 3
#define IN_FLIGHT 64

enum cellno {
	C_POSIX,	/* posix_spawn() */
	C_SYNC,		/* pristine_spawn() */
	C_SETUP,	/* pristine_open() + pristine_config() */
	C_START,	/* pristine_run_start() */
	C_CALLER,	/* both: the caller's time to dispatch a spawn */
	C_FINISH,	/* pristine_run_finish(), once readable */
	C_FD,		/* C_CALLER with "exec" by a descriptor opened once */
	C_COUNT
};

static const char *const cell_names[C_COUNT] = {
	"posix_spawn", "pristine_spawn", "async open+config", "async start",
	"async open+config+start", "async finish", "async exec-fd in-call",
};

struct result {
	const char *target, *source, *method, *measure;
	double value, p99, ratio;
};

static struct result *results;
static size_t n_results;

static double clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double now_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

static int add_result(const char *target, const char *source,
		      const char *method, const char *measure, double value,
		      double p99, double ratio)
{
	struct result *r = realloc(results, (n_results + 1) * sizeof(*r));

	if (!r)
		return ENOMEM;
	results = r;
	results[n_results++] = (struct result){ target, source, method,
						measure, value, p99, ratio };
	return 0;
}

/* The static target's stamps are not read here. */
static void drain(int fd)
{
	char buf[256];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static int exited_0(const siginfo_t *si)
{
	return si->si_code == CLD_EXITED && si->si_status == 0 ? 0 : ECHILD;
}

static int reap_pidfd(int pidfd)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	while (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0)
		if (errno != EINTR)
			return errno;
	close(pidfd);
	return exited_0(&si);
}

static int reap_pid(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : ECHILD;
}

/* The target opened once, for the cells that configure "exec" by it. */
static int image_fd = -1;

/* A handle configured for t: what a caller does before each run; "exec"
 * by path, or by image_fd if by_fd. */
static int handle_for(const struct target *t, int by_fd)
{
	char *const *s;
	int h = pristine_open(PRISTINE_CLOEXEC), err;

	if (h < 0)
		return -1;
	if (by_fd ? pristine_config(h, PRISTINE_SET_FD, "exec", NULL,
				    image_fd) < 0
		  : pristine_config(h, PRISTINE_SET_PATH, "exec", t->path,
				    AT_FDCWD) < 0)
		goto fail;
	for (s = t->argv; *s; s++)
		if (pristine_config(h, PRISTINE_SET_STRING, "argv", *s, 0) < 0)
			goto fail;
	for (s = t->envp; *s; s++)
		if (pristine_config(h, PRISTINE_SET_STRING, "env", *s, 0) < 0)
			goto fail;
	if (t->stamps && pristine_config(h, PRISTINE_SET_FD,
					 "fd:" BENCH_STAMP_FD_STR, NULL,
					 BENCH_STAMP_FD) < 0)
		goto fail;
	return h;
fail:
	err = errno;
	close(h);
	errno = err;
	return -1;
}

static int sample_posix(const struct target *t, double *us)
{
	double t0 = now_us();
	pid_t pid;
	int err = posix_spawn(&pid, t->path, NULL, NULL, t->argv, t->envp);

	us[C_POSIX] = now_us() - t0;
	return err ? err : reap_pid(pid);
}

static int sample_sync(const struct target *t, double *us)
{
	double t0 = now_us();
	pid_t pid;
	int err = pristine_spawn(&pid, t->path, NULL, NULL, t->argv, t->envp);

	us[C_SYNC] = now_us() - t0;
	if (err)
		return err;
	err = reap_pid(pid);
	/* The default mode's routes: a member's userspace route, or the
	 * kernel's for a fresh spawn (route fresh). */
	if (!err && pristine_last_route() != PRISTINE_ROUTE_LOADER &&
	    pristine_last_route() != PRISTINE_ROUTE_KERNEL_FRESH)
		err = ENOEXEC;
	return err;
}

/* The run must have taken the route the table's pristine methods take:
 * a silent fall back to the kernel must not pass for it. */
static int async_run(const struct target *t, double *us, int by_fd)
{
	struct pollfd p = { .events = POLLIN };
	double t0, t1, t2, t3, t4;
	int h, pidfd, err = 0;

	t0 = now_us();
	h = handle_for(t, by_fd);
	t1 = now_us();
	if (h < 0)
		return errno;
	pidfd = pristine_run_start(h, NULL);
	t2 = now_us();
	if (pidfd < 0)
		return errno;
	p.fd = h;
	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			return errno;
	t3 = now_us();
	if (pristine_run_finish(h) < 0)
		err = errno;
	t4 = now_us();
	if (!err && pristine_last_route() != PRISTINE_ROUTE_LOADER)
		err = ENOEXEC;
	if (!err)
		err = reap_pidfd(pidfd);
	if (by_fd) {
		us[C_FD] = t2 - t0;
		return err;
	}
	us[C_SETUP] = t1 - t0;
	us[C_START] = t2 - t1;
	us[C_CALLER] = t2 - t0;
	us[C_FINISH] = t4 - t3;
	return err;
}

static int sample_async(const struct target *t, double *us)
{
	return async_run(t, us, 0);
}

static int sample_async_fd(const struct target *t, double *us)
{
	return async_run(t, us, 1);
}

#define SAMPLES 4

/* A fixed-seed shuffle of the methods, new each round. */
static void shuffle(int *order)
{
	static uint64_t x = 0x2545f4914f6cdd1dull;
	int i, j, k;

	for (i = 0; i < SAMPLES; i++)
		order[i] = i;
	for (i = SAMPLES; i > 1; i--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = (int)(x % (uint64_t)i);
		k = order[i - 1];
		order[i - 1] = order[j];
		order[j] = k;
	}
}

/* One block of in-call cells for t: n rounds, pool or none. */
static int in_call(const struct target *t, const char *source, size_t n,
		   int stamp_rd)
{
	static int (*const sample[SAMPLES])(const struct target *,
					    double *) = {
		sample_posix, sample_sync, sample_async, sample_async_fd };
	struct series s[C_COUNT];
	struct cell c[C_COUNT];
	size_t r;
	int k, err = 0;

	for (k = 0; k < C_COUNT; k++) {
		s[k].n = 0;
		if (!(s[k].us = calloc(n, sizeof(double))))
			err = ENOMEM;
	}
	for (r = 0; r < WARMUP + n && !err; r++) {
		double us[C_COUNT];
		int order[SAMPLES], i;

		shuffle(order);
		for (i = 0; i < SAMPLES && !err; i++) {
			err = sample[order[i]](t, us);
			drain(stamp_rd);
			usleep(GAP_US);	/* the pool refills here */
		}
		for (k = 0; k < C_COUNT && r >= WARMUP && !err; k++)
			s[k].us[s[k].n++] = us[k];
	}
	for (k = 0; k < C_COUNT && !err; k++) {
		memset(&c[k], 0, sizeof(c[k]));
		cell_stats(&c[k], &s[k]);
		err = add_result(t->name, source, cell_names[k], "in_call_us",
				 c[k].median_us, c[k].p99_us,
				 c[k].median_us / c[C_POSIX].median_us);
	}
	for (k = 0; k < C_COUNT; k++)
		free(s[k].us);
	return err;
}

static int dispatch_posix(const struct target *t, size_t n, double *rate,
			  double *cpu)
{
	size_t started = 0, reaped = 0, flying = 0;
	double t0 = now_us(), c0 = clock_us(CLOCK_THREAD_CPUTIME_ID);
	int st, err;
	pid_t pid;

	while (reaped < n) {
		if (started < n && flying < IN_FLIGHT) {
			if ((err = posix_spawn(&pid, t->path, NULL, NULL,
					       t->argv, t->envp)))
				return err;
			started++;
			flying++;
		}
		/* Blocks only when no more may start. */
		pid = waitpid(-1, &st, started < n && flying < IN_FLIGHT
					       ? WNOHANG : 0);
		if (pid < 0 && errno != EINTR)
			return errno;
		if (pid <= 0)
			continue;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			return ECHILD;
		reaped++;
		flying--;
	}
	*cpu = (clock_us(CLOCK_THREAD_CPUTIME_ID) - c0) / (double)n;
	*rate = (double)n * 1e6 / (now_us() - t0);
	return 0;
}

/* epoll data: the slot, and whether it is the handle or the pidfd. */
#define IS_PIDFD (1ull << 32)

static int dispatch_async(const struct target *t, size_t n, double *rate,
			  double *cpu)
{
	struct epoll_event ev[IN_FLIGHT * 2];
	int handle[IN_FLIGHT], pidfd[IN_FLIGHT], free_slot[IN_FLIGHT];
	int left[IN_FLIGHT];	/* 2: both fds open, 1: one, 0: slot free */
	size_t started = 0, reaped = 0;
	double t0, c0;
	int ep, nfree = IN_FLIGHT, i, k, err = 0;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return errno;
	for (i = 0; i < IN_FLIGHT; i++) {
		free_slot[i] = IN_FLIGHT - 1 - i;
		left[i] = 0;
	}
	t0 = now_us();
	c0 = clock_us(CLOCK_THREAD_CPUTIME_ID);
	while (reaped < n && !err) {
		if (started < n && nfree) {
			struct epoll_event e = { .events = EPOLLIN };
			int slot = free_slot[--nfree];

			if ((handle[slot] = handle_for(t, 0)) < 0 ||
			    (pidfd[slot] = pristine_run_start(handle[slot],
							      NULL)) < 0) {
				err = errno;
				break;
			}
			e.data.u64 = (uint64_t)slot;
			epoll_ctl(ep, EPOLL_CTL_ADD, handle[slot], &e);
			e.data.u64 = (uint64_t)slot | IS_PIDFD;
			epoll_ctl(ep, EPOLL_CTL_ADD, pidfd[slot], &e);
			left[slot] = 2;
			started++;
		}
		k = epoll_wait(ep, ev, IN_FLIGHT * 2,
			       started < n && nfree ? 0 : -1);
		if (k < 0 && errno != EINTR)
			err = errno;
		for (i = 0; i < k && !err; i++) {
			int slot = (int)(ev[i].data.u64 & 0xffffffff);

			if (ev[i].data.u64 & IS_PIDFD) {
				epoll_ctl(ep, EPOLL_CTL_DEL, pidfd[slot], NULL);
				err = reap_pidfd(pidfd[slot]);
				reaped++;
			} else {
				epoll_ctl(ep, EPOLL_CTL_DEL, handle[slot],
					  NULL);
				if (pristine_run_finish(handle[slot]) < 0)
					err = errno;
			}
			if (--left[slot] == 0)
				free_slot[nfree++] = slot;
		}
	}
	*cpu = (clock_us(CLOCK_THREAD_CPUTIME_ID) - c0) / (double)n;
	*rate = (double)n * 1e6 / (now_us() - t0);
	close(ep);
	return err;
}

static int pool_up(void)
{
	if (pristine_pool_create(POOL_SIZE, 0) < 0)
		return errno;
	usleep(100000);		/* a full pool to start */
	return 0;
}

static int dispatch(const struct target *t, size_t n, int stamp_rd)
{
	static const char *const name[3] = { "posix_spawn", "async",
					     "async" };
	static const char *const source[3] = { "-", "fresh", "pool" };
	double rate[3], cpu[3];
	int i, err = 0;

	for (i = 0; i < 3 && !err; i++) {
		if (i == 2 && (err = pool_up()))
			break;
		err = i ? dispatch_async(t, n, &rate[i], &cpu[i])
			: dispatch_posix(t, n, &rate[i], &cpu[i]);
		drain(stamp_rd);
		if (i == 2)
			pristine_pool_destroy();
	}
	for (i = 0; i < 3 && !err; i++) {
		err = add_result(t->name, source[i], name[i], "dispatch_per_s",
				 rate[i], 0, rate[i] / rate[0]);
		if (!err)
			err = add_result(t->name, source[i], name[i],
					 "dispatch_cpu_us", cpu[i], 0,
					 cpu[i] / cpu[0]);
	}
	return err;
}

static void print(size_t n)
{
	size_t i;

	printf("\nasync: time inside the calls per spawn (median and p99 us "
	       "of %zu rounds; ratio: median / posix_spawn's median, same "
	       "block), small parent, unpinned; pool: %d members, warm\n", n,
	       POOL_SIZE);
	printf("  %-7s %-6s %-24s %10s %10s %6s\n", "target", "block", "call",
	       "median us", "p99 us", "ratio");
	for (i = 0; i < n_results; i++)
		if (!strcmp(results[i].measure, "in_call_us"))
			printf("  %-7s %-6s %-24s %10.1f %10.1f %6.2f\n",
			       results[i].target, results[i].source,
			       results[i].method, results[i].value,
			       results[i].p99, results[i].ratio);
	printf("\nasync: dispatch, %zu spawns by one thread, at most %d in "
	       "flight, reaped as they end (posix_spawn: waitpid(WNOHANG); "
	       "async: epoll of handles and pidfds)\n", n, IN_FLIGHT);
	printf("  %-7s %-12s %-6s %10s %6s %16s %6s\n", "target", "method",
	       "source", "spawns/s", "ratio", "caller CPU us/sp", "ratio");
	for (i = 0; i < n_results; i++)
		if (!strcmp(results[i].measure, "dispatch_per_s"))
			printf("  %-7s %-12s %-6s %10.0f %6.2f %16.1f %6.2f\n",
			       results[i].target, results[i].method,
			       results[i].source, results[i].value,
			       results[i].ratio, results[i + 1].value,
			       results[i + 1].ratio);
}

static int write_csv_file(const char *path)
{
	FILE *f = fopen(path, "w");
	size_t i;

	if (!f)
		return errno;
	fprintf(f, "measure,target,source,method,value,p99,ratio\n");
	for (i = 0; i < n_results; i++)
		fprintf(f, "%s,%s,%s,%s,%.3f,%.3f,%.4f\n",
			results[i].measure, results[i].target,
			results[i].source, results[i].method, results[i].value,
			results[i].p99, results[i].ratio);
	return fclose(f) ? errno : 0;
}

int async_bench(size_t n, const struct target *tg, size_t n_tg, int stamp_rd,
		const char *csv)
{
	size_t i;
	int err = 0;

	for (i = 0; i < n_tg && !err; i++) {
		if ((image_fd = open(tg[i].path, O_RDONLY | O_CLOEXEC)) < 0) {
			err = errno;
			break;
		}
		fprintf(stderr, "async: %s, no pool ... ", tg[i].name);
		err = in_call(&tg[i], "fresh", n, stamp_rd);
		if (!err && !(err = pool_up())) {
			fprintf(stderr, "pool ... ");
			err = in_call(&tg[i], "pool", n, stamp_rd);
			pristine_pool_destroy();
		}
		if (!err) {
			fprintf(stderr, "dispatch\n");
			err = dispatch(&tg[i], n, stamp_rd);
		}
		close(image_fd);
	}
	if (!err) {
		print(n);
		if (csv)
			err = write_csv_file(csv);
	}
	free(results);
	results = NULL;
	n_results = 0;
	return err;
}
