/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The kernel enters the loader at _start, which moves to a stack inside
 * the loader's own memory and calls loader_main().
 */
#ifndef PRISTINE_LOADER_START_H
#define PRISTINE_LOADER_START_H

#include "loader.h"

#define LOADER_STACK_SIZE	16384
#define LOADER_STACK_SIZE_STR	"16384"

/*
 * All of the loader's writable memory, in one place: every page first
 * touched costs a fault, which is dear in a VM, so a member that waits for
 * its request populates the hot part (the top of the stack, the state,
 * the start of the request) with one madvise() first (main.c).
 */
struct loader_memory {
	char stack[LOADER_STACK_SIZE];
	struct loader l;
} __attribute__((aligned(4096)));

extern struct loader_memory loader_memory;

void _start(void);

#endif
