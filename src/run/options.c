/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * pristine-run's options, each checked and turned into one step, and the
 * environment, built from the caller's as env(1) builds it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "pristine.h"
#include "run.h"
#include "tool.h"

void opt_fd(char *opt, const char *arg)
{
	const char *eq = strchr(arg, '='), *spec, *colon;
	static const struct {
		const char *suffix, *words, *purpose;
		int flags;
	} modes[] = {
		{ "r", "read-only", "reading", O_RDONLY },
		{ "w", "write-only, truncated", "writing",
		  O_WRONLY | O_CREAT | O_TRUNC },
		{ "a", "appending", "appending",
		  O_WRONLY | O_CREAT | O_APPEND },
		{ "rw", "read-write", "reading and writing", O_RDWR | O_CREAT },
	};
	char key[32], *path;
	struct step *s;
	int n, m, mode;
	size_t len, i;

	if (!eq || (n = nonneg(strndupa(arg, (size_t)(eq - arg)))) < 0 ||
	    !eq[1])
		tool_usage_error("malformed --fd spec '%s': expected "
				 "N=PATH[:r|w|a|rw] or N=M", arg);
	snprintf(key, sizeof(key), "fd:%d", n);
	s = add_step(opt, key, PRISTINE_SET_FD);
	spec = eq + 1;
	if ((m = nonneg(spec)) >= 0) {
		if ((s->aux = source_of(m)) < 0)
			tool_usage_error("--fd %s: descriptor %d would not be "
					 "open in the command", arg, m);
		set_source(n, s->aux);
		s->what = xasprintf("a copy of fd %d", m);
		return;
	}
	/* The last colon starts the mode, which must be one of the four:
	 * a typo must not become part of a file name (out.log:wa), nor a
	 * file be truncated that was meant to be read. Read-only without
	 * one. */
	len = strlen(spec);
	mode = 0;
	if ((colon = strrchr(spec, ':'))) {
		for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
			if (!strcmp(colon + 1, modes[i].suffix))
				break;
		if (i == sizeof(modes) / sizeof(modes[0]))
			tool_usage_error("--fd %s: unknown mode '%s': expected "
					 ":r (read-only, the default), :w "
					 "(truncate), :a (append) or :rw; a "
					 "path with a colon needs a mode, as "
					 "in %.*s:r", arg, colon + 1,
					 (int)(eq - arg) + 1 + (int)len, arg);
		mode = (int)i;
		len = (size_t)(colon - spec);
	}
	if (!len)
		tool_usage_error("malformed --fd spec '%s': no path", arg);
	path = strndup(spec, len);
	if (!path)
		oom();
	/* Open until pristine-run exits: a later --fd may copy it. */
	s->aux = open(path, modes[mode].flags | O_CLOEXEC | O_NOCTTY, 0666);
	if (s->aux < 0)
		tool_usage_error("--fd %s: cannot open '%s' for %s: %s", arg,
				 path, modes[mode].purpose, strerror(errno));
	set_source(n, s->aux);
	s->what = xasprintf("%s (%s)", path, modes[mode].words);
	free(path);
}

void opt_umask(char *opt, const char *arg)
{
	struct step *s;
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 8);
	if (!*arg || *end || errno || v < 0 || v > 0777 || *arg == '-' ||
	    *arg == '+')
		tool_usage_error("--umask '%s': not an octal mode within 0777",
				 arg);
	s = add_step(opt, "umask", PRISTINE_SET_INT);
	s->aux = (int)v;
	s->what = xasprintf("%04lo", (unsigned long)v);
}

/* A limit value: a number, "unlimited"/"infinity", or "" (keep cur). */
static int limit_value(const char *s, rlim_t cur, rlim_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s) {
		*out = cur;
		return 0;
	}
	if (!strcmp(s, "unlimited") || !strcmp(s, "infinity")) {
		*out = RLIM_INFINITY;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno)
		return -1;
	*out = (rlim_t)v;
	return 0;
}

static char *describe_limit(rlim_t v)
{
	return v == RLIM_INFINITY ? xasprintf("unlimited")
				  : xasprintf("%llu", (unsigned long long)v);
}

void opt_rlimit(char *opt, const char *arg)
{
	const char *eq = strchr(arg, '='), *canonical, *colon;
	struct rlimit now;
	char key[32], *soft, *hard;
	struct step *s;
	int res;

	if (!eq)
		tool_usage_error("malformed --rlimit '%s': expected "
				 "NAME=SOFT[:HARD]", arg);
	res = tool_rlimit_number(strndupa(arg, (size_t)(eq - arg)),
				 &canonical);
	if (res < 0)
		tool_usage_error("--rlimit '%s': unknown resource limit name "
				 "'%.*s'", arg, (int)(eq - arg), arg);
	getrlimit(res, &now);
	snprintf(key, sizeof(key), "rlimit:%s", canonical);
	s = add_step(opt, key, PRISTINE_SET_BINARY);
	/* As prlimit(1): one value sets both; an empty side keeps it. */
	colon = strchr(eq + 1, ':');
	if (!colon) {
		if (!eq[1] || limit_value(eq + 1, 0, &s->data.rl.rlim_cur) < 0)
			tool_usage_error("--rlimit '%s': not a limit value",
					 arg);
		s->data.rl.rlim_max = s->data.rl.rlim_cur;
	} else if (limit_value(strndupa(eq + 1, (size_t)(colon - eq - 1)),
			       now.rlim_cur, &s->data.rl.rlim_cur) < 0 ||
		   limit_value(colon + 1, now.rlim_max,
			       &s->data.rl.rlim_max) < 0) {
		tool_usage_error("--rlimit '%s': not a limit value", arg);
	}
	if (s->data.rl.rlim_cur > s->data.rl.rlim_max)
		tool_usage_error("--rlimit '%s': soft limit above hard limit",
				 arg);
	soft = describe_limit(s->data.rl.rlim_cur);
	hard = describe_limit(s->data.rl.rlim_max);
	s->what = xasprintf("soft %s, hard %s", soft, hard);
	free(soft);
	free(hard);
}

void opt_signals(char *opt, const char *key, const char *arg)
{
	struct step *s = add_step(opt, key, PRISTINE_SET_BINARY);
	char *bad;

	if (tool_signal_set(arg, &s->data.set, &bad) < 0) {
		if (!bad)
			oom();
		tool_usage_error("--%s: unknown signal '%s'", key, bad);
	}
	if (!strcmp(key, "sigignore") &&
	    (sigismember(&s->data.set, SIGKILL) == 1 ||
	     sigismember(&s->data.set, SIGSTOP) == 1))
		tool_usage_error("--sigignore: SIGKILL and SIGSTOP cannot be "
				 "ignored");
	s->what = describe_set(&s->data.set);
}

void opt_int(char *opt, const char *key, const char *arg)
{
	struct step *s;
	int v = nonneg(arg);

	if (v < 0)
		tool_usage_error("--%s '%s': not a number >= 0", key, arg);
	s = add_step(opt, key, PRISTINE_SET_INT);
	s->aux = v;
	s->what = xasprintf("%d", v);
}

void opt_flag(char *opt, const char *key, const char *why)
{
	struct step *s = add_step(opt, key, PRISTINE_SET_FLAG);

	s->what = xasprintf("%s", why);
}

void opt_string(char *opt, const char *key, const char *arg)
{
	struct step *s = add_step(opt, key, PRISTINE_SET_STRING);

	s->string = arg;
	s->what = xasprintf("%s", arg);
}

/* ---------------------------------------------------------------------
 * The environment, as env(1) builds it
 */

char **env;
size_t nenv;

void env_unset(const char *name)
{
	size_t i, n = strlen(name), k = 0;

	for (i = 0; i < nenv; i++)
		if (strncmp(env[i], name, n) || env[i][n] != '=')
			env[k++] = env[i];
	nenv = k;
}

/* As setenv(3), which env(1) uses: a variable keeps its place. */
void env_set(char *assignment)
{
	size_t i, n = strcspn(assignment, "=");
	char **v;

	for (i = 0; i < nenv; i++)
		if (!strncmp(env[i], assignment, n) && env[i][n] == '=') {
			env[i] = assignment;
			return;
		}
	if (!(v = realloc(env, (nenv + 1) * sizeof(*env))))
		oom();
	env = v;
	env[nenv++] = assignment;
}

const char *env_get(const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < nenv; i++)
		if (!strncmp(env[i], name, n) && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

void env_file(const char *file)
{
	FILE *f = fopen(file, "re");
	char *line = NULL;
	size_t size = 0, lineno = 0;
	ssize_t n;

	if (!f)
		tool_usage_error("--env-file %s: cannot open it: %s", file,
				 strerror(errno));
	while ((n = getline(&line, &size, f)) >= 0) {
		const char *p = line;

		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		if (*p == '=' || !strchr(p, '='))
			tool_usage_error("--env-file %s, line %zu: expected "
					 "NAME=VALUE, found '%s'", file, lineno,
					 p);
		env_set(xasprintf("%s", p));
	}
	if (ferror(f))
		tool_usage_error("--env-file %s: cannot read it: %s", file,
				 strerror(errno));
	free(line);
	fclose(f);
}

void env_copy(void)
{
	extern char **environ;
	size_t i;

	for (i = 0; environ[i]; i++)
		;
	env = xcalloc(i + 1, sizeof(*env));
	for (nenv = 0; nenv < i; nenv++)
		env[nenv] = environ[nenv];
}
