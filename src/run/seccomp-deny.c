/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * pristine-run --seccomp-deny: a filter compiled by libseccomp that lets
 * every system call through except the denied ones, which fail with a
 * chosen errno. libseccomp writes the BPF program to a file descriptor;
 * the "seccomp" key takes it as bytes, so it goes through a memfd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "seccomp-deny.h"
#include "tool.h"

/* Reads the whole memfd back from offset 0. */
static int read_back(int fd, void **bpf, size_t *len)
{
	off_t end = lseek(fd, 0, SEEK_END);
	unsigned char *buf;
	size_t have = 0;

	if (end <= 0)
		return end < 0 ? errno : EINVAL;
	if (!(buf = malloc((size_t)end)))
		return ENOMEM;
	while (have < (size_t)end) {
		ssize_t n = pread(fd, buf + have, (size_t)end - have,
				  (off_t)have);

		if (n <= 0) {
			free(buf);
			return n < 0 ? errno : EIO;
		}
		have += (size_t)n;
	}
	*bpf = buf;
	*len = have;
	return 0;
}

int seccomp_deny_filter(char *const *names, size_t n, int err, void **bpf,
			size_t *len)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int fd = -1, r = TOOL_EXIT_FAILURE, e;
	size_t i;

	if (!ctx) {
		tool_error("seccomp: cannot create a filter");
		return r;
	}
	for (i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);

		if (nr == __NR_SCMP_ERROR) {
			tool_error("--seccomp-deny: unknown system call '%s'",
				   names[i]);
			goto out;
		}
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), nr, 0))) {
			tool_error("--seccomp-deny: cannot deny '%s': %s",
				   names[i], strerror(-r));
			r = TOOL_EXIT_FAILURE;
			goto out;
		}
	}
	r = TOOL_EXIT_FAILURE;
	if ((fd = memfd_create("pristine-run-seccomp", MFD_CLOEXEC)) < 0) {
		tool_error("seccomp: memfd_create: %s", strerror(errno));
		goto out;
	}
	if ((e = -seccomp_export_bpf(ctx, fd)) ||
	    (e = read_back(fd, bpf, len))) {
		tool_error("seccomp: cannot export the filter: %s",
			   strerror(e));
		goto out;
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return r;
}
