/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Bringing a reserve's member up to date: what an exec from the caller
 * would keep now, and whether the member may be used at all.
 */
#ifndef PRISTINE_INHERIT_H
#define PRISTINE_INHERIT_H

#include <sched.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include "request.h"

/*
 * What else a process keeps across fork and exec, read at a member's
 * creation by the thread that makes it and compared at each use with the
 * calling thread's (see state_check() for which are refreshed and which
 * make the member stale).
 */
struct proc_state {
	pid_t pgid, sid;
	int mdwe, thp_disable, oom_score_adj;
	unsigned long timer_slack, coredump_filter;
	/* Per thread: the nice value (as 20 - nice), the scheduling policy
	 * and priority, the CPU affinity, the personality, the securebits. */
	int prio, policy, sched_priority, personality, securebits;
	cpu_set_t affinity;
	struct rlimit rlim[RLIM_NLIMITS];	/* per process */
	/* The root directory (chroot): paths, and the program's own view of
	 * the file system, resolve in it. */
	dev_t root_dev;
	ino_t root_ino;
	/* Not the maker's: the most inheritable descriptors for which
	 * updating the member costs less than a new empty process (0: no
	 * limit). Set by the reserve. */
	unsigned int fds_worth;
};

/* The calling thread's state now (spawn: for a spawn, proc-files.h). */
void state_now(struct proc_state *s, int spawn);

/*
 * Gives the calling thread (the pool's) the per-thread parts of s that a
 * thread may set on itself (timer slack, affinity, nice, policy,
 * personality), so that the members it makes next have them: 0, or an
 * errno if the thread may not (a lower nice value, a real-time policy
 * without the privilege).
 */
int state_adopt(const struct proc_state *s);

/* The records that give a member what an exec from the caller keeps now:
 * inheritable descriptors, cwd, umask, signal dispositions (had: the
 * member's ignored set), no_new_privs, the process group (st: the state
 * the member was made with). */
int inherit_add(struct request *req, uint64_t had, uint64_t creds,
		uint64_t nofile, const struct proc_state *st);

/* The same for pristine_open(): cwd, umask, no_new_privs, and every
 * signal at its default (had: the member's ignored set); pending signals
 * are discarded in both. */
int inherit_open(struct request *req, uint64_t had, uint64_t creds,
		 const struct proc_state *st);

/*
 * Was the last spawn from a member that has a limit (fds_worth) over it?
 * Then the member was discarded (E2BIG: the spawn takes the default path)
 * and this says no (0) for the next few calls: a pool need not take one.
 * Otherwise 1.
 */
int inherit_worth_a_member(void);

/* A digest of the calling thread's credentials as exec sees them (ids,
 * groups, capabilities, no_new_privs, seccomp); 0 if unreadable. A member
 * whose digest differs from its spawner's is stale (ESTALE). */
uint64_t cred_now(void);
/* RLIMIT_NOFILE's soft limit now (a member made under another is stale). */
uint64_t nofile_now(void);

/* The ignored signals of process pid, from /proc (all, if unreadable). */
uint64_t ignored_signals(pid_t pid);

#endif
