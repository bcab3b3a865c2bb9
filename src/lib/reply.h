/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The loader's answer, parsed: pure, no system calls, no library state, so
 * that the fuzzer and the tests compile it as it is.
 */
#ifndef PRISTINE_REPLY_H
#define PRISTINE_REPLY_H

#include <stddef.h>
#include <stdint.h>

/* The answer is not complete yet: read more bytes. */
#define REPLY_MORE (-1)

struct reply {
	int greeted;		/* a hello was read (a template's member
				 * answers twice, greeting once) */
	int kernel;		/* a fallback to execveat() was announced */
	uint32_t step;		/* the status's failing record */
	int route;		/* enum pristine_route */
	/* A hello from another build, for the error message. */
	uint32_t peer_version, peer_build_id;
};

/*
 * Consumes the complete records at the start of buf (len bytes), sets
 * *used to their size, and returns REPLY_MORE, or the status: 0 or a
 * positive errno from the loader, EPROTO for anything but well-formed
 * records in the protocol's order, ELIBBAD for a loader of another build
 * (build_id is this library's). A record is at most 72 bytes.
 */
int reply_parse(struct reply *r, uint32_t build_id, const unsigned char *buf,
		size_t len, size_t *used);

#endif
