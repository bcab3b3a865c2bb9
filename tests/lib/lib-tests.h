/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The library's tests (lib/): the suites of test-pristine, and the helpers
 * its cases and test-reserve's share. The helpers use the posix layer
 * alone, so that preload/test-posix-glibc builds them on glibc's names.
 */
#ifndef PRISTINE_TESTS_LIB_H
#define PRISTINE_TESTS_LIB_H

#include <sys/types.h>
#include "testlib.h"

/* Spawns argv through pristine_spawnp() with stdout into a pipe, waits,
 * and returns the output (malloc'd); *status gets the wait status. */
char *spawn_output(char *const argv[], int *status);

/*
 * threads threads each spawn /bin/true and /bin/false in turn, spawns
 * times, and check every exit status: /bin/false by pristine_spawn(),
 * /bin/true by spawn_true if not NULL (it gets argv), else the same way.
 * Returns how many spawns went wrong.
 */
long spawn_from_threads(int threads, int spawns,
			int (*spawn_true)(pid_t *pid, char *const argv[]));

Suite *open_suite(void);
Suite *spawn_suite(void);
Suite *guarantees_suite(void);

#endif
