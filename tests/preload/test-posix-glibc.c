/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* The posix layer's suite, built with glibc's names (see glibc-names.h). */
#include "lib/lib-tests.h"

int main(void)
{
	static Suite *(*const suites[])(void) = { spawn_suite, NULL };

	return testlib_main(suites);
}
