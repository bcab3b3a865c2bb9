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

/*
 * Room for n pointers: below what the kernel wrote on the loader's own
 * [stack], which the loader never uses, so that the kernel route needs no
 * new mapping (an RLIMIT_AS set for the program may leave the loader
 * none); a fresh mapping if they do not fit there.
 */
static char **room(const struct loader *l, size_t n)
{
	uint64_t low = (l->kernel_sp - n * sizeof(char *) - 64) & ~15ull;
	unsigned char vec;
	long m;

	/* Not under valgrind, which takes the loader's [stack] below the
	 * kernel's stack pointer for unaddressable. */
	if (low < l->kernel_sp && !l->route.valgrind &&
	    sys_mincore((void *)(low & ~4095ull), 4096, &vec) == 0)
		return (char **)low;
	m = sys_mmap(0, n * sizeof(char *), PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return m < 0 && m > -4096 ? 0 : (char **)m;
}

/* The pointers to s's strings into v, NULL-terminated; returns the end. */
static char **vector(char **v, const struct strings *s)
{
	const char *p = s->data;
	size_t i;

	for (i = 0; i < s->count; i++) {
		v[i] = (char *)p;
		p += strlen(p) + 1;
	}
	v[s->count] = 0;
	return v + s->count + 1;
}

int fallback_exec(struct loader *l, uint32_t reason, int dfd,
		  const char *path, int flags)
{
	struct pw_status st = { .reason = reason, .step = l->step,
				.type = l->step_type };
	uint64_t all = ~0ull;
	char **argv = room(l, l->argv.count + l->envp.count + 2), **envp;
	long err;

	if (!argv)
		return -ENOMEM;
	envp = vector(argv, &l->argv);
	vector(envp, &l->envp);
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
