/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The registry of pristine_open()'s handles. A handle is the library's end
 * of an empty process's control socket; the registry maps it to the
 * process and the configuration gathered so far. Handles the caller closed
 * without a run are noticed (the fd no longer names the same socket) and
 * their processes killed and reaped on the next call; a run started
 * without a wait (pristine_run_start()) is the caller's already: its
 * entry is only forgotten.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fork.h"
#include "registry.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* Written under the lock, read without it by handles_sweep(). */
static struct handle *handles;

static const struct fork_hooks fork_hooks = { .lock = &lock };

void handle_free(struct handle *h)
{
	config_free(&h->config);
	free(h);
}

static int same_socket(const struct handle *h)
{
	struct stat st;

	return fstat(h->e.sock, &st) == 0 && st.st_dev == h->dev &&
	       st.st_ino == h->ino;
}

/* With the lock held: forget handles whose fd was closed by the caller. */
static void sweep(void)
{
	struct handle **pp = &handles, *h;

	while ((h = *pp)) {
		if (same_socket(h)) {
			pp = &h->next;
			continue;
		}
		__atomic_store_n(pp, h->next, __ATOMIC_RELAXED);
		h->e.sock = -1;		/* the number is not ours anymore */
		if (h->started) {	/* the process is the caller's */
			if (h->e.pidfd >= 0)
				close(h->e.pidfd);
		} else
			empty_abort(&h->e);
		handle_free(h);
	}
}

void handles_sweep(void)
{
	if (!__atomic_load_n(&handles, __ATOMIC_RELAXED))
		return;
	fork_lock(FORK_REGISTRY, &fork_hooks);
	sweep();
	pthread_mutex_unlock(&lock);
}

void handle_add(struct handle *h)
{
	fork_lock(FORK_REGISTRY, &fork_hooks);
	sweep();
	h->next = handles;
	__atomic_store_n(&handles, h, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&lock);
}

struct handle *handle_get(int fd)
{
	struct handle *h;

	fork_lock(FORK_REGISTRY, &fork_hooks);
	sweep();
	for (h = handles; h; h = h->next)
		if (h->e.sock == fd)
			return h;
	pthread_mutex_unlock(&lock);
	return NULL;
}

void handle_put(struct handle *h)
{
	(void)h;
	pthread_mutex_unlock(&lock);
}

struct handle *handle_take(int fd)
{
	struct handle **pp, *h;

	fork_lock(FORK_REGISTRY, &fork_hooks);
	sweep();
	for (pp = &handles; (h = *pp); pp = &h->next)
		if (h->e.sock == fd) {
			__atomic_store_n(pp, h->next, __ATOMIC_RELAXED);
			break;
		}
	pthread_mutex_unlock(&lock);
	return h;
}
