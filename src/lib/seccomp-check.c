/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The checks the kernel applies to a seccomp filter (bpf_check_classic(),
 * check_load_and_stores() and seccomp_check_filter()), done at
 * pristine_config() time: the loader installs the filter after it has
 * reported success, when a refusal could no longer be returned.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include "seccomp-check.h"

static int allowed(const struct sock_filter *f)
{
	switch (f->code) {
	case BPF_LD | BPF_W | BPF_ABS:
		return f->k < sizeof(struct seccomp_data) && !(f->k & 3);
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_W | BPF_LEN:
	case BPF_RET | BPF_K: case BPF_RET | BPF_A:
	case BPF_ALU | BPF_ADD | BPF_K: case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_K: case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_K: case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_K: case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_AND | BPF_K: case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_K: case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_K: case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_K: case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_K: case BPF_ALU | BPF_RSH | BPF_X:
	case BPF_ALU | BPF_NEG:
	case BPF_LD | BPF_IMM: case BPF_LDX | BPF_IMM:
	case BPF_MISC | BPF_TAX: case BPF_MISC | BPF_TXA:
	case BPF_LD | BPF_MEM: case BPF_LDX | BPF_MEM:
	case BPF_ST: case BPF_STX:
	case BPF_JMP | BPF_JA:
	case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X:
		return 1;
	default:
		return 0;
	}
}

static int structure(const struct sock_filter *f, size_t n)
{
	size_t pc;

	for (pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &f[pc];

		switch (BPF_CLASS(i->code)) {
		case BPF_ALU:
			if ((BPF_OP(i->code) == BPF_DIV) &&
			    BPF_SRC(i->code) == BPF_K && i->k == 0)
				return 0;
			if ((BPF_OP(i->code) == BPF_LSH ||
			     BPF_OP(i->code) == BPF_RSH) &&
			    BPF_SRC(i->code) == BPF_K && i->k >= 32)
				return 0;
			break;
		case BPF_LD: case BPF_LDX:
			if (BPF_MODE(i->code) == BPF_MEM && i->k >= BPF_MEMWORDS)
				return 0;
			break;
		case BPF_ST: case BPF_STX:
			if (i->k >= BPF_MEMWORDS)
				return 0;
			break;
		case BPF_JMP:
			if (BPF_OP(i->code) == BPF_JA) {
				if (i->k >= n - pc - 1)
					return 0;
			} else if (pc + i->jt + 1 >= n || pc + i->jf + 1 >= n) {
				return 0;
			}
			break;
		}
	}
	return f[n - 1].code == (BPF_RET | BPF_K) ||
	       f[n - 1].code == (BPF_RET | BPF_A);
}

/* check_load_and_stores(): no scratch slot is read before it is written. */
static int loads_after_stores(const struct sock_filter *f, size_t n)
{
	uint16_t *valid = malloc(n * sizeof(*valid));
	uint16_t mem = 0;
	size_t pc;
	int ok = 1;

	if (!valid)
		return -1;
	memset(valid, 0xff, n * sizeof(*valid));
	for (pc = 0; ok && pc < n; pc++) {
		const struct sock_filter *i = &f[pc];

		mem &= valid[pc];

		switch (i->code) {
		case BPF_ST: case BPF_STX:
			mem |= (uint16_t)(1u << i->k);
			break;
		case BPF_LD | BPF_MEM: case BPF_LDX | BPF_MEM:
			if (!(mem & (1u << i->k)))
				ok = 0;
			break;
		case BPF_JMP | BPF_JA:
			valid[pc + 1 + i->k] &= mem;
			mem = 0xffff;
			break;
		default:
			if (BPF_CLASS(i->code) == BPF_JMP) {
				valid[pc + 1 + i->jt] &= mem;
				valid[pc + 1 + i->jf] &= mem;
				mem = 0xffff;
			}
			break;
		}
	}
	free(valid);
	return ok;
}

int seccomp_check(const void *prog, size_t len)
{
	const struct sock_filter *f = prog;
	size_t n = len / sizeof(*f), pc;

	if (!prog || !len || len % sizeof(*f) || n > BPF_MAXINSNS)
		return EINVAL;
	for (pc = 0; pc < n; pc++)
		if (!allowed(&f[pc]))
			return EINVAL;
	if (!structure(f, n))
		return EINVAL;
	switch (loads_after_stores(f, n)) {
	case -1:
		return ENOMEM;
	case 0:
		return EINVAL;
	}
	return 0;
}
