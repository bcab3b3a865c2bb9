/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The sandbox scenario (--sandbox): a process confined step by step, each
 * step one pristine_config() call, where a launcher would otherwise fork,
 * unshare, write the maps, drop capabilities, restrict itself and exec:
 * new user, mount, network and IPC namespaces (root inside, the caller
 * outside), private mounts, an empty bounding set (no capability even for
 * root inside), no_new_privs, a Landlock ruleset (the system's files read
 * and executed, nothing written), a seccomp filter (mkdir fails with
 * EPERM), and a minimal environment.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "demo.h"
#include "pristine.h"
#include "tool.h"

/* What the sandboxed shell reports when no command is given. */
static const char report[] =
	"echo \"uid $(id -u) in a user namespace:\" $(cat /proc/self/uid_map); "
	"grep CapEff /proc/self/status; "
	"head -c 0 /etc/hostname && echo 'reading /etc/hostname: allowed'; "
	"(: >/tmp/pristine-sandbox) 2>&1; "
	"mkdir /tmp/pristine-sandbox.d 2>&1; "
	"exit 0";

/* mkdir and mkdirat fail with EPERM; everything else is allowed. */
static const struct sock_filter filter[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mkdir, 2, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mkdirat, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
};

/* Read and execute below the system's directories; nothing else. */
static int landlock_ruleset(void)
{
	static const char *const readable[] = {
		"/usr", "/bin", "/sbin", "/lib", "/lib64", "/etc", "/proc",
		"/dev/null",
	};
	struct landlock_ruleset_attr attr = {
		.handled_access_fs = (1ull << 13) - 1,	/* ABI 1's rights */
	};
	size_t i;
	int fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr),
			      0);

	for (i = 0; fd >= 0 && i < sizeof(readable) / sizeof(readable[0]); i++) {
		struct landlock_path_beneath_attr pb = {
			.allowed_access = LANDLOCK_ACCESS_FS_EXECUTE |
					  LANDLOCK_ACCESS_FS_READ_FILE |
					  LANDLOCK_ACCESS_FS_READ_DIR,
			.parent_fd = open(readable[i], O_PATH | O_CLOEXEC),
		};

		if (pb.parent_fd < 0)
			continue;
		if (!strcmp(readable[i], "/dev/null"))
			pb.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE |
					    LANDLOCK_ACCESS_FS_WRITE_FILE;
		syscall(SYS_landlock_add_rule, fd, LANDLOCK_RULE_PATH_BENEATH,
			&pb, 0);
		close(pb.parent_fd);
	}
	return fd;
}

int demo_sandbox(struct demo *d, const char *path, char **argv)
{
	static char uid_map[32], gid_map[32];
	static const uint64_t no_caps = 0;
	static char *sh_argv[] = { "sh", "-c", NULL, NULL };
	static char *env[] = { "PATH=/usr/bin:/bin", NULL };
	size_t nargv, i;
	int landlock;

	if (!argv) {
		path = "/bin/sh";
		sh_argv[2] = (char *)report;
		argv = sh_argv;
	}
	d->path = path;
	d->argv = argv;
	d->envp = env;
	for (nargv = 0; argv[nargv]; nargv++)
		;
	d->null_in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	d->steps = calloc(24 + nargv, sizeof(*d->steps));
	if (d->null_in < 0 || !d->steps) {
		tool_error("cannot set up the sandbox: %s", strerror(errno));
		return TOOL_EXIT_FAILURE;
	}
	snprintf(uid_map, sizeof(uid_map), "0 %u 1", (unsigned)geteuid());
	snprintf(gid_map, sizeof(gid_map), "0 %u 1", (unsigned)getegid());
	d->nsteps = 0;
#define STEP(cmd, key, value, aux, shown) \
	d->steps[d->nsteps++] = (struct demo_step){ cmd, key, value, aux, shown }
	STEP(PRISTINE_SET_FD, "fd:0", NULL, d->null_in, "/dev/null, read-only");
	STEP(PRISTINE_SET_FD, "fd:1", NULL, 1, "the demo's stdout");
	STEP(PRISTINE_SET_FD, "fd:2", NULL, 2, "the demo's stderr");
	STEP(PRISTINE_SET_INT, "unshare", NULL,
	     CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC,
	     "new user, mount, network and IPC namespaces");
	STEP(PRISTINE_SET_STRING, "setgroups", "deny", 0,
	     "deny: no group can be dropped to gain access");
	STEP(PRISTINE_SET_STRING, "uid-map", uid_map, 0,
	     "root inside is this user outside");
	STEP(PRISTINE_SET_STRING, "gid-map", gid_map, 0,
	     "and the same for the group");
	STEP(PRISTINE_SET_STRING, "mount-propagation", "private", 0,
	     "no mount goes in or out");
	STEP(PRISTINE_SET_PATH, "cwd", "/", AT_FDCWD, "\"/\"");
	STEP(PRISTINE_SET_BINARY, "cap-bounding", &no_caps, sizeof(no_caps),
	     "empty: even root inside gets no capability at exec");
	STEP(PRISTINE_SET_BINARY, "cap-inheritable", &no_caps,
	     sizeof(no_caps), "empty");
	STEP(PRISTINE_SET_FLAG, "no-new-privs", NULL, 0,
	     "no set-user-ID or file capability can give any back");
	landlock = landlock_ruleset();
	if (landlock >= 0)
		STEP(PRISTINE_SET_FD, "landlock", NULL, landlock,
		     "the system's files read and executed, nothing written");
	else
		d->no_landlock = errno;
	STEP(PRISTINE_SET_BINARY, "seccomp", filter, (int)sizeof(filter),
	     "mkdir and mkdirat fail with EPERM");
	STEP(PRISTINE_SET_INT, "close-from", NULL, 3, "3");
	for (i = 0; i < nargv; i++)
		STEP(PRISTINE_SET_STRING, "argv", argv[i], 0, argv[i]);
	STEP(PRISTINE_SET_STRING, "env", env[0], 0, env[0]);
	STEP(PRISTINE_SET_PATH, "exec", path, AT_FDCWD, path);
#undef STEP
	return 0;
}
