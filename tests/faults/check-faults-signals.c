/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Signals and fork() around the library. A timer delivers a signal to the
 * caller every 100 microseconds, to a handler installed without
 * SA_RESTART, through every entry point; other threads fork() in a loop
 * meanwhile. Every spawn succeeds (nothing here is a reason to fail), no
 * EINTR comes out, and nothing hangs: the test case's timeout bounds it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include "faults.h"
#include "pristine.h"

#define ROUNDS 100

static volatile long ticks;

static void on_tick(int sig)
{
	(void)sig;
	ticks++;
}

static void start_ticking(void)
{
	struct sigaction sa = { .sa_handler = on_tick };	/* no restart */
	struct itimerval it = { { 0, 100 }, { 0, 100 } };

	ticks = 0;
	ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
	ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
}

static void stop_ticking(void)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &off, NULL);
}

/* One spawn of /bin/true by entry point k; 0 or the errno. */
static int spawn_one(int k, pristine_template_t *t)
{
	char *argv[] = { "true", NULL };
	pid_t pid = 0;
	int err = 0, pidfd = -1, h;

	switch (k) {
	case 0:
		err = pristine_spawn(&pid, "/bin/true", NULL, NULL, argv,
				     environ);
		break;
	case 1:
		err = pristine_spawnp(&pid, "true", NULL, NULL, argv, environ);
		break;
	case 2:
		err = pristine_pidfd_spawn(&pidfd, "/bin/true", NULL, NULL,
					   argv, environ);
		break;
	case 3:
		err = pristine_template_spawn(t, &pid, NULL, NULL, argv,
					      environ);
		break;
	default:
		if ((h = pristine_open(0)) < 0)
			return errno;
		if (pristine_config(h, PRISTINE_SET_PATH, "exec", "/bin/true",
				    AT_FDCWD) < 0) {
			err = errno;
			close(h);
			return err;
		}
		if ((pidfd = pristine_run(h, &pid)) < 0)
			return errno;
		break;
	}
	if (err)
		return err;
	if (pidfd >= 0) {
		siginfo_t si;

		while (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0)
			ck_assert_int_eq(errno, EINTR);
		close(pidfd);
		ck_assert_int_eq(si.si_status, 0);
	} else {
		ck_assert_int_eq(wait_status(pid), 0);
	}
	return 0;
}

static void spawn_rounds(void)
{
	pristine_template_t *t = pristine_template_create("/bin/true", -1, 2,
							  0);
	int i, err;

	ck_assert_ptr_nonnull(t);
	for (i = 0; i < ROUNDS; i++) {
		err = spawn_one(i % 5, t);
		ck_assert_msg(err == 0, "round %d (entry %d): %s (%s)", i,
			      i % 5, strerror(err), pristine_errmsg());
	}
	pristine_template_destroy(t);
}

/* The rounds while the timer ticks: without a pool, then with one, whose
 * members are made while the signals come. */
static void spawn_rounds_ticking(void)
{
	start_ticking();
	spawn_rounds();
	ck_assert_int_eq(pristine_pool_create(4, 0), 0);
	spawn_rounds();
	ck_assert_int_eq(pristine_pool_destroy(), 0);
	stop_ticking();
}

START_TEST(timer_signals)
{
	int fds = count_fds();

	spawn_rounds_ticking();
	printf("timer_signals: %ld signals during %d spawns\n", ticks,
	       2 * ROUNDS);
	ck_assert_int_gt(ticks, 2 * ROUNDS);
	ck_assert_int_eq(count_fds(), fds);
	ck_assert(!has_children());
}
END_TEST

static volatile int stop_forking;
static long forks;

static void *forker(void *arg)
{
	(void)arg;
	while (!stop_forking) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid > 0) {
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
			__atomic_add_fetch(&forks, 1, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

START_TEST(forking_threads)
{
	pthread_t t[3];
	int fds = count_fds(), i;

	forks = 0;
	stop_forking = 0;
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, forker, NULL), 0);
	spawn_rounds_ticking();
	stop_forking = 1;
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	printf("forking_threads: %ld forks, %ld signals during %d spawns\n",
	       forks, ticks, 2 * ROUNDS);
	ck_assert_int_gt(forks, 0);
	ck_assert_int_eq(count_fds(), fds);
	ck_assert(!has_children());
}
END_TEST

Suite *signals_suite(void)
{
	Suite *s = suite_create("signals");
	TCase *tc = testlib_tcase(s, "signals", 60);

	tcase_add_test(tc, timer_signals);
	tcase_add_test(tc, forking_threads);
	return s;
}
