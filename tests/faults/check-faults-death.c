/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Death on either side. The caller killed while it configures: its empty
 * process sees EOF and exits at once, leaving nothing running. The empty
 * process killed before or during the run: the call fails with ESRCH,
 * never with SIGPIPE, and leaves no zombie. A reserve member killed while
 * it waits: the next spawn does not notice.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "faults.h"
#include "pristine.h"

static int pidfd_of(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	ck_assert_int_ge(fd, 0);
	return fd;
}

/* Runs in a child of the test: opens and configures a handle, says so on
 * fd 'ready', and waits to be killed. */
static void configure_and_wait(int ready, int pool)
{
	int h;

	if (pool && pristine_pool_create(2, 0) < 0)
		_exit(2);
	h = pristine_open(0);
	/* A full pool: no member is being made when the caller dies. */
	while (pool && children_named("pristine-loader", NULL, 0) < 3)
		usleep(10000);
	if (h < 0 ||
	    pristine_config(h, PRISTINE_SET_PATH, "exec", "/bin/true",
			    AT_FDCWD) < 0 ||
	    pristine_config(h, PRISTINE_SET_STRING, "argv", "true", 0) < 0 ||
	    pristine_config(h, PRISTINE_SET_FD, "fd:5", NULL, 2) < 0)
		_exit(3);
	if (write(ready, "", 1) != 1)
		_exit(4);
	for (;;)
		pause();
}

static void caller_dies(int pool)
{
	pid_t caller, loaders[8];
	int p[2], fds[8], n, i;
	char c;

	/* Orphans come to us, so that we can see them exit and reap them. */
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	caller = fork();
	ck_assert_int_ge(caller, 0);
	if (caller == 0)
		configure_and_wait(p[1], pool);
	close(p[1]);
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	close(p[0]);
	/* The caller's empty processes: its handle's, its pool's. */
	n = children_of(caller, "pristine-loader", loaders, 8);
	ck_assert_int_eq(n, pool ? 3 : 1);
	for (i = 0; i < n; i++)
		fds[i] = pidfd_of(loaders[i]);
	ck_assert_int_eq(kill(caller, SIGKILL), 0);
	wait_status(caller);
	/* Each exits within a second of its caller's death: EOF, exit. */
	for (i = 0; i < n; i++) {
		struct pollfd pfd = { .fd = fds[i], .events = POLLIN };
		siginfo_t si;

		ck_assert_msg(poll(&pfd, 1, 1000) == 1,
			      "empty process %d outlived its caller by 1 s",
			      (int)loaders[i]);
		ck_assert_int_eq(waitid(P_PIDFD, (id_t)fds[i], &si, WEXITED),
				 0);
		ck_assert_int_eq(si.si_code, CLD_EXITED);
		ck_assert_int_eq(si.si_status, 127);
		close(fds[i]);
	}
	ck_assert(!has_children());
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 0), 0);
}

START_TEST(caller_killed_while_configuring)
{
	caller_dies(0);
}
END_TEST

START_TEST(caller_with_a_pool_killed)
{
	caller_dies(1);
}
END_TEST

/* An open handle with exec and, if big, 4 MiB of environment: more than
 * the socket holds, so the library is still sending when it learns. */
static int configured_handle(int big)
{
	static char value[4096];
	int h = pristine_open(0), i;

	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "exec",
					 "/bin/true", AT_FDCWD), 0);
	memset(value, 'v', sizeof(value) - 1);
	value[0] = 'V';
	value[1] = '=';
	for (i = 0; big && i < 1024; i++)
		ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "env",
						 value, 0), 0);
	return h;
}

static void killed_before_run(int big)
{
	int fds = count_fds(), h, r;
	pid_t loader;

	count_sigpipe();
	h = configured_handle(big);
	loader = child_named("pristine-loader");
	ck_assert_int_eq(kill(loader, SIGKILL), 0);
	await_death(loader);
	/* Configuring is local: it goes on working. */
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "argv",
					 "true", 0), 0);
	r = pristine_run(h, NULL);
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_str_ne(pristine_errmsg(), "");
	ck_assert_int_eq(sigpipes, 0);
	ck_assert(!has_children());
	ck_assert_int_eq(count_fds(), fds);
}

START_TEST(empty_process_killed_before_run)
{
	killed_before_run(0);
}
END_TEST

START_TEST(empty_process_killed_while_sending)
{
	killed_before_run(1);
}
END_TEST

static void *kill_when_waiting(void *arg)
{
	pid_t fake = child_named("hang");

	(void)arg;
	await_syscall(fake, SYS_pause);
	kill(fake, SIGKILL);
	return NULL;
}

/* The call is blocked waiting for the answer when the process dies. */
START_TEST(empty_process_killed_during_run)
{
	char *argv[] = { "true", NULL };
	int fds, h, r, err;
	pthread_t t;
	pid_t pid;

	count_sigpipe();
	use_fake_loader("hang");
	fds = count_fds();
	h = configured_handle(0);
	pthread_create(&t, NULL, kill_when_waiting, NULL);
	r = pristine_run(h, NULL);
	err = errno;
	pthread_join(t, NULL);
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(err, ESRCH);
	ck_assert(!has_children());
	ck_assert_int_eq(count_fds(), fds);

	pthread_create(&t, NULL, kill_when_waiting, NULL);
	err = pristine_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
	pthread_join(t, NULL);
	ck_assert_int_eq(err, ESRCH);
	ck_assert_int_eq(sigpipes, 0);
	ck_assert(!has_children());
	ck_assert_int_eq(count_fds(), fds);
}
END_TEST

static void spawn_true(pristine_template_t *t)
{
	char *argv[] = { "true", NULL };
	pid_t pid;
	int err = t ? pristine_template_spawn(t, &pid, NULL, NULL, argv,
					      environ)
		    : pristine_spawn(&pid, "/bin/true", NULL, NULL, argv,
				     environ);

	ck_assert_msg(err == 0, "spawn: %s (%s)", strerror(err),
		      pristine_errmsg());
	ck_assert_int_eq(wait_status(pid), 0);
}

/* Kills every idle member; the spawns after it must not notice. */
static void members_killed(pristine_template_t *t)
{
	pid_t members[8];
	int n, i;

	for (i = 0; i < 500 && children_named("pristine-loader", NULL, 0) < 2;
	     i++)
		usleep(10000);
	n = children_named("pristine-loader", members, 8);
	ck_assert_int_ge(n, 2);
	for (i = 0; i < n; i++) {
		kill(members[i], SIGKILL);
		await_death(members[i]);
	}
	for (i = 0; i < 4; i++)
		spawn_true(t);
	/* The dead were reaped, not left as zombies. */
	for (i = 0; i < n; i++) {
		siginfo_t si;

		ck_assert_int_eq(waitid(P_PID, (id_t)members[i], &si,
					WEXITED | WNOHANG | WNOWAIT), -1);
		ck_assert_int_eq(errno, ECHILD);
	}
}

START_TEST(pool_member_killed)
{
	ck_assert_int_eq(pristine_pool_create(2, 0), 0);
	members_killed(NULL);
	ck_assert_int_eq(pristine_pool_destroy(), 0);
	ck_assert(!has_children());
}
END_TEST

START_TEST(template_member_killed)
{
	pristine_template_t *t = pristine_template_create("/bin/true", -1, 2,
							  0);

	ck_assert_ptr_nonnull(t);
	members_killed(t);
	pristine_template_destroy(t);
	ck_assert(!has_children());
}
END_TEST

Suite *death_suite(void)
{
	Suite *s = suite_create("death");
	TCase *tc = testlib_tcase(s, "death", 30);

	tcase_add_test(tc, caller_killed_while_configuring);
	tcase_add_test(tc, caller_with_a_pool_killed);
	tcase_add_test(tc, empty_process_killed_before_run);
	tcase_add_test(tc, empty_process_killed_while_sending);
	tcase_add_test(tc, empty_process_killed_during_run);
	tcase_add_test(tc, pool_member_killed);
	tcase_add_test(tc, template_member_killed);
	return s;
}
