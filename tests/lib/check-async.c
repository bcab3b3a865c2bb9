/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * pristine_run_start() and pristine_run_finish(): the run that does not
 * wait, against pristine_run() for the same input. Every case runs in a
 * child of its own, in four variants: without and with a pool, as this
 * process's user and as uid 65534.
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
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pristine.h"
#include "lib-tests.h"

#define POOL_SIZE 2
#define MANY 50

static const char *const variant_names[] = {
	"no pool", "pool", "no pool, uid 65534", "pool, uid 65534",
};

static int with_pool;
static char dir[256];

/* The children that are idle empty processes (pool members, handles). */
static int empty_processes(pid_t *pids, int max)
{
	return children_named("pristine-loader", pids, max);
}

/* With a pool: waits until it is full again, so that its refills do not
 * change the descriptor count between two looks. */
static void settle(void)
{
	int i;

	if (!with_pool)
		return;
	for (i = 0; i < 500 && empty_processes(NULL, 0) < POOL_SIZE; i++)
		usleep(10000);
	ck_assert_int_ge(empty_processes(NULL, 0), POOL_SIZE);
	usleep(20000);
}

/* Is there a child that exited and is not reaped? */
static int zombie_child(void)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) == 0
	       && si.si_pid != 0;
}

/* Waits for the process of pidfd; its wait status as waitpid() has it. */
static int pidfd_status(int pidfd)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	while (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0)
		ck_assert_int_eq(errno, EINTR);
	return si.si_code == CLD_EXITED ? W_EXITCODE(si.si_status, 0)
					: si.si_status;
}

/* A handle for path (NULL: none) with argv[0] "x"; *err the errno of a
 * configuration refused. */
static int configured(const char *path, const char *key, int value,
		      int *err)
{
	int h = pristine_open(0);

	*err = 0;
	ck_assert_msg(h >= 0, "open: %s", pristine_errmsg());
	/* "name:PATH": by PRISTINE_SET_STRING, opened at the run. */
	if (path && !strncmp(path, "name:", 5) &&
	    pristine_config(h, PRISTINE_SET_STRING, "exec", path + 5, 0) < 0)
		*err = errno;
	else if (path && strncmp(path, "name:", 5) &&
		 pristine_config(h, PRISTINE_SET_PATH, "exec", path,
				 AT_FDCWD) < 0)
		*err = errno;
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "argv", "x",
					 0), 0);
	if (key && !strcmp(key, "big argv")) {	/* value KiB */
		char *big = malloc((size_t)value * 1024 + 1);

		ck_assert_ptr_nonnull(big);
		memset(big, 'a', (size_t)value * 1024);
		big[value * 1024] = 0;
		if (!*err && pristine_config(h, PRISTINE_SET_STRING, "argv",
					     big, 0) < 0)
			*err = errno;
		free(big);
	} else if (key && !*err && pristine_config(h, PRISTINE_SET_INT, key,
						   NULL, value) < 0) {
		*err = errno;
	}
	return h;
}

/* Waits up to 10 s for the handle to turn readable. */
static void await_readable(int h)
{
	struct pollfd p = { .fd = h, .events = POLLIN };

	ck_assert_int_eq(poll(&p, 1, 10000), 1);
	ck_assert(p.revents & (POLLIN | POLLHUP));
}

/* Runs the case body in a child, in variant v. */
static void in_variant(void (*body)(void), int v)
{
	pid_t pid;
	int st, err;

	if ((v & 2) && geteuid() != 0) {
		skip_case("not root: the variants above ran as uid %d",
			  (int)geteuid());
		return;
	}
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if ((v & 2) && (err = become_nobody()))
			ck_abort_msg("cannot become uid 65534: %s",
				     strerror(err));
		with_pool = v & 1;
		if (with_pool)
			ck_assert_int_eq(pristine_pool_create(POOL_SIZE, 0),
					 0);
		scratch_dir(dir, sizeof(dir), "async");
		body();
		remove_tree(dir);
		_exit(0);
	}
	st = wait_status(pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: status %#x",
		      variant_names[v], st);
}

static void success_body(void)
{
	static const char *const modes[] = { "default", "kernel", "loader" };
	int i, h, pidfd, p[2], fds;
	pid_t pid;
	char *out;

	for (i = 0; i < 3; i++) {
		settle();
		fds = count_fds();
		ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
		h = pristine_open(0);
		ck_assert_int_ge(h, 0);
		ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "exec",
						 "/bin/echo", AT_FDCWD), 0);
		pristine_config(h, PRISTINE_SET_STRING, "argv", "echo", 0);
		pristine_config(h, PRISTINE_SET_STRING, "argv", modes[i], 0);
		pristine_config(h, PRISTINE_SET_FD, "fd:1", NULL, p[1]);
		ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING,
						 "mode", modes[i], 0), 0);
		pid = 0;
		pidfd = pristine_run_start(h, &pid);
		close(p[1]);
		ck_assert_msg(pidfd >= 0, "%s: start: %s", modes[i],
			      pristine_errmsg());
		ck_assert_int_gt(pid, 0);
		ck_assert_int_ne(fcntl(pidfd, F_GETFD) & FD_CLOEXEC, 0);
		await_readable(h);
		ck_assert_msg(pristine_run_finish(h) == 0, "%s: finish: %s",
			      modes[i], pristine_errmsg());
		if (i == 1)
			ck_assert_int_eq(pristine_last_route(),
					 PRISTINE_ROUTE_KERNEL_ASKED);
		/* The handle is consumed. */
		ck_assert_int_eq(fcntl(h, F_GETFD), -1);
		out = slurp_fd(p[0]);
		close(p[0]);
		ck_assert_str_eq(out, i == 0 ? "default\n"
				 : i == 1 ? "kernel\n" : "loader\n");
		free(out);
		ck_assert_int_eq(pidfd_status(pidfd), 0);
		close(pidfd);
		ck_assert(!zombie_child());
		settle();
		ck_assert_int_eq(count_fds(), fds);
	}
}

START_TEST(success_path)
{
	in_variant(success_body, _i);
}
END_TEST

/* How one input fails: the errno of the configuration, or of the run;
 * synchronous or not. Every descriptor and child is gone after it. */
struct outcome {
	int config_err, run_err;
};

static struct outcome run_input(const char *path, const char *key,
				int value, int async)
{
	struct outcome o = { 0, 0 };
	int h, pidfd, fds;
	pid_t pid = 4242;

	settle();
	fds = count_fds();
	h = configured(path, key, value, &o.config_err);
	if (o.config_err) {
		close(h);
	} else if (!async) {
		pidfd = pristine_run(h, &pid);
		if (pidfd < 0) {
			o.run_err = errno;
		} else {
			pidfd_status(pidfd);
			close(pidfd);
		}
	} else if ((pidfd = pristine_run_start(h, &pid)) < 0) {
		o.run_err = errno;
		ck_assert_int_eq(pid, 4242);
	} else {
		await_readable(h);
		if (pristine_run_finish(h) < 0) {
			o.run_err = errno;
			/* Reaped by the finish, exactly once. */
			ck_assert_int_eq(waitid(P_PIDFD, (id_t)pidfd,
						&(siginfo_t){ 0 }, WEXITED |
						WNOHANG), -1);
			ck_assert_int_eq(errno, ECHILD);
		} else {
			pidfd_status(pidfd);
		}
		close(pidfd);
	}
	/* A handle closed unrun is noticed at the next call. */
	if (o.config_err)
		pristine_run_finish(-1);
	ck_assert(!zombie_child());
	settle();
	ck_assert_int_eq(count_fds(), fds);
	return o;
}

static void make_file(const char *name, const char *text, mode_t mode,
		      char *path, size_t len)
{
	snprintf(path, len, "%s/%s", dir, name);
	write_file(path, text, strlen(text), mode);
}

static void failures_body(void)
{
	char noexec[300], garbage[300], script[300], elf[300];
	struct {
		const char *what, *path, *key;
		int value, err;
	} in[] = {
		{ "a missing file", "/nonexistent/x", NULL, 0, ENOENT },
		{ "a missing file by name", "name:/nonexistent/x", NULL, 0,
		  ENOENT },
		{ "a directory by name", "name:/", NULL, 0, EACCES },
		{ "a file without x by name", "name:/etc/passwd", NULL, 0,
		  EACCES },
		{ "a file without x", noexec, NULL, 0, EACCES },
		{ "a directory", "/", NULL, 0, EACCES },
		{ "an image of no known format", garbage, NULL, 0, ENOEXEC },
		{ "a script's missing interpreter", script, NULL, 0, ENOENT },
		{ "an ELF header alone", elf, NULL, 0, 0 },
		{ "a refused key (pgroup 1)", "/bin/true", "pgroup", 1, EPERM },
		{ "an argument of 128 KiB", "/bin/true", "big argv", 128,
		  E2BIG },
		{ "a nice value", "/bin/true", "nice", -20, 0 },
	};
	size_t i;

	make_file("noexec", "\177ELF", 0644, noexec, sizeof(noexec));
	make_file("garbage", "garbage\n", 0755, garbage, sizeof(garbage));
	make_file("script", "#!/nonexistent/interp\n", 0755, script,
		  sizeof(script));
	make_file("elf", "\177ELF", 0755, elf, sizeof(elf));
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct outcome s = run_input(in[i].path, in[i].key,
					     in[i].value, 0);
		struct outcome a = run_input(in[i].path, in[i].key,
					     in[i].value, 1);
		int err = s.config_err ? s.config_err : s.run_err;

		ck_assert_msg(s.config_err == a.config_err &&
			      s.run_err == a.run_err, "%s: sync %s/%s, "
			      "async %s/%s", in[i].what,
			      strerrorname_np(s.config_err),
			      strerrorname_np(s.run_err),
			      strerrorname_np(a.config_err),
			      strerrorname_np(a.run_err));
		/* (0: root's and uid 65534's differ; compared only.) */
		if (in[i].err)
			ck_assert_msg(err == in[i].err, "%s: %s", in[i].what,
				      strerrorname_np(err));
	}
}

START_TEST(failures_as_sync)
{
	in_variant(failures_body, _i);
}
END_TEST

/* The empty process of a handle is killed before its run. */
static int run_dead(int async)
{
	pid_t pids[16];
	int h, n, i, err, pidfd;

	h = configured("/bin/true", NULL, 0, &err);
	ck_assert_int_eq(err, 0);
	/* Without a pool the handle's is the only one; with, all go. */
	n = empty_processes(pids, 16);
	ck_assert_int_ge(n, 1);
	ck_assert(with_pool || n == 1);
	for (i = 0; i < n && i < 16; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < n && i < 16; i++)
		await_death(pids[i]);
	if (!async) {
		pidfd = pristine_run(h, NULL);
		ck_assert_int_eq(pidfd, -1);
		return errno;
	}
	if ((pidfd = pristine_run_start(h, NULL)) < 0)
		return errno;
	await_readable(h);
	ck_assert_int_eq(pristine_run_finish(h), -1);
	err = errno;
	close(pidfd);
	return err;
}

static void dead_body(void)
{
	int fds, s, a;

	settle();
	fds = count_fds();
	s = run_dead(0);
	a = run_dead(1);
	ck_assert_msg(s == ESRCH && a == ESRCH, "sync %s, async %s",
		      strerrorname_np(s), strerrorname_np(a));
	if (with_pool) {	/* its members killed idle are its to reap */
		ck_assert_int_eq(pristine_pool_destroy(), 0);
		ck_assert_int_eq(pristine_pool_create(POOL_SIZE, 0), 0);
	}
	ck_assert(!zombie_child());
	settle();
	ck_assert_int_eq(count_fds(), fds);
}

START_TEST(dead_empty_process)
{
	in_variant(dead_body, _i);
}
END_TEST

/* Does the library keep no descriptor for a started run? With pidfs and
 * pidfd_open() (not under valgrind) it keeps the pidfd's inode instead
 * of a copy of the pidfd, which its next call would close. */
static int keeps_no_pidfd(void)
{
	struct statfs sf;
	int fd = (int)syscall(SYS_pidfd_open, getpid(), 0), yes;

	yes = fd >= 0 && fstatfs(fd, &sf) == 0 && sf.f_type == 0x50494446;
	if (fd >= 0)
		close(fd);
	return yes;
}

/* A file no one may execute, root included: refused at the run. */
static void make_noexec(char *path, size_t len)
{
	snprintf(path, len, "%s/noexec", dir);
	write_file(path, "\177ELF", 4, 0644);
}

static void closed_body(void)
{
	char noexec[300];
	int h, err, pidfd, fds, i;

	make_noexec(noexec, sizeof(noexec));
	for (i = 0; i < 2; i++) {	/* one runs, one fails */
		settle();
		fds = count_fds();
		h = configured(i ? noexec : "/bin/true", NULL, 0, &err);
		ck_assert_int_eq(err, 0);
		pidfd = pristine_run_start(h, NULL);
		ck_assert_int_ge(pidfd, 0);
		close(h);
		/* The pidfd's owner reaps: the program, or the empty process
		 * that could not run it (status 127). */
		ck_assert_int_eq(pidfd_status(pidfd), i ? W_EXITCODE(127, 0)
							 : 0);
		close(pidfd);
		ck_assert(!zombie_child());
		settle();
		/* Nothing left, not even before the next call (unless the
		 * library had to keep a copy of the pidfd). */
		if (!keeps_no_pidfd())
			pristine_run_finish(-1);
		ck_assert_int_eq(count_fds(), fds);
		/* Finish of a closed handle: not a handle. */
		ck_assert_int_eq(pristine_run_finish(h), -1);
		ck_assert_int_eq(errno, EBADF);
	}
}

START_TEST(closed_without_finish)
{
	in_variant(closed_body, _i);
}
END_TEST

static void many_body(void)
{
	int h[MANY], pidfd[MANY], done[MANY] = { 0 }, fds, i, left = MANY;
	char noexec[300];
	int err;

	make_noexec(noexec, sizeof(noexec));
	settle();
	fds = count_fds();
	for (i = 0; i < MANY; i++) {
		/* Every fifth fails, at the run. */
		h[i] = configured(i % 5 == 4 ? noexec : "/bin/true", NULL, 0,
				  &err);
		ck_assert_int_eq(err, 0);
		pidfd[i] = pristine_run_start(h[i], NULL);
		ck_assert_msg(pidfd[i] >= 0, "%d: %s", i, pristine_errmsg());
	}
	/* Finished as they turn readable, in reverse order within a poll. */
	while (left) {
		struct pollfd p[MANY];
		int map[MANY], n = 0, k;

		for (i = 0; i < MANY; i++)
			if (!done[i]) {
				p[n] = (struct pollfd){ h[i], POLLIN, 0 };
				map[n++] = i;
			}
		ck_assert_int_gt(poll(p, (nfds_t)n, 10000), 0);
		for (k = n - 1; k >= 0; k--) {
			if (!p[k].revents)
				continue;
			i = map[k];
			err = pristine_run_finish(h[i]) < 0 ? errno : 0;
			ck_assert_msg(err == (i % 5 == 4 ? EACCES : 0),
				      "%d: %s", i, pristine_errmsg());
			done[i] = 1;
			left--;
		}
	}
	for (i = 0; i < MANY; i++) {
		if (i % 5 != 4)
			ck_assert_int_eq(pidfd_status(pidfd[i]), 0);
		close(pidfd[i]);
	}
	ck_assert(!zombie_child());
	settle();
	ck_assert_int_eq(count_fds(), fds);
}

START_TEST(many_outstanding)
{
	in_variant(many_body, _i);
}
END_TEST

#define THREADS 4

/* One thread's runs: started, finished and waited for in turn, half of
 * them finished by the next thread (a handle may change threads). */
struct relay {
	int h[MANY / THREADS], pidfd[MANY / THREADS];
	struct relay *next;
	pthread_barrier_t *all;
	int bad;
};

static void *relay_runs(void *arg)
{
	struct relay *r = arg;
	int i, err, n = MANY / THREADS;

	for (i = 0; i < n; i++) {
		r->h[i] = configured("/bin/true", NULL, 0, &err);
		r->pidfd[i] = err ? -1 : pristine_run_start(r->h[i], NULL);
		r->bad += r->pidfd[i] < 0;
		if (i % 2 == 0 && r->pidfd[i] >= 0) {
			r->bad += pristine_run_finish(r->h[i]) != 0;
			r->bad += pidfd_status(r->pidfd[i]) != 0;
			close(r->pidfd[i]);
		}
	}
	pthread_barrier_wait(r->all);
	for (i = 1; i < n; i += 2) {	/* the next thread's odd runs */
		if (r->next->pidfd[i] < 0)
			continue;
		await_readable(r->next->h[i]);
		r->bad += pristine_run_finish(r->next->h[i]) != 0;
		r->bad += pidfd_status(r->next->pidfd[i]) != 0;
		close(r->next->pidfd[i]);
	}
	return NULL;
}

static void threads_body(void)
{
	static struct relay r[THREADS];
	pthread_barrier_t all;
	pthread_t t[THREADS];
	int i, fds;

	settle();
	fds = count_fds();
	pthread_barrier_init(&all, NULL, THREADS);
	for (i = 0; i < THREADS; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].next = &r[(i + 1) % THREADS];
		r[i].all = &all;
	}
	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, relay_runs, &r[i]),
				 0);
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		ck_assert_msg(r[i].bad == 0, "thread %d: %d runs went wrong",
			      i, r[i].bad);
	}
	pthread_barrier_destroy(&all);
	ck_assert(!zombie_child());
	settle();
	ck_assert_int_eq(count_fds(), fds);
}

START_TEST(from_threads)
{
	in_variant(threads_body, _i);
}
END_TEST

/* A handle takes the calls of its phase only. */
START_TEST(calls_out_of_order)
{
	int h, pidfd, err;

	ck_assert_int_eq(pristine_run_start(-1, NULL), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(pristine_run_finish(0), -1);
	ck_assert_int_eq(errno, EBADF);
	h = configured(NULL, NULL, 0, &err);
	ck_assert_int_eq(pristine_run_finish(h), -1);	/* not started */
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(pristine_run_start(h, NULL), -1);	/* no exec */
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(fcntl(h, F_GETFD), -1);	/* consumed, as a run */
	h = configured("/bin/true", NULL, 0, &err);
	pidfd = pristine_run_start(h, NULL);
	ck_assert_int_ge(pidfd, 0);
	ck_assert_int_eq(pristine_run_start(h, NULL), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_int_eq(pristine_run(h, NULL), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "argv", "y",
					 0), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_int_eq(pristine_run_finish(h), 0);	/* waits */
	ck_assert_int_eq(pidfd_status(pidfd), 0);
	close(pidfd);
	ck_assert(!has_children());
}
END_TEST

static Suite *async_suite(void)
{
	Suite *s = suite_create("run without a wait");
	TCase *tc = testlib_tcase(s, "start-finish", 120);

	tcase_add_loop_test(tc, success_path, 0, 4);
	tcase_add_loop_test(tc, failures_as_sync, 0, 4);
	tcase_add_loop_test(tc, dead_empty_process, 0, 4);
	tcase_add_loop_test(tc, closed_without_finish, 0, 4);
	tcase_add_loop_test(tc, many_outstanding, 0, 4);
	tcase_add_loop_test(tc, from_threads, 0, 4);
	tcase_add_test(tc, calls_out_of_order);
	return s;
}

int main(void)
{
	static Suite *(*const suites[])(void) = { async_suite, NULL };

	return testlib_main(suites);
}
