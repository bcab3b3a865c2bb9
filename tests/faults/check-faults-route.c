/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The route rule where only the layout tells: the kernel chooses the mmap
 * base at exec from RLIMIT_STACK, so a program started under a stack limit
 * set by the "rlimit:STACK" key has its interpreter where execve() under
 * that limit puts it only if the kernel executes it. With address-space
 * randomization off (personality ADDR_NO_RANDOMIZE, inherited by the
 * loader's exec), the addresses are the kernel's every time, and the
 * default mode's program must have its ld.so mapped at the address a real
 * execve() gives. As root and as uid 65534.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "faults.h"
#include "pristine.h"

#define BIG_STACK (1ul << 30)

/* The start of the first ld-linux mapping in maps, or 0. */
static unsigned long ld_so_base(const char *maps)
{
	const char *p = strstr(maps, "ld-linux");

	while (p && p > maps && p[-1] != '\n')
		p--;
	return p ? strtoul(p, NULL, 16) : 0;
}

/* cat /proc/self/maps by a real execve() under the big stack limit. */
static char *by_execve(void)
{
	struct rlimit rl = { BIG_STACK, RLIM_INFINITY };
	int p[2];
	pid_t pid;
	char *out;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		getrlimit(RLIMIT_STACK, &rl);
		rl.rlim_cur = BIG_STACK;
		if (setrlimit(RLIMIT_STACK, &rl) < 0 || dup2(p[1], 1) < 0)
			_exit(90);
		execl("/bin/cat", "cat", "/proc/self/maps", (char *)NULL);
		_exit(91);
	}
	close(p[1]);
	out = slurp_fd(p[0]);
	close(p[0]);
	ck_assert_int_eq(wait_status(pid), 0);
	return out;
}

/* The same through pristine_open(), the limit set by key, in the default
 * mode. */
static char *by_key(int *route)
{
	struct rlimit rl;
	int p[2], h, pidfd;
	pid_t pid;
	char *out;

	getrlimit(RLIMIT_STACK, &rl);
	rl.rlim_cur = BIG_STACK;
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	h = pristine_open(0);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "exec",
					 "/bin/cat", AT_FDCWD), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "argv", "cat",
					 0), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "argv",
					 "/proc/self/maps", 0), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_FD, "fd:1", NULL,
					 p[1]), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_BINARY,
					 "rlimit:STACK", &rl, sizeof(rl)), 0);
	pidfd = pristine_run(h, &pid);
	ck_assert_msg(pidfd >= 0, "%s", pristine_errmsg());
	*route = pristine_last_route();
	close(pidfd);
	close(p[1]);
	out = slurp_fd(p[0]);
	close(p[0]);
	ck_assert_int_eq(wait_status(pid), 0);
	return out;
}

/* In a child: writes "execve-base key-base route\n" to out. */
static void compare_in_child(int out, int nobody)
{
	char line[128], *a, *b;
	int route;

	if (nobody && (setgroups(0, NULL) < 0 ||
		       setresgid(65534, 65534, 65534) < 0 ||
		       setresuid(65534, 65534, 65534) < 0))
		_exit(80);
	if (personality(ADDR_NO_RANDOMIZE) < 0)
		_exit(81);
	a = by_execve();
	b = by_key(&route);
	snprintf(line, sizeof(line), "%lx %lx %d\n", ld_so_base(a),
		 ld_so_base(b), route);
	if (write(out, line, strlen(line)) < 0)
		_exit(82);
	free(a);
	free(b);
	_exit(0);
}

static void stack_layout(int nobody)
{
	unsigned long want, got;
	int p[2], st, route;
	char *line;
	pid_t pid;

	if (nobody && geteuid() != 0) {
		skip_case("not root: already unprivileged (the other case)");
		return;
	}
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		compare_in_child(p[1], nobody);
	}
	close(p[1]);
	line = slurp_fd(p[0]);
	close(p[0]);
	st = wait_status(pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "the caller ended with status %#x", st);
	ck_assert_int_eq(sscanf(line, "%lx %lx %d", &want, &got, &route), 3);
	ck_assert_msg(want != 0, "no ld.so in cat's maps");
	ck_assert_msg(got == want, "ld.so at %#lx, where execve() under the "
		      "same stack limit maps it at %#lx (route %s)", got,
		      want, pristine_route_name(route));
	free(line);
}

START_TEST(stack_limit_key_as_root)
{
	stack_layout(0);
}
END_TEST

START_TEST(stack_limit_key_as_nobody)
{
	stack_layout(1);
}
END_TEST

Suite *route_suite(void)
{
	Suite *s = suite_create("route");
	TCase *tc = tcase_create("route");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, stack_limit_key_as_root);
	tcase_add_test(tc, stack_limit_key_as_nobody);
	suite_add_tcase(s, tc);
	return s;
}
