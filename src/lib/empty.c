/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Creating an empty process: clone(CLONE_VM) and execve() of the loader,
 * never fork(). The caller's page tables are not copied.
 *
 * Two ways. For pristine_open() the calling thread waits (CLONE_VFORK)
 * until the loader's exec has replaced the child's memory, as glibc's
 * posix_spawn() does. For a spawn, whose caller waits for the loader's
 * answer anyway, the thread does not wait for the exec: it goes on to
 * read the answer, which saves a wake-up and a context switch (tens of
 * microseconds in a VM). The child then runs on a per-thread stack that
 * stays untouched until the answer (or EOF) proves the child is done with
 * it, and makes raw system calls only: it shares the caller's memory,
 * errno included, while the caller runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <unistd.h>
#include "empty.h"
#include "errmsg.h"
#include "held.h"
#include "sender.h"
#include "wire.h"
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#define CHILD_STACK 8192

struct child_args {
	const char *loader;
	char *argv[4];
	char *envp[1];
	char fdstr[16];
	char state[80];
	int sock;
	enum empty_fds fds;
	int err;		/* written by the child if its execve failed */
	int closing;		/* ... or close_range(), not execve() */
};

/* The child's stack and arguments, one per thread (see above). */
struct child_area {
	char stack[CHILD_STACK] __attribute__((aligned(16)));
	struct child_args args;
};

static pthread_key_t area_key;
static pthread_once_t area_once = PTHREAD_ONCE_INIT;

static void area_free(void *p)
{
	munmap(p, sizeof(struct child_area));
}

static void area_init(void)
{
	pthread_key_create(&area_key, area_free);
}

static struct child_area *area_get(void)
{
	struct child_area *a;

	pthread_once(&area_once, area_init);
	if ((a = pthread_getspecific(area_key)))
		return a;
	a = mmap(NULL, sizeof(*a), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (a == MAP_FAILED)
		return NULL;
	pthread_setspecific(area_key, a);
	return a;
}

static long raw3(long n, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

static void raw_sigmask(const sigset_t *set, sigset_t *old)
{
	register long size __asm__("r10") = 8;
	long r;

	/* Not pthread_sigmask(): it keeps glibc's internal signals open,
	 * and one of those must not run its handler in the child. */
	__asm__ volatile("syscall" : "=a"(r)
			 : "a"(SYS_rt_sigprocmask), "D"(SIG_SETMASK), "S"(set),
			   "d"(old), "r"(size)
			 : "rcx", "r11", "memory");
}

/* Runs on a borrowed stack (empty_create()'s frame or the thread's child
 * area) and never returns:
 * AddressSanitizer would poison redzones there that nothing clears. */
__attribute__((no_sanitize_address))
static int child(void *p)
{
	struct child_args *a = p;
	long r = 0;

	/* Before Linux 5.9 there is no close_range(): the empty process
	 * must then not be made at all rather than hold the caller's
	 * descriptors (ENOSYS to the caller). */
	if (!(a->fds & EMPTY_INHERIT_FDS)) {
		if (a->sock > 0)
			r = raw3(SYS_close_range, 0, a->sock - 1, 0);
		if (r == 0)
			r = raw3(SYS_close_range, a->sock + 1, ~0u, 0);
		a->closing = r != 0;
	}
	if (r == 0)
		r = raw3(SYS_fcntl, a->sock, F_SETFD, 0);
	if (r == 0)
		r = raw3(SYS_execve, (long)a->loader, (long)a->argv,
			 (long)a->envp);
	a->err = (int)-r;
	raw3(SYS_exit, 127, 0, 0);
	return 127;
}

/*
 * Not in a set-user-ID or otherwise privileged program (secure_getenv()):
 * there the environment comes from a less privileged user, who would
 * choose the program that runs with the caller's privileges.
 */
const char *loader_path(void)
{
	const char *env = secure_getenv("PRISTINE_LOADER");

	return env && *env ? env : PRISTINE_LOADER_PATH;
}

#ifndef PR_GET_MDWE
#define PR_GET_MDWE 66
#endif

/* Is egid among the supplementary groups? (Rarely asked.) */
static int in_groups(gid_t egid)
{
	int i, n = getgroups(0, NULL), in = 1;
	gid_t *g = n > 0 ? malloc((size_t)n * sizeof(*g)) : NULL;

	if (n == 0)
		return 0;
	if (g && (n = getgroups(n, g)) >= 0)
		for (in = 0, i = 0; i < n; i++)
			in |= g[i] == egid;
	free(g);
	return in;
}

/*
 * The ambient capabilities a plain exec keeps (all, unless it changes the
 * ids: an effective gid that is neither the fs gid nor a supplementary
 * group). They are a subset of permitted and inheritable: usually empty,
 * known from one capget().
 */
static uint64_t ambient_kept(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 } };	/* for valgrind */
	uint64_t maybe, amb = 0;
	gid_t rgid, egid, sgid;
	int cap;

	if (syscall(SYS_capget, &h, d) < 0)
		return 0;
	maybe = ((uint64_t)(d[1].permitted & d[1].inheritable) << 32) |
		(d[0].permitted & d[0].inheritable);
	for (cap = 0; maybe && cap < 64; cap++)
		if ((maybe >> cap & 1) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1)
			amb |= 1ull << cap;
	if (amb && getresgid(&rgid, &egid, &sgid) == 0 &&
	    (gid_t)setfsgid((gid_t)-1) != egid && !in_groups(egid))
		amb = 0;
	return amb;
}

/*
 * argv[2] of the loader (wire.h): a hint when the caller's state already
 * sends every run to the kernel (MDWE refuses the loader's trampoline; a
 * seccomp filter may refuse or kill any call the kernel route does not
 * need, and the library's own personality() could be one), and what the
 * loader's own exec may change of the caller's state.
 */
static void caller_state(char *buf, size_t size)
{
	unsigned int hint = 0;
	struct rlimit stack;

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2) {
		snprintf(buf, size, "%x", PW_WHY_SECCOMP);
		return;
	}
	if (prctl(PR_GET_MDWE, 0, 0, 0, 0) > 0)
		hint = PW_WHY_MDWE;
	if (getrlimit(RLIMIT_STACK, &stack) < 0)
		stack.rlim_cur = RLIM_INFINITY;
	snprintf(buf, size, "%x:%lx:%llx:%llx", hint,
		 (unsigned long)(unsigned int)personality(0xffffffff),
		 (unsigned long long)stack.rlim_cur,
		 (unsigned long long)ambient_kept());
}

static int loader_failed(int err, int closing)
{
	if (closing) {
		errmsg_set("close_range() failed (%s): pristine needs "
			   "Linux 5.9 or later", strerror(err));
		return err;
	}
	errmsg_set("cannot execute the loader %s: %s", loader_path(),
		   strerror(err));
	return err == ENOENT || err == EACCES ? ELIBACC : err;
}

int empty_create(struct empty *e, enum empty_fds fds, struct sender *pre,
		 int wait_exec)
{
	struct child_args local, *a = &local;
	char stack[CHILD_STACK] __attribute__((aligned(16)));
	char *top = stack + sizeof(stack);
	sigset_t all, old;
	int sv[2], pidfd = -1, saved = errno, err;
	pid_t pid;

	/* Valgrind runs fork-like and thread-like clones only (it treats
	 * CLONE_VM|CLONE_VFORK as a fork) and exits at any other: under it,
	 * every empty process is made the pristine_open() way. */
	if (RUNNING_ON_VALGRIND)
		wait_exec = 1;
	if (!wait_exec) {
		struct child_area *area = area_get();

		if (!area)
			return ENOMEM;
		a = &area->args;
		top = area->stack + sizeof(area->stack);
	}
	memset(a, 0, sizeof(*a));
	a->loader = loader_path();
	a->fds = fds;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return errno;
	/* The request waits in the socket while the loader starts. */
	if (pre)
		sender_push(pre, sv[0], MSG_DONTWAIT);
	a->sock = sv[1];
	snprintf(a->fdstr, sizeof(a->fdstr), "%d", sv[1]);
	a->argv[0] = (char *)PW_LOADER_ARGV0;
	a->argv[1] = a->fdstr;
	caller_state(a->state, sizeof(a->state));
	a->argv[2] = a->state;

	sigfillset(&all);
	raw_sigmask(&all, &old);
	/* A member is held from before it exists: a wait for any child in
	 * another thread never sees it as one of the program's. */
	if (fds & EMPTY_HELD)
		held_lock(NULL);
	pid = clone(child, top, CLONE_VM | CLONE_PIDFD | SIGCHLD |
				(wait_exec ? CLONE_VFORK : 0) |
				((fds & EMPTY_NEWPID) ? CLONE_NEWPID : 0),
		    a, &pidfd);
	err = pid < 0 ? errno : 0;
	e->held = 0;
	e->taken = 0;
	if ((fds & EMPTY_HELD) && !err) {
		if ((err = held_add_locked(pid))) {
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		} else {
			e->held = 1;
		}
	}
	if (fds & EMPTY_HELD)
		held_unlock(NULL);
	raw_sigmask(&old, NULL);
	close(sv[1]);
	if (err && pid > 0) {
		siginfo_t si;

		while (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED | __WALL) < 0 &&
		       errno == EINTR)
			;
		close(pidfd);
	}

	if (!err && wait_exec && a->err) {
		/* The loader could not be executed: reap the child. */
		siginfo_t si;

		while (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED | __WALL) < 0 &&
		       errno == EINTR)
			;
		close(pidfd);
		if (e->held)
			held_forget(pid);
		e->held = 0;
		err = loader_failed(a->err, a->closing);
	}
	if (err) {
		close(sv[0]);
		errno = saved;
		return err;
	}
	e->sock = sv[0];
	e->pidfd = pidfd;
	e->pid = pid;
	e->greeted = 0;
	e->args = wait_exec ? NULL : a;
	errno = saved;
	return 0;
}

/* Through the pidfd: a pid reaped by the caller's wait(-1) meanwhile
 * could already name another process. */
void empty_reap(struct empty *e)
{
	siginfo_t si;

	/* The socket first: a loader still waiting for its request sees
	 * EOF and exits, even if nothing could kill it. */
	if (e->sock >= 0)
		close(e->sock);
	memset(&si, 0, sizeof(si));
	while (waitid(P_PIDFD, (id_t)e->pidfd, &si, WEXITED | __WALL) < 0 &&
	       errno == EINTR)
		;
	e->end_code = si.si_code;
	e->end_status = si.si_status;
	close(e->pidfd);
	e->pidfd = e->sock = -1;
	if (e->held)
		held_forget(e->pid);
	e->held = 0;
	e->taken = 1;
}

void empty_take(struct empty *e)
{
	if (e->held)
		held_forget(e->pid);
	e->held = 0;
}

void empty_died(const struct empty *e)
{
	char num[16] = "";
	const char *name;
	int sig = e->end_status;

	if (e->end_code == CLD_EXITED) {
		errmsg_set("the empty process exited with status %d before it "
			   "ran", sig);
		return;
	}
	if (e->end_code != CLD_KILLED && e->end_code != CLD_DUMPED) {
		errmsg_set("the empty process died before it ran");
		return;
	}
	if (!(name = sigabbrev_np(sig))) {
		snprintf(num, sizeof(num), "signal %d", sig);
		name = num;
	}
	errmsg_set("the empty process was killed by %s%s before it ran%s",
		   num[0] ? "" : "SIG", name,
		   sig == SIGSYS ? ": a seccomp filter refused one of its "
				   "system calls" : "");
}

void empty_abort(struct empty *e)
{
	syscall(SYS_pidfd_send_signal, e->pidfd, SIGKILL, NULL, 0);
	empty_reap(e);
}

int empty_exec_failed(const struct empty *e)
{
	return e->args && e->args->err ? loader_failed(e->args->err,
							 e->args->closing) : 0;
}
