/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* The run and prepare records: from the image to the jump into it. */
#ifndef PRISTINE_LOADER_RUN_H
#define PRISTINE_LOADER_RUN_H

#include <stdint.h>
#include "loader.h"
#include "sys.h"

/* Runs the image: never returns on success; returns -errno on failure. */
int run_image(struct loader *l, uint32_t mode);

/*
 * A template's first request: resolves the image (an fd) and, when the
 * loader may map it, maps and pre-faults it with its interpreter; the next
 * request only configures and runs. Returns 0 or -errno.
 */
int prepare_image(struct loader *l, uint32_t mode);

/*
 * The trampoline's way out of its own page: a "syscall; xor...; ret" in
 * the vDSO, or 0. Searched once per process (6 us here, the vDSO's pages
 * faulted in): a member searches while it waits.
 */
uint64_t run_gadget(struct loader *l);

/* Why the file open at fd must be run by the kernel for its privileges:
 * PW_WHY_SETID, PW_WHY_FILECAPS, or PW_WHY_NONE. */
uint32_t privilege_reason(int fd, const struct loader_stat *st);

#endif
