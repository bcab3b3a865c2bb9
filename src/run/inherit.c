/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * What an exec would pass on, which an empty process does not have: the
 * descriptors without close-on-exec at their numbers, the signal mask and
 * the ignored signals. They become the first steps.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "pristine.h"
#include "run.h"
#include "tool.h"

/* Descriptors without close-on-exec when pristine-run started. */
static int *inherited;
static size_t ninherited;

void snapshot_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d) {
		tool_error("cannot list /proc/self/fd: %s", strerror(errno));
		exit(TOOL_EXIT_FAILURE);
	}
	while ((e = readdir(d))) {
		int fd = nonneg(e->d_name), fl;

		if (fd < 0 || fd == dirfd(d))
			continue;
		if ((fl = fcntl(fd, F_GETFD)) < 0 || (fl & FD_CLOEXEC))
			continue;
		if (!(ninherited % 16)) {
			int *v = realloc(inherited,
					 (ninherited + 16) * sizeof(*v));
			if (!v)
				oom();
			inherited = v;
		}
		inherited[ninherited++] = fd;
	}
	closedir(d);
}

/*
 * Which descriptor of pristine-run each descriptor of the command will be
 * a copy of, as the options so far leave it: --fd N=M copies the
 * command's M, as the shell's N>&M does, and --close-from forgets.
 */
struct fd_source {
	int target, source;
};
static struct fd_source *sources;
static size_t nsources;

int source_of(int target)
{
	size_t i;

	for (i = 0; i < nsources; i++)
		if (sources[i].target == target)
			return sources[i].source;
	return -1;
}

void set_source(int target, int source)
{
	struct fd_source *v;
	size_t i;

	for (i = 0; i < nsources; i++)
		if (sources[i].target == target) {
			sources[i].source = source;
			return;
		}
	if (!(v = realloc(sources, (nsources + 1) * sizeof(*v))))
		oom();
	sources = v;
	sources[nsources++] = (struct fd_source){ target, source };
}

void forget_sources_from(int lo)
{
	size_t i, k = 0;

	for (i = 0; i < nsources; i++)
		if (sources[i].target < lo)
			sources[k++] = sources[i];
	nsources = k;
}

/* glibc hides signals 32 and 33 from sigaction() and sigaddset(), yet an
 * exec keeps them ignored like any other: ask the kernel. */
static int is_ignored(int sig)
{
	struct {
		unsigned long handler, flags, restorer;
		uint64_t mask;
	} ka;

	if (syscall(SYS_rt_sigaction, sig, NULL, &ka, sizeof(ka.mask)) < 0)
		return 0;
	return ka.handler == (unsigned long)SIG_IGN;
}

void inherit(void)
{
	struct step *s;
	sigset_t ignored;
	size_t i;
	int sig;

	for (i = 0; i < ninherited; i++) {
		char key[32];

		snprintf(key, sizeof(key), "fd:%d", inherited[i]);
		s = add_step(xasprintf("inherited descriptor %d",
				       inherited[i]), key, PRISTINE_SET_FD);
		s->aux = inherited[i];
		s->what = xasprintf("fd %d (inherited)", inherited[i]);
		set_source(inherited[i], inherited[i]);
	}
	s = add_step(xasprintf("the inherited signal mask"), "sigmask",
		     PRISTINE_SET_BINARY);
	sigprocmask(SIG_BLOCK, NULL, &s->data.set);
	s->what = describe_set(&s->data.set);
	sigemptyset(&ignored);
	for (sig = 1; sig <= SIGRTMAX; sig++)
		if (is_ignored(sig))
			ignored.__val[0] |= 1ul << (sig - 1);
	if (!sigisemptyset(&ignored)) {
		char *names = describe_set(&ignored);

		s = add_step(xasprintf("the inherited ignored signals"),
			     "sigignore", PRISTINE_SET_BINARY);
		s->data.set = ignored;
		s->what = xasprintf("%s (inherited)", names);
		free(names);
	}
}
