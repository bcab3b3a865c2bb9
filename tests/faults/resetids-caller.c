/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Test helper, installed set-user-ID or set-group-ID root by resetids.sh
 * and run by uid 65534: spawns a shell with POSIX_SPAWN_RESETIDS (or, with
 * "keep", without), the shell printing its own ids, groups, capability
 * sets and AT_SECURE, by one way:
 *
 *	resetids-caller glibc|default|loader|kernel|pool|template [keep]
 *
 * glibc is posix_spawn(); built with -DVIA_SHIM and linked with the
 * preload shim ahead of libc (a set-id program ignores LD_PRELOAD), it is
 * the shim's. On stderr: the caller's own ids (so that the script can
 * tell a set-id run from one a nosuid mount spoiled) and the route.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifndef VIA_SHIM
#include "pristine.h"
#endif

#ifdef __SANITIZE_ADDRESS__
/* A set-id program is not dumpable: LeakSanitizer cannot look at it. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

/* -p: dash keeps mixed ids (it would give up the effective ones). */
static char *child[] = {
	"sh", "-p", "-c",
	"grep -E '^(Uid|Gid|Groups|Cap(Inh|Prm|Eff|Bnd|Amb)):' /proc/$$/status;"
	" od -An -tu8 -w16 /proc/$$/auxv | awk '$1 == 23 { print \"secure\", $2 }'",
	NULL,
};
static short flags = POSIX_SPAWN_RESETIDS;

static int by_glibc(pid_t *pid)
{
	posix_spawnattr_t attr;

	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, flags);
	return posix_spawn(pid, "/bin/sh", NULL, &attr, child, environ);
}

#ifndef VIA_SHIM
/* Has any thread of this process a child (a pool member)? */
/* Is pid the loader, asleep in its wait for a request? */
static int member_waits(int pid)
{
	char path[64], buf[256], *p;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!(f = fopen(path, "r")))
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	return strstr(buf, "(pristine-loader)") && p && p[1] == ' ' &&
	       p[2] == 'S';
}

/* A child of this process (a pool member) that waits for its request. */
static int has_child(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int found = 0;

	while (d && !found && (e = readdir(d))) {
		char path[300];
		int pid = 0;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/self/task/%s/children",
			 e->d_name);
		if ((f = fopen(path, "r"))) {
			found = fscanf(f, "%d", &pid) == 1 &&
				member_waits(pid);
			fclose(f);
		}
	}
	if (d)
		closedir(d);
	return found;
}

static int by_pristine(const char *way, pid_t *pid)
{
	pristine_spawnattr_t attr;
	pristine_template_t *t;
	int n;

	pristine_spawnattr_init(&attr);
	pristine_spawnattr_setflags(&attr, flags);
	if (!strcmp(way, "loader"))
		pristine_spawnattr_setexecmode(&attr, PRISTINE_EXEC_LOADER);
	else if (!strcmp(way, "kernel"))
		pristine_spawnattr_setexecmode(&attr, PRISTINE_EXEC_KERNEL);
	else if (!strcmp(way, "pool")) {
		if (pristine_pool_create(1, 0) < 0)
			return -1;
		/* A member, made before the spawn: the way under test (a
		 * spawn without one is fresh, the kernel's; under load the
		 * reserve files a member a while after its exec). */
		for (n = 0; n < 500 && !has_child(); n++)
			usleep(10000);
		usleep(20000);
	} else if (!strcmp(way, "template")) {
		if (!(t = pristine_template_create("/bin/sh", -1, 1, 0)))
			return -1;
		return pristine_template_spawn(t, pid, NULL, &attr, child,
					       environ);
	} else if (strcmp(way, "default")) {
		return -1;
	}
	return pristine_spawn(pid, "/bin/sh", NULL, &attr, child, environ);
}
#endif

int main(int argc, char **argv)
{
	unsigned int r, e, s, rg, eg, sg;
	const char *route = "glibc";
	pid_t pid;
	int err, st;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "keep"))) {
		fprintf(stderr, "usage: %s WAY [keep]\n", argv[0]);
		return 2;
	}
	if (argc == 3)
		flags = 0;
	getresuid(&r, &e, &s);
	getresgid(&rg, &eg, &sg);
	fprintf(stderr, "caller: uid %u/%u/%u gid %u/%u/%u\n", r, e, s, rg, eg,
		sg);
	fflush(stdout);
#ifdef VIA_SHIM
	err = strcmp(argv[1], "glibc") ? -1 : by_glibc(&pid);
#else
	err = !strcmp(argv[1], "glibc") ? by_glibc(&pid)
					 : by_pristine(argv[1], &pid);
	if (!err && strcmp(argv[1], "glibc"))
		route = pristine_route_name(pristine_last_route());
#endif
	if (err) {
		fprintf(stderr, "%s: spawn failed: %s\n", argv[1],
			err < 0 ? "bad way" : strerror(err));
		return 1;
	}
	fprintf(stderr, "route: %s\n", route);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return 1;
	return 0;
}
