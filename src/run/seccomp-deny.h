/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* pristine-run --seccomp-deny: the filter, compiled with libseccomp. */
#ifndef PRISTINE_RUN_SECCOMP_DENY_H
#define PRISTINE_RUN_SECCOMP_DENY_H

#include <stddef.h>

/*
 * A BPF program (malloc'd bytes in *bpf, *len of them) that allows every
 * system call but the n named ones, which fail with errno err. Returns 0,
 * or prints a message and returns the tool's failure status.
 */
int seccomp_deny_filter(char *const *names, size_t n, int err, void **bpf,
			size_t *len);

#endif
