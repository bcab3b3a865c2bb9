/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * A request being built: the records of one empty process's configuration
 * (wire.h), the descriptors they carry, and the key that made each record,
 * for error messages. The records themselves are made by record.c.
 */
#ifndef PRISTINE_REQUEST_H
#define PRISTINE_REQUEST_H

#include <stddef.h>
#include <stdint.h>

struct request {
	unsigned char *buf;
	size_t len, cap;
	int *fds;
	unsigned char *owned;	/* fds[i] is closed by request_free() */
	size_t nfds, fdcap, ownedcap;
	uint32_t records;
	int err;		/* sticky: the first allocation failure */
	/* The key of each record (a copy), for error messages; may be NULL. */
	const char **keys;
	size_t keycap;
	/* What a failed step of this key needs, for the message (keys.c's
	 * key_hint() for pristine_config()'s requests); may be NULL. */
	const char *(*hint)(const char *key, int err);
};

void request_init(struct request *r);
void request_free(struct request *r);
/* Once the request is sent: closes the descriptors it owns and forgets
 * them all; the records and their keys stay, for error messages. */
void request_sent(struct request *r);
/* Appends a record of two payload parts (b NULL: blen bytes reserved for
 * the caller to fill). Returns 0 or a positive errno. */
int request_add(struct request *r, uint32_t type, const char *key,
		const void *a, size_t alen, const void *b, size_t blen);
/* Appends a record carrying fd (the request takes ownership). */
int request_add_fd(struct request *r, uint32_t type, const char *key, int fd,
		   const void *a, size_t alen, const void *b, size_t blen);
/* The same with a descriptor the request only borrows: the caller's own,
 * sent as it is, never closed by the library. */
int request_add_borrowed_fd(struct request *r, uint32_t type, const char *key,
			    int fd, const void *a, size_t alen);
/* Fills the reserved part of the last record: a then b, after its first
 * fixed bytes. */
void request_fill_tail(struct request *r, size_t fixed, const void *a,
		       size_t alen, const void *b, size_t blen);
/* Inserts a record (no fd) before all the others. */
int request_prepend(struct request *r, uint32_t type, const char *key,
		    const void *a, size_t alen);
/* Name of the key that made record 'step' (1-based). */
const char *request_key(const struct request *r, uint32_t step);
/* Serialises the hello record for a request into out (32 bytes). */
void request_hello(const struct request *r, unsigned char out[32]);

#endif
