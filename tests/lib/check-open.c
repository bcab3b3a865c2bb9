/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* The empty-process API: pristine_open(), pristine_config(), pristine_run(). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pristine.h"
#include "lib-tests.h"

/* Runs argv (NULL-terminated) in an empty process with stdout on a pipe
 * plus extra configuration from cfg(); returns the output. */
static char *run_capture(const char *path, const char *const *argv,
			 void (*cfg)(int h), int *status)
{
	int h = pristine_open(0), p[2], pidfd;
	pid_t pid = -1;
	char *out;

	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "exec", path,
					 AT_FDCWD), 0);
	for (; *argv; argv++)
		ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "argv",
						 *argv, 0), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_FD, "fd:1", NULL,
					 p[1]), 0);
	if (cfg)
		cfg(h);
	pidfd = pristine_run(h, &pid);
	close(p[1]);
	ck_assert_msg(pidfd >= 0, "run: %s (%s)", strerror(errno),
		      pristine_errmsg());
	ck_assert_int_gt(pid, 0);
	ck_assert_int_ne(fcntl(pidfd, F_GETFD) & FD_CLOEXEC, 0);
	out = slurp_fd(p[0]);
	close(p[0]);
	*status = wait_status(pid);
	close(pidfd);
	return out;
}

START_TEST(run_echo)
{
	const char *argv[] = { "echo", "hello", "world", NULL };
	int st;
	char *out = run_capture("/bin/echo", argv, NULL, &st);

	ck_assert_str_eq(out, "hello world\n");
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	free(out);
}
END_TEST

START_TEST(starts_with_nothing)
{
	/* No descriptors but the configured one, an empty environment, no
	 * signal blocked or ignored: whatever the caller has. (The shell's
	 * glob reads /proc/self/fd through the lowest free fd, 0.) */
	const char *argv[] = { "sh", "-c",
		"cd /proc/self/fd && echo fds: *; unset PWD OLDPWD; env", NULL };
	const char *grep[] = { "grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status",
			       NULL };
	sigset_t block;
	int st, extra = open("/dev/null", O_RDONLY);	/* not close-on-exec */
	char *out;

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	signal(SIGTERM, SIG_IGN);
	out = run_capture("/bin/sh", argv, NULL, &st);
	ck_assert_str_eq(out, "fds: 0 1\n");
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	free(out);
	out = run_capture("/bin/grep", grep, NULL, &st);
	ck_assert_str_eq(out, "SigBlk:\t0000000000000000\n"
			      "SigIgn:\t0000000000000000\n");
	close(extra);
	free(out);
}
END_TEST

static void cfg_env_ignore(int h)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "env",
					 "GREETING=hi", 0), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_BINARY, "sigignore",
					 &s, sizeof(s)), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_BINARY, "sigmask",
					 &s, sizeof(s)), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "cwd", "/tmp",
					 AT_FDCWD), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_INT, "umask", NULL,
					 027), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "name",
					 "renamed", 0), 0);
}

START_TEST(configured_state)
{
	const char *env[] = { "env", NULL };
	const char *sh[] = { "sh", "-c", "pwd; umask", NULL };
	const char *grep[] = { "grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status",
			       NULL };
	int st;
	char *out = run_capture("/usr/bin/env", env, cfg_env_ignore, &st);

	ck_assert_str_eq(out, "GREETING=hi\n");
	free(out);
	out = run_capture("/bin/sh", sh, cfg_env_ignore, &st);
	ck_assert_str_eq(out, "/tmp\n0027\n");
	free(out);
	out = run_capture("/bin/grep", grep, cfg_env_ignore, &st);
	ck_assert_str_eq(out, "SigBlk:\t0000000000004000\n"
			      "SigIgn:\t0000000000004000\n");
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	free(out);
}
END_TEST

START_TEST(name_is_comm)
{
	const char *argv[] = { "cat", "/proc/self/comm", NULL };
	int st;
	char *out = run_capture("/bin/cat", argv, cfg_env_ignore, &st);

	ck_assert_str_eq(out, "renamed\n");
	free(out);
}
END_TEST

START_TEST(config_errors)
{
	int fds = count_fds(), h = pristine_open(0);
	sigset_t s;

	ck_assert_int_ge(h, 0);
	sigemptyset(&s);
	errno = 0;
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "no-such-key",
					 "x", 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(strstr(pristine_errmsg(), "no-such-key"));
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_INT, "argv", NULL, 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_FD, "fd:3", NULL, 999), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_FD, "fd:x", NULL, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "exec",
					 "/nonexistent/file", AT_FDCWD), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_BINARY, "sigmask", &s, 3), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_BINARY, "rlimit:BOGUS",
					 &s, sizeof(struct rlimit)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_INT, "umask", NULL, 01000), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(pristine_config(-1, PRISTINE_SET_FLAG, "setsid", NULL, 0), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(pristine_open(0x100), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* Running without an image fails and consumes the handle. */
	ck_assert_int_eq(pristine_run(h, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(count_fds(), fds);
	ck_assert(!has_children());
}
END_TEST

START_TEST(run_failure_names_step)
{
	char path[] = "/tmp/pristine-noexec-XXXXXX";
	int fd = mkstemp(path), h, fds;
	pid_t pid = 12345;

	ck_assert_int_ge(fd, 0);
	close(fd);
	fds = count_fds();
	h = pristine_open(0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "cwd",
					 "/nonexistent-dir", AT_FDCWD), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "env", "A=1", 0), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_INT, "pgroup", NULL,
					 1), 0);	/* pid 1's group: EPERM */
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "exec", path,
					 AT_FDCWD), 0);
	ck_assert_int_eq(pristine_run(h, &pid), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(pid, 12345);
	ck_assert_msg(strstr(pristine_errmsg(), "pgroup") != NULL, "%s",
		      pristine_errmsg());
	ck_assert_int_eq(count_fds(), fds);	/* the handle is gone */
	ck_assert(!has_children());
	unlink(path);
}
END_TEST

START_TEST(run_not_executable)
{
	int h = pristine_open(0);
	char path[] = "/tmp/pristine-noexec-XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "\177ELF", 4), 4);
	close(fd);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "exec", path,
					 AT_FDCWD), 0);
	ck_assert_int_eq(pristine_run(h, NULL), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert(!has_children());
	unlink(path);
}
END_TEST

START_TEST(abandoned_handle_is_reaped)
{
	int h = pristine_open(0), h2;

	ck_assert_int_ge(h, 0);
	ck_assert(has_children());
	close(h);
	/* The next call notices and reaps it. */
	h2 = pristine_open(0);
	ck_assert_int_ge(h2, 0);
	close(h2);
	ck_assert_int_eq(pristine_config(h2, PRISTINE_SET_FLAG, "setsid",
					 NULL, 0), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert(!has_children());
}
END_TEST

START_TEST(kernel_mode_route)
{
	const char *argv[] = { "echo", "k", NULL };
	int st;
	char *out;
	int h = pristine_open(PRISTINE_CLOEXEC), p[2];
	pid_t pid;
	int pidfd;

	ck_assert_int_eq(pipe(p), 0);
	pristine_config(h, PRISTINE_SET_PATH, "exec", "/bin/echo", AT_FDCWD);
	pristine_config(h, PRISTINE_SET_STRING, "argv", argv[0], 0);
	pristine_config(h, PRISTINE_SET_STRING, "argv", argv[1], 0);
	pristine_config(h, PRISTINE_SET_FD, "fd:1", NULL, p[1]);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "mode",
					 "kernel", 0), 0);
	pidfd = pristine_run(h, &pid);
	ck_assert_int_ge(pidfd, 0);
	ck_assert_int_eq(pristine_last_route(), PRISTINE_ROUTE_KERNEL_ASKED);
	close(p[1]);
	out = slurp_fd(p[0]);
	ck_assert_str_eq(out, "k\n");
	st = wait_status(pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(pidfd);
	close(p[0]);
	free(out);
}
END_TEST

Suite *open_suite(void)
{
	Suite *s = suite_create("empty-process API");
	TCase *tc = testlib_tcase(s, "open-config-run", 30);

	tcase_add_test(tc, run_echo);
	tcase_add_test(tc, starts_with_nothing);
	tcase_add_test(tc, configured_state);
	tcase_add_test(tc, name_is_comm);
	tcase_add_test(tc, config_errors);
	tcase_add_test(tc, run_failure_names_step);
	tcase_add_test(tc, run_not_executable);
	tcase_add_test(tc, abandoned_handle_is_reaped);
	tcase_add_test(tc, kernel_mode_route);
	return s;
}
