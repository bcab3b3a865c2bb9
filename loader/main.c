/*
 * The empty process: read the whole request, apply it record by record,
 * run the image, and say so (hello and status in one message). Any failure is reported once, with the step that
 * failed, and the process exits 127 without running anything.
 */
#include <elf.h>
#include "loader.h"
#include "mem.h"
#include "start.h"
#include "sys.h"
#include "build-id.h"

static void say(const char *msg)
{
	sys_write(2, msg, strlen(msg));
}

/*
 * Sends one record. The first one goes out behind the loader's hello, in
 * the same write: the library reads both with one wake-up.
 */
int loader_send(struct loader *l, uint32_t type, const void *p, uint32_t len)
{
	struct {
		struct pw_rec hr;
		struct pw_hello h;
		struct pw_rec r;
		unsigned char payload[32];
	} msg = {
		{ PW_REP_HELLO, sizeof(struct pw_hello) },
		{ PW_MAGIC, PW_VERSION, PRISTINE_BUILD_ID, 0, 0 },
		{ type, len },
		{ 0 },
	};
	unsigned char *start = (unsigned char *)&msg;
	long n;

	if (len > sizeof(msg.payload))
		return -EINVAL;
	memcpy(msg.payload, p, len);
	if (l->said_hello)
		start = (unsigned char *)&msg.r;
	l->said_hello = 1;
	n = sys_sendto(l->sock, start, (size_t)((unsigned char *)&msg.payload -
						start) + PW_ALIGN(len),
		       MSG_NOSIGNAL_);
	return n < 0 ? (int)n : 0;
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

/* One recvmsg(): some bytes (>= 1), their descriptors appended to l->fds. */
static long recv_some(struct loader *l, unsigned char *buf, size_t len,
		      uint32_t max_fds)
{
	union {
		struct loader_cmsghdr h;
		unsigned char b[sizeof(struct loader_cmsghdr) + 256 * 4];
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct loader_msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = &ctl, .msg_controllen = sizeof(ctl),
	};
	long n;

	do
		n = sys_recvmsg(l->sock, &m, MSG_CMSG_CLOEXEC_);
	while (n == -EINTR);
	if (n < 0)
		return n;
	if (n == 0)
		return -ECONNRESET;
	/* The library sends at most SCM_MAX_FD descriptors per message, which
	 * ctl holds: descriptors were dropped because this process could
	 * not take them (RLIMIT_NOFILE lower than the caller's: a pool
	 * member made before the caller raised it). */
	if (m.msg_flags & MSG_CTRUNC_)
		return -EMFILE;
	if (m.msg_controllen >= sizeof(ctl.h)) {
		struct loader_cmsghdr *c = &ctl.h;
		size_t k, nfd;

		if (c->cmsg_level != SOL_SOCKET_ || c->cmsg_type != SCM_RIGHTS_ ||
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
	return n;
}

/* Receives exactly len bytes. */
static int recv_all(struct loader *l, unsigned char *buf, size_t len,
		    uint32_t max_fds)
{
	while (len) {
		long n = recv_some(l, buf, len, max_fds);

		if (n < 0)
			return (int)n;
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

void loader_release(struct loader *l)
{
	if (l->big_request)
		sys_munmap(l->big_request, l->big_request_len);
	if (l->big_fds)
		sys_munmap(l->big_fds, l->big_fds_len);
	l->big_request = l->big_fds = 0;
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

/*
 * Reads the request. The library usually queued all of it before we
 * started: one recvmsg() brings the hello and the records together.
 */
static unsigned char *read_request(struct loader *l, size_t *length)
{
	const size_t hello = sizeof(struct pw_rec) + sizeof(struct pw_hello);
	struct pw_hello h;
	unsigned char *p = l->request;
	size_t have = 0;
	long n;
	int err = 0;

	loader_release(l);	/* a template's first request */
	l->fds = l->small_fds;
	while (have < hello && err >= 0) {
		n = recv_some(l, l->request + have, sizeof(l->request) - have,
			      LOADER_SMALL_FDS);
		err = n < 0 ? (int)n : 0;
		have += n > 0 ? (size_t)n : 0;
	}
	if (err == -ECONNRESET)
		sys_exit_group(127);	/* the caller went away: nothing to say */
	if (err == -ENOTSOCK || err == -EBADF) {
		say("pristine-loader: no control socket (this program is started "
		    "by libpristine, with its socket's fd number as argument)\n");
		sys_exit_group(127);
	}
	if (err)
		loader_fail(l, -err);
	err = records_check_hello(l->request, PRISTINE_BUILD_ID, &h);
	if (err < 0 || have - hello > h.length)
		loader_fail(l, err ? -err : EPROTO);
	if (h.nfds > LOADER_SMALL_FDS) {
		l->big_fds_len = h.nfds * sizeof(int);
		if (!(l->big_fds = alloc(l->big_fds_len)))
			loader_fail(l, ENOMEM);
		memcpy(l->big_fds, l->small_fds, l->nfds * sizeof(int));
		l->fds = l->big_fds;
	}
	if (h.length <= sizeof(l->request) - hello) {
		p = l->request + hello;
	} else {
		l->big_request_len = h.length;
		if (!(p = l->big_request = alloc(h.length)))
			loader_fail(l, ENOMEM);
		memcpy(p, l->request + hello, have - hello);
	}
	err = recv_all(l, p + (have - hello), h.length - (have - hello),
		       h.nfds);
	if (!err && l->nfds != h.nfds)
		err = -EPROTO;
	if (err == -ECONNRESET)
		sys_exit_group(127);
	if (err)
		loader_fail(l, -err);
	*length = h.length;
	return p;
}

/*
 * Applies one request's records in order up to its RUN (which does not
 * return) or PREPARE (after which the next request follows).
 */
static void apply(struct loader *l, const unsigned char *p,
		  const unsigned char *end)
{
	struct record rec;
	int n, err;

	while ((n = records_next(&p, end, &rec)) != 0) {
		l->step++;
		l->step_type = rec.type;
		if (n < 0)
			loader_fail(l, -n);
		if (rec.type == PW_REQ_RUN)
			loader_fail(l, -run_image(l, rec.u.mode));
		if (rec.type == PW_REQ_PREPARE) {
			if ((err = prepare_image(l, rec.u.mode)) < 0)
				loader_fail(l, -err);
			return;
		}
		if (rec.type == PW_REQ_IMAGE && l->prepared.done)
			loader_fail(l, EPROTO);	/* a template's image is set */
		if ((err = actions_apply(l, &rec)) < 0)
			loader_fail(l, -err);
	}
	l->step_type = 0;
	loader_fail(l, EPROTO);	/* no run record */
}

static __attribute__((noreturn)) void serve(struct loader *l)
{
	for (;;) {
		size_t length;
		unsigned char *p = read_request(l, &length);
		struct pw_status ready;

		l->step = 0;
		apply(l, p, p + length);
		/* Prepared: say so, with the route, and wait for the rest. */
		ready = (struct pw_status){ .step = l->step, .type = l->step_type,
					    .reason = l->prepared.reason };
		loader_send(l, PW_REP_STATUS, &ready, sizeof(ready));
		l->nfds = l->next_fd = 0;
	}
}

/*
 * A loader installed set-user-ID, set-group-ID or with file capabilities
 * would lend that privilege to any program anyone asks it to run (no need
 * for the library: any process can talk to it). The kernel sets AT_SECURE
 * for such an exec; it also does when the caller itself runs with mixed
 * ids, which a real exec keeps too, so the loader's own file decides.
 */
static int privileged_install(const struct loader *l)
{
	struct loader_stat st;
	uint32_t why = PW_WHY_SETID;
	long fd;
	int i;

	for (i = 0; l->auxv[2 * i] != AT_NULL; i++)
		if (l->auxv[2 * i] == AT_SECURE)
			break;
	if (!l->auxv[2 * i + 1])
		return 0;
	fd = sys_openat(AT_FDCWD, "/proc/self/exe", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return 1;	/* cannot tell: refuse */
	if (sys_fstat((int)fd, &st) == 0)
		why = privilege_reason((int)fd, &st);
	sys_close((int)fd);
	return why != PW_WHY_NONE;
}

void loader_main(unsigned long *sp)
{
	struct loader *l = &loader_memory.l;
	uint64_t hot = (uint64_t)&loader_memory.stack[LOADER_STACK_SIZE - 8192];

	/* Fault in the hot pages with one call instead of one trap each. */
	sys_madvise((void *)hot, ELF_PAGEALIGN((uint64_t)&l->request[4096]) - hot,
		    23 /* MADV_POPULATE_WRITE */);
	read_kernel_state(l, sp);
	l->image_fd = -1;
	l->fd_name = -1;
	l->randomize = !(sys_personality(0xffffffffu) & 0x0040000 /* ADDR_NO_RANDOMIZE */);
	if (l->sock < 0) {
		say("pristine-loader: no control socket (this program is started "
		    "by libpristine, with its socket's fd number as argument)\n");
		sys_exit_group(127);
	}
	if (privileged_install(l)) {
		say("pristine-loader: installed set-user-ID, set-group-ID or "
		    "with file capabilities: it must not be\n");
		loader_fail(l, EPERM);
	}
	/* Every signal is blocked: the library started us so. */
	serve(l);
}
