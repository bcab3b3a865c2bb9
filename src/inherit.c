/*
 * A member of a reserve was exec'd earlier, from another thread: it holds
 * the caller's state of that time. These records give it what an exec
 * from the caller would keep now: the inheritable descriptors (at their
 * numbers, sharing their open file descriptions), the current directory,
 * the umask, the ignored signals (every other one at its default), and
 * no_new_privs. Credentials (ids, groups, capabilities, securebits) and
 * seccomp filters are checked by reserve_take() (creds.c); rlimits,
 * namespaces and cgroup stay those of the member's creation (see
 * pristine(7)).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "reserve.h"

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int add_fds(struct request *req)
{
	char buf[4096];
	int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long n;

	if (dir < 0)
		return req->err = errno;
	while ((n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
		long off;

		for (off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);
			struct pw_fd f = { 0 };
			int fd, fl, copy;

			off += d->d_reclen;
			if (d->d_name[0] < '0' || d->d_name[0] > '9')
				continue;
			fd = atoi(d->d_name);
			fl = fcntl(fd, F_GETFD);
			if (fd == dir || fl < 0 || (fl & FD_CLOEXEC))
				continue;
			if ((copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
				req->err = errno;
				break;
			}
			f.target = fd;
			request_add_fd(req, PW_REQ_FD, "inherited fd", copy, &f,
				       sizeof(f), NULL, 0);
		}
	}
	close(dir);
	return req->err;
}

/* The value of "Name:\t<value>" in /proc/self/status, parsed in base. */
static int status_field(const char *text, const char *name, int base,
			unsigned long long *out)
{
	const char *p = strstr(text, name);

	if (!p)
		return -1;
	*out = strtoull(p + strlen(name), NULL, base);
	return 0;
}

/*
 * umask, ignored signals and no_new_privs, from one read of
 * /proc/self/status: umask() would have to set it to read it, which
 * another thread could see, and the dispositions take 64 calls.
 */
static int add_status(struct request *req, uint64_t had, int signals)
{
	char text[4096];
	unsigned long long um, ign, nnp;
	struct pw_sigset dfl, ig;
	struct pw_int umv;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return req->err = errno;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return req->err = n < 0 ? errno : EIO;
	text[n] = 0;
	if (status_field(text, "\nUmask:\t", 8, &um) ||
	    status_field(text, "\nSigIgn:\t", 16, &ign) ||
	    status_field(text, "\nNoNewPrivs:\t", 10, &nnp))
		return req->err = EIO;
	umv = (struct pw_int){ .value = (int32_t)um };
	request_add(req, PW_REQ_UMASK, "inherited umask", &umv, sizeof(umv),
		    NULL, 0);
	/* Only what differs from the member's own dispositions. */
	dfl.set = had & ~(signals ? (uint64_t)ign : 0);
	ig.set = signals ? ign & ~had : 0;
	if (dfl.set)
		request_add(req, PW_REQ_SIGDEFAULT, "inherited signals", &dfl,
			    sizeof(dfl), NULL, 0);
	if (ig.set)
		request_add(req, PW_REQ_SIGIGNORE, "inherited signals", &ig,
			    sizeof(ig), NULL, 0);
	if (nnp)
		request_add(req, PW_REQ_NO_NEW_PRIVS, "inherited no_new_privs",
			    NULL, 0, NULL, 0);
	return req->err;
}

uint64_t ignored_signals(pid_t pid)
{
	char path[64], text[4096];
	unsigned long long ign = ~0ull;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ign;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n > 0) {
		text[n] = 0;
		status_field(text, "\nSigIgn:\t", 16, &ign);
	}
	return ign;
}

static int add_cwd(struct request *req)
{
	int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (cwd < 0)
		return req->err = errno;
	return request_add_fd(req, PW_REQ_FCHDIR_FD, "inherited cwd", cwd,
			      NULL, 0, NULL, 0);
}

int inherit_add(struct request *req, uint64_t had)
{
	if (add_fds(req) || add_cwd(req))
		return req->err;
	return add_status(req, had, 1);
}

int inherit_open(struct request *req, uint64_t had)
{
	if (add_cwd(req))
		return req->err;
	return add_status(req, had, 0);
}
