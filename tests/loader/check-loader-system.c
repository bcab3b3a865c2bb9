/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Real programs through the loader, each compared with the kernel running
 * the same thing (glibc's posix_spawn(), a real execve()): dynamic PIE
 * programs, python3, a static and a static-pie program built here, a "#!"
 * script; the privilege boundary (set-user-ID, execute-only files, checked
 * by a spawner running as uid 65534); and the argument size limit, to the
 * byte, with the default and with lowered stack limits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "mini-elf.h"
#include "pristine.h"
#include "testlib.h"

static char tmpdir[256];	/* made by main(), 0755, removed at the end */

static char *const plain_env[] = { (char *)"SHOW_PROCESS=hello",
				   (char *)"PATH=/usr/bin:/bin", NULL };

/* Runs path with stdout on a pipe, by the kernel (glibc) or by pristine
 * in the exec mode by_pristine - 1 (PRISTINE_EXEC_*).
 * Returns the output; *status is the wait status, *route pristine's. */
static char *run(int by_pristine, const char *path, char *const argv[],
		 char *const envp[], int *status, int *route)
{
	pristine_spawn_file_actions_t pfa;
	posix_spawn_file_actions_t gfa;
	pristine_spawnattr_t attr;
	int p[2], err;
	pid_t pid;
	char *out;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	if (by_pristine) {
		pristine_spawn_file_actions_init(&pfa);
		pristine_spawn_file_actions_adddup2(&pfa, p[1], 1);
		pristine_spawnattr_init(&attr);
		pristine_spawnattr_setexecmode(&attr, by_pristine - 1);
		err = pristine_spawnp(&pid, path, &pfa, &attr, argv, envp);
		pristine_spawnattr_destroy(&attr);
		pristine_spawn_file_actions_destroy(&pfa);
		*route = pristine_last_route();
	} else {
		posix_spawn_file_actions_init(&gfa);
		posix_spawn_file_actions_adddup2(&gfa, p[1], 1);
		err = posix_spawnp(&pid, path, &gfa, NULL, argv, envp);
		posix_spawn_file_actions_destroy(&gfa);
		*route = -1;
	}
	close(p[1]);
	ck_assert_msg(err == 0, "%s %s: %s (%s)", by_pristine ? "pristine"
		      : "kernel", path, strerror(err), pristine_errmsg());
	out = slurp_fd(p[0]);
	close(p[0]);
	*status = wait_status(pid);
	return out;
}

/* Runs it both ways: same exit status, same output, the route given in
 * the loader mode (the default mode's fresh spawn is the kernel's). */
static char *same_both_ways(const char *path, char *const argv[],
			    char *const envp[], int route)
{
	int kst, pst, kr, pr;
	char *k = run(0, path, argv, envp, &kst, &kr);
	char *p = run(1 + PRISTINE_EXEC_DEFAULT, path, argv, envp, &pst, &pr);

	ck_assert_msg(pst == kst, "%s: pristine status %#x, kernel %#x", path,
		      pst, kst);
	ck_assert_str_eq(p, k);
	ck_assert_msg(pr == PRISTINE_ROUTE_KERNEL_FRESH, "%s: default mode, "
		      "route %s", path, pristine_route_name(pr));
	free(p);
	p = run(1 + PRISTINE_EXEC_LOADER, path, argv, envp, &pst, &pr);

	ck_assert_msg(WIFEXITED(kst) && WEXITSTATUS(kst) == 0,
		      "%s: kernel run status %#x", path, kst);
	ck_assert_msg(pst == kst, "%s: pristine status %#x, kernel %#x", path,
		      pst, kst);
	ck_assert_str_eq(p, k);
	ck_assert_msg(pr == route, "%s: route %s, expected %s", path,
		      pristine_route_name(pr), pristine_route_name(route));
	free(k);
	return p;
}

START_TEST(bin_true)
{
	char *argv[] = { (char *)"true", NULL };

	free(same_both_ways("/bin/true", argv, plain_env,
			    PRISTINE_ROUTE_LOADER));
}
END_TEST

START_TEST(bin_ls)
{
	char *argv[] = { (char *)"ls", (char *)"/", NULL };
	char *out = same_both_ways("/bin/ls", argv, plain_env,
				   PRISTINE_ROUTE_LOADER);

	ck_assert_ptr_nonnull(strstr(out, "usr\n"));
	free(out);
}
END_TEST

/* python3 where the system keeps it (not a PATH shim). */
static char python_path[64];

static int find_python(void)
{
	static const char *const dirs[] = { "/usr/bin", "/bin",
					    "/usr/local/bin" };
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(python_path, sizeof(python_path), "%s/python3",
			 dirs[i]);
		if (access(python_path, X_OK) == 0)
			return 1;
	}
	return 0;
}

START_TEST(python)
{
	char *argv[] = { (char *)"python3", (char *)"-c",
			 (char *)"import os, sys; print(sys.argv[1:], "
				 "os.environ['SHOW_PROCESS'])",
			 (char *)"a", (char *)"b c", NULL };
	char head[2] = "";
	int fd, route;
	char *out;

	if (!find_python()) {
		skip_case("python3 not found");
		return;
	}
	fd = open(python_path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, head, 2), 2);
	close(fd);
	route = memcmp(head, "#!", 2) ? PRISTINE_ROUTE_LOADER
				      : PRISTINE_ROUTE_KERNEL_SCRIPT;
	out = same_both_ways(python_path, argv, plain_env, route);
	ck_assert_str_eq(out, "['a', 'b c'] hello\n");
	free(out);
}
END_TEST

/* The three builds of show-process: same output both ways, and every
 * self-check it makes of its stack and auxv passes. */
static const char *const targets[] = {
	"show-process", "show-static", "show-static-pie" };

START_TEST(built_targets)
{
	const char *path = built(targets[_i]);
	char *argv[] = { (char *)targets[_i], (char *)"one", (char *)"",
			 (char *)"three", NULL };
	char *out = same_both_ways(path, argv, plain_env,
				   PRISTINE_ROUTE_LOADER);
	static const char *const want[] = {
		"argc=4\n", "argv[2]=\n", "SHOW_PROCESS=hello\n",
		"platform=x86_64\n", "secure=0 pagesz=4096 phent=56\n",
		"phdr-ok=1 phnum-ok=1 entry-ok=1\n", "random-ok=1\n",
		"strings-ok=1\n", "stack-top-ok=1\n" };
	char execfn[4200];
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(out, want[i]), "%s: no \"%s\" in:\n%s",
			      targets[_i], want[i], out);
	snprintf(execfn, sizeof(execfn), "execfn=%s\n", path);
	ck_assert_ptr_nonnull(strstr(out, execfn));
	free(out);
}
END_TEST

START_TEST(script)
{
	char path[400], expect[420];
	char *argv[] = { (char *)"anything", (char *)"arg", NULL };
	char *out;

	snprintf(path, sizeof(path), "%s/script.sh", tmpdir);
	write_file(path, "#!/bin/sh\necho \"$0\" \"$@\"\n", 25, 0755);
	out = same_both_ways(path, argv, plain_env,
			     PRISTINE_ROUTE_KERNEL_SCRIPT);
	snprintf(expect, sizeof(expect), "%s arg\n", path);
	ck_assert_str_eq(out, expect);
	free(out);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The privilege boundary, seen by a spawner running as uid 65534      */
/* ------------------------------------------------------------------ */

/* loader-spawner runs path as uid 65534 (directly if we already are
 * someone else) in mode; each of want (NULL-terminated) is in its output. */
static void expect_as_nobody(const char *path, const char *mode,
			     const char *const want[])
{
	char *out = spawn_as_nobody(NULL, path, mode);

	for (; *want; want++)
		expect_in(out, *want);
	free(out);
}

/* loader-spawner cannot run as another user: the reason recorded. */
static int cannot_drop_privileges(void)
{
	if (geteuid() != 0 || have_program("setpriv"))
		return 0;
	skip_case("setpriv (util-linux) not found: cannot drop privileges");
	return 1;
}

/*
 * In the loader mode the image decides (set-user-ID: the kernel's); in
 * the default mode a fresh spawn is the kernel's before the image is even
 * opened (FRESH; for another empty process uid 65534 cannot set
 * /proc/PID/exe: EXE).
 */
START_TEST(setuid_root)
{
	static const char *const setid[] = { "euid=0 uid=65534\n", "secure=1 ",
		"spawner: err=0 route=3 exit=0\n" /* SETID */, NULL };
	static const char *const plain[] = { "euid=65534 uid=65534\n",
		"secure=0 ", "spawner: err=0 route=0 exit=0\n" /* LOADER */,
		NULL };
	char fresh_route[64];
	const char *const setid_default[] = { "euid=0 uid=65534\n",
		"secure=1 ", fresh_route, NULL };
	const char *const plain_default[] = { "euid=65534 uid=65534\n",
		"secure=0 ", fresh_route, NULL };
	char path[400];

	snprintf(fresh_route, sizeof(fresh_route), "spawner: err=0 route=%d "
		 "exit=0\n", PRISTINE_ROUTE_KERNEL_FRESH);
	if (cannot_make_setid(tmpdir))
		return;
	snprintf(path, sizeof(path), "%s/show-euid", tmpdir);
	copy_file(built("show-process"), path, 0755);
	ck_assert_int_eq(chown(path, 0, 0), 0);
	ck_assert_int_eq(chmod(path, 04755), 0);
	expect_as_nobody(path, "loader", setid);
	expect_as_nobody(path, NULL, setid_default);
	ck_assert_int_eq(chmod(path, 0755), 0);
	expect_as_nobody(path, "loader", plain);
	expect_as_nobody(path, NULL, plain_default);
}
END_TEST

/* Execute permission without read permission: the kernel runs it, we
 * cannot map it and hand it over. */
START_TEST(execute_only)
{
	static const char *const want[] = { "euid=65534 uid=65534\n",
		"spawner: err=0 route=7 exit=0\n" /* UNREADABLE */, NULL };
	char path[400];

	if (cannot_drop_privileges())
		return;
	snprintf(path, sizeof(path), "%s/show-x-only", tmpdir);
	copy_file(built("show-process"), path, 0111);
	expect_as_nobody(path, "loader", want);
}
END_TEST

START_TEST(execute_only_interpreter)
{
	static const char *const unreadable[] = {
		"spawner: err=0 route=7 exit=42\n", NULL };
	static const char *const readable[] = {
		"spawner: err=0 route=0 exit=42\n", NULL };
	char path[400], interp[400];
	struct mini_elf m;

	if (cannot_drop_privileges())
		return;
	snprintf(path, sizeof(path), "%s/needs-x-only-interp", tmpdir);
	snprintf(interp, sizeof(interp), "%s/x-only-interp", tmpdir);
	mini_elf_build(&m, ET_DYN);
	write_file(interp, m.bytes, m.size, 0111);
	mini_elf_free(&m);
	mini_elf_build(&m, ET_EXEC);
	mini_elf_set_interp(&m, interp);
	write_file(path, m.bytes, m.size, 0755);
	mini_elf_free(&m);

	expect_as_nobody(path, "loader", unreadable);
	/* Readable, the same pair goes through the loader. */
	ck_assert_int_eq(chmod(interp, 0755), 0);
	expect_as_nobody(path, "loader", readable);
}
END_TEST

/* ------------------------------------------------------------------ */
/* E2BIG, to the byte                                                  */
/* ------------------------------------------------------------------ */

#define ARG_MAX_ 131072ul	/* also the largest string, NUL included */
#define BIG_STR 100000ul	/* bytes of each filler string, NUL included */

/* Spawns /bin/true with envp by the kernel or pristine: 0 or the errno. */
/* by_pristine: in the loader mode, whose own check is the one tested (a
 * fresh spawn in the default mode is the kernel's). */
static int spawn_true(int by_pristine, char *const envp[])
{
	char *argv[] = { (char *)"/bin/true", NULL };
	pristine_spawnattr_t attr;
	pid_t pid;
	int err, st;

	pristine_spawnattr_init(&attr);
	pristine_spawnattr_setexecmode(&attr, PRISTINE_EXEC_LOADER);
	if (by_pristine)
		err = pristine_spawn(&pid, argv[0], NULL, &attr, argv, envp);
	else
		err = posix_spawn(&pid, argv[0], NULL, NULL, argv, envp);
	if (err)
		return err;
	st = wait_status(pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "%s: /bin/true with a full argument area: status %#x",
		      by_pristine ? "pristine" : "kernel", st);
	return 0;
}

/* k strings of BIG_STR bytes and one of last bytes (NUL included). */
struct big_env {
	char *envp[64];
	char *strings;
	char *last;
	size_t k;
};

static void big_env_init(struct big_env *e, size_t k)
{
	size_t i;

	ck_assert_uint_lt(k, 60);
	e->k = k;
	e->strings = malloc(k * BIG_STR + ARG_MAX_ + 16);
	for (i = 0; i < k; i++) {
		char *s = e->strings + i * BIG_STR;

		memset(s, 'a' + (int)i, BIG_STR - 1);
		s[1] = '=';
		s[BIG_STR - 1] = 0;
		e->envp[i] = s;
	}
	e->last = e->strings + k * BIG_STR;
	e->envp[k] = e->last;
	e->envp[k + 1] = NULL;
}

static void big_env_last(struct big_env *e, size_t bytes)
{
	memset(e->last, 'z', bytes - 1);
	e->last[1] = '=';
	e->last[bytes - 1] = 0;
}

/*
 * bprm_stack_limits(): limit = max(min(6 MiB, stack rlimit / 4), ARG_MAX)
 * less 8 bytes per pointer (argc, at least 1, plus envc); the strings of
 * argv, envp and the file name must fit in it.
 */
static unsigned long arg_limit(size_t argc, size_t envc)
{
	struct rlimit rl;
	unsigned long limit = 6ul << 20;

	ck_assert_int_eq(getrlimit(RLIMIT_STACK, &rl), 0);
	if (rl.rlim_cur / 4 < limit)
		limit = rl.rlim_cur / 4;
	if (limit < ARG_MAX_)
		limit = ARG_MAX_;
	return limit - (argc + envc) * 8;
}

/*
 * Finds, with real execve()s, the longest last string that still fits,
 * checks it against the formula, then asks pristine at the boundary and
 * one byte past it.
 */
static void check_boundary(void)
{
	/* The file name (AT_EXECFN) and argv[0] */
	const unsigned long fixed = 2 * sizeof("/bin/true");
	unsigned long limit0 = arg_limit(1, 0), lo, hi, expect;
	struct big_env e;
	size_t k = 0;

	/* Enough filler strings that the boundary falls inside the last. */
	while (limit0 - 8 * (k + 1) - fixed - k * BIG_STR > 120000)
		k++;
	big_env_init(&e, k);
	expect = arg_limit(1, k + 1) - fixed - k * BIG_STR;
	ck_assert_uint_gt(expect, 3);
	ck_assert_uint_le(expect, ARG_MAX_);

	lo = 3;			/* fits */
	hi = ARG_MAX_ + 1;	/* does not */
	while (hi - lo > 1) {
		unsigned long mid = lo + (hi - lo) / 2;

		big_env_last(&e, mid);
		if (spawn_true(0, e.envp) == 0)
			lo = mid;
		else
			hi = mid;
	}
	printf("E2BIG boundary: %zu strings of %lu bytes + %lu bytes "
	       "(formula: %lu)\n", k, BIG_STR, lo, expect);
	ck_assert_uint_eq(lo, expect);

	big_env_last(&e, lo);
	ck_assert_int_eq(spawn_true(0, e.envp), 0);
	ck_assert_int_eq(spawn_true(1, e.envp), 0);
	ck_assert_int_eq(pristine_last_route(), PRISTINE_ROUTE_LOADER);
	big_env_last(&e, lo + 1);
	ck_assert_int_eq(spawn_true(0, e.envp), E2BIG);
	ck_assert_int_eq(spawn_true(1, e.envp), E2BIG);
	free(e.strings);
	ck_assert(!has_children());
}

static void lower_stack_limit(rlim_t cur)
{
	struct rlimit rl;

	ck_assert_int_eq(getrlimit(RLIMIT_STACK, &rl), 0);
	rl.rlim_cur = cur;
	ck_assert_int_eq(setrlimit(RLIMIT_STACK, &rl), 0);
}

START_TEST(e2big_default_limit)
{
	lower_stack_limit(8ul << 20);
	check_boundary();
}
END_TEST

/* 1 MiB: the limit is a quarter of it. */
START_TEST(e2big_lowered_limit)
{
	lower_stack_limit(1ul << 20);
	check_boundary();
}
END_TEST

/* 256 KiB: a quarter is below ARG_MAX, which is the floor. */
START_TEST(e2big_floor)
{
	lower_stack_limit(256ul << 10);
	check_boundary();
}
END_TEST

/* One string: ARG_MAX bytes with its NUL pass, one more fails, in argv
 * and in envp alike. */
START_TEST(e2big_one_string)
{
	char *s = malloc(ARG_MAX_ + 1);
	char *argv[] = { (char *)"/bin/true", s, NULL };
	char *envp[] = { s, NULL };
	char *none[] = { NULL };
	int by;
	pid_t pid;

	for (by = 0; by < 2; by++) {
		size_t n;

		for (n = ARG_MAX_ - 1; n <= ARG_MAX_; n++) {
			int want = n < ARG_MAX_ ? 0 : E2BIG, err;

			memset(s, 'x', n);
			s[1] = '=';
			s[n] = 0;
			err = by ? pristine_spawn(&pid, "/bin/true", NULL, NULL,
						  argv, none)
				 : posix_spawn(&pid, "/bin/true", NULL, NULL,
					       argv, none);
			ck_assert_msg(err == want, "%s, argv string of %zu "
				      "chars: %d", by ? "pristine" : "kernel",
				      n, err);
			if (!err)
				wait_status(pid);
			ck_assert_int_eq(spawn_true(by, envp), want);
		}
	}
	free(s);
	ck_assert(!has_children());
}
END_TEST

/* ------------------------------------------------------------------ */

static Suite *system_suite(void)
{
	Suite *s = suite_create("loader-system");
	TCase *tc = testlib_tcase(s, "programs", 30);

	tcase_add_test(tc, bin_true);
	tcase_add_test(tc, bin_ls);
	tcase_add_test(tc, python);
	tcase_add_loop_test(tc, built_targets, 0,
			    sizeof(targets) / sizeof(targets[0]));
	tcase_add_test(tc, script);

	tc = testlib_tcase(s, "privileges", 30);
	tcase_add_test(tc, setuid_root);
	tcase_add_test(tc, execute_only);
	tcase_add_test(tc, execute_only_interpreter);

	tc = testlib_tcase(s, "e2big", 60);
	tcase_add_test(tc, e2big_default_limit);
	tcase_add_test(tc, e2big_lowered_limit);
	tcase_add_test(tc, e2big_floor);
	tcase_add_test(tc, e2big_one_string);
	return s;
}

int main(void)
{
	static Suite *(*const suites[])(void) = { system_suite, NULL };
	struct rlimit no_core = { 0, 0 };
	int status;

	setrlimit(RLIMIT_CORE, &no_core);
	scratch_dir(tmpdir, sizeof(tmpdir), "system");
	status = testlib_main(suites);
	remove_tree(tmpdir);
	return status;
}
