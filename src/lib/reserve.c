/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Reserves of ready empty processes. A background thread per reserve makes
 * members (a fresh exec of the loader each: independent ASLR, AT_RANDOM)
 * whenever the reserve is below its size; a spawn takes one and never
 * waits for the refill. Members are the caller's children: after fork()
 * the child process must not use them, and its copies of their sockets
 * are closed so that they still see EOF when the parent goes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cpu-free.h"
#include "exchange.h"
#include "fork.h"
#include "held.h"
#include "inherit.h"
#include "proc-files.h"
#include "record.h"
#include "reserve.h"
#include "sender.h"
#include "wire.h"

static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;
static struct reserve *all;

/* The refill thread's stack (start_thread()), once it is not used. */
static void free_stack(struct reserve *r)
{
	if (r->stack)
		munmap(r->stack, r->stack_size);
	r->stack = NULL;
}

/* In a fork() child: the members belong to the parent. */
static void forget_in_child(void)
{
	struct reserve *r;
	unsigned int i;

	for (r = all; r; r = r->next) {
		for (i = 0; i < r->n; i++) {
			close(r->ready[i].e.sock);
			close(r->ready[i].e.pidfd);
		}
		r->n = 0;
		r->dead = 1;
		r->thread_started = 0;	/* no thread in this process */
		free_stack(r);		/* a copy nobody runs on */
		pthread_mutex_init(&r->lock, NULL);
		pthread_cond_init(&r->want, NULL);
	}
	held_reset_in_child();
	pthread_mutex_init(&all_lock, NULL);
}

/* Around fork(): no reserve half-updated by its refill thread. */
static void lock_all(void)
{
	struct reserve *r;

	pthread_mutex_lock(&all_lock);
	for (r = all; r; r = r->next)
		pthread_mutex_lock(&r->lock);
}

static void unlock_all(void)
{
	struct reserve *r;

	for (r = all; r; r = r->next)
		pthread_mutex_unlock(&r->lock);
	pthread_mutex_unlock(&all_lock);
}

static const struct fork_hooks fork_hooks = {
	.prepare = lock_all, .parent = unlock_all, .child = forget_in_child,
};

int reserve_image(struct reserve *r, struct request *req)
{
	int fd;

	pthread_mutex_lock(&r->lock);	/* a changed file swaps image_fd */
	fd = fcntl(r->image_fd, F_DUPFD_CLOEXEC, 0);
	pthread_mutex_unlock(&r->lock);
	if (fd < 0)
		return req->err = errno;
	return record_image_fd(req, fd, r->fd_name, r->path, r->kpath);
}

int reserve_path(struct reserve *r, char *buf, size_t len)
{
	int n;

	pthread_mutex_lock(&r->lock);
	/* The absolute path opened, or the descriptor's own name: exec
	 * resolves /proc/self/fd/N before it closes close-on-exec ones. */
	if (r->path)
		n = snprintf(buf, len, "%s", r->kpath ? r->kpath : r->path);
	else
		n = snprintf(buf, len, "/proc/self/fd/%d", r->image_fd);
	pthread_mutex_unlock(&r->lock);
	return n < 0 || (size_t)n >= len ? ENAMETOOLONG : 0;
}

void reserve_new_image(struct reserve *r, int image_fd,
		       const struct stat *st)
{
	pthread_mutex_lock(&r->lock);
	if (image_fd >= 0) {
		close(r->image_fd);
		r->image_fd = image_fd;
	}
	r->st = *st;
	pthread_mutex_unlock(&r->lock);
	reserve_flush(r);
}

/* The most inheritable descriptors for which a pool member is worth
 * updating (measured: inherit.c). */
#define POOL_FDS_WORTH 32

int reserve_make(struct reserve *r, struct member *m)
{
	struct request req;
	struct sender s;
	int err;

	m->route = 0;
	m->creds = cred_now();
	m->nofile = nofile_now();
	state_now(&m->state, 0);
	/* A template member saves the image's mapping as well: kept. */
	m->state.fds_worth = r->image_fd < 0 ? POOL_FDS_WORTH : 0;
	if (r->image_fd < 0) {
		err = empty_create(&m->e, EMPTY_NO_FDS | EMPTY_HELD, NULL, 1);
		if (!err)
			m->ignored = ignored_signals(m->e.pid);
		return err;
	}
	request_init(&req);
	reserve_image(r, &req);
	record_run(&req, PW_REQ_PREPARE, r->mode);
	if ((err = req.err)) {
		request_free(&req);
		return err;
	}
	sender_init(&s, &req);
	err = empty_create(&m->e, EMPTY_NO_FDS | EMPTY_HELD, &s, 1);
	if (!err)
		err = exchange_prepare(&m->e, &s, &m->route);
	if (!err)
		m->ignored = ignored_signals(m->e.pid);
	request_free(&req);
	return err;
}

void reserve_put(struct reserve *r, struct member *m)
{
	int full;

	pthread_mutex_lock(&r->lock);
	/* The refill thread may have filled the reserve meanwhile. */
	full = r->n >= r->size;
	if (!full)
		r->ready[r->n++] = *m;
	if (r->first_pending) {
		r->first_pending = 0;
		pthread_cond_signal(&r->want);
	}
	pthread_mutex_unlock(&r->lock);
	if (full)
		empty_abort(&m->e);
}

/*
 * Making a member is an exec, dearer than a spawn from a member: done
 * while spawns come back to back, it would compete with them for the CPUs
 * and make each slower than the default path. So the thread waits until no
 * member was asked for during QUIET_NS: in a burst, spawns take the default
 * path; in the pauses between them, the reserve fills up.
 */
#define QUIET_NS 300000ll

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ll + t.tv_nsec;
}

/* With r->lock held: waits for ns at most (a take or the end wakes it). */
static void wait_for(struct reserve *r, long long ns)
{
	struct timespec until;
	long long at;

	clock_gettime(CLOCK_MONOTONIC, &until);
	at = until.tv_sec * 1000000000ll + until.tv_nsec + ns;
	until.tv_sec = at / 1000000000ll;
	until.tv_nsec = at % 1000000000ll;
	pthread_cond_timedwait(&r->want, &r->lock, &until);
}

/*
 * The quiet period is not enough: a program that runs longer than it
 * (/bin/true takes ~0.7 ms) had its CPU taken by the refill, and on a
 * busy machine every refill competes with someone. After the quiet period
 * the thread waits until the program the last member became has ended
 * (kill(pid, 0): a pid reused since only delays the refill), for
 * CHILD_PATIENCE_NS at most, then until a CPU it may use is free
 * (cpu-free.h) or the reserve has been quiet for PATIENCE_NS: the spawn
 * the refill must not slow down is done then, and a machine that is never
 * idle still gets its members. It looks every BUSY_NS. Back to back,
 * spawns keep the reserve from being quiet and take the default path.
 */
#define BUSY_NS 1000000ll
#define PATIENCE_NS 2000000ll
#define CHILD_PATIENCE_NS 20000000ll

/* With r->lock held: waits until r has been quiet for QUIET_NS, the last
 * program has ended and a CPU is free, or the patience is out. */
static void await_quiet(struct reserve *r)
{
	long long quiet;
	pid_t child;
	int go;

	while (!r->stop) {
		if ((quiet = now_ns() - r->last_use) < QUIET_NS) {
			wait_for(r, QUIET_NS - quiet);
			continue;
		}
		child = r->last_child;
		pthread_mutex_unlock(&r->lock);
		if (child && quiet < CHILD_PATIENCE_NS && kill(child, 0) == 0)
			go = 0;
		else	/* cpu_free() < 0: cannot tell, as before */
			go = quiet >= PATIENCE_NS || cpu_free();
		pthread_mutex_lock(&r->lock);
		if (go)
			return;
		wait_for(r, BUSY_NS);
	}
}

/* With r->lock held. */
static void wait_to_be_asked(struct reserve *r)
{
	if (!r->stop) {
		r->idle = 1;
		pthread_cond_wait(&r->want, &r->lock);
		r->idle = 0;
	}
}

static void *refill_thread(void *arg)
{
	struct reserve *r = arg;

	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		struct member m;
		unsigned int gen;
		int err;

		if (r->n >= r->size || r->first_pending) {
			r->idle = 1;
			pthread_cond_wait(&r->want, &r->lock);
			r->idle = 0;
			continue;
		}
		await_quiet(r);
		if (r->stop)
			break;
		gen = r->generation;
		if (r->adopt_set) {
			struct proc_state want = r->adopt;

			r->adopt_set = 0;
			pthread_mutex_unlock(&r->lock);
			err = state_adopt(&want);
			pthread_mutex_lock(&r->lock);
			if (err) {
				/* This thread cannot make members the
				 * spawner could use: until asked again
				 * (and then it tries again), spawns take
				 * the default path. */
				if (!r->adopt_set) {
					r->adopt = want;
					r->adopt_set = 1;
				}
				wait_to_be_asked(r);
				continue;
			}
		}
		pthread_mutex_unlock(&r->lock);
		err = reserve_make(r, &m);
		pthread_mutex_lock(&r->lock);
		if (err) {
			/* Cannot make members now (limits, a changed file):
			 * spawns take the default path until asked again. */
			wait_to_be_asked(r);
			continue;
		}
		if (r->stop || gen != r->generation || r->n >= r->size) {
			pthread_mutex_unlock(&r->lock);
			empty_abort(&m.e);
			pthread_mutex_lock(&r->lock);
			continue;
		}
		r->ready[r->n++] = m;
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/*
 * The refill thread runs on a stack of the library's own: glibc frees the
 * stack of a thread it allocated itself with madvise() when the thread
 * exits, and a caller under a seccomp filter that kills madvise() (it
 * exists: the loader's own calls are refused that way) would be killed
 * by our thread's exit. glibc leaves a stack it was given alone; the
 * library unmaps it after the join. A guard page below it, as glibc's.
 */
#define REFILL_STACK (1024 * 1024)

static int start_thread(struct reserve *r)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	pthread_attr_t at;
	char *base;
	int err;

	base = mmap(NULL, REFILL_STACK + page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (base == MAP_FAILED)
		return errno;
	mprotect(base, page, PROT_NONE);
	pthread_attr_init(&at);
	pthread_attr_setstack(&at, base + page, REFILL_STACK);
	err = pthread_create(&r->thread, &at, refill_thread, r);
	pthread_attr_destroy(&at);
	if (err) {
		munmap(base, REFILL_STACK + page);
		/* EINVAL: a static TLS bigger than the stack; glibc's own. */
		return err == EINVAL ? pthread_create(&r->thread, NULL,
						      refill_thread, r)
				     : err;
	}
	r->stack = base;
	r->stack_size = REFILL_STACK + page;
	return 0;
}

int reserve_init(struct reserve *r, unsigned int size, int image_fd,
		 int fd_name, char *path, char *kpath, uint32_t mode)
{
	sigset_t all_signals, old;
	int err;

	pthread_condattr_t ca;

	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	/* await_quiet() times its waits on the monotonic clock. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->want, &ca);
	pthread_condattr_destroy(&ca);
	r->size = size;
	r->image_fd = image_fd;
	r->fd_name = fd_name;
	r->path = path;
	r->kpath = kpath;
	r->mode = mode;
	r->owner = getpid();
	r->first_pending = image_fd >= 0;
	if (image_fd >= 0 && fstat(image_fd, &r->st) < 0)
		return errno;
	if (!(r->ready = calloc(size, sizeof(*r->ready))))
		return ENOMEM;
	fork_hooks_set(FORK_RESERVES, &fork_hooks);
	held_expect();
	proc_files_hold();
	/* The thread must not take the caller's signals. */
	sigfillset(&all_signals);
	pthread_sigmask(SIG_SETMASK, &all_signals, &old);
	err = start_thread(r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		proc_files_release();
		free(r->ready);
		return err;
	}
	r->thread_started = 1;
	pthread_mutex_lock(&all_lock);
	r->next = all;
	all = r;
	pthread_mutex_unlock(&all_lock);
	return 0;
}

/* May this process use r's members? (Credentials: see inherit.c.) */
static int usable(const struct reserve *r)
{
	return !r->dead && getpid() == r->owner;
}

/*
 * Has m died while it waited (killed from outside)? Its pidfd says. Or
 * been stopped (SIGSTOP from outside)? Its stop, not yet reported to a
 * wait, says: a stopped loader would never answer the spawn. (The preload
 * shim's waits kill a member whose stop they see.)
 */
static int member_dead(const struct member *m)
{
	struct pollfd p = { .fd = m->e.pidfd, .events = POLLIN };
	siginfo_t si;

	if (poll(&p, 1, 0) > 0)
		return 1;
	si.si_pid = 0;
	return waitid(P_PIDFD, (id_t)m->e.pidfd, &si,
		      WSTOPPED | WNOHANG | WNOWAIT | __WALL) == 0 &&
	       si.si_pid != 0;
}

int reserve_take(struct reserve *r, struct member *m)
{
	int got = 0;

	if (!usable(r))
		return 0;
	pthread_mutex_lock(&r->lock);
	r->last_use = now_ns();
	while (r->n && !got) {
		*m = r->ready[--r->n];
		got = !member_dead(m);
		if (!got)
			empty_abort(&m->e);	/* kills if stopped, reaps */
	}
	/* From now on a child of the spawn's, as glibc's vfork() child. */
	if (got) {
		empty_take(&m->e);
		r->last_child = m->e.pid;
	}
	/* A thread waiting for quiet times itself: no need to wake it. */
	if (!got && r->idle)
		pthread_cond_signal(&r->want);
	pthread_mutex_unlock(&r->lock);
	return got;
}

void reserve_refill(struct reserve *r)
{
	pthread_mutex_lock(&r->lock);
	r->last_use = now_ns();
	if (r->idle)
		pthread_cond_signal(&r->want);
	pthread_mutex_unlock(&r->lock);
}

void reserve_flush(struct reserve *r)
{
	struct member *gone;
	struct proc_state now;
	unsigned int n, i;

	/* Called by the thread that found a member stale: the next ones are
	 * made with its per-thread state (a member has its maker's). */
	state_now(&now, 0);
	pthread_mutex_lock(&r->lock);
	r->adopt = now;
	r->adopt_set = 1;
	n = r->n;
	gone = malloc(n * sizeof(*gone) + 1);
	if (gone)
		memcpy(gone, r->ready, n * sizeof(*gone));
	else
		n = 0;
	r->n -= n;
	r->generation++;
	pthread_cond_signal(&r->want);
	pthread_mutex_unlock(&r->lock);
	for (i = 0; i < n; i++)
		empty_abort(&gone[i].e);
	free(gone);
}

void reserve_destroy(struct reserve *r)
{
	struct reserve **pp;
	unsigned int i;

	pthread_mutex_lock(&all_lock);
	for (pp = &all; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	pthread_mutex_unlock(&all_lock);
	pthread_mutex_lock(&r->lock);
	r->stop = 1;
	pthread_cond_signal(&r->want);
	pthread_mutex_unlock(&r->lock);
	if (r->thread_started)
		pthread_join(r->thread, NULL);
	free_stack(r);
	if (!r->dead)
		for (i = 0; i < r->n; i++)
			empty_abort(&r->ready[i].e);
	free(r->ready);
	if (r->image_fd >= 0)
		close(r->image_fd);
	free(r->path);
	free(r->kpath);
	proc_files_release();
}
