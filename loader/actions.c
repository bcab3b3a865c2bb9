/*
 * Configuration records, applied in the order they arrive, the way glibc's
 * posix_spawn child applies file actions and attributes before execve().
 * Everything that only matters at the jump (argv, envp, image, final signal
 * mask, seccomp filter, name) is recorded here and used by run_image().
 */
#include <linux/seccomp.h>
#include <linux/filter.h>
#include <asm/ioctls.h>
#include "loader.h"
#include "mem.h"
#include "sys.h"

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

static int image(struct loader *l, const unsigned char *p, uint32_t len)
{
	const struct pw_image *im = (const void *)p;
	const unsigned char *s = p + sizeof(*im);

	if (len < sizeof(*im) || im->path_len > len - sizeof(*im) ||
	    im->search_len > len - sizeof(*im) - im->path_len)
		return -EPROTO;
	if (l->image_fd >= 0) {
		sys_close(l->image_fd);
		l->image_fd = -1;
	}
	l->image = im;
	l->image_path = im->path_len ? string(s, im->path_len) : 0;
	l->image_search = im->search_len ? string(s + im->path_len,
						  im->search_len) : 0;
	if ((im->path_len && !l->image_path) ||
	    (im->search_len && !l->image_search))
		return -EPROTO;
	if (im->flags & PW_IMAGE_FD) {
		int fd = loader_take_fd(l);

		if (fd < 0)
			return fd;
		l->image_fd = fd;
	} else if (!l->image_path) {
		return -EPROTO;
	}
	return 0;
}

static int install_fd(struct loader *l, const struct pw_fd *f)
{
	int fd = loader_take_fd(l), err;

	if (fd < 0)
		return fd;
	if (fd == f->target) {
		long r = sys_fcntl(fd, F_SETFD,
				   (f->flags & PW_FD_CLOEXEC) ? FD_CLOEXEC : 0);
		return r < 0 ? (int)r : 0;
	}
	if ((err = loader_vacate_fd(l, f->target)) < 0)
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

	if ((err = loader_vacate_fd(l, o->target)) < 0)
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

	if (loader_owns_fd(l, d->from))
		return -EBADF;	/* not a descriptor of the caller's */
	if (d->from == d->to) {
		/* POSIX 2024: dup2(fd, fd) in a spawn clears FD_CLOEXEC. */
		r = sys_fcntl(d->from, F_GETFD, 0);
		if (r < 0)
			return (int)r;
		r = sys_fcntl(d->from, F_SETFD, r & ~FD_CLOEXEC);
		return r < 0 ? (int)r : 0;
	}
	if ((r = loader_vacate_fd(l, d->to)) < 0)
		return (int)r;
	r = sys_dup3(d->from, d->to, 0);
	return r < 0 ? (int)r : 0;
}

static int close_fd(struct loader *l, int fd)
{
	struct { unsigned long cur, max; } lim;

	if (loader_owns_fd(l, fd))
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

#define NEED(t) do { if (len < sizeof(t)) return -EPROTO; } while (0)

int actions_apply(struct loader *l, uint32_t type, const unsigned char *p,
		  uint32_t len)
{
	const struct pw_int *iv = (const void *)p;
	const char *s;
	long r = 0;

	switch (type) {
	case PW_REQ_ARGV:
		return strings(&l->argv, p, len);
	case PW_REQ_ENVP:
		return strings(&l->envp, p, len);
	case PW_REQ_IMAGE:
		return image(l, p, len);
	case PW_REQ_FD:
		NEED(struct pw_fd);
		return install_fd(l, (const void *)p);
	case PW_REQ_OPEN:
		NEED(struct pw_open);
		if (!(s = string(p + sizeof(struct pw_open),
				 len - sizeof(struct pw_open))))
			return -EPROTO;
		return open_fd(l, (const void *)p, s);
	case PW_REQ_CLOSE:
		NEED(struct pw_int);
		return close_fd(l, iv->value);
	case PW_REQ_DUP2:
		NEED(struct pw_dup2);
		return dup_fd(l, (const void *)p);
	case PW_REQ_CLOSEFROM:
		NEED(struct pw_int);
		return close_from(l, iv->value);
	case PW_REQ_CHDIR:
		if (!(s = string(p, len)))
			return -EPROTO;
		r = sys_chdir(s);
		break;
	case PW_REQ_FCHDIR:
		NEED(struct pw_int);
		if (loader_owns_fd(l, iv->value))
			return -EBADF;
		r = sys_fchdir(iv->value);
		break;
	case PW_REQ_FCHDIR_FD: {
		int fd = loader_take_fd(l);

		if (fd < 0)
			return fd;
		r = sys_fchdir(fd);
		sys_close(fd);
		break;
	}
	case PW_REQ_UMASK:
		NEED(struct pw_int);
		sys_umask((unsigned)iv->value & 0777);
		break;
	case PW_REQ_SETSID:
		r = sys_setsid();
		break;
	case PW_REQ_SETPGID:
		NEED(struct pw_int);
		r = sys_setpgid(0, iv->value);
		break;
	case PW_REQ_TCSETPGRP:
		NEED(struct pw_int);
		return tcsetpgrp(iv->value);
	case PW_REQ_CTTY: {
		int fd = loader_take_fd(l);

		if (fd < 0)
			return fd;
		r = sys_ioctl(fd, TIOCSCTTY, 0);
		sys_close(fd);
		break;
	}
	case PW_REQ_SIGMASK:
		NEED(struct pw_sigset);
		memcpy(&l->sigmask, p, 8);
		break;
	case PW_REQ_SIGIGNORE:
		NEED(struct pw_sigset);
		return set_signals(((const struct pw_sigset *)p)->set,
				   LOADER_SIG_IGN);
	case PW_REQ_SIGDEFAULT:
		NEED(struct pw_sigset);
		return set_signals(((const struct pw_sigset *)p)->set,
				   LOADER_SIG_DFL);
	case PW_REQ_RLIMIT: {
		const struct pw_rlimit *rl = (const void *)p;
		uint64_t v[2];

		NEED(struct pw_rlimit);
		v[0] = rl->cur;
		v[1] = rl->max;
		r = sys_prlimit(0, rl->resource, v, 0);
		break;
	}
	case PW_REQ_SCHED:
		NEED(struct pw_sched);
		return sched((const void *)p);
	case PW_REQ_RESETIDS:
		l->resetids = 1;
		return resetids();
	case PW_REQ_NO_NEW_PRIVS:
		r = sys_prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		break;
	case PW_REQ_SECCOMP:
		if (!len || len % sizeof(struct sock_filter) ||
		    len / sizeof(struct sock_filter) > BPF_MAXINSNS)
			return -EINVAL;
		l->seccomp = p;
		l->seccomp_len = len;
		break;
	case PW_REQ_NAME:
		if (!(l->name = string(p, len)))
			return -EPROTO;
		break;
	case PW_REQ_FLUSH_SIGNALS:
		return flush_signals();
	case PW_REQ_PDEATHSIG:
		NEED(struct pw_int);
		r = sys_prctl(PR_SET_PDEATHSIG, iv->value, 0, 0, 0);
		break;
	default:
		return -EPROTO;
	}
	return r < 0 ? (int)r : 0;
}
