/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * A request, as the loader takes it apart: the hello
 * (records_check_hello()), then the records (records_next()), counting
 * the descriptors they take. Whatever
 * records_next() accepts must lie within the request, and a RUN's argv
 * and envp go on to stack_size() and stack_build() as run.c passes them.
 * The input's first bytes are also decoded as the loader's argv[2]
 * (records_caller_state()).
 */
#include <elf.h>
#include <errno.h>
#include <string.h>
#include "build-id.h"
#include "fuzz.h"
#include "records.h"
#include "stack.h"

struct span {
	const unsigned char *start, *end;
};

static void within(const struct span *s, const void *p, size_t len)
{
	const unsigned char *c = p;

	FUZZ_ASSERT(c >= s->start && c <= s->end &&
		    len <= (size_t)(s->end - c));
}

/* A string the decoder accepted: NUL-terminated inside the payload. */
static void check_string(const struct span *payload, const char *s)
{
	if (!s)
		return;
	within(payload, s, 1);
	within(payload, s, strnlen(s, (size_t)(payload->end -
					       (const unsigned char *)s)) + 1);
}

static void check_strings(const struct span *payload, const struct strings *v)
{
	const char *p = v->data;
	size_t i;

	within(payload, v->data, v->bytes);
	for (i = 0; i < v->count; i++) {
		check_string(payload, p);
		p += strlen(p) + 1;
	}
	FUZZ_ASSERT(p == v->data + v->bytes);
}

/* The stack run.c would build from what the request gave. */
static void build_stack(const struct strings *argv, const struct strings *envp)
{
	static const uint64_t auxv[] = { AT_PAGESZ, 4096, AT_RANDOM, 0,
					 AT_EXECFN, 0, AT_NULL, 0 };
	static const unsigned char random[16];
	struct stack_args a = {
		.top = 0x7ffffffff000ull,
		.argv = { argv->data, argv->bytes, argv->count },
		.envp = { envp->data, envp->bytes, envp->count },
		.execfn = "/dev/fd/3",
		.random = random,
		.gap = 8191,
		.auxv = auxv,
	};
	struct stack_layout st;
	size_t len;
	unsigned char *buf;

	if (!argv->count)	/* the kernel runs argc 0 as argv { "" } */
		a.argv = (struct stack_strings){ "", 1, 1 };
	len = stack_size(&a);
	buf = aligned_alloc(16, (len + 15) & ~15ul);
	FUZZ_ASSERT(stack_build(&a, buf + ((len + 15) & ~15ul) - len, len,
				&st) == 0);
	FUZZ_ASSERT(st.env_end - st.arg_start == a.argv.bytes + a.envp.bytes);
	free(buf);
}

FUZZ_TARGET(request)
{
	static const struct strings none;
	struct strings argv = none, envp = none;
	const unsigned char *p, *end;
	struct pw_hello h;
	struct record r;
	struct span req;
	unsigned char *copy;
	int n, hello;

	/* The same bytes as the loader's argv[2], which anyone who runs it
	 * chooses (the capability install makes that matter). */
	{
		char arg[80];
		struct caller_state c;
		size_t k = size < sizeof(arg) - 1 ? size : sizeof(arg) - 1;

		memcpy(arg, data, k);
		arg[k] = 0;
		if (records_caller_state(arg, &c) == 0)
			FUZZ_ASSERT(c.hint < PW_WHY_MAX &&
				    (c.known || (!c.personality && !c.stack &&
						 !c.ambient)));
		else
			FUZZ_ASSERT(!c.known || c.hint < PW_WHY_MAX);
	}
	if (size < sizeof(struct pw_rec) + sizeof(h))
		return 0;
	hello = records_check_hello(data, PRISTINE_BUILD_ID, &h);
	FUZZ_ASSERT(hello == 0 || hello == -EPROTO || hello == -ELIBBAD);
	if (hello == 0)
		FUZZ_ASSERT(h.length <= PW_MAX_REQUEST && !(h.length & 7) &&
			    h.nfds <= PW_MAX_FDS);
	/* The records, whatever the hello said (the loader would have
	 * stopped; the decoder is the target), in a buffer of their exact
	 * size so that reading past it is a finding. */
	size -= sizeof(struct pw_rec) + sizeof(h);
	copy = malloc(size ? size : 1);
	memcpy(copy, data + sizeof(struct pw_rec) + sizeof(h), size);
	p = copy;
	end = copy + size;
	req = (struct span){ copy, end };
	while ((n = records_next(&p, end, &r)) != 0) {
		struct span payload;

		FUZZ_ASSERT(p >= copy && p <= end);
		if (n < 0) {
			FUZZ_ASSERT(n == -EPROTO || n == -EINVAL);
			break;
		}
		within(&req, r.payload, r.len);
		payload = (struct span){ r.payload, r.payload + r.len };
		FUZZ_ASSERT(r.takes_fd == 0 || r.takes_fd == 1);
		switch (r.type) {
		case PW_REQ_ARGV:
			check_strings(&payload, &r.u.strings);
			argv = r.u.strings;
			break;
		case PW_REQ_ENVP:
			check_strings(&payload, &r.u.strings);
			envp = r.u.strings;
			break;
		case PW_REQ_IMAGE:
			check_string(&payload, r.u.image.path);
			check_string(&payload, r.u.image.search);
			FUZZ_ASSERT(r.u.image.path ||
				    (r.u.image.flags & PW_IMAGE_FD));
			break;
		case PW_REQ_OPEN:
			check_string(&payload, r.u.open.path);
			break;
		case PW_REQ_CHDIR:
		case PW_REQ_NAME:
		case PW_REQ_CHROOT:
			check_string(&payload, r.u.string);
			break;
		case PW_REQ_CREDS:
			within(&payload, r.u.creds.groups,
			       r.u.creds.c.ngroups * sizeof(uint32_t));
			break;
		case PW_REQ_PROC_WRITE:
			check_string(&payload, r.u.proc.text);
			break;
		case PW_REQ_MOUNT:
			check_string(&payload, r.u.mount.target);
			break;
		case PW_REQ_AFFINITY:
		case PW_REQ_SCHED_ATTR:
			within(&payload, r.u.bytes.p, r.u.bytes.len);
			break;
		case PW_REQ_SECCOMP:
			within(&payload, r.u.filter.insns, r.u.filter.len);
			FUZZ_ASSERT(r.u.filter.len && r.u.filter.len % 8 == 0);
			break;
		case PW_REQ_RUN:
		case PW_REQ_PREPARE:
			FUZZ_ASSERT(p == end);
			if (r.type == PW_REQ_RUN)
				build_stack(&argv, &envp);
			break;
		}
	}
	free(copy);
	return 0;
}
