/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The /proc files a spawn from a reserve's member reads (inherit.c), kept
 * open while a reserve exists. Opening a /proc file costs 10-35 us here
 * when the caches are cold, as they are after the caller slept; reading
 * one kept open costs 2-11 us (doc/performance.md). Without a reserve
 * (no proc_files_hold()), each call opens and closes its file.
 *
 * A kept descriptor is the library's own (close-on-exec, never inherited)
 * and is checked before each use: a caller that closed it, or put another
 * file at its number, makes the library open its file again, never read
 * or close someone else's.
 */
#ifndef PRISTINE_PROC_FILES_H
#define PRISTINE_PROC_FILES_H

#include <stddef.h>

enum proc_file {
	PROC_OOM_SCORE_ADJ,	/* /proc/self/oom_score_adj */
	PROC_COREDUMP_FILTER,	/* /proc/self/coredump_filter */
	PROC_FILES
};

/* A reserve starts using the files / stops (the last one closes them).
 * The first opens the process's files and the calling thread's status,
 * so that the caller's descriptor count does not change at its spawns. */
void proc_files_hold(void);
void proc_files_release(void);

/* The text of f (NUL-terminated in buf): 0 or a positive errno. keep: a
 * spawn's read, which (re)opens a kept descriptor; other reads (the pool's
 * thread) use one if it is there and never add one. */
int proc_read(enum proc_file f, char *buf, size_t size, int keep);

/* The text of the /proc file path, read once (NUL-terminated in buf): 0
 * or a positive errno. */
int proc_read_path(const char *path, char *buf, size_t size);

/* The calling thread's /proc/thread-self/status, the same way. */
int proc_thread_status(char *buf, size_t size, int keep);

#endif
