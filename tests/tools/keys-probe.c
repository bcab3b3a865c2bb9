/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * What a process was started with, one "name: value" line each, for the
 * tests that run it under setpriv, unshare, nsenter, chrt, taskset,
 * ionice, choom, setarch, nice and under pristine-run with the same
 * options, and compare: credentials, AT_SECURE, securebits, scheduling,
 * resources, namespaces (same as or other than those of the process
 * $PROBE_REF), the user namespace's maps, the root, /proc.
 * $PROBE_OPEN names a file to open and $PROBE_EXEC one to execute, for
 * Landlock: the line says whether it worked, or the errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct sched_attr_ {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
};

/* The lines of /proc/self/status that start with one of prefixes. */
static void status_lines(const char *const *prefixes)
{
	char line[4096];
	FILE *f = fopen("/proc/self/status", "r");
	size_t i;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		for (i = 0; prefixes[i]; i++)
			if (!strncmp(line, prefixes[i], strlen(prefixes[i])))
				fputs(line, stdout);
	fclose(f);
}

/* A small file, its newlines as " | ". */
static void file_line(const char *name, const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), i;

	printf("%s:", name);
	if (fd < 0) {
		printf(" (%s)\n", strerrorname_np(errno));
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	for (i = 0; buf[i]; i++)
		if (buf[i] == '\n')
			buf[i] = '|';
	/* The maps are column-aligned: one space between fields. */
	for (i = 0; buf[i]; i++) {
		if (buf[i] == ' ' && (i == 0 || buf[i - 1] == ' '))
			continue;
		putchar(buf[i]);
	}
	putchar('\n');
}

/* $PROBE_REF: "user=INODE mnt=INODE ...", the test's own namespaces
 * (their /proc files may not be readable from inside new ones). */
static void namespaces(void)
{
	static const char *const types[] = {
		"user", "mnt", "uts", "ipc", "net", "pid", "cgroup", "time",
		"pid_for_children", "time_for_children",
	};
	const char *ref = getenv("PROBE_REF");
	char path[64], want[64];
	size_t i;

	for (i = 0; ref && i < sizeof(types) / sizeof(types[0]); i++) {
		const char *at;
		struct stat st;

		snprintf(path, sizeof(path), "/proc/self/ns/%s", types[i]);
		snprintf(want, sizeof(want), "%s=", types[i]);
		for (at = strstr(ref, want); at && at != ref && at[-1] != ' ';
		     at = strstr(at + 1, want))
			;
		if (stat(path, &st) < 0)
			printf("ns %s: (%s)\n", types[i], strerrorname_np(errno));
		else if (at)
			printf("ns %s: %s\n", types[i],
			       strtoul(at + strlen(want), NULL, 10) == st.st_ino
				       ? "same" : "new");
	}
}

/* The propagation of the mount at "/" (the last one, which is seen):
 * the names of its optional fields. */
static void root_propagation(void)
{
	char line[4096], seen[256] = "";
	FILE *f = fopen("/proc/self/mountinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *p = line, *save = NULL, *w;
		int n;

		for (n = 0; n < 4 && p; n++)
			p = strchr(p + 1, ' ');
		if (!p || strncmp(p, " / ", 3) || !(p = strchr(p + 3, ' ')))
			continue;
		seen[0] = 0;
		for (w = strtok_r(p, " ", &save); w && strcmp(w, "-");
		     w = strtok_r(NULL, " ", &save)) {
			size_t k = strlen(seen);

			snprintf(seen + k, sizeof(seen) - k, " %.*s",
				 (int)strcspn(w, ":"), w);
		}
	}
	if (f)
		fclose(f);
	printf("root propagation:%s\n", seen[0] ? seen : " private");
}

static void try_open(void)
{
	const char *path = getenv("PROBE_OPEN");
	int fd;

	if (!path)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	printf("open %s: %s\n", path, fd >= 0 ? "ok" : strerrorname_np(errno));
	if (fd >= 0)
		close(fd);
}

static void try_exec(void)
{
	const char *path = getenv("PROBE_EXEC");
	int status;
	pid_t pid;

	if (!path)
		return;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		char *argv[] = { (char *)path, NULL }, *envp[] = { NULL };
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		execve(path, argv, envp);
		_exit(100 + errno);
	}
	waitpid(pid, &status, 0);
	printf("exec %s: %s\n", path,
	       WIFEXITED(status) && WEXITSTATUS(status) >= 100
		       ? strerrorname_np(WEXITSTATUS(status) - 100)
		       : "ok");
}

int main(void)
{
	static const char *const status[] = {
		"Uid:", "Gid:", "Groups:", "Cap", "NoNewPrivs:",
		"Cpus_allowed_list:", NULL,
	};
	struct sched_attr_ sa = { .size = sizeof(sa) };
	char cwd[4096];
	struct stat root;
	int v = 0;

	status_lines(status);
	printf("securebits: 0x%x\n", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
	printf("at_secure: %lu\n", getauxval(AT_SECURE));
	prctl(PR_GET_PDEATHSIG, &v, 0, 0, 0);
	printf("pdeathsig: %d\n", v);
	errno = 0;
	v = getpriority(PRIO_PROCESS, 0);
	printf("nice: %d\n", errno ? -999 : v);
	if (syscall(SYS_sched_getattr, 0, &sa, sizeof(sa), 0) == 0)
		printf("sched: policy %u priority %u nice %d runtime %llu "
		       "deadline %llu period %llu reset_on_fork %d\n",
		       sa.policy, sa.priority, sa.nice,
		       (unsigned long long)sa.runtime,
		       (unsigned long long)sa.deadline,
		       (unsigned long long)sa.period,
		       (int)(sa.flags & 1));
	printf("ioprio: %ld\n", syscall(SYS_ioprio_get, 1, 0));
	file_line("oom_score_adj", "/proc/self/oom_score_adj");
	printf("timerslack: %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	printf("mdwe: %d\n", prctl(66 /* PR_GET_MDWE */, 0, 0, 0, 0));
	printf("thp_disable: %d\n", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
	printf("personality: 0x%x\n", personality(0xffffffff));
	namespaces();
	file_line("uid_map", "/proc/self/uid_map");
	file_line("gid_map", "/proc/self/gid_map");
	file_line("setgroups", "/proc/self/setgroups");
	file_line("timens_offsets", "/proc/self/timens_offsets");
	root_propagation();
	if (stat("/", &root) == 0)
		printf("root: %lu:%lu\n", (unsigned long)root.st_dev,
		       (unsigned long)root.st_ino);
	printf("cwd: %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "(unreachable)");
	printf("pid: %s\n", getpid() == 1 ? "1" : "not 1");
	try_open();
	try_exec();
	return 0;
}
