/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The empty process: take over from the kernel's exec, then serve
 * requests: read the whole request, apply it record by record, run the
 * image, and say so (hello and status in one message). Any failure is
 * reported once, with the step that failed, and the process exits 127
 * without running anything.
 */
#include <elf.h>
#include "actions.h"
#include "channel.h"
#include "main.h"
#include "mem.h"
#include "records.h"
#include "route.h"
#include "run.h"
#include "start.h"
#include "sys.h"

static int parse_socket_fd(const char *s)
{
	int v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

static void read_kernel_state(struct loader *l, unsigned long *sp)
{
	unsigned long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	uint64_t *auxv, execfn = 0;
	size_t i;

	while (*envp)
		envp++;
	auxv = (uint64_t *)(envp + 1);
	for (i = 0; i < LOADER_AUXV_MAX - 1 && auxv[2 * i] != AT_NULL; i++) {
		l->auxv[2 * i] = auxv[2 * i];
		l->auxv[2 * i + 1] = auxv[2 * i + 1];
		if (auxv[2 * i] == AT_EXECFN)
			execfn = auxv[2 * i + 1];
	}
	l->auxv[2 * i] = AT_NULL;
	l->auxv[2 * i + 1] = 0;
	/* The kernel puts the exec file name right below 8 zero bytes at the
	 * very top of the stack mapping. */
	l->stack_top = execfn + strlen((const char *)execfn) + 1 + 8;
	l->kernel_sp = (uint64_t)sp;
	l->sock = argc >= 2 ? parse_socket_fd(argv[1]) : -1;
}

/*
 * Applies one request's records in order up to its RUN (which does not
 * return) or PREPARE (after which the next request follows).
 */
static void apply_request(struct loader *l, const unsigned char *p,
			  const unsigned char *end)
{
	struct record rec;
	int n, err;

	l->req_begin = p;
	l->req_end = end;
	while ((n = records_next(&p, end, &rec)) != 0) {
		l->step++;
		l->step_type = rec.type;
		if (n < 0)
			channel_fail(l, -n);
		if (rec.type == PW_REQ_RUN)
			channel_fail(l, -run_image(l, rec.u.mode));
		if (rec.type == PW_REQ_PREPARE) {
			if ((err = prepare_image(l, rec.u.mode)) < 0)
				channel_fail(l, -err);
			return;
		}
		if (rec.type == PW_REQ_IMAGE && l->prepared.done)
			channel_fail(l, EPROTO);	/* a template's image is set */
		if ((err = actions_apply(l, &rec)) < 0)
			channel_fail(l, -err);
	}
	l->step_type = 0;
	channel_fail(l, EPROTO);	/* no run record */
}

/*
 * No request queued: a pool or template member, which waits. It does now
 * what a run in userspace would pay for: fault in its hot pages, with one
 * call instead of one trap each, and find the trampoline's way out in the
 * vDSO. A fresh empty process finds its request queued and skips this: on
 * its critical path the call cost more than the faults it saves, and its
 * run is the kernel's (doc/performance.md).
 */
static void idle(struct loader *l)
{
	uint64_t hot = (uint64_t)&loader_memory.stack[LOADER_STACK_SIZE - 8192];

	sys_madvise((void *)hot,
		    ELF_PAGEALIGN((uint64_t)&l->request[4096]) - hot,
		    23 /* MADV_POPULATE_WRITE */);
	run_gadget(l);
}

static __attribute__((noreturn)) void serve(struct loader *l)
{
	/* No idle work when the library's hint says the caller is hardened:
	 * its seccomp filter may refuse any call (or flag) the kernel route
	 * does not need, and the run is the kernel's anyway. */
	void (*wait)(struct loader *) = l->route.caller.hint ? 0 : idle;

	for (;;) {
		size_t length;
		unsigned char *p = channel_receive(l, &length, wait);
		struct pw_status ready;

		l->step = 0;
		apply_request(l, p, p + length);
		/* Prepared: say so, with the route, and wait for the rest. */
		ready = (struct pw_status){ .step = l->step, .type = l->step_type,
					    .reason = l->prepared.reason };
		channel_send(l, PW_REP_STATUS, &ready, sizeof(ready));
	}
}

void loader_main(unsigned long *sp)
{
	struct loader *l = &loader_memory.l;
	const char *state = sp[0] >= 3 ? (const char *)sp[3] : 0;

	read_kernel_state(l, sp);
	l->image_fd = -1;
	l->fd_name = -1;
	l->randomize = 1;
	if (l->sock < 0)
		channel_missing();
	if (route_start(l, state) < 0)
		channel_fail(l, EPERM);
	/* Every signal is blocked: the library started us so. */
	serve(l);
}
