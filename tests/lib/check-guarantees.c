/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* What the library promises its caller: it never forks, the child is the
 * caller's own, nothing stays behind, and it is thread-safe. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#ifdef HAVE_LIBSECCOMP
#include <seccomp.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pristine.h"
#include "lib-tests.h"

#ifdef HAVE_LIBSECCOMP
/* Kill on fork, vfork and clone without CLONE_VM; clone3 fails ENOSYS. */
static void forbid_fork(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS,
					  SCMP_SYS(fork), 0), 0);
	ck_assert_int_eq(seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS,
					  SCMP_SYS(vfork), 0), 0);
	ck_assert_int_eq(seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS,
					  SCMP_SYS(clone), 1,
					  SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_VM, 0)), 0);
	ck_assert_int_eq(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
					  SCMP_SYS(clone3), 0), 0);
	ck_assert_int_eq(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1), 0);
	ck_assert_int_eq(seccomp_load(ctx), 0);
	seccomp_release(ctx);
}
#endif

START_TEST(never_forks)
{
	char *argv[] = { "true", NULL };
	pid_t pid;
	int pidfd, h;

	if (under_valgrind()) {
		skip_case("valgrind emulates CLONE_VFORK with a fork, and "
			  "has no seccomp");
		return;
	}
#ifdef HAVE_LIBSECCOMP
	forbid_fork();
#else
	skip_case("its seccomp filter needs libseccomp, and this build has "
		  "none (configure --without-libseccomp)");
	return;
#endif
	ck_assert_int_eq(pristine_spawn(&pid, "/bin/true", NULL, NULL, argv, environ), 0);
	ck_assert_int_eq(wait_status(pid), 0);
	ck_assert_int_eq(pristine_spawnp(&pid, "true", NULL, NULL, argv, environ), 0);
	ck_assert_int_eq(wait_status(pid), 0);
	ck_assert_int_eq(pristine_pidfd_spawn(&pidfd, "/bin/true", NULL, NULL, argv, environ), 0);
	close(pidfd);
	ck_assert_int_eq(pristine_pidfd_spawnp(&pidfd, "true", NULL, NULL, argv, environ), 0);
	close(pidfd);
	h = pristine_open(0);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "exec", "/bin/true", AT_FDCWD), 0);
	pidfd = pristine_run(h, &pid);
	ck_assert_int_ge(pidfd, 0);
	close(pidfd);
	while (wait(NULL) > 0)
		;
	ck_assert_int_eq(errno, ECHILD);
}
END_TEST

static volatile sig_atomic_t sigchld_seen;

static void on_sigchld(int sig)
{
	(void)sig;
	sigchld_seen++;
}

START_TEST(real_child)
{
	char *argv[] = { "sh", "-c", "echo $PPID", NULL };
	char *sleeper[] = { "sleep", "30", NULL };
	char expect[32];
	struct sigaction sa = { .sa_handler = on_sigchld };
	pid_t pid;
	int st;
	char *out;

	sigaction(SIGCHLD, &sa, NULL);
	out = spawn_output(argv, &st);
	snprintf(expect, sizeof(expect), "%d\n", getpid());
	ck_assert_str_eq(out, expect);
	ck_assert_int_gt(sigchld_seen, 0);
	free(out);
	/* Stop, continue and kill reach the program. */
	ck_assert_int_eq(pristine_spawnp(&pid, "sleep", NULL, NULL, sleeper, environ), 0);
	ck_assert_int_eq(kill(pid, SIGSTOP), 0);
	ck_assert_int_eq(waitpid(pid, &st, WUNTRACED), pid);
	ck_assert(WIFSTOPPED(st));
	ck_assert_int_eq(kill(pid, SIGCONT), 0);
	ck_assert_int_eq(waitpid(pid, &st, WCONTINUED), pid);
	ck_assert(WIFCONTINUED(st));
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}
END_TEST

START_TEST(nothing_left_behind)
{
	char *argv[] = { "true", NULL };
	int fds = count_fds(), i, reaped = 0;
	pid_t pid;

	for (i = 0; i < 5; i++)
		ck_assert_int_eq(pristine_spawnp(&pid, "true", NULL, NULL, argv, environ), 0);
	ck_assert_int_eq(count_fds(), fds);
	while (wait(NULL) > 0)
		reaped++;
	ck_assert_int_eq(errno, ECHILD);
	ck_assert_int_eq(reaped, 5);
	ck_assert(!has_children());
}
END_TEST

static volatile int atfork_ran;

static void atfork_handler(void)
{
	atfork_ran = 1;
}

START_TEST(threads)
{
	int fds = count_fds();

	pthread_atfork(atfork_handler, atfork_handler, atfork_handler);
	ck_assert_int_eq(spawn_from_threads(8, 500, NULL), 0);
	ck_assert_int_eq(atfork_ran, 0);
	ck_assert_int_eq(count_fds(), fds);
	ck_assert(!has_children());
}
END_TEST

static volatile int stop_spawning;

static void *background(void *arg)
{
	char *argv[] = { "true", NULL };

	(void)arg;
	while (!stop_spawning) {
		pid_t pid;

		if (pristine_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) == 0)
			waitpid(pid, NULL, 0);
	}
	return NULL;
}

START_TEST(no_internal_fd_leaks)
{
	/* While other threads spawn, a child holds exactly the caller's
	 * inheritable descriptors: never a library socket. */
	char *argv[] = { "sleep", "30", NULL };
	unsigned char expect[1024], got[1024];
	pthread_t t[3];
	int fd, i;

	for (fd = 0; fd < 1024; fd++) {
		int fl = fcntl(fd, F_GETFD);

		expect[fd] = fl >= 0 && !(fl & FD_CLOEXEC);
	}
	for (i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, background, NULL);
	for (i = 0; i < 30; i++) {
		pid_t pid;

		ck_assert_int_eq(pristine_spawnp(&pid, "sleep", NULL, NULL,
						 argv, environ), 0);
		await_syscall(pid, SYS_clock_nanosleep);
		fds_of(pid, got, NULL, 0);
		kill(pid, SIGKILL);
		wait_status(pid);
		for (fd = 0; fd < 1024; fd++)
			ck_assert_msg(got[fd] == expect[fd],
				      "fd %d: child %d, caller %d", fd, got[fd],
				      expect[fd]);
	}
	stop_spawning = 1;
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
}
END_TEST

Suite *guarantees_suite(void)
{
	Suite *s = suite_create("guarantees");
	TCase *tc = testlib_tcase(s, "caller", 120);

	tcase_add_test(tc, never_forks);
	tcase_add_test(tc, real_child);
	tcase_add_test(tc, nothing_left_behind);
	tcase_add_test(tc, threads);
	tcase_add_test(tc, no_internal_fd_leaks);
	return s;
}
