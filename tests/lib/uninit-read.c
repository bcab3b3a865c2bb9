/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* A program with one memcheck error: a branch on uninitialised memory.
 * Under valgrind, it exits with valgrind's --error-exitcode. */
#include <stdlib.h>

int main(void)
{
	volatile int *p = malloc(sizeof(*p));

	if (p && *p == 12345)
		return 3;
	return 0;
}
