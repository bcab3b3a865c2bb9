/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The process pool: pristine_pool_create() keeps empty processes ready for
 * every spawn and pristine_open() of this process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include "errmsg.h"
#include "export.h"
#include "fork.h"
#include "inherit.h"
#include "pool.h"
#include "pristine.h"

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
/* Written under pool_lock, read without it by pool_take(). */
static struct reserve *pool;

/* Taken before a reserve's lock (fork.h). */
static const struct fork_hooks fork_hooks = { .lock = &pool_lock };

#define POOL_MAX 1024

PRISTINE_EXPORT int pristine_pool_create(unsigned int size, unsigned int flags)
{
	struct reserve *r;
	int err;

	errmsg_clear();
	if (flags || !size || size > POOL_MAX) {
		errmsg_set("pristine_pool_create: size must be 1..%d, flags 0",
			   POOL_MAX);
		return errmsg_fail(EINVAL, "pristine_pool_create");
	}
	if (!(r = malloc(sizeof(*r))))
		return errmsg_fail(ENOMEM, "pristine_pool_create");
	fork_lock(FORK_POOL, &fork_hooks);
	if (pool) {
		err = EBUSY;
		errmsg_set("pristine_pool_create: this process has a pool");
	} else if (!(err = reserve_init(r, size, -1, -1, NULL, NULL, 0))) {
		__atomic_store_n(&pool, r, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&pool_lock);
	if (err) {
		free(r);
		return errmsg_fail(err, "pristine_pool_create");
	}
	return 0;
}

PRISTINE_EXPORT int pristine_pool_destroy(void)
{
	struct reserve *r;

	errmsg_clear();
	fork_lock(FORK_POOL, &fork_hooks);
	r = pool;
	__atomic_store_n(&pool, NULL, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&pool_lock);
	if (!r)
		return errmsg_fail(ENOENT, "pristine_pool_destroy");
	reserve_destroy(r);
	free(r);
	return 0;
}

int pool_take(struct member *m)
{
	int got = 0;

	if (!__atomic_load_n(&pool, __ATOMIC_RELAXED))
		return 0;
	fork_lock(FORK_POOL, &fork_hooks);
	if (pool)
		got = reserve_take(pool, m);
	pthread_mutex_unlock(&pool_lock);
	return got;
}

void pool_refill(void)
{
	fork_lock(FORK_POOL, &fork_hooks);
	if (pool)
		reserve_refill(pool);
	pthread_mutex_unlock(&pool_lock);
}

void pool_flush(void)
{
	fork_lock(FORK_POOL, &fork_hooks);
	if (pool)
		reserve_flush(pool);
	pthread_mutex_unlock(&pool_lock);
}

/* The pool as a spawn's reserve: its members hold no image. */

static int take(void *self, int mode, struct member *m)
{
	return inherit_worth_a_member() && pool_take(m);
}

static void flush(void *self)
{
	pool_flush();
}

static void refill(void *self)
{
	pool_refill();
}

const struct reserve_ops pool_reserve = {
	.take = take, .flush = flush, .refill = refill,
};
