/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* Prints the state a process keeps across fork and exec that pool members
 * could hold stale: process group, MDWE, oom_score_adj, coredump_filter,
 * THP-disable, timer slack (check-reserve's members_refresh_or_go). */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

static void show_file(const char *name, const char *path)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	printf("%s=%s", name, buf[0] ? buf : "?\n");
}

int main(void)
{
	printf("pgid-is-parent's=%d\n", getpgrp() == getpgid(getppid()));
	printf("mdwe=%d\n", prctl(66 /* PR_GET_MDWE */, 0, 0, 0, 0));
	show_file("oom_score_adj", "/proc/self/oom_score_adj");
	show_file("coredump_filter", "/proc/self/coredump_filter");
	printf("thp_disable=%d\n", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
	printf("timer_slack=%d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	return 0;
}
