/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* The library's tests, one binary, several suites. */
#include "lib-tests.h"

int main(void)
{
	static Suite *(*const suites[])(void) = {
		open_suite, spawn_suite, guarantees_suite, NULL };

	return testlib_main(suites);
}
