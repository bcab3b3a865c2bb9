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
#include <sys/resource.h>
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

/*
 * Why the empty process refused a step, in words: the reasons the kernel
 * gives one errno for. NULL: strerror() says it all.
 */
static const char *reason(const char *key, int err, char *buf, size_t n)
{
	struct rlimit now;
	const char *name;
	int res;

	if (!strncmp(key, "rlimit:", 7) && err == EPERM &&
	    (res = tool_rlimit_number(key + 7, &name)) >= 0 &&
	    getrlimit(res, &now) == 0) {
		if (now.rlim_max == RLIM_INFINITY)
			return "raising a hard limit needs CAP_SYS_RESOURCE";
		snprintf(buf, n, "raising the hard limit above %llu needs "
			 "CAP_SYS_RESOURCE", (unsigned long long)now.rlim_max);
		return buf;
	}
	if (!strcmp(key, "pgroup") && err == EPERM)
		return "the group is in another session, or the command "
		       "leads a session already (--setsid)";
	if (!strcmp(key, "pgroup") && err == ESRCH)
		return "there is no such process group";
	if (!strcmp(key, "setsid") && err == EPERM)
		return "the command leads a process group already (--pgroup "
		       "0 before --setsid)";
	if (!strcmp(key, "ctty") && err == EPERM)
		return "the command must lead a session without a terminal "
		       "(--setsid before --ctty), and the terminal must not "
		       "belong to another session";
	if (!strcmp(key, "ctty") && err == ENOTTY)
		return "it is not a terminal";
	if (!strcmp(key, "affinity") && err == EINVAL)
		return "none of these CPUs is online and allowed to the "
		       "command (see /sys/devices/system/cpu/online)";
	if (!strcmp(key, "seccomp") && err == EACCES)
		return "installing a seccomp filter needs no_new_privs or "
		       "CAP_SYS_ADMIN";
	return NULL;
}

/* "OPTION: errno text: reason" for a failed step, never the key. */
void step_failed(const struct step *s, int err, const char *detail)
{
	const char *opt = s->opt ? s->opt : "setting up the process";
	const char *why;
	char buf[128];

	if ((why = reason(s->key, err, buf, sizeof(buf))))
		tool_error("%s: %s: %s", opt, strerror(err), why);
	else
		tool_error("%s: %s", opt, detail ? detail : strerror(err));
}

struct step *find_step(const char *key)
{
	size_t i;

	for (i = nsteps; i-- > 0;)
		if (!strcmp(steps[i]->key, key))
			return steps[i];
	return NULL;
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
		step_failed(s, errno, NULL);
		return TOOL_EXIT_FAILURE;
	}
	return 0;
}
