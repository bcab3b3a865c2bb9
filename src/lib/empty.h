/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Empty processes: the loader, started by clone(CLONE_VM) and execve(),
 * waiting on its socket for a request.
 */
#ifndef PRISTINE_EMPTY_H
#define PRISTINE_EMPTY_H

#include <sys/types.h>

struct sender;

struct empty {
	int sock;
	int pidfd;
	pid_t pid;
	struct child_args *args;	/* until the answer: see empty.c */
	int greeted;		/* its hello was read (templates talk twice) */
	int unsent;		/* the request could not be sent (it died) */
	int held;		/* a member held idle (held.h) */
	int taken;		/* a member taken for a spawn (empty_take()) */
	/* How it ended, once reaped (waitid()'s si_code and si_status). */
	int end_code, end_status;
};

enum empty_fds {
	EMPTY_NO_FDS = 0,	/* the pristine_open() model: only the socket */
	EMPTY_INHERIT_FDS = 1,	/* posix_spawn: non-close-on-exec fds pass */
	EMPTY_NEWPID = 2,	/* or'ed in: PID 1 of a new PID namespace */
	EMPTY_HELD = 4,		/* or'ed in: a member, held idle (held.h)
				 * from before its clone() */
};

/*
 * Starts the loader by clone(CLONE_VM) + execve(). If pre is not NULL, as
 * much of its request as fits is queued on the socket before the loader
 * even starts. With wait_exec the thread waits for the exec (CLONE_VFORK);
 * without, the exchange (exchange.c) must follow before anything else on
 * this thread. Returns 0 or a positive errno.
 */
int empty_create(struct empty *e, enum empty_fds fds, struct sender *pre,
		 int wait_exec);

/* A held member is taken for a spawn: from now on it is the spawn's. */
void empty_take(struct empty *e);

/* Kills and reaps an empty process that will not run. */
void empty_abort(struct empty *e);
/* Closes the socket and reaps the process, which exits by itself; how it
 * ended is left in end_code and end_status. */
void empty_reap(struct empty *e);

/*
 * After EOF without an answer, once reaped: says in the message how the
 * empty process ended (the signal that killed it, and for SIGSYS that a
 * seccomp filter refused one of its system calls; or its exit status).
 */
void empty_died(const struct empty *e);

/*
 * After EOF: if the child never became the loader (its execve() failed),
 * says so in the message and returns the error (ELIBACC for a missing or
 * forbidden loader); 0 otherwise.
 */
int empty_exec_failed(const struct empty *e);

/* Where the loader is: $PRISTINE_LOADER or the configured path. */
const char *loader_path(void);

#endif
