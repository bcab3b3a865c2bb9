/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Spawn templates: empty processes with one executable already mapped and
 * pre-faulted, waiting for argv, envp, descriptors and attributes. A
 * template is a reserve (reserve.c) that spawns draw on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "errmsg.h"
#include "export.h"
#include "image.h"
#include "reserve.h"
#include "spawn-one.h"
#include "wire.h"

struct pristine_template {
	struct reserve r;
};

#define TEMPLATE_MAX 1024

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

PRISTINE_EXPORT pristine_template_t *
pristine_template_create(const char *path, int fd, unsigned int size,
			 unsigned int flags)
{
	pristine_template_t *t = NULL;
	char *execfn = NULL, *kpath = NULL;
	struct member m;
	int err, image;

	errmsg_clear();
	if (flags || !size || size > TEMPLATE_MAX) {
		errmsg_set("pristine_template_create: size must be 1..%d, "
			   "flags 0", TEMPLATE_MAX);
		err = EINVAL;
		goto out;
	}
	if (path) {
		image = open_image(AT_FDCWD, path, &execfn, &kpath);
	} else {
		image = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (image < 0)
			image = -errno;
	}
	if (image < 0) {
		err = -image;
		goto out;
	}
	if (!(t = calloc(1, sizeof(*t)))) {
		err = ENOMEM;
		goto out_image;
	}
	if ((err = reserve_init(&t->r, size, image, path ? -1 : fd, execfn,
				kpath, PW_RUN_DEFAULT)))
		goto out_image;

	/* The first member, now: a bad image fails here, not at a spawn. */
	if ((err = reserve_make(&t->r, &m))) {
		reserve_destroy(&t->r);		/* the image's, too */
		goto out;
	}
	reserve_put(&t->r, &m);
	return t;

out_image:
	close(image);
	free(execfn);
	free(kpath);
out:
	free(t);
	errmsg_fail(err, "pristine_template_create");
	return NULL;
}

PRISTINE_EXPORT void pristine_template_destroy(pristine_template_t *t)
{
	if (!t)
		return;
	reserve_destroy(&t->r);
	free(t);
}

/*
 * Has the template's file changed since its members mapped it? Then they
 * go, the file is opened again (by its path), and new members follow.
 */
static void check_file(pristine_template_t *t)
{
	struct reserve *r = &t->r;
	struct stat now, had;
	int fd = -1, gone;

	/* r->st and r->image_fd change under the lock (reserve_new_image()),
	 * from another spawning thread. */
	pthread_mutex_lock(&r->lock);
	had = r->st;
	gone = r->path ? stat(r->kpath ? r->kpath : r->path, &now)
		       : fstat(r->image_fd, &now);
	pthread_mutex_unlock(&r->lock);
	if (gone || same_file(&now, &had))
		return;
	if (r->path) {
		char *e = NULL, *k = NULL;

		fd = open_image(AT_FDCWD, r->kpath ? r->kpath : r->path, &e, &k);
		free(e);
		free(k);
		if (fd < 0 || fstat(fd, &now) < 0) {
			if (fd >= 0)
				close(fd);
			return;
		}
	}
	reserve_new_image(r, fd, &now);
}

/* The template as a spawn's reserve; self is the template. */

static int take(void *self, int mode, struct member *m)
{
	pristine_template_t *t = self;

	check_file(t);
	/* Its members are prepared in the default mode: the kernel mode
	 * wants nothing they have. */
	if (mode & PRISTINE_EXEC_KERNEL)
		return 0;
	return reserve_take(&t->r, m);
}

/* A spawn without a member (none ready, the kernel's route, or
 * PRISTINE_EXEC_FRESH, which takes none) runs the file as it is now. */
static int image(void *self, struct request *req)
{
	pristine_template_t *t = self;

	check_file(t);
	return reserve_image(&t->r, req);
}

static void flush(void *self)
{
	reserve_flush(&((pristine_template_t *)self)->r);
}

static void refill(void *self)
{
	reserve_refill(&((pristine_template_t *)self)->r);
}

static int path(void *self, char *buf, size_t len)
{
	return reserve_path(&((pristine_template_t *)self)->r, buf, len);
}

static const struct reserve_ops template_reserve = {
	.take = take, .image = image, .flush = flush, .refill = refill,
	.path = path,
};

static int template_spawn(pristine_template_t *t, pid_t *pid, int *pidfd,
			  const pristine_spawn_file_actions_t *fa,
			  const pristine_spawnattr_t *attr, char *const argv[],
			  char *const envp[])
{
	const struct spawn_source src = { .reserve = &template_reserve,
					  .self = t };

	return spawn_one(pid, pidfd, &src, fa, attr, argv, envp);
}

PRISTINE_EXPORT int
pristine_template_spawn(pristine_template_t *t, pid_t *pid,
			const pristine_spawn_file_actions_t *file_actions,
			const pristine_spawnattr_t *attrp, char *const argv[],
			char *const envp[])
{
	return template_spawn(t, pid, NULL, file_actions, attrp, argv, envp);
}

PRISTINE_EXPORT int
pristine_template_pidfd_spawn(pristine_template_t *t, int *pidfd,
			      const pristine_spawn_file_actions_t *file_actions,
			      const pristine_spawnattr_t *attrp,
			      char *const argv[], char *const envp[])
{
	return template_spawn(t, NULL, pidfd, file_actions, attrp, argv, envp);
}
