/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Runs the fidelity probe with one fixed configuration, by one method, and
 * copies its output to stdout:
 *
 *	probe-launch METHOD VARIANT PROBE WORKDIR
 *
 *	METHOD	execve	fork(), the configuration by hand, execve(): the
 *			reference
 *		spawn	pristine_spawn() with file actions and attributes
 *		open	pristine_open(), pristine_config(), pristine_run()
 *			(the default mode)
 *		loader	as open, with mode "loader": userspace wherever it
 *			is possible
 *		kernel	as open, with mode "kernel": the empty process runs
 *			the image with execveat()
 *	VARIANT	plain	the configuration below
 *		memfd	the image is a memfd copy of PROBE at fd 30, run by
 *			fexecve() or the "exec" key with PRISTINE_SET_FD
 *		big	one more argument of 100 KB and fds 5..299 open on
 *			/dev/null: a request too big for the loader's buffers
 *		seccomp	no_new_privs and an allow-all seccomp filter
 *
 * The configuration: argv with an empty and a non-ASCII argument, a small
 * environment, stdin /dev/null, stdout a pipe, stderr /dev/null (the same
 * in every run), fd 3 a read-write file at offset 5, fd 4 an O_APPEND
 * file, nothing else; cwd WORKDIR/cwd, umask 027, SIGUSR2 ignored, SIGALRM
 * blocked, RLIMIT_NOFILE soft limit 512. posix_spawn() has no attribute for
 * the umask, the ignored signal and the rlimit: for spawn the launcher sets
 * them on itself and the child inherits them; open and kernel set them by
 * key.
 *
 * The reference is a plain execve(), not glibc's posix_spawn(): that one
 * also leaves glibc's internal signals 32 and 33 ignored in the child.
 * Exits 0 if the probe exited 0, 1 if not, 99 if it could not be run.
 * A pristine method says on stderr which route the image took.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pristine.h"

#define UMASK		027
#define NOFILE_SOFT	512
#define MEMFD		30
#define BIG_ARG		100000
#define BIG_FDS		300

static char *probe_argv[] = {
	NULL, "one", "", "two  words", "caf\xc3\xa9", NULL, NULL,
};
static struct sock_filter allow_all[] = {
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
static char *probe_envp[] = {
	"PATH=/usr/bin:/bin", "PROBE=1", "EMPTY=", "SPACES=a b  c", NULL,
};

struct setup {
	const char *probe;
	int memfd, big, seccomp;
	int devnull, null_w, out_r, out_w, data, log;
	char cwd[4096];
	struct rlimit nofile;
	sigset_t blocked, ignored;
};

static void die(const char *what, int err)
{
	fprintf(stderr, "probe-launch: %s: %s\n", what, strerror(err));
	exit(99);
}

/* Opens path close-on-exec at a number well above the probe's fds. */
static int open_high(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0600), high;

	if (fd < 0)
		die(path, errno);
	high = fcntl(fd, F_DUPFD_CLOEXEC, BIG_FDS + 10);
	if (high < 0)
		die("F_DUPFD_CLOEXEC", errno);
	close(fd);
	return high;
}

/* A close-on-exec memfd copy of the probe at MEMFD. */
static void make_memfd(const char *probe)
{
	int in = open(probe, O_RDONLY | O_CLOEXEC);
	int m = memfd_create("probe", MFD_CLOEXEC);
	char buf[65536];
	ssize_t n;

	if (in < 0 || m < 0)
		die("memfd", errno);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(m, buf, (size_t)n) != n)
			die("memfd write", errno);
	if (n < 0 || dup3(m, MEMFD, O_CLOEXEC) < 0)
		die("memfd", errno);
	close(m);
	close(in);
}

static void setup(struct setup *s, const char *work)
{
	char path[4096];
	int p[2];

	snprintf(path, sizeof(path), "%s/data", work);
	s->data = open_high(path, O_RDWR | O_CREAT | O_TRUNC);
	if (write(s->data, "0123456789abcdef", 16) != 16 ||
	    lseek(s->data, 5, SEEK_SET) != 5)
		die("data file", errno);
	snprintf(path, sizeof(path), "%s/log", work);
	s->log = open_high(path, O_WRONLY | O_APPEND | O_CREAT);
	s->devnull = open_high("/dev/null", O_RDONLY);
	s->null_w = open_high("/dev/null", O_WRONLY);
	if (pipe2(p, O_CLOEXEC) < 0 ||
	    (s->out_r = fcntl(p[0], F_DUPFD_CLOEXEC, BIG_FDS + 10)) < 0 ||
	    (s->out_w = fcntl(p[1], F_DUPFD_CLOEXEC, BIG_FDS + 10)) < 0)
		die("pipe2", errno);
	close(p[0]);
	close(p[1]);
	snprintf(s->cwd, sizeof(s->cwd), "%s/cwd", work);
	if (mkdir(s->cwd, 0755) < 0 && errno != EEXIST)
		die(s->cwd, errno);
	if (getrlimit(RLIMIT_NOFILE, &s->nofile) < 0)
		die("getrlimit", errno);
	if (s->nofile.rlim_max < BIG_FDS + 20)
		die("RLIMIT_NOFILE hard limit too low", EMFILE);
	s->nofile.rlim_cur = NOFILE_SOFT;
	sigemptyset(&s->blocked);
	sigaddset(&s->blocked, SIGALRM);
	sigemptyset(&s->ignored);
	sigaddset(&s->ignored, SIGUSR2);
	if (s->memfd)
		make_memfd(s->probe);
	if (s->big) {
		static char big[BIG_ARG];

		memset(big, 'x', sizeof(big) - 1);
		probe_argv[5] = big;
	}
}

/* What posix_spawn() cannot say: set on the launcher, inherited. */
static void inherit(const struct setup *s)
{
	umask(UMASK);
	signal(SIGUSR2, SIG_IGN);
	if (setrlimit(RLIMIT_NOFILE, &s->nofile) < 0)
		die("setrlimit", errno);
}

/* The reference: fork(), the configuration by hand, a real execve(). */
static int by_execve(const struct setup *s, pid_t *pid)
{
	int fd, last = s->big ? BIG_FDS : 5;

	*pid = fork();
	if (*pid < 0)
		return errno;
	if (*pid > 0)
		return 0;
	inherit(s);
	if (dup2(s->devnull, 0) < 0 || dup2(s->out_w, 1) < 0 ||
	    dup2(s->null_w, 2) < 0 || dup2(s->data, 3) < 0 ||
	    dup2(s->log, 4) < 0)
		_exit(98);
	for (fd = 5; fd < last; fd++)
		if (dup2(s->devnull, fd) < 0)
			_exit(98);
	if ((s->memfd ? close_range(last, MEMFD - 1, 0) |
			close_range(MEMFD + 1, ~0u, 0)
		      : close_range(last, ~0u, 0)) < 0 ||
	    chdir(s->cwd) < 0 ||
	    sigprocmask(SIG_SETMASK, &s->blocked, NULL) < 0)
		_exit(98);
	if (s->seccomp) {
		struct sock_fprog prog = { 1, allow_all };

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
			_exit(98);
	}
	if (s->memfd)
		fexecve(MEMFD, probe_argv, probe_envp);
	else
		execve(s->probe, probe_argv, probe_envp);
	_exit(97);
}

static int by_pristine_spawn(const struct setup *s, pid_t *pid)
{
	pristine_spawn_file_actions_t fa;
	pristine_spawnattr_t attr;
	int err, fd;

	inherit(s);
	pristine_spawn_file_actions_init(&fa);
	pristine_spawn_file_actions_adddup2(&fa, s->devnull, 0);
	pristine_spawn_file_actions_adddup2(&fa, s->out_w, 1);
	pristine_spawn_file_actions_adddup2(&fa, s->null_w, 2);
	pristine_spawn_file_actions_adddup2(&fa, s->data, 3);
	pristine_spawn_file_actions_adddup2(&fa, s->log, 4);
	for (fd = 5; s->big && fd < BIG_FDS; fd++)
		pristine_spawn_file_actions_adddup2(&fa, s->devnull, fd);
	pristine_spawn_file_actions_addclosefrom(&fa, s->big ? BIG_FDS : 5);
	pristine_spawn_file_actions_addchdir(&fa, s->cwd);
	pristine_spawnattr_init(&attr);
	pristine_spawnattr_setsigmask(&attr, &s->blocked);
	pristine_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	err = pristine_spawn(pid, s->probe, &fa, &attr, probe_argv,
			     probe_envp);
	pristine_spawnattr_destroy(&attr);
	pristine_spawn_file_actions_destroy(&fa);
	return err;
}

static int by_pristine_open(const struct setup *s, const char *mode,
			    pid_t *pid)
{
	int h = pristine_open(PRISTINE_CLOEXEC), pidfd, i, r = 0;
	int fds[] = { s->devnull, s->out_w, s->null_w, s->data, s->log };
	char key[16];

	if (h < 0)
		return errno;
	if (s->memfd)
		r |= pristine_config(h, PRISTINE_SET_FD, "exec", NULL, MEMFD);
	else
		r |= pristine_config(h, PRISTINE_SET_PATH, "exec", s->probe,
				     AT_FDCWD);
	for (i = 0; probe_argv[i]; i++)
		r |= pristine_config(h, PRISTINE_SET_STRING, "argv",
				     probe_argv[i], 0);
	for (i = 0; probe_envp[i]; i++)
		r |= pristine_config(h, PRISTINE_SET_STRING, "env",
				     probe_envp[i], 0);
	for (i = 0; i < (s->big ? BIG_FDS : 5); i++) {
		snprintf(key, sizeof(key), "fd:%d", i);
		r |= pristine_config(h, PRISTINE_SET_FD, key, NULL,
				     i < 5 ? fds[i] : s->devnull);
	}
	r |= pristine_config(h, PRISTINE_SET_PATH, "cwd", s->cwd, AT_FDCWD);
	r |= pristine_config(h, PRISTINE_SET_INT, "umask", NULL, UMASK);
	r |= pristine_config(h, PRISTINE_SET_BINARY, "sigignore", &s->ignored,
			     sizeof(sigset_t));
	r |= pristine_config(h, PRISTINE_SET_BINARY, "sigmask", &s->blocked,
			     sizeof(sigset_t));
	r |= pristine_config(h, PRISTINE_SET_BINARY, "rlimit:NOFILE",
			     &s->nofile, sizeof(s->nofile));
	if (s->seccomp) {
		r |= pristine_config(h, PRISTINE_SET_FLAG, "no-new-privs", NULL,
				     0);
		r |= pristine_config(h, PRISTINE_SET_BINARY, "seccomp",
				     allow_all, sizeof(allow_all));
	}
	if (mode)
		r |= pristine_config(h, PRISTINE_SET_STRING, "mode", mode, 0);
	if (r) {
		fprintf(stderr, "probe-launch: pristine_config: %s\n",
			pristine_errmsg());
		close(h);
		return EINVAL;
	}
	pidfd = pristine_run(h, pid);
	if (pidfd < 0)
		return errno;
	close(pidfd);
	return 0;
}

/*
 * Every signal at its default, none blocked, whatever the launcher
 * inherited: glibc's posix_spawn() (make's, for one) leaves its internal
 * signals 32 and 33 ignored in its children, and that survives exec. Raw
 * syscalls: glibc's sigaction() refuses those two.
 */
static void clean_signals(void)
{
	struct { unsigned long handler, flags, restorer, mask; } dfl = { 0 };
	uint64_t none = 0;
	int sig;

	for (sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &dfl, NULL, 8);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
}

int main(int argc, char **argv)
{
	struct setup s = { 0 };
	char buf[65536];
	const char *method, *variant;
	ssize_t n;
	pid_t pid;
	int err, status;

	if (argc != 5) {
		fprintf(stderr, "usage: probe-launch execve|spawn|open|loader|"
			"kernel plain|memfd|big|seccomp PROBE WORKDIR\n");
		return 99;
	}
	clean_signals();
	method = argv[1];
	variant = argv[2];
	s.probe = probe_argv[0] = argv[3];
	s.memfd = !strcmp(variant, "memfd");
	s.big = !strcmp(variant, "big");
	s.seccomp = !strcmp(variant, "seccomp");
	if (!s.memfd && !s.big && !s.seccomp && strcmp(variant, "plain"))
		die(variant, EINVAL);
	if ((s.memfd || s.seccomp) && !strcmp(method, "spawn"))
		die("spawn has no such variant", EINVAL);
	setup(&s, argv[4]);
	if (!strcmp(method, "execve"))
		err = by_execve(&s, &pid);
	else if (!strcmp(method, "spawn"))
		err = by_pristine_spawn(&s, &pid);
	else if (!strcmp(method, "open"))
		err = by_pristine_open(&s, NULL, &pid);
	else if (!strcmp(method, "loader") || !strcmp(method, "kernel"))
		err = by_pristine_open(&s, method, &pid);
	else
		die(method, EINVAL);
	if (err) {
		fprintf(stderr, "probe-launch: %s: %s (%s)\n", method,
			strerror(err),
			method[0] == 'e' ? "" : pristine_errmsg());
		return 99;
	}
	if (strcmp(method, "execve"))
		fprintf(stderr, "probe-launch: route %s\n",
			pristine_route_name(pristine_last_route()));
	close(s.out_w);
	while ((n = read(s.out_r, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read", errno);
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			die("write", EIO);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid", errno);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		printf("probe killed by signal %d\n", WTERMSIG(status));
	else
		printf("probe exited %d\n", WEXITSTATUS(status));
	return 1;
}
