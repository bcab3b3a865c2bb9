/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * A process that may not install a seccomp filter (no no_new_privs, no
 * CAP_SYS_ADMIN) gets EACCES from pristine_run() on both routes, and no
 * child. On the loader route the filter is installed past the point of no
 * return, so the refusal has to be found before it: it used to surface as
 * a successful run whose child exited 127 at once.
 *
 * Runs unprivileged: as root it drops to uid/gid 65534 first. One check,
 * in TAP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pristine.h"

static void fail(const char *what)
{
	printf("not ok 1 - %s (%s; %s)\n", what, strerror(errno),
	       pristine_errmsg());
	exit(1);
}

/* A filter that makes mkdir() fail with EROFS, as BPF bytes. */
static void *filter(int *len)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int fd = memfd_create("filter", MFD_CLOEXEC);
	void *buf;
	off_t n;

	if (!ctx || fd < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EROFS), SCMP_SYS(mkdir), 0) ||
	    seccomp_export_bpf(ctx, fd) || (n = lseek(fd, 0, SEEK_END)) <= 0 ||
	    !(buf = malloc((size_t)n)) || pread(fd, buf, (size_t)n, 0) != n)
		fail("building the filter");
	seccomp_release(ctx);
	close(fd);
	*len = (int)n;
	return buf;
}

/* Runs /bin/true with the filter; returns pristine_run()'s errno or 0
 * after checking that the child exited 0. */
static int run(const void *bpf, int len, const char *mode, int nnp)
{
	int h = pristine_open(0), pidfd, status;
	pid_t pid;

	if (h < 0)
		fail("pristine_open");
	if (pristine_config(h, PRISTINE_SET_PATH, "exec", "/bin/true",
			    AT_FDCWD) ||
	    pristine_config(h, PRISTINE_SET_STRING, "mode", mode, 0) ||
	    pristine_config(h, PRISTINE_SET_BINARY, "seccomp", bpf, len) ||
	    (nnp && pristine_config(h, PRISTINE_SET_FLAG, "no-new-privs",
				    NULL, 0)))
		fail("pristine_config");
	pidfd = pristine_run(h, &pid);
	if (pidfd < 0)
		return errno;
	close(pidfd);
	if (waitpid(pid, &status, 0) != pid)
		fail("waitpid");
	if (status != 0) {
		printf("not ok 1 - mode %s, no-new-privs %d: child status "
		       "%#x\n", mode, nnp, status);
		exit(1);
	}
	return 0;
}

int main(void)
{
	static const char *const modes[] = { "loader", "kernel" };
	int len, i, err, h;
	void *bpf;

	printf("1..1\n");
	if (getuid() == 0 &&
	    (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	     setresuid(65534, 65534, 65534)))
		fail("dropping to uid 65534");
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1) {
		printf("ok 1 # SKIP no_new_privs is already set for this "
		       "test\n");
		return 0;
	}
	if ((h = pristine_open(0)) < 0) {
		printf("ok 1 # SKIP uid 65534 cannot start the loader: %s\n",
		       pristine_errmsg());
		return 0;
	}
	close(h);
	bpf = filter(&len);
	for (i = 0; i < 2; i++) {
		if ((err = run(bpf, len, modes[i], 0)) != EACCES) {
			printf("not ok 1 - mode %s without no-new-privs: %s, "
			       "expected EACCES\n", modes[i],
			       err ? strerror(err) : "ran");
			return 1;
		}
		if ((err = run(bpf, len, modes[i], 1)) != 0) {
			printf("not ok 1 - mode %s with no-new-privs: %s\n",
			       modes[i], strerror(err));
			return 1;
		}
	}
	if (waitpid(-1, NULL, WNOHANG | __WALL) != -1 || errno != ECHILD) {
		printf("not ok 1 - a child was left behind\n");
		return 1;
	}
	free(bpf);
	printf("ok 1 - seccomp refused: EACCES from pristine_run on both "
	       "routes\n");
	return 0;
}
