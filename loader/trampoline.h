/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The last steps, from a small trampoline outside the loader's image: unmap
 * the loader, set /proc/PID/exe and the other /proc fields (PR_SET_MM_MAP,
 * raising CAP_CHECKPOINT_RESTORE for that call alone and dropping it from
 * every set if the loader's file gave it), report to the library, set the
 * final signal mask, install the seccomp filter, unmap the trampoline
 * itself and jump to the entry point with clean registers.
 *
 * The report comes after /proc/PID/exe is set because setting it is what
 * gives ETXTBSY its meaning: the kernel refuses a file open for writing
 * (EACCES), as execve() does (ETXTBSY), and from then on refuses writers.
 * The success status goes out only if it worked (or need not: loader mode).
 */
#ifndef PRISTINE_LOADER_TRAMPOLINE_H
#define PRISTINE_LOADER_TRAMPOLINE_H

#include <stdint.h>
#include <linux/prctl.h>

/* flags */
#define TRAMPOLINE_STRICT_EXE	1u	/* mm.exe_fd must be set, or fail */
#define TRAMPOLINE_CAPS		2u	/* raise, drop, verify; dumpable */

/* The offsets the assembly uses (trampoline.c checks them). */
#define TA_EXE_FD	16
#define TA_MM		32
#define TA_SP		152
#define TA_SOCK		192
#define TA_FLAGS	200
#define TA_STATUS_LEN	204
#define TA_STATUS_ERR	208
#define TA_CAP_HEADER	216
#define TA_CAP_RAISE	224
#define TA_CAP_DROP	248
#define TA_MM_NOEXE	272
#define TA_STATUS	376
#define TA_SCRATCH	128	/* bytes below sp the trampoline uses */

/*
 * The trampoline's page is read-only when it runs (it is code): what it
 * writes (capget()'s answer, a failure status) goes below the program's
 * stack pointer, zeroed again before the jump.
 */
struct trampoline_args {
	uint64_t unmap_addr, unmap_len;	/* 0: the loader's image */
	int64_t exe_fd;			/* 16: the image's fd, closed */
	uint64_t sigmask;		/* 24 */
	struct prctl_mm_map mm;		/* 32 */
	uint16_t filter_len;		/* 136: struct sock_fprog */
	uint16_t pad[3];
	uint64_t filter;		/* 144 */
	uint64_t sp;			/* 152 */
	uint64_t entry;			/* 160 */
	uint64_t gadget;		/* 168: 0: the trampoline stays */
	uint64_t self_addr, self_len;	/* 176, 184 */
	int64_t sock;			/* 192: the control socket */
	uint32_t flags;			/* 200 */
	uint32_t status_len;		/* 204: bytes of status */
	uint32_t status_err;		/* 208: offset of its err field */
	uint32_t pad2;
	uint32_t cap_header[2];		/* 216: capset()'s, version 3 */
	uint32_t cap_raise[6];		/* 224: {eff, perm, inh} x 2 */
	uint32_t cap_drop[6];		/* 248 */
	struct prctl_mm_map mm_noexe;	/* 272: mm without exe_fd */
	unsigned char status[56];	/* 376: the report, hello included */
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
