/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * One spawn: posix_spawn() with glibc 2.36's semantics, run by an empty
 * process. A member of the reserve the caller names is used if one is
 * ready; otherwise the loader is exec'd with the caller's non-close-on-exec
 * descriptors, so they are inherited exactly as by posix_spawn(). The rest
 * arrives as one request, queued on the socket before the loader starts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "empty.h"
#include "errmsg.h"
#include "exchange.h"
#include "file-actions.h"
#include "glibc-spawn.h"
#include "image.h"
#include "inherit.h"
#include "record.h"
#include "registry.h"
#include "spawn-one.h"
#include "wire.h"

/* The order of glibc's __spawni_child(). */
static int add_attributes(struct request *r, const pristine_spawnattr_t *a)
{
	/* glibc 2.36's child leaves its two internal signals (SIGCANCEL 32,
	 * SIGSETXID 33) ignored in the new program unless SETSIGDEF names
	 * them; handled signals become default through the loader's exec. */
	uint64_t internal = (1ull << 31) | (1ull << 32);
	short f = a->__flags;

	if (f & POSIX_SPAWN_SETSIGDEF) {
		record_sigset(r, PW_REQ_SIGDEFAULT, "sigdefault", &a->__sd);
		internal &= ~sigset_bits(&a->__sd);
	}
	if (internal)
		record_bits(r, PW_REQ_SIGIGNORE, "sigignore", internal);
	if (f & (POSIX_SPAWN_SETSCHEDPARAM | POSIX_SPAWN_SETSCHEDULER))
		record_sched(r, (f & POSIX_SPAWN_SETSCHEDULER) ? PW_SCHED_POLICY
							       : PW_SCHED_PARAM,
			     a->__policy, a->__sp.sched_priority);
	if (f & POSIX_SPAWN_SETSID)
		record_none(r, PW_REQ_SETSID, "setsid");
	if (f & POSIX_SPAWN_SETPGROUP)
		record_int(r, PW_REQ_SETPGID, "setpgroup", a->__pgrp);
	if (f & POSIX_SPAWN_RESETIDS)
		record_none(r, PW_REQ_RESETIDS, "resetids");
	return r->err;
}

/* Has an earlier action (before index i) referenced the same fd? */
static int seen_before(const struct fa_action *a, int i, int fd)
{
	while (i--)
		if ((a[i].type == FA_DUP2 || a[i].type == FA_FCHDIR ||
		     a[i].type == FA_TCSETPGRP) && a[i].fd == fd)
			return 1;
	return 0;
}

/*
 * glibc's child applies file actions before its execve(), when the
 * caller's close-on-exec descriptors still exist; ours runs them after
 * the loader's exec. So the close-on-exec descriptors the actions name
 * travel with the request, installed at their own numbers, still
 * close-on-exec: the program sees exactly what glibc's would.
 */
static int add_cloexec_sources(struct request *r, const struct fa_action *a,
			       int n)
{
	int i;

	for (i = 0; i < n; i++) {
		int fl, copy;

		if (a[i].type != FA_DUP2 && a[i].type != FA_FCHDIR &&
		    a[i].type != FA_TCSETPGRP)
			continue;
		fl = fcntl(a[i].fd, F_GETFD);
		if (fl < 0 || !(fl & FD_CLOEXEC) || seen_before(a, i, a[i].fd))
			continue;
		if ((copy = fcntl(a[i].fd, F_DUPFD_CLOEXEC, 0)) < 0)
			return r->err = errno;
		record_fd(r, "caller fd", copy, a[i].fd, PW_FD_CLOEXEC);
	}
	return r->err;
}

static int add_file_actions(struct request *r,
			    const pristine_spawn_file_actions_t *fa)
{
	const struct fa_action *a = fa->__actions;
	int i;

	if (add_cloexec_sources(r, a, fa->__used))
		return r->err;
	for (i = 0; i < fa->__used; i++) {
		const struct fa_action *x = &a[i];

		switch (x->type) {
		case FA_OPEN:
			record_open(r, x->fd, x->oflag, x->mode, x->path);
			break;
		case FA_CLOSE:
			record_int(r, PW_REQ_CLOSE, "addclose", x->fd);
			break;
		case FA_DUP2:
			record_dup2(r, x->fd, x->newfd);
			break;
		case FA_CHDIR:
			record_string(r, PW_REQ_CHDIR, "addchdir", x->path);
			break;
		case FA_FCHDIR:
			record_int(r, PW_REQ_FCHDIR, "addfchdir", x->fd);
			break;
		case FA_CLOSEFROM:
			record_int(r, PW_REQ_CLOSEFROM, "addclosefrom", x->fd);
			break;
		case FA_TCSETPGRP:
			record_int(r, PW_REQ_TCSETPGRP, "addtcsetpgrp", x->fd);
			break;
		}
	}
	return r->err;
}

/* Does a file action change what glibc's child finds at descriptor n, or
 * its cwd (n < 0)? */
static int fa_changes(const pristine_spawn_file_actions_t *fa, int n)
{
	int i;

	for (i = 0; fa && i < fa->__used; i++) {
		const struct fa_action *x =
			&((const struct fa_action *)fa->__actions)[i];

		if (n < 0 ? x->type == FA_CHDIR || x->type == FA_FCHDIR
			  : (x->type == FA_OPEN && x->fd == n) ||
				    (x->type == FA_CLOSE && x->fd == n) ||
				    (x->type == FA_DUP2 && x->newfd == n) ||
				    (x->type == FA_CLOSEFROM && x->fd <= n))
			return 1;
	}
	return 0;
}

/*
 * A path through /proc/self or /proc/thread-self (or /dev/fd, a link to
 * /proc/self/fd) names the caller's files: its executable, its
 * descriptors, close-on-exec ones included, its cwd. glibc's child, the
 * caller's copy, resolves it so; the empty process would find its own.
 * Such a path is opened here, before the empty process exists, unless a
 * file action changes what it names in glibc's child (the descriptor of
 * /proc/self/fd/N, the cwd of /proc/self/cwd): then the empty process,
 * which applies the actions as glibc's child does, finds the same.
 * (/proc/PID with the caller's pid is another process for glibc's child,
 * as for the empty process: its access checks are those of a process
 * looking at its parent. It is left to the empty process.)
 */
static int resolved_by_caller(const char *file,
			      const pristine_spawn_file_actions_t *fa)
{
	static const char *const selves[] = { "/proc/self/",
					      "/proc/thread-self/" };
	const char *rest = NULL;
	char *end;
	long fd;
	size_t i;

	for (i = 0; i < sizeof(selves) / sizeof(selves[0]) && !rest; i++)
		if (!strncmp(file, selves[i], strlen(selves[i])))
			rest = file + strlen(selves[i]);
	if (!rest && !strncmp(file, "/dev/fd/", 8))
		rest = file + 5;	/* "fd/N" */
	if (!rest)
		return 0;
	if (!strncmp(rest, "fd/", 3)) {
		fd = strtol(rest + 3, &end, 10);
		return end != rest + 3 && fd >= 0 && fd <= 0x7fffffff &&
		       !fa_changes(fa, (int)fd);
	}
	if (!strncmp(rest, "cwd", 3) && (rest[3] == '/' || !rest[3]))
		return !fa_changes(fa, -1);
	return 1;
}

/* Every record of a spawn; with a member, its state is brought up to date
 * first. A new empty process in the default mode runs its image by
 * execve() (PW_RUN_FRESH): faithful, and faster than mapping it when
 * nothing of the image was done ahead. */
static int build(struct request *r, const struct member *m,
		 const struct spawn_source *src, int image,
		 const pristine_spawn_file_actions_t *fa,
		 const pristine_spawnattr_t *attr, char *const argv[],
		 char *const envp[])
{
	uint32_t mode = (attr->__mode & PRISTINE_EXEC_KERNEL) ? PW_RUN_KERNEL
			: (attr->__mode & PRISTINE_EXEC_LOADER) ? PW_RUN_LOADER
			: m ? PW_RUN_DEFAULT : PW_RUN_FRESH;
	sigset_t mask;

	if (m && inherit_add(r, m->ignored, m->creds, m->nofile, &m->state))
		return r->err;
	add_attributes(r, attr);
	if (fa)
		add_file_actions(r, fa);
	if (attr->__flags & POSIX_SPAWN_SETSIGMASK)
		mask = attr->__ss;
	else
		pthread_sigmask(SIG_BLOCK, NULL, &mask);
	record_sigset(r, PW_REQ_SIGMASK, "sigmask", &mask);
	if (image >= 0) {
		int fd = fcntl(image, F_DUPFD_CLOEXEC, 0);

		if (fd < 0)
			return r->err = errno;
		/* AT_EXECFN is the path; a kernel route runs the fd. */
		record_image_fd(r, fd, -1, src->file, NULL);
	} else if (src->file) {
		record_image_path(r, src->file, src->search);
	}
	else if (!m)
		src->reserve->image(src->self, r);
	record_strings(r, PW_REQ_ARGV, "argv", argv);
	record_strings(r, PW_REQ_ENVP, "envp", envp);
	return record_run(r, PW_REQ_RUN, mode);
}

/* The child is the caller's now: its pid, and its pidfd if asked for. */
static void hand_over(struct empty *e, pid_t *child, int *pidfd)
{
	*child = e->pid;
	if (pidfd)
		*pidfd = e->pidfd;
	else
		close(e->pidfd);
}

/*
 * From a member: 0 and *child, a positive errno, or -1 if the member could
 * not be used (stale, dead while idle, state that does not fit in a
 * request): then the caller spawns the default way.
 */
static int spawn_member(struct member *m, const struct spawn_source *src,
			struct request *r, pid_t *child, int *pidfd,
			int *route)
{
	struct sender s;
	int err = r->err;

	if (!err) {
		sender_init(&s, r);
		err = exchange_finish(&m->e, &s, route);
		/* It died idle, or was killed (a signal from outside, as a
		 * terminal's to its group) before it answered: ESRCH means no
		 * answer and no exec, so the program never ran, and a new
		 * empty process does the spawn as if there had been no
		 * member. One that the request itself kills dies again
		 * there and is reported then. */
		if (err == ESRCH)
			err = -1;
	} else {
		empty_abort(&m->e);
		if (err == ESTALE)	/* so are its siblings */
			src->reserve->flush(src->self);
		err = -1;
	}
	if (!err)
		hand_over(&m->e, child, pidfd);
	src->reserve->refill(src->self);
	return err;
}

/* A new empty process, with the caller's inheritable descriptors. Its
 * socket pair and pidfd are the library's own descriptors (*nofds: there
 * were none left for them). */
static int spawn_fresh(const struct request *r, pid_t *child, int *pidfd,
		       int *route, int *nofds)
{
	struct sender s;
	struct empty e;
	int err;

	sender_init(&s, r);
	if ((err = empty_create(&e, EMPTY_INHERIT_FDS, &s, 0))) {
		*nofds = glibc_wanted(err);
		return err;
	}
	if ((err = exchange_finish(&e, &s, route)))
		return err;
	hand_over(&e, child, pidfd);
	return 0;
}

/*
 * No descriptors left for an empty process, where glibc needs none: its
 * posix_spawn() does what an empty process would have done (a route of
 * its own, PRISTINE_ROUTE_GLIBC_NOFDS).
 */
static int by_glibc(const struct spawn_source *src, pid_t *child, int *pidfd,
		    const pristine_spawn_file_actions_t *fa,
		    const pristine_spawnattr_t *attr, char *const argv[],
		    char *const envp[], int *route)
{
	char path[4096];
	const char *file = src->file;
	int err;

	if (!file) {
		if ((err = src->reserve->path(src->self, path, sizeof(path))))
			return err;
		file = path;
	}
	*route = PRISTINE_ROUTE_GLIBC_NOFDS;
	return glibc_spawn(child, pidfd, file, src->search, fa, attr, argv,
			   envp);
}

int spawn_one(pid_t *pid, int *pidfd, const struct spawn_source *src,
	      const pristine_spawn_file_actions_t *fa,
	      const pristine_spawnattr_t *attr, char *const argv[],
	      char *const envp[])
{
	static const pristine_spawnattr_t none;
	struct request r;
	struct member m;
	int err = -1, route = 0, saved = errno, member = 0, nofds = 0;
	int image = -1;
	pid_t child = 0;

	errmsg_clear();
	handles_sweep();
	if (!attr)
		attr = &none;
	if (!src->file && !src->self)
		return errmsg_posix(EFAULT, "spawn");
	if (src->file && resolved_by_caller(src->file, fa)) {
		char *execfn, *kpath;

		image = open_image(AT_FDCWD, src->file, &execfn, &kpath);
		free(execfn);
		free(kpath);
		/* no descriptor for it: glibc's spawn needs none */
		if (image < 0 && !(nofds = glibc_wanted(-image)))
			return errmsg_posix(-image, "%s", src->file);
	}
	if (!nofds && !(attr->__mode & PRISTINE_EXEC_FRESH))
		member = src->reserve->take(src->self, attr->__mode, &m);
	request_init(&r);
	if (member) {
		build(&r, &m, src, image, fa, attr, argv, envp);
		err = spawn_member(&m, src, &r, &child, pidfd, &route);
		if (err < 0) {
			request_free(&r);
			request_init(&r);
		}
	}
	if (err < 0 && !nofds) {
		/* build()'s own descriptors: copies of close-on-exec sources
		 * and a template's image, nothing of the program's. */
		err = build(&r, NULL, src, image, fa, attr, argv, envp);
		nofds = glibc_wanted(err);
		if (!err)
			err = spawn_fresh(&r, &child, pidfd, &route, &nofds);
	}
	request_free(&r);	/* its descriptors too, before glibc's turn */
	if (image >= 0)
		close(image);
	if (nofds)
		err = by_glibc(src, &child, pidfd, fa, attr, argv, envp,
			       &route);
	errno = saved;
	if (!err) {
		route_set(route);
		if (pid)
			*pid = child;
	}
	return errmsg_posix(err, "%s", src->file ? src->file : "template");
}
