/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * pristine-bench-stamp: the benchmark's static target. No libc, no
 * relocations, one page of code: its very first action is to read
 * CLOCK_MONOTONIC (a raw clock_gettime system call: the vDSO would need a
 * lookup first) and write the timespec to the inherited descriptor
 * BENCH_STAMP_FD. It exits 0 if all 16 bytes were written, 1 otherwise.
 * Built with -nostdlib -static: an ET_EXEC at a fixed address.
 */
#include "bench.h"

__asm__(
	".text\n"
	".globl _start\n"
	"_start:\n\t"
	"sub $16, %rsp\n\t"
	"mov $228, %eax\n\t"		/* clock_gettime(CLOCK_MONOTONIC, sp) */
	"mov $1, %edi\n\t"
	"mov %rsp, %rsi\n\t"
	"syscall\n\t"
	"mov $1, %eax\n\t"		/* write(BENCH_STAMP_FD, sp, 16) */
	"mov $" BENCH_STAMP_FD_STR ", %edi\n\t"
	"mov %rsp, %rsi\n\t"
	"mov $16, %edx\n\t"
	"syscall\n\t"
	"xor %edi, %edi\n\t"
	"cmp $16, %rax\n\t"
	"setne %dil\n\t"
	"mov $231, %eax\n\t"		/* exit_group(rax != 16) */
	"syscall\n\t"
	"hlt\n");
