/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* Handing the image to the kernel: execveat() from the empty process. */
#ifndef PRISTINE_LOADER_FALLBACK_H
#define PRISTINE_LOADER_FALLBACK_H

#include <stdint.h>
#include "loader.h"

/*
 * Announces the fallback (reason), sets the final signal mask, installs the
 * seccomp filter and calls execveat(dfd, path, flags). Returns only on
 * failure, with -errno and every signal blocked again.
 */
int fallback_exec(struct loader *l, uint32_t reason, int dfd,
		  const char *path, int flags);

#endif
