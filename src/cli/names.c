/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The names a user types on the command line for signals, errno values
 * and resource limits, as kill(1), prlimit(1) and errno(1) spell them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include "tool.h"
#include "rlimit-names.h"

long tool_number(const char *s, long lo, long hi)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno || v < lo || v > hi)
		return -1;
	return v;
}

int tool_signal_number(const char *name)
{
	long n = 0;
	int sig, max;

	if (*name >= '0' && *name <= '9')
		return (int)tool_number(name, 1, SIGRTMAX);
	if (!strncasecmp(name, "SIG", 3))
		name += 3;
	/* Real-time signals as kill -l counts them: RTMIN+n, RTMAX-n. */
	if (!strncasecmp(name, "RTMIN", 5) || !strncasecmp(name, "RTMAX", 5)) {
		max = name[4] == 'X' || name[4] == 'x';
		if (name[5] && (name[5] != (max ? '-' : '+') ||
				(n = tool_number(name + 6, 0,
					       SIGRTMAX - SIGRTMIN)) < 0))
			return -1;
		return max ? SIGRTMAX - (int)n : SIGRTMIN + (int)n;
	}
	for (sig = 1; sig < SIGRTMIN; sig++) {
		const char *abbrev = sigabbrev_np(sig);

		if (abbrev && !strcasecmp(name, abbrev))
			return sig;
	}
	return -1;
}

const char *tool_signal_name(int sig)
{
	static char buf[16];
	const char *abbrev = sig < SIGRTMIN ? sigabbrev_np(sig) : NULL;

	if (abbrev)
		return abbrev;
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, sizeof(buf), "RTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, sizeof(buf), "%d", sig);
	return buf;
}

int tool_signal_set(const char *list, sigset_t *set, char **bad)
{
	char *copy = strdup(list), *word, *save = NULL;
	int sig;

	sigemptyset(set);
	if (!copy) {
		*bad = NULL;
		return -1;
	}
	for (word = strtok_r(copy, ",", &save); word;
	     word = strtok_r(NULL, ",", &save)) {
		if ((sig = tool_signal_number(word)) < 0) {
			*bad = strdup(word);
			free(copy);
			return -1;
		}
		/* Not sigaddset(): it refuses glibc's own 32 and 33. */
		set->__val[0] |= 1ul << (sig - 1);
	}
	free(copy);
	return 0;
}

int tool_errno_number(const char *name)
{
	int e;

	if (*name >= '0' && *name <= '9')
		return (int)tool_number(name, 1, 4095);
	for (e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);

		if (n && !strcasecmp(name, n))
			return e;
	}
	return -1;
}

int tool_rlimit_number(const char *name, const char **canonical)
{
	size_t i;

	if (!strncasecmp(name, "RLIMIT_", 7))
		name += 7;
	for (i = 0; i < RLIMIT_NAMES; i++)
		if (!strcasecmp(name, rlimit_names[i].name)) {
			*canonical = rlimit_names[i].name;
			return rlimit_names[i].resource;
		}
	return -1;
}
