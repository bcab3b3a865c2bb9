/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * unshare(1)'s and nsenter(1)'s options: new namespaces, their user and
 * group maps, mount propagation, /proc, the root and working directory,
 * and the namespaces of another process joined.
 *
 * unshare(1) applies its options in a fixed order after its unshare():
 * maps, setgroups, propagation, root, working directory, /proc. The
 * namespace options collect here and become steps in that order, at the
 * place of the first one (ns_flush()), so that one --user --mount ...
 * group gives what one unshare(1) gives.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "pristine.h"
#include "run.h"
#include "tool.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif

static const struct {
	const char *name;	/* unshare(1)'s option, /proc/PID/ns's file */
	const char *file;
	int flag;
} types[] = {
	{ "user", "user", CLONE_NEWUSER },	/* first: it owns the others */
	{ "mount", "mnt", CLONE_NEWNS },
	{ "uts", "uts", CLONE_NEWUTS },
	{ "ipc", "ipc", CLONE_NEWIPC },
	{ "net", "net", CLONE_NEWNET },
	{ "pid", "pid", CLONE_NEWPID },
	{ "cgroup", "cgroup", CLONE_NEWCGROUP },
	{ "time", "time", CLONE_NEWTIME },
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

/* What the namespace options asked for, until ns_flush(). */
static struct {
	int flags;		/* CLONE_NEW* */
	long map_user, map_group;	/* -1: none */
	const char *setgroups;	/* "allow", "deny" or NULL */
	const char *propagation;	/* NULL: unshare's default */
	const char *proc;	/* --mount-proc's directory */
	const char *root, *wd;
	long monotonic, boottime;
	int have_offsets;
	char *opt;		/* the first option, for messages */
	size_t at;		/* the step index of the first option */
	int open;
} ns = { .map_user = -1, .map_group = -1 };

int new_pid_namespace;

/* --user with --pid, without CAP_SYS_ADMIN: the user namespace is made
 * by pristine-run itself (ns_enter_user()), with these writes. */
static struct {
	int wanted;
	const char *setgroups;
	char *uid_map, *gid_map;
} here;

static int have_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	return syscall(SYS_capget, &hdr, d) == 0 &&
	       (d[0].effective & (1u << CAP_SYS_ADMIN));
}

static void start(char *opt)
{
	if (!ns.open) {
		ns.open = 1;
		ns.opt = xasprintf("%s", opt);
		ns.at = nsteps;
	}
}

void opt_unshare(char *opt, const char *type)
{
	size_t i;

	start(opt);
	for (i = 0; i < NTYPES; i++)
		if (!strcmp(type, types[i].name))
			ns.flags |= types[i].flag;
}

void opt_map(char *opt, const char *what, const char *arg)
{
	start(opt);
	ns.flags |= CLONE_NEWUSER;
	if (!strcmp(what, "root")) {
		ns.map_user = ns.map_group = 0;
	} else if (!strcmp(what, "current")) {
		ns.map_user = geteuid();
		ns.map_group = getegid();
	} else if (!strcmp(what, "user")) {
		ns.map_user = (long)user_or_group(opt, arg, 0);
	} else {
		ns.map_group = (long)user_or_group(opt, arg, 1);
	}
}

void opt_ns_string(char *opt, const char *what, const char *arg)
{
	start(opt);
	if (!strcmp(what, "setgroups")) {
		if (strcmp(arg, "allow") && strcmp(arg, "deny"))
			tool_usage_error("%s: expected allow or deny", opt);
		ns.setgroups = arg;
	} else if (!strcmp(what, "propagation")) {
		if (strcmp(arg, "private") && strcmp(arg, "slave") &&
		    strcmp(arg, "shared") && strcmp(arg, "unchanged"))
			tool_usage_error("%s: expected slave, shared, private "
					 "or unchanged", opt);
		ns.propagation = arg;
	} else if (!strcmp(what, "mount-proc")) {
		ns.flags |= CLONE_NEWNS;
		ns.proc = arg ? arg : "/proc";
	} else if (!strcmp(what, "root")) {
		ns.root = arg;
	} else if (!strcmp(what, "wd")) {
		ns.wd = arg;
	} else {
		long v = tool_number(arg, 0, 0x7fffffffL);

		if (*arg == '-')
			v = -tool_number(arg + 1, 0, 0x7fffffffL);
		if (arg[*arg == '-'] < '0' || arg[*arg == '-'] > '9')
			tool_usage_error("%s: not a number of seconds", opt);
		ns.flags |= CLONE_NEWTIME;
		ns.have_offsets = 1;
		if (!strcmp(what, "monotonic"))
			ns.monotonic = v;
		else
			ns.boottime = v;
	}
}

/* One step, inserted where the first namespace option stood. */
static struct step *ns_step(const char *key, unsigned int cmd)
{
	return insert_step(ns.at++, ns.opt, key, cmd);
}

static void map_step(const char *key, long inside, unsigned int outside)
{
	struct step *s = ns_step(key, PRISTINE_SET_STRING);

	s->string = s->what = xasprintf("%ld %u 1", inside, outside);
}

/* The steps, in unshare(1)'s order. */
void ns_flush(void)
{
	struct step *s;
	int pid = ns.flags & CLONE_NEWPID;

	if (!ns.open)
		return;
	ns.open = 0;
	/* --pid: the command is PID 1 of the new namespace, as with
	 * unshare --pid --fork (the empty process is made in it). */
	if (pid)
		new_pid_namespace = 1;
	/*
	 * The empty process is made in the new PID namespace, which needs
	 * CAP_SYS_ADMIN where it is made. Without it, as unshare(1) does
	 * before its fork, pristine-run makes the user namespace in its own
	 * process first (it runs no thread), and the empty process is made
	 * in it, with the capabilities the rest needs.
	 */
	if (pid && (ns.flags & CLONE_NEWUSER) && !have_cap_sys_admin()) {
		here.wanted = 1;
		ns.flags &= ~CLONE_NEWUSER;
		if (ns.map_group >= 0 && !ns.setgroups)
			ns.setgroups = "deny";
		here.setgroups = ns.setgroups;
		if (ns.map_user >= 0)
			here.uid_map = xasprintf("%ld %u 1", ns.map_user,
						 geteuid());
		if (ns.map_group >= 0)
			here.gid_map = xasprintf("%ld %u 1", ns.map_group,
						 getegid());
		ns.setgroups = NULL;
		ns.map_user = ns.map_group = -1;
	}
	if (ns.flags & ~CLONE_NEWPID) {
		char *d = NULL, *t;
		size_t i;

		s = ns_step("unshare", PRISTINE_SET_INT);
		s->aux = ns.flags & ~CLONE_NEWPID;
		for (i = 0; i < NTYPES; i++) {
			if (!(s->aux & types[i].flag))
				continue;
			t = xasprintf("%s%s%s", d ? d : "", d ? "," : "",
				      types[i].name);
			free(d);
			d = t;
		}
		s->what = d;
	}
	if (ns.map_group >= 0 && !ns.setgroups)
		ns.setgroups = "deny";	/* as unshare(1) does for a map */
	if (ns.setgroups) {
		s = ns_step("setgroups", PRISTINE_SET_STRING);
		s->string = s->what = xasprintf("%s", ns.setgroups);
	}
	if (ns.map_user >= 0)
		map_step("uid-map", ns.map_user, geteuid());
	if (ns.map_group >= 0)
		map_step("gid-map", ns.map_group, getegid());
	if (ns.have_offsets) {
		s = ns_step("time-offsets", PRISTINE_SET_STRING);
		s->string = s->what = xasprintf("monotonic %ld 0\nboottime %ld 0",
						ns.monotonic, ns.boottime);
	}
	/* unshare(1) makes every mount private unless told otherwise. */
	if ((ns.flags & CLONE_NEWNS) &&
	    (!ns.propagation || strcmp(ns.propagation, "unchanged"))) {
		s = ns_step("mount-propagation", PRISTINE_SET_STRING);
		s->string = ns.propagation ? ns.propagation : "private";
		s->what = xasprintf("%s", s->string);
	}
	if (ns.root) {
		s = ns_step("chroot", PRISTINE_SET_PATH);
		s->string = ns.root;
		s->what = xasprintf("%s", ns.root);
	}
	if (ns.wd) {
		s = ns_step("cwd", PRISTINE_SET_STRING);
		s->string = ns.wd;
		s->what = xasprintf("%s (in the new root)", ns.wd);
	}
	if (ns.proc) {
		s = ns_step("mount-proc", PRISTINE_SET_STRING);
		s->string = ns.proc;
		s->what = xasprintf("%s", ns.proc);
	}
}

const char *new_root(void)
{
	return ns.root;
}

static void write_proc(const char *file, const char *text)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/%s", file);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0 ||
	    write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		tool_error("%s: cannot write %s: %s", ns.opt, path,
			   strerror(errno));
		exit(TOOL_EXIT_FAILURE);
	}
	close(fd);
}

void ns_enter_user(void)
{
	if (!here.wanted)
		return;
	if (verbose)
		fprintf(stderr, "%s: %-14s %s\n", tool_name, "(itself)",
			"a new user namespace for --pid, made by pristine-run "
			"as unshare(1) makes it");
	if (unshare(CLONE_NEWUSER) < 0) {
		tool_error("%s: cannot make a user namespace: %s", ns.opt,
			   strerror(errno));
		exit(TOOL_EXIT_FAILURE);
	}
	if (here.setgroups)
		write_proc("setgroups", here.setgroups);
	if (here.uid_map)
		write_proc("uid_map", here.uid_map);
	if (here.gid_map)
		write_proc("gid_map", here.gid_map);
}

/* nsenter(1)'s -a -t PID --preserve-credentials: every namespace of pid,
 * the user namespace first and only if it is not ours (joining one's own
 * is an error), from one pidfd. Joining a mount namespace, even one's
 * own, sets the root and the working directory to its root. */
void opt_nsenter(char *opt, const char *arg)
{
	long pid = tool_number(arg, 1, 0x7fffffffL);
	char mine[64], theirs[64];
	size_t i;
	int fd;

	if (pid < 0)
		tool_usage_error("%s: not a process id", opt);
	if ((fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0)) < 0)
		tool_usage_error("%s: %s", opt, strerror(errno));
	for (i = 0; i < NTYPES; i++) {
		struct stat a, b;
		struct step *s;

		snprintf(mine, sizeof(mine), "/proc/self/ns/%s", types[i].file);
		snprintf(theirs, sizeof(theirs), "/proc/%ld/ns/%s", pid,
			 types[i].file);
		if (stat(theirs, &b) < 0)
			tool_usage_error("%s: cannot read %s: %s", opt, theirs,
					 strerror(errno));
		if (types[i].flag == CLONE_NEWUSER && stat(mine, &a) == 0 &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			continue;
		s = add_step(opt, "", PRISTINE_SET_FD);
		snprintf(s->key, sizeof(s->key), "setns:%s", types[i].file);
		s->aux = fd;
		s->what = xasprintf("the %s namespace of pid %ld",
				    types[i].name, pid);
	}
}

/* --setns FILE: any namespace file, as nsenter's --TYPE=FILE. */
void opt_setns(char *opt, const char *arg)
{
	struct step *s = add_step(opt, "setns", PRISTINE_SET_FD);

	if ((s->aux = open(arg, O_RDONLY | O_CLOEXEC)) < 0)
		tool_usage_error("%s: cannot open '%s': %s", opt, arg,
				 strerror(errno));
	s->what = xasprintf("%s", arg);
}
