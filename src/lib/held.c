/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The pids of the members held idle (held.h). A short array: a process
 * holds as many members as its pool and templates are big.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include "held.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t *pids;
static size_t n, cap;
static int possible;

void held_expect(void)
{
	__atomic_store_n(&possible, 1, __ATOMIC_RELEASE);
}

int held_possible(void)
{
	return __atomic_load_n(&possible, __ATOMIC_ACQUIRE);
}

void held_lock(sigset_t *old)
{
	sigset_t all;

	if (old) {
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, old);
	}
	pthread_mutex_lock(&lock);
}

void held_unlock(const sigset_t *old)
{
	pthread_mutex_unlock(&lock);
	if (old)
		pthread_sigmask(SIG_SETMASK, old, NULL);
}

int held_add_locked(pid_t pid)
{
	if (n == cap) {
		size_t c = cap ? 2 * cap : 16;
		pid_t *p = realloc(pids, c * sizeof(*p));

		if (!p)
			return ENOMEM;
		pids = p;
		cap = c;
	}
	pids[n++] = pid;
	return 0;
}

int held_has_locked(pid_t pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return 1;
	return 0;
}

void held_forget(pid_t pid)
{
	sigset_t old;
	size_t i;

	held_lock(&old);
	for (i = 0; i < n; i++)
		if (pids[i] == pid) {
			pids[i] = pids[--n];
			break;
		}
	held_unlock(&old);
}

void held_reset_in_child(void)
{
	pthread_mutex_init(&lock, NULL);
	n = 0;
}
