/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The capability install: a loader with exactly cap_checkpoint_restore=p
 * (what `make install-loader-capability` gives it), used by uid 65534 and
 * by root. Its programs must get what glibc's posix_spawn() gives them in
 * the same state: ids, capability sets (the capability dropped), dumpable
 * (who owns /proc/PID), AT_SECURE, personality, the stack limit. In the
 * default mode the plain case takes the userspace route (that is what the
 * install buys); a personality flag or a stack limit that the loader's
 * secure exec cleared or clamped sends the run to the kernel, which must
 * start from the caller's values; a caller's ambient capabilities, which
 * no route can give back, make the spawn fail with EPERM and say why. Any
 * other privilege on the loader is refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "faults.h"
#include "pristine.h"

#define CR_HIGH (1u << (CAP_CHECKPOINT_RESTORE - 32))

/* What the program reports of itself: everything the install changes. */
static char *const report[] = {
	"sh", "-c",
	"grep -E '^(Uid|Gid|Groups|Cap[A-Za-z]*|NoNewPrivs):' "
	"/proc/$$/status; "
	"stat -c 'proc owner %u' /proc/$$/status; "
	"echo personality $(cat /proc/$$/personality); "
	"echo stack $(ulimit -Ss); "
	"od -An -tu8 -w16 /proc/$$/auxv | awk '$1 == 23 { print \"secure\", $2 }'",
	NULL,
};

/* The loader with the capability, in its own 0755 directory. */
static const char *cap_loader(void)
{
	static char path[300];

	snprintf(path, sizeof(path), "%s/cap-install/pristine-loader",
		 faults_tmp);
	return path;
}

/*
 * A copy of the loader with security.capability set to these words
 * (revision 2: magic, permitted and inheritable low, then high), and mode;
 * 0, or -1 with the reason to skip recorded.
 */
static int install(uint32_t magic, uint32_t perm_hi, uint32_t perm_lo,
		   uint32_t inh_hi, mode_t mode)
{
	struct vfs_cap_data caps = { .magic_etc = magic };
	char dir[300];
	struct statvfs vfs;

	if (geteuid() != 0) {
		skip_case("not root: cannot set file capabilities");
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s/cap-install", faults_tmp);
	mkdir(dir, 0755);
	if (statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_NOSUID)) {
		skip_case("%s is on a nosuid mount: no file capabilities",
			  dir);
		return -1;
	}
	unlink(cap_loader());
	copy_file(real_loader, cap_loader(), 0755);
	caps.data[0].permitted = perm_lo;
	caps.data[1].permitted = perm_hi;
	caps.data[1].inheritable = inh_hi;
	if (setxattr(cap_loader(), "security.capability", &caps,
		     XATTR_CAPS_SZ_2, 0) < 0) {
		skip_case("cannot set file capabilities on %s: %s", dir,
			  strerror(errno));
		return -1;
	}
	ck_assert_int_eq(chmod(cap_loader(), mode), 0);
	return 0;
}

static int install_capability(void)
{
	return install(VFS_CAP_REVISION_2, CR_HIGH, 0, 0, 0755);
}

enum state { PLAIN, NO_RANDOMIZE, BIG_STACK, AMBIENT, STATES };
static const char *const state_names[STATES] = {
	"plain", "ADDR_NO_RANDOMIZE", "a 64 MiB stack limit",
	"an ambient capability",
};

static void set_caps(uint64_t p, uint64_t e, uint64_t i)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)e, (uint32_t)p, (uint32_t)i },
		{ (uint32_t)(e >> 32), (uint32_t)(p >> 32), (uint32_t)(i >> 32) },
	};

	if (syscall(SYS_capset, &h, d) < 0)
		_exit(80);
}

/* In the child: the caller's state. */
static void become(enum state s, int nobody)
{
	const uint64_t bind = 1ull << CAP_NET_BIND_SERVICE;
	struct rlimit rl;

	if (s == AMBIENT && prctl(PR_SET_KEEPCAPS, 1) < 0)
		_exit(81);
	if (nobody && (setgroups(0, NULL) < 0 ||
		       setresgid(65534, 65534, 65534) < 0 ||
		       setresuid(65534, 65534, 65534) < 0))
		_exit(82);
	if (s == AMBIENT) {
		set_caps(bind, bind, bind);
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE,
			  CAP_NET_BIND_SERVICE, 0, 0) < 0)
			_exit(83);
	}
	if (s == NO_RANDOMIZE && personality(ADDR_NO_RANDOMIZE) < 0)
		_exit(84);
	if (s == BIG_STACK) {
		getrlimit(RLIMIT_STACK, &rl);
		rl.rlim_cur = 64ul << 20;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < rl.rlim_cur)
			_exit(85);
		if (setrlimit(RLIMIT_STACK, &rl) < 0)
			_exit(86);
	}
}

/* The report by glibc (mode < 0) or by pristine in mode, written to out
 * after a line "route R" (or "err E message"). */
static void report_by(int out, int mode)
{
	pristine_spawn_file_actions_t pfa;
	posix_spawn_file_actions_t gfa;
	pristine_spawnattr_t attr;
	char line[600], *text;
	int p[2], err;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		_exit(87);
	if (mode < 0) {
		posix_spawn_file_actions_init(&gfa);
		posix_spawn_file_actions_adddup2(&gfa, p[1], 1);
		err = posix_spawn(&pid, "/bin/sh", &gfa, NULL, report, environ);
		snprintf(line, sizeof(line), "route glibc\n");
	} else {
		pristine_spawn_file_actions_init(&pfa);
		pristine_spawn_file_actions_adddup2(&pfa, p[1], 1);
		pristine_spawnattr_init(&attr);
		pristine_spawnattr_setexecmode(&attr, mode);
		err = pristine_spawn(&pid, "/bin/sh", &pfa, &attr, report,
				     environ);
		if (err)
			snprintf(line, sizeof(line), "err %d %s\n", err,
				 pristine_errmsg());
		else
			snprintf(line, sizeof(line), "route %s\n",
				 pristine_route_name(pristine_last_route()));
	}
	close(p[1]);
	text = slurp_fd(p[0]);
	close(p[0]);
	if (!err)
		waitpid(pid, NULL, 0);
	if (write(out, line, strlen(line)) < 0 ||
	    write(out, text, strlen(text) + 1) < 0)
		_exit(88);
	free(text);
}

/* "route R\n<report>", NUL; twice: glibc's, then pristine's in mode. */
static char *reports(enum state s, int nobody, int mode)
{
	int p[2], st;
	pid_t pid;
	char *out;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		setenv("PRISTINE_LOADER", cap_loader(), 1);
		become(s, nobody);
		report_by(p[1], -1);
		report_by(p[1], mode);
		_exit(0);
	}
	close(p[1]);
	out = slurp_fd(p[0]);
	close(p[0]);
	st = wait_status(pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "%s: the caller ended with status %#x", state_names[s],
		      st);
	return out;
}

/* The report after its "route ..." line. */
static const char *body(const char *r)
{
	const char *nl = strchr(r, '\n');

	return nl ? nl + 1 : r;
}

static void compare(enum state s, int nobody, int mode, const char *route)
{
	char *out = reports(s, nobody, mode), *mine, want[64];

	mine = out + strlen(out) + 1;
	snprintf(want, sizeof(want), "route %s\n", route);
	ck_assert_msg(!strncmp(mine, want, strlen(want)),
		      "%s, %s: took %.*s where %s was due", state_names[s],
		      nobody ? "uid 65534" : "root",
		      (int)strcspn(mine, "\n"), mine, want);
	ck_assert_msg(!strcmp(body(mine), body(out)),
		      "%s, %s: the program saw\n%s\nwhere glibc's saw\n%s",
		      state_names[s], nobody ? "uid 65534" : "root",
		      body(mine), body(out));
	free(out);
}

/* What the install is for: uid 65534's programs on the userspace route,
 * as faithful as with execve(). (A fresh spawn in the default mode is the
 * kernel's, for every user: FRESH.) */
START_TEST(capability_install_userspace_route)
{
	if (install_capability() < 0)
		return;
	compare(PLAIN, 1, PRISTINE_EXEC_DEFAULT, "fresh");
	compare(PLAIN, 1, PRISTINE_EXEC_LOADER, "loader");
	compare(PLAIN, 1, PRISTINE_EXEC_KERNEL, "kernel");
	compare(PLAIN, 0, PRISTINE_EXEC_DEFAULT, "fresh");
	compare(PLAIN, 0, PRISTINE_EXEC_LOADER, "loader");
}
END_TEST

/* What the loader's secure exec changed and the kernel must not see: the
 * repairs before the kernel's exec (a fresh spawn in the default mode,
 * the kernel mode). */
START_TEST(capability_install_repairs)
{
	if (install_capability() < 0)
		return;
	compare(NO_RANDOMIZE, 1, PRISTINE_EXEC_DEFAULT, "fresh");
	compare(BIG_STACK, 1, PRISTINE_EXEC_DEFAULT, "fresh");
	compare(BIG_STACK, 1, PRISTINE_EXEC_KERNEL, "kernel");
}
END_TEST

/* Ambient capabilities: cleared at the loader's exec, by the kernel. */
START_TEST(capability_install_ambient_refused)
{
	char *out, *mine;

	if (install_capability() < 0)
		return;
	out = reports(AMBIENT, 1, PRISTINE_EXEC_DEFAULT);
	mine = out + strlen(out) + 1;
	ck_assert_msg(strstr(body(out), "CapAmb:\t0000000000000400"),
		      "glibc's program lost its ambient capability:\n%s", out);
	ck_assert_msg(!strncmp(mine, "err 1 ", 6) &&
		      strstr(mine, "ambient capabilities"),
		      "a spawn through the capability install: %s", mine);
	free(out);
}
END_TEST

/* Anything but exactly cap_checkpoint_restore=p: every request refused. */
START_TEST(capability_install_nothing_else)
{
	static const struct {
		uint32_t magic, perm_hi, perm_lo, inh_hi;
		mode_t mode;
	} bad[] = {
		{ VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE, CR_HIGH, 0, 0,
		  0755 },				/* =ep */
		{ VFS_CAP_REVISION_2, CR_HIGH, 1u << CAP_NET_RAW, 0, 0755 },
		{ VFS_CAP_REVISION_2, CR_HIGH, 0, CR_HIGH, 0755 },	/* =pi */
		{ VFS_CAP_REVISION_2, CR_HIGH, 0, 0, 04755 },	/* set-uid */
		{ VFS_CAP_REVISION_2, CR_HIGH, 0, 0, 02755 },	/* set-gid */
		{ VFS_CAP_REVISION_2, 0, 1u << CAP_SYS_ADMIN, 0, 0755 },
	};
	size_t i;
	char *out;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (install(bad[i].magic, bad[i].perm_hi, bad[i].perm_lo,
			    bad[i].inh_hi, bad[i].mode) < 0)
			return;
		out = spawn_as_nobody(cap_loader(), built("show-process"),
				      NULL);
		ck_assert_msg(strstr(out, "spawner: err=1 route=-1\n") &&
			      !strstr(out, "euid="),
			      "capability variant %zu ran:\n%s", i, out);
		free(out);
	}
	/* And the one that is accepted, by the same spawner (in the loader
	 * mode: a fresh spawn in the default mode is the kernel's). */
	if (install_capability() < 0)
		return;
	out = spawn_as_nobody(cap_loader(), built("show-process"), "loader");
	expect_in(out, "euid=65534 uid=65534\n");
	expect_in(out, "secure=0 ");
	expect_in(out, "spawner: err=0 route=0 exit=0\n");
	free(out);
}
END_TEST

Suite *capability_suite(void)
{
	Suite *s = suite_create("capability");
	TCase *tc = tcase_create("capability");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, capability_install_userspace_route);
	tcase_add_test(tc, capability_install_repairs);
	tcase_add_test(tc, capability_install_ambient_refused);
	tcase_add_test(tc, capability_install_nothing_else);
	suite_add_tcase(s, tc);
	return s;
}
