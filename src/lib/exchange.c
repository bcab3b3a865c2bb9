/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * One exchange with an empty process: the rest of a request out, the
 * loader's answer in.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "build-id.h"
#include "empty.h"
#include "errmsg.h"
#include "exchange.h"
#include "proc-files.h"
#include "reply.h"
#include "sender.h"
#include "wire.h"

/*
 * A member taken for a spawn may have been stopped from outside while it
 * was idle (SIGSTOP to the process group, a kill by hand) and its stop
 * reported to a wait of the program's already, so that the take could not
 * see it: it would never answer. If its answer is late, its state in
 * /proc/PID/stat says (T: stopped by a signal; t, a tracer's stop, is
 * left alone); then it is killed, and the spawn, which sees no answer and
 * no exec, is made by a new empty process (spawn_member()). Only members:
 * a new empty process is the caller's own, stopped as it would be.
 */
#define LATE_MS 200

static int member_stopped(const struct empty *e)
{
	char path[64], text[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)e->pid);
	if (proc_read_path(path, text, sizeof(text)))
		return 0;
	p = strrchr(text, ')');
	return p && p[1] == ' ' && p[2] == 'T';
}

static void await_answer(const struct empty *e)
{
	struct pollfd p = { .fd = e->sock, .events = POLLIN };
	int n;

	if (!e->taken)
		return;
	/* A signal handler of the program's (SIGCHLD) interrupts the poll:
	 * it goes on, or the recv() after it would block unchecked. */
	while ((n = poll(&p, 1, LATE_MS)) == 0 || (n < 0 && errno == EINTR))
		if (n == 0 && member_stopped(e)) {
			syscall(SYS_pidfd_send_signal, e->pidfd, SIGKILL, NULL,
				0);
			return;
		}
}

/*
 * Reads the loader's records until its status, or EOF. Returns the status
 * errno, or 0 after a fallback announcement followed by EOF (the kernel's
 * exec closed the socket).
 */
static int read_reply(struct empty *e, uint32_t *step, int *route)
{
	struct reply r = { .greeted = e->greeted };
	unsigned char buf[128];
	size_t have = 0, used;
	int err;

	for (;;) {
		ssize_t n;

		err = reply_parse(&r, PRISTINE_BUILD_ID, buf, have, &used);
		e->greeted = r.greeted;
		*step = r.step;
		*route = r.route;
		if (err == ELIBBAD)
			errmsg_set("loader %s is from another build (protocol "
				   "%u, id %08x; this library speaks %u, %08x)",
				   loader_path(), r.peer_version,
				   r.peer_build_id, PW_VERSION,
				   PRISTINE_BUILD_ID);
		if (err != REPLY_MORE)
			return err;
		memmove(buf, buf + used, have - used);
		have -= used;
		await_answer(e);
		n = recv(e->sock, buf + have, sizeof(buf) - have, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != ECONNRESET)
			return errno;
		if (n <= 0) {	/* EOF, or reset: unread data was dropped */
			if (r.kernel)
				return 0;
			*step = 0;	/* answer() says how it died */
			return ESRCH;
		}
		have += (size_t)n;
	}
}

/* A loader that is gone already is no error here: its answer (or EOF) says
 * why. Another failure kills it: it would wait for the rest forever. */
int exchange_send(struct empty *e, struct sender *s)
{
	int err = sender_push(s, e->sock, 0);

	if (err && err != EPIPE && err != ECONNRESET) {
		errmsg_set("cannot send the request: %s", strerror(err));
		empty_abort(e);
		return err;
	}
	/* The loader reads the whole request before it applies any of it:
	 * when the send failed, nothing was applied (spawn_member() relies
	 * on that). */
	e->unsent = err != 0;
	return 0;
}

/* Reads the answer to a request sent whole; on failure, reaps. */
static int answer(struct empty *e, uint32_t *step, int *route)
{
	int err, lost;

	err = read_reply(e, step, route);
	/* EOF from a child that never became the loader. */
	if (err == ESRCH && (lost = empty_exec_failed(e)))
		err = lost;
	if (err) {
		if (err == EPROTO || err == ELIBBAD)
			empty_abort(e);
		else
			empty_reap(e);
		if (err == ESRCH)	/* EOF: the reap says why */
			empty_died(e);
	}
	return err;
}

int exchange_answer(struct empty *e, const struct request *req, int *route)
{
	uint32_t step = 0;
	int err = answer(e, &step, route);

	if (err == EPERM && *route == PW_WHY_CREDS)
		errmsg_set("step %u (%s): the loader %s has a file capability, "
			   "which cleared this process's ambient capabilities "
			   "at its exec (see pristine(7))", step,
			   request_key(req, step), loader_path());
	else if (err && step)
		errmsg_set("step %u (%s): %s%s", step, request_key(req, step),
			   strerror(err),
			   req->hint ? req->hint(request_key(req, step), err)
				     : "");
	if (err)
		return err;
	close(e->sock);
	e->sock = -1;
	return 0;
}

int exchange_finish(struct empty *e, struct sender *s, int *route)
{
	int err = exchange_send(e, s);

	return err ? err : exchange_answer(e, s->req, route);
}

int exchange_prepare(struct empty *e, struct sender *s, int *route)
{
	uint32_t step = 0;
	int err = exchange_send(e, s);

	return err ? err : answer(e, &step, route);
}
