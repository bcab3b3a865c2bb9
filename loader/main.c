/*
 * The empty process: read the whole request, apply it record by record,
 * run the image. Any failure is reported once, with the step that failed,
 * and the process exits 127 without running anything.
 */
#include <elf.h>
#include "loader.h"
#include "mem.h"
#include "start.h"
#include "sys.h"
#include "build-id.h"

#define SMALL_REQUEST 65536

static unsigned char small_request[SMALL_REQUEST] __attribute__((aligned(8)));
static int small_fds[256];

static void say(const char *msg)
{
	sys_write(2, msg, strlen(msg));
}

/*
 * The first reply carries the loader's hello in the same message: a hello
 * of its own, sent at start, would wake the caller once more for nothing
 * (the caller reads nothing before the status anyway).
 */
int loader_send(struct loader *l, uint32_t type, const void *p, uint32_t len)
{
	static const struct {
		struct pw_rec r;
		struct pw_hello h;
	} hello = {
		{ PW_REP_HELLO, sizeof(struct pw_hello) },
		{ PW_MAGIC, PW_VERSION, PRISTINE_BUILD_ID, 0, 0 },
	};
	unsigned char buf[sizeof(hello) + sizeof(struct pw_rec) + 32];
	unsigned char *rec = buf;
	struct pw_rec r = { .type = type, .len = len };
	long n;

	if (len > 32)
		return -EINVAL;
	if (!l->said_hello) {
		memcpy(buf, &hello, sizeof(hello));
		rec += sizeof(hello);
	}
	memcpy(rec, &r, sizeof(r));
	memset(rec + sizeof(r), 0, 32);
	memcpy(rec + sizeof(r), p, len);
	n = sys_sendto(l->sock, buf,
		       (size_t)(rec - buf) + sizeof(r) + PW_ALIGN(len),
		       MSG_NOSIGNAL_);
	if (n < 0)
		return (int)n;
	l->said_hello = 1;
	return 0;
}

void loader_fail(struct loader *l, int err)
{
	struct pw_status st = {
		.err = err, .step = l->step, .type = l->step_type,
	};

	loader_send(l, PW_REP_STATUS, &st, sizeof(st));
	sys_exit_group(127);
}

int loader_take_fd(struct loader *l)
{
	if (l->next_fd >= l->nfds)
		return -EPROTO;
	return l->fds[l->next_fd++];
}

int loader_owns_fd(const struct loader *l, int fd)
{
	uint32_t i;

	if (fd == l->sock || fd == l->image_fd)
		return 1;
	for (i = l->next_fd; i < l->nfds; i++)
		if (l->fds[i] == fd)
			return 1;
	return 0;
}

static int move_fd(int fd)
{
	long nfd = sys_fcntl(fd, F_DUPFD_CLOEXEC, fd + 1);

	if (nfd < 0)
		return (int)nfd;
	sys_close(fd);
	return (int)nfd;
}

int loader_vacate_fd(struct loader *l, int fd)
{
	uint32_t i;
	int nfd;

	if (fd == l->sock) {
		if ((nfd = move_fd(fd)) < 0)
			return nfd;
		l->sock = nfd;
	}
	if (fd == l->image_fd) {
		if ((nfd = move_fd(fd)) < 0)
			return nfd;
		l->image_fd = nfd;
	}
	for (i = l->next_fd; i < l->nfds; i++) {
		if (l->fds[i] != fd)
			continue;
		if ((nfd = move_fd(fd)) < 0)
			return nfd;
		l->fds[i] = nfd;
	}
	return 0;
}

/* Receives exactly len bytes, appending any descriptors to l->fds. */
static int recv_all(struct loader *l, unsigned char *buf, size_t len,
		    uint32_t max_fds)
{
	union {
		struct loader_cmsghdr h;
		unsigned char b[sizeof(struct loader_cmsghdr) + 256 * 4];
	} ctl;

	while (len) {
		struct iovec iov = { .iov_base = buf, .iov_len = len };
		struct loader_msghdr m = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = &ctl, .msg_controllen = sizeof(ctl),
		};
		long n = sys_recvmsg(l->sock, &m, MSG_CMSG_CLOEXEC_);

		if (n == -EINTR)
			continue;
		if (n < 0)
			return (int)n;
		if (n == 0)
			return -ECONNRESET;
		if (m.msg_flags & MSG_CTRUNC_)
			return -EPROTO;
		if (m.msg_controllen >= sizeof(ctl.h)) {
			struct loader_cmsghdr *c = &ctl.h;
			size_t k, nfd;

			if (c->cmsg_level != SOL_SOCKET_ ||
			    c->cmsg_type != SCM_RIGHTS_ ||
			    c->cmsg_len < sizeof(*c))
				return -EPROTO;
			nfd = (c->cmsg_len - sizeof(*c)) / sizeof(int);
			for (k = 0; k < nfd; k++) {
				int fd;

				memcpy(&fd, ctl.b + sizeof(*c) + 4 * k, 4);
				if (l->nfds >= max_fds) {
					sys_close(fd);
					return -EPROTO;
				}
				l->fds[l->nfds++] = fd;
			}
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void *alloc(size_t len)
{
	long p = sys_mmap(0, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p < 0 && p > -4096 ? 0 : (void *)p;
}

static int parse_socket_fd(const char *s)
{
	int v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

static void read_kernel_state(struct loader *l, unsigned long *sp)
{
	unsigned long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	uint64_t *auxv, execfn = 0;
	size_t i;

	while (*envp)
		envp++;
	auxv = (uint64_t *)(envp + 1);
	for (i = 0; i < LOADER_AUXV_MAX - 1 && auxv[2 * i] != AT_NULL; i++) {
		l->auxv[2 * i] = auxv[2 * i];
		l->auxv[2 * i + 1] = auxv[2 * i + 1];
		if (auxv[2 * i] == AT_EXECFN)
			execfn = auxv[2 * i + 1];
	}
	l->auxv[2 * i] = AT_NULL;
	l->auxv[2 * i + 1] = 0;
	/* The kernel puts the exec file name right below 8 zero bytes at the
	 * very top of the stack mapping. */
	l->stack_top = execfn + strlen((const char *)execfn) + 1 + 8;
	l->kernel_sp = (uint64_t)sp;
	l->sock = argc >= 2 ? parse_socket_fd(argv[1]) : -1;
}

static int check_hello(const struct pw_rec *r, const struct pw_hello *h)
{
	if (r->type != PW_REQ_HELLO || r->len != sizeof(*h) ||
	    h->magic != PW_MAGIC)
		return -EPROTO;
	if (h->version != PW_VERSION || h->build_id != PRISTINE_BUILD_ID)
		return -ELIBBAD;
	if (h->length > PW_MAX_REQUEST || h->nfds > PW_MAX_FDS ||
	    (h->length & 7))
		return -EPROTO;
	return 0;
}

static __attribute__((noreturn)) void serve(struct loader *l)
{
	struct {
		struct pw_rec r;
		struct pw_hello h;
	} req;
	unsigned char *p, *end;
	uint32_t records = 0;
	int err;

	l->fds = small_fds;
	err = recv_all(l, (unsigned char *)&req, sizeof(req), 256);
	if (err == -ECONNRESET)
		sys_exit_group(127);	/* the caller went away: nothing to say */
	if (!err)
		err = check_hello(&req.r, &req.h);
	if (!err && req.h.nfds > 256) {
		int *big = alloc(req.h.nfds * sizeof(int));

		if (!big)
			loader_fail(l, ENOMEM);
		memcpy(big, small_fds, l->nfds * sizeof(int));
		l->fds = big;
	}
	if (!err) {
		p = req.h.length <= SMALL_REQUEST ? small_request
						   : alloc(req.h.length);
		if (!p)
			loader_fail(l, ENOMEM);
		err = recv_all(l, p, req.h.length, req.h.nfds);
	}
	if (!err && l->nfds != req.h.nfds)
		err = -EPROTO;
	if (err == -ECONNRESET)
		sys_exit_group(127);
	if (err)
		loader_fail(l, -err);

	end = p + req.h.length;
	while (p < end) {
		const struct pw_rec *r = (const struct pw_rec *)p;
		const unsigned char *payload = p + sizeof(*r);

		l->step = ++records;
		if ((size_t)(end - p) < sizeof(*r) ||
		    r->len > (size_t)(end - payload) ||
		    PW_ALIGN(r->len) > (size_t)(end - payload)) {
			l->step_type = 0;
			loader_fail(l, EPROTO);
		}
		l->step_type = r->type;
		p += sizeof(*r) + PW_ALIGN(r->len);
		if (r->type == PW_REQ_RUN) {
			const struct pw_run *run = (const void *)payload;

			if (p != end || r->len != sizeof(*run))
				loader_fail(l, EPROTO);
			loader_fail(l, -run_image(l, run->mode));
		}
		err = actions_apply(l, r->type, payload, r->len);
		if (err)
			loader_fail(l, -err);
	}
	l->step_type = 0;
	loader_fail(l, EPROTO);	/* no run record */
}

void loader_main(unsigned long *sp)
{
	static struct loader l;
	uint64_t all = ~0ull;
	int type = 0, len = sizeof(type);

	sys_rt_sigprocmask(SIG_SETMASK, &all, 0);
	read_kernel_state(&l, sp);
	l.image_fd = -1;
	l.randomize = !(sys_personality(0xffffffffu) & 0x0040000 /* ADDR_NO_RANDOMIZE */);
	if (l.sock < 0 ||
	    sys_getsockopt(l.sock, SOL_SOCKET_, SO_TYPE_, &type, &len) < 0 ||
	    type != 1 /* SOCK_STREAM */) {
		say("pristine-loader: no control socket (this program is started "
		    "by libpristine, with its socket's fd number as argument)\n");
		sys_exit_group(127);
	}
	sys_fcntl(l.sock, F_SETFD, FD_CLOEXEC);
	serve(&l);
}
