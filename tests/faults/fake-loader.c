/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * A misbehaving peer for the library: test-faults points PRISTINE_LOADER
 * at a symbolic link to this program, and the link's name (its AT_EXECFN)
 * says how to misbehave. Like the real loader it is started with its
 * socket's fd number as argv[1]; it reads the request (the hello, then the
 * length it gives, closing every descriptor received) unless the mode
 * answers first, then writes its answer and exits, or hangs. In mode
 * "mark" it only leaves a file next to itself.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/socket.h>
#include <unistd.h>
#include "build-id.h"
#include "wire.h"

static int sock;

static void put(const void *p, size_t len)
{
	if (write(sock, p, len) != (ssize_t)len)
		_exit(3);
}

static void hello(uint32_t magic, uint32_t version, uint32_t build_id)
{
	struct pw_rec r = { PW_REP_HELLO, sizeof(struct pw_hello) };
	struct pw_hello h = { magic, version, build_id, 0, 0 };

	put(&r, sizeof(r));
	put(&h, sizeof(h));
}

static void status(uint32_t type, int32_t err, uint32_t reason)
{
	struct pw_rec r = { type, sizeof(struct pw_status) };
	struct pw_status st = { .err = err, .step = 1, .reason = reason };

	put(&r, sizeof(r));
	put(&st, sizeof(st));
}

/* n bytes (into out unless NULL), closing every descriptor that comes
 * with them. */
static int receive(unsigned char *out, size_t n)
{
	unsigned char buf[4096], ctl[CMSG_SPACE(253 * sizeof(int))];

	while (n) {
		struct iovec iov = { out ? out : buf,
				     n < sizeof(buf) ? n : sizeof(buf) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = ctl,
				    .msg_controllen = sizeof(ctl) };
		struct cmsghdr *c;
		ssize_t got = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);

		if (got <= 0)
			return -1;
		for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
			int *fd = (int *)CMSG_DATA(c);
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			while (k--)
				close(fd[k]);
		}
		n -= (size_t)got;
		if (out)
			out += got;
	}
	return 0;
}

static void read_request(void)
{
	unsigned char buf[sizeof(struct pw_rec) + sizeof(struct pw_hello)];
	struct pw_hello h;

	if (receive(buf, sizeof(buf)) < 0)
		_exit(4);
	memcpy(&h, buf + sizeof(struct pw_rec), sizeof(h));
	if (receive(NULL, h.length) < 0)
		_exit(4);
}

/* 200 descriptors, sent with the answer: the library must drop them. */
static void status_with_fds(int32_t err)
{
	struct pw_rec r = { PW_REP_STATUS, sizeof(struct pw_status) };
	struct pw_status st = { .err = err, .step = 1 };
	unsigned char msg[sizeof(r) + sizeof(st)];
	union {
		struct cmsghdr h;
		unsigned char b[CMSG_SPACE(200 * sizeof(int))];
	} ctl;
	struct iovec iov = { msg, sizeof(msg) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = &ctl,
			    .msg_controllen = sizeof(ctl) };
	int *fds = (int *)CMSG_DATA(&ctl.h), i;

	memset(&ctl, 0, sizeof(ctl));
	memcpy(msg, &r, sizeof(r));
	memcpy(msg + sizeof(r), &st, sizeof(st));
	ctl.h.cmsg_level = SOL_SOCKET;
	ctl.h.cmsg_type = SCM_RIGHTS;
	ctl.h.cmsg_len = CMSG_LEN(200 * sizeof(int));
	for (i = 0; i < 200; i++)
		fds[i] = sock;
	if (sendmsg(sock, &m, 0) != (ssize_t)sizeof(msg))
		_exit(3);
}

int main(int argc, char **argv)
{
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	const char *mode = execfn ? strrchr(execfn, '/') : NULL;
	unsigned char junk[256];

	if (argc < 2 || !mode)
		return 2;
	mode++;
	sock = atoi(argv[1]);
	/* Modes that answer before reading anything. */
	if (!strcmp(mode, "mark")) {
		/* Leaves "marked" next to itself: proof that it ran. */
		char path[4096];

		snprintf(path, sizeof(path), "%.*smarked",
			 (int)(mode - execfn), execfn);
		close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
		return 0;
	}
	if (!strcmp(mode, "die-idle")) {
		/* An idle pool member that dies once its request comes: the
		 * library's send fails midway (a request bigger than the
		 * socket holds). */
		struct pollfd p = { .fd = sock, .events = POLLIN };

		poll(&p, 1, -1);
		return 0;
	}
	if (!strcmp(mode, "early")) {
		hello(PW_MAGIC, PW_VERSION, PRISTINE_BUILD_ID);
		status(PW_REP_STATUS, 2 /* ENOENT */, 0);
		return 0;
	}
	read_request();
	if (!strcmp(mode, "garbage")) {
		memset(junk, 0xa5, sizeof(junk));
		put(junk, sizeof(junk));
	} else if (!strcmp(mode, "oversized")) {
		struct pw_rec r = { PW_REP_STATUS, 0x7fffffffu };

		hello(PW_MAGIC, PW_VERSION, PRISTINE_BUILD_ID);
		put(&r, sizeof(r));
		memset(junk, 0, sizeof(junk));
		put(junk, sizeof(junk));
	} else if (!strcmp(mode, "truncated")) {
		hello(PW_MAGIC, PW_VERSION, PRISTINE_BUILD_ID);
		put("\x42\0\0\0\x10\0\0\0\0\0", 10);	/* 10 of 24 bytes */
	} else if (!strcmp(mode, "short-hello")) {
		put("\x40\0\0\0\x18\0\0\0PRST", 12);
	} else if (!strcmp(mode, "magic")) {
		hello(0x12345678u, PW_VERSION, PRISTINE_BUILD_ID);
		status(PW_REP_STATUS, 0, 0);
	} else if (!strcmp(mode, "version")) {
		hello(PW_MAGIC, PW_VERSION + 1, PRISTINE_BUILD_ID);
		status(PW_REP_STATUS, 0, 0);
	} else if (!strcmp(mode, "build-id")) {
		hello(PW_MAGIC, PW_VERSION, PRISTINE_BUILD_ID ^ 0x5a5a5a5au);
		status(PW_REP_STATUS, 0, 0);
	} else if (!strcmp(mode, "no-hello")) {
		status(PW_REP_STATUS, 0, 0);
	} else if (!strcmp(mode, "bad-reason")) {
		hello(PW_MAGIC, PW_VERSION, PRISTINE_BUILD_ID);
		status(PW_REP_KERNEL, 0, 1000);
	} else if (!strcmp(mode, "bad-errno")) {
		hello(PW_MAGIC, PW_VERSION, PRISTINE_BUILD_ID);
		status(PW_REP_STATUS, -1, 0);
	} else if (!strcmp(mode, "wrong-type")) {
		hello(PW_MAGIC, PW_VERSION, PRISTINE_BUILD_ID);
		status(PW_REQ_RUN, 0, 0);
	} else if (!strcmp(mode, "fds")) {
		hello(PW_MAGIC, PW_VERSION, PRISTINE_BUILD_ID);
		status_with_fds(2 /* ENOENT */);
	} else if (!strcmp(mode, "silent")) {
		return 0;
	} else if (!strcmp(mode, "die")) {
		hello(PW_MAGIC, PW_VERSION, PRISTINE_BUILD_ID);
		raise(SIGKILL);
	} else if (!strcmp(mode, "hang")) {
		hello(PW_MAGIC, PW_VERSION, PRISTINE_BUILD_ID);
		for (;;)
			pause();
	} else {
		return 2;
	}
	return 0;
}
