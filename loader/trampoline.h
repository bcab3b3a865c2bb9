/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The last steps, from a small trampoline outside the loader's image: unmap
 * the loader, hand /proc/PID/exe to the image where permitted, set the final
 * signal mask, install the seccomp filter, unmap the trampoline itself and
 * jump to the entry point with clean registers.
 */
#ifndef PRISTINE_LOADER_TRAMPOLINE_H
#define PRISTINE_LOADER_TRAMPOLINE_H

#include <stdint.h>
#include <linux/prctl.h>

struct trampoline_args {
	uint64_t unmap_addr, unmap_len;	/* 0: the loader's image */
	int64_t exe_fd;			/* 16: -1: keep /proc/PID/exe */
	uint64_t sigmask;		/* 24 */
	struct prctl_mm_map mm;		/* 32: used with exe_fd */
	uint16_t filter_len;		/* 136: struct sock_fprog */
	uint16_t pad[3];
	uint64_t filter;		/* 144 */
	uint64_t sp;			/* 152 */
	uint64_t entry;			/* 160 */
	uint64_t gadget;		/* 168: 0: the trampoline stays */
	uint64_t self_addr, self_len;	/* 176, 184 */
};

/*
 * Finds "syscall" followed only by register-clearing xors and "ret" in
 * the code of the vDSO whose ELF header is at vdso. Returns its address
 * or 0.
 */
uint64_t trampoline_find_gadget(uint64_t vdso);

/*
 * Copies the trampoline and args (plus the filter) into a fresh page,
 * before the point of no return: returns 0 or -errno. trampoline_jump()
 * then jumps there and never returns.
 */
int trampoline_prepare(struct trampoline_args *a, const void *filter,
		       uint32_t filter_len);
__attribute__((noreturn)) void
trampoline_jump(const struct trampoline_args *a);

#endif
