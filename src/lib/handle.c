/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * pristine_open(), pristine_config() and pristine_run(): an empty process
 * per handle, configured key by key, then run; or pristine_run_start() and
 * pristine_run_finish(): the run without the wait for its answer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <unistd.h>
#include "empty.h"
#include "errmsg.h"
#include "exchange.h"
#include "export.h"
#include "inherit.h"
#include "keys.h"
#include "pool.h"
#include "pristine.h"
#include "record.h"
#include "registry.h"
#include "sender.h"
#include "wire.h"

/*
 * Replaces h's process (a pool member) with one made now by the calling
 * thread, keeping the handle's descriptor number. Returns 0 or an errno.
 */
static int renew(struct handle *h)
{
	struct empty fresh;
	struct stat st;
	int err;

	if ((err = empty_create(&fresh, EMPTY_NO_FDS, NULL, 1)))
		return err;
	/* The handle keeps its number: the new socket takes the old one's. */
	if (dup3(fresh.sock, h->e.sock, O_CLOEXEC) < 0 ||
	    fstat(h->e.sock, &st) < 0) {
		err = errno;
		empty_abort(&fresh);
		return err;
	}
	close(fresh.sock);
	fresh.sock = h->e.sock;
	h->e.sock = -1;		/* its number is the new socket's now */
	empty_abort(&h->e);
	h->e = fresh;
	h->dev = st.st_dev;
	h->ino = st.st_ino;
	h->from_pool = 0;
	/* A fresh exec kept the caller's ignored signals: reset them all
	 * first, as an empty process starts. */
	return record_all_default_first(&h->config.req);
}

PRISTINE_EXPORT int pristine_open(unsigned int flags)
{
	struct member m;
	struct handle *h;
	struct request *req;
	struct stat st;
	int err;

	errmsg_clear();
	if (flags & ~(PRISTINE_CLOEXEC | PRISTINE_NEWPID)) {
		errmsg_set("pristine_open: unknown flags %#x", flags);
		return errmsg_fail(EINVAL, "pristine_open");
	}
	if (!(h = calloc(1, sizeof(*h))))
		return errmsg_fail(ENOMEM, "pristine_open");
	config_init(&h->config);
	req = &h->config.req;
	h->e.pidfd = -1;
	/* A member is not in a new PID namespace: a new one is made. */
	if (!(flags & PRISTINE_NEWPID) && pool_take(&m) &&
	    !inherit_open(req, m.ignored, m.creds, &m.state)) {
		/* A member made earlier, brought up to date. */
		h->e = m.e;
		h->from_pool = 1;
		err = 0;
		pool_refill();
	} else {
		if (req->err) {	/* a member that cannot serve */
			empty_abort(&m.e);
			if (req->err == ESTALE)
				pool_flush();	/* its siblings too */
			else
				pool_refill();	/* one less, make the next */
			config_free(&h->config);
			config_init(&h->config);
		}
		/* An empty process starts with every signal at default. */
		record_all_default(req);
		err = empty_create(&h->e, EMPTY_NO_FDS |
				   ((flags & PRISTINE_NEWPID) ? EMPTY_NEWPID : 0),
				   NULL, 1);
	}
	if (!err && fstat(h->e.sock, &st) < 0)
		err = errno;
	if (err) {
		if (h->e.pidfd >= 0)
			empty_abort(&h->e);
		handle_free(h);
		if (err == EPERM && (flags & PRISTINE_NEWPID))
			errmsg_set("pristine_open: a new PID namespace needs "
				   "CAP_SYS_ADMIN in the caller's user "
				   "namespace");
		return errmsg_fail(err, "pristine_open");
	}
	h->dev = st.st_dev;
	h->ino = st.st_ino;
	handle_add(h);
	return h->e.sock;
}

/* The handle of a run in progress takes no other call but its finish. */
static int busy(struct handle *h, const char *fn)
{
	errmsg_set("%s: a run was started on handle %d: only "
		   "pristine_run_finish() may follow", fn, h->e.sock);
	return EBUSY;
}

PRISTINE_EXPORT int pristine_config(int handle, unsigned int cmd,
				    const char *key, const void *value,
				    int aux)
{
	const struct key_call call = { cmd, key, value, aux };
	const struct key *k;
	struct handle *h;
	int err;

	errmsg_clear();
	if (!(h = handle_get(handle))) {
		errmsg_set("pristine_config: %d is not a pristine handle",
			   handle);
		return errmsg_fail(EBADF, "pristine_config");
	}
	if (h->started)
		err = busy(h, "pristine_config");
	else
		err = key_parse(&call, &k);
	if (!err && (k->flags & KEY_OWN_PROCESS) && h->from_pool)
		err = renew(h);
	if (!err)
		err = key_build(k, &h->config, &call);
	handle_put(h);
	if (err)
		return errmsg_fail(err, "pristine_config: key \"%s\"",
				   key ? key : "(null)");
	return 0;
}

/* The last records of h's request (argv, env, the run); on failure the
 * empty process is killed. Returns 0 or a positive errno. */
static int seal(struct handle *h, const char *fn)
{
	struct config *c = &h->config;
	int err;

	if (!c->have_exec) {
		errmsg_set("%s: no \"exec\" configured", fn);
		err = EINVAL;
	} else if (!(err = config_flush(c)) &&
		   !(err = record_strings(&c->req, PW_REQ_ARGV, "argv",
					  c->argv.v)) &&
		   !(err = record_strings(&c->req, PW_REQ_ENVP, "env",
					  c->env.v))) {
		err = record_run(&c->req, PW_REQ_RUN, c->mode);
	}
	if (err)
		empty_abort(&h->e);
	return err;
}

PRISTINE_EXPORT int pristine_run(int handle, pid_t *pid)
{
	struct handle *h;
	struct sender s;
	int err, route, pidfd;

	errmsg_clear();
	if (!(h = handle_take(handle))) {
		errmsg_set("pristine_run: %d is not a pristine handle", handle);
		return errmsg_fail(EBADF, "pristine_run");
	}
	if (h->started) {
		err = busy(h, "pristine_run");
		handle_add(h);
		return errmsg_fail(err, "pristine_run");
	}
	if (!(err = seal(h, "pristine_run"))) {
		sender_init(&s, &h->config.req);
		err = exchange_finish(&h->e, &s, &route);
	}
	pidfd = h->e.pidfd;
	if (!err) {
		route_set(route);
		if (pid)
			*pid = h->e.pid;
	}
	handle_free(h);
	if (err)
		return errmsg_fail(err, "pristine_run");
	return pidfd;
}

#ifndef PID_FS_MAGIC
#define PID_FS_MAGIC 0x50494446
#endif

/*
 * Can a pidfd opened later be told to name the run's process? With pidfs
 * (Linux 6.9 and later) the pidfds of one process share an inode of their
 * own; and pidfd_open() must work (valgrind and some seccomp filters
 * refuse it). Asked once, of this process's own pid. Then the library
 * keeps the inode, not a descriptor.
 */
static int pidfs_names(void)
{
	static int known;	/* 0: not yet, 1: yes, 2: no */
	int k = __atomic_load_n(&known, __ATOMIC_RELAXED), fd, saved = errno;
	struct statfs sf;

	if (k)
		return k == 1;
	fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	k = fd >= 0 && fstatfs(fd, &sf) == 0 && sf.f_type == PID_FS_MAGIC ? 1
									  : 2;
	if (fd >= 0)
		close(fd);
	if (fd >= 0 || errno != EMFILE)		/* else: ask again later */
		__atomic_store_n(&known, k, __ATOMIC_RELAXED);
	errno = saved;
	return k == 1;
}

/*
 * A pidfd of the library's own for the run's process, to reap it: the
 * caller's may be closed, or its number reused. -1 if the process is
 * gone already (the caller waited for it), or if no descriptor is left:
 * then the caller's wait reaps it.
 */
static int own_pidfd(const struct handle *h)
{
	struct stat st;
	int fd;

	if (h->e.pidfd >= 0 || !h->pidfd_ino)
		return h->e.pidfd;
	fd = (int)syscall(SYS_pidfd_open, h->e.pid, 0);
	if (fd >= 0 && (fstat(fd, &st) < 0 || st.st_ino != h->pidfd_ino)) {
		close(fd);	/* its pid names another process now */
		fd = -1;
	}
	return fd;
}

/*
 * The request goes out whole (the loader reads it while we write), and
 * the call returns without the answer: the handle turns readable when it
 * comes. The process is the caller's from now on, by the pidfd returned.
 */
PRISTINE_EXPORT int pristine_run_start(int handle, pid_t *pid)
{
	struct handle *h;
	struct sender s;
	struct stat st;
	int err, pidfd, copy = -1;

	errmsg_clear();
	if (!(h = handle_take(handle))) {
		errmsg_set("pristine_run_start: %d is not a pristine handle",
			   handle);
		return errmsg_fail(EBADF, "pristine_run_start");
	}
	if (h->started) {
		err = busy(h, "pristine_run_start");
		handle_add(h);
		return errmsg_fail(err, "pristine_run_start");
	}
	pidfd = h->e.pidfd;
	if ((err = seal(h, "pristine_run_start")))
		goto fail;
	/* Without pidfs the library keeps a copy of the pidfd. */
	if (pidfs_names() && fstat(pidfd, &st) == 0) {
		h->pidfd_ino = st.st_ino;
	} else if ((copy = fcntl(pidfd, F_DUPFD_CLOEXEC, 0)) < 0) {
		err = errno;
		empty_abort(&h->e);
		goto fail;
	}
	sender_init(&s, &h->config.req);
	if ((err = exchange_send(&h->e, &s))) {	/* pidfd closed */
		if (copy >= 0)
			close(copy);
		goto fail;
	}
	h->e.pidfd = copy;
	/* Sent: the descriptors are the empty process's now. */
	request_sent(&h->config.req);
	h->started = 1;
	if (pid)
		*pid = h->e.pid;
	handle_add(h);
	return pidfd;
fail:
	handle_free(h);
	return errmsg_fail(err, "pristine_run_start");
}

PRISTINE_EXPORT int pristine_run_finish(int handle)
{
	struct handle *h;
	int err, route;

	errmsg_clear();
	if (!(h = handle_take(handle))) {
		errmsg_set("pristine_run_finish: %d is not a pristine handle",
			   handle);
		return errmsg_fail(EBADF, "pristine_run_finish");
	}
	if (!h->started) {
		errmsg_set("pristine_run_finish: no run was started on handle "
			   "%d (pristine_run_start())", handle);
		handle_add(h);
		return errmsg_fail(EINVAL, "pristine_run_finish");
	}
	/* A failed run's process is reaped here, by the library's pidfd:
	 * the caller's still names it, and a wait on it finds no child. */
	h->e.pidfd = own_pidfd(h);
	if (!(err = exchange_answer(&h->e, &h->config.req, &route))) {
		if (h->e.pidfd >= 0)
			close(h->e.pidfd);
		route_set(route);
	}
	handle_free(h);
	if (err)
		return errmsg_fail(err, "pristine_run_finish");
	return 0;
}
