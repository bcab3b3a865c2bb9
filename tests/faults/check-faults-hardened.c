/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Hardened callers. A caller under memory-deny-write-execute (the prctl,
 * or systemd's seccomp filter of the same name), or under a seccomp filter
 * that refuses or kills a call only the loader makes (faccessat2, the
 * legacy fstat, getrandom, madvise, personality), spawns /bin/true by every
 * way pristine has: each must run it as glibc's posix_spawn() does in the
 * same state, by the kernel's route, and never die of the filter. A caller
 * in a Landlock domain that does not allow executing a copy of /bin/true
 * gets EACCES for it, as from glibc, in the default mode: Landlock checks
 * the execute right only when execve() opens the file, and the domain
 * cannot be seen, but it needs no_new_privs, which sends the run to the
 * kernel (the loader mode maps it, a documented difference). As root and
 * as uid 65534; each case in a child of its own, since neither MDWE nor a
 * filter nor a domain can be taken back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "faults.h"
#include "pristine.h"

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

#define LD_ABS(off)	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, t, f)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define RET(k)		BPF_STMT(BPF_RET | BPF_K, (k))
#define NR		offsetof(struct seccomp_data, nr)
#define ARCH		offsetof(struct seccomp_data, arch)
#define ARG2		offsetof(struct seccomp_data, args[2])
#define ERRNO(e)	(SECCOMP_RET_ERRNO | (e))

enum state { NONE, MDWE, MDWE_FILTER, DENY_FACCESSAT2, DENY_FSTAT,
	     DENY_GETRANDOM, KILL_MADVISE, KILL_PERSONALITY, LANDLOCK, STATES };

static const struct {
	const char *name;
	int nr;			/* the call a filter refuses, or -1 */
	unsigned int action;
} states[STATES] = {
	[NONE] = { "no hardening", -1, 0 },
	[MDWE] = { "PR_SET_MDWE", -1, 0 },
	[MDWE_FILTER] = { "MemoryDenyWriteExecute filter", -1, 0 },
	[DENY_FACCESSAT2] = { "faccessat2 refused", SYS_faccessat2,
			      ERRNO(EPERM) },
	[DENY_FSTAT] = { "fstat refused", SYS_fstat, ERRNO(EPERM) },
	[DENY_GETRANDOM] = { "getrandom refused", SYS_getrandom,
			     ERRNO(EPERM) },
	[KILL_MADVISE] = { "madvise kills", SYS_madvise,
			   SECCOMP_RET_KILL_PROCESS },
	[KILL_PERSONALITY] = { "personality kills", SYS_personality,
			       SECCOMP_RET_KILL_PROCESS },
	[LANDLOCK] = { "Landlock denies executing it", -1, 0 },
};

/* What the caller spawns: /bin/true, or in LANDLOCK a copy outside the
 * directories the domain allows to execute. */
static const char *target(enum state s)
{
	return s == LANDLOCK ? tmp_path("landlocked-true") : "/bin/true";
}

/* Execute allowed beneath dir. */
static int allow_execute(int ruleset, const char *dir)
{
	struct landlock_path_beneath_attr rule = {
		.allowed_access = LANDLOCK_ACCESS_FS_EXECUTE,
		.parent_fd = open(dir, O_PATH | O_CLOEXEC),
	};
	int r;

	if (rule.parent_fd < 0)
		return errno == ENOENT ? 0 : -1;
	r = (int)syscall(SYS_landlock_add_rule, ruleset,
			 LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
	close(rule.parent_fd);
	return r;
}

/* A domain that handles execution and allows it for the system's
 * programs and the loader, not for faults_tmp. */
static int landlock_domain(void)
{
	struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE,
	};
	static const char *const dirs[] = { "/usr", "/bin", "/sbin", "/lib",
					    "/lib64", NULL };
	char loader_dir[4096], *slash;
	int fd, i;

	if (syscall(SYS_landlock_create_ruleset, NULL, 0,
		    LANDLOCK_CREATE_RULESET_VERSION) < 1)
		return 77;
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		return 77;
	snprintf(loader_dir, sizeof(loader_dir), "%s", real_loader);
	if ((slash = strrchr(loader_dir, '/')))
		*slash = 0;
	for (i = 0; dirs[i]; i++)
		if (allow_execute(fd, dirs[i]) < 0)
			_exit(94);
	if (allow_execute(fd, loader_dir) < 0 ||
	    syscall(SYS_landlock_restrict_self, fd, 0) < 0)
		_exit(95);
	close(fd);
	return 0;
}

enum way { GLIBC, DEFAULT, LOADER, KERNEL, POOL, TEMPLATE, WAYS };
static const char *const way_names[WAYS] = {
	"glibc", "default", "loader", "kernel", "pool", "template",
};

struct outcome {
	int err;	/* the spawn's */
	int status;	/* the program's wait status */
	int route;	/* pristine_last_route() */
};

static int install(struct sock_filter *f, unsigned short n)
{
	struct sock_fprog prog = { n, f };

	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/* One call refused or killed; every other allowed. */
static int deny_one(int nr, unsigned int action)
{
	struct sock_filter f[] = {
		LD_ABS(ARCH),
		JEQ(AUDIT_ARCH_X86_64, 1, 0),
		RET(SECCOMP_RET_ALLOW),
		LD_ABS(NR),
		JEQ((unsigned int)nr, 0, 1),
		RET(action),
		RET(SECCOMP_RET_ALLOW),
	};

	return install(f, sizeof(f) / sizeof(f[0]));
}

/*
 * systemd 252's MemoryDenyWriteExecute=yes: mmap() asking for write and
 * execute, and mprotect() or pkey_mprotect() asking for execute, fail with
 * EPERM.
 */
static int deny_write_execute(void)
{
	struct sock_filter f[] = {
		LD_ABS(ARCH),
		JEQ(AUDIT_ARCH_X86_64, 1, 0),
		RET(SECCOMP_RET_ALLOW),
		LD_ABS(NR),
		JEQ(SYS_mmap, 3, 0),
		JEQ(SYS_mprotect, 5, 0),
		JEQ(SYS_pkey_mprotect, 4, 0),
		RET(SECCOMP_RET_ALLOW),
		LD_ABS(ARG2),					/* mmap */
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, PROT_WRITE | PROT_EXEC),
		JEQ(PROT_WRITE | PROT_EXEC, 3, 2),
		LD_ABS(ARG2),					/* mprotect */
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 1, 0),
		RET(SECCOMP_RET_ALLOW),
		RET(ERRNO(EPERM)),
	};

	return install(f, sizeof(f) / sizeof(f[0]));
}

/* In the child: as uid 65534 if asked, then hardened. 0, or 77 to skip. */
static int harden(enum state s, int nobody)
{
	if (nobody && (setgroups(0, NULL) < 0 ||
		       setresgid(65534, 65534, 65534) < 0 ||
		       setresuid(65534, 65534, 65534) < 0))
		_exit(90);
	if (s == NONE)
		return 0;
	if (s == MDWE)
		return prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) < 0
			       ? 77 : 0;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(91);
	if (s == MDWE_FILTER)
		return deny_write_execute() < 0 ? 77 : 0;
	if (s == LANDLOCK)
		return landlock_domain();
	return deny_one(states[s].nr, states[s].action) < 0 ? 77 : 0;
}

static void spawn_true(enum state s, enum way w, struct outcome *o)
{
	const char *path = target(s);
	char *argv[] = { "true", NULL };
	pristine_spawnattr_t attr;
	pristine_template_t *t;
	pid_t pid;
	int n;

	pristine_spawnattr_init(&attr);
	if (w == LOADER)
		pristine_spawnattr_setexecmode(&attr, PRISTINE_EXEC_LOADER);
	if (w == KERNEL)
		pristine_spawnattr_setexecmode(&attr, PRISTINE_EXEC_KERNEL);
	switch (w) {
	case GLIBC:
		o->err = posix_spawn(&pid, path, NULL, NULL, argv, environ);
		break;
	case POOL:
		if (pristine_pool_create(1, 0) < 0)
			_exit(92);
		for (n = 0; n < 500 && !children_named("pristine-loader",
							NULL, 0); n++)
			usleep(10000);
		o->err = pristine_spawn(&pid, path, NULL, &attr, argv,
					environ);
		break;
	case TEMPLATE:
		if (!(t = pristine_template_create(path, -1, 1, 0))) {
			o->err = errno;
			return;
		}
		o->err = pristine_template_spawn(t, &pid, NULL, &attr, argv,
						 environ);
		break;
	default:
		o->err = pristine_spawn(&pid, path, NULL, &attr, argv, environ);
	}
	o->route = pristine_last_route();
	if (!o->err)
		o->status = wait_status(pid);
}

/*
 * The outcome of way w in state s, from a child: -1 if the state cannot be
 * made here (the reason recorded). A child killed by the filter shows in
 * the status it reports as its own.
 */
static int outcome_of(enum state s, enum way w, int nobody,
		      struct outcome *o)
{
	int p[2], st, skip;
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct outcome mine = { 0 };

		close(p[0]);
		if ((skip = harden(s, nobody)))
			_exit(skip);
		spawn_true(s, w, &mine);
		if (write(p[1], &mine, sizeof(mine)) != sizeof(mine))
			_exit(93);
		/* No exit handlers: a pool's thread must not exit now (its
		 * glibc exit would call madvise()). */
		_exit(0);
	}
	close(p[1]);
	memset(o, 0, sizeof(*o));
	st = wait_status(pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
		close(p[0]);
		skip_case("%s: not on this kernel", states[s].name);
		return -1;
	}
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "%s, %s: the caller ended with status %#x%s", states[s].name,
		      way_names[w], st,
		      WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS
			      ? " (killed by its filter: SIGSYS)" : "");
	ck_assert_int_eq(read(p[0], o, sizeof(*o)), sizeof(*o));
	close(p[0]);
	return 0;
}

static void compare_ways(enum state s, int nobody)
{
	struct outcome glibc, o;
	enum way w;

	if (nobody && geteuid() != 0) {
		skip_case("not root: already unprivileged (the other case)");
		return;
	}
	if (s == LANDLOCK)
		copy_file("/bin/true", target(s), 0755);
	if (outcome_of(s, GLIBC, nobody, &glibc) < 0)
		return;
	if (s == LANDLOCK)
		ck_assert_msg(glibc.err == EACCES, "glibc's posix_spawn() of "
			      "a file the domain does not allow: %s",
			      strerror(glibc.err));
	else
		ck_assert_msg(glibc.err == 0 && WIFEXITED(glibc.status) &&
			      WEXITSTATUS(glibc.status) == 0,
			      "%s: glibc's posix_spawn() itself: err %d, "
			      "status %#x", states[s].name, glibc.err,
			      glibc.status);
	for (w = DEFAULT; w < WAYS; w++) {
#ifdef __SANITIZE_ADDRESS__
		/* ASan's allocator calls madvise() in the refill thread of
		 * pools and templates: a sanitizer build cannot take it. */
		if (s == KILL_MADVISE && (w == POOL || w == TEMPLATE))
			continue;
#endif
		/* The loader mode maps what the domain does not let execve()
		 * run: doc/fidelity.md. */
		if (s == LANDLOCK && w == LOADER)
			continue;
		if (outcome_of(s, w, nobody, &o) < 0)
			return;
		ck_assert_msg(o.err == glibc.err && o.status == glibc.status,
			      "%s, %s: err %d (%s), status %#x; glibc: err %d, "
			      "status %#x", states[s].name, way_names[w], o.err,
			      strerror(o.err), o.status, glibc.err,
			      glibc.status);
		/* Hardened: the kernel's route, in every mode. */
		if (s != NONE && !o.err)
			ck_assert_msg(o.route != PRISTINE_ROUTE_LOADER,
				      "%s, %s: mapped in userspace",
				      states[s].name, way_names[w]);
	}
}

START_TEST(hardened_caller_as_root)
{
	compare_ways((enum state)_i, 0);
}
END_TEST

START_TEST(hardened_caller_as_nobody)
{
	compare_ways((enum state)_i, 1);
}
END_TEST

Suite *hardened_suite(void)
{
	Suite *s = suite_create("hardened");
	TCase *tc = tcase_create("hardened");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, hardened_caller_as_root, 0, STATES);
	tcase_add_loop_test(tc, hardened_caller_as_nobody, 0, STATES);
	suite_add_tcase(s, tc);
	return s;
}
