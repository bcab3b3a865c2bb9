/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "build-id.h"
#include "request.h"
#include "wire.h"

void request_init(struct request *r)
{
	memset(r, 0, sizeof(*r));
}

void request_sent(struct request *r)
{
	size_t i;

	for (i = 0; i < r->nfds; i++)
		if (r->owned[i])
			close(r->fds[i]);
	r->nfds = 0;
}

void request_free(struct request *r)
{
	size_t i;

	request_sent(r);
	for (i = 1; i <= r->records; i++)
		free((char *)r->keys[i]);
	free(r->buf);
	free(r->fds);
	free(r->owned);
	free(r->keys);
	request_init(r);
}

static int grow(void **p, size_t *cap, size_t need, size_t unit)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if (!(q = realloc(*p, n * unit)))
		return ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

int request_add(struct request *r, uint32_t type, const char *key,
		const void *a, size_t alen, const void *b, size_t blen)
{
	size_t len = alen + blen, total = sizeof(struct pw_rec) + PW_ALIGN(len);
	struct pw_rec rec = { .type = type, .len = (uint32_t)len };
	unsigned char *p;

	if (r->err)
		return r->err;
	if (len > PW_MAX_REQUEST || r->len + total > PW_MAX_REQUEST ||
	    r->records + 1 >= PW_MAX_RECORDS)
		return r->err = E2BIG;
	if (grow((void **)&r->buf, &r->cap, r->len + total, 1) ||
	    grow((void **)&r->keys, &r->keycap, r->records + 2,
		 sizeof(*r->keys)))
		return r->err = ENOMEM;
	p = r->buf + r->len;
	memcpy(p, &rec, sizeof(rec));
	if (alen)
		memcpy(p + sizeof(rec), a, alen);
	if (blen && b)
		memcpy(p + sizeof(rec) + alen, b, blen);	/* else reserved */
	memset(p + sizeof(rec) + len, 0, PW_ALIGN(len) - len);
	r->len += total;
	/* A copy: the caller's key may live in a buffer it reuses. */
	r->keys[++r->records] = key ? strdup(key) : NULL;
	return 0;
}

static int add_fd(struct request *r, uint32_t type, const char *key, int fd,
		  int owned, const void *a, size_t alen, const void *b,
		  size_t blen)
{
	int err;

	if (r->err)
		err = r->err;
	else if (r->nfds >= PW_MAX_FDS)
		err = r->err = EMFILE;
	else if (grow((void **)&r->fds, &r->fdcap, r->nfds + 1, sizeof(int)) ||
		 grow((void **)&r->owned, &r->ownedcap, r->nfds + 1, 1))
		err = r->err = ENOMEM;	/* sticky: callers may ignore it */
	else
		err = request_add(r, type, key, a, alen, b, blen);
	if (err) {
		if (owned)
			close(fd);
		return err;
	}
	r->owned[r->nfds] = (unsigned char)owned;
	r->fds[r->nfds++] = fd;
	return 0;
}

int request_add_fd(struct request *r, uint32_t type, const char *key, int fd,
		   const void *a, size_t alen, const void *b, size_t blen)
{
	return add_fd(r, type, key, fd, 1, a, alen, b, blen);
}

int request_add_borrowed_fd(struct request *r, uint32_t type, const char *key,
			    int fd, const void *a, size_t alen)
{
	return add_fd(r, type, key, fd, 0, a, alen, NULL, 0);
}

const char *request_key(const struct request *r, uint32_t step)
{
	if (step == 0 || step > r->records || !r->keys[step])
		return "request";
	return r->keys[step];
}

void request_hello(const struct request *r, unsigned char out[32])
{
	struct pw_rec rec = { PW_REQ_HELLO, sizeof(struct pw_hello) };
	struct pw_hello h = {
		.magic = PW_MAGIC,
		.version = PW_VERSION,
		.build_id = PRISTINE_BUILD_ID,
		.nfds = (uint32_t)r->nfds,
		.length = r->len,
	};

	memcpy(out, &rec, sizeof(rec));
	memcpy(out + sizeof(rec), &h, sizeof(h));
}

void request_fill_tail(struct request *r, size_t fixed, const void *a,
		       size_t alen, const void *b, size_t blen)
{
	unsigned char *p = r->buf + r->len - PW_ALIGN(fixed + alen + blen) +
			   fixed;

	if (alen)
		memcpy(p, a, alen);
	if (blen)
		memcpy(p + alen, b, blen);
}

int request_prepend(struct request *r, uint32_t type, const char *key,
		    const void *a, size_t alen)
{
	size_t total = sizeof(struct pw_rec) + PW_ALIGN(alen);
	struct pw_rec rec = { .type = type, .len = (uint32_t)alen };
	char *copy;

	if (request_add(r, type, key, a, alen, NULL, 0))
		return r->err;
	/* Added last: move it to the front, records and keys alike. */
	memmove(r->buf + total, r->buf, r->len - total);
	memcpy(r->buf, &rec, sizeof(rec));
	memcpy(r->buf + sizeof(rec), a, alen);
	memset(r->buf + sizeof(rec) + alen, 0, PW_ALIGN(alen) - alen);
	copy = (char *)r->keys[r->records];
	memmove(&r->keys[2], &r->keys[1], (r->records - 1) * sizeof(*r->keys));
	r->keys[1] = copy;
	return 0;
}
