/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The control socket: the request and its descriptors coming in, records
 * going out, and the bookkeeping of the descriptors received and not yet
 * consumed, which the loader must keep out of the program's way.
 */
#include "build-id.h"
#include "channel.h"
#include "mem.h"
#include "records.h"
#include "sys.h"

#define NO_SOCKET \
	"pristine-loader: no control socket (this program is started by " \
	"libpristine, with its socket's fd number as argument)\n"

void channel_missing(void)
{
	sys_write(2, NO_SOCKET, sizeof(NO_SOCKET) - 1);
	sys_exit_group(127);
}

/*
 * Lays out one record in out. The first one goes out behind the loader's
 * hello, in the same write: the library reads both with one wake-up.
 */
size_t channel_pack(struct loader *l, uint32_t type, const void *p,
		    uint32_t len, void *out)
{
	struct channel_msg *msg = out;
	unsigned char *start = (unsigned char *)msg;
	size_t n;

	*msg = (struct channel_msg){
		{ PW_REP_HELLO, sizeof(struct pw_hello) },
		{ PW_MAGIC, PW_VERSION, PRISTINE_BUILD_ID, 0, 0 },
		{ type, len },
		{ 0 },
	};
	memcpy(msg->payload, p, len);
	if (l->said_hello)
		start = (unsigned char *)&msg->r;
	l->said_hello = 1;
	n = (size_t)(msg->payload - start) + PW_ALIGN(len);
	memmove(out, start, n);
	return n;
}

int channel_send(struct loader *l, uint32_t type, const void *p, uint32_t len)
{
	struct channel_msg msg;
	size_t n;
	long r;

	if (len > sizeof(msg.payload))
		return -EINVAL;
	n = channel_pack(l, type, p, len, &msg);
	r = sys_sendto(l->sock, &msg, n, MSG_NOSIGNAL_);
	return r < 0 ? (int)r : 0;
}

void channel_fail(struct loader *l, int err)
{
	struct pw_status st = {
		.err = err, .step = l->step, .type = l->step_type,
		.reason = l->fail_reason,
	};

	channel_send(l, PW_REP_STATUS, &st, sizeof(st));
	sys_exit_group(127);
}

int channel_take_fd(struct loader *l)
{
	if (l->next_fd >= l->nfds)
		return -EPROTO;
	return l->fds[l->next_fd++];
}

int channel_owns_fd(const struct loader *l, int fd)
{
	uint32_t i;

	if (fd == l->sock || fd == l->image_fd)
		return 1;
	for (i = l->next_fd; i < l->nfds; i++)
		if (l->fds[i] == fd)
			return 1;
	return 0;
}

static int move_fd(int fd)
{
	long nfd = sys_fcntl(fd, F_DUPFD_CLOEXEC, fd + 1);

	if (nfd < 0)
		return (int)nfd;
	sys_close(fd);
	return (int)nfd;
}

int channel_vacate_fd(struct loader *l, int fd)
{
	uint32_t i;
	int nfd;

	if (fd == l->sock) {
		if ((nfd = move_fd(fd)) < 0)
			return nfd;
		l->sock = nfd;
	}
	if (fd == l->image_fd) {
		if ((nfd = move_fd(fd)) < 0)
			return nfd;
		l->image_fd = nfd;
	}
	for (i = l->next_fd; i < l->nfds; i++) {
		if (l->fds[i] != fd)
			continue;
		if ((nfd = move_fd(fd)) < 0)
			return nfd;
		l->fds[i] = nfd;
	}
	return 0;
}

/* One recvmsg(): some bytes (>= 1), their descriptors appended to l->fds. */
static long recv_some(struct loader *l, unsigned char *buf, size_t len,
		      uint32_t max_fds, int flags)
{
	union {
		struct loader_cmsghdr h;
		unsigned char b[sizeof(struct loader_cmsghdr) + 256 * 4];
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct loader_msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = &ctl, .msg_controllen = sizeof(ctl),
	};
	long n;

	do
		n = sys_recvmsg(l->sock, &m, MSG_CMSG_CLOEXEC_ | flags);
	while (n == -EINTR);
	if (n < 0)
		return n;
	if (n == 0)
		return -ECONNRESET;
	/* The library sends at most SCM_MAX_FD descriptors per message, which
	 * ctl holds: descriptors were dropped because this process could
	 * not take them (RLIMIT_NOFILE lower than the caller's: a pool
	 * member made before the caller raised it). */
	if (m.msg_flags & MSG_CTRUNC_)
		return -EMFILE;
	if (m.msg_controllen >= sizeof(ctl.h)) {
		struct loader_cmsghdr *c = &ctl.h;
		size_t k, nfd;

		if (c->cmsg_level != SOL_SOCKET_ || c->cmsg_type != SCM_RIGHTS_ ||
		    c->cmsg_len < sizeof(*c))
			return -EPROTO;
		nfd = (c->cmsg_len - sizeof(*c)) / sizeof(int);
		for (k = 0; k < nfd; k++) {
			int fd;

			memcpy(&fd, ctl.b + sizeof(*c) + 4 * k, 4);
			if (l->nfds >= max_fds) {
				sys_close(fd);
				return -EPROTO;
			}
			l->fds[l->nfds++] = fd;
		}
	}
	return n;
}

/* Receives exactly len bytes. */
static int recv_all(struct loader *l, unsigned char *buf, size_t len,
		    uint32_t max_fds)
{
	while (len) {
		long n = recv_some(l, buf, len, max_fds, 0);

		if (n < 0)
			return (int)n;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void *alloc(size_t len)
{
	long p = sys_mmap(0, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p < 0 && p > -4096 ? 0 : (void *)p;
}

void channel_release(struct loader *l)
{
	if (l->big_request)
		sys_munmap(l->big_request, l->big_request_len);
	if (l->big_fds)
		sys_munmap(l->big_fds, l->big_fds_len);
	l->big_request = l->big_fds = 0;
}


/*
 * Reads the request. The library usually queued all of it before we
 * started: one recvmsg() brings the hello and the records together.
 */
unsigned char *channel_receive(struct loader *l, size_t *length,
			       void (*idle)(struct loader *))
{
	const size_t hello = sizeof(struct pw_rec) + sizeof(struct pw_hello);
	struct pw_hello h;
	unsigned char *p = l->request;
	size_t have = 0;
	long n;
	int err = 0;

	channel_release(l);	/* a template's first request */
	l->fds = l->small_fds;
	l->nfds = l->next_fd = 0;
	while (have < hello && err >= 0) {
		n = recv_some(l, l->request + have, sizeof(l->request) - have,
			      LOADER_SMALL_FDS, idle ? MSG_DONTWAIT_ : 0);
		if (n == -EAGAIN) {	/* nothing queued yet: we wait */
			idle(l);
			idle = 0;
			continue;
		}
		idle = 0;
		err = n < 0 ? (int)n : 0;
		have += n > 0 ? (size_t)n : 0;
	}
	if (err == -ECONNRESET)
		sys_exit_group(127);	/* the caller went away: nothing to say */
	if (err == -ENOTSOCK || err == -EBADF)
		channel_missing();
	if (err)
		channel_fail(l, -err);
	err = records_check_hello(l->request, PRISTINE_BUILD_ID, &h);
	if (err < 0 || have - hello > h.length)
		channel_fail(l, err ? -err : EPROTO);
	if (h.nfds > LOADER_SMALL_FDS) {
		l->big_fds_len = h.nfds * sizeof(int);
		if (!(l->big_fds = alloc(l->big_fds_len)))
			channel_fail(l, ENOMEM);
		memcpy(l->big_fds, l->small_fds, l->nfds * sizeof(int));
		l->fds = l->big_fds;
	}
	if (h.length <= sizeof(l->request) - hello) {
		p = l->request + hello;
	} else {
		l->big_request_len = h.length;
		if (!(p = l->big_request = alloc(h.length)))
			channel_fail(l, ENOMEM);
		memcpy(p, l->request + hello, have - hello);
	}
	err = recv_all(l, p + (have - hello), h.length - (have - hello),
		       h.nfds);
	if (!err && l->nfds != h.nfds)
		err = -EPROTO;
	if (err == -ECONNRESET)
		sys_exit_group(127);
	if (err)
		channel_fail(l, -err);
	*length = h.length;
	return p;
}
