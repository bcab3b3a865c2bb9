/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The PRISTINE_* variables, read once when the shim is loaded, and only
 * if the environment holds one: otherwise the settings stay all zeros
 * (the default mode, nothing else), and a look at each variable's first
 * bytes is all the work a program that never spawns pays for. A value
 * the shim does not know is reported there, once, and taken as
 * documented in pristine-preload(8) (as if the variable were unset).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "preload.h"

struct shim_settings shim_settings;

/* One line, one write(): lines of concurrent processes do not mix. */
static void say(const char *name, const char *value, const char *what)
{
	char line[512];
	int n;

	n = snprintf(line, sizeof(line), "libpristine-preload[%d]: %s=%s: "
		     "%s\n", getpid(), name, value, what);
	if (n > (int)sizeof(line))
		n = sizeof(line);
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;		/* nowhere to say it */
}

static const char *value(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static void read_mode(void)
{
	static const struct {
		const char *name;
		enum shim_mode mode;
	} modes[] = {
		{ "default", SHIM_DEFAULT }, { "loader", SHIM_LOADER },
		{ "kernel", SHIM_KERNEL }, { "off", SHIM_OFF },
	};
	const char *v = value("PRISTINE_PRELOAD");
	size_t i;

	if (!v)
		return;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(v, modes[i].name)) {
			shim_settings.mode = modes[i].mode;
			return;
		}
	say("PRISTINE_PRELOAD", v, "not default, loader, kernel or off; "
	    "the default mode");
}

static void read_stats(const char *argv0)
{
	const char *v = value("PRISTINE_STATS");

	if (v && strcmp(v, "0") && strcmp(v, "1"))
		say("PRISTINE_STATS", v, "not 0 or 1; no statistics");
	shim_settings.stats = v && !strcmp(v, "1");
	if (!shim_settings.stats)
		return;
	shim_settings.loaded_by = getpid();
	/* glibc's program_invocation_short_name, without a relocation
	 * resolved in every process. */
	argv0 = argv0 ? argv0 : "";
	shim_settings.program = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1
						    : argv0;
}

static void read_pool(void)
{
	const char *v = value("PRISTINE_POOL");
	char *end;
	long n;

	if (!v)
		return;
	n = strtol(v, &end, 10);
	if (*end || n < 1 || n > 1024 || *v < '0' || *v > '9')
		say("PRISTINE_POOL", v, "not a number from 1 to 1024; no pool");
	else
		shim_settings.pool = (unsigned int)n;
}

/* Is one of the shim's variables set (PRISTINE_LOADER is the
 * library's)? */
static int any_set(char **environ)
{
	static const char *const names[] = { "PRELOAD=", "STATS=", "POOL=",
					     "TRACE=" };
	char **e;
	size_t i;

	for (e = environ; e && *e; e++) {
		if ((*e)[0] != 'P' || strncmp(*e, "PRISTINE_", 9))
			continue;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strncmp(*e + 9, names[i], strlen(names[i])))
				return 1;
	}
	return 0;
}

/* glibc calls it with main()'s arguments: no relocation for environ. */
__attribute__((constructor)) static void read_settings(int argc, char **argv,
							char **envp)
{
	if (!any_set(envp))
		return;
	read_mode();
	read_stats(argc > 0 ? argv[0] : NULL);
	read_pool();
	/* "stderr", or a file: opened at each line (report.c). */
	shim_settings.trace = value("PRISTINE_TRACE");
	/* What the shim reports is the core's: a process asked to report
	 * loads it now, so that a spawn with no descriptor left is
	 * reported too. */
	if (shim_settings.stats || shim_settings.trace)
		shim_core();
}
