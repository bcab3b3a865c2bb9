/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* The fuzzers' seed corpus, made from what the library and the kernel
 * really produce. */
#ifndef PRISTINE_TESTS_FUZZ_SEEDS_H
#define PRISTINE_TESTS_FUZZ_SEEDS_H

#include <stddef.h>

typedef void seed_emit(void *ctx, const char *name, const void *data,
		       size_t size);

/* Calls emit for each seed of the harness named (elf, stack, request,
 * reply). Returns 0, or -1 for an unknown name. */
int seeds_make(const char *harness, seed_emit *emit, void *ctx);

#endif
