/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Pre-created empty processes and spawn templates: each process is fresh,
 * a changed file is noticed, fork() and the caller's death are handled,
 * the pool refills, and all of it works from many threads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/securebits.h>
#include "pristine.h"
#include "lib-tests.h"

/* Children of this process that are idle empty processes. */
static int idle_members(pid_t *pids, int max)
{
	return children_named("pristine-loader", pids, max);
}

/* Waits up to 5 s for n idle members, filed by their reserve. */
static void await_members(int n)
{
	ck_assert_int_ge(await_waiting_members(n, NULL, 0), n);
}

static char *run_show_mode(pristine_template_t *t, const char *arg,
			   int mode);

/* Runs argv from template t with stdout into a pipe; its output. */
static char *run_template_sh(pristine_template_t *t, char *const argv[])
{
	pristine_spawn_file_actions_t fa;
	int p[2], err;
	pid_t pid;
	char *out;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pristine_spawn_file_actions_init(&fa);
	pristine_spawn_file_actions_adddup2(&fa, p[1], 1);
	err = pristine_template_spawn(t, &pid, &fa, NULL, argv, environ);
	pristine_spawn_file_actions_destroy(&fa);
	close(p[1]);
	ck_assert_msg(err == 0, "template spawn: %s (%s)", strerror(err),
		      pristine_errmsg());
	out = slurp_fd(p[0]);
	close(p[0]);
	wait_status(pid);
	return out;
}

/* Runs show-aslr (from template t, or the pool) with arg; its output. */
static char *run_show(pristine_template_t *t, const char *arg)
{
	return run_show_mode(t, arg, -1);
}

/* The same with exec mode mode (-1: no attributes). */
static char *run_show_mode(pristine_template_t *t, const char *arg, int mode)
{
	pristine_spawnattr_t at;
	char *argv[] = { "show-aslr", (char *)arg, NULL };
	pristine_spawn_file_actions_t fa;
	int p[2], err, st;
	pid_t pid;
	char *out;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pristine_spawn_file_actions_init(&fa);
	pristine_spawn_file_actions_adddup2(&fa, p[1], 1);
	pristine_spawnattr_init(&at);
	if (mode >= 0)
		pristine_spawnattr_setexecmode(&at, mode);
	if (t)
		err = pristine_template_spawn(t, &pid, &fa,
					      mode >= 0 ? &at : NULL, argv,
					      environ);
	else
		err = pristine_spawn(&pid, built("show-aslr"), &fa,
				     mode >= 0 ? &at : NULL, argv, environ);
	pristine_spawnattr_destroy(&at);
	pristine_spawn_file_actions_destroy(&fa);
	close(p[1]);
	ck_assert_msg(err == 0, "spawn: %s (%s)", strerror(err),
		      pristine_errmsg());
	out = slurp_fd(p[0]);
	close(p[0]);
	st = wait_status(pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %x", st);
	return out;
}

/* Every line of out[n] differs in each of its placement fields. */
static void all_fresh(char **out, int n)
{
	static const char *const fields[] = { "exe=", "stack=", "vdso=",
					      "random=" };
	char mine[32];
	int i, j, f;

	snprintf(mine, sizeof(mine), "ppid=%d\n", getpid());
	for (i = 0; i < n; i++)
		ck_assert_msg(strstr(out[i], mine) != NULL, "%s", out[i]);
	for (f = 0; f < 4; f++)
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++) {
				const char *a = strstr(out[i], fields[f]);
				const char *b = strstr(out[j], fields[f]);

				ck_assert(a && b);
				ck_assert_msg(strncmp(a, b, strcspn(a, " ")) != 0,
					      "two processes share %s", a);
			}
}

START_TEST(pool_processes_are_fresh)
{
	char *out[6];
	int i;

	ck_assert_int_eq(pristine_pool_create(3, 0), 0);
	ck_assert_int_eq(pristine_pool_create(3, 0), -1);
	ck_assert_int_eq(errno, EBUSY);
	await_members(3);
	for (i = 0; i < 6; i++) {
		out[i] = run_show(NULL, NULL);
		usleep(20000);
	}
	all_fresh(out, 6);
	for (i = 0; i < 6; i++)
		free(out[i]);
	ck_assert_int_eq(pristine_pool_destroy(), 0);
	ck_assert_int_eq(idle_members(NULL, 0), 0);
	ck_assert(!has_children());
}
END_TEST

START_TEST(template_processes_are_fresh)
{
	pristine_template_t *t = pristine_template_create(built("show-aslr"),
							  -1, 3, 0);
	char *out[6];
	int i;

	ck_assert_msg(t != NULL, "%s", pristine_errmsg());
	await_members(3);
	for (i = 0; i < 6; i++) {
		await_members(1);	/* a member's route, not a fresh one's */
		out[i] = run_show(t, NULL);
		ck_assert_int_eq(pristine_last_route(), PRISTINE_ROUTE_LOADER);
	}
	all_fresh(out, 6);
	for (i = 0; i < 6; i++)
		free(out[i]);
	pristine_template_destroy(t);
	ck_assert_int_eq(idle_members(NULL, 0), 0);
	ck_assert(!has_children());
}
END_TEST

START_TEST(template_notices_a_changed_file)
{
	char dir[] = "/tmp/pristine-tpl-XXXXXX", path[64], other[64];
	pristine_template_t *t;
	char *out;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/prog", dir);
	snprintf(other, sizeof(other), "%s/new", dir);
	copy_file(built("show-aslr"), path, 0755);
	t = pristine_template_create(path, -1, 2, 0);
	ck_assert_msg(t != NULL, "%s", pristine_errmsg());
	await_members(2);
	out = run_show(t, "=first");
	ck_assert_str_eq(out, "first\n");
	free(out);
	/* No member being made while a file is open for writing here: its
	 * clone() child would hold the writer until its exec, and a real
	 * exec of the file meanwhile fails with ETXTBSY (as the spawns here
	 * do in the default mode, which sets /proc/PID/exe). */
	await_members(2);
	/* A new file under the path (another inode). */
	fd = open(other, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ck_assert_int_eq(write(fd, "#!/bin/sh\necho replaced\n", 24), 24);
	close(fd);
	ck_assert_int_eq(rename(other, path), 0);
	out = run_show(t, "=second");
	ck_assert_str_eq(out, "replaced\n");
	free(out);
	/* The same inode rewritten in place. */
	usleep(20000);
	await_members(2);
	copy_file("/bin/echo", path, 0755);
	out = run_show(t, "=third");
	ck_assert_str_eq(out, "=third\n");
	free(out);
	pristine_template_destroy(t);
	unlink(path);
	rmdir(dir);
	ck_assert(!has_children());
}
END_TEST

/* glibc's posix_spawn() of path with arg: its output. */
static char *glibc_show(const char *path, const char *arg)
{
	char *argv[] = { "show-aslr", (char *)arg, NULL };
	posix_spawn_file_actions_t fa;
	int p[2];
	pid_t pid;
	char *out;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	ck_assert_int_eq(posix_spawn(&pid, path, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	out = slurp_fd(p[0]);
	close(p[0]);
	wait_status(pid);
	return out;
}

/* A spawn that takes no member (the kernel's route, or a fresh empty
 * process) runs the file as it is now too, not the template's old one. */
START_TEST(template_modes_notice_a_changed_file)
{
	static const int modes[] = {
		PRISTINE_EXEC_KERNEL, PRISTINE_EXEC_FRESH,
		PRISTINE_EXEC_KERNEL | PRISTINE_EXEC_FRESH,
	};
	char dir[] = "/tmp/pristine-tpl-XXXXXX", path[64], other[64];
	char *out, *want, text[64];
	pristine_template_t *t;
	size_t i;
	int fd, n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/prog", dir);
	snprintf(other, sizeof(other), "%s/new", dir);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		copy_file(built("show-aslr"), path, 0755);
		t = pristine_template_create(path, -1, 1, 0);
		ck_assert_msg(t != NULL, "%s", pristine_errmsg());
		out = run_show_mode(t, "=first", modes[i]);
		ck_assert_str_eq(out, "first\n");
		free(out);
		await_members(1);	/* no clone() holds the writer below */
		fd = open(other, O_WRONLY | O_CREAT | O_TRUNC, 0755);
		n = snprintf(text, sizeof(text),
			     "#!/bin/sh\necho replaced %zu\n", i);
		ck_assert_int_eq(write(fd, text, (size_t)n), n);
		close(fd);
		ck_assert_int_eq(rename(other, path), 0);
		want = glibc_show(path, "=second");
		out = run_show_mode(t, "=second", modes[i]);
		ck_assert_msg(!strcmp(out, want), "mode %d: \"%s\", glibc "
			      "\"%s\"", modes[i], out, want);
		free(out);
		free(want);
		pristine_template_destroy(t);
		unlink(path);
	}
	rmdir(dir);
	ck_assert(!has_children());
}
END_TEST

START_TEST(template_bad_image_fails_at_create)
{
	/* An x86_64 ELF header whose program headers are missing: the
	 * loader would map it, and refuses it as execve() would. */
	char path[] = "/tmp/pristine-tpl-bad-XXXXXX", head[64];
	int fd = mkstemp(path), in = open("/bin/true", O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(in, head, sizeof(head)), 64);
	close(in);
	ck_assert_int_eq(write(fd, head, sizeof(head)), 64);
	fchmod(fd, 0755);
	close(fd);
	ck_assert_ptr_null(pristine_template_create(path, -1, 2, 0));
	ck_assert_int_eq(errno, ENOEXEC);
	ck_assert_ptr_null(pristine_template_create("/nonexistent", -1, 2, 0));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(pristine_template_create(NULL, 999, 2, 0));
	ck_assert_int_eq(errno, EBADF);
	ck_assert_ptr_null(pristine_template_create("/bin/true", -1, 0, 0));
	ck_assert_int_eq(errno, EINVAL);
	unlink(path);
	ck_assert(!has_children());
}
END_TEST

START_TEST(fork_child_does_not_use_the_pool)
{
	pid_t child;
	int st;
	char *out;

	/* valgrind checks the forked child for leaks too, and counts the
	 * pool thread's TLS, which the child has without the thread, as
	 * lost. */
	if (under_valgrind()) {
		skip_case("valgrind counts a forked child's copy of the pool "
			  "thread's TLS as lost");
		return;
	}

	ck_assert_int_eq(pristine_pool_create(2, 0), 0);
	await_members(2);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		/* The members are the parent's children: this spawn must make
		 * its own, which is this process's child. */
		char *o = run_show(NULL, NULL);
		char mine[32];

		snprintf(mine, sizeof(mine), "ppid=%d\n", getpid());
		_exit(strstr(o, mine) ? 0 : 1);
	}
	st = wait_status(child);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* The parent's pool still works. */
	out = run_show(NULL, NULL);
	free(out);
	ck_assert_int_eq(pristine_pool_destroy(), 0);
	ck_assert(!has_children());
}
END_TEST

START_TEST(members_exit_with_the_caller)
{
	pid_t holder, pids[16];
	int p[2], n, i, gone = 0;

	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	ck_assert_int_eq(pipe(p), 0);
	holder = fork();
	ck_assert_int_ge(holder, 0);
	if (holder == 0) {
		close(p[0]);
		if (pristine_pool_create(3, 0))
			_exit(1);
		await_members(3);
		n = idle_members(pids, 16);
		if (write(p[1], pids, (size_t)n * sizeof(pid_t)) < 0)
			_exit(1);
		close(p[1]);
		pause();
		_exit(0);
	}
	close(p[1]);
	n = (int)(read(p[0], pids, sizeof(pids)) / (ssize_t)sizeof(pid_t));
	close(p[0]);
	ck_assert_int_eq(n, 3);
	kill(holder, SIGKILL);
	wait_status(holder);
	/* Orphaned members come to us (subreaper) and must exit within 1 s. */
	for (i = 0; i < 100 && gone < n; i++) {
		int k;

		for (k = 0, gone = 0; k < n; k++) {
			pid_t r = waitpid(pids[k], NULL, WNOHANG);

			/* Reaped now, or no longer a process at all. */
			if (r == pids[k] ||
			    (r < 0 && kill(pids[k], 0) < 0 && errno == ESRCH))
				gone++;
		}
		usleep(10000);
	}
	ck_assert_int_eq(gone, n);
}
END_TEST

START_TEST(exhaustion_and_refill)
{
	char *argv[] = { "true", NULL };
	pid_t pid;
	int i;

	ck_assert_int_eq(pristine_pool_create(2, 0), 0);
	await_members(2);
	/* Back to back, faster than refill: all succeed. */
	for (i = 0; i < 10; i++) {
		ck_assert_int_eq(pristine_spawn(&pid, "/bin/true", NULL, NULL,
						argv, environ), 0);
		ck_assert_int_eq(wait_status(pid), 0);
	}
	await_members(2);
	usleep(100000);
	ck_assert_int_eq(idle_members(NULL, 0), 2);	/* never above size */
	ck_assert_int_eq(pristine_pool_destroy(), 0);
	ck_assert_int_eq(pristine_pool_destroy(), -1);
	ck_assert(!has_children());
}
END_TEST

/*
 * pristine_pool_destroy() fails only without a pool, and then says so
 * itself: the message of an earlier failing call does not stay
 * (issue 15). A successful destroy leaves the message empty, as every
 * successful call does.
 */
START_TEST(pool_destroy_errmsg)
{
	int h = pristine_open(0);

	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "no-such-key",
					 "x", 0), -1);
	ck_assert_ptr_nonnull(strstr(pristine_errmsg(), "no-such-key"));
	close(h);
	errno = 0;
	ck_assert_int_eq(pristine_pool_destroy(), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_msg(strstr(pristine_errmsg(), "pristine_pool_destroy") &&
		      !strstr(pristine_errmsg(), "no-such-key"),
		      "after a failing pristine_pool_destroy(): \"%s\"",
		      pristine_errmsg());
	ck_assert_int_eq(pristine_pool_create(1, 0), 0);
	ck_assert_int_eq(pristine_config(-1, PRISTINE_SET_STRING, "argv", "x",
					 0), -1);
	ck_assert_str_ne(pristine_errmsg(), "");
	ck_assert_int_eq(pristine_pool_destroy(), 0);
	ck_assert_str_eq(pristine_errmsg(), "");
	ck_assert(!has_children());
}
END_TEST

START_TEST(members_get_the_state_of_now)
{
	/* State changed after the members were made reaches the program. */
	char *argv[] = { "sh", "-c",
		"umask; pwd; grep -E '^SigIgn' /proc/self/status;"
		"test -e /proc/self/fd/$0 && echo inherited", NULL, NULL };
	char cwd[4096], fdstr[16], *out, *want;
	int st, fd;
	mode_t old;

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(pristine_pool_create(2, 0), 0);
	await_members(2);
	old = umask(0027);
	signal(SIGUSR2, SIG_IGN);
	ck_assert_int_eq(chdir("/tmp"), 0);
	fd = open("/dev/null", O_RDONLY);
	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	argv[3] = fdstr;
	out = spawn_output(argv, &st);
	/* What glibc's posix_spawn() gives now: the signals this process
	 * ignores (SIGQUIT too, in a background job of a non-interactive
	 * shell) and glibc's own 32 and 33. */
	want = capture(argv, &st);
	ck_assert_ptr_nonnull(strstr(want, "0027\n/tmp\n"));
	ck_assert_ptr_nonnull(strstr(want, "inherited\n"));
	ck_assert_str_eq(out, want);
	free(out);
	free(want);
	umask(old);
	signal(SIGUSR2, SIG_DFL);
	ck_assert_int_eq(chdir(cwd), 0);
	close(fd);
	ck_assert_int_eq(pristine_pool_destroy(), 0);
}
END_TEST

/* Is pid one of the n in pids? */
static int among(pid_t pid, const pid_t *pids, int n)
{
	while (n--)
		if (pids[n] == pid)
			return 1;
	return 0;
}

/*
 * A pool member costs about 2.4 us per inheritable descriptor to bring up
 * to date, a new empty process nothing: with more than 32 of them the
 * spawn does not use a member (pristine_pool_create(3)), with a few it
 * does, and the program has them all either way.
 */
START_TEST(many_descriptors_take_the_default_path)
{
	char *argv[] = { "sh", "-c", "ls /proc/self/fd | wc -l", NULL };
	pid_t before[8], pid;
	int counts[] = { 4, 40 }, i, k, n, st;
	char *out, *want;

	ck_assert_int_eq(pristine_pool_create(2, 0), 0);
	for (k = 0; k < 2; k++) {
		for (i = 0; i < counts[k]; i++)
			ck_assert_int_eq(dup2(0, 300 + i), 300 + i);
		/* past the calls a costly spawn makes skip the pool */
		for (i = 0; i < 20; i++)
			free(spawn_output(argv, &st));
		await_members(2);
		n = idle_members(before, 8);
		want = capture(argv, &st);
		ck_assert_int_eq(pristine_spawn(&pid, "/bin/true", NULL, NULL,
						argv, environ), 0);
		ck_assert_msg(among(pid, before, n) == (counts[k] <= 32),
			      "%d descriptors: %s", counts[k],
			      among(pid, before, n) ? "a member was used"
						    : "no member was used");
		wait_status(pid);
		out = spawn_output(argv, &st);
		ck_assert_str_eq(out, want);
		free(out);
		free(want);
		for (i = 0; i < counts[k]; i++)
			close(300 + i);
	}
	ck_assert_int_eq(pristine_pool_destroy(), 0);
}
END_TEST

START_TEST(open_draws_from_the_pool)
{
	int h, p[2], pidfd;
	pid_t pid;
	char *out;

	ck_assert_int_eq(pristine_pool_create(1, 0), 0);
	await_members(1);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_ge(h = pristine_open(0), 0);
	pristine_config(h, PRISTINE_SET_PATH, "exec", "/bin/sh", AT_FDCWD);
	pristine_config(h, PRISTINE_SET_STRING, "argv", "sh", 0);
	pristine_config(h, PRISTINE_SET_STRING, "argv", "-c", 0);
	pristine_config(h, PRISTINE_SET_STRING, "argv",
			"cd /proc/self/fd && echo *; unset PWD OLDPWD; env", 0);
	pristine_config(h, PRISTINE_SET_FD, "fd:1", NULL, p[1]);
	pidfd = pristine_run(h, &pid);
	ck_assert_msg(pidfd >= 0, "%s", pristine_errmsg());
	close(p[1]);
	out = slurp_fd(p[0]);
	ck_assert_str_eq(out, "0 1\n");
	free(out);
	wait_status(pid);
	close(pidfd);
	close(p[0]);
	ck_assert_int_eq(pristine_pool_destroy(), 0);
}
END_TEST

/*
 * An inheritable descriptor above a lowered RLIMIT_NOFILE: exec keeps it,
 * a member made under the lower limit cannot install it. The member is
 * set aside and the spawn takes the default path, for the pool and for a
 * template, and the program has the descriptor as glibc's has.
 */
START_TEST(members_that_cannot_serve_are_set_aside)
{
	char *argv[] = { "sh", "-c", "test -e /proc/self/fd/200 && echo has "
			 "200; exit 0", NULL };
	struct rlimit low = { 64, 0 }, old;
	pristine_template_t *t;
	char *out, *want;
	int i, st;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_int_eq(dup2(0, 200), 200);	/* inheritable */
	low.rlim_max = old.rlim_max;
	ck_assert_int_eq(pristine_pool_create(2, 0), 0);
	t = pristine_template_create("/bin/sh", -1, 2, 0);
	ck_assert_msg(t != NULL, "%s", pristine_errmsg());
	await_members(4);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	want = capture(argv, &st);
	ck_assert_str_eq(want, "has 200\n");
	for (i = 0; i < 4; i++) {
		/* Made under the lower limit in the pauses, set aside when
		 * they are taken. */
		usleep(100000);
		out = spawn_output(argv, &st);
		ck_assert_msg(!strcmp(out, want), "pool: %s", out);
		free(out);
		out = run_template_sh(t, argv);
		ck_assert_msg(!strcmp(out, want), "template: %s", out);
		free(out);
	}
	free(want);
	pristine_template_destroy(t);
	ck_assert_int_eq(pristine_pool_destroy(), 0);
	setrlimit(RLIMIT_NOFILE, &old);
	close(200);
	ck_assert(!has_children());
}
END_TEST

/*
 * State an exec keeps, changed after the members were made and between
 * two spawns: the program must get the state of now, as from glibc's
 * posix_spawn() (members are refreshed or set aside,
 * pristine_pool_create(3) says which). Each item in a child of its own:
 * MDWE cannot be undone.
 */
enum { PGID, MDWE, OOM, COREDUMP, THP, SLACK, UMASK, CWD, SIGIGN, OPENED,
       CLOSED, DUPED, SET_CLOEXEC, CLEAR_CLOEXEC, RLIMIT, NNP, NICE,
       AFFINITY, PERSONALITY, SECUREBITS, ITEMS };
static const char *const item_names[ITEMS] = {
	"process group", "MDWE", "oom_score_adj", "coredump_filter",
	"THP disable", "timer slack", "umask", "cwd", "ignored signal",
	"descriptor opened", "descriptor closed", "descriptor dup2'd",
	"close-on-exec set", "close-on-exec cleared", "resource limit",
	"no_new_privs", "nice value", "CPU affinity", "personality",
	"securebits",
};

/* Descriptors the items work on, set up before the members are made
 * (below 64: the library asks each number of a table that small, and
 * lists /proc/thread-self/fd for a larger one, as in
 * many_descriptors_take_the_default_path). */
#define ITEM_FD 40
#define ITEM_CLOEXEC_FD 41

static void write_proc(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(value, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* Makes the change; 0, or -1 if it cannot be made here (then the case
 * is skipped). */
static int change(int item, pid_t other_group)
{
	struct rlimit rl;
	cpu_set_t cpus;

	switch (item) {
	case PGID:	/* another group of this session */
		ck_assert_int_eq(setpgid(0, other_group), 0);
		break;
	case MDWE:
		ck_assert_int_eq(prctl(65 /* PR_SET_MDWE */, 1, 0, 0, 0), 0);
		break;
	case OOM:
		write_proc("/proc/self/oom_score_adj", "500");
		break;
	case COREDUMP:
		write_proc("/proc/self/coredump_filter", "0x3f");
		break;
	case THP:
		ck_assert_int_eq(prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0), 0);
		break;
	case SLACK:
		ck_assert_int_eq(prctl(PR_SET_TIMERSLACK, 123456, 0, 0, 0), 0);
		break;
	case UMASK:
		umask(0067);
		break;
	case CWD:
		ck_assert_int_eq(chdir("/tmp"), 0);
		break;
	case SIGIGN:
		signal(SIGWINCH, SIG_IGN);
		break;
	case OPENED:
		ck_assert_int_ge(open("/dev/null", O_RDONLY), 0);
		break;
	case CLOSED:
		ck_assert_int_eq(close(ITEM_FD), 0);
		break;
	case DUPED:
		ck_assert_int_eq(dup2(ITEM_FD, 50), 50);
		break;
	case SET_CLOEXEC:
		ck_assert_int_eq(fcntl(ITEM_FD, F_SETFD, FD_CLOEXEC), 0);
		break;
	case CLEAR_CLOEXEC:
		ck_assert_int_eq(fcntl(ITEM_CLOEXEC_FD, F_SETFD, 0), 0);
		break;
	case RLIMIT:
		ck_assert_int_eq(getrlimit(RLIMIT_CORE, &rl), 0);
		rl.rlim_cur = rl.rlim_cur == 4096 ? 8192 : 4096;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < rl.rlim_cur)
			rl.rlim_cur = 0;
		ck_assert_int_eq(setrlimit(RLIMIT_CORE, &rl), 0);
		break;
	case NNP:
		ck_assert_int_eq(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
		break;
	case NICE:
		ck_assert_int_eq(setpriority(PRIO_PROCESS, 0, 7), 0);
		break;
	case AFFINITY:
		CPU_ZERO(&cpus);
		ck_assert_int_eq(sched_getaffinity(0, sizeof(cpus), &cpus), 0);
		if (CPU_COUNT(&cpus) < 2)
			return -1;
		CPU_ZERO(&cpus);
		CPU_SET(0, &cpus);
		ck_assert_int_eq(sched_setaffinity(0, sizeof(cpus), &cpus), 0);
		break;
	case PERSONALITY:
		ck_assert_int_ge(personality(ADDR_NO_RANDOMIZE), 0);
		break;
	case SECUREBITS:	/* needs CAP_SETPCAP */
		if (prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP, 0, 0,
			  0) < 0)
			return -1;
		break;
	}
	return 0;
}

/* show-state by glibc's posix_spawn(): its output. */
static char *glibc_state(void)
{
	char *argv[] = { (char *)built("show-state"), NULL };
	int st;

	return capture(argv, &st);
}

/* show-state from template t, or the pool; kernel: the kernel's route
 * (under MDWE the loader's route is another story, issue 12). */
static char *pristine_state(pristine_template_t *t, int kernel)
{
	char *argv[] = { "show-state", NULL };
	pristine_spawn_file_actions_t fa;
	pristine_spawnattr_t at;
	int p[2], err;
	pid_t pid;
	char *out;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pristine_spawn_file_actions_init(&fa);
	pristine_spawn_file_actions_adddup2(&fa, p[1], 1);
	pristine_spawnattr_init(&at);
	pristine_spawnattr_setexecmode(&at, kernel ? PRISTINE_EXEC_KERNEL : 0);
	if (t)
		err = pristine_template_spawn(t, &pid, &fa, &at, argv, environ);
	else
		err = pristine_spawn(&pid, built("show-state"), &fa, &at, argv,
				     environ);
	pristine_spawn_file_actions_destroy(&fa);
	close(p[1]);
	ck_assert_msg(err == 0, "%s (%s)", strerror(err), pristine_errmsg());
	out = slurp_fd(p[0]);
	close(p[0]);
	wait_status(pid);
	return out;
}

static void state_item(int item)
{
	pristine_template_t *t;
	char *want, *out;
	pid_t other;
	int i;

	/* A group to move to, in this session. */
	other = fork();
	ck_assert_int_ge(other, 0);
	if (other == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* even if we fail */
		setpgid(0, 0);
		pause();
		_exit(0);
	}
	while (getpgid(other) != other)
		usleep(1000);
	ck_assert_int_eq(dup2(0, ITEM_FD), ITEM_FD);
	ck_assert_int_eq(fcntl(0, F_DUPFD_CLOEXEC, ITEM_CLOEXEC_FD),
			 ITEM_CLOEXEC_FD);
	ck_assert_int_eq(pristine_pool_create(2, 0), 0);
	t = pristine_template_create(built("show-state"), -1, 2, 0);
	ck_assert_msg(t != NULL, "%s", pristine_errmsg());
	await_members(4);
	/* A spawn before the change: what it read must not stick. */
	want = glibc_state();
	out = pristine_state(NULL, 0);
	ck_assert_msg(!strcmp(out, want), "before, pool:\n%s\nglibc:\n%s",
		      out, want);
	free(out);
	out = pristine_state(t, 0);
	ck_assert_msg(!strcmp(out, want), "before, template:\n%s\nglibc:\n%s",
		      out, want);
	free(out);
	free(want);
	if (change(item, other) < 0)
		_exit(77);
	want = glibc_state();
	for (i = 0; i < 2; i++) {	/* a member, then a refilled one */
		out = pristine_state(NULL, item == MDWE);
		ck_assert_msg(!strcmp(out, want), "%s, pool:\n%s\nglibc:\n%s",
			      item_names[item], out, want);
		free(out);
		out = pristine_state(t, item == MDWE);
		ck_assert_msg(!strcmp(out, want), "%s, template:\n%s\nglibc:"
			      "\n%s", item_names[item], out, want);
		free(out);
		usleep(100000);
	}
	free(want);
	pristine_template_destroy(t);
	ck_assert_int_eq(pristine_pool_destroy(), 0);
	kill(other, SIGKILL);
	wait_status(other);
}

/*
 * state_item() in a grandchild whose descriptor table is small (a fork
 * sizes it by the highest open descriptor, here below 64, whatever
 * the test was started with), so that the library asks each number
 * rather than list /proc/thread-self/fd; exits with its status.
 */
static void state_item_small_table(int item)
{
	pid_t pid;
	int st;

	close_range(64, ~0U, 0);
	pid = fork();
	if (pid < 0)
		_exit(1);
	if (pid == 0) {
		state_item(item);
		_exit(0);
	}
	st = wait_status(pid);
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
}

START_TEST(members_refresh_or_go)
{
	pid_t pid;
	int st;

	/* valgrind translates code into memory it writes and executes:
	 * under MDWE it runs out of memory and aborts. */
	if (_i == MDWE && under_valgrind()) {
		skip_case("valgrind cannot run under MDWE");
		return;
	}
	pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		state_item_small_table(_i);
	st = wait_status(pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
		skip_case("%s cannot be changed here", item_names[_i]);
		return;
	}
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "%s: status %#x", item_names[_i], st);
}
END_TEST

/* The same as uid 65534 (oom_score_adj may only be raised there; the
 * items a member refreshes are set with the caller's own rights). */
START_TEST(members_refresh_or_go_as_nobody)
{
	pid_t pid;
	int st, err;

	if (geteuid() != 0) {
		skip_case("not root: the case above ran as uid %d",
			  (int)geteuid());
		return;
	}
	if (_i == MDWE && under_valgrind()) {	/* as the case above */
		skip_case("valgrind cannot run under MDWE");
		return;
	}
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if ((err = become_nobody()))
			ck_abort_msg("cannot become uid 65534: %s",
				     strerror(err));
		state_item_small_table(_i);
	}
	st = wait_status(pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
		skip_case("%s cannot be changed as uid 65534", item_names[_i]);
		return;
	}
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "%s, uid 65534: status %#x", item_names[_i], st);
}
END_TEST

/*
 * A caller that enters a chroot after making a pool or a template: a
 * program from a member made before would run in the old root, outside
 * the jail. In an empty directory glibc's posix_spawn() finds nothing
 * (ENOENT); neither may the pool nor the template (whose image is open:
 * its interpreter is not in the new root either). A new empty process
 * cannot be had there either: the loader is outside the jail (ELIBACC,
 * pristine_spawn(3)); what must never happen is a program that runs.
 */
START_TEST(members_see_a_changed_root)
{
	char dir[] = "/tmp/pristine-root-XXXXXX", proc[64];
	pid_t pid;
	int st;

	if (under_valgrind()) {
		skip_case("valgrind emulates CLONE_VFORK with a fork: glibc's "
			  "posix_spawn() cannot report the exec's ENOENT");
		return;
	}
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(proc, sizeof(proc), "%s/proc", dir);
	ck_assert_int_eq(mkdir(proc, 0755), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *argv[] = { "show-aslr", NULL };
		const char *show = built("show-aslr");
		pristine_template_t *t;
		pid_t child;
		int glibc, pool, tmpl;

		/* With /proc in the jail, in a mount namespace of its own
		 * (without /proc no member is used at all), made while this
		 * process has one thread (unshare() needs it). */
		if (unshare(CLONE_NEWNS) < 0)
			_exit(77);
		ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE,
				       NULL), 0);
		ck_assert_int_eq(mount("proc", proc, "proc", 0, NULL), 0);
		ck_assert_int_eq(pristine_pool_create(2, 0), 0);
		t = pristine_template_create(show, -1, 1, 0);
		ck_assert_msg(t != NULL, "%s", pristine_errmsg());
		await_members(3);
		if (chroot(dir) < 0)
			_exit(77);
		ck_assert_int_eq(chdir("/"), 0);
		glibc = posix_spawn(&child, show, NULL, NULL, argv, environ);
		pool = pristine_spawn(&child, show, NULL, NULL, argv, environ);
		tmpl = pristine_template_spawn(t, &child, NULL, NULL, argv,
					       environ);
		ck_assert_msg(glibc == ENOENT, "glibc: %s", strerror(glibc));
		ck_assert_msg(pool == ENOENT || pool == ELIBACC, "pool: %s (%s)",
			      strerror(pool), pristine_errmsg());
		ck_assert_msg(tmpl == ENOENT || tmpl == ELIBACC,
			      "template: %s (%s)", strerror(tmpl),
			      pristine_errmsg());
		_exit(0);
	}
	st = wait_status(pid);
	rmdir(proc);
	rmdir(dir);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
		skip_case("a mount namespace and chroot() need "
			  "CAP_SYS_ADMIN and CAP_SYS_CHROOT");
		return;
	}
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x",
		      st);
}
END_TEST

/* The TracerPid of this thread. */
static long tracer_of_me(void)
{
	int fd = open("/proc/thread-self/status", O_RDONLY | O_CLOEXEC);
	char *text, *p;
	long pid;

	ck_assert_int_ge(fd, 0);
	text = slurp_fd(fd);
	close(fd);
	p = strstr(text, "\nTracerPid:\t");
	pid = p ? strtol(p + 11, NULL, 10) : -1;
	free(text);
	return pid;
}

/*
 * A tracer that comes after the members were made (strace -f -p, gdb -p)
 * would see neither the new child nor its exec of a member made before:
 * while the caller is traced the pool is not used (a new empty process,
 * the caller's child, whose image the kernel runs); once the tracer is
 * gone, members serve again.
 */
START_TEST(members_not_used_while_traced)
{
	pid_t pid;
	int st;

	if (under_valgrind()) {
		skip_case("valgrind does not let a process be traced");
		return;
	}
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		pid_t me = getpid(), tracer;
		int p[2];
		char c;

		ck_assert_int_eq(pristine_pool_create(2, 0), 0);
		await_members(2);
		free(run_show(NULL, NULL));
		ck_assert_int_eq(pristine_last_route(), PRISTINE_ROUTE_LOADER);
		ck_assert_int_eq(pipe(p), 0);
		prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
		tracer = fork();
		ck_assert_int_ge(tracer, 0);
		if (tracer == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			c = ptrace(PTRACE_SEIZE, me, NULL, NULL) == 0;
			if (write(p[1], &c, 1) != 1)
				_exit(1);
			/* Signals to the tracee stop it until we go on. */
			while (waitpid(me, &st, __WALL) == me)
				if (WIFSTOPPED(st))
					ptrace(PTRACE_CONT, me, NULL,
					       st >> 16 ? 0 : WSTOPSIG(st));
			_exit(0);
		}
		ck_assert_int_eq(read(p[0], &c, 1), 1);
		if (!c)
			_exit(77);
		ck_assert_int_eq(tracer_of_me(), tracer);
		await_members(2);
		free(run_show(NULL, NULL));
		ck_assert_int_eq(pristine_last_route(),
				 PRISTINE_ROUTE_KERNEL_FRESH);
		kill(tracer, SIGKILL);
		wait_status(tracer);
		ck_assert_int_eq(tracer_of_me(), 0);
		await_members(2);
		free(run_show(NULL, NULL));
		ck_assert_int_eq(pristine_last_route(), PRISTINE_ROUTE_LOADER);
		ck_assert_int_eq(pristine_pool_destroy(), 0);
		_exit(0);
	}
	st = wait_status(pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
		skip_case("this process may not be traced here");
		return;
	}
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x",
		      st);
}
END_TEST

START_TEST(signalled_or_dead_members_are_not_used)
{
	char *sleep0[] = { "sleep", "0", NULL };
	pid_t pids[8], pid;
	int i, n, st;

	ck_assert_int_eq(pristine_pool_create(2, 0), 0);
	await_members(2);
	/* A signal sent to an idle member is not the program's. */
	n = idle_members(pids, 8);
	for (i = 0; i < n; i++)
		kill(pids[i], SIGINT);
	ck_assert_int_eq(pristine_spawnp(&pid, "sleep", NULL, NULL, sleep0,
					 environ), 0);
	st = wait_status(pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %x", st);
	/* Members killed while idle: the spawn takes the default path. */
	await_members(2);
	n = idle_members(pids, 8);
	for (i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	usleep(50000);
	ck_assert_int_eq(pristine_spawnp(&pid, "sleep", NULL, NULL, sleep0,
					 environ), 0);
	ck_assert_int_eq(wait_status(pid), 0);
	ck_assert_int_eq(pristine_pool_destroy(), 0);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}
END_TEST

/* Credentials changed after the members were made: not used. */
START_TEST(members_with_stale_credentials_are_not_used)
{
	char *id[] = { "id", "-G", NULL };
	gid_t groups[] = { 0, 4242 };
	int st, err;
	char *out;

	ck_assert_int_eq(pristine_pool_create(2, 0), 0);
	await_members(2);
	if (setgroups(2, groups) < 0) {
		err = errno;
		ck_assert_int_eq(pristine_pool_destroy(), 0);
		skip_case("setgroups: %s: cannot change the credentials",
			  strerror(err));
		return;
	}
	out = spawn_output(id, &st);
	ck_assert_str_eq(out, "0 4242\n");
	free(out);
	setgroups(1, groups);
	ck_assert_int_eq(pristine_pool_destroy(), 0);
}
END_TEST

START_TEST(pdeathsig_follows_the_caller_not_the_pool)
{
	int h, pidfd, st;
	pid_t pid;

	ck_assert_int_eq(pristine_pool_create(1, 0), 0);
	await_members(1);
	ck_assert_int_ge(h = pristine_open(0), 0);
	pristine_config(h, PRISTINE_SET_PATH, "exec", "/bin/sleep", AT_FDCWD);
	pristine_config(h, PRISTINE_SET_STRING, "argv", "sleep", 0);
	pristine_config(h, PRISTINE_SET_STRING, "argv", "30", 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_INT, "pdeathsig",
					 NULL, SIGTERM), 0);
	pidfd = pristine_run(h, &pid);
	ck_assert_msg(pidfd >= 0, "%s", pristine_errmsg());
	/* The pool's thread goes away; the program stays. */
	ck_assert_int_eq(pristine_pool_destroy(), 0);
	usleep(100000);
	ck_assert_int_eq(waitpid(pid, &st, WNOHANG), 0);
	kill(pid, SIGKILL);
	wait_status(pid);
	close(pidfd);
}
END_TEST

static pristine_template_t *shared_template;

static int spawn_from_template(pid_t *pid, char *const argv[])
{
	return pristine_template_spawn(shared_template, pid, NULL, NULL, argv,
				       environ);
}

START_TEST(threads)
{
	int fds = count_fds();

	ck_assert_int_eq(pristine_pool_create(4, 0), 0);
	shared_template = pristine_template_create("/bin/true", -1, 4, 0);
	ck_assert_ptr_nonnull(shared_template);
	ck_assert_int_eq(spawn_from_threads(8, 50, spawn_from_template), 0);
	pristine_template_destroy(shared_template);
	ck_assert_int_eq(pristine_pool_destroy(), 0);
	ck_assert_int_eq(count_fds(), fds);
	ck_assert(!has_children());
}
END_TEST

static Suite *reserve_suite(void)
{
	Suite *s = suite_create("pool and templates");
	TCase *tc = testlib_tcase(s, "reserves", 60);

	tcase_add_test(tc, pool_processes_are_fresh);
	tcase_add_test(tc, pool_destroy_errmsg);
	tcase_add_test(tc, template_processes_are_fresh);
	tcase_add_test(tc, template_notices_a_changed_file);
	tcase_add_test(tc, template_modes_notice_a_changed_file);
	tcase_add_test(tc, template_bad_image_fails_at_create);
	tcase_add_test(tc, fork_child_does_not_use_the_pool);
	tcase_add_test(tc, members_exit_with_the_caller);
	tcase_add_test(tc, exhaustion_and_refill);
	tcase_add_test(tc, members_get_the_state_of_now);
	tcase_add_test(tc, open_draws_from_the_pool);
	tcase_add_test(tc, many_descriptors_take_the_default_path);
	tcase_add_test(tc, members_that_cannot_serve_are_set_aside);
	tcase_add_loop_test(tc, members_refresh_or_go, 0, ITEMS);
	tcase_add_loop_test(tc, members_refresh_or_go_as_nobody, 0, ITEMS);
	tcase_add_test(tc, members_see_a_changed_root);
	tcase_add_test(tc, members_not_used_while_traced);
	tcase_add_test(tc, signalled_or_dead_members_are_not_used);
	tcase_add_test(tc, members_with_stale_credentials_are_not_used);
	tcase_add_test(tc, pdeathsig_follows_the_caller_not_the_pool);
	tcase_add_test(tc, threads);
	return s;
}

int main(void)
{
	static Suite *(*const suites[])(void) = { reserve_suite, NULL };

	return testlib_main(suites);
}
