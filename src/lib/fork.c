/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
#include <pthread.h>
#include "fork.h"

static const struct fork_hooks *slots[FORK_SLOTS];
/* The slots one fork() prepared: a slot filled meanwhile took no lock. */
static __thread const struct fork_hooks *taken[FORK_SLOTS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void prepare(void)
{
	int i;

	for (i = 0; i < FORK_SLOTS; i++) {
		const struct fork_hooks *h;

		h = taken[i] = __atomic_load_n(&slots[i], __ATOMIC_ACQUIRE);
		if (h && h->lock)
			pthread_mutex_lock(h->lock);
		else if (h)
			h->prepare();
	}
}

static void release(int in_child)
{
	int i;

	for (i = FORK_SLOTS - 1; i >= 0; i--) {
		const struct fork_hooks *h = taken[i];

		if (h && h->lock)
			pthread_mutex_unlock(h->lock);
		else if (h && in_child)
			h->child();
		else if (h)
			h->parent();
	}
}

static void parent(void)
{
	release(0);
}

static void child(void)
{
	release(1);
}

static void install(void)
{
	pthread_atfork(prepare, parent, child);
}

void fork_hooks_set(enum fork_slot slot, const struct fork_hooks *h)
{
	if (__atomic_load_n(&slots[slot], __ATOMIC_ACQUIRE) != h)
		__atomic_store_n(&slots[slot], h, __ATOMIC_RELEASE);
	pthread_once(&once, install);
}

void fork_lock(enum fork_slot slot, const struct fork_hooks *h)
{
	fork_hooks_set(slot, h);
	pthread_mutex_lock(h->lock);
}
