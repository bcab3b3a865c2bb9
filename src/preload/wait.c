/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The wait family, for a program with a pool (PRISTINE_POOL): the idle
 * members are the program's children to the kernel, but none it made. A
 * wait for any child (pid -1, 0 or -pgid; waitid P_ALL or P_PGID) answers
 * as if they did not exist: ECHILD when the program has no child of its
 * own, 0 under WNOHANG while its own children run, and never a member's
 * death (one killed from outside is reaped here and skipped).
 *
 * Without a pool, or for a wait by pid or pidfd, the calls go straight to
 * the kernel. Everything here may run in a signal handler (waitpid() is
 * async-signal-safe): system calls, a stack buffer, and the held list's
 * lock, which no thread holds with signals deliverable (held.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "preload.h"

/* The pool's members are the core's (held.h): none before it is loaded,
 * and the core is never loaded from here. */
static int held_possible(void)
{
	const struct shim_core *c = shim_core_loaded();

	return c && c->held_possible && c->held_possible();
}

#define held_lock(old) shim_core_loaded()->held_lock(old)
#define held_unlock(old) shim_core_loaded()->held_unlock(old)
#define held_has_locked(pid) shim_core_loaded()->held_has_locked(pid)
#define held_forget(pid) shim_core_loaded()->held_forget(pid)

/*
 * One call of either system call; the shape of the program's. The kernel
 * writes into the call's own status, rusage and siginfo: a member's event
 * must not reach the program's, which get only what is returned.
 */
struct wait_call {
	int is_waitid;
	pid_t pid;		/* wait4 */
	int *status, own_status;
	struct rusage *ru, own_ru;
	idtype_t idtype;	/* waitid */
	id_t id;
	siginfo_t *info, own_info;
	int options;
};

/*
 * A system call made here rather than by syscall(): a program that only
 * forks and waits would otherwise pay for resolving syscall() (lazy
 * binding) and for a copy of the page its address is written to. The
 * kernel's answer, or -1 with errno.
 */
static long sys5(long nr, long a1, long a2, long a3, long a4, long a5)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	long r;

	__asm__ volatile("syscall" : "=a"(r)
			 : "0"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10),
			   "r"(r8)
			 : "rcx", "r11", "memory");
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/*
 * The system call itself. glibc's wrappers are cancellation points: a
 * call that may block lets a pending or arriving cancellation act, as
 * theirs does. Returns the pid of a child with an event, 0 for none
 * (WNOHANG), or -1 with errno.
 */
static long real(struct wait_call *c, int extra)
{
	int options = c->options | extra, old = 0;
	int cancellable = !(options & WNOHANG);
	long r;

	if (cancellable)
		pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, &old);
	if (c->is_waitid)
		r = sys5(SYS_waitid, c->idtype, (long)c->id,
			 (long)&c->own_info, options, 0);
	else
		r = sys5(SYS_wait4, c->pid, (long)&c->own_status, options,
			 (long)(c->ru ? &c->own_ru : NULL), 0);
	if (cancellable)
		pthread_setcanceltype(old, NULL);
	if (r == 0 && c->is_waitid)
		r = c->own_info.si_pid;
	return r;
}

/* What the kernel would have written for the program's call. */
static void give(const struct wait_call *c, long r)
{
	if (c->is_waitid && c->info && r >= 0)
		*c->info = c->own_info;	/* zeros without an event */
	if (!c->is_waitid && r > 0) {
		if (c->status)
			*c->status = c->own_status;
		if (c->ru)
			*c->ru = c->own_ru;
	}
}

/* Which children the call covers: its process group, or -1 for all. */
static pid_t covered_group(const struct wait_call *c)
{
	if (c->is_waitid)
		return c->idtype == P_PGID ? (c->id ? (pid_t)c->id : getpgrp())
					   : -1;
	return c->pid == 0 ? getpgrp() : c->pid < -1 ? -c->pid : -1;
}

/*
 * May the call wait for child pid? The kernel's own rule (__WCLONE,
 * __WALL, __WNOTHREAD, the events asked for), asked without consuming
 * anything: waitid(P_PID, WNOHANG | WNOWAIT) fails with ECHILD for a
 * child the call would not wait for.
 */
static int eligible(const struct wait_call *c, pid_t pid, pid_t group)
{
	int events = c->is_waitid
		? c->options & (WEXITED | WSTOPPED | WCONTINUED)
		: WEXITED | (c->options & WUNTRACED ? WSTOPPED : 0) |
		  (c->options & WCONTINUED);
	siginfo_t si;

	if (group > 0 && getpgid(pid) != group)
		return 0;
	return syscall(SYS_waitid, P_PID, pid, &si,
		       events | WNOHANG | WNOWAIT |
		       (c->options & (__WALL | __WCLONE | __WNOTHREAD)),
		       NULL) == 0;
}

/* Reads a list of decimal numbers (a children file), calling f on each
 * until it returns non-zero; returns that, 0 at the end, -1 if the file
 * cannot be read. */
static int each_number(int dirfd, const char *name,
		       int (*f)(long n, void *arg), void *arg)
{
	char buf[1024];
	long num = -1;
	ssize_t len, i;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -1;
	while (!r && (len = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < len && !r; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				num = (num < 0 ? 0 : num * 10) + buf[i] - '0';
			} else if (num >= 0) {
				r = f(num, arg);
				num = -1;
			}
		}
	if (!r && num >= 0)
		r = f(num, arg);
	close(fd);
	return r;
}

struct search {
	const struct wait_call *c;
	pid_t group;
	int taskdir;
};

/* A child of the program's own that the call covers? */
static int own_child(long pid, void *arg)
{
	struct search *s = arg;

	return !held_has_locked((pid_t)pid) &&
	       eligible(s->c, (pid_t)pid, s->group);
}

static int thread_has_child(long tid, void *arg)
{
	static const char tail[] = "/children";
	struct search *s = arg;
	char name[32], digits[20];
	int r, i = 0, k = 0;

	do
		digits[i++] = (char)('0' + tid % 10);
	while ((tid /= 10) && i < (int)sizeof(digits));
	while (i)
		name[k++] = digits[--i];
	memcpy(name + k, tail, sizeof(tail));
	r = each_number(s->taskdir, name, own_child, s);
	return r < 0 ? 0 : r;	/* a thread that just ended */
}

/*
 * The last children the program spawned through the shim: a wait finds
 * one of its own among them, if it has one, with a system call or two
 * instead of a walk through /proc. A pid here is only a candidate: the
 * kernel says whether it is still a child the call covers, the held list
 * whether it is a member now.
 */
#define RECENT 16
static pid_t recent[RECENT];
static unsigned int recent_next;

void shim_spawned(pid_t pid)
{
	unsigned int i = __atomic_fetch_add(&recent_next, 1, __ATOMIC_RELAXED);

	__atomic_store_n(&recent[i % RECENT], pid, __ATOMIC_RELAXED);
}

static int recent_own_child(struct search *s)
{
	unsigned int i;
	pid_t pid;

	for (i = 0; i < RECENT; i++) {
		pid = __atomic_load_n(&recent[i], __ATOMIC_RELAXED);
		if (pid > 0 && own_child(pid, s))
			return 1;
	}
	return 0;
}

/*
 * Has the program a child of its own that the call covers? One it spawned
 * lately, or else one of the children of every thread
 * (/proc/self/task/T/children), less the held members, with the held list
 * locked: a member being made is on it before it exists. Without /proc,
 * assume so (the wait may then block on members).
 */
static int has_own_child(const struct wait_call *c)
{
	struct search s = { .c = c, .group = covered_group(c) };
	char buf[1024] __attribute__((aligned(8)));	/* dirents */
	sigset_t old;
	long n;
	int r = 0;

	held_lock(&old);
	r = recent_own_child(&s);
	held_unlock(&old);
	if (r)
		return 1;
	s.taskdir = open("/proc/self/task", O_RDONLY | O_DIRECTORY |
			 O_CLOEXEC);
	if (s.taskdir < 0)
		return 1;
	held_lock(&old);
	/* The thread ids, as names of the task directory's entries. */
	while (!r && (n = syscall(SYS_getdents64, s.taskdir, buf,
				  sizeof(buf))) > 0) {
		long off = 0;

		while (!r && off < n) {
			struct {
				unsigned long long ino;
				long long off;
				unsigned short reclen;
				unsigned char type;
				char name[];
			} *d = (void *)(buf + off);
			const char *p = d->name;
			long tid = 0;

			while (*p >= '0' && *p <= '9')
				tid = tid * 10 + *p++ - '0';
			if (p != d->name && !*p)
				r = thread_has_child(tid, &s);
			off += d->reclen;
		}
	}
	if (n < 0)
		r = 1;
	held_unlock(&old);
	close(s.taskdir);
	return r;
}

/*
 * An event of a held member (killed or stopped from outside, or killed by
 * the pool): never the program's. A stopped one can serve no spawn: it is
 * killed (still an unreaped child, its pid cannot name another process).
 * Its death is reaped here if the call left it (WNOWAIT), then it is no
 * longer held; the pool notices when it takes it.
 */
static int member_event(struct wait_call *c, pid_t pid)
{
	sigset_t old;
	siginfo_t si;
	int held;

	held_lock(&old);
	held = held_has_locked(pid);
	held_unlock(&old);
	if (!held)
		return 0;
	if (c->is_waitid ? c->own_info.si_code != CLD_EXITED &&
			   c->own_info.si_code != CLD_KILLED &&
			   c->own_info.si_code != CLD_DUMPED
			 : !WIFEXITED(c->own_status) &&
			   !WIFSIGNALED(c->own_status)) {
		kill(pid, SIGKILL);
		return 1;
	}
	if (c->is_waitid && (c->options & WNOWAIT))
		syscall(SYS_waitid, P_PID, pid, &si, WEXITED | WNOHANG | __WALL,
			NULL);
	held_forget(pid);
	return 1;
}

static long any_child(struct wait_call *c)
{
	int saved = errno;
	long r;

	for (;;) {
		r = real(c, WNOHANG);
		if (r > 0 && member_event(c, (pid_t)r))
			continue;
		if (r != 0)
			break;
		/* No event now: only members, or children of its own? */
		if (!has_own_child(c)) {
			errno = ECHILD;
			return -1;
		}
		if (c->options & WNOHANG)
			break;
		r = real(c, 0);
		if (r > 0 && member_event(c, (pid_t)r))
			continue;
		break;
	}
	if (r >= 0)
		errno = saved;
	give(c, r);
	return r;
}

/* Does the call wait for any child (or a group), in a program that may
 * hold members? */
static int for_any(const struct wait_call *c)
{
	if (!held_possible())
		return 0;
	if (c->is_waitid)
		return c->idtype == P_ALL || c->idtype == P_PGID;
	return c->pid <= 0 && c->pid != INT_MIN;	/* INT_MIN: ESRCH */
}

static pid_t wait4_call(pid_t pid, int *status, int options,
			struct rusage *ru)
{
	struct wait_call c = {
		.pid = pid, .status = status, .ru = ru, .options = options,
	};
	long r;

	if (for_any(&c))
		return (pid_t)any_child(&c);
	r = real(&c, 0);
	give(&c, r);
	return (pid_t)r;
}

SHIM_EXPORT pid_t wait4(pid_t pid, int *status, int options,
			struct rusage *ru)
{
	return wait4_call(pid, status, options, ru);
}

SHIM_EXPORT pid_t wait3(int *status, int options, struct rusage *ru)
{
	return wait4_call(-1, status, options, ru);
}

SHIM_EXPORT pid_t waitpid(pid_t pid, int *status, int options)
{
	return wait4_call(pid, status, options, NULL);
}

/* glibc's old names, still exported. */
pid_t __waitpid(pid_t pid, int *status, int options);
pid_t __wait(int *status);

SHIM_EXPORT pid_t __waitpid(pid_t pid, int *status, int options)
{
	return wait4_call(pid, status, options, NULL);
}

SHIM_EXPORT pid_t wait(int *status)
{
	return wait4_call(-1, status, 0, NULL);
}

SHIM_EXPORT pid_t __wait(int *status)
{
	return wait4_call(-1, status, 0, NULL);
}

SHIM_EXPORT int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
	struct wait_call c = {
		.is_waitid = 1, .idtype = idtype, .id = id, .info = info,
		.options = options,
	};
	long r;

	if (info)	/* the kernel writes some fields only */
		c.own_info = *info;
	if (for_any(&c))
		return any_child(&c) < 0 ? -1 : 0;
	r = real(&c, 0);
	give(&c, r);
	return r < 0 ? -1 : 0;
}
