/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The initial stack of a new program, laid out as create_elf_tables() does.
 * Pure: it writes into a buffer that stands for the top of the stack and
 * computes addresses as if the buffer were at 'top'. No system calls, so the
 * hosted unit tests compile this file as it is and check it to the byte.
 *
 *	top ->	8 zero bytes
 *		execfn string
 *		environment strings (envp[0] lowest)
 *		argument strings (argv[0] lowest)	<- arg_start
 *		random gap (0..8191 bytes), then align 16
 *		"x86_64\0"				<- AT_PLATFORM
 *		16 random bytes				<- AT_RANDOM
 *		padding to 16
 *		auxv pairs, AT_NULL
 *		NULL, envp[], NULL, argv[], argc	<- sp (16-byte aligned)
 */
#ifndef PRISTINE_LOADER_STACK_H
#define PRISTINE_LOADER_STACK_H

#include <stddef.h>
#include <stdint.h>

#define STACK_AUXV_MAX	64	/* pairs, like AT_VECTOR_SIZE_BASE + arch */
#define STACK_PLATFORM	"x86_64"

struct stack_strings {
	const char *data;	/* count NUL-terminated strings, back to back */
	size_t bytes;		/* including every NUL */
	size_t count;
};

struct stack_args {
	uint64_t top;			/* end of the stack mapping */
	struct stack_strings argv;
	struct stack_strings envp;
	const char *execfn;
	const unsigned char *random;	/* 16 bytes */
	uint64_t gap;			/* 0..8191 */
	const uint64_t *auxv;		/* template pairs ending with AT_NULL */
	const uint64_t *set;		/* pairs (key, value) to rewrite */
	size_t nset;
};

struct stack_layout {
	uint64_t sp;			/* &argc */
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t auxv;			/* address of the auxv copy */
	size_t auxv_bytes;		/* including AT_NULL */
	uint64_t low;			/* lowest byte written */
};

/* Bytes needed below top (an upper bound valid for any gap <= 8191). */
size_t stack_size(const struct stack_args *a);

/*
 * Build the stack into buf, where buf + len corresponds to a->top and is
 * aligned as it, to 16 bytes at least (the words are stored at addresses
 * 16-byte aligned relative to top). len must be at least stack_size(a).
 * Returns 0, or -1 if the template auxv is malformed (no AT_NULL within
 * STACK_AUXV_MAX pairs).
 */
int stack_build(const struct stack_args *a, unsigned char *buf, size_t len,
		struct stack_layout *out);

#endif
