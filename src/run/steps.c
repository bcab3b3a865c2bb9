/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The pristine_config() calls pristine-run prepares before the empty
 * process exists, so that every usage error is found before it does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pristine.h"
#include "run.h"
#include "tool.h"

struct step **steps;
size_t nsteps;
int verbose;

void oom(void)
{
	tool_error("out of memory");
	exit(TOOL_EXIT_FAILURE);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	return s;
}

struct step *add_step(char *opt, const char *key, unsigned int cmd)
{
	struct step *s = xcalloc(1, sizeof(*s)), **v;

	v = realloc(steps, (nsteps + 1) * sizeof(*steps));
	if (!v)
		oom();
	steps = v;
	steps[nsteps++] = s;
	s->opt = opt;
	snprintf(s->key, sizeof(s->key), "%s", key);
	s->cmd = cmd;
	return s;
}

struct step *insert_step(size_t at, char *opt, const char *key,
			 unsigned int cmd)
{
	struct step *s = add_step(opt, key, cmd);

	memmove(steps + at + 1, steps + at, (nsteps - 1 - at) * sizeof(*steps));
	steps[at] = s;
	return s;
}

size_t step_index(const struct step *s)
{
	size_t i;

	for (i = 0; i < nsteps && steps[i] != s; i++)
		;
	return i;
}

int nonneg(const char *s)
{
	return (int)tool_number(s, 0, 0x7fffffff);
}

char *describe_set(const sigset_t *set)
{
	char *s = NULL, *t;
	int sig;

	for (sig = 1; sig <= SIGRTMAX; sig++) {
		if (sigismember(set, sig) != 1)
			continue;
		t = xasprintf("%s%s%s", s ? s : "", s ? "," : "",
			      tool_signal_name(sig));
		free(s);
		s = t;
	}
	return s ? s : xasprintf("(none)");
}

int apply(int h, struct step *s)
{
	const void *value = s->string;
	int aux = s->aux;

	if (s->cmd == PRISTINE_SET_BINARY && s->binary) {
		value = s->binary;
	} else if (s->cmd == PRISTINE_SET_BINARY) {
		value = &s->data;
		aux = strncmp(s->key, "rlimit:", 7) ? (int)sizeof(s->data.set)
						     : (int)sizeof(s->data.rl);
	}
	if (verbose)
		fprintf(stderr, "%s: %-14s %s\n", tool_name, s->key,
			s->what ? s->what : "");
	if (s->cmd == PRISTINE_SET_PATH)
		aux = AT_FDCWD;
	if (pristine_config(h, s->cmd, s->key, value, aux) < 0) {
		tool_error("%s: %s", s->opt ? s->opt : s->key,
			   *pristine_errmsg() ? pristine_errmsg()
					      : strerror(errno));
		return TOOL_EXIT_FAILURE;
	}
	return 0;
}
