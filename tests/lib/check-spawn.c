/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* The posix_spawn layer: glibc 2.36 semantics. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pristine.h"
#include "lib-tests.h"

START_TEST(spawnp_echo)
{
	char *argv[] = { "echo", "spawned", NULL };
	int st;
	char *out = spawn_output(argv, &st);

	ck_assert_str_eq(out, "spawned\n");
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* A fresh spawn in the default mode: the kernel's (faster there). */
	ck_assert_int_eq(pristine_last_route(), PRISTINE_ROUTE_KERNEL_FRESH);
	free(out);
}
END_TEST

START_TEST(exit_status)
{
	char *argv[] = { "sh", "-c", "exit 42", NULL };
	int st;
	char *out = spawn_output(argv, &st);

	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 42);
	free(out);
}
END_TEST

START_TEST(exec_errors)
{
	char *argv[] = { "x", NULL };
	char path[] = "/tmp/pristine-spawn-XXXXXX";
	pid_t pid = 4242;
	int fd = mkstemp(path), fds;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "garbage, not a program\n", 23), 23);
	close(fd);
	fds = count_fds();
	ck_assert_int_eq(pristine_spawn(&pid, "/nonexistent", NULL, NULL, argv,
					environ), ENOENT);
	ck_assert_int_eq(pristine_spawnp(&pid, "no-such-command-anywhere",
					 NULL, NULL, argv, environ), ENOENT);
	ck_assert_int_eq(pristine_spawn(&pid, path, NULL, NULL, argv, environ),
			 EACCES);
	chmod(path, 0755);
	/* No /bin/sh fallback for ENOEXEC, as glibc 2.36. */
	ck_assert_int_eq(pristine_spawn(&pid, path, NULL, NULL, argv, environ),
			 ENOEXEC);
	ck_assert_int_eq(pristine_spawnp(&pid, path, NULL, NULL, argv, environ),
			 ENOEXEC);
	ck_assert_int_eq(pristine_spawn(&pid, "/tmp", NULL, NULL, argv, environ),
			 EACCES);
	ck_assert_int_eq(pid, 4242);
	ck_assert_int_eq(count_fds(), fds);
	ck_assert(!has_children());
	unlink(path);
}
END_TEST

START_TEST(inherits_fds)
{
	char *argv[] = { "sh", "-c",
		"test -e /proc/self/fd/9 && echo 9; test -e /proc/self/fd/10 && echo 10;"
		"test -e /proc/self/fd/11 && echo 11", NULL };
	pristine_spawn_file_actions_t fa;
	int p[2], st, err;
	pid_t pid;
	char *out;

	ck_assert_int_eq(dup2(open("/dev/null", O_RDONLY), 9), 9);
	ck_assert_int_eq(dup3(9, 10, O_CLOEXEC), 10);
	ck_assert_int_eq(dup3(9, 11, O_CLOEXEC), 11);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pristine_spawn_file_actions_init(&fa);
	pristine_spawn_file_actions_adddup2(&fa, p[1], 1);
	pristine_spawn_file_actions_adddup2(&fa, 11, 11);	/* clears CLOEXEC */
	err = pristine_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
	ck_assert_int_eq(err, 0);
	close(p[1]);
	out = slurp_fd(p[0]);
	ck_assert_str_eq(out, "9\n11\n");
	st = wait_status(pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pristine_spawn_file_actions_destroy(&fa);
	free(out);
}
END_TEST

START_TEST(file_actions_in_order)
{
	char *argv[] = { "sh", "-c", "pwd; echo out", NULL };
	char dir[] = "/tmp/pristine-fa-XXXXXX", file[64];
	pristine_spawn_file_actions_t fa;
	int st, fd;
	pid_t pid;
	char *out;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	pristine_spawn_file_actions_init(&fa);
	pristine_spawn_file_actions_addchdir(&fa, dir);
	/* Relative paths are resolved after the chdir. */
	pristine_spawn_file_actions_addopen(&fa, 1, "log", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	pristine_spawn_file_actions_adddup2(&fa, 1, 2);
	pristine_spawn_file_actions_addclose(&fa, 0);
	ck_assert_int_eq(pristine_spawn(&pid, "/bin/sh", &fa, NULL, argv,
					environ), 0);
	st = wait_status(pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	snprintf(file, sizeof(file), "%s/log", dir);
	fd = open(file, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	out = slurp_fd(fd);
	close(fd);
	ck_assert_str_ne(out, "");
	ck_assert_int_eq(strncmp(out, dir, strlen(dir)), 0);
	ck_assert_str_eq(out + strlen(dir), "\nout\n");
	/* A failing file action fails the spawn with its errno. */
	pristine_spawn_file_actions_addopen(&fa, 5, "/nonexistent/x", O_RDONLY, 0);
	ck_assert_int_eq(pristine_spawn(&pid, "/bin/sh", &fa, NULL, argv,
					environ), ENOENT);
	ck_assert(!has_children());
	pristine_spawn_file_actions_destroy(&fa);
	unlink(file);
	rmdir(dir);
	free(out);
}
END_TEST

START_TEST(relative_exec_after_chdir)
{
	char *argv[] = { "true", NULL };
	pristine_spawn_file_actions_t fa;
	pid_t pid;
	int st;

	pristine_spawn_file_actions_init(&fa);
	pristine_spawn_file_actions_addchdir(&fa, "/bin");
	ck_assert_int_eq(pristine_spawn(&pid, "./true", &fa, NULL, argv,
					environ), 0);
	st = wait_status(pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pristine_spawn_file_actions_destroy(&fa);
}
END_TEST

/* Runs argv with glibc's posix_spawnp and with pristine_spawnp, both with
 * stdout on a pipe and attributes at (may be NULL), and checks that the
 * outputs are the same. */
static void same_as_glibc(char *const argv[], const pristine_spawnattr_t *pat,
			  const posix_spawnattr_t *gat)
{
	pristine_spawn_file_actions_t pfa;
	posix_spawn_file_actions_t gfa;
	char *out[2];
	int p[2], k;
	pid_t pid;

	for (k = 0; k < 2; k++) {
		ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
		if (k == 0) {
			posix_spawn_file_actions_init(&gfa);
			posix_spawn_file_actions_adddup2(&gfa, p[1], 1);
			ck_assert_int_eq(posix_spawnp(&pid, argv[0], &gfa, gat,
						      argv, environ), 0);
			posix_spawn_file_actions_destroy(&gfa);
		} else {
			pristine_spawn_file_actions_init(&pfa);
			pristine_spawn_file_actions_adddup2(&pfa, p[1], 1);
			ck_assert_int_eq(pristine_spawnp(&pid, argv[0], &pfa, pat,
							 argv, environ), 0);
			pristine_spawn_file_actions_destroy(&pfa);
		}
		close(p[1]);
		out[k] = slurp_fd(p[0]);
		close(p[0]);
		wait_status(pid);
	}
	ck_assert_str_eq(out[1], out[0]);
	free(out[0]);
	free(out[1]);
}

START_TEST(signals_as_glibc)
{
	char *argv[] = { "grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status", NULL };
	pristine_spawnattr_t at;
	posix_spawnattr_t gat;
	sigset_t mask, def;

	/* Blocked and ignored signals of the caller pass to the child. */
	signal(SIGUSR2, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	same_as_glibc(argv, NULL, NULL);
	/* SETSIGMASK and SETSIGDEF replace them. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigemptyset(&def);
	sigaddset(&def, SIGTERM);
	pristine_spawnattr_init(&at);
	pristine_spawnattr_setsigmask(&at, &mask);
	pristine_spawnattr_setsigdefault(&at, &def);
	pristine_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_init(&gat);
	posix_spawnattr_setsigmask(&gat, &mask);
	posix_spawnattr_setsigdefault(&gat, &def);
	posix_spawnattr_setflags(&gat, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	same_as_glibc(argv, &at, &gat);
	posix_spawnattr_destroy(&gat);
}
END_TEST

START_TEST(pgroup_and_session)
{
	char *argv[] = { "sh", "-c", "read x", NULL };
	pristine_spawn_file_actions_t fa;
	pristine_spawnattr_t at;
	int p[2];
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pristine_spawn_file_actions_init(&fa);
	pristine_spawn_file_actions_adddup2(&fa, p[0], 0);
	pristine_spawnattr_init(&at);
	pristine_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	pristine_spawnattr_setpgroup(&at, 0);
	ck_assert_int_eq(pristine_spawn(&pid, "/bin/sh", &fa, &at, argv, environ), 0);
	ck_assert_int_eq(getpgid(pid), pid);
	ck_assert_int_eq(getsid(pid), getsid(0));
	close(p[1]);
	wait_status(pid);
	close(p[0]);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pristine_spawn_file_actions_destroy(&fa);
	pristine_spawn_file_actions_init(&fa);
	pristine_spawn_file_actions_adddup2(&fa, p[0], 0);
	pristine_spawnattr_setflags(&at, POSIX_SPAWN_SETSID);
	ck_assert_int_eq(pristine_spawn(&pid, "/bin/sh", &fa, &at, argv, environ), 0);
	ck_assert_int_eq(getsid(pid), pid);
	close(p[1]);
	wait_status(pid);
	close(p[0]);
	pristine_spawn_file_actions_destroy(&fa);
	ck_assert_int_eq(pristine_spawnattr_setflags(&at, 0x4000), EINVAL);
}
END_TEST

START_TEST(path_search)
{
	char *argv[] = { "t", NULL };
	char dir[] = "/tmp/pristine-path-XXXXXX", file[80], cwd[4096];
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	pid_t pid;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/prog", dir);
	fd = open(file, O_WRONLY | O_CREAT, 0644);	/* not executable */
	close(fd);
	/* EACCES only if nothing else is found. */
	setenv("PATH", dir, 1);
	ck_assert_int_eq(pristine_spawnp(&pid, "prog", NULL, NULL, argv, environ), EACCES);
	/* An empty PATH element is the current directory. */
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(chdir("/bin"), 0);
	setenv("PATH", ":/nonexistent", 1);
	ck_assert_int_eq(pristine_spawnp(&pid, "true", NULL, NULL, argv, environ), 0);
	ck_assert_int_eq(wait_status(pid), 0);
	ck_assert_int_eq(chdir(cwd), 0);
	/* Without PATH, the default /bin:/usr/bin. */
	unsetenv("PATH");
	ck_assert_int_eq(pristine_spawnp(&pid, "true", NULL, NULL, argv, environ), 0);
	ck_assert_int_eq(wait_status(pid), 0);
	if (old)
		setenv("PATH", old, 1);
	unlink(file);
	rmdir(dir);
	free(old);
}
END_TEST

#ifndef GLIBC_NAMES	/* glibc 2.36 has no pidfd_spawn */
START_TEST(pidfd_spawn)
{
	char *argv[] = { "false", NULL };
	siginfo_t si;
	int pidfd = -1;

	ck_assert_int_eq(pristine_pidfd_spawnp(&pidfd, "false", NULL, NULL,
					       argv, environ), 0);
	ck_assert_int_ge(pidfd, 0);
	ck_assert_int_eq(waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED), 0);
	ck_assert_int_eq(si.si_code, CLD_EXITED);
	ck_assert_int_eq(si.si_status, 1);
	close(pidfd);
}
END_TEST
#endif

/*
 * Near RLIMIT_NOFILE. glibc's posix_spawn() needs no descriptor of the
 * caller's; pristine's empty process needs three (a socket pair and a
 * pidfd) and one per close-on-exec source of a file action. With fewer
 * free, the spawn must still do what glibc's does (glibc's own
 * posix/tst-spawn3.c fills the table so). The table is filled to leave
 * 0, 1 and 2 slots free; each spawn is compared with glibc's in the same
 * state (in the glibc-names build, the rounds of preload-posix.sh compare
 * glibc alone with the shim).
 */
#define NOFILE 64

struct table {
	struct rlimit old;
	int fillers[NOFILE], n;
};

static void leave_free(struct table *t, int slots)
{
	struct rlimit rl;
	int fd;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &t->old), 0);
	rl = t->old;
	rl.rlim_cur = NOFILE;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	t->n = 0;
	while ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		t->fillers[t->n++] = fd;
	ck_assert_int_eq(errno, EMFILE);
	while (slots-- > 0)
		close(t->fillers[--t->n]);
}

static void restore_table(struct table *t)
{
	while (t->n > 0)
		close(t->fillers[--t->n]);
	setrlimit(RLIMIT_NOFILE, &t->old);
}

/* argv[0] (a path) with its stdout on a close-on-exec pipe made before
 * the table was filled (an adddup2 whose source is close-on-exec), by
 * spawn; its output, or NULL with *err. */
static char *near_limit_run(int by_glibc, char *const argv[], int p[2],
			    int *err)
{
	pristine_spawn_file_actions_t fa;
	pid_t pid;
	char *out;
	int st;

	if (by_glibc) {
#ifndef GLIBC_NAMES
		posix_spawn_file_actions_t g;

		posix_spawn_file_actions_init(&g);
		posix_spawn_file_actions_adddup2(&g, p[1], 1);
		*err = posix_spawn(&pid, argv[0], &g, NULL, argv, environ);
		posix_spawn_file_actions_destroy(&g);
#endif
	} else {
		pristine_spawn_file_actions_init(&fa);
		pristine_spawn_file_actions_adddup2(&fa, p[1], 1);
		*err = pristine_spawn(&pid, argv[0], &fa, NULL, argv, environ);
		pristine_spawn_file_actions_destroy(&fa);
	}
	if (*err)
		return NULL;
	st = wait_status(pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	/* The pipe outlives the program: an end mark after its output. */
	ck_assert_int_eq(write(p[1], "|\n", 2), 2);
	out = malloc(256);
	ck_assert_ptr_nonnull(out);
	{
		size_t have = 0;
		ssize_t n;

		while (!memchr(out, '|', have) &&
		       (n = read(p[0], out + have, 255 - have)) > 0)
			have += (size_t)n;
		out[have] = 0;
	}
	return out;
}

static void near_limit(int slots)
{
	char *echo[] = { "/bin/echo", "near", NULL };
	char *none[] = { "true", NULL };
	pristine_spawn_file_actions_t fa;
	int p[2], err, want, st;
	struct table t;
	char *out;
	pid_t pid;

	/* valgrind keeps descriptors of its own at the top of the table,
	 * and its clone emulation aborts (an assertion) when the table is
	 * all but full. */
	if (under_valgrind()) {
		skip_case("valgrind aborts in clone() with a full descriptor "
			  "table");
		return;
	}
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	leave_free(&t, slots);

	/* An adddup2 of a close-on-exec descriptor. */
	out = near_limit_run(0, echo, p, &err);
	ck_assert_msg(out != NULL, "%d free: %s (%s)", slots, strerror(err),
		      pristine_errmsg());
	ck_assert_str_eq(out, "near\n|\n");
	free(out);
#ifndef GLIBC_NAMES
	/* Which route: glibc's, for want of descriptors. */
	ck_assert_int_eq(pristine_last_route(), PRISTINE_ROUTE_GLIBC_NOFDS);
	ck_assert_str_eq(pristine_route_name(pristine_last_route()),
			 "glibc-nofds");
	ck_assert_str_eq(pristine_errmsg(), "");
	out = near_limit_run(1, echo, p, &err);
	ck_assert_msg(out != NULL, "glibc: %s", strerror(err));
	ck_assert_str_eq(out, "near\n|\n");
	free(out);
#endif
	/* No file action at all. */
	ck_assert_int_eq(pristine_spawn(&pid, "/bin/true", NULL, NULL, none,
					environ), 0);
	st = wait_status(pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* tst-spawn3's idea: an addopen that needs a slot in the child. The
	 * child has the caller's table, less the close-on-exec fillers and
	 * pipe: glibc's child opens it; so must ours. */
	pristine_spawn_file_actions_init(&fa);
	pristine_spawn_file_actions_addopen(&fa, 5, "/dev/null", O_RDONLY, 0);
	err = pristine_spawn(&pid, "/bin/true", &fa, NULL, none, environ);
	pristine_spawn_file_actions_destroy(&fa);
	if (!err)
		wait_status(pid);
#ifndef GLIBC_NAMES
	{
		posix_spawn_file_actions_t g;

		posix_spawn_file_actions_init(&g);
		posix_spawn_file_actions_addopen(&g, 5, "/dev/null", O_RDONLY,
						 0);
		want = posix_spawn(&pid, "/bin/true", &g, NULL, none, environ);
		posix_spawn_file_actions_destroy(&g);
		if (!want)
			wait_status(pid);
	}
#else
	want = 0;	/* glibc's, as the round without the shim shows */
#endif
	ck_assert_msg(err == want, "%s, glibc %s", strerror(err),
		      strerror(want));
#ifndef GLIBC_NAMES
	/* A pidfd is one more descriptor, as for glibc's pidfd_spawn(). */
	{
		int pidfd = -1;
		siginfo_t si;

		err = pristine_pidfd_spawn(&pidfd, "/bin/true", NULL, NULL,
					   none, environ);
		if (slots == 0) {
			ck_assert_int_eq(err, EMFILE);
		} else {
			ck_assert_int_eq(err, 0);
			ck_assert_int_eq(waitid(P_PIDFD, (id_t)pidfd, &si,
						WEXITED), 0);
			close(pidfd);
		}
	}
#endif
	restore_table(&t);
	close(p[0]);
	close(p[1]);
	ck_assert(!has_children());
}

START_TEST(near_the_descriptor_limit)
{
	near_limit(_i);
}
END_TEST

/* The same as uid 65534: which route a spawn takes may depend on the
 * user, the descriptors it needs must not. */
START_TEST(near_the_descriptor_limit_as_nobody)
{
	pid_t pid;
	int st, err;

	if (geteuid() != 0) {
		skip_case("not root: the case above ran as uid %d",
			  (int)geteuid());
		return;
	}
	if (under_valgrind()) {	/* as in near_limit(), said here */
		skip_case("valgrind aborts in clone() with a full descriptor "
			  "table");
		return;
	}
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if ((err = become_nobody()))
			ck_abort_msg("cannot become uid 65534: %s",
				     strerror(err));
		near_limit(_i);
		_exit(0);
	}
	st = wait_status(pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%d free, uid "
		      "65534: status %#x", _i, st);
}
END_TEST

Suite *spawn_suite(void)
{
	Suite *s = suite_create("posix_spawn layer");
	TCase *tc = testlib_tcase(s, "semantics", 30);

	tcase_add_test(tc, spawnp_echo);
	tcase_add_test(tc, exit_status);
	tcase_add_test(tc, exec_errors);
	tcase_add_test(tc, inherits_fds);
	tcase_add_test(tc, file_actions_in_order);
	tcase_add_test(tc, relative_exec_after_chdir);
	tcase_add_test(tc, signals_as_glibc);
	tcase_add_test(tc, pgroup_and_session);
	tcase_add_test(tc, path_search);
#ifndef GLIBC_NAMES
	tcase_add_test(tc, pidfd_spawn);
#endif
	tc = testlib_tcase(s, "descriptor limit", 30);
	tcase_add_loop_test(tc, near_the_descriptor_limit, 0, 3);
	tcase_add_loop_test(tc, near_the_descriptor_limit_as_nobody, 0, 3);
	return s;
}
