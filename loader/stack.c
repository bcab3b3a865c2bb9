/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
#include <elf.h>
#include "mem.h"
#include "stack.h"

static size_t auxv_pairs(const uint64_t *auxv)
{
	size_t n;

	for (n = 0; n < STACK_AUXV_MAX; n++)
		if (auxv[2 * n] == AT_NULL)
			return n + 1;
	return 0;
}

size_t stack_size(const struct stack_args *a)
{
	size_t pairs = auxv_pairs(a->auxv);
	size_t strings = a->argv.bytes + a->envp.bytes + strlen(a->execfn) + 1;
	size_t vectors = (a->argv.count + a->envp.count + 3 + 2 * pairs) * 8;

	return 8 + strings + 8192 + 16 + sizeof(STACK_PLATFORM) + 16 + 16 +
	       vectors + 16;
}

static uint64_t lookup(const struct stack_args *a, uint64_t key, uint64_t val)
{
	size_t i;

	for (i = 0; i < a->nset; i++)
		if (a->set[2 * i] == key)
			return a->set[2 * i + 1];
	return val;
}

/* Writes count pointers to the strings starting at addr into vec. */
static uint64_t put_vector(uint64_t *vec, uint64_t addr,
			   const struct stack_strings *s)
{
	const char *p = s->data;
	size_t i;

	for (i = 0; i < s->count; i++) {
		size_t n = strlen(p) + 1;

		vec[i] = addr;
		addr += n;
		p += n;
	}
	vec[s->count] = 0;
	return addr;
}

int stack_build(const struct stack_args *a, unsigned char *buf, size_t len,
		struct stack_layout *out)
{
	size_t pairs = auxv_pairs(a->auxv), i;
	size_t fnlen = strlen(a->execfn) + 1;
	uint64_t p = a->top, platform, random, sp, items, *words;
	uint64_t execfn;

#define AT(addr) (buf + len - (a->top - (addr)))
	if (!pairs)
		return -1;
	p -= 8;
	memset(AT(p), 0, 8);
	p -= fnlen;
	execfn = p;
	memcpy(AT(p), a->execfn, fnlen);
	p -= a->envp.bytes;
	out->env_start = p;
	out->env_end = p + a->envp.bytes;
	memcpy(AT(p), a->envp.data, a->envp.bytes);
	p -= a->argv.bytes;
	out->arg_start = p;
	out->arg_end = p + a->argv.bytes;
	memcpy(AT(p), a->argv.data, a->argv.bytes);

	p = (p - a->gap) & ~15ull;
	p -= sizeof(STACK_PLATFORM);
	platform = p;
	p -= 16;
	random = p;

	/* STACK_ADD(p, ei_index) then STACK_ROUND(sp, items) */
	sp = p - 2 * pairs * 8;
	items = a->argv.count + 1 + a->envp.count + 1 + 1;
	sp = (sp - items * 8) & ~15ull;
	out->sp = sp;
	out->low = sp;
	/* Fresh stack pages are zero: so is everything we do not write. */
	memset(AT(sp), 0, out->arg_start - sp);
	memcpy(AT(platform), STACK_PLATFORM, sizeof(STACK_PLATFORM));
	memcpy(AT(random), a->random, 16);

	words = (uint64_t *)AT(sp);
	words[0] = a->argv.count;
	put_vector(words + 1, out->arg_start, &a->argv);
	put_vector(words + 2 + a->argv.count, out->env_start, &a->envp);
	words += 3 + a->argv.count + a->envp.count;
	out->auxv = sp + (3 + a->argv.count + a->envp.count) * 8;
	out->auxv_bytes = pairs * 16;
	for (i = 0; i < pairs; i++) {
		uint64_t key = a->auxv[2 * i], val = a->auxv[2 * i + 1];

		switch (key) {
		case AT_RANDOM:
			val = random;
			break;
		case AT_PLATFORM:
			val = platform;
			break;
		case AT_EXECFN:
			val = execfn;
			break;
		default:
			val = lookup(a, key, val);
			break;
		}
		words[2 * i] = key;
		words[2 * i + 1] = val;
	}
	return 0;
#undef AT
}
