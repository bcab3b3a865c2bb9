/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Privilege. As an unprivileged user: a set-group-ID or file-capability
 * target gets its privilege from the kernel's exec, never through the
 * userspace path (set-user-ID: test-loader-system); a loader installed
 * with privileges refuses to run anything; a set-user-ID caller ignores
 * PRISTINE_LOADER. A caller holding capabilities
 * that execve() would drop (permitted, effective, inheritable, not
 * ambient) passes a program started by pristine exactly the capabilities
 * a real execve() passes, also from a pool or template member made
 * before the caller gave up a privilege. And a program started by
 * pristine holds nothing
 * of its caller: no library socket, no descriptor it was not given, no
 * mapping of the caller's files, no environment it was not given.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "faults.h"
#include "pristine.h"

/* Not root: the reason to skip recorded. */
static int cannot_set_capabilities(void)
{
	if (geteuid() == 0)
		return 0;
	skip_case("not root: cannot make a user with capabilities");
	return 1;
}

/* Runs fn(out, arg) in a child, which writes to out and exits; returns
 * what it wrote, once it exited 0. */
static char *output_of_child(void (*fn)(int out, int arg), int arg,
			     const char *what)
{
	int p[2], st;
	pid_t pid;
	char *out;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		fn(p[1], arg);
	}
	close(p[1]);
	out = slurp_fd(p[0]);
	close(p[0]);
	st = wait_status(pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "%s: child status %#x", what, st);
	return out;
}

START_TEST(setgid_target)
{
	const char *path = tmp_path("show-egid");
	char *out;

	if (cannot_make_setid(faults_tmp))
		return;
	copy_file(built("show-process"), path, 0755);
	ck_assert_int_eq(chown(path, 0, 0), 0);
	ck_assert_int_eq(chmod(path, 02755), 0);	/* after chown */
	out = spawn_as_nobody(real_loader, path, "loader");
	expect_in(out, "secure=1 ");
	expect_in(out, "spawner: err=0 route=3 exit=0\n");	/* SETID */
	free(out);
}
END_TEST

/* security.capability, version 2: cap_net_raw in permitted, effective. */
static void set_file_caps(const char *path)
{
	struct vfs_cap_data caps = {
		.magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE,
		.data = { { .permitted = 1u << CAP_NET_RAW } },
	};

	ck_assert_int_eq(setxattr(path, "security.capability", &caps,
				  XATTR_CAPS_SZ_2, 0), 0);
}

START_TEST(file_caps_target)
{
	const char *path = tmp_path("show-caps");
	char *out;

	if (cannot_make_setid(faults_tmp))
		return;
	copy_file(built("show-process"), path, 0755);
	set_file_caps(path);
	out = spawn_as_nobody(real_loader, path, "loader");
	expect_in(out, "secure=1 ");
	expect_in(out, "spawner: err=0 route=4 exit=0\n");	/* FILECAPS */
	free(out);
}
END_TEST

/* The loader itself installed with privileges: refused, every time. */
START_TEST(privileged_loader_refuses)
{
	const char *loader = tmp_path("pristine-loader");
	static const mode_t modes[] = { 04755, 02755, 0755 };
	size_t i;
	char *out;

	if (cannot_make_setid(faults_tmp))
		return;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		unlink(loader);		/* a new file each time */
		copy_file(real_loader, loader, 0755);
		ck_assert_int_eq(chown(loader, 0, 0), 0);
		ck_assert_int_eq(chmod(loader, modes[i]), 0);
		if (modes[i] == 0755)
			set_file_caps(loader);
		out = spawn_as_nobody(loader, built("show-process"), NULL);
		expect_in(out, "spawner: err=1 route=-1\n");	/* EPERM */
		ck_assert_msg(!strstr(out, "euid="), "the target ran:\n%s",
			      out);
		free(out);
	}
	/* A plain copy works, as nobody. */
	unlink(loader);
	copy_file(real_loader, loader, 0755);
	out = spawn_as_nobody(loader, built("show-process"), "loader");
	expect_in(out, "euid=65534 uid=65534\n");
	expect_in(out, "spawner: err=0 route=0 exit=0\n");
	free(out);
}
END_TEST

/*
 * A set-user-ID program linked with the library, run by another user,
 * ignores PRISTINE_LOADER: that user would choose what runs as root.
 */
START_TEST(setuid_caller_ignores_loader_variable)
{
	const char *spawner = tmp_path("spawner-suid");
	char env[600];
	char *argv[] = { "setpriv", "--reuid=65534", "--regid=65534",
			 "--clear-groups", "--inh-caps=-all", "env", env,
			 (char *)spawner, "/bin/true", "true", NULL };
	struct stat st;
	int status;
	char *out;

	if (cannot_make_setid(faults_tmp))
		return;
	use_fake_loader("mark");
	unlink(tmp_path("marked"));
	snprintf(env, sizeof(env), "PRISTINE_LOADER=%s", tmp_path("mark"));
	copy_file(built("loader-spawner"), spawner, 0755);
	ck_assert_int_eq(chown(spawner, 0, 0), 0);
	ck_assert_int_eq(chmod(spawner, 04755), 0);
	out = capture(argv, &status);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "spawner: status %#x:\n%s", status, out);
	ck_assert_msg(stat(tmp_path("marked"), &st) < 0,
		      "PRISTINE_LOADER ran as root:\n%s", out);
	free(out);
}
END_TEST

/* ------------------------------------------------------------------ */

#define CAP_BIT(c) (1ull << (c))

static void set_caps(uint64_t permitted, uint64_t effective,
		     uint64_t inheritable)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)effective, (uint32_t)permitted,
		  (uint32_t)inheritable },
		{ (uint32_t)(effective >> 32), (uint32_t)(permitted >> 32),
		  (uint32_t)(inheritable >> 32) },
	};

	if (syscall(SYS_capset, &h, d) < 0)
		_exit(80);
}

/*
 * The lines of grep's own /proc/self/status that match pattern, grep
 * started by way k: 0 glibc's posix_spawn() (a real execve()), 1
 * pristine_spawn() (through the pool, if there is one), 2 a
 * pristine_open() handle, 3 template t. The pristine ways run in the
 * loader mode, which maps in userspace wherever it is safe: that is what
 * these cases are about; route is the one they must take.
 */
static char *status_of_a_child(int k, const char *pattern,
			       pristine_template_t *t, int route)
{
	pristine_spawnattr_t attr;
	char *argv[] = { "grep", "-E", (char *)pattern, "/proc/self/status",
			 NULL };
	pristine_spawn_file_actions_t pfa;
	posix_spawn_file_actions_t gfa;
	int p[2], err = 0, h;
	pid_t pid;
	char *out;

	if (pipe2(p, O_CLOEXEC) < 0)
		_exit(81);
	pristine_spawnattr_init(&attr);
	pristine_spawnattr_setexecmode(&attr, PRISTINE_EXEC_LOADER);
	pristine_spawn_file_actions_init(&pfa);
	pristine_spawn_file_actions_adddup2(&pfa, p[1], 1);
	if (k == 0) {
		posix_spawn_file_actions_init(&gfa);
		posix_spawn_file_actions_adddup2(&gfa, p[1], 1);
		err = posix_spawn(&pid, "/bin/grep", &gfa, NULL, argv, environ);
	} else if (k == 1) {
		err = pristine_spawn(&pid, "/bin/grep", &pfa, &attr, argv,
				     environ);
	} else if (k == 3) {
		err = pristine_template_spawn(t, &pid, &pfa, &attr, argv,
					      environ);
	} else {
		h = pristine_open(0);
		if (h < 0 ||
		    pristine_config(h, PRISTINE_SET_PATH, "exec", "/bin/grep",
				    AT_FDCWD) < 0 ||
		    pristine_config(h, PRISTINE_SET_STRING, "mode", "loader",
				    0) < 0 ||
		    pristine_config(h, PRISTINE_SET_FD, "fd:1", NULL, p[1]) < 0)
			_exit(82);
		for (err = 0; argv[err]; err++)
			if (pristine_config(h, PRISTINE_SET_STRING, "argv",
					    argv[err], 0) < 0)
				_exit(83);
		err = pristine_run(h, &pid) < 0 ? errno : 0;
	}
	if (err)
		_exit(84);
	if (k && pristine_last_route() != route)
		_exit(85);
	close(p[1]);
	out = slurp_fd(p[0]);
	close(p[0]);
	waitpid(pid, NULL, 0);
	return out;
}

/*
 * In a child: uid 65534 keeping cap_net_raw (permitted, effective) and
 * cap_net_bind_service (permitted, inheritable, and ambient if asked).
 * Writes the three children's Cap* lines to out, NUL after each.
 */
static void caps_child(int out, int ambient)
{
	const uint64_t raw = CAP_BIT(CAP_NET_RAW);
	const uint64_t bind = CAP_BIT(CAP_NET_BIND_SERVICE);
	int k;

	if (prctl(PR_SET_KEEPCAPS, 1) < 0 || setgroups(0, NULL) < 0 ||
	    setresgid(65534, 65534, 65534) < 0 ||
	    setresuid(65534, 65534, 65534) < 0)
		_exit(86);
	set_caps(raw | bind, raw, bind);
	if (ambient && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE,
			     CAP_NET_BIND_SERVICE, 0, 0) < 0)
		_exit(87);
	for (k = 0; k < 3; k++) {
		char *caps = status_of_a_child(k, "^Cap", NULL,
					       PRISTINE_ROUTE_LOADER);

		if (write(out, caps, strlen(caps) + 1) < 0)
			_exit(88);
		free(caps);
	}
	_exit(0);
}

static uint64_t cap_field(const char *text, const char *name)
{
	const char *p = strstr(text, name);

	ck_assert_ptr_nonnull(p);
	return strtoull(p + strlen(name), NULL, 16);
}

static void compare_caps(int ambient)
{
	char *out, *kernel, *by_spawn, *by_open;

	if (cannot_set_capabilities())
		return;
	out = output_of_child(caps_child, ambient, "capability child");
	kernel = out;
	by_spawn = kernel + strlen(kernel) + 1;
	by_open = by_spawn + strlen(by_spawn) + 1;
	ck_assert_str_eq(by_spawn, kernel);
	ck_assert_str_eq(by_open, kernel);
	/* What execve() gives: ambient capabilities, nothing else. */
	ck_assert_uint_eq(cap_field(kernel, "CapInh:\t"),
			  CAP_BIT(CAP_NET_BIND_SERVICE));
	ck_assert_uint_eq(cap_field(kernel, "CapPrm:\t"),
			  ambient ? CAP_BIT(CAP_NET_BIND_SERVICE) : 0);
	ck_assert_uint_eq(cap_field(kernel, "CapEff:\t"),
			  ambient ? CAP_BIT(CAP_NET_BIND_SERVICE) : 0);
	ck_assert_uint_eq(cap_field(kernel, "CapAmb:\t"),
			  ambient ? CAP_BIT(CAP_NET_BIND_SERVICE) : 0);
	free(out);
}

START_TEST(capabilities_dropped_as_by_execve)
{
	compare_caps(0);
}
END_TEST

START_TEST(ambient_capabilities_kept_as_by_execve)
{
	compare_caps(1);
}
END_TEST

/* ------------------------------------------------------------------ */

/*
 * A pool or template member is made with the caller's credentials of
 * that moment. When the caller gives up a privilege afterwards, or takes
 * on a seccomp filter, a program from the member must not keep what the
 * caller gave up: its status reads as after a real execve() from the
 * caller as it is now. Each case runs in a child of the test.
 */
static void groups_before(void)
{
	gid_t g[2] = { 4, 24 };

	if (setgroups(2, g) < 0)
		_exit(70);
}
static void groups_drop(void)
{
	if (setgroups(0, NULL) < 0)
		_exit(71);
}
static void nothing(void)
{
}
static void bounding_drop(void)
{
	if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) < 0)
		_exit(72);
}
static void ambient_before(void)
{
	const uint64_t bind = CAP_BIT(CAP_NET_BIND_SERVICE);

	if (prctl(PR_SET_KEEPCAPS, 1) < 0 || setgroups(0, NULL) < 0 ||
	    setresgid(65534, 65534, 65534) < 0 ||
	    setresuid(65534, 65534, 65534) < 0)
		_exit(73);
	set_caps(bind, bind, bind);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE,
		  0, 0) < 0)
		_exit(74);
}
static void ambient_drop(void)
{
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		_exit(75);
}
static void allow_all_filter(void)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K,
					    SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { 1, &allow };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		_exit(76);
}

/* A caller under a seccomp filter gets the kernel route, in any mode. */
static const struct {
	const char *name;
	void (*before)(void), (*change)(void);
	int template, route;
} cred_cases[] = {
	{ "groups dropped", groups_before, groups_drop, 0,
	  PRISTINE_ROUTE_LOADER },
	{ "groups dropped (template)", groups_before, groups_drop, 1,
	  PRISTINE_ROUTE_LOADER },
	{ "bounding set shrunk", nothing, bounding_drop, 0,
	  PRISTINE_ROUTE_LOADER },
	{ "ambient set cleared", ambient_before, ambient_drop, 0,
	  PRISTINE_ROUTE_LOADER },
	{ "seccomp filter added", allow_all_filter, allow_all_filter, 1,
	  PRISTINE_ROUTE_KERNEL_SECCOMP },
};

static void cred_child(int out, int i)
{
	const char *pattern = "^(Groups|Cap|NoNewPrivs|Seccomp)";
	pristine_template_t *t = NULL;
	char *kernel, *member;
	int n;

	cred_cases[i].before();
	if (cred_cases[i].template) {
		if (!(t = pristine_template_create("/bin/grep", -1, 1, 0)))
			_exit(77);
	} else if (pristine_pool_create(1, 0) < 0) {
		_exit(78);
	}
	for (n = 0; n < 500 && !children_named("pristine-loader", NULL, 0);
	     n++)
		usleep(10000);
	if (!children_named("pristine-loader", NULL, 0))
		_exit(69);	/* no member made before the change */
	cred_cases[i].change();
	kernel = status_of_a_child(0, pattern, NULL, 0);
	member = status_of_a_child(t ? 3 : 1, pattern, t,
				   cred_cases[i].route);
	if (write(out, kernel, strlen(kernel) + 1) < 0 ||
	    write(out, member, strlen(member) + 1) < 0)
		_exit(79);
	_exit(0);
}

START_TEST(member_keeps_no_dropped_privilege)
{
	char *out, *member;

	if (cannot_set_capabilities())
		return;
	out = output_of_child(cred_child, _i, cred_cases[_i].name);
	member = out + strlen(out) + 1;
	ck_assert_msg(!strcmp(member, out), "%s: a member's program has\n%s"
		      "where execve() gives\n%s", cred_cases[_i].name, member,
		      out);
	free(out);
}
END_TEST

/* ------------------------------------------------------------------ */

/* The file-backed mappings of pid, sorted, one per line, no repeats. */
static char *mapped_files(pid_t pid)
{
	char cmd[128];
	int st;
	char *argv[] = { "sh", "-c", cmd, NULL };

	snprintf(cmd, sizeof(cmd), "awk '$6 ~ /^\\// { print $6 }' "
		 "/proc/%d/maps | sort -u", (int)pid);
	return capture(argv, &st);
}

static void check_child(pid_t pid, const unsigned char *want_fds,
			const char *want_maps)
{
	unsigned long mine[64], its[64];
	unsigned char fds[1024], unused[1024];
	char path[64], env[64];
	int nmine, nits, i, j, fd;
	ssize_t n;
	char *maps;

	await_syscall(pid, SYS_clock_nanosleep);
	nits = fds_of(pid, fds, its, 64);
	nmine = fds_of(getpid(), unused, mine, 64);
	for (i = 0; i < 1024; i++)
		ck_assert_msg(fds[i] == want_fds[i], "fd %d: child %d, "
			      "expected %d", i, fds[i], want_fds[i]);
	for (i = 0; i < nits; i++)
		for (j = 0; j < nmine; j++)
			ck_assert_msg(its[i] != mine[j], "the child holds "
				      "socket %lu of its caller", its[i]);
	maps = mapped_files(pid);
	ck_assert_str_eq(maps, want_maps);
	ck_assert_ptr_null(strstr(maps, "pristine"));
	ck_assert_ptr_null(strstr(maps, "test-faults"));
	free(maps);
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	n = read(fd, env, sizeof(env));
	close(fd);
	ck_assert_int_eq(n, 7);
	ck_assert_mem_eq(env, "ONLY=1", 7);
	kill(pid, SIGKILL);
	wait_status(pid);
}

START_TEST(child_holds_nothing_of_the_caller)
{
	char *argv[] = { "sleep", "30", NULL }, *envp[] = { "ONLY=1", NULL };
	unsigned char inheritable[1024], only_1[1024] = { 0 };
	pristine_template_t *t;
	char *kernel_maps;
	int h, idle, fd, pidfd;
	pid_t pid;

	/* Library sockets the child must not get: a pool's members, an
	 * open handle, a template's members. */
	ck_assert_int_eq(pristine_pool_create(2, 0), 0);
	idle = pristine_open(0);
	ck_assert_int_ge(idle, 0);
	t = pristine_template_create("/bin/sleep", -1, 2, 0);
	ck_assert_ptr_nonnull(t);
	for (fd = 0; fd < 1024; fd++) {
		int fl = fcntl(fd, F_GETFD);

		inheritable[fd] = fl >= 0 && !(fl & FD_CLOEXEC);
	}
	only_1[1] = 1;
	/* What a real exec maps. */
	ck_assert_int_eq(posix_spawn(&pid, "/bin/sleep", NULL, NULL, argv,
				     envp), 0);
	await_syscall(pid, SYS_clock_nanosleep);
	kernel_maps = mapped_files(pid);
	kill(pid, SIGKILL);
	wait_status(pid);

	ck_assert_int_eq(pristine_spawn(&pid, "/bin/sleep", NULL, NULL, argv,
					envp), 0);
	check_child(pid, inheritable, kernel_maps);
	ck_assert_int_eq(pristine_template_spawn(t, &pid, NULL, NULL, argv,
						 envp), 0);
	check_child(pid, inheritable, kernel_maps);
	h = pristine_open(0);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "exec",
					 "/bin/sleep", AT_FDCWD), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_FD, "fd:1", NULL,
					 1), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "argv",
					 "sleep", 0), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "argv",
					 "30", 0), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "env",
					 "ONLY=1", 0), 0);
	pidfd = pristine_run(h, &pid);
	ck_assert_int_ge(pidfd, 0);
	check_child(pid, only_1, kernel_maps);
	close(pidfd);

	free(kernel_maps);
	pristine_template_destroy(t);
	ck_assert_int_eq(pristine_pool_destroy(), 0);
	/* An abandoned handle goes at the next call. */
	close(idle);
	ck_assert_int_eq(pristine_config(idle, PRISTINE_SET_FLAG, "setsid",
					 NULL, 0), -1);
	ck_assert(!has_children());
}
END_TEST

Suite *privilege_suite(void)
{
	Suite *s = suite_create("privilege");
	TCase *tc = testlib_tcase(s, "privilege", 60);

	tcase_add_test(tc, setgid_target);
	tcase_add_test(tc, file_caps_target);
	tcase_add_test(tc, privileged_loader_refuses);
	tcase_add_test(tc, setuid_caller_ignores_loader_variable);
	tcase_add_test(tc, capabilities_dropped_as_by_execve);
	tcase_add_test(tc, ambient_capabilities_kept_as_by_execve);
	tcase_add_loop_test(tc, member_keeps_no_dropped_privilege, 0,
			    sizeof(cred_cases) / sizeof(cred_cases[0]));
	tcase_add_test(tc, child_holds_nothing_of_the_caller);
	return s;
}
