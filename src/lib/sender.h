/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Sending a request on a socket: the hello, then the records; the
 * descriptors in chunks of at most SCM_MAX_FD, the first with the hello,
 * each further one with a single byte of the records.
 */
#ifndef PRISTINE_SENDER_H
#define PRISTINE_SENDER_H

#include <stddef.h>
#include "request.h"

/* Progress of sending one request on one socket. */
struct sender {
	const struct request *req;
	unsigned char hello[32];
	size_t pos;		/* bytes of hello + records sent */
	size_t chunk;		/* fd chunks sent */
};

void sender_init(struct sender *s, const struct request *r);
/* Sends what is left; flags MSG_DONTWAIT stops at a full socket.
 * Returns 0 or a positive errno (EAGAIN: try again later). */
int sender_push(struct sender *s, int sock, int flags);

#endif
