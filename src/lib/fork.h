/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Fork safety: one pthread_atfork() registration for the whole library.
 * A fork() child must not inherit a lock that another thread held (its
 * first call of the library would wait for ever), nor use the parent's
 * idle empty processes.
 *
 * Each holder of a lock fills its slot before it first takes its lock.
 * Before a fork the slots are taken in this order, which is the order in
 * which the locks nest everywhere else: a lock is never taken while a lock
 * of a later slot is held. After it, the parent releases them and the
 * child runs each slot's child hook, both in the reverse order.
 */
#ifndef PRISTINE_FORK_H
#define PRISTINE_FORK_H

#include <pthread.h>

enum fork_slot {
	FORK_REGISTRY,	/* registry.c: the handles; nests with no other */
	FORK_POOL,	/* pool.c: the pool; held around calls of reserve.c */
	FORK_RESERVES,	/* reserve.c: the list, then each reserve */
	FORK_PROC_FILES, /* proc-files.c: nests with no other */
	FORK_SLOTS
};

/* A slot is one lock, or hooks for more than a lock. */
struct fork_hooks {
	pthread_mutex_t *lock;	/* taken before, released after, by both */
	void (*prepare)(void);	/* takes the slot's locks */
	void (*parent)(void);	/* releases them */
	void (*child)(void);	/* makes them usable again, forgets what
				 * belongs to the parent */
};

/* Fills slot (idempotent; h must stay valid) and registers, once. */
void fork_hooks_set(enum fork_slot slot, const struct fork_hooks *h);
/* The same for a slot of one lock, which it then takes. */
void fork_lock(enum fork_slot slot, const struct fork_hooks *h);

#endif
