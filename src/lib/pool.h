/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The process pool: empty processes made ahead for every spawn and
 * pristine_open() of this process.
 */
#ifndef PRISTINE_POOL_H
#define PRISTINE_POOL_H

#include "reserve.h"

/* The pool as a spawn's reserve (no argument). */
extern const struct reserve_ops pool_reserve;

/* A member of the pool, if there is one: 1 and m, or 0. */
int pool_take(struct member *m);
/* After a spawn from a pool member: time to refill. */
void pool_refill(void);
/* The pool's members are stale (ESTALE): they all go. */
void pool_flush(void);

#endif
