/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * system(), popen() and pclose(): glibc runs them through its internal
 * spawn, which a preload cannot reach, so the shim re-implements them on
 * pristine with their POSIX semantics.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "preload.h"

extern char **environ;

#define SHELL_PATH "/bin/sh"

/* system(): while any system() runs, the caller ignores SIGINT and
 * SIGQUIT; the first to start saves the old actions, the last restores. */
static pthread_mutex_t system_lock = PTHREAD_MUTEX_INITIALIZER;
static int system_running;
static struct sigaction saved_int, saved_quit;

/* sh -c cmd with the given signal mask and signals reset to default. */
static int shell(pid_t *pid, const char *cmd,
		 const pristine_spawn_file_actions_t *fa, const sigset_t *mask,
		 const sigset_t *def)
{
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	pristine_spawnattr_t at;

	shim_pool();
	pristine_spawnattr_init(&at);
	if (shim_mode() == SHIM_KERNEL)
		pristine_spawnattr_setexecmode(&at, PRISTINE_EXEC_KERNEL);
	else if (shim_mode() == SHIM_LOADER)
		pristine_spawnattr_setexecmode(&at, PRISTINE_EXEC_LOADER);
	pristine_spawnattr_setsigdefault(&at, def);
	pristine_spawnattr_setsigmask(&at, mask);
	pristine_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
					 POSIX_SPAWN_SETSIGDEF);
	return shim_spawn_native(pid, SHELL_PATH, fa, &at, argv, environ);
}

static void restore_signals(const sigset_t *old)
{
	pthread_mutex_lock(&system_lock);
	if (--system_running == 0) {
		sigaction(SIGINT, &saved_int, NULL);
		sigaction(SIGQUIT, &saved_quit, NULL);
	}
	pthread_mutex_unlock(&system_lock);
	sigprocmask(SIG_SETMASK, old, NULL);
}

int shim_system(const char *cmd)
{
	static __typeof__(system) *next;
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigset_t block, old, def;
	int status = -1, err, saved = errno;
	pid_t pid;

	if (shim_mode() == SHIM_OFF) {
		if (!next)
			next = shim_next("system");
		return next(cmd);
	}
	if (!cmd)	/* is there a shell? */
		return access(SHELL_PATH, X_OK) == 0;
	sigemptyset(&ign.sa_mask);
	pthread_mutex_lock(&system_lock);
	if (system_running++ == 0) {
		sigaction(SIGINT, &ign, &saved_int);
		sigaction(SIGQUIT, &ign, &saved_quit);
	}
	pthread_mutex_unlock(&system_lock);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);

	/* The child gets SIGINT and SIGQUIT at their defaults unless the
	 * caller had ignored them itself, as glibc's system() does. */
	sigemptyset(&def);
	if (saved_int.sa_handler != SIG_IGN)
		sigaddset(&def, SIGINT);
	if (saved_quit.sa_handler != SIG_IGN)
		sigaddset(&def, SIGQUIT);
	err = shell(&pid, cmd, NULL, &old, &def);
	if (err == ELIBACC || err == ELIBBAD) {
		restore_signals(&old);
		if (!next)
			next = shim_next("system");
		return next(cmd);
	}
	if (err) {
		status = W_EXITCODE(127, 0);
	} else {
		while (waitpid(pid, &status, 0) < 0) {
			if (errno != EINTR) {
				status = -1;
				break;
			}
		}
	}

	restore_signals(&old);
	errno = status == -1 ? errno : saved;
	return status;
}

/* popen() streams alive, so that later children close them. */
struct stream {
	struct stream *next;
	FILE *f;
	pid_t pid;
};
static pthread_mutex_t streams_lock = PTHREAD_MUTEX_INITIALIZER;
static struct stream *streams;

FILE *shim_popen(const char *cmd, const char *mode)
{
	static __typeof__(popen) *next;
	pristine_spawn_file_actions_t fa;
	struct stream *st, *o;
	int reading, cloexec = 0, p[2], mine, theirs, target, err;
	sigset_t mask, none;
	const char *m;
	FILE *f;

	if (shim_mode() == SHIM_OFF) {
		if (!next)
			next = shim_next("popen");
		return next(cmd, mode);
	}
	if (!mode || (mode[0] != 'r' && mode[0] != 'w')) {
		errno = EINVAL;
		return NULL;
	}
	for (m = mode + 1; *m; m++) {
		if (*m == 'e') {
			cloexec = 1;
		} else {
			errno = EINVAL;
			return NULL;
		}
	}
	reading = mode[0] == 'r';
	if (!(st = malloc(sizeof(*st))))
		return NULL;
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(st);
		return NULL;
	}
	mine = reading ? p[0] : p[1];
	theirs = reading ? p[1] : p[0];
	target = reading ? 1 : 0;

	pristine_spawn_file_actions_init(&fa);
	pristine_spawn_file_actions_adddup2(&fa, theirs, target);
	pthread_mutex_lock(&streams_lock);
	/* POSIX: the child closes the streams of earlier popen() calls. */
	for (o = streams; o; o = o->next)
		pristine_spawn_file_actions_addclose(&fa, fileno(o->f));
	pthread_sigmask(SIG_BLOCK, NULL, &mask);
	sigemptyset(&none);
	err = shell(&st->pid, cmd, &fa, &mask, &none);
	pristine_spawn_file_actions_destroy(&fa);
	close(theirs);
	if (err == ELIBACC || err == ELIBBAD) {
		pthread_mutex_unlock(&streams_lock);
		close(mine);
		free(st);
		if (!next)
			next = shim_next("popen");
		return next(cmd, mode);
	}
	if (err || !(f = fdopen(mine, mode[0] == 'r' ? "r" : "w"))) {
		int e = err ? err : errno;

		pthread_mutex_unlock(&streams_lock);
		close(mine);
		if (!err)
			waitpid(st->pid, NULL, 0);
		free(st);
		errno = e;
		return NULL;
	}
	if (!cloexec)
		fcntl(mine, F_SETFD, 0);
	st->f = f;
	st->next = streams;
	streams = st;
	pthread_mutex_unlock(&streams_lock);
	return f;
}

int shim_pclose(FILE *f)
{
	static __typeof__(pclose) *next;
	struct stream **pp, *st;
	int status;
	pid_t r;

	pthread_mutex_lock(&streams_lock);
	for (pp = &streams; (st = *pp); pp = &st->next)
		if (st->f == f) {
			*pp = st->next;
			break;
		}
	pthread_mutex_unlock(&streams_lock);
	if (!st) {
		/* Not ours: a stream glibc's popen() made (mode off). */
		if (!next)
			next = shim_next("pclose");
		return next(f);
	}
	fclose(f);
	do
		r = waitpid(st->pid, &status, 0);
	while (r < 0 && errno == EINTR);
	free(st);
	return r < 0 ? -1 : status;
}
