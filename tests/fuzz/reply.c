/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The loader's answer, as read_reply() (src/empty.c) reads it: bytes
 * arrive in chunks of any size into its 128-byte buffer and go through
 * reply_parse(). The first input byte chooses the chunk sizes, the second
 * whether a hello was read before (a template's second answer); the rest
 * is what the peer sent, then EOF.
 */
#include <errno.h>
#include <string.h>
#include "build-id.h"
#include "fuzz.h"
#include "pristine.h"
#include "reply.h"
#include "wire.h"

FUZZ_TARGET(reply)
{
	unsigned char buf[128];
	struct reply r = { 0 };
	size_t have = 0, used, chunk, pos = 2;
	unsigned int seed;
	int err;

	if (size < 2)
		return 0;
	seed = data[0];
	r.greeted = data[1] & 1;
	for (;;) {
		err = reply_parse(&r, PRISTINE_BUILD_ID, buf, have, &used);
		FUZZ_ASSERT(used <= have);
		if (err != REPLY_MORE)
			break;
		memmove(buf, buf + used, have - used);
		have -= used;
		/* recv() into the rest: there must be a rest, or a read of
		 * 0 bytes would look like EOF. */
		FUZZ_ASSERT(have < sizeof(buf));
		if (pos == size) {
			err = r.kernel ? 0 : ESRCH;	/* EOF */
			break;
		}
		seed = seed * 1103515245u + 12345u;
		chunk = 1 + (seed >> 16) % sizeof(buf);
		if (chunk > sizeof(buf) - have)
			chunk = sizeof(buf) - have;
		if (chunk > size - pos)
			chunk = size - pos;
		memcpy(buf + have, data + pos, chunk);
		have += chunk;
		pos += chunk;
	}
	FUZZ_ASSERT(err >= 0 && err < 4096);
	FUZZ_ASSERT(r.route >= PRISTINE_ROUTE_LOADER &&
		    r.route < (int)PW_WHY_MAX);
	if (err == ELIBBAD)
		FUZZ_ASSERT(r.peer_version != PW_VERSION ||
			    r.peer_build_id != PRISTINE_BUILD_ID);
	return 0;
}
