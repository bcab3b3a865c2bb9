/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
#include <stdlib.h>
#include <string.h>
#include "record.h"
#include "wire.h"

int record_none(struct request *r, uint32_t type, const char *key)
{
	return request_add(r, type, key, NULL, 0, NULL, 0);
}

int record_int(struct request *r, uint32_t type, const char *key, int v)
{
	struct pw_int iv = { .value = v };

	return request_add(r, type, key, &iv, sizeof(iv), NULL, 0);
}

int record_string(struct request *r, uint32_t type, const char *key,
		  const char *s)
{
	return request_add(r, type, key, s, strlen(s) + 1, NULL, 0);
}

int record_seccomp(struct request *r, const char *key, const void *prog,
		   size_t len)
{
	return request_add(r, PW_REQ_SECCOMP, key, prog, len, NULL, 0);
}

uint64_t sigset_bits(const sigset_t *set)
{
	uint64_t v = 0;
	int sig;

	for (sig = 1; sig <= 64; sig++)
		if (sigismember(set, sig) == 1)
			v |= 1ull << (sig - 1);
	return v;
}

int record_bits(struct request *r, uint32_t type, const char *key,
		uint64_t set)
{
	struct pw_sigset ss = { .set = set };

	return request_add(r, type, key, &ss, sizeof(ss), NULL, 0);
}

int record_sigset(struct request *r, uint32_t type, const char *key,
		  const sigset_t *set)
{
	return record_bits(r, type, key, sigset_bits(set));
}

static const struct pw_sigset all_signals = { .set = ~0ull };

int record_all_default(struct request *r)
{
	return request_add(r, PW_REQ_SIGDEFAULT, "sigdefault", &all_signals,
			   sizeof(all_signals), NULL, 0);
}

int record_all_default_first(struct request *r)
{
	return request_prepend(r, PW_REQ_SIGDEFAULT, "sigdefault",
			       &all_signals, sizeof(all_signals));
}

int record_rlimit(struct request *r, const char *key, int resource,
		  uint64_t cur, uint64_t max)
{
	struct pw_rlimit w = { .resource = (uint32_t)resource, .cur = cur,
			       .max = max };

	return request_add(r, PW_REQ_RLIMIT, key, &w, sizeof(w), NULL, 0);
}

int record_sched(struct request *r, uint32_t flags, int policy, int priority)
{
	struct pw_sched s = { .flags = flags, .policy = policy,
			      .priority = priority };

	return request_add(r, PW_REQ_SCHED, "sched", &s, sizeof(s), NULL, 0);
}

int record_fd(struct request *r, const char *key, int fd, int target,
	      uint32_t flags)
{
	struct pw_fd f = { .target = target, .flags = flags };

	return request_add_fd(r, PW_REQ_FD, key, fd, &f, sizeof(f), NULL, 0);
}

int record_inherited_fd(struct request *r, int fd)
{
	struct pw_fd f = { .target = fd };

	return request_add_borrowed_fd(r, PW_REQ_FD, "inherited fd", fd, &f,
				       sizeof(f));
}

int record_with_fd(struct request *r, uint32_t type, const char *key, int fd)
{
	return request_add_fd(r, type, key, fd, NULL, 0, NULL, 0);
}

int record_open(struct request *r, int target, int oflag, mode_t mode,
		const char *path)
{
	struct pw_open o = { .target = target, .oflag = oflag, .mode = mode };

	return request_add(r, PW_REQ_OPEN, "addopen", &o, sizeof(o), path,
			   strlen(path) + 1);
}

int record_dup2(struct request *r, int from, int to)
{
	struct pw_dup2 d = { .from = from, .to = to };

	return request_add(r, PW_REQ_DUP2, "adddup2", &d, sizeof(d), NULL, 0);
}

int record_strings(struct request *r, uint32_t type, const char *key,
		   char *const *v)
{
	uint32_t head[2] = { 0, 0 };
	size_t bytes = 0, i;
	unsigned char *p;
	int err;

	for (i = 0; v && v[i]; i++)
		bytes += strlen(v[i]) + 1;
	head[0] = (uint32_t)i;
	/* Reserve the record, then fill the strings in place. */
	if ((err = request_add(r, type, key, head, sizeof(head), NULL, bytes)))
		return err;
	p = r->buf + r->len - PW_ALIGN(sizeof(head) + bytes) + sizeof(head);
	for (i = 0; v && v[i]; i++) {
		size_t n = strlen(v[i]) + 1;

		memcpy(p, v[i], n);
		p += n;
	}
	return 0;
}

/* The two names follow the struct: reserved, then filled. */
static int add_image(struct request *r, int fd, const char *key,
		     struct pw_image *im, const char *path,
		     const char *second)
{
	size_t names;

	im->path_len = path ? (uint32_t)strlen(path) + 1 : 0;
	im->search_len = second ? (uint32_t)strlen(second) + 1 : 0;
	names = im->path_len + im->search_len;
	if (fd >= 0 ? request_add_fd(r, PW_REQ_IMAGE, key, fd, im, sizeof(*im),
				     NULL, names)
		    : request_add(r, PW_REQ_IMAGE, key, im, sizeof(*im), NULL,
				  names))
		return r->err;
	request_fill_tail(r, sizeof(*im), path, im->path_len, second,
			  im->search_len);
	return 0;
}

int record_image_fd(struct request *r, int fd, int fd_name,
		    const char *execfn, const char *kpath)
{
	struct pw_image im = {
		.flags = PW_IMAGE_FD | (kpath ? PW_IMAGE_KPATH : 0),
		.fd_name = fd_name,
	};

	return add_image(r, fd, "exec", &im, execfn, kpath);
}

int record_image_path(struct request *r, const char *file, int search)
{
	struct pw_image im = { .flags = search ? PW_IMAGE_SEARCH : 0 };

	return add_image(r, -1, search ? "spawnp" : "spawn", &im, file,
			 search ? getenv("PATH") : NULL);
}

int record_image_at_run(struct request *r, const char *key, const char *path)
{
	struct pw_image im = { .flags = 0 };

	return add_image(r, -1, key, &im, path, NULL);
}

int record_creds(struct request *r, const char *key, const void *creds,
		 const uint32_t *groups)
{
	const struct pw_creds *c = creds;

	return request_add(r, PW_REQ_CREDS, key, c, sizeof(*c), groups,
			   c->ngroups * sizeof(uint32_t));
}

int record_attr(struct request *r, const char *key, uint32_t what,
		int64_t value)
{
	struct pw_attr a = { .what = what, .value = value };

	return request_add(r, PW_REQ_ATTR, key, &a, sizeof(a), NULL, 0);
}

int record_setns(struct request *r, const char *key, int fd, int nstype)
{
	struct pw_int t = { .value = nstype };

	return request_add_fd(r, PW_REQ_SETNS, key, fd, &t, sizeof(t), NULL,
			      0);
}

int record_proc(struct request *r, const char *key, int file,
		const char *text)
{
	struct pw_int f = { .value = file };

	return request_add(r, PW_REQ_PROC_WRITE, key, &f, sizeof(f), text,
			   strlen(text) + 1);
}

int record_mount(struct request *r, const char *key, uint32_t kind,
		 uint64_t flags, const char *target)
{
	struct pw_mount m = { .kind = kind, .flags = flags };

	return request_add(r, PW_REQ_MOUNT, key, &m, sizeof(m), target,
			   strlen(target) + 1);
}

int record_bytes(struct request *r, uint32_t type, const char *key,
		 const void *p, size_t len)
{
	return request_add(r, type, key, p, len, NULL, 0);
}

int record_run(struct request *r, uint32_t type, uint32_t mode)
{
	struct pw_run run = { .mode = mode };

	return request_add(r, type, type == PW_REQ_RUN ? "run" : "prepare",
			   &run, sizeof(run), NULL, 0);
}
