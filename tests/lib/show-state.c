/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* Prints the state a process keeps across fork and exec that pool members
 * could hold stale: process group, MDWE, oom_score_adj, coredump_filter,
 * THP-disable, timer slack, umask, cwd, ignored signals, credentials,
 * descriptors (but 1 and 2, which the tests point at their pipes), resource
 * limits, nice value, scheduling policy, CPU affinity, personality and
 * securebits (check-reserve's members_refresh_or_go). */
#define _GNU_SOURCE
#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
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

/* The lines of /proc/self/status that an exec keeps or recomputes. */
static void show_status(void)
{
	static const char *const keys[] = {
		"Umask:", "SigIgn:", "Uid:", "Gid:", "Groups:", "CapInh:",
		"CapPrm:", "CapEff:", "CapBnd:", "CapAmb:", "NoNewPrivs:",
		"Seccomp:",
	};
	char line[512];
	FILE *f = fopen("/proc/self/status", "r");
	size_t i;

	if (!f) {
		printf("status=?\n");
		return;
	}
	while (fgets(line, sizeof(line), f))
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strncmp(line, keys[i], strlen(keys[i])))
				fputs(line, stdout);
	fclose(f);
}

static void show_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char types[1024] = "";
	struct stat st;

	if (!d) {
		printf("fds=?\n");
		return;
	}
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		char one[32];

		if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd == 1 ||
		    fd == 2 || fd == dirfd(d) || fstat(fd, &st) < 0)
			continue;
		snprintf(one, sizeof(one), " %d:%o", fd, st.st_mode >> 12);
		strncat(types, one, sizeof(types) - strlen(types) - 1);
	}
	closedir(d);
	printf("fds=%s\n", types);
}

int main(void)
{
	struct rlimit rl;
	char cwd[4096];
	cpu_set_t cpus;
	int i;

	printf("pgid-is-parent's=%d\n", getpgrp() == getpgid(getppid()));
	printf("mdwe=%d\n", prctl(66 /* PR_GET_MDWE */, 0, 0, 0, 0));
	show_file("oom_score_adj", "/proc/self/oom_score_adj");
	show_file("coredump_filter", "/proc/self/coredump_filter");
	printf("thp_disable=%d\n", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
	printf("timer_slack=%d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	printf("cwd=%s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	show_status();
	show_fds();
	for (i = 0; i < RLIM_NLIMITS; i++)
		if (getrlimit(i, &rl) == 0)
			printf("rlimit%d=%llx:%llx\n", i,
			       (unsigned long long)rl.rlim_cur,
			       (unsigned long long)rl.rlim_max);
	printf("nice=%d\n", getpriority(PRIO_PROCESS, 0));
	printf("policy=%d\n", sched_getscheduler(0));
	CPU_ZERO(&cpus);
	sched_getaffinity(0, sizeof(cpus), &cpus);
	printf("cpus=");
	for (i = 0; i < 64; i++)
		if (CPU_ISSET(i, &cpus))
			printf(" %d", i);
	printf("\npersonality=%x\n", personality(0xffffffff));
	printf("securebits=%x\n", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
	return 0;
}
