/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include "sender.h"

/*
 * Sends the request: hello, then the records. Descriptors go in chunks of
 * at most SCM_MAX_FD: the first with the hello, each further one with a
 * single byte of the records. The loader queues them in arrival order.
 * With MSG_DONTWAIT it stops at a full socket (EAGAIN) and resumes later.
 */
#define FD_CHUNK 253

int sender_push(struct sender *s, int sock, int flags)
{
	const struct request *r = s->req;
	size_t total = 32 + r->len;
	size_t chunks = (r->nfds + FD_CHUNK - 1) / FD_CHUNK;

	while (s->pos < total) {
		char ctl[CMSG_SPACE(FD_CHUNK * sizeof(int))];
		struct iovec iov[2];
		struct msghdr m = { .msg_iov = iov };
		size_t end = total, c = s->chunk;
		ssize_t n;

		if (c < chunks) {
			size_t k = r->nfds - c * FD_CHUNK;
			struct cmsghdr *cm;

			if (k > FD_CHUNK)
				k = FD_CHUNK;
			m.msg_control = ctl;
			m.msg_controllen = CMSG_SPACE(k * sizeof(int));
			/* The padding after an odd count goes out too. */
			memset(ctl, 0, m.msg_controllen);
			cm = CMSG_FIRSTHDR(&m);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(k * sizeof(int));
			memcpy(CMSG_DATA(cm), r->fds + c * FD_CHUNK,
			       k * sizeof(int));
			if (c + 1 < chunks)
				end = c == 0 ? 32 : s->pos + 1;
		}
		if (s->pos < 32) {
			iov[0] = (struct iovec){ s->hello + s->pos, 32 - s->pos };
			iov[1] = (struct iovec){ r->buf, end - 32 };
			m.msg_iovlen = end > 32 ? 2 : 1;
		} else {
			iov[0] = (struct iovec){ r->buf + s->pos - 32, end - s->pos };
			m.msg_iovlen = 1;
		}
		n = sendmsg(sock, &m, MSG_NOSIGNAL | flags);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (c < chunks)
			s->chunk++;
		s->pos += (size_t)n;
	}
	return 0;
}

void sender_init(struct sender *s, const struct request *r)
{
	s->req = r;
	s->pos = 0;
	s->chunk = 0;
	request_hello(r, s->hello);
}
