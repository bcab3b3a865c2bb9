/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The checks the kernel applies to a seccomp filter, done at
 * pristine_config() time.
 */
#ifndef PRISTINE_SECCOMP_CHECK_H
#define PRISTINE_SECCOMP_CHECK_H

#include <stddef.h>

/* Checks a classic BPF seccomp program like the kernel will: 0, EINVAL,
 * or ENOMEM. */
int seccomp_check(const void *prog, size_t len);

#endif
