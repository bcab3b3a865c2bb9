/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * x86_64 system call entry: the only assembly besides _start and the
 * trampoline. Arguments go in rdi, rsi, rdx, r10, r8, r9; the number in rax;
 * the kernel returns in rax (-4095..-1 is -errno) and clobbers rcx and r11.
 */
#ifndef PRISTINE_LOADER_ARCH_H
#define PRISTINE_LOADER_ARCH_H

typedef long sysret_t;

static inline sysret_t arch_syscall6(long n, long a, long b, long c, long d,
				     long e, long f)
{
	sysret_t ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define SYSCALL6(n, a, b, c, d, e, f) \
	arch_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), \
		      (long)(e), (long)(f))
#define SYSCALL5(n, a, b, c, d, e) SYSCALL6(n, a, b, c, d, e, 0)
#define SYSCALL4(n, a, b, c, d) SYSCALL6(n, a, b, c, d, 0, 0)
#define SYSCALL3(n, a, b, c) SYSCALL6(n, a, b, c, 0, 0, 0)
#define SYSCALL2(n, a, b) SYSCALL6(n, a, b, 0, 0, 0, 0)
#define SYSCALL1(n, a) SYSCALL6(n, a, 0, 0, 0, 0, 0)
#define SYSCALL0(n) SYSCALL6(n, 0, 0, 0, 0, 0, 0)

#endif
