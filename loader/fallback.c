/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include "channel.h"
#include "fallback.h"
#include "mem.h"
#include "route.h"
#include "sys.h"

static int seccomp_installed;

/* Pointer vectors for execveat(), in fresh memory (count + 1 entries). */
static char **vector(const struct strings *s)
{
	size_t bytes = (s->count + 1) * sizeof(char *), i;
	long m = sys_mmap(0, bytes, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char **v = (char **)m, *p = (char *)s->data;

	if (m < 0 && m > -4096)
		return 0;
	for (i = 0; i < s->count; i++) {
		v[i] = p;
		p += strlen(p) + 1;
	}
	v[s->count] = 0;
	return v;
}

int fallback_exec(struct loader *l, uint32_t reason, int dfd,
		  const char *path, int flags)
{
	struct pw_status st = { .reason = reason, .step = l->step,
				.type = l->step_type };
	uint64_t all = ~0ull;
	char **argv = vector(&l->argv), **envp = vector(&l->envp);
	long err;

	if (!argv || !envp)
		return -ENOMEM;
	/* Before the announcement, which makes EOF a success, and before the
	 * filter, which may refuse these calls. */
	if ((err = route_before_kernel(l)) < 0)
		return (int)err;
	channel_send(l, PW_REP_KERNEL, &st, sizeof(st));
	/* The kernel's exec closes the socket: that EOF is the success. */
	sys_fcntl(l->sock, F_SETFD, FD_CLOEXEC);
	if (l->seccomp && !seccomp_installed) {
		struct sock_fprog prog = {
			.len = (unsigned short)(l->seccomp_len / 8),
			.filter = (struct sock_filter *)l->seccomp,
		};

		err = sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog);
		if (err < 0)
			return (int)err;
		seccomp_installed = 1;
	}
	sys_rt_sigprocmask(SIG_SETMASK, &l->sigmask, 0);
	/* By path, the call is execve(), which is what tracers watch for
	 * (strace -e trace=execve); execveat() only for a descriptor. */
	if (dfd == AT_FDCWD && !flags)
		err = sys_execve(path, argv, envp);
	else
		err = sys_execveat(dfd, path, argv, envp, flags);
	sys_rt_sigprocmask(SIG_SETMASK, &all, 0);
	return (int)err;
}
