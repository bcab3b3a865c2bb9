/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The scenario, as safeexec ran it: stdin from /dev/null, stdout to
 * /dev/null, stderr a copy of stdout, cwd "/", only fds 0-2 kept, the
 * caller's environment. Written down once, as the pristine_config()
 * calls that make it; the fork+exec and posix_spawn versions in
 * compare.c do the same by their own means.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "demo.h"
#include "pristine.h"
#include "tool.h"

extern char **environ;

uint64_t demo_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct demo_step *next(struct demo *d, unsigned int cmd,
			      const char *key, const void *value, int aux,
			      const char *shown)
{
	struct demo_step *s = &d->steps[d->nsteps++];

	*s = (struct demo_step){ cmd, key, value, aux, shown };
	return s;
}

int demo_init(struct demo *d, const char *path, char **argv)
{
	size_t nargv, nenv, i;

	d->path = path;
	d->argv = argv;
	d->envp = environ;
	for (nargv = 0; argv[nargv]; nargv++)
		;
	for (nenv = 0; environ[nenv]; nenv++)
		;
	d->null_in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	d->null_out = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (d->null_in < 0 || d->null_out < 0) {
		tool_error("cannot open /dev/null: %s", strerror(errno));
		return TOOL_EXIT_FAILURE;
	}
	d->steps = calloc(6 + nargv + nenv, sizeof(*d->steps));
	if (!d->steps) {
		tool_error("out of memory");
		return TOOL_EXIT_FAILURE;
	}
	d->nsteps = 0;
	next(d, PRISTINE_SET_FD, "fd:0", NULL, d->null_in,
	     "/dev/null, read-only");
	next(d, PRISTINE_SET_FD, "fd:1", NULL, d->null_out,
	     "/dev/null, write-only");
	next(d, PRISTINE_SET_FD, "fd:2", NULL, d->null_out, "a copy of fd 1");
	next(d, PRISTINE_SET_PATH, "cwd", "/", AT_FDCWD, "\"/\"");
	next(d, PRISTINE_SET_INT, "close-from", NULL, 3, "3");
	for (i = 0; i < nargv; i++)
		next(d, PRISTINE_SET_STRING, "argv", argv[i], 0, argv[i]);
	for (i = 0; i < nenv; i++)
		next(d, PRISTINE_SET_STRING, "env", environ[i], 0,
		     "the caller's environment");
	next(d, PRISTINE_SET_PATH, "exec", path, AT_FDCWD, path);
	return 0;
}

int demo_configure(const struct demo *d, int h, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++) {
		const struct demo_step *s = &d->steps[i];

		if (pristine_config(h, s->cmd, s->key, s->value, s->aux) < 0)
			return -1;
	}
	return 0;
}
