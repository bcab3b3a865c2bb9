/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The initial stack: stack_size() and stack_build() with any strings, any
 * auxv template (AT_NULL missing included), any rewrite pairs and gap.
 * stack_build() must write only within stack_size() bytes below the top
 * (the buffer has exactly that size) and lay out what it was given.
 */
#include <elf.h>
#include <string.h>
#include "fuzz.h"
#include "stack.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif
#ifdef HAVE_ASAN
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#endif

#define TOP 0x7ffffffff000ull

/* The stack being checked: buf + len stands for top. */
struct view {
	const unsigned char *buf;
	size_t len;
	uint64_t top;
};

struct input {
	const uint8_t *p, *end;
};

/* n bytes of input, zeros once it runs out. */
static void take(struct input *in, void *out, size_t n)
{
	size_t have = (size_t)(in->end - in->p);

	if (have > n)
		have = n;
	memcpy(out, in->p, have);
	memset((char *)out + have, 0, n - have);
	in->p += have;
}

/* The next count strings of [*s, end) (each ends at a NUL or at end). */
static char *strings(const char **s, const char *end, size_t count,
		     struct stack_strings *out)
{
	char *copy, *d;
	size_t i;

	/* Each string takes at least one byte of input, and one NUL. */
	copy = d = malloc(2 * (size_t)(end - *s) + 1);
	for (i = 0; i < count && *s < end; i++) {
		size_t n = strnlen(*s, (size_t)(end - *s));

		memcpy(d, *s, n);
		d[n] = 0;
		d += n + 1;
		*s += n + (*s + n < end);
	}
	*out = (struct stack_strings){ copy, (size_t)(d - copy), i };
	return copy;
}

static uint64_t word(const struct view *v, uint64_t addr)
{
	uint64_t w;

	FUZZ_ASSERT(addr >= v->top - v->len && addr <= v->top - 8);
	memcpy(&w, v->buf + v->len - (v->top - addr), 8);
	return w;
}

static const char *str(const struct view *v, uint64_t addr)
{
	FUZZ_ASSERT(addr >= v->top - v->len && addr < v->top);
	return (const char *)v->buf + v->len - (v->top - addr);
}

/* Each pointer of a vector names the next of the given strings. */
static void check_vector(const struct view *v, uint64_t at,
			 const struct stack_strings *s)
{
	const char *p = s->data;
	size_t i;

	for (i = 0; i < s->count; i++) {
		FUZZ_ASSERT(!strcmp(str(v, word(v, at + 8 * i)), p));
		p += strlen(p) + 1;
	}
	FUZZ_ASSERT(word(v, at + 8 * s->count) == 0);
}

static void check_layout(const struct stack_args *a, const struct view *v,
			 const struct stack_layout *st)
{
	size_t argc = a->argv.count, envc = a->envp.count, i;
	uint64_t aux = st->sp + 8 * (argc + envc + 3);

	FUZZ_ASSERT(st->sp % 16 == 0 && st->low == st->sp);
	FUZZ_ASSERT(st->sp >= a->top - v->len);
	FUZZ_ASSERT(word(v, a->top - 8) == 0);
	FUZZ_ASSERT(st->arg_end == st->env_start);
	FUZZ_ASSERT(st->arg_end - st->arg_start == a->argv.bytes);
	FUZZ_ASSERT(st->env_end - st->env_start == a->envp.bytes);
	FUZZ_ASSERT(!strcmp(str(v, st->env_end), a->execfn));
	FUZZ_ASSERT(word(v, st->sp) == argc);
	check_vector(v, st->sp + 8, &a->argv);
	check_vector(v, st->sp + 16 + 8 * argc, &a->envp);
	FUZZ_ASSERT(st->auxv == aux);
	for (i = 0; 16 * i < st->auxv_bytes; i++) {
		uint64_t key = word(v, aux + 16 * i);
		uint64_t val = word(v, aux + 16 * i + 8);

		FUZZ_ASSERT(key == a->auxv[2 * i]);
		if (key == AT_RANDOM)
			FUZZ_ASSERT(!memcmp(str(v, val), a->random, 16));
		else if (key == AT_PLATFORM)
			FUZZ_ASSERT(!strcmp(str(v, val), STACK_PLATFORM));
		else if (key == AT_EXECFN)
			FUZZ_ASSERT(val == st->env_end);
	}
	FUZZ_ASSERT(word(v, aux + st->auxv_bytes - 16) == AT_NULL);
}

FUZZ_TARGET(stack)
{
	struct input in = { data, data + size };
	struct fuzz_stack_head h;
	uint64_t auxv[2 * 80], set[2 * 10];
	unsigned char random[16];
	struct stack_args a;
	struct stack_layout st;
	struct stack_strings fn;
	const char *s, *end;
	char *fn_copy, *argv_copy, *envp_copy;
	unsigned char *raw;
	struct view v;
	size_t len, slack, i;
	int null_at = -1, rc;

	take(&in, &h, sizeof(h));
	h.npairs %= 80;
	h.nset %= 11;
	take(&in, auxv, 16 * h.npairs);
	take(&in, set, 16 * h.nset);
	take(&in, random, sizeof(random));
	for (i = 0; i < h.npairs && i < STACK_AUXV_MAX; i++)
		if (auxv[2 * i] == AT_NULL) {
			null_at = (int)i;
			break;
		}
	if (null_at < 0 && h.npairs < STACK_AUXV_MAX)
		return 0;	/* the loader's own auxv always has AT_NULL */
	s = (const char *)in.p;
	end = (const char *)in.end;
	fn_copy = strings(&s, end, 1, &fn);
	argv_copy = strings(&s, end, h.nargv, &a.argv);
	envp_copy = strings(&s, end, SIZE_MAX, &a.envp);
	a.top = TOP - 4096ull * h.top_pages;
	a.execfn = fn.count ? fn_copy : "";
	a.random = random;
	a.gap = h.gap % 8192;
	a.auxv = auxv;
	a.set = set;
	a.nset = h.nset;

	len = stack_size(&a);
	/* As the kernel's stack top, buf + len is page aligned. Below buf
	 * lies slack: poisoned, so that a write there is a finding too. */
	slack = (4096 - len % 4096) % 4096;
	raw = aligned_alloc(4096, len + slack);
	ASAN_POISON_MEMORY_REGION(raw, slack);
	v = (struct view){ raw + slack, len, a.top };
	rc = stack_build(&a, raw + slack, len, &st);
	FUZZ_ASSERT(rc == (null_at < 0 ? -1 : 0));
	if (rc == 0)
		check_layout(&a, &v, &st);
	ASAN_UNPOISON_MEMORY_REGION(raw, slack);
	free(raw);
	free(fn_copy);
	free(argv_copy);
	free(envp_copy);
	return 0;
}
