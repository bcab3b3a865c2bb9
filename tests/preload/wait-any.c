/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Waits for any child, the ways programs do (wait, waitpid -1, 0 and
 * -pgid, wait3, wait4, waitid P_ALL and P_PGID, WNOHANG, WNOWAIT, from a
 * SIGCHLD handler, after other threads' spawns and forks). Prints one line
 * per case on stdout; preload-wait.sh compares the lines of glibc alone
 * with those through the shim with a pool, where idle members are
 * children too. A wait that blocks where it should not is cut by
 * SIGALRM (a hang guard, not a time measured) and shows as BLOCKED.
 * On stderr: what the run saw of members (shim runs only).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define GUARD 20	/* seconds before a wait counts as blocked */

/* The call first (under a fresh guard), then its status. */
#define RESULT(what, call, st) \
	do { \
		long r_; \
		alarm(GUARD); \
		r_ = (call); \
		result(what, r_, st); \
	} while (0)

static void on_alarm(int s)
{
	(void)s;
}

/* The result of a wait in words: ERRNO name, "0", or "child" (a pid this
 * program made, with its status), or "STRANGER" (a pid it never made). */
static pid_t mine[64];
static int nmine;

static const char *said(long r, int err, int status, char *buf, size_t len)
{
	int i;

	if (r < 0)
		return err == EINTR ? "BLOCKED" : strerrorname_np(err);
	if (r == 0)
		return "0";
	for (i = 0; i < nmine; i++)
		if (mine[i] == r) {
			snprintf(buf, len, "child#%d status=%#x", i, status);
			return buf;
		}
	snprintf(buf, len, "STRANGER status=%#x", status);
	return buf;
}

static void result(const char *what, long r, int status)
{
	char buf[64];
	int err = errno;

	printf("%s: %s\n", what, said(r, err, status, buf, sizeof(buf)));
	fflush(stdout);
}

/* A child of our own: /bin/sh reading its stdin until we close it. */
static int spawn_reader(int *hold)
{
	char *argv[] = { "sh", "-c", "read x; exit 3", NULL };
	posix_spawn_file_actions_t fa;
	int p[2], err;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[0], 0);
	err = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[0]);
	if (err) {
		fprintf(stderr, "spawn: %s\n", strerror(err));
		exit(1);
	}
	*hold = p[1];
	mine[nmine] = pid;
	return nmine++;
}

static void spawn_true(void)
{
	char *argv[] = { "true", NULL };
	int err, st;
	pid_t pid;

	if ((err = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ))) {
		fprintf(stderr, "spawn: %s\n", strerror(err));
		exit(1);
	}
	if (waitpid(pid, &st, 0) != pid) {
		fprintf(stderr, "waitpid(%d): %s\n", pid, strerror(errno));
		exit(1);
	}
}

/* Is pid an empty process that waits (the loader, after its exec)? A
 * member being made is still a clone() child of the pool's thread, which
 * waits for its exec as glibc's posix_spawn() waits for its vfork()
 * child's: stopped then, it stops that thread as it would stop glibc's. */
static int is_loader(long pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	if (!(f = fopen(path, "r")))
		return 0;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = 0;
	fclose(f);
	return !strncmp(comm, "pristine-loade", 14);
}

/* Children the program did not make: the pool's members, if any, once
 * they wait. */
static int strangers(pid_t *out, int max)
{
	char path[300];
	struct dirent *d;
	int n = 0, i;
	DIR *dir = opendir("/proc/self/task");

	while (dir && (d = readdir(dir)) && n < max) {
		FILE *f;
		long pid;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children",
			 d->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		while (n < max && fscanf(f, "%ld", &pid) == 1) {
			for (i = 0; i < nmine && mine[i] != pid; i++)
				;
			if (i == nmine && is_loader(pid))
				out[n++] = (pid_t)pid;
		}
		fclose(f);
	}
	if (dir)
		closedir(dir);
	return n;
}

/*
 * The pool's members, once it has made some: it refills when spawns
 * pause, which on a loaded machine takes longer than any fixed sleep.
 * Without PRISTINE_POOL there are none to wait for.
 */
static int await_strangers(pid_t *out, int max)
{
	int n = 0, tries;

	for (tries = 0; tries < 2000; tries++) {
		if ((n = strangers(out, max)) > 0 || !getenv("PRISTINE_POOL"))
			break;
		usleep(5000);
	}
	return n;
}

static void *thread_spawn(void *arg)
{
	spawn_reader(arg);
	return NULL;
}

static volatile sig_atomic_t reaped, handler_end;

static void on_chld(int s)
{
	int saved = errno, st;
	pid_t r;

	(void)s;
	while ((r = waitpid(-1, &st, WNOHANG)) > 0)
		reaped++;
	handler_end = r < 0 ? errno : 0;
	errno = saved;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	int rounds = argc > 1 ? atoi(argv[1]) : 100, i, st, hold, k;
	struct rusage ru;
	siginfo_t si;
	pthread_t t;
	sigset_t chld, old;
	pid_t r, members[16];

	sigaction(SIGALRM, &sa, NULL);
	alarm(GUARD);

	/* tst-spawn2's case: a child spawned and reaped, then any child. */
	spawn_true();
	RESULT("waitpid(-1) after the only child was reaped",
	       waitpid(-1, &st, 0), st);
	RESULT("wait()", wait(&st), st);
	RESULT("wait(NULL)", wait(NULL), 0);
	RESULT("waitpid(0)", waitpid(0, &st, 0), st);
	RESULT("waitpid(-pgid)", waitpid(-getpgrp(), &st, 0), st);
	RESULT("wait3()", wait3(&st, 0, &ru), st);
	RESULT("wait4(-1)", wait4(-1, &st, 0, &ru), st);
	RESULT("waitpid(-1, WNOHANG)", waitpid(-1, &st, WNOHANG), st);
	RESULT("waitpid(-1, WUNTRACED|WCONTINUED)",
	       waitpid(-1, &st, WUNTRACED | WCONTINUED), st);
	RESULT("waitpid(-1, __WALL)", waitpid(-1, &st, __WALL), st);
	memset(&si, 0, sizeof(si));
	alarm(GUARD);
	r = waitid(P_ALL, 0, &si, WEXITED);
	result("waitid(P_ALL)", r < 0 ? -1 : si.si_pid, si.si_status);
	r = waitid(P_PGID, 0, &si, WEXITED | WNOHANG);
	result("waitid(P_PGID, WNOHANG)", r < 0 ? -1 : si.si_pid, 0);
	r = waitid(P_ALL, 0, NULL, WEXITED | WNOHANG);
	result("waitid(P_ALL, info NULL, WNOHANG)", r, 0);

	/* The same many times, while the pool makes its next members; the
	 * first round that differs ends the loop. */
	for (i = 0; i < rounds; i++) {
		alarm(GUARD);
		spawn_true();
		if (waitpid(-1, &st, i % 2 ? WNOHANG : 0) >= 0 ||
		    errno != ECHILD)
			break;
	}
	printf("%d rounds of spawn, reap, waitpid(-1): ECHILD in %d\n",
	       rounds, i);

	/* A child of its own, running: 0 under WNOHANG, then its end. */
	k = spawn_reader(&hold);
	RESULT("waitpid(-1, WNOHANG), own child running",
	       waitpid(-1, &st, WNOHANG), st);
	memset(&si, 0xff, sizeof(si));
	r = waitid(P_ALL, 0, &si, WEXITED | WNOHANG);
	result("waitid(P_ALL, WNOHANG), own child running",
	       r < 0 ? -1 : si.si_pid, 0);

	/* Members killed from outside while the program waits for its own:
	 * the program never sees them. */
	k = await_strangers(members, 16);
	for (i = 0; i < k; i++)
		kill(members[i], i % 2 ? SIGKILL : SIGTERM);
	fprintf(stderr, "members killed: %d\n", k);
	RESULT("waitpid(-1, WNOHANG), members just killed",
	       waitpid(-1, &st, WNOHANG), st);
	close(hold);
	memset(&si, 0, sizeof(si));
	alarm(GUARD);
	r = waitid(P_ALL, 0, &si, WEXITED | WNOWAIT);
	result("waitid(P_ALL, WNOWAIT), own child ended",
	       r < 0 ? -1 : si.si_pid, si.si_status);
	RESULT("wait(), own child ended", wait(&st), st);
	RESULT("wait() then", wait(&st), st);

	/* A member stopped from outside: WUNTRACED never reports it. */
	k = spawn_reader(&hold);
	i = await_strangers(members, 16);
	if (i)
		kill(members[0], SIGSTOP);
	fprintf(stderr, "members stopped: %d\n", i ? 1 : 0);
	RESULT("waitpid(-1, WUNTRACED|WNOHANG), a member stopped",
	       waitpid(-1, &st, WUNTRACED | WNOHANG), st);
	close(hold);
	RESULT("waitpid(-1, WUNTRACED), own child ended",
	       waitpid(-1, &st, WUNTRACED), st);
	RESULT("waitpid(-1, WUNTRACED) then", waitpid(-1, &st, WUNTRACED), st);

	/* A child spawned by another thread, which has ended since. */
	pthread_create(&t, NULL, thread_spawn, &hold);
	pthread_join(t, NULL);
	RESULT("waitpid(-1, WNOHANG), another thread's child running",
	       waitpid(-1, &st, WNOHANG), st);
	close(hold);
	RESULT("wait(), another thread's child ended", wait(&st), st);

	/* A fork()ed child. */
	if ((r = fork()) == 0)
		_exit(7);
	mine[nmine++] = r;
	RESULT("wait(), a forked child", wait(&st), st);

	/* A SIGCHLD handler reaping with waitpid(-1, WNOHANG). */
	sa.sa_handler = on_chld;
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	for (i = 0; i < 3; i++) {
		char *a[] = { "true", NULL };

		if (posix_spawn(&r, "/bin/true", NULL, NULL, a, environ))
			return 1;
	}
	while (reaped < 3)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("SIGCHLD handler: reaped %d, its last waitpid: %s\n",
	       (int)reaped, handler_end ? strerrorname_np(handler_end) : "0");
	return 0;
}
