/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
#include <linux/errno.h>
#include <linux/filter.h>
#include "mem.h"
#include "records.h"

int records_check_hello(const unsigned char *buf, uint32_t build_id,
			struct pw_hello *h)
{
	struct pw_rec r;

	memcpy(&r, buf, sizeof(r));
	memcpy(h, buf + sizeof(r), sizeof(*h));
	if (r.type != PW_REQ_HELLO || r.len != sizeof(*h) ||
	    h->magic != PW_MAGIC)
		return -EPROTO;
	if (h->version != PW_VERSION || h->build_id != build_id)
		return -ELIBBAD;
	if (h->length > PW_MAX_REQUEST || h->nfds > PW_MAX_FDS ||
	    (h->length & 7))
		return -EPROTO;
	return 0;
}

/* count NUL-terminated strings after a u32 count and a u32 pad. */
static int strings(struct strings *s, const unsigned char *p, uint32_t len)
{
	uint32_t count, i;
	const char *c, *end;

	if (len < 8)
		return -EPROTO;
	memcpy(&count, p, 4);
	c = (const char *)p + 8;
	end = (const char *)p + len;
	for (i = 0; i < count; i++) {
		size_t n = strnlen(c, (size_t)(end - c));

		if (c + n >= end)
			return -EPROTO;
		c += n + 1;
	}
	s->data = (const char *)p + 8;
	s->bytes = (size_t)(c - s->data);
	s->count = count;
	return 0;
}

/* A NUL-terminated string filling len bytes, or NULL. */
static const char *string(const unsigned char *p, uint32_t len)
{
	if (!len || strnlen((const char *)p, len) != len - 1)
		return 0;
	return (const char *)p;
}

static int image(struct record_image *im, const unsigned char *p,
		 uint32_t len)
{
	struct pw_image w;
	const unsigned char *s = p + sizeof(w);

	if (len < sizeof(w))
		return -EPROTO;
	memcpy(&w, p, sizeof(w));
	if (w.path_len > len - sizeof(w) ||
	    w.search_len > len - sizeof(w) - w.path_len)
		return -EPROTO;
	im->flags = w.flags;
	im->fd_name = w.fd_name;
	im->path = w.path_len ? string(s, w.path_len) : 0;
	im->search = w.search_len ? string(s + w.path_len, w.search_len) : 0;
	if ((w.path_len && !im->path) || (w.search_len && !im->search))
		return -EPROTO;
	if (!(w.flags & PW_IMAGE_FD) && !im->path)
		return -EPROTO;
	return 0;
}

/*
 * The fixed part of a payload, size bytes, copied to the start of r->u
 * (where every record's struct is), and then, if s is not NULL, the
 * NUL-terminated string filling the rest, into *s.
 */
static int fixed(struct record *r, uint32_t size, const char **s)
{
	if (r->len < size)
		return -EPROTO;
	memcpy(&r->u, r->payload, size);
	if (s && !(*s = string(r->payload + size, r->len - size)))
		return -EPROTO;
	return 0;
}

/* Decodes the payload of r (framed, type set). Returns 0 or -errno. */
static int decode(struct record *r)
{
	const unsigned char *p = r->payload;
	uint32_t len = r->len;

	switch (r->type) {
	case PW_REQ_ARGV:
	case PW_REQ_ENVP:
		return strings(&r->u.strings, p, len);
	case PW_REQ_IMAGE:
		if (image(&r->u.image, p, len) < 0)
			return -EPROTO;
		r->takes_fd = !!(r->u.image.flags & PW_IMAGE_FD);
		return 0;
	case PW_REQ_FD:
		r->takes_fd = 1;
		return fixed(r, sizeof(struct pw_fd), 0);
	case PW_REQ_OPEN:
		return fixed(r, sizeof(struct pw_open), &r->u.open.path);
	case PW_REQ_DUP2:
		return fixed(r, sizeof(struct pw_dup2), 0);
	case PW_REQ_CLOSE:
	case PW_REQ_CLOSEFROM:
	case PW_REQ_FCHDIR:
	case PW_REQ_UMASK:
	case PW_REQ_SETPGID:
	case PW_REQ_TCSETPGRP:
	case PW_REQ_PDEATHSIG:
		return fixed(r, sizeof(struct pw_int), 0);
	case PW_REQ_CHDIR:
	case PW_REQ_NAME:
	case PW_REQ_CHROOT:
		r->u.string = string(p, len);
		return r->u.string ? 0 : -EPROTO;
	case PW_REQ_FCHDIR_FD:
	case PW_REQ_CTTY:
	case PW_REQ_CHROOT_FD:
	case PW_REQ_LANDLOCK:
		r->takes_fd = 1;
		return 0;
	case PW_REQ_SETNS:
		r->takes_fd = 1;
		return fixed(r, sizeof(int32_t), 0);
	case PW_REQ_CREDS:
		if (fixed(r, sizeof(struct pw_creds), 0) ||
		    r->u.creds.c.ngroups > 65536 ||
		    len - sizeof(struct pw_creds) !=
			    r->u.creds.c.ngroups * sizeof(uint32_t))
			return -EPROTO;
		r->u.creds.groups = (const uint32_t *)(p + sizeof(struct pw_creds));
		return 0;
	case PW_REQ_ATTR:
		return fixed(r, sizeof(struct pw_attr), 0);
	case PW_REQ_PROC_WRITE:
		return fixed(r, sizeof(struct pw_int), &r->u.proc.text);
	case PW_REQ_MOUNT:
		return fixed(r, sizeof(struct pw_mount), &r->u.mount.target);
	case PW_REQ_AFFINITY:
	case PW_REQ_SCHED_ATTR: {
		uint32_t size;

		/* A CPU mask of whole longs; a sched_attr whose size field
		 * is its length (the kernel reads that many bytes). */
		if (!len || len > 8192)
			return -EPROTO;
		memcpy(&size, p, sizeof(size));
		if (r->type == PW_REQ_AFFINITY ? len % 8
					       : len < 48 || size != len)
			return -EPROTO;
		r->u.bytes.p = p;
		r->u.bytes.len = len;
		return 0;
	}
	case PW_REQ_SETSID:
	case PW_REQ_RESETIDS:
	case PW_REQ_NO_NEW_PRIVS:
	case PW_REQ_FLUSH_SIGNALS:
		return 0;
	case PW_REQ_SIGMASK:
	case PW_REQ_SIGIGNORE:
	case PW_REQ_SIGDEFAULT:
		return fixed(r, sizeof(uint64_t), 0);
	case PW_REQ_RLIMIT:
		return fixed(r, sizeof(struct pw_rlimit), 0);
	case PW_REQ_SCHED:
		return fixed(r, sizeof(struct pw_sched), 0);
	case PW_REQ_SECCOMP:
		/* What seccomp(SET_MODE_FILTER) refuses with EINVAL. */
		if (!len || len % sizeof(struct sock_filter) ||
		    len / sizeof(struct sock_filter) > BPF_MAXINSNS)
			return -EINVAL;
		r->u.filter.insns = p;
		r->u.filter.len = len;
		return 0;
	case PW_REQ_RUN:
	case PW_REQ_PREPARE:
		if (len != sizeof(struct pw_run))
			return -EPROTO;
		memcpy(&r->u.mode, p, sizeof(r->u.mode));
		return 0;
	default:
		return -EPROTO;
	}
}

int records_next(const unsigned char **p, const unsigned char *end,
		 struct record *r)
{
	const unsigned char *at = *p, *payload;
	struct pw_rec h;
	size_t room;
	int err;

	r->type = 0;
	r->takes_fd = 0;
	if (at >= end)
		return 0;
	if ((size_t)(end - at) < sizeof(h))
		return -EPROTO;
	memcpy(&h, at, sizeof(h));
	payload = at + sizeof(h);
	room = (size_t)(end - payload);
	/* PW_ALIGN() of a length near 4 GiB wraps: compare len first. */
	if (h.len > room || PW_ALIGN(h.len) > room)
		return -EPROTO;
	*p = payload + PW_ALIGN(h.len);
	if ((h.type == PW_REQ_RUN || h.type == PW_REQ_PREPARE) && *p != end)
		return -EPROTO;
	r->type = h.type;
	r->len = h.len;
	r->payload = payload;
	err = decode(r);
	return err < 0 ? err : 1;
}

/* Hex digits up to sep (0: the end): 0 and *v past them, or -1. */
static int hex_field(const char **s, char sep, uint64_t *v)
{
	const char *p = *s;
	int n = 0;

	for (*v = 0; *p && *p != sep; p++, n++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0'
			: *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;

		if (d < 0 || n >= 16)
			return -1;
		*v = *v << 4 | (uint64_t)d;
	}
	if (!n || *p != sep)
		return -1;
	*s = sep ? p + 1 : p;
	return 0;
}

int records_caller_state(const char *s, struct caller_state *c)
{
	uint64_t hint;
	const char *p = s;

	*c = (struct caller_state){ 0 };
	if (!s)
		return 0;
	if (!hex_field(&p, 0, &hint)) {		/* the hint alone */
		if (hint >= PW_WHY_MAX)
			return -EINVAL;
		c->hint = (uint32_t)hint;
		return 0;
	}
	if (hex_field(&s, ':', &hint) || hint >= PW_WHY_MAX ||
	    hex_field(&s, ':', &c->personality) ||
	    hex_field(&s, ':', &c->stack) || hex_field(&s, 0, &c->ambient))
		return -EINVAL;
	c->hint = (uint32_t)hint;
	c->known = 1;
	return 0;
}
