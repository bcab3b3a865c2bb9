/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * pristine_config()'s keys for credentials, namespaces, the root,
 * Landlock, scheduling and resources, on the library's side: what each
 * checks at the call, and what a program gets, compared with a real
 * execve() after the same system calls in a fork()ed child (the way
 * setpriv, unshare and their kind do it). pristine-run's tests compare
 * the same keys with those tools.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pristine.h"
#include "testlib.h"

typedef void (*config_fn)(int h);

/* The file the reference executes, if not keys-probe of the build. */
static const char *exec_path;

/* keys-probe in an empty process configured by cfg; its report. */
static char *run_probe(config_fn cfg, int *status)
{
	int h = pristine_open(0), p[2], pidfd;
	pid_t pid = -1;
	char *out;

	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "exec",
					 built("keys-probe"), AT_FDCWD), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_FD, "fd:1", NULL,
					 p[1]), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "env",
					 "PROBE_OPEN=/etc/hostname", 0), 0);
	if (cfg)
		cfg(h);
	pidfd = pristine_run(h, &pid);
	close(p[1]);
	if (pidfd < 0) {
		close(p[0]);
		*status = -errno;
		return strdup(pristine_errmsg());
	}
	out = slurp_fd(p[0]);
	close(p[0]);
	*status = wait_status(pid);
	close(pidfd);
	return out;
}

/* keys-probe by fork(), prep() and execve(): the reference. */
static char *exec_probe(void (*prep)(void), int *status)
{
	int p[2];
	pid_t pid;
	char *out;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *argv[] = { "keys-probe", NULL };
		char *envp[] = { "PROBE_OPEN=/etc/hostname", NULL };
		const char *probe = exec_path ? exec_path : built("keys-probe");

		dup2(p[1], 1);
		prep();
		execve(probe, argv, envp);
		_exit(127);
	}
	close(p[1]);
	out = slurp_fd(p[0]);
	close(p[0]);
	*status = wait_status(pid);
	return out;
}

/* The lines of report that start with one of the prefixes, in order. */
static char *pick(const char *report, const char *const *prefixes)
{
	size_t cap = strlen(report) + 1, n = 0, i;
	char *out = calloc(1, cap);
	const char *line = report;

	ck_assert_ptr_nonnull(out);
	while (*line) {
		size_t len = strcspn(line, "\n");

		for (i = 0; prefixes[i]; i++)
			if (!strncmp(line, prefixes[i], strlen(prefixes[i]))) {
				memcpy(out + n, line, len);
				n += len;
				out[n++] = '\n';
				break;
			}
		line += len + (line[len] == '\n');
	}
	return out;
}

static const char *const creds_lines[] = {
	"Uid:", "Gid:", "Groups:", "Cap", "NoNewPrivs:", "securebits:",
	"at_secure:", NULL,
};

/* The reference and the empty process must report the same lines. */
static void same_as_exec(void (*prep)(void), config_fn cfg,
			 const char *const *lines, int route)
{
	int a, b;
	char *want = exec_probe(prep, &a), *got = run_probe(cfg, &b);
	char *w = pick(want, lines), *g = pick(got, lines);

	ck_assert_msg(a == b, "status %d, a real exec's %d: %s", b, a, got);
	ck_assert_msg(*w, "the probe reported nothing: %s", want);
	ck_assert_str_eq(g, w);
	if (b == 0 && route >= 0)
		ck_assert_str_eq(pristine_route_name(pristine_last_route()),
				 pristine_route_name(route));
	free(want);
	free(got);
	free(w);
	free(g);
}

static void need_root(void)
{
	if (geteuid() != 0)
		skip_case("needs root");
}

/* ---- what every key checks at the call ---- */

struct bad_call {
	unsigned int cmd;
	const char *key;
	const void *value;
	int aux;
	int err;
	const char *says;	/* in pristine_errmsg() */
};

START_TEST(checked_at_the_call)
{
	static const uint64_t mask = 1;
	static const gid_t groups[2] = { 1, 2 };
	static const unsigned char zeros[128];
	static const unsigned char attr[48];
	int file = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int uts = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	const struct bad_call calls[] = {
		{ PRISTINE_SET_INT, "uid", NULL, -1, EINVAL, "not an id" },
		{ PRISTINE_SET_BINARY, "groups", groups, 3, EINVAL, "gid_t" },
		{ PRISTINE_SET_BINARY, "groups", groups, 4 * 65537, EINVAL,
		  "65536" },
		{ PRISTINE_SET_BINARY, "groups", NULL, 8, EINVAL, "gid_t" },
		{ PRISTINE_SET_BINARY, "cap-bounding", &mask, 4, EINVAL,
		  "uint64_t" },
		{ PRISTINE_SET_INT, "securebits", NULL, -1, EINVAL,
		  "securebits" },
		{ PRISTINE_SET_INT, "unshare", NULL, 0, EINVAL, "CLONE_NEW" },
		{ PRISTINE_SET_INT, "unshare", NULL, CLONE_VM, EINVAL,
		  "CLONE_NEW" },
		{ PRISTINE_SET_FD, "setns", NULL, file, EINVAL,
		  "not a namespace or a pidfd" },
		{ PRISTINE_SET_FD, "setns", NULL, pidfd, EINVAL,
		  "a pidfd needs setns:TYPE" },
		{ PRISTINE_SET_FD, "setns:net", NULL, uts, EINVAL,
		  "another type" },
		{ PRISTINE_SET_FD, "setns:net", NULL, 999, EBADF, "" },
		{ PRISTINE_SET_STRING, "setgroups", "maybe", 0, EINVAL,
		  "allow" },
		{ PRISTINE_SET_STRING, "uid-map", "", 0, EINVAL, "uid_map" },
		{ PRISTINE_SET_STRING, "mount-propagation", "weird", 0, EINVAL,
		  "private" },
		{ PRISTINE_SET_PATH, "chroot", "/nonexistent", AT_FDCWD, ENOENT,
		  "" },
		{ PRISTINE_SET_FD, "landlock", NULL, file, EINVAL,
		  "Landlock ruleset" },
		{ PRISTINE_SET_FD, "landlock", NULL, 999, EBADF, "" },
		{ PRISTINE_SET_INT, "nice", NULL, 20, EINVAL, "-20..19" },
		{ PRISTINE_SET_INT, "oom-score-adj", NULL, 1001, EINVAL,
		  "-1000..1000" },
		{ PRISTINE_SET_INT, "ioprio", NULL, 4 << 13, EINVAL,
		  "IOPRIO_PRIO_VALUE" },
		{ PRISTINE_SET_INT, "ioprio", NULL, (2 << 13) | 8, EINVAL,
		  "IOPRIO_PRIO_VALUE" },
		{ PRISTINE_SET_BINARY, "affinity", zeros, sizeof(zeros), EINVAL,
		  "at least one CPU" },
		{ PRISTINE_SET_BINARY, "sched", attr, 16, EINVAL,
		  "sched_attr" },
		{ PRISTINE_SET_INT, "timer-slack", NULL, -1, EINVAL,
		  "nanoseconds" },
		{ PRISTINE_SET_INT, "personality", NULL, -1, EINVAL,
		  "personality" },
		{ PRISTINE_SET_FLAG, "mdwe", NULL, 0, 0, "" },
		{ PRISTINE_SET_INT, "uid", NULL, 0, 0, "" },
	};
	size_t i;
	int h = pristine_open(0), pf, st;
	pid_t pid;

	ck_assert_int_ge(h, 0);
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		const struct bad_call *c = &calls[i];
		int r = pristine_config(h, c->cmd, c->key, c->value, c->aux);

		if (!c->err) {
			/* Good calls between the bad ones: accepted. */
			if (!strcmp(c->key, "mdwe") &&
			    prctl(66 /* PR_GET_MDWE */, 0, 0, 0, 0) < 0)
				ck_assert_int_eq(r, -1);
			else
				ck_assert_msg(r == 0, "%s: %s", c->key,
					      pristine_errmsg());
			continue;
		}
		ck_assert_msg(r == -1 && errno == c->err,
			      "%s (%d): %d, errno %d, want %d", c->key, (int)i,
			      r, errno, c->err);
		ck_assert_msg(strstr(pristine_errmsg(), c->says),
			      "%s: \"%s\" lacks \"%s\"", c->key,
			      pristine_errmsg(), c->says);
	}
	/* A failed call changes nothing: the handle still runs. */
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "exec",
					 "/bin/true", AT_FDCWD), 0);
	pf = pristine_run(h, &pid);
	ck_assert_msg(pf >= 0, "%s", pristine_errmsg());
	st = wait_status(pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(pf);
	close(file);
	close(uts);
	close(pidfd);
}
END_TEST

/* ---- credentials ---- */

static void prep_nobody(void)
{
	gid_t none = 0;

	/* Keep the permitted set across the uid change, as setpriv does. */
	if (setgroups(0, &none) || setresgid(65534, 65534, 65534) ||
	    prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setresuid(65534, 65534, 65534))
		_exit(126);
}

static void cfg_nobody_any_order(int h)
{
	/* uid first: applied in the order that works all the same. */
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_INT, "uid", NULL,
					 65534), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_BINARY, "groups",
					 NULL, 0), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_INT, "gid", NULL,
					 65534), 0);
}

START_TEST(credentials_in_any_order)
{
	need_root();
	same_as_exec(prep_nobody, cfg_nobody_any_order, creds_lines,
		     PRISTINE_ROUTE_KERNEL_CREDS);
}
END_TEST

static void prep_euid(void)
{
	if (setresuid(0, 1000, 1000))
		_exit(126);
}

static void cfg_euid(int h)
{
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_INT, "euid", NULL,
					 1000), 0);
}

START_TEST(mixed_ids_get_at_secure)
{
	need_root();
	same_as_exec(prep_euid, cfg_euid, creds_lines,
		     PRISTINE_ROUTE_KERNEL_CREDS);
}
END_TEST

static void set_caps(uint64_t inheritable)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	syscall(SYS_capget, &hdr, d);
	d[0].inheritable = (uint32_t)inheritable;
	d[1].inheritable = (uint32_t)(inheritable >> 32);
	if (syscall(SYS_capset, &hdr, d))
		_exit(126);
}

#define NET_RAW (1ull << CAP_NET_RAW)

static void prep_ambient(void)
{
	int cap;

	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (cap != CAP_NET_RAW && cap != CAP_SETPCAP)
			prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	prep_nobody();
	set_caps(NET_RAW);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0))
		_exit(126);
}

static void cfg_ambient(int h)
{
	uint64_t bounding = NET_RAW | (1ull << CAP_SETPCAP), set = NET_RAW;

	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_BINARY, "cap-ambient",
					 &set, sizeof(set)), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_BINARY,
					 "cap-inheritable", &set, sizeof(set)), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_BINARY,
					 "cap-bounding", &bounding,
					 sizeof(bounding)), 0);
	cfg_nobody_any_order(h);
}

START_TEST(capability_sets)
{
	need_root();
	same_as_exec(prep_ambient, cfg_ambient, creds_lines,
		     PRISTINE_ROUTE_KERNEL_CREDS);
}
END_TEST

/* As uid 65534 in a child: 0 if fn() returned 0. */
static int as_nobody(int (*fn)(void))
{
	pid_t pid = fork();
	int st;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct __user_cap_header_struct hdr = {
			_LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct none[2] = { { 0, 0, 0 } };

		prep_nobody();
		/* As after an exec as that user: our own /proc files. */
		if (syscall(SYS_capset, &hdr, none) ||
		    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
			_exit(126);
		_exit(fn());
	}
	st = wait_status(pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A refused step names every key of the credential step. */
static int refused_step_names_its_keys(void)
{
	int h = pristine_open(0);
	pid_t pid;

	if (h < 0 ||
	    pristine_config(h, PRISTINE_SET_PATH, "exec", "/bin/true",
			    AT_FDCWD) ||
	    pristine_config(h, PRISTINE_SET_BINARY, "groups", NULL, 0) ||
	    pristine_config(h, PRISTINE_SET_INT, "uid", NULL, 0))
		return 2;
	if (pristine_run(h, &pid) >= 0 || errno != EPERM)
		return 3;
	/* And says what it needs. */
	return strstr(pristine_errmsg(), "(groups, uid): Operation not "
					 "permitted (needs CAP_SETUID") ? 0 : 4;
}

START_TEST(refused_as_nobody)
{
	if (geteuid() == 0)
		ck_assert_int_eq(as_nobody(refused_step_names_its_keys), 0);
	else
		ck_assert_int_eq(refused_step_names_its_keys(), 0);
}
END_TEST

/* ---- namespaces and the root ---- */

static int newpid_refused(void)
{
	int h = pristine_open(PRISTINE_NEWPID);

	if (h >= 0)
		return 2;
	return errno == EPERM && strstr(pristine_errmsg(), "CAP_SYS_ADMIN")
		       ? 0 : 3;
}

START_TEST(new_pid_namespace)
{
	int h, p[2], pf, st;
	pid_t pid;
	char *out;

	if (geteuid() != 0) {
		ck_assert_int_eq(newpid_refused(), 0);
		return;
	}
	ck_assert_int_eq(as_nobody(newpid_refused), 0);
	h = pristine_open(PRISTINE_NEWPID);
	ck_assert_msg(h >= 0, "%s", pristine_errmsg());
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "exec",
					 "/bin/sh", AT_FDCWD), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "argv", "sh",
					 0), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "argv", "-c",
					 0), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "argv",
					 "echo $$", 0), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_FD, "fd:1", NULL,
					 p[1]), 0);
	pf = pristine_run(h, &pid);
	close(p[1]);
	ck_assert_msg(pf >= 0, "%s", pristine_errmsg());
	ck_assert_int_gt(pid, 1);	/* the caller's number for it */
	out = slurp_fd(p[0]);
	close(p[0]);
	st = wait_status(pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_str_eq(out, "1\n");
	free(out);
	close(pf);
}
END_TEST

static void prep_user_ns(void)
{
	char map[64];
	int fd;
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWUSER | CLONE_NEWUTS))
		_exit(126);
	fd = open("/proc/self/setgroups", O_WRONLY);
	if (fd < 0 || write(fd, "deny", 4) != 4)
		_exit(126);
	close(fd);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	fd = open("/proc/self/uid_map", O_WRONLY);
	if (fd < 0 || write(fd, map, strlen(map)) != (ssize_t)strlen(map))
		_exit(126);
	close(fd);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	fd = open("/proc/self/gid_map", O_WRONLY);
	if (fd < 0 || write(fd, map, strlen(map)) != (ssize_t)strlen(map))
		_exit(126);
	close(fd);
}

static void cfg_user_ns(int h)
{
	char map[64];

	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_INT, "unshare", NULL,
					 CLONE_NEWUSER | CLONE_NEWUTS), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "setgroups",
					 "deny", 0), 0);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)geteuid());
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "uid-map",
					 map, 0), 0);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)getegid());
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "gid-map",
					 map, 0), 0);
}

START_TEST(user_namespace)
{
	static const char *const lines[] = {
		"Uid:", "Gid:", "Cap", "uid_map:", "gid_map:", "setgroups:",
		"at_secure:", NULL,
	};

	same_as_exec(prep_user_ns, cfg_user_ns, lines,
		     PRISTINE_ROUTE_KERNEL_CREDS);
}
END_TEST

static int user_namespace_as_nobody(void)
{
	char *want, *got, *w, *g;
	int a, b, same;

	want = exec_probe(prep_user_ns, &a);
	got = run_probe(cfg_user_ns, &b);
	w = pick(want, (const char *const[]){ "Uid:", "Cap", "uid_map:",
					       NULL });
	g = pick(got, (const char *const[]){ "Uid:", "Cap", "uid_map:",
					      NULL });
	same = a == 0 && b == 0 && *w && !strcmp(w, g);
	if (!same)
		fprintf(stderr, "status %d, a real exec's %d\n%s---\n%s", b, a,
			got, want);
	return same ? 0 : 2;
}

START_TEST(user_namespace_unprivileged)
{
	if (geteuid() == 0)
		ck_assert_int_eq(as_nobody(user_namespace_as_nobody), 0);
	else
		ck_assert_int_eq(user_namespace_as_nobody(), 0);
}
END_TEST

/* The pool's members hold the namespaces of their making: a key that
 * makes new ones replaces the member with a process made now. */
START_TEST(pool_member_renewed_for_namespaces)
{
	char host[64] = "", *out;
	int h, p[2], pf, i, st;
	pid_t pid;

	need_root();
	ck_assert_int_eq(pristine_pool_create(1, 0), 0);
	for (i = 0; i < 500 && children_named("pristine-loader", NULL, 0) < 1;
	     i++)
		usleep(10000);
	/* This thread only: the pool's thread, and its member, keep the
	 * old UTS namespace. */
	ck_assert_int_eq(unshare(CLONE_NEWUTS), 0);
	ck_assert_int_eq(sethostname("pristine-keys", 13), 0);
	h = pristine_open(0);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_INT, "unshare", NULL,
					 CLONE_NEWIPC), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "exec",
					 "/bin/hostname", AT_FDCWD), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_FD, "fd:1", NULL,
					 p[1]), 0);
	pf = pristine_run(h, &pid);
	close(p[1]);
	ck_assert_msg(pf >= 0, "%s", pristine_errmsg());
	out = slurp_fd(p[0]);
	close(p[0]);
	st = wait_status(pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	snprintf(host, sizeof(host), "%s", out);
	ck_assert_str_eq(host, "pristine-keys\n");
	free(out);
	close(pf);
	ck_assert_int_eq(pristine_pool_destroy(), 0);
}
END_TEST

/* A pool member serves credential keys: the result is a fresh one's. */
START_TEST(pool_member_serves_credentials)
{
	int i;

	need_root();
	ck_assert_int_eq(pristine_pool_create(1, 0), 0);
	for (i = 0; i < 500 && children_named("pristine-loader", NULL, 0) < 1;
	     i++)
		usleep(10000);
	same_as_exec(prep_nobody, cfg_nobody_any_order, creds_lines,
		     PRISTINE_ROUTE_KERNEL_CREDS);
	ck_assert_int_eq(pristine_pool_destroy(), 0);
}
END_TEST

static char root_dir[256];

static void prep_chroot(void)
{
	if (chroot(root_dir) || chdir("/"))
		_exit(126);
}

static void cfg_chroot(int h)
{
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "chroot",
					 root_dir, 0), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "exec",
					 "/keys-probe", 0), 0);
}

START_TEST(chroot_then_cwd)
{
	static const char *const lines[] = { "root:", "cwd:", NULL };
	char probe[300];

	need_root();
	scratch_dir(root_dir, sizeof(root_dir), "keys-root");
	snprintf(probe, sizeof(probe), "%s/keys-probe", root_dir);
	copy_file(built("keys-probe"), probe, 0755);
	exec_path = "/keys-probe";
	same_as_exec(prep_chroot, cfg_chroot, lines, PRISTINE_ROUTE_LOADER);
	exec_path = NULL;
	remove_tree(root_dir);
}
END_TEST

static void cfg_exec_at_run(int h)
{
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "cwd", "/tmp",
					 0), 0);
	/* Resolved by the empty process, relative to its cwd then. */
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "exec",
					 "../bin/pwd", 0), 0);
}

START_TEST(exec_and_cwd_resolved_at_the_run)
{
	int st;
	char *out = run_probe(cfg_exec_at_run, &st);

	ck_assert_str_eq(out, "/tmp\n");
	free(out);
}
END_TEST

/* ---- Landlock ---- */

static int ruleset = -1;

static void make_ruleset(void)
{
	struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE,
	};
	/* The probe's directory too: an exec reads its file. */
	const char *allowed[] = { "/usr", "/lib", "/lib64", "/proc",
				  getenv("tests_builddir"), NULL };
	int i;

	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr,
			       sizeof(attr), 0);
	if (ruleset < 0) {
		skip_case("no Landlock: %s", strerror(errno));
		return;
	}
	for (i = 0; allowed[i]; i++) {
		struct landlock_path_beneath_attr pb = {
			.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE,
			.parent_fd = open(allowed[i], O_PATH | O_CLOEXEC),
		};

		if (pb.parent_fd < 0)
			continue;
		ck_assert_int_eq(syscall(SYS_landlock_add_rule, ruleset,
					 LANDLOCK_RULE_PATH_BENEATH, &pb, 0), 0);
		close(pb.parent_fd);
	}
}

static void prep_landlock(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_landlock_restrict_self, ruleset, 0))
		_exit(126);
}

static void cfg_landlock(int h)
{
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_FLAG, "no-new-privs",
					 NULL, 0), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_FD, "landlock", NULL,
					 ruleset), 0);
}

START_TEST(landlock_as_a_real_exec)
{
	static const char *const lines[] = { "open ", "NoNewPrivs:", NULL };

	make_ruleset();
	if (ruleset < 0)
		return;
	same_as_exec(prep_landlock, cfg_landlock, lines,
		     PRISTINE_ROUTE_KERNEL_LANDLOCK);
	close(ruleset);
}
END_TEST

static int landlock_without_nnp(void)
{
	int h = pristine_open(0);
	pid_t pid;

	if (h < 0 ||
	    pristine_config(h, PRISTINE_SET_PATH, "exec", "/bin/true",
			    AT_FDCWD) ||
	    pristine_config(h, PRISTINE_SET_FD, "landlock", NULL, ruleset))
		return 2;
	if (pristine_run(h, &pid) >= 0 || errno != EPERM)
		return 3;
	return strstr(pristine_errmsg(), "(landlock): Operation not permitted "
					 "(needs no-new-privs before it") ? 0 : 4;
}

START_TEST(landlock_needs_no_new_privs)
{
	make_ruleset();
	if (ruleset < 0)
		return;
	if (geteuid() == 0)
		ck_assert_int_eq(as_nobody(landlock_without_nnp), 0);
	else
		ck_assert_int_eq(landlock_without_nnp(), 0);
	close(ruleset);
}
END_TEST

/* ---- scheduling and resources ---- */

static void prep_sched(void)
{
	struct sched_param sp = { 0 };
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setscheduler(0, SCHED_BATCH, &sp) || setpriority(PRIO_PROCESS, 0, 7) ||
	    sched_setaffinity(0, sizeof(one), &one) ||
	    syscall(SYS_ioprio_set, 1, 0, (3 << 13) | 7) ||
	    prctl(PR_SET_TIMERSLACK, 777, 0, 0, 0) ||
	    prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		_exit(126);
}

struct sched_attr_ {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
};

static void cfg_sched(int h)
{
	struct sched_attr_ a = { .policy = SCHED_BATCH, .nice = 0 };
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_BINARY, "sched", &a,
					 sizeof(a)), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_INT, "nice", NULL, 7),
			 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_BINARY, "affinity",
					 &one, sizeof(one)), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_INT, "ioprio", NULL,
					 (3 << 13) | 7), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_INT, "timer-slack",
					 NULL, 777), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_FLAG, "thp-disable",
					 NULL, 0), 0);
}

START_TEST(scheduling_and_resources)
{
	static const char *const lines[] = {
		"Cpus_allowed_list:", "nice:", "sched:", "ioprio:",
		"timerslack:", "thp_disable:", NULL,
	};

	same_as_exec(prep_sched, cfg_sched, lines, PRISTINE_ROUTE_LOADER);
}
END_TEST

static Suite *keys_suite(void)
{
	Suite *s = suite_create("keys");
	TCase *tc = testlib_tcase(s, "keys", 0);

	tcase_add_test(tc, checked_at_the_call);
	tcase_add_test(tc, credentials_in_any_order);
	tcase_add_test(tc, mixed_ids_get_at_secure);
	tcase_add_test(tc, capability_sets);
	tcase_add_test(tc, refused_as_nobody);
	tcase_add_test(tc, new_pid_namespace);
	tcase_add_test(tc, user_namespace);
	tcase_add_test(tc, user_namespace_unprivileged);
	tcase_add_test(tc, pool_member_renewed_for_namespaces);
	tcase_add_test(tc, pool_member_serves_credentials);
	tcase_add_test(tc, chroot_then_cwd);
	tcase_add_test(tc, exec_and_cwd_resolved_at_the_run);
	tcase_add_test(tc, landlock_as_a_real_exec);
	tcase_add_test(tc, landlock_needs_no_new_privs);
	tcase_add_test(tc, scheduling_and_resources);
	return s;
}

int main(void)
{
	static Suite *(*const suites[])(void) = { keys_suite, NULL };

	return testlib_main(suites);
}
