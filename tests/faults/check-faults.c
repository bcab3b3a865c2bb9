/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * test-faults: what the library and the loader do when things go wrong
 * around them. The caller or the empty process is killed midway; a fake
 * loader answers garbage; a fake library feeds the real loader garbage;
 * limits run out; signals rain on the caller while other threads fork;
 * and privileges must not leak through the userspace path.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include "faults.h"

int main(void)
{
	static Suite *(*const suites[])(void) = {
		death_suite, peer_suite, loader_input_suite, limits_suite,
		signals_suite, privilege_suite, filters_suite, hardened_suite,
		capability_suite, route_suite, NULL };
	struct rlimit no_core = { 0, 0 };
	int status;

	real_loader = getenv("PRISTINE_LOADER");
	if (!real_loader) {
		printf("Bail out! PRISTINE_LOADER is not set\n");
		return 99;
	}
	setrlimit(RLIMIT_CORE, &no_core);
	scratch_dir(faults_tmp, sizeof(faults_tmp), "faults");
	status = testlib_main(suites);
	remove_tree(faults_tmp);
	return status;
}
