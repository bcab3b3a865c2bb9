/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Is a CPU free for the calling thread? The reserves' thread makes a member
 * (a clone and an exec) only then, so that the work never takes a CPU
 * from a program the caller just started, nor from the caller.
 */
#ifndef PRISTINE_CPU_FREE_H
#define PRISTINE_CPU_FREE_H

/*
 * 1 if fewer other tasks are runnable in the whole system than there are
 * CPUs this thread may run on (so one of those CPUs is idle, whichever
 * CPUs the others run on), 0 if not, -1 if it cannot tell (no /proc).
 */
int cpu_free(void);

#endif
