/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "faults.h"

char faults_tmp[256];
const char *real_loader;
volatile int sigpipes;

const char *tmp_path(const char *name)
{
	static char path[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", faults_tmp, name);
	return path[k];
}

void use_fake_loader(const char *mode)
{
	const char *link = tmp_path(mode);

	if (symlink(built("fake-loader"), link) < 0)
		ck_assert_int_eq(errno, EEXIST);
	setenv("PRISTINE_LOADER", link, 1);
}

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

void count_sigpipe(void)
{
	struct sigaction sa = { .sa_handler = on_sigpipe };
	sigset_t pipe_only;

	sigpipes = 0;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	sigprocmask(SIG_UNBLOCK, &pipe_only, NULL);
}
