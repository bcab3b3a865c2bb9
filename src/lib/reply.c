/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
#include <errno.h>
#include <string.h>
#include "pristine.h"
#include "reply.h"
#include "wire.h"

#define RECORD_MAX 64	/* payload bytes of the largest loader record */

/* The loader's reason is the public route, value for value. */
#define SAME(why, route) \
	_Static_assert((int)PW_WHY_##why == (int)PRISTINE_ROUTE_##route, #why)
SAME(NONE, LOADER);
SAME(ASKED, KERNEL_ASKED);
SAME(SCRIPT, KERNEL_SCRIPT);
SAME(SETID, KERNEL_SETID);
SAME(FILECAPS, KERNEL_FILECAPS);
SAME(FOREIGN, KERNEL_FOREIGN);
SAME(EXECSTACK, KERNEL_EXECSTACK);
SAME(UNREADABLE, KERNEL_UNREADABLE);
SAME(LAYOUT, KERNEL_LAYOUT);
SAME(CREDS, KERNEL_CREDS);
SAME(LANDLOCK, KERNEL_LANDLOCK);
SAME(MDWE, KERNEL_MDWE);
SAME(PERSONALITY, KERNEL_PERSONALITY);
SAME(TIMENS, KERNEL_TIMENS);
SAME(SECURE, KERNEL_SECURE);
SAME(TRACED, KERNEL_TRACED);
SAME(SECCOMP, KERNEL_SECCOMP);
SAME(EXE, KERNEL_EXE);
SAME(LSM, KERNEL_LSM);
SAME(STACK, KERNEL_STACK);
SAME(VALGRIND, KERNEL_VALGRIND);
SAME(NO_NEW_PRIVS, KERNEL_NO_NEW_PRIVS);
SAME(FRESH, KERNEL_FRESH);
SAME(MAX, KERNEL_FRESH + 1);
#undef SAME
/* The library's own routes (pristine.h) lie beyond the loader's. */
_Static_assert((int)PW_WHY_MAX <= (int)PRISTINE_ROUTE_GLIBC_NOFDS,
	       "the library's routes start after the loader's");

static int hello(struct reply *r, uint32_t build_id, const unsigned char *pl,
		 uint32_t len)
{
	struct pw_hello h;

	if (len != sizeof(h))
		return EPROTO;
	memcpy(&h, pl, sizeof(h));
	if (h.magic != PW_MAGIC)
		return EPROTO;
	if (h.version != PW_VERSION || h.build_id != build_id) {
		r->peer_version = h.version;
		r->peer_build_id = h.build_id;
		return ELIBBAD;
	}
	r->greeted = 1;
	return 0;
}

int reply_parse(struct reply *r, uint32_t build_id, const unsigned char *buf,
		size_t len, size_t *used)
{
	size_t at = 0;
	int err;

	*used = 0;
	while (len - at >= sizeof(struct pw_rec)) {
		const unsigned char *pl = buf + at + sizeof(struct pw_rec);
		struct pw_rec rec;
		struct pw_status st;
		size_t size;

		memcpy(&rec, buf + at, sizeof(rec));
		if (rec.len > RECORD_MAX)
			return EPROTO;
		size = sizeof(rec) + PW_ALIGN(rec.len);
		if (len - at < size)
			break;
		at += size;
		*used = at;
		if (rec.type == PW_REP_HELLO) {
			if ((err = hello(r, build_id, pl, rec.len)))
				return err;
			continue;
		}
		if (!r->greeted || rec.len != sizeof(st) ||
		    (rec.type != PW_REP_STATUS && rec.type != PW_REP_KERNEL))
			return EPROTO;
		memcpy(&st, pl, sizeof(st));
		r->step = st.step;
		if (st.reason >= PW_WHY_MAX)
			return EPROTO;
		r->route = (int)st.reason;
		if (rec.type == PW_REP_STATUS)
			return st.err >= 0 && st.err < 4096 ? st.err : EPROTO;
		r->kernel = 1;
	}
	return REPLY_MORE;
}
