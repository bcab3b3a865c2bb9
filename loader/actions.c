/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Configuration records, checked and decoded by records.c, applied in the
 * order they arrive, the way glibc's posix_spawn child applies file
 * actions and attributes before execve().
 * Everything that only matters at the jump (argv, envp, image, final signal
 * mask, seccomp filter, name) is recorded here and used by run_image().
 * A record whose effect only the kernel's exec makes exact (credentials,
 * Landlock, ...) sets need_kernel: then the image goes to execveat().
 */
#include <asm/ioctls.h>
#include "actions.h"
#include "channel.h"
#include "mem.h"
#include "route.h"
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

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#endif
#define CAP_SETGID_ 6
#define CAP_SETUID_ 7
#define CAP_SETPCAP_ 8
#define SECBIT_KEEP_CAPS_ 0x10

struct caps {
	uint32_t version;
	int pid;
	struct { uint32_t effective, permitted, inheritable; } d[2];
};

static long capset_all(struct caps *c)
{
	return sys_capset(c, c->d);
}

/*
 * setpriv(1)'s order, so that the result is what setpriv gives: keep the
 * permitted set across the uid change (KEEP_CAPS) and the capabilities
 * that the changes need effective; user ids (saved := effective, as
 * setpriv; ~0u is "unchanged" to the kernel too, and the exec makes the
 * saved id the effective one anyway), the effective set back (a uid
 * change clears it), group ids, groups, securebits, bounding set,
 * inheritable set, ambient set. The kernel's exec then recomputes the
 * sets as for setpriv's own exec.
 */
static long creds(struct loader *l, const struct pw_creds *c,
		  const uint32_t *groups)
{
	struct caps caps = { .version = 0x20080522 };
	int pdeath = 0, cap;
	long err;

	l->need_kernel = PW_WHY_CREDS;
	/* A credential change clears the parent-death signal; setpriv sets
	 * it after its changes. */
	sys_prctl(PR_GET_PDEATHSIG, (long)&pdeath, 0, 0, 0);
	if ((c->flags & PW_CREDS_UIDS) &&
	    (err = sys_prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0)) < 0)
		return err;
	if ((err = sys_capget(&caps, caps.d)) < 0)
		return err;
	caps.d[0].effective |= caps.d[0].permitted &
		((1u << CAP_SETGID_) | (1u << CAP_SETUID_) | (1u << CAP_SETPCAP_));
	if ((err = capset_all(&caps)) < 0)
		return err;
	if ((c->flags & PW_CREDS_UIDS) &&
	    ((err = sys_setresuid(c->ruid, c->euid, c->euid)) < 0 ||
	     (err = capset_all(&caps)) < 0))
		return err;
	if ((c->flags & PW_CREDS_GIDS) &&
	    (err = sys_setresgid(c->rgid, c->egid, c->egid)) < 0)
		return err;
	if ((c->flags & PW_CREDS_GROUPS) &&
	    (err = sys_setgroups(c->ngroups, groups)) < 0)
		return err;
	if ((c->flags & PW_CREDS_SECUREBITS) &&
	    (err = sys_prctl(PR_SET_SECUREBITS, c->securebits |
			     ((c->flags & PW_CREDS_UIDS) ? SECBIT_KEEP_CAPS_ : 0),
			     0, 0, 0)) < 0)
		return err;
	/* PR_CAPBSET_READ fails past the last capability of this kernel;
	 * dropping one not in the set still needs CAP_SETPCAP. */
	for (cap = 0; (c->flags & PW_CREDS_BOUNDING) && cap < 64; cap++) {
		if ((err = sys_prctl(PR_CAPBSET_READ, cap, 0, 0, 0)) < 0)
			break;
		if (err && !(c->bounding & (1ull << cap)) &&
		    (err = sys_prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)) < 0)
			return err;
	}
	if (c->flags & PW_CREDS_INHERITABLE) {
		if ((err = sys_capget(&caps, caps.d)) < 0)
			return err;
		caps.d[0].inheritable = (uint32_t)c->inheritable;
		caps.d[1].inheritable = (uint32_t)(c->inheritable >> 32);
		if ((err = capset_all(&caps)) < 0)
			return err;
	}
	if (c->flags & PW_CREDS_AMBIENT) {
		if ((err = sys_prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL,
				     0, 0, 0)) < 0)
			return err;
		for (cap = 0; cap < 64; cap++)
			if ((c->ambient & (1ull << cap)) &&
			    (err = sys_prctl(PR_CAP_AMBIENT,
					     PR_CAP_AMBIENT_RAISE, cap, 0,
					     0)) < 0)
				return err;
	}
	if (pdeath)
		sys_prctl(PR_SET_PDEATHSIG, pdeath, 0, 0, 0);
	return 0;
}

static long attr(struct loader *l, const struct pw_attr *a)
{
	long v = (long)a->value;

	switch (a->what) {
	case PW_ATTR_UNSHARE:
		/* A user namespace changes the credentials; only an exec
		 * enters a new time namespace. */
		if (v & CLONE_NEWUSER)
			l->need_kernel = PW_WHY_CREDS;
		else if (v & 0x80 /* CLONE_NEWTIME */)
			l->need_kernel = PW_WHY_TIMENS;
		return sys_unshare(v);
	case PW_ATTR_NICE:
		return sys_setpriority(0 /* PRIO_PROCESS */, 0, (int)v);
	case PW_ATTR_IOPRIO:
		return sys_ioprio_set(1 /* IOPRIO_WHO_PROCESS */, 0, (int)v);
	case PW_ATTR_TIMERSLACK:
		return sys_prctl(PR_SET_TIMERSLACK, v, 0, 0, 0);
	case PW_ATTR_MDWE:
		l->need_kernel = PW_WHY_MDWE;
		return sys_prctl(PR_SET_MDWE, v, 0, 0, 0);
	case PW_ATTR_THP_DISABLE:
		return sys_prctl(PR_SET_THP_DISABLE, v, 0, 0, 0);
	case PW_ATTR_PERSONALITY:
		l->need_kernel = PW_WHY_PERSONALITY;
		v = sys_personality((unsigned long)v);
		return v < 0 ? v : 0;
	default:
		return -EINVAL;
	}
}

static long proc_write(int file, const char *text)
{
	/* An array of arrays, not of pointers: no relocation. */
	static const char names[][16] = {
		[PW_PROC_UID_MAP] = "uid_map",
		[PW_PROC_GID_MAP] = "gid_map",
		[PW_PROC_SETGROUPS] = "setgroups",
		[PW_PROC_TIMENS_OFFSETS] = "timens_offsets",
		[PW_PROC_OOM_SCORE_ADJ] = "oom_score_adj",
	};
	char path[32] = "/proc/self/";
	size_t n = strlen(text);
	long fd, r;

	if (file < PW_PROC_UID_MAP || file > PW_PROC_OOM_SCORE_ADJ)
		return -EINVAL;
	memcpy(path + 11, names[file], sizeof(names[0]));
	fd = sys_openat(AT_FDCWD, path, O_WRONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	/* One write: the maps must be written whole. */
	r = sys_write((int)fd, text, n);
	sys_close((int)fd);
	return r < 0 ? r : (size_t)r == n ? 0 : -EIO;
}

static long mount_one(const struct pw_mount *m, const char *target)
{
	if (m->kind == PW_MOUNT_PROC)
		return sys_mount("proc", target, "proc", m->flags);
	return sys_mount("none", target, 0, m->flags);
}

static long join(struct loader *l, int nstype)
{
	int fd = channel_take_fd(l);
	long r;

	if (fd < 0)
		return fd;
	/* nstype 0 takes any namespace: it may be a user namespace. */
	if (!nstype || (nstype & CLONE_NEWUSER))
		l->need_kernel = PW_WHY_CREDS;
	if (!nstype || (nstype & CLONE_NEWNS))
		l->new_root = 1;
	r = sys_setns(fd, nstype);
	sys_close(fd);
	return r;
}

static long take_fd_and(struct loader *l, int type)
{
	int fd = channel_take_fd(l);
	long r;

	if (fd < 0)
		return fd;
	if (type == PW_REQ_CHROOT_FD) {
		l->new_root = 1;
		r = sys_fchdir(fd);
		if (r == 0)
			r = sys_chroot(".");
	} else {
		/* Landlock's execute right is checked by execve() only. */
		l->need_kernel = PW_WHY_LANDLOCK;
		r = sys_landlock_restrict_self(fd, 0);
	}
	sys_close(fd);
	return r;
}

int actions_apply(struct loader *l, const struct record *rec)
{
	long r = 0;

	/* route.c reads the tracer from /proc/self before it may change. */
	if (rec->type == PW_REQ_SETNS || rec->type == PW_REQ_MOUNT ||
	    rec->type == PW_REQ_CHROOT || rec->type == PW_REQ_CHROOT_FD ||
	    (rec->type == PW_REQ_ATTR && rec->u.attr.what == PW_ATTR_UNSHARE))
		route_before_new_view(l);

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
	case PW_REQ_CREDS:
		r = creds(l, &rec->u.creds.c, rec->u.creds.groups);
		break;
	case PW_REQ_ATTR:
		r = attr(l, &rec->u.attr);
		break;
	case PW_REQ_SETNS:
		r = join(l, rec->u.value);
		break;
	case PW_REQ_PROC_WRITE:
		r = proc_write(rec->u.proc.file, rec->u.proc.text);
		break;
	case PW_REQ_MOUNT:
		r = mount_one(&rec->u.mount.m, rec->u.mount.target);
		break;
	case PW_REQ_CHROOT:
		/* chroot(1): the new root is the working directory too. */
		l->new_root = 1;
		r = sys_chroot(rec->u.string);
		if (r == 0)
			r = sys_chdir("/");
		break;
	case PW_REQ_CHROOT_FD:
	case PW_REQ_LANDLOCK:
		r = take_fd_and(l, (int)rec->type);
		break;
	case PW_REQ_AFFINITY:
		r = sys_sched_setaffinity(0, rec->u.bytes.len, rec->u.bytes.p);
		break;
	case PW_REQ_SCHED_ATTR:
		r = sys_sched_setattr(0, rec->u.bytes.p, 0);
		break;
	default:
		return -EPROTO;
	}
	return r < 0 ? (int)r : 0;
}
