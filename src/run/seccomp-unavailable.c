/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * pristine-run --seccomp-deny in a build without libseccomp (configure
 * --without-libseccomp): the option is known, and says why it cannot work.
 */
#include "seccomp-deny.h"
#include "tool.h"

int seccomp_deny_filter(char *const *names, size_t n, int err, void **bpf,
			size_t *len)
{
	(void)names;
	(void)n;
	(void)err;
	(void)bpf;
	(void)len;
	tool_error("--seccomp-deny is unavailable: this %s was built "
		   "without libseccomp (configure --without-libseccomp)",
		   tool_name);
	return TOOL_EXIT_FAILURE;
}
