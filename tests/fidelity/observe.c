/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * observe.sh's launcher: starts DIR/observe-target by one way and says,
 * one "key: value" line each, what the program and the tools around it
 * saw. observe.sh compares every way's lines with glibc's.
 *
 *	observe WAY DIR CHECK
 *
 *	WAY	glibc (posix_spawn(): the reference, or the shim's under
 *		LD_PRELOAD), default, loader, kernel (pristine_spawn() in
 *		that mode), pool (a pool member), template (a template of
 *		DIR/observe-target)
 *	CHECK	origin		the program finds its $ORIGIN library
 *		reexec-proc	it runs itself again via /proc/self/exe
 *		reexec-argv0	it runs itself again via its argv[0] (it is
 *				started by a PATH search, DIR first)
 *		watch		from outside, while it runs: readlink of
 *				/proc/PID/exe, opening the file for writing
 *				(ETXTBSY), gdb -p's "info symbol main"
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pristine.h"

static const char *way, *dir;
static char prog[PATH_MAX];

static void die(const char *what, int err)
{
	fprintf(stderr, "observe: %s: %s\n", what, strerror(err));
	exit(99);
}

/* Has any thread of this process a child (a pool member)? */
static int has_child(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int found = 0;

	while (d && !found && (e = readdir(d))) {
		char path[300], c;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/self/task/%s/children",
			 e->d_name);
		if ((f = fopen(path, "r"))) {
			found = fread(&c, 1, 1, f) == 1;
			fclose(f);
		}
	}
	if (d)
		closedir(d);
	return found;
}

/* Starts the program with argv, stdin from in (or ours), stdout to out. */
static pid_t start(char *const argv[], int search, int in, int out)
{
	const char *file = search ? "observe-target" : prog;
	posix_spawn_file_actions_t gfa;
	pristine_spawn_file_actions_t pfa;
	pristine_spawnattr_t attr;
	static pristine_template_t *t;	/* for the rest of the run */
	pid_t pid;
	int err, n;

	if (!strcmp(way, "glibc")) {
		posix_spawn_file_actions_init(&gfa);
		posix_spawn_file_actions_adddup2(&gfa, out, 1);
		if (in >= 0)
			posix_spawn_file_actions_adddup2(&gfa, in, 0);
		err = (search ? posix_spawnp : posix_spawn)(&pid, file, &gfa,
							    NULL, argv,
							    environ);
		posix_spawn_file_actions_destroy(&gfa);
		if (err)
			die("posix_spawn", err);
		return pid;
	}
	pristine_spawn_file_actions_init(&pfa);
	pristine_spawn_file_actions_adddup2(&pfa, out, 1);
	if (in >= 0)
		pristine_spawn_file_actions_adddup2(&pfa, in, 0);
	pristine_spawnattr_init(&attr);
	if (!strcmp(way, "loader"))
		pristine_spawnattr_setexecmode(&attr, PRISTINE_EXEC_LOADER);
	else if (!strcmp(way, "kernel"))
		pristine_spawnattr_setexecmode(&attr, PRISTINE_EXEC_KERNEL);
	if (!strcmp(way, "pool")) {
		if (pristine_pool_create(1, 0) < 0)
			die("pristine_pool_create", errno);
		for (n = 0; n < 500 && !has_child(); n++)
			usleep(10000);
	}
	if (!strcmp(way, "template")) {
		if (!(t = pristine_template_create(prog, -1, 1, 0)))
			die("pristine_template_create", errno);
		err = pristine_template_spawn(t, &pid, &pfa, &attr, argv,
					      environ);
	} else {
		err = (search ? pristine_spawnp : pristine_spawn)(&pid, file,
								  &pfa, &attr,
								  argv,
								  environ);
	}
	pristine_spawn_file_actions_destroy(&pfa);
	pristine_spawnattr_destroy(&attr);
	if (err) {
		fprintf(stderr, "observe: %s: %s\n", way, pristine_errmsg());
		exit(99);
	}
	fprintf(stderr, "observe: %s: route %s\n", way,
		pristine_route_name(pristine_last_route()));
	return pid;
}

static int finish(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid", errno);
	return st;
}

/* The program in mode, by way; its output and status. */
static void run(const char *mode, int search)
{
	char *argv[] = { search ? "observe-target" : prog, (char *)mode, NULL };
	char buf[256];
	int p[2], st;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe2", errno);
	pid = start(argv, search, -1, p[1]);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	st = finish(pid);
	printf("%s: \"%s\", status %#x\n", mode, buf, st);
}

/* Its /proc/PID/exe, a write open of its file, gdb -p: from outside. */
static void watch(void)
{
	char *argv[] = { prog, "wait", NULL };
	char link[PATH_MAX], buf[256], cmd[PATH_MAX + 128];
	int in[2], out[2], fd;
	ssize_t n;
	FILE *gdb;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		die("pipe2", errno);
	pid = start(argv, 0, in[0], out[1]);
	close(in[0]);
	close(out[1]);
	n = read(out[0], buf, sizeof(buf) - 1);	/* "ready": it runs */
	buf[n > 0 ? n : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	printf("started: \"%s\"\n", buf);

	snprintf(cmd, sizeof(cmd), "/proc/%d/exe", (int)pid);
	n = readlink(cmd, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	printf("exe: %s\n", !strcmp(link, prog) ? "the program"
						 : n < 0 ? strerror(errno)
							 : link);
	fd = open(prog, O_WRONLY | O_CLOEXEC);
	printf("write: %s\n", fd >= 0 ? "opened" : strerror(errno));
	if (fd >= 0)
		close(fd);

	/* gdb as a user runs it: not with this process's LD_PRELOAD. */
	snprintf(cmd, sizeof(cmd), "env -u LD_PRELOAD gdb -nx -batch -p %d "
		 "-ex 'info symbol main' 2>/dev/null | grep -c "
		 "'^main in section'", (int)pid);
	if (access("/usr/bin/gdb", X_OK) == 0 && (gdb = popen(cmd, "r"))) {
		n = fread(buf, 1, sizeof(buf) - 1, gdb);
		buf[n > 0 ? n : 0] = 0;
		pclose(gdb);
		printf("gdb: main %s\n", atoi(buf) > 0 ? "resolved"
						     : "not resolved");
	}
	close(in[1]);	/* EOF: it exits */
	printf("status: %#x\n", finish(pid));
}

int main(int argc, char **argv)
{
	char path[PATH_MAX + 32];

	if (argc != 4) {
		fprintf(stderr, "usage: observe WAY DIR CHECK\n");
		return 2;
	}
	way = argv[1];
	dir = argv[2];
	snprintf(prog, sizeof(prog), "%s/observe-target", dir);
	/* The PATH a search and the program's own execvp() use. */
	snprintf(path, sizeof(path), "%s:/usr/bin:/bin", dir);
	setenv("PATH", path, 1);
	if (!strcmp(argv[3], "watch"))
		watch();
	else
		run(argv[3], !strcmp(argv[3], "reexec-argv0"));
	return 0;
}
