/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The run that does not wait (pristine_run_start()): the time the calling
 * thread spends inside the calls per spawn, and the spawns one thread can
 * dispatch, against glibc's posix_spawn().
 */
#ifndef PRISTINE_BENCH_ASYNC_H
#define PRISTINE_BENCH_ASYNC_H

#include <stddef.h>
#include "bench.h"

/*
 * n rounds of each in-call cell and n spawns of each dispatch cell, for
 * each target, from the small unpinned parent; stamp_rd is the read end
 * of the static target's stamp pipe (drained). Prints its section; with
 * csv, writes its cells there. Returns 0 or a positive errno.
 */
int async_bench(size_t n, const struct target *tg, size_t n_tg, int stamp_rd,
		const char *csv);

#endif
