/*
 * Creating an empty process: clone(CLONE_VM|CLONE_VFORK) and execve() of
 * the loader, never fork(). The caller's page tables are not copied; the
 * calling thread is suspended until the loader's exec has replaced the
 * child's memory, exactly as in glibc's posix_spawn().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "internal.h"

#define CHILD_STACK 4096

struct child_args {
	const char *loader;
	char *argv[3];
	char fdstr[16];
	int sock;
	enum empty_fds fds;
	int err;		/* written by the child if its execve failed */
};

static void raw_sigmask(const sigset_t *set, sigset_t *old)
{
	/* Not pthread_sigmask(): it keeps glibc's internal signals open,
	 * and one of those must not run its handler in the vfork child. */
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, set, old, _NSIG / 8);
}

/* Runs on a stack borrowed from empty_create()'s frame and never returns:
 * AddressSanitizer would poison redzones there that nothing clears. */
__attribute__((no_sanitize_address))
static int child(void *p)
{
	struct child_args *a = p;
	char *envp[] = { NULL };

	if (a->fds == EMPTY_NO_FDS) {
		if (a->sock > 0)
			syscall(SYS_close_range, 0, a->sock - 1, 0);
		syscall(SYS_close_range, a->sock + 1, ~0u, 0);
	}
	if (syscall(SYS_fcntl, a->sock, F_SETFD, 0) == 0)
		syscall(SYS_execve, a->loader, a->argv, envp);
	a->err = errno;
	syscall(SYS_exit, 127);
	return 127;
}

int empty_create(struct empty *e, enum empty_fds fds, struct sender *pre)
{
	struct child_args a = { .loader = loader_path(), .fds = fds };
	char stack[CHILD_STACK] __attribute__((aligned(16)));
	sigset_t all, old;
	int sv[2], pidfd = -1, saved = errno, err;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return errno;
	/* The request waits in the socket while the loader starts. */
	if (pre)
		sender_push(pre, sv[0], MSG_DONTWAIT);
	a.sock = sv[1];
	snprintf(a.fdstr, sizeof(a.fdstr), "%d", sv[1]);
	a.argv[0] = (char *)PW_LOADER_ARGV0;
	a.argv[1] = a.fdstr;
	a.argv[2] = NULL;

	sigfillset(&all);
	raw_sigmask(&all, &old);
	pid = clone(child, stack + sizeof(stack),
		    CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &a, &pidfd);
	err = pid < 0 ? errno : 0;
	raw_sigmask(&old, NULL);
	close(sv[1]);

	if (!err && a.err) {
		/* The loader could not be executed: reap the child. */
		while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
			;
		close(pidfd);
		err = a.err == ENOENT || a.err == EACCES ? ELIBACC : a.err;
		errmsg_set("cannot execute the loader %s: %s", a.loader,
			   strerror(a.err));
	}
	if (err) {
		close(sv[0]);
		errno = saved;
		return err;
	}
	e->sock = sv[0];
	e->pidfd = pidfd;
	e->pid = pid;
	errno = saved;
	return 0;
}

static void reap(struct empty *e)
{
	while (waitpid(e->pid, NULL, __WALL) < 0 && errno == EINTR)
		;
	close(e->pidfd);
	close(e->sock);
	e->pidfd = e->sock = -1;
}

void empty_abort(struct empty *e)
{
	syscall(SYS_pidfd_send_signal, e->pidfd, SIGKILL, NULL, 0);
	reap(e);
}

/*
 * Sends the request: hello, then the records. Descriptors go in chunks of
 * at most SCM_MAX_FD: the first with the hello, each further one with a
 * single byte of the records. The loader queues them in arrival order.
 * With MSG_DONTWAIT it stops at a full socket (EAGAIN) and resumes later.
 */
#define FD_CHUNK 253

int sender_push(struct sender *s, int sock, int flags)
{
	const struct request *r = s->req;
	size_t total = 32 + r->len;
	size_t chunks = (r->nfds + FD_CHUNK - 1) / FD_CHUNK;

	while (s->pos < total) {
		char ctl[CMSG_SPACE(FD_CHUNK * sizeof(int))];
		struct iovec iov[2];
		struct msghdr m = { .msg_iov = iov };
		size_t end = total, c = s->chunk;
		ssize_t n;

		if (c < chunks) {
			size_t k = r->nfds - c * FD_CHUNK;
			struct cmsghdr *cm;

			if (k > FD_CHUNK)
				k = FD_CHUNK;
			m.msg_control = ctl;
			m.msg_controllen = CMSG_SPACE(k * sizeof(int));
			cm = CMSG_FIRSTHDR(&m);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(k * sizeof(int));
			memcpy(CMSG_DATA(cm), r->fds + c * FD_CHUNK,
			       k * sizeof(int));
			if (c + 1 < chunks)
				end = c == 0 ? 32 : s->pos + 1;
		}
		if (s->pos < 32) {
			iov[0] = (struct iovec){ s->hello + s->pos, 32 - s->pos };
			iov[1] = (struct iovec){ r->buf, end - 32 };
			m.msg_iovlen = end > 32 ? 2 : 1;
		} else {
			iov[0] = (struct iovec){ r->buf + s->pos - 32, end - s->pos };
			m.msg_iovlen = 1;
		}
		n = sendmsg(sock, &m, MSG_NOSIGNAL | flags);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (c < chunks)
			s->chunk++;
		s->pos += (size_t)n;
	}
	return 0;
}

static int check_hello(const unsigned char *pl, uint32_t len)
{
	struct pw_hello h;

	if (len != sizeof(h))
		return EPROTO;
	memcpy(&h, pl, sizeof(h));
	if (h.magic != PW_MAGIC)
		return EPROTO;
	if (h.version != PW_VERSION || h.build_id != PRISTINE_BUILD_ID) {
		errmsg_set("loader %s is from another build (protocol %u, "
			   "id %08x; this library speaks %u, %08x)",
			   loader_path(), h.version, h.build_id, PW_VERSION,
			   PRISTINE_BUILD_ID);
		return ELIBBAD;
	}
	return 0;
}

/*
 * Reads the loader's records until its status, or EOF. Returns the status
 * errno, or 0 with *kernel set if EOF followed a fallback announcement.
 */
static int read_reply(struct empty *e, uint32_t *step, int *route)
{
	unsigned char buf[128];
	size_t have = 0;
	int hello = 0, kernel = 0, err;

	*route = PRISTINE_ROUTE_LOADER;
	for (;;) {
		struct pw_rec rec;
		struct pw_status st;
		ssize_t n;

		while (have >= sizeof(rec)) {
			const unsigned char *pl = buf + sizeof(rec);
			size_t size;

			memcpy(&rec, buf, sizeof(rec));
			size = sizeof(rec) + PW_ALIGN(rec.len);
			if (rec.len > 64)
				return EPROTO;
			if (have < size)
				break;
			if (rec.type == PW_REP_HELLO) {
				if ((err = check_hello(pl, rec.len)))
					return err;
				hello = 1;
			} else if (!hello || rec.len != sizeof(st) ||
				   (rec.type != PW_REP_STATUS &&
				    rec.type != PW_REP_KERNEL)) {
				return EPROTO;
			} else {
				memcpy(&st, pl, sizeof(st));
				*step = st.step;
				if (rec.type == PW_REP_STATUS)
					return st.err >= 0 && st.err < 4096
						       ? st.err : EPROTO;
				kernel = 1;
				*route = st.reason <= PRISTINE_ROUTE_KERNEL_UNREADABLE
						 ? (int)st.reason : 0;
			}
			memmove(buf, buf + size, have - size);
			have -= size;
		}
		n = recv(e->sock, buf + have, sizeof(buf) - have, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0) {
			/* After a fallback announcement, EOF is the kernel's
			 * exec closing the socket; otherwise a death. */
			if (kernel)
				return 0;
			*step = 0;
			errmsg_set("the empty process died before it ran");
			return ESRCH;
		}
		have += (size_t)n;
	}
}

int empty_finish(struct empty *e, struct sender *s, uint32_t *step,
		 int *route)
{
	int err;

	*step = 0;
	err = sender_push(s, e->sock, 0);
	/* A send failure means the loader is gone: its reply says why. */
	{
		int rerr = read_reply(e, step, route);

		if (rerr || err)
			err = rerr ? rerr : err;
	}
	if (err) {
		if (err == EPROTO || err == ELIBBAD)
			empty_abort(e);
		else
			reap(e);
		return err;
	}
	close(e->sock);
	e->sock = -1;
	return 0;
}

int empty_spawn(const struct request *r, enum empty_fds fds, pid_t *pid,
		int *pidfd, uint32_t *step, int *route)
{
	struct sender s;
	struct empty e;
	int err;

	sender_init(&s, r);
	if ((err = empty_create(&e, fds, &s)))
		return err;
	if ((err = empty_finish(&e, &s, step, route)))
		return err;
	*pid = e.pid;
	if (pidfd)
		*pidfd = e.pidfd;
	else
		close(e.pidfd);
	return 0;
}

void sender_init(struct sender *s, const struct request *r)
{
	s->req = r;
	s->pos = 0;
	s->chunk = 0;
	request_hello(r, s->hello);
}
