/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * pristine-demo: safeexec's scenario on an empty process. The scenario is
 * a list of pristine_config() calls; the narrated run, --compare and the
 * observation of the processes through /proc share it.
 */
#ifndef PRISTINE_DEMO_H
#define PRISTINE_DEMO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One pristine_config() call and how to tell a person about it. */
struct demo_step {
	unsigned int cmd;
	const char *key;
	const void *value;
	int aux;
	const char *shown;	/* the value as the narration shows it */
};

struct demo {
	const char *path;	/* the file to run */
	char **argv;		/* its argv (argv[0] is the command word) */
	char **envp;		/* the caller's environment */
	int null_in, null_out;	/* /dev/null read-only, write-only */
	struct demo_step *steps;
	size_t nsteps;
	int no_landlock;	/* --sandbox without Landlock: the errno */
};

/* Opens /dev/null and lists the configuration. 0, or an exit status. */
int demo_init(struct demo *d, const char *path, char **argv);
/* The sandbox scenario instead (sandbox.c): path with argv, or a shell
 * that reports what it may do if argv is NULL. 0, or an exit status. */
int demo_sandbox(struct demo *d, const char *path, char **argv);
/* Applies steps[from..to) to handle h; returns 0 or -1 (errno set). */
int demo_configure(const struct demo *d, int h, size_t from, size_t to);

/* Monotonic time in nanoseconds. */
uint64_t demo_now(void);

/* What /proc shows of a process: parent, descriptors, directory. */
struct demo_view {
	pid_t ppid;
	char fds[16][96];	/* "fd 0    /dev/null (read-only)" */
	size_t nfds;		/* entries filled; the rest are counted */
	size_t extra;
	char cwd[256];
};

/* The newest child of this thread running name, or -1 (needs
 * /proc/PID/task/TID/children). */
pid_t demo_find_child(const char *name);
/* Reads pid's view from /proc; 0 or -1 (errno set). */
int demo_observe(pid_t pid, struct demo_view *v);
/* Prints a view, each line indented by indent spaces. */
void demo_print_view(const struct demo_view *v, int indent);

/* --compare: fork+exec, posix_spawn and pristine, n runs each, and the
 * table of medians on stdout. Returns 0 or an exit status. */
int demo_compare(const struct demo *d, unsigned int n);

#endif
