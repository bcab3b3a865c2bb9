/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * What the tools say: every line on stderr starts with the tool's name, a
 * usage error ends pointing at --help, and the version line is the same
 * for each tool.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "pristine.h"
#include "tool.h"

static void report(const char *fmt, va_list ap, int usage)
{
	fprintf(stderr, "%s: ", tool_name);
	vfprintf(stderr, fmt, ap);
	if (usage)
		fprintf(stderr, " (see %s --help)", tool_name);
	fputc('\n', stderr);
}

void tool_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(fmt, ap, 0);
	va_end(ap);
}

void tool_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(fmt, ap, 1);
	va_end(ap);
	exit(TOOL_EXIT_FAILURE);
}

void tool_option_error(int c, char *const *argv)
{
	if (c == ':')
		tool_usage_error("option '%s' needs an argument",
				 argv[optind - 1]);
	if (optopt)
		tool_usage_error("unknown option '-%c'", optopt);
	tool_usage_error("unknown option '%s'", argv[optind - 1]);
}

void tool_print_version(void)
{
	printf("%s (pristine) %d.%d.%d\n", tool_name, PRISTINE_VERSION_MAJOR,
	       PRISTINE_VERSION_MINOR, PRISTINE_VERSION_MICRO);
}
