/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * A member of a reserve was exec'd earlier, from another thread: it holds
 * the caller's state of that time. These records give it what an exec
 * from the caller would keep now: the inheritable descriptors (at their
 * numbers, sharing their open file descriptions), the current directory,
 * the umask, the ignored signals (every other one at its default), and
 * no_new_privs; pending signals are discarded first. The credentials and
 * the state no record can give (resource limits, scheduling, ...) are
 * checked here (cred_digest(), state_check()), not sent; namespaces,
 * cgroup and Landlock stay those of the member's creation (pristine(7)):
 * of the places a program is confined to, only the root directory is
 * compared (one stat(), 1 us; the namespaces' would be 5 us each).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "inherit.h"
#include "proc-files.h"
#include "record.h"
#include "wire.h"

#ifndef PR_GET_MDWE
#define PR_GET_MDWE 66
#endif

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/*
 * A member gets each inheritable descriptor by SCM_RIGHTS and installs it
 * (about 2.4 us each here); a new empty process gets them from its exec.
 * Past about 35 of them a spawn from a pool member costs more than one
 * without (doc/performance.md): with more than its reserve's fds_worth
 * the member is discarded, and the next DEAR_SKIP calls of
 * inherit_worth_a_member() say no, so that a process with many
 * descriptors does not discard a member at every spawn.
 */
#define DEAR_SKIP 15

static unsigned int dear_left;

int inherit_worth_a_member(void)
{
	unsigned int n = __atomic_load_n(&dear_left, __ATOMIC_RELAXED);

	while (n && !__atomic_compare_exchange_n(&dear_left, &n, n - 1, 0,
						 __ATOMIC_RELAXED,
						 __ATOMIC_RELAXED))
		;
	return !n;
}

struct fd_list {
	struct request *req;
	uint64_t nofile;
	unsigned int worth, count;
};

/*
 * Descriptor fd, if open: sent as it is, as an exec would keep it, unless
 * close-on-exec. A member exec'd under the descriptor limit nofile cannot
 * install an inheritable descriptor at or above it (an exec keeps it): it
 * cannot serve this spawn (EBADF: another member would fail the same).
 */
static int add_fd(struct fd_list *l, int fd)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0 || (fl & FD_CLOEXEC))
		return 0;
	if ((uint64_t)fd >= l->nofile)
		return l->req->err = EBADF;
	if (l->worth && ++l->count > l->worth) {
		__atomic_store_n(&dear_left, DEAR_SKIP, __ATOMIC_RELAXED);
		return l->req->err = E2BIG;
	}
	return record_inherited_fd(l->req, fd);
}

/*
 * Every descriptor is below the calling thread's table size (FDSize in
 * its status, 64 unless a number above was used). Up to WALK_MAX numbers,
 * asking each with fcntl() costs less than listing /proc/thread-self/fd,
 * whose entries the kernel makes one by one (cold caches, 12 descriptors:
 * 64 numbers 10.7 us, 256 numbers 36.9, the listing 24.9).
 */
#define WALK_MAX 64

static int add_fds(struct request *req, uint64_t nofile,
		   unsigned int worth, unsigned long long table)
{
	struct fd_list l = { req, nofile, worth, 0 };
	char buf[4096];
	int dir;
	long n;

	if (table && table <= WALK_MAX) {
		for (n = 0; n < (long)table && !add_fd(&l, (int)n); n++)
			;
		return req->err;
	}
	dir = open("/proc/thread-self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return req->err = errno;
	while (!req->err &&
	       (n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
		long off;

		for (off = 0; off < n && !req->err;) {
			struct linux_dirent64 *d = (void *)(buf + off);

			off += d->d_reclen;
			if (d->d_name[0] >= '0' && d->d_name[0] <= '9' &&
			    atoi(d->d_name) != dir)
				add_fd(&l, atoi(d->d_name));
		}
	}
	close(dir);
	return req->err;
}

/* The value of "Name:\t<value>" in /proc/self/status, parsed in base. */
static int status_field(const char *text, const char *name, int base,
			unsigned long long *out)
{
	const char *p = strstr(text, name);

	if (!p)
		return -1;
	*out = strtoull(p + strlen(name), NULL, base);
	return 0;
}

/* A digest of the lines that decide what an exec gets: ids, groups,
 * capability sets, seccomp mode and filter count. */
static uint64_t cred_digest(const char *text)
{
	static const char *const keys[] = {
		"\nUid:", "\nGid:", "\nGroups:", "\nCapInh:", "\nCapPrm:",
		"\nCapEff:", "\nCapBnd:", "\nCapAmb:", "\nNoNewPrivs:",
		"\nSeccomp:", "\nSeccomp_filters:",
	};
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *p = strstr(text, keys[i]);

		if (!p)
			continue;
		do	/* the line, from its leading newline to the next */
			h = (h ^ (unsigned char)*p++) * 0x100000001b3ull;
		while (*p && *p != '\n');
	}
	return h;
}

uint64_t cred_now(void)
{
	char text[4096];

	return proc_thread_status(text, sizeof(text), 0) ? 0
							 : cred_digest(text);
}

/*
 * umask, ignored signals and no_new_privs, from one read of the calling
 * thread's status (credentials are per thread): umask() would have to set
 * it to read it, which another thread could see, and the dispositions
 * take 64 calls.
 */
static int add_status(struct request *req, const char *text, uint64_t had,
		      int signals, uint64_t creds)
{
	unsigned long long um, ign, nnp, tracer = 0;
	uint64_t dfl, ig;

	/* The member was made with other credentials: it is stale. */
	if (!creds || cred_digest(text) != creds)
		return req->err = ESTALE;
	/* A tracer attached to the caller after the members were made (strace
	 * -f -p, gdb) follows a new child and its exec; not a member made
	 * before it came. While the caller is traced no member is used: the
	 * default path's new empty process is the caller's child, and its
	 * image is the kernel's (route fresh). */
	if (status_field(text, "\nTracerPid:\t", 10, &tracer) || tracer)
		return req->err = ESTALE;
	if (status_field(text, "\nUmask:\t", 8, &um) ||
	    status_field(text, "\nSigIgn:\t", 16, &ign) ||
	    status_field(text, "\nNoNewPrivs:\t", 10, &nnp))
		return req->err = EIO;
	record_int(req, PW_REQ_UMASK, "inherited umask", (int32_t)um);
	/* Only what differs from the member's own dispositions. */
	dfl = had & ~(signals ? (uint64_t)ign : 0);
	ig = signals ? ign & ~had : 0;
	if (dfl)
		record_bits(req, PW_REQ_SIGDEFAULT, "inherited signals", dfl);
	if (ig)
		record_bits(req, PW_REQ_SIGIGNORE, "inherited signals", ig);
	if (nnp)
		record_none(req, PW_REQ_NO_NEW_PRIVS,
			    "inherited no_new_privs");
	return req->err;
}

uint64_t ignored_signals(pid_t pid)
{
	char path[64], text[4096];
	unsigned long long ign = ~0ull;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!proc_read_path(path, text, sizeof(text)))
		status_field(text, "\nSigIgn:\t", 16, &ign);
	return ign;
}

static int add_cwd(struct request *req)
{
	int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (cwd < 0)
		return req->err = errno;
	return record_with_fd(req, PW_REQ_FCHDIR_FD, "inherited cwd", cwd);
}

/*
 * The descriptor limit decides which numbers the member can install: one
 * made under another limit is stale. (The other limits stay those of the
 * member's creation, as pristine(7) says.)
 */
static int same_nofile(struct request *req, uint64_t nofile)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur != nofile)
		return req->err = ESTALE;
	return 0;
}

uint64_t nofile_now(void)
{
	struct rlimit rl;

	return getrlimit(RLIMIT_NOFILE, &rl) < 0 ? 0 : rl.rlim_cur;
}

/* A one-line number from /proc (-1 if unreadable). */
static long proc_number(enum proc_file f, int base, int keep)
{
	char text[64];

	if (proc_read(f, text, sizeof(text), keep))
		return -1;
	return strtol(text, NULL, base);
}

/*
 * The calling thread's personality. Under a seccomp filter, which may
 * kill personality() (empty.c does not call it there either), from
 * /proc (-1 if unreadable: no member then matches).
 */
static int personality_now(void)
{
	char text[32];

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 2)
		return personality(0xffffffff);
	if (proc_read_path("/proc/thread-self/personality", text, sizeof(text)))
		return -1;
	return (int)strtol(text, NULL, 16);
}

void state_now(struct proc_state *s, int spawn)
{
	struct sched_param sp = { 0 };
	struct stat root;
	int i;

	s->fds_worth = 0;
	if (stat("/", &root) < 0)
		root = (struct stat){ 0 };
	s->root_dev = root.st_dev;
	s->root_ino = root.st_ino;
	s->pgid = getpgrp();
	s->sid = getsid(0);
	s->mdwe = prctl(PR_GET_MDWE, 0, 0, 0, 0);
	s->thp_disable = prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);
	s->timer_slack = (unsigned long)prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	/* No system call reads these two, and a process of the same user,
	 * or root, may change them from outside: read at each spawn, from
	 * descriptors kept open (2 us each, 13 us with an open). */
	s->oom_score_adj = (int)proc_number(PROC_OOM_SCORE_ADJ, 10, spawn);
	s->coredump_filter = (unsigned long)proc_number(PROC_COREDUMP_FILTER,
							 16, spawn);
	/* The raw call: 20 - nice, never an ambiguous -1. */
	s->prio = (int)syscall(SYS_getpriority, PRIO_PROCESS, 0);
	s->policy = sched_getscheduler(0);
	sched_getparam(0, &sp);
	s->sched_priority = sp.sched_priority;
	CPU_ZERO(&s->affinity);
	sched_getaffinity(0, sizeof(s->affinity), &s->affinity);
	s->personality = personality_now();
	s->securebits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	for (i = 0; i < RLIM_NLIMITS; i++)
		if (getrlimit(i, &s->rlim[i]) < 0)
			s->rlim[i] = (struct rlimit){ 0, 0 };
}

int state_adopt(const struct proc_state *s)
{
	struct sched_param sp = { .sched_priority = s->sched_priority };

	prctl(PR_SET_TIMERSLACK, s->timer_slack, 0, 0, 0);
	if (sched_setaffinity(0, sizeof(s->affinity), &s->affinity) < 0)
		return errno;
	if (s->prio != (int)syscall(SYS_getpriority, PRIO_PROCESS, 0) &&
	    setpriority(PRIO_PROCESS, 0, 20 - s->prio) < 0)
		return errno;
	if (s->policy != sched_getscheduler(0) &&
	    sched_setscheduler(0, s->policy, &sp) < 0)
		return errno;
	if (s->personality < 0)
		return EPERM;	/* unknown */
	if (personality_now() == s->personality)
		return 0;
	/* Not under a filter, which may kill personality(). */
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2 ||
	    personality((unsigned long)s->personality) < 0)
		return EPERM;
	return 0;
}

static int same_rlimits(const struct proc_state *a, const struct proc_state *b)
{
	int i;

	for (i = 0; i < RLIM_NLIMITS; i++)
		if (a->rlim[i].rlim_cur != b->rlim[i].rlim_cur ||
		    a->rlim[i].rlim_max != b->rlim[i].rlim_max)
			return 0;
	return 1;
}

/*
 * A member has what its maker had; a process made now would have what the
 * caller has. The process group is refreshed (a setpgid() in the member,
 * within the session); the rest cannot be set back by the member (MDWE is
 * sticky, a lower oom_score_adj needs CAP_SYS_RESOURCE) or has no record:
 * the member is stale (ESTALE), and the ones made next take the state of
 * their making. What is per thread (timer slack, nice, scheduling,
 * affinity, personality) is the making thread's: reserve.c gives the pool's
 * thread that of the thread that found a member stale (state_adopt()).
 */
static int state_check(struct request *req, const struct proc_state *had)
{
	struct proc_state now;

	state_now(&now, 1);
	if (now.sid != had->sid || now.mdwe != had->mdwe ||
	    now.thp_disable != had->thp_disable ||
	    now.timer_slack != had->timer_slack ||
	    now.oom_score_adj != had->oom_score_adj ||
	    now.coredump_filter != had->coredump_filter ||
	    now.prio != had->prio || now.policy != had->policy ||
	    now.sched_priority != had->sched_priority ||
	    !CPU_EQUAL(&now.affinity, &had->affinity) ||
	    now.personality != had->personality ||
	    now.securebits != had->securebits || !same_rlimits(&now, had) ||
	    now.root_dev != had->root_dev || now.root_ino != had->root_ino)
		return req->err = ESTALE;
	if (now.pgid != had->pgid)
		record_int(req, PW_REQ_SETPGID, "inherited process group",
			   now.pgid);
	return req->err;
}

/* The calling thread's status (kept open: proc-files.h), in text. */
static int thread_status(struct request *req, char *text, size_t size)
{
	int err = proc_thread_status(text, size, 1);

	return err ? req->err = err : 0;
}

int inherit_add(struct request *req, uint64_t had, uint64_t creds,
		uint64_t nofile, const struct proc_state *st)
{
	unsigned long long table = 0;
	char text[4096];

	if (same_nofile(req, nofile) || state_check(req, st) ||
	    thread_status(req, text, sizeof(text)))
		return req->err;
	status_field(text, "\nFDSize:\t", 10, &table);
	record_none(req, PW_REQ_FLUSH_SIGNALS, "flush signals");
	if (add_fds(req, nofile, st->fds_worth, table) || add_cwd(req))
		return req->err;
	return add_status(req, text, had, 1, creds);
}

int inherit_open(struct request *req, uint64_t had, uint64_t creds,
		 const struct proc_state *st)
{
	char text[4096];

	if (state_check(req, st) || thread_status(req, text, sizeof(text)))
		return req->err;
	record_none(req, PW_REQ_FLUSH_SIGNALS, "flush signals");
	if (add_cwd(req))
		return req->err;
	return add_status(req, text, had, 0, creds);
}
