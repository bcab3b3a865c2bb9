/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * pristine_open(), pristine_config() and pristine_run(): an empty process
 * per handle, configured key by key, then run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
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

PRISTINE_EXPORT int pristine_run(int handle, pid_t *pid)
{
	struct config *c;
	struct handle *h;
	struct sender s;
	int err, route, pidfd;

	errmsg_clear();
	if (!(h = handle_take(handle))) {
		errmsg_set("pristine_run: %d is not a pristine handle", handle);
		return errmsg_fail(EBADF, "pristine_run");
	}
	c = &h->config;
	if (!c->have_exec) {
		errmsg_set("pristine_run: no \"exec\" configured");
		err = EINVAL;
		empty_abort(&h->e);
	} else if ((err = config_flush(c)) ||
		   (err = record_strings(&c->req, PW_REQ_ARGV, "argv",
					 c->argv.v)) ||
		   (err = record_strings(&c->req, PW_REQ_ENVP, "env",
					 c->env.v)) ||
		   (err = record_run(&c->req, PW_REQ_RUN, c->mode))) {
		empty_abort(&h->e);
	} else {
		sender_init(&s, &c->req);
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
