/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* The control socket to the library: requests and descriptors in, records
 * out. */
#ifndef PRISTINE_LOADER_CHANNEL_H
#define PRISTINE_LOADER_CHANNEL_H

#include <stddef.h>
#include <stdint.h>
#include "loader.h"

/* Says that the loader was started without its socket, and exits 127. */
__attribute__((noreturn)) void channel_missing(void);

/*
 * Receives the next request whole, with its descriptors: returns its
 * records (the bytes after the hello) and their length. Exits quietly if
 * the library went away; fails the request on any other error. If none of
 * it is queued yet, calls idle(l) once before it waits.
 */
unsigned char *channel_receive(struct loader *l, size_t *length,
			       void (*idle)(struct loader *));

/* Unmaps what was mapped for a large request. */
void channel_release(struct loader *l);

/* A record as it goes out: behind the hello if it is the first. */
struct channel_msg {
	struct pw_rec hr;
	struct pw_hello h;
	struct pw_rec r;
	unsigned char payload[sizeof(struct pw_status)];
};

/*
 * Lays out a record (len <= sizeof(struct pw_status)) in out, which holds
 * a struct channel_msg, as channel_send() would send it now; returns its
 * length. From then on, the hello counts as said.
 */
size_t channel_pack(struct loader *l, uint32_t type, const void *p,
		    uint32_t len, void *out);

/* Sends a record on the control socket; returns 0 or -errno. */
int channel_send(struct loader *l, uint32_t type, const void *p,
		 uint32_t len);

/* Fails the request: reports err (positive) for the current step, exits. */
__attribute__((noreturn)) void channel_fail(struct loader *l, int err);

/* Takes the next received descriptor, or -EPROTO if none is left. */
int channel_take_fd(struct loader *l);

/* Is fd one of the loader's own descriptors? */
int channel_owns_fd(const struct loader *l, int fd);

/*
 * Makes descriptor number fd free for the caller's use: if one of the
 * loader's own descriptors sits there, it moves elsewhere. Returns 0 or
 * -errno.
 */
int channel_vacate_fd(struct loader *l, int fd);

#endif
