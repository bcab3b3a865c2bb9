/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The kernel enters with rsp pointing at argc (see stack.h for the layout).
 * The loader runs its C code on a stack of its own inside its .bss, so the
 * kernel-made [stack] mapping stays untouched until the new program's
 * initial stack is written there.
 */
#include "start.h"

struct loader_memory loader_memory;

__attribute__((naked, noreturn)) void _start(void)
{
	__asm__ volatile(
		"xor %ebp, %ebp\n\t"
		"mov %rsp, %rdi\n\t"
		"lea loader_memory+" LOADER_STACK_SIZE_STR "(%rip), %rsp\n\t"
		"call loader_main\n\t"
		"ud2\n\t");
}
