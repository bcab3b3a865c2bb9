/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Configuration records, checked and decoded by records.c, applied in the
 * order they arrive, the way glibc's posix_spawn child applies file
 * actions and attributes before execve().
 * Everything that only matters at the jump (argv, envp, image, final signal
 * mask, seccomp filter, name) is recorded here and used by run_image().
 */
#include <asm/ioctls.h>
#include "actions.h"
#include "channel.h"
#include "mem.h"
#include "sys.h"

static int image(struct loader *l, const struct record_image *im)
{
	if (l->image_fd >= 0) {
		sys_close(l->image_fd);
		l->image_fd = -1;
	}
	l->image = *im;
	l->have_image = 1;
	if (im->flags & PW_IMAGE_FD) {
		int fd = channel_take_fd(l);

		if (fd < 0)
			return fd;
		l->image_fd = fd;
	}
	return 0;
}

static int install_fd(struct loader *l, const struct pw_fd *f)
{
	int fd = channel_take_fd(l), err;

	if (fd < 0)
		return fd;
	if (fd == f->target) {
		long r = sys_fcntl(fd, F_SETFD,
				   (f->flags & PW_FD_CLOEXEC) ? FD_CLOEXEC : 0);
		return r < 0 ? (int)r : 0;
	}
	if ((err = channel_vacate_fd(l, f->target)) < 0)
		return err;
	err = (int)sys_dup3(fd, f->target,
			    (f->flags & PW_FD_CLOEXEC) ? O_CLOEXEC : 0);
	sys_close(fd);
	return err < 0 ? err : 0;
}

static int open_fd(struct loader *l, const struct pw_open *o, const char *path)
{
	long fd;
	int err;

	if ((err = channel_vacate_fd(l, o->target)) < 0)
		return err;
	fd = sys_openat(AT_FDCWD, path, o->oflag, o->mode);
	if (fd < 0)
		return (int)fd;
	if (fd != o->target) {
		err = (int)sys_dup3((int)fd, o->target, 0);
		sys_close((int)fd);
		if (err < 0)
			return err;
	}
	return 0;
}

static int dup_fd(struct loader *l, const struct pw_dup2 *d)
{
	long r;

	if (channel_owns_fd(l, d->from))
		return -EBADF;	/* not a descriptor of the caller's */
	if (d->from == d->to) {
		/* POSIX 2024: dup2(fd, fd) in a spawn clears FD_CLOEXEC. */
		r = sys_fcntl(d->from, F_GETFD, 0);
		if (r < 0)
			return (int)r;
		r = sys_fcntl(d->from, F_SETFD, r & ~FD_CLOEXEC);
		return r < 0 ? (int)r : 0;
	}
	if ((r = channel_vacate_fd(l, d->to)) < 0)
		return (int)r;
	r = sys_dup3(d->from, d->to, 0);
	return r < 0 ? (int)r : 0;
}

static int close_fd(struct loader *l, int fd)
{
	struct { unsigned long cur, max; } lim;

	if (channel_owns_fd(l, fd))
		return 0;	/* not open in the program's view */
	if (sys_close(fd) == 0)
		return 0;
	/* glibc reports only descriptors out of range. */
	if (fd < 0 || (sys_prlimit(0, RLIMIT_NOFILE, 0, &lim) == 0 &&
		       (unsigned long)fd >= lim.cur))
		return -EBADF;
	return 0;
}

/* The smallest of the loader's own descriptors at or above lo, or -1. */
static int next_owned(const struct loader *l, int lo)
{
	int best = -1;
	uint32_t i;

#define CONSIDER(fd) \
	do { if ((fd) >= lo && (best < 0 || (fd) < best)) best = (fd); } while (0)
	CONSIDER(l->sock);
	CONSIDER(l->image_fd);
	for (i = l->next_fd; i < l->nfds; i++)
		CONSIDER(l->fds[i]);
#undef CONSIDER
	return best;
}

static int close_from(struct loader *l, int from)
{
	int lo = from, k;

	if (from < 0)
		return -EBADF;
	while ((k = next_owned(l, lo)) >= 0) {
		if (k > lo)
			sys_close_range((unsigned)lo, (unsigned)k - 1, 0);
		lo = k + 1;
	}
	return (int)sys_close_range((unsigned)lo, ~0u, 0);
}

static int set_signals(uint64_t set, unsigned long handler)
{
	struct loader_sigaction sa = { .handler = handler };
	int sig;

	for (sig = 1; sig <= 64; sig++) {
		if (!(set & (1ull << (sig - 1))) || sig == 9 || sig == 19)
			continue;
		sys_rt_sigaction(sig, &sa, 0);
	}
	return 0;
}

/* Setting a signal to SIG_IGN discards it if pending; then back. */
static int flush_signals(void)
{
	struct loader_sigaction ign = { .handler = LOADER_SIG_IGN }, old;
	uint64_t pending;
	int sig;

	if (sys_rt_sigpending(&pending) < 0)
		return 0;
	for (sig = 1; sig <= 64; sig++) {
		if (!(pending & (1ull << (sig - 1))) || sig == 9 || sig == 19)
			continue;
		if (sys_rt_sigaction(sig, &ign, &old) == 0)
			sys_rt_sigaction(sig, &old, 0);
	}
	return 0;
}

static int tcsetpgrp(int fd)
{
	int pgrp = (int)sys_getpgid(0);
	long r;

	if (pgrp < 0)
		return pgrp;
	/* SIGTTOU stays blocked: every signal is, until the jump. */
	r = sys_ioctl(fd, TIOCSPGRP, (long)&pgrp);
	return r < 0 ? (int)r : 0;
}

/* glibc's order: seteuid(getuid()) first, then setegid(getgid()). */
static int resetids(void)
{
	unsigned r, e, s;
	long err;

	if ((err = sys_getresuid(&r, &e, &s)) < 0 ||
	    (err = sys_setresuid(~0u, r, ~0u)) < 0)
		return (int)err;
	if ((err = sys_getresgid(&r, &e, &s)) < 0 ||
	    (err = sys_setresgid(~0u, r, ~0u)) < 0)
		return (int)err;
	return 0;
}

static int sched(const struct pw_sched *s)
{
	int prio = s->priority;
	long r = 0;

	if (s->flags & PW_SCHED_POLICY)
		r = sys_sched_setscheduler(0, s->policy, &prio);
	else if (s->flags & PW_SCHED_PARAM)
		r = sys_sched_setparam(0, &prio);
	return r < 0 ? (int)r : 0;
}

int actions_apply(struct loader *l, const struct record *rec)
{
	long r = 0;

	switch (rec->type) {
	case PW_REQ_ARGV:
		l->argv = rec->u.strings;
		break;
	case PW_REQ_ENVP:
		l->envp = rec->u.strings;
		break;
	case PW_REQ_IMAGE:
		return image(l, &rec->u.image);
	case PW_REQ_FD:
		return install_fd(l, &rec->u.fd);
	case PW_REQ_OPEN:
		return open_fd(l, &rec->u.open.o, rec->u.open.path);
	case PW_REQ_CLOSE:
		return close_fd(l, rec->u.value);
	case PW_REQ_DUP2:
		return dup_fd(l, &rec->u.dup2);
	case PW_REQ_CLOSEFROM:
		return close_from(l, rec->u.value);
	case PW_REQ_CHDIR:
		r = sys_chdir(rec->u.string);
		break;
	case PW_REQ_FCHDIR:
		if (channel_owns_fd(l, rec->u.value))
			return -EBADF;
		r = sys_fchdir(rec->u.value);
		break;
	case PW_REQ_FCHDIR_FD: {
		int fd = channel_take_fd(l);

		if (fd < 0)
			return fd;
		r = sys_fchdir(fd);
		sys_close(fd);
		break;
	}
	case PW_REQ_UMASK:
		sys_umask((unsigned)rec->u.value & 0777);
		break;
	case PW_REQ_SETSID:
		r = sys_setsid();
		break;
	case PW_REQ_SETPGID:
		r = sys_setpgid(0, rec->u.value);
		break;
	case PW_REQ_TCSETPGRP:
		return tcsetpgrp(rec->u.value);
	case PW_REQ_CTTY: {
		int fd = channel_take_fd(l);

		if (fd < 0)
			return fd;
		r = sys_ioctl(fd, TIOCSCTTY, 0);
		sys_close(fd);
		break;
	}
	case PW_REQ_SIGMASK:
		l->sigmask = rec->u.sigset;
		break;
	case PW_REQ_SIGIGNORE:
		return set_signals(rec->u.sigset, LOADER_SIG_IGN);
	case PW_REQ_SIGDEFAULT:
		return set_signals(rec->u.sigset, LOADER_SIG_DFL);
	case PW_REQ_RLIMIT: {
		uint64_t v[2] = { rec->u.rlimit.cur, rec->u.rlimit.max };

		r = sys_prlimit(0, rec->u.rlimit.resource, v, 0);
		break;
	}
	case PW_REQ_SCHED:
		return sched(&rec->u.sched);
	case PW_REQ_RESETIDS:
		/* If the ids change, route.c sends the run to the kernel,
		 * which then sets the saved ids and capabilities. */
		return resetids();
	case PW_REQ_NO_NEW_PRIVS:
		r = sys_prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		break;
	case PW_REQ_SECCOMP:
		l->seccomp = rec->u.filter.insns;
		l->seccomp_len = rec->u.filter.len;
		break;
	case PW_REQ_NAME:
		l->name = rec->u.string;
		break;
	case PW_REQ_FLUSH_SIGNALS:
		return flush_signals();
	case PW_REQ_PDEATHSIG:
		r = sys_prctl(PR_SET_PDEATHSIG, rec->u.value, 0, 0, 0);
		break;
	default:
		return -EPROTO;
	}
	return r < 0 ? (int)r : 0;
}
