/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testlib.h"
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

/* ------------------------------------------------------------------ */
/* The runner                                                          */
/* ------------------------------------------------------------------ */

/*
 * A case runs in a child of the runner (Check's fork mode) or in the
 * runner itself (CK_FORK=no). Either way it appends its notes, one line
 * each, "K S reason" (skipped) or "K T reason" (expected to fail), to a
 * file the runner reads once all cases ran; K is the case's number, one
 * more than the number of cases the runner had finished when it began.
 */
static SRunner *runner;
static int notes_fd = -1;

struct result {
	char *name;		/* "test case: function" */
	int loop;		/* its iteration, or -1: not a loop test */
	char skip[256];		/* the notes, "" if none */
	char todo[256];
};

static void note(char kind, const char *fmt, va_list ap)
{
	char line[512], *p;
	int n;

	n = snprintf(line, sizeof(line), "%d %c ",
		     srunner_ntests_run(runner) + 1, kind);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	for (p = line + n; *p; p++)
		if (*p == '\n')
			*p = ' ';
	*p++ = '\n';
	ck_assert_int_eq(write(notes_fd, line, (size_t)(p - line)),
			 p - line);
}

void skip_case(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	note('S', fmt, ap);
	va_end(ap);
}

void expect_failure(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	note('T', fmt, ap);
	va_end(ap);
}

TCase *testlib_tcase(Suite *s, const char *name, int timeout)
{
	TCase *tc = tcase_create(name);

	if (timeout)
		tcase_set_timeout(tc, timeout);
	suite_add_tcase(s, tc);
	return tc;
}

/*
 * The names of the n cases, in the order they ran, from the TAP log Check
 * wrote: "ok K - FILE:TCASE:FUNCTION: MESSAGE" (a message may go on for
 * more lines). Iterations of a loop test are told apart by their number.
 */
static void read_names(FILE *f, struct result *r, int n)
{
	char line[4096];
	int k = 0, i;

	while (k < n && fgets(line, sizeof(line), f)) {
		char *p = line, tcase[256], fn[256];
		int num;

		if (!strncmp(p, "not ", 4))
			p += 4;
		if (sscanf(p, "ok %d - %*[^:]:%255[^:]:%255[^:]:", &num, tcase,
			   fn) != 3 || num != k + 1)
			continue;
		if (asprintf(&r[k].name, "%s: %s", tcase, fn) < 0)
			abort();
		k++;
	}
	for (i = k; i < n; i++)
		r[i].name = strdup("?");
	for (i = 0; i < n; i++) {
		int prev = i > 0 && !strcmp(r[i].name, r[i - 1].name);
		int next = i + 1 < n && !strcmp(r[i].name, r[i + 1].name);

		r[i].loop = prev ? r[i - 1].loop + 1 : next ? 0 : -1;
	}
}

static void read_notes(FILE *f, struct result *r, int n)
{
	char line[600], kind, why[256];
	int k;

	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%d %c %255[^\n]", &k, &kind, why) == 3 &&
		    k >= 1 && k <= n)
			snprintf(kind == 'S' ? r[k - 1].skip : r[k - 1].todo,
				 sizeof(r[k - 1].skip), "%s", why);
}

/* TAP text: a '#' would start a directive. */
static void put_escaped(FILE *out, const char *s, size_t len)
{
	for (; len-- && *s; s++) {
		if (*s == '#')
			fputc('\\', out);
		fputc(*s, out);
	}
}

/*
 * Case k as a TAP line: its name, and if it failed where and why (the
 * first line of the message; the others follow as TAP comments). Returns
 * 1 if it counts as a failure: failed unexpectedly, or passed although
 * expected to fail.
 */
static int report(FILE *out, int k, const struct result *r, TestResult *tr)
{
	int passed = tr_rtype(tr) == CK_PASS, expected = *r->todo != 0;
	const char *msg = tr_msg(tr);
	size_t len = strcspn(msg, "\n");

	fprintf(out, "%sok %d - ", passed ? "" : "not ", k);
	put_escaped(out, r->name, strlen(r->name));
	if (r->loop >= 0)
		fprintf(out, "[%d]", r->loop);
	if (!passed) {
		fprintf(out, ": %s:%d: ", tr_lfile(tr), tr_lno(tr));
		put_escaped(out, msg, len);
	}
	if (expected)
		fprintf(out, " # TODO %s", r->todo);
	else if (passed && *r->skip)
		fprintf(out, " # SKIP %s", r->skip);
	fputc('\n', out);
	while (!passed && msg[len]) {
		msg += len + 1;
		len = strcspn(msg, "\n");
		fprintf(out, "# %.*s\n", (int)len, msg);
	}
	return passed == expected;
}

static FILE *temp_file(char *path, size_t len)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	snprintf(path, len, "%s/pristine-check-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0) {
		perror(path);
		exit(99);
	}
	return fdopen(fd, "w+");
}

int testlib_main(Suite *(*const suites[])(void))
{
	char tap_path[4096], notes_path[4096];
	FILE *tap, *notes;
	TestResult **trs;
	struct result *r;
	int stdout_fd, n, k, failed = 0;

	runner = srunner_create(suites[0]());
	for (k = 1; suites[k]; k++)
		srunner_add_suite(runner, suites[k]());
	tap = temp_file(tap_path, sizeof(tap_path));
	notes = temp_file(notes_path, sizeof(notes_path));
	notes_fd = fileno(notes);
	srunner_set_tap(runner, tap_path);
	/* stdout is for TAP alone: while the cases run, fd 1 is stderr. */
	fflush(stdout);
	stdout_fd = fcntl(1, F_DUPFD_CLOEXEC, 100);
	if (stdout_fd < 0 || dup2(2, 1) < 0) {
		perror("stdout");
		exit(99);
	}
	srunner_run_all(runner, CK_ENV);
	fflush(stdout);
	dup2(stdout_fd, 1);
	close(stdout_fd);

	n = srunner_ntests_run(runner);
	r = calloc((size_t)n + 1, sizeof(*r));
	read_names(tap, r, n);
	rewind(notes);
	read_notes(notes, r, n);
	trs = srunner_results(runner);
	printf("1..%d\n", n);
	for (k = 0; k < n; k++) {
		failed |= report(stdout, k + 1, &r[k], trs[k]);
		free(r[k].name);
	}
	fflush(stdout);
	free(trs);
	free(r);
	fclose(tap);
	fclose(notes);
	unlink(tap_path);
	unlink(notes_path);
	srunner_free(runner);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Files and directories                                               */
/* ------------------------------------------------------------------ */

void scratch_dir(char *dir, size_t len, const char *name)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, len, "%s/pristine-%s-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp", name);
	if (!mkdtemp(dir) || chmod(dir, 0755) < 0) {
		perror(dir);
		exit(99);
	}
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

void remove_tree(const char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *built(const char *name)
{
	static char path[4][4096];
	static int k;
	const char *dir = getenv("tests_builddir");

	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", dir ? dir : ".", name);
	return path[k];
}

int have_program(const char *name)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

void write_file(const char *path, const void *buf, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ck_assert_msg(fd >= 0, "create %s: %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

void copy_file(const char *from, const char *to, mode_t mode)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	char buf[65536];
	ssize_t n;

	ck_assert_msg(in >= 0, "%s: %s", from, strerror(errno));
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_msg(out >= 0, "%s: %s", to, strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ck_assert_int_eq(write(out, buf, (size_t)n), n);
	ck_assert_int_eq(n, 0);
	close(in);
	ck_assert_int_eq(close(out), 0);
	ck_assert_int_eq(chmod(to, mode), 0);
}

/* ------------------------------------------------------------------ */
/* Processes                                                           */
/* ------------------------------------------------------------------ */

int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

int wait_status(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		ck_assert_int_eq(errno, EINTR);
	return st;
}

char *slurp_fd(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	while ((n = read(fd, buf + len, cap - len - 1)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		ck_assert_int_ge(n, 0);
		len += (size_t)n;
		if (cap - len < 2)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = 0;
	return buf;
}

char *capture(char *const argv[], int *status)
{
	posix_spawn_file_actions_t fa;
	int p[2];
	pid_t pid;
	char *out;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	ck_assert_int_eq(posix_spawnp(&pid, argv[0], &fa, NULL, argv,
				      environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	out = slurp_fd(p[0]);
	close(p[0]);
	*status = wait_status(pid);
	return out;
}

int has_children(void)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) == 0;
}

int under_valgrind(void)
{
	return RUNNING_ON_VALGRIND != 0;
}

/* /proc/PID/stat: comm and the fields after it. */
static int read_stat(pid_t pid, char *comm, size_t len, char *state,
		     pid_t *ppid)
{
	char path[64], buf[1024], *open_, *close_;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	open_ = strchr(buf, '(');
	close_ = strrchr(buf, ')');
	if (!open_ || !close_ || close_ < open_)
		return -1;
	snprintf(comm, len, "%.*s", (int)(close_ - open_ - 1), open_ + 1);
	return sscanf(close_ + 2, "%c %d", state, ppid) == 2 ? 0 : -1;
}

/* children_of(), those in state want only (any but zombies if 0). */
static int children_in(pid_t parent, const char *name, char want,
		       pid_t *pids, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		char comm[64], state;
		pid_t pid = atoi(e->d_name), ppid;

		if (pid <= 0 || read_stat(pid, comm, sizeof(comm), &state,
					  &ppid) < 0)
			continue;
		if (ppid != parent || (name && strcmp(comm, name)) ||
		    state == 'Z' || (want && state != want))
			continue;
		if (pids && n < max)
			pids[n] = pid;
		n++;
	}
	closedir(d);
	return n;
}

int children_of(pid_t parent, const char *name, pid_t *pids, int max)
{
	return children_in(parent, name, 0, pids, max);
}

int await_waiting_members(int n, pid_t *pids, int max)
{
	int i;

	for (i = 0; i < 500 && children_in(getpid(), "pristine-loader", 'S',
					   NULL, 0) < n; i++)
		usleep(10000);
	usleep(20000);
	return children_in(getpid(), "pristine-loader", 'S', pids, max);
}

int children_named(const char *name, pid_t *pids, int max)
{
	return children_of(getpid(), name, pids, max);
}

pid_t child_named(const char *name)
{
	pid_t pid = 0;
	int i, n = 0;

	for (i = 0; i < 500 && (n = children_named(name, &pid, 1)) == 0; i++)
		usleep(10000);
	ck_assert_msg(n == 1, "%d children named %s", n, name);
	return pid;
}

void await_death(pid_t pid)
{
	char comm[64], state = 0;
	pid_t ppid;
	int i;

	for (i = 0; i < 500; i++) {
		if (read_stat(pid, comm, sizeof(comm), &state, &ppid) < 0 ||
		    state == 'Z' || state == 'X')
			return;
		usleep(10000);
	}
	ck_abort_msg("pid %d still alive (state %c)", (int)pid, state);
}

void await_syscall(pid_t pid, int nr)
{
	char path[64], buf[64] = "", want[16];
	int i, fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	snprintf(want, sizeof(want), "%d ", nr);
	for (i = 0; i < 500; i++) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
			ssize_t n = read(fd, buf, sizeof(buf) - 1);

			close(fd);
			buf[n > 0 ? n : 0] = 0;
			if (!strncmp(buf, want, strlen(want)))
				return;
		}
		usleep(10000);
	}
	ck_abort_msg("pid %d never in system call %d: %s", (int)pid, nr, buf);
}

int fds_of(pid_t pid, unsigned char *set, unsigned long *socks, int max)
{
	char dir[64], path[320], link[128];
	struct dirent *e;
	DIR *d;
	int n = 0;

	memset(set, 0, 1024);
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	ck_assert_ptr_nonnull(d = opendir(dir));
	while ((e = readdir(d))) {
		ssize_t len;
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.' || fd >= 1024 ||
		    (pid == getpid() && fd == dirfd(d)))
			continue;
		set[fd] = 1;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = 0;
		if (n < max && sscanf(link, "socket:[%lu]", &socks[n]) == 1)
			n++;
	}
	closedir(d);
	return n;
}

char *spawn_as_nobody(const char *loader, const char *target,
		      const char *mode)
{
	static const char *const setpriv[] = { "setpriv", "--reuid=65534",
		"--regid=65534", "--clear-groups", "--inh-caps=-all" };
	char env[4200], menv[64], *argv[14];
	int argc = 0, st;
	size_t i;
	char *out;

	if (geteuid() == 0)	/* else already someone else: as it is */
		for (i = 0; i < sizeof(setpriv) / sizeof(setpriv[0]); i++)
			argv[argc++] = (char *)setpriv[i];
	snprintf(menv, sizeof(menv), "LOADER_SPAWNER_MODE=%s",
		 mode ? mode : "default");
	argv[argc++] = "env";
	argv[argc++] = menv;
	if (loader) {
		snprintf(env, sizeof(env), "PRISTINE_LOADER=%s", loader);
		argv[argc++] = env;
	}
	argv[argc++] = (char *)built("loader-spawner");
	argv[argc++] = (char *)target;
	argv[argc++] = "target";
	argv[argc] = NULL;
	out = capture(argv, &st);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "loader-spawner %s: status %#x, output:\n%s", target, st,
		      out);
	return out;
}

int cannot_make_setid(const char *dir)
{
	struct statvfs vfs;

	if (geteuid() != 0)
		skip_case("not root: cannot make set-ID files");
	else if (!have_program("setpriv"))
		skip_case("setpriv (util-linux) not found: cannot drop "
			  "privileges");
	else if (statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_NOSUID))
		skip_case("%s is on a nosuid mount (set TMPDIR elsewhere)",
			  dir);
	else
		return 0;
	return 1;
}

void expect_in(const char *out, const char *what)
{
	ck_assert_msg(strstr(out, what), "no \"%s\" in:\n%s", what, out);
}

int become_nobody(void)
{
	if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
	    setresuid(65534, 65534, 65534) < 0 ||
	    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		return errno;
	return 0;
}
