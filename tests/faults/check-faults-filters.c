/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * A caller under a seccomp filter that kills one system call
 * (SECCOMP_RET_KILL_PROCESS), as a hardened service may be. glibc's
 * posix_spawn() spawns there; pristine must either spawn too, or fail
 * with a message that names the signal and the filter, and never get the
 * caller killed: pools and templates run a thread of their own, and
 * glibc's thread exit calls madvise() on the thread's stack.
 * Each case runs in a child of its own: a filter cannot be removed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "faults.h"
#include "pristine.h"

/* Installs a filter on the whole process that kills it at syscall nr. */
static void kill_at(int nr)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		    SECCOMP_FILTER_FLAG_TSYNC, &prog)) {
		perror("seccomp");
		_exit(3);
	}
}

/* glibc's posix_spawn() of /bin/true, waited for: 0 if it ran. */
static int glibc_true(void)
{
	char *argv[] = { "true", NULL };
	pid_t pid;
	int st;

	if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ))
		return -1;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/*
 * pristine_spawn() of /bin/true: 0 if it ran as glibc's does, 0 too if it
 * failed with a message naming SIGSYS and the filter, 1 otherwise.
 */
static int pristine_true(const char *what)
{
	char *argv[] = { "true", NULL };
	const char *msg;
	pid_t pid;
	int err, st;

	err = pristine_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
	if (!err) {
		waitpid(pid, &st, 0);
		fprintf(stderr, "%s: spawned, status %#x\n", what, st);
		return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
	}
	msg = pristine_errmsg();
	fprintf(stderr, "%s: %s (%s)\n", what, strerror(err), msg);
	return strstr(msg, "SIGSYS") && strstr(msg, "seccomp filter") ? 0 : 1;
}

/* Runs body in a child; fails the case unless it exited 0. */
static void in_child(void (*body)(void))
{
	pid_t pid = fork();
	int st;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		body();
		_exit(0);
	}
	st = wait_status(pid);
	ck_assert_msg(!WIFSIGNALED(st), "the caller was killed by signal %d",
		      WTERMSIG(st));
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "the caller exited with %d", WEXITSTATUS(st));
}

/* recvmsg: the empty process needs it for its request; the caller,
 * glibc's spawn and /bin/true never call it. */
static void kill_recvmsg(void)
{
	kill_at(SYS_recvmsg);
	if (glibc_true())
		_exit(4);
	if (pristine_true("recvmsg killed"))
		_exit(5);
}

START_TEST(killed_empty_process_is_named)
{
	in_child(kill_recvmsg);
}
END_TEST

/* madvise: glibc's thread exit frees the thread's stack with it. */
static void kill_madvise(void)
{
	pristine_template_t *t;
	int i;

	kill_at(SYS_madvise);
	if (glibc_true())
		_exit(4);
	if (pristine_pool_create(1, 0))
		_exit(6);
	/* A member, if it lives (the loader may call madvise() itself). */
	for (i = 0; i < 100 && !children_named(NULL, NULL, 0); i++)
		usleep(10000);
	if (pristine_true("pool, madvise killed"))
		_exit(5);
	if (pristine_pool_destroy())	/* joins the pool's thread */
		_exit(7);
	t = pristine_template_create("/bin/true", -1, 1, 0);
	if (t)
		pristine_template_destroy(t);
	else
		fprintf(stderr, "template: %s\n", pristine_errmsg());
	if (glibc_true())
		_exit(8);
}

START_TEST(reserve_threads_survive_the_filter)
{
	/* ASan's runtime calls madvise() itself (the shadow of a new
	 * thread's stack, a thread's exit, its allocator): the filter kills
	 * the caller in ASan's code, whatever the library does. */
#ifdef __SANITIZE_ADDRESS__
	skip_case("built with AddressSanitizer, whose runtime calls "
		  "madvise() itself");
	(void)kill_madvise;
#else
	in_child(kill_madvise);
#endif
}
END_TEST

Suite *filters_suite(void)
{
	Suite *s = suite_create("seccomp filters in the caller");
	TCase *tc = testlib_tcase(s, "filters", 30);

	tcase_add_test(tc, killed_empty_process_is_named);
	tcase_add_test(tc, reserve_threads_survive_the_filter);
	return s;
}
