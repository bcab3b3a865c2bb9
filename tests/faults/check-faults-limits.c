/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Limits. RLIMIT_NOFILE all but exhausted: EMFILE and not one descriptor
 * lost, in the caller and in a pool member made under a lower limit.
 * RLIMIT_NPROC reached, for an unprivileged user: EAGAIN. RLIMIT_AS and
 * RLIMIT_DATA too tight for the image, set by the "rlimit:" key: the
 * loader fails to map it with ENOMEM and runs nothing. The argument limit
 * where execve() puts it when pointers dominate (the strings' case is in
 * test-loader-system), and under a stack limit set by the "rlimit:" key.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <spawn.h>
#include <unistd.h>
#include "faults.h"
#include "pristine.h"

/* Leaves exactly 'spare' descriptors free below a soft limit of 64. */
static int exhaust_fds(int spare, int *fill)
{
	struct rlimit rl;
	int n = 0, fd;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = 64;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	while ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		fill[n++] = fd;
	ck_assert_int_eq(errno, EMFILE);
	while (spare-- && n)
		close(fill[--n]);
	return n;
}

static void release_fds(int *fill, int n)
{
	struct rlimit rl;

	while (n)
		close(fill[--n]);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = rl.rlim_max < 1024 ? rl.rlim_max : 1024;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

/* 0 if the program ran (and was reaped), else the errno. */
static int open_run(const char *exec)
{
	int h = pristine_open(0), r, err;
	pid_t pid;

	if (h < 0)
		return errno;
	if (pristine_config(h, PRISTINE_SET_PATH, "exec", exec, AT_FDCWD) < 0) {
		err = errno;
		close(h);
		return err;
	}
	if ((r = pristine_run(h, &pid)) < 0)
		return errno;
	close(r);
	ck_assert_int_eq(wait_status(pid), 0);
	return 0;
}

/*
 * Each entry point needs a few descriptors: with fewer spare it fails with
 * EMFILE, with as many or more it works, and with six spare all of them
 * work; pristine_spawn() needs none, as glibc's posix_spawn().
 */
START_TEST(nofile_exhausted)
{
	static const char *const names[] = { "pristine_spawn", "pristine_open",
					      "pristine_template_create" };
	char *argv[] = { "true", NULL };
	int fill[64], fds = count_fds(), need[3] = { -1, -1, -1 }, err[3];
	int spare, n, k;
	pristine_template_t *t;
	pid_t pid;

	for (spare = 0; spare <= 6; spare++) {
		n = exhaust_fds(spare, fill);
		err[0] = pristine_spawn(&pid, "/bin/true", NULL, NULL, argv,
					environ);
		if (!err[0])
			ck_assert_int_eq(wait_status(pid), 0);
		err[1] = open_run("/bin/true");
		t = pristine_template_create("/bin/true", -1, 1, 0);
		err[2] = t ? 0 : errno;
		pristine_template_destroy(t);
		release_fds(fill, n);
		ck_assert_int_eq(count_fds(), fds);
		ck_assert(!has_children());
		for (k = 0; k < 3; k++) {
			if (need[k] < 0 && !err[k])
				need[k] = spare;
			ck_assert_msg(err[k] == (need[k] < 0 ? EMFILE : 0),
				      "%s with %d spare: %s (it worked with "
				      "%d)", names[k], spare, strerror(err[k]),
				      need[k]);
		}
	}
	for (k = 0; k < 3; k++) {
		ck_assert_msg(need[k] >= 0, "%s: EMFILE with 6 spare",
			      names[k]);
		printf("nofile_exhausted: %s needs %d descriptors\n", names[k],
		       need[k]);
	}
	/* With none spare: pristine_spawn() spawns where glibc's does, by
	 * glibc's posix_spawn() (pristine_spawn(3), "Free descriptors"); an
	 * empty process of pristine_open() cannot be had: EMFILE says why. */
	n = exhaust_fds(0, fill);
	ck_assert_int_eq(posix_spawn(&pid, "/bin/true", NULL, NULL, argv,
				     environ), 0);
	ck_assert_int_eq(wait_status(pid), 0);
	ck_assert_int_eq(pristine_spawn(&pid, "/bin/true", NULL, NULL, argv,
					environ), 0);
	ck_assert_int_eq(wait_status(pid), 0);
	ck_assert_int_eq(pristine_last_route(), PRISTINE_ROUTE_GLIBC_NOFDS);
	ck_assert_int_eq(open_run("/bin/true"), EMFILE);
	release_fds(fill, n);
	ck_assert_int_eq(count_fds(), fds);
}
END_TEST

/*
 * A pool member made under another RLIMIT_NOFILE soft limit (64) could not
 * take 100 descriptors: it is stale, and the spawn takes the default path
 * and succeeds under the caller's limit of now, as posix_spawn() would;
 * no descriptor is lost.
 */
START_TEST(nofile_of_a_pool_member)
{
	pristine_spawn_file_actions_t fa;
	char *argv[] = { "true", NULL };
	struct rlimit rl, low;
	int src[100], fds, i, err;
	pid_t pid;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	fds = count_fds();	/* the pool's own descriptors come and go */
	low = (struct rlimit){ 64, rl.rlim_max };
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	ck_assert_int_eq(pristine_pool_create(1, 0), 0);
	for (i = 0; i < 500 && !children_named("pristine-loader", NULL, 0);
	     i++)
		usleep(10000);
	ck_assert_msg(children_named("pristine-loader", NULL, 0) == 1,
		      "the pool made no member under the lower limit");
	rl.rlim_cur = rl.rlim_max < 1024 ? rl.rlim_max : 1024;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	pristine_spawn_file_actions_init(&fa);
	for (i = 0; i < 100; i++) {
		src[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		pristine_spawn_file_actions_adddup2(&fa, src[i], 200 + i);
	}
	err = pristine_spawn(&pid, "/bin/true", &fa, NULL, argv, environ);
	ck_assert_msg(err == 0, "%s (%s)", strerror(err), pristine_errmsg());
	ck_assert_int_eq(waitpid(pid, &i, 0), pid);
	ck_assert(WIFEXITED(i) && WEXITSTATUS(i) == 0);
	pristine_spawn_file_actions_destroy(&fa);
	for (i = 0; i < 100; i++)
		close(src[i]);
	ck_assert_int_eq(pristine_pool_destroy(), 0);
	ck_assert_int_eq(count_fds(), fds);
	ck_assert(!has_children());
}
END_TEST

#define EXPECT(cond, code) do { if (!(cond)) _exit(code); } while (0)

/* In a child: become a user of our own, alone, limited to nproc. */
static void become_limited_user(rlim_t nproc)
{
	uid_t uid = 2000000000u + (uid_t)getpid() % 100000u;
	struct rlimit rl = { nproc, nproc };

	EXPECT(setrlimit(RLIMIT_NPROC, &rl) == 0, 90);
	EXPECT(setgroups(0, NULL) == 0, 91);
	EXPECT(setresgid(uid, uid, uid) == 0, 92);
	EXPECT(setresuid(uid, uid, uid) == 0, 93);
}

static void nproc_child(void)
{
	char *argv[] = { "true", NULL };
	pid_t pid;
	int err;

	/* Only this process: no other can start. */
	become_limited_user(1);
	err = pristine_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
	EXPECT(err == EAGAIN, 1);
	EXPECT(pristine_open(0) == -1 && errno == EAGAIN, 2);
	EXPECT(!pristine_template_create("/bin/true", -1, 1, 0) &&
	       errno == EAGAIN, 3);
	_exit(0);
}

static void nproc_two_child(void)
{
	char *argv[] = { "true", NULL }, *sleeper[] = { "sleep", "30", NULL };
	pid_t pid, sleeping;
	int err, st;

	/* Room for one more: taken by sleep, then free again. */
	become_limited_user(2);
	err = pristine_spawn(&sleeping, "/bin/sleep", NULL, NULL, sleeper,
			     environ);
	EXPECT(err == 0, 4);
	err = pristine_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
	EXPECT(err == EAGAIN, 5);
	kill(sleeping, SIGKILL);
	EXPECT(waitpid(sleeping, &st, 0) == sleeping, 6);
	err = pristine_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
	EXPECT(err == 0, 7);
	EXPECT(waitpid(pid, &st, 0) == pid && st == 0, 8);
	_exit(0);
}

static void in_child(void (*fn)(void))
{
	pid_t pid = fork();
	int st;

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		fn();
	st = wait_status(pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "limited child: check %d failed (status %#x)",
		      WIFEXITED(st) ? WEXITSTATUS(st) : -1, st);
}

START_TEST(nproc_reached)
{
	if (geteuid() != 0) {
		skip_case("not root: cannot make a user of its own to count "
			  "processes");
		return;
	}
	in_child(nproc_child);
	in_child(nproc_two_child);
	ck_assert(!has_children());
}
END_TEST

/*
 * bash -c "touch marker" with the limit set by its key (or, if key is
 * NULL, by setrlimit(resource) before a real execve()): a negative errno
 * of the spawn, else the wait status.
 */
static int run_limited(const char *key, int resource, rlim_t value)
{
	struct rlimit rl = { value, value };
	char cmd[600];
	char *argv[] = { "bash", "-c", cmd, NULL }, *envp[] = { NULL };
	int h, r;
	pid_t pid;

	snprintf(cmd, sizeof(cmd), "touch %s", tmp_path("marker"));
	if (!key) {
		ck_assert_int_ge(pid = fork(), 0);
		if (pid == 0) {
			setrlimit(resource, &rl);
			execve("/bin/bash", argv, envp);
			_exit(errno == ENOMEM ? 112 : 113);
		}
		r = wait_status(pid);
		/* execve()'s own ENOMEM, as pristine reports it */
		return WIFEXITED(r) && WEXITSTATUS(r) == 112 ? -ENOMEM : r;
	}
	h = pristine_open(0);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "exec",
					 "/bin/bash", AT_FDCWD), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "argv",
					 "bash", 0), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "argv",
					 "-c", 0), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "argv",
					 cmd, 0), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_BINARY, key, &rl,
					 sizeof(rl)), 0);
	if ((r = pristine_run(h, &pid)) < 0)
		return -errno;
	close(r);
	return wait_status(pid);
}

/*
 * Limits too tight for the program: the spawn ends as a real execve()
 * under the same limit ends (the loader's own pages count against
 * RLIMIT_AS: when it cannot map the image, the kernel route runs it), and
 * the program does nothing.
 */
START_TEST(memory_limits_while_mapping)
{
	static const struct {
		const char *key;
		int resource;
		rlim_t value;
	} tight[] = {
		{ "rlimit:AS", RLIMIT_AS, 1ul << 20 },	/* bash spans more */
		{ "rlimit:DATA", RLIMIT_DATA, 64ul << 10 }, /* its data, bss */
	};
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(tight) / sizeof(tight[0]); i++) {
		int want, got;

		unlink(tmp_path("marker"));
		want = run_limited(NULL, tight[i].resource, tight[i].value);
		ck_assert_int_lt(stat(tmp_path("marker"), &st), 0);
		got = run_limited(tight[i].key, 0, tight[i].value);
		ck_assert_msg(got == want, "%s: pristine %d (%s), execve %d",
			      tight[i].key, got, pristine_errmsg(), want);
		ck_assert_int_lt(stat(tmp_path("marker"), &st), 0);
		ck_assert(!has_children());
	}
	/* The same keys, with room: bash runs. */
	ck_assert_int_eq(run_limited("rlimit:AS", 0, 1ul << 30), 0);
	ck_assert_int_eq(stat(tmp_path("marker"), &st), 0);
}
END_TEST

/* n arguments of one character each: pointers dominate. */
static char **tiny_args(size_t n)
{
	char **v = malloc((n + 2) * sizeof(*v));
	size_t i;

	v[0] = "true";
	for (i = 1; i <= n; i++)
		v[i] = "x";
	v[n + 1] = NULL;
	return v;
}

static int kernel_spawn(size_t n)
{
	char **argv = tiny_args(n), *none[] = { NULL };
	pid_t pid;
	int err = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, none);

	if (!err)
		ck_assert_int_eq(wait_status(pid), 0);
	free(argv);
	return err;
}

/* In the loader mode: the loader's own check (a fresh spawn in the
 * default mode is the kernel's). */
static int pristine_spawn_n(size_t n)
{
	char **argv = tiny_args(n), *none[] = { NULL };
	pristine_spawnattr_t attr;
	pid_t pid;
	int err;

	pristine_spawnattr_init(&attr);
	pristine_spawnattr_setexecmode(&attr, PRISTINE_EXEC_LOADER);
	err = pristine_spawn(&pid, "/bin/true", NULL, &attr, argv, none);
	pristine_spawnattr_destroy(&attr);

	if (!err)
		ck_assert_int_eq(wait_status(pid), 0);
	free(argv);
	return err;
}

/* The largest n for which fits(n) is 0, between lo (fits) and hi. */
static size_t boundary(int (*fits)(size_t), size_t lo, size_t hi)
{
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (fits(mid) == 0)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

START_TEST(e2big_many_pointers)
{
	static const rlim_t stacks[] = { 256ul << 10, 1ul << 20 };
	struct rlimit rl;
	size_t i, n;

	ck_assert_int_eq(getrlimit(RLIMIT_STACK, &rl), 0);
	for (i = 0; i < sizeof(stacks) / sizeof(stacks[0]); i++) {
		rl.rlim_cur = stacks[i];
		ck_assert_int_eq(setrlimit(RLIMIT_STACK, &rl), 0);
		n = boundary(kernel_spawn, 1, 1u << 20);
		printf("E2BIG at %zu one-character arguments (stack %lu)\n",
		       n + 1, (unsigned long)stacks[i]);
		ck_assert_int_eq(pristine_spawn_n(n), 0);
		ck_assert_int_eq(pristine_last_route(), PRISTINE_ROUTE_LOADER);
		ck_assert_int_eq(pristine_spawn_n(n + 1), E2BIG);
		ck_assert_int_eq(kernel_spawn(n + 1), E2BIG);
	}
	ck_assert(!has_children());
}
END_TEST

/* A stack limit set by the key, against one set before execve(). */
static struct rlimit key_stack;

static int kernel_after_setrlimit(size_t n)
{
	char **argv = tiny_args(n), *none[] = { NULL };
	pid_t pid = fork();
	int st;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setrlimit(RLIMIT_STACK, &key_stack);
		execve("/bin/true", argv, none);
		_exit(errno == E2BIG ? 99 : 98);
	}
	free(argv);
	st = wait_status(pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) != 98);
	return WEXITSTATUS(st) == 99 ? E2BIG : 0;
}

static int pristine_with_key(size_t n)
{
	int h = pristine_open(0), r;
	size_t i;
	pid_t pid;

	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "exec",
					 "/bin/true", AT_FDCWD), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_BINARY,
					 "rlimit:STACK", &key_stack,
					 sizeof(key_stack)), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "argv",
					 "true", 0), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING,
						 "argv", "x", 0), 0);
	if ((r = pristine_run(h, &pid)) < 0)
		return errno;
	close(r);
	ck_assert_int_eq(wait_status(pid), 0);
	return 0;
}

START_TEST(e2big_stack_limit_key)
{
	size_t n;

	ck_assert_int_eq(getrlimit(RLIMIT_STACK, &key_stack), 0);
	key_stack.rlim_cur = 512ul << 10;
	n = boundary(kernel_after_setrlimit, 1, 1u << 18);
	ck_assert_int_eq(pristine_with_key(n), 0);
	ck_assert_int_eq(pristine_with_key(n + 1), E2BIG);
	ck_assert(!has_children());
}
END_TEST

Suite *limits_suite(void)
{
	Suite *s = suite_create("limits");
	TCase *tc = testlib_tcase(s, "limits", 60);

	tcase_add_test(tc, nofile_exhausted);
	tcase_add_test(tc, nofile_of_a_pool_member);
	tcase_add_test(tc, nproc_reached);
	tcase_add_test(tc, memory_limits_while_mapping);
	tcase_add_test(tc, e2big_many_pointers);
	tcase_add_test(tc, e2big_stack_limit_key);
	return s;
}
