/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The executable file and its mapping, against glibc's posix_spawn() and a
 * real execve() in the same case, as root and as uid 65534, on every route
 * that applies (default, kernel, pool, template, a handle):
 *   files     execve()'s checks before anything opens the file: a FIFO's
 *             writer stays blocked, a socket, /dev/tty and a device give
 *             EACCES, a leased file waits for the lease, PATH goes on
 *             past a socket;
 *   refused   a seccomp filter refusing a check only the loader makes
 *             (fstat, fstatfs, faccessat2, getrandom) does not fail a spawn
 *             that execve() runs;
 *   cloexec   a close-on-exec descriptor named by a file action is closed
 *             in the program, unless adddup2(fd, fd) cleared the flag;
 *   procself  /proc/self/... paths name the caller's files;
 *   layout    an image whose segments lie over every page of the empty
 *             process (ASLR off and on) runs as execve() runs it, under
 *             its seccomp filter, and never runs the bytes it maps there;
 *   rlimit    the smallest RLIMIT_AS that runs a tiny static program is
 *             the same as by execve().
 * Each case runs in its own process (Check forks): privileges are dropped
 * there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <grp.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include "mini-elf.h"
#include "pristine.h"
#include "testlib.h"

static char top[256];

enum route { GLIBC, DEFAULT, KERNEL, POOL, TEMPLATE, NROUTES };
static const char *const route_names[] = { "glibc", "default", "kernel",
					   "pool", "template" };

/* ------------------------------------------------------------------ */
/* Set-up shared by the cases                                          */
/* ------------------------------------------------------------------ */

/* Runs the rest of the case as uid 65534 if nobody, in a directory of
 * its own (owned by the user the case runs as) into dir. */
static int become(int nobody, char *dir, size_t len)
{
	static int n;

	snprintf(dir, len, "%s/%d-%d", top, (int)getpid(), n++);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	if (!nobody)
		return 0;
	if (geteuid() != 0) {
		skip_case("uid 65534: needs root to switch");
		return -1;
	}
	ck_assert_int_eq(chown(dir, 65534, 65534), 0);
	ck_assert_int_eq(setgroups(0, NULL), 0);
	ck_assert_int_eq(setresgid(65534, 65534, 65534), 0);
	ck_assert_int_eq(setresuid(65534, 65534, 65534), 0);
	/* as a process of that user started by a login: /proc/PID is its */
	ck_assert_int_eq(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
	return 0;
}

/* The mini executable (exit 42, or exit_code) at path. */
static void write_mini_at(const char *path, int exit_code)
{
	struct mini_elf m;

	mini_elf_build(&m, ET_EXEC);
	m.bytes[MINI_DATA_OFF] = (unsigned char)exit_code;
	write_file(path, m.bytes, m.size, 0755);
	mini_elf_free(&m);
}

static pristine_template_t *tmpl;

/* Waits up to 5 s for an idle member of the pool or a template, filed
 * by its reserve. */
static pid_t await_member(void)
{
	pid_t pid = 0;

	ck_assert_int_ge(await_waiting_members(1, &pid, 1), 1);
	return pid;
}

/* Makes what route r spawns from (a pool, or a template of path). */
static pid_t route_setup(enum route r, const char *path)
{
	if (r == POOL)
		ck_assert_int_eq(pristine_pool_create(1, 0), 0);
	if (r == TEMPLATE) {
		tmpl = pristine_template_create(path, -1, 1, 0);
		ck_assert_msg(tmpl != NULL, "template of %s: %s", path,
			      pristine_errmsg());
	}
	return r == POOL || r == TEMPLATE ? await_member() : 0;
}

static void route_done(enum route r)
{
	if (r == POOL)
		pristine_pool_destroy();
	if (r == TEMPLATE)
		pristine_template_destroy(tmpl);
	tmpl = NULL;
}

/* File actions, for glibc's and pristine's layers alike. */
enum act_type { ACT_DUP2, ACT_FCHDIR, ACT_TCSETPGRP, ACT_CLOSE, ACT_CHDIR };
struct actions {
	int n, setpgroup;
	struct { enum act_type type; int fd, newfd; const char *path; } a[4];
};

static void add(struct actions *x, enum act_type t, int fd, int newfd,
		const char *path)
{
	x->a[x->n].type = t;
	x->a[x->n].fd = fd;
	x->a[x->n].newfd = newfd;
	x->a[x->n].path = path;
	x->n++;
}

/*
 * Spawns path (searched in PATH if search) by route r with the actions:
 * 0 and *pid, or the errno. A pool or template route must draw on its
 * member (member: its pid, checked).
 */
static int spawn_by(enum route r, pid_t member, pid_t *pid, const char *path,
		    int search, const struct actions *x, char *const argv[])
{
	char *envp[] = { "PATH=/usr/bin:/bin", NULL };
	int err, i;

	if (r == GLIBC) {
		posix_spawn_file_actions_t fa;
		posix_spawnattr_t at;

		posix_spawn_file_actions_init(&fa);
		posix_spawnattr_init(&at);
		for (i = 0; x && i < x->n; i++) {
			int fd = x->a[i].fd;

			switch (x->a[i].type) {
			case ACT_DUP2:
				posix_spawn_file_actions_adddup2(
					&fa, fd, x->a[i].newfd);
				break;
			case ACT_FCHDIR:
				posix_spawn_file_actions_addfchdir_np(&fa, fd);
				break;
			case ACT_TCSETPGRP:
				posix_spawn_file_actions_addtcsetpgrp_np(&fa,
									 fd);
				break;
			case ACT_CLOSE:
				posix_spawn_file_actions_addclose(&fa, fd);
				break;
			case ACT_CHDIR:
				posix_spawn_file_actions_addchdir_np(
					&fa, x->a[i].path);
				break;
			}
		}
		if (x && x->setpgroup)
			posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
		err = (search ? posix_spawnp : posix_spawn)(pid, path, &fa, &at,
							    argv, envp);
		posix_spawn_file_actions_destroy(&fa);
		posix_spawnattr_destroy(&at);
		return err;
	} else {
		pristine_spawn_file_actions_t fa;
		pristine_spawnattr_t at;

		pristine_spawn_file_actions_init(&fa);
		pristine_spawnattr_init(&at);
		for (i = 0; x && i < x->n; i++) {
			int fd = x->a[i].fd;

			switch (x->a[i].type) {
			case ACT_DUP2:
				pristine_spawn_file_actions_adddup2(
					&fa, fd, x->a[i].newfd);
				break;
			case ACT_FCHDIR:
				pristine_spawn_file_actions_addfchdir(&fa, fd);
				break;
			case ACT_TCSETPGRP:
				pristine_spawn_file_actions_addtcsetpgrp(&fa,
									 fd);
				break;
			case ACT_CLOSE:
				pristine_spawn_file_actions_addclose(&fa, fd);
				break;
			case ACT_CHDIR:
				pristine_spawn_file_actions_addchdir(
					&fa, x->a[i].path);
				break;
			}
		}
		if (x && x->setpgroup)
			pristine_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
		if (r == KERNEL)
			pristine_spawnattr_setexecmode(&at,
						       PRISTINE_EXEC_KERNEL);
		if (r == TEMPLATE)
			err = pristine_template_spawn(tmpl, pid, &fa, &at,
						      argv, envp);
		else
			err = (search ? pristine_spawnp : pristine_spawn)(
				pid, path, &fa, &at, argv, envp);
		pristine_spawn_file_actions_destroy(&fa);
		pristine_spawnattr_destroy(&at);
	}
	if (!err && member)
		ck_assert_msg(*pid == member, "%s: spawned %d, not its member "
			      "%d", route_names[r], (int)*pid, (int)member);
	return err;
}

/* What a spawn gave: "errno E", "exit N" or "signal S". */
static char *outcome(int err, pid_t pid)
{
	static char buf[4][64];
	static int k;
	char *b = buf[k++ % 4];
	int st;

	if (err) {
		snprintf(b, 64, "errno %s", strerrorname_np(err));
		return b;
	}
	st = wait_status(pid);
	if (WIFEXITED(st))
		snprintf(b, 64, "exit %d", WEXITSTATUS(st));
	else
		snprintf(b, 64, "signal %s", sigabbrev_np(WTERMSIG(st)));
	return b;
}

/* The case's loop index as (route, nobody): routes first. */
#define LOOP_ROUTE(i, nroutes)	((enum route)(1 + (i) % (nroutes)))
#define LOOP_NOBODY(i, nroutes)	((i) / (nroutes))

/* ------------------------------------------------------------------ */
/* files: execve()'s checks, in its order, without side effects        */
/* ------------------------------------------------------------------ */

/* Is pid asleep in system call nr (not woken, not past it)? */
static int sleeps_in(pid_t pid, int nr)
{
	char path[64], buf[512] = "", want[16];
	const char *state;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	state = strrchr(buf, ')');
	if (!state || state[2] != 'S')
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	snprintf(want, sizeof(want), "%d ", nr);
	return !strncmp(buf, want, strlen(want));
}

/* A writer blocked in open(O_WRONLY) on the FIFO at path. */
static pid_t fifo_writer(const char *path)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		open(path, O_WRONLY);
		_exit(0);
	}
	await_syscall(pid, SYS_openat);
	return pid;
}

static void kill_wait(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * A write lease on path, held by a child: it answers 'W' or 'N' to 'q'
 * (is the lease still whole?), and on the lease's break gives it up and
 * says 'B'. *ctl gets its command pipe, *notes its answers.
 */
static int lease_fd;
static int lease_notes;

static void lease_broken(int sig)
{
	(void)sig;
	fcntl(lease_fd, F_SETLEASE, F_UNLCK);
	(void)!write(lease_notes, "B", 1);
}

static pid_t lease_holder(const char *path, int *ctl, int *notes)
{
	int c[2], n[2];
	pid_t pid;
	char ch = 0;

	ck_assert_int_eq(pipe2(c, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(n, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		lease_notes = n[1];
		signal(SIGIO, lease_broken);
		lease_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (lease_fd < 0 || fcntl(lease_fd, F_SETLEASE, F_WRLCK) < 0)
			_exit(1);
		(void)!write(n[1], "L", 1);
		while (read(c[0], &ch, 1) != 0) {
			if (ch != 'q')
				continue;
			(void)!write(n[1], fcntl(lease_fd, F_GETLEASE) ==
						   F_WRLCK ? "W" : "N", 1);
		}
		_exit(0);
	}
	close(c[0]);
	close(n[1]);
	ck_assert_int_eq(read(n[0], &ch, 1), 1);
	ck_assert_msg(ch == 'L', "could not take a write lease on %s", path);
	*ctl = c[1];
	*notes = n[0];
	return pid;
}

enum file_kind { F_FIFO, F_SOCKET, F_DEVTTY, F_DEVICE, F_LEASE,
		 F_LEASE_NOEXEC, F_PATHSOCK, NFILES };
static const char *const file_names[] = { "fifo", "socket", "devtty",
					  "device", "lease", "lease-0644",
					  "pathsock" };

static void make_socket(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(s, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(chmod(path, 0755), 0);
	/* the socket file outlives the descriptor */
	close(s);
}

/*
 * One kind of file, one route, one user: the spawn gives what glibc's
 * gives, and whatever execve() leaves alone (a FIFO's writer, a lease on
 * a file it does not run) is left alone.
 */
static void file_case(enum file_kind kind, enum route r, int nobody)
{
	char dir[300], path[500], bin[400], pathvar[900];
	char *argv[] = { "x", NULL };
	const char *got[2];
	int search = 0, pass, i;
	pid_t pid = 0, member = 0, writer = 0, holder = 0;

	if (kind == F_DEVICE && nobody) {
		skip_case("a device node needs root");
		return;
	}
	if (r == TEMPLATE && (kind == F_LEASE || kind == F_PATHSOCK)) {
		skip_case("a template opens its file when it is made");
		return;
	}
	if (become(nobody, dir, sizeof(dir)))
		return;
	snprintf(path, sizeof(path), "%s/prog", dir);
	switch (kind) {
	case F_FIFO:
		ck_assert_int_eq(mkfifo(path, 0755), 0);
		break;
	case F_SOCKET:
		make_socket(path);
		break;
	case F_DEVTTY:
		setsid();
		i = open("/dev/tty", O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		if (i >= 0 || errno != ENXIO) {
			skip_case("cannot lose the controlling terminal");
			return;
		}
		snprintf(path, sizeof(path), "/dev/tty");
		break;
	case F_DEVICE:
		/* ptmx, outside devpts: its open handler says ENOENT */
		if (mknod(path, S_IFCHR | 0755, makedev(5, 2)) < 0) {
			skip_case("mknod: %s", strerror(errno));
			return;
		}
		i = open(path, O_RDONLY | O_CLOEXEC);
		if (i >= 0 || errno != ENOENT) {
			skip_case("this mount does not run device opens");
			return;
		}
		break;
	case F_LEASE:
	case F_LEASE_NOEXEC:
		write_mini_at(path, 42);
		if (kind == F_LEASE_NOEXEC)
			chmod(path, 0644);
		break;
	case F_PATHSOCK:
		snprintf(bin, sizeof(bin), "%s/bin", dir);
		ck_assert_int_eq(mkdir(bin, 0755), 0);
		snprintf(path, sizeof(path), "%s/prog", bin);
		make_socket(path);
		snprintf(path, sizeof(path), "%s/prog", dir);
		write_mini_at(path, 42);
		snprintf(pathvar, sizeof(pathvar), "%s:%s", bin, dir);
		setenv("PATH", pathvar, 1);
		snprintf(path, sizeof(path), "prog");
		search = 1;
		break;
	default:
		break;
	}
	for (pass = 0; pass < 2; pass++) {
		enum route now = pass ? r : GLIBC;
		int err, ctl = -1, notes = -1;
		char note = 0;

		if (kind == F_FIFO)
			writer = fifo_writer(path);
		if (kind == F_LEASE || kind == F_LEASE_NOEXEC)
			holder = lease_holder(path, &ctl, &notes);
		if (now == TEMPLATE) {
			tmpl = pristine_template_create(path, -1, 1, 0);
			err = tmpl ? 0 : errno;
			if (!err)
				err = spawn_by(now, await_member(), &pid, path,
					       search, NULL, argv);
		} else {
			member = route_setup(now, path);
			err = spawn_by(now, member, &pid, path, search, NULL,
				       argv);
		}
		got[pass] = outcome(err, pid);
		route_done(now);
		if (kind == F_FIFO) {
			ck_assert_msg(sleeps_in(writer, SYS_openat),
				      "%s: the FIFO's writer was woken",
				      route_names[now]);
			kill_wait(writer);
		}
		if (kind == F_LEASE) {
			ck_assert_int_eq(read(notes, &note, 1), 1);
			ck_assert_msg(note == 'B', "%s: the lease was not "
				      "broken", route_names[now]);
		}
		if (kind == F_LEASE_NOEXEC) {
			ck_assert_int_eq(write(ctl, "q", 1), 1);
			ck_assert_int_eq(read(notes, &note, 1), 1);
			ck_assert_msg(note == 'W', "%s: the lease of a file "
				      "execve() does not run was broken",
				      route_names[now]);
		}
		if (holder) {
			close(ctl);
			close(notes);
			kill_wait(holder);
		}
	}
	fprintf(stderr, "files: %-10s %-8s %s: glibc %s, pristine %s\n",
		file_names[kind], route_names[r], nobody ? "65534" : "root",
		got[0], got[1]);
	ck_assert_msg(!strcmp(got[0], got[1]), "%s, %s: glibc gave %s, "
		      "pristine %s", file_names[kind], route_names[r], got[0],
		      got[1]);
}

#define FILE_ROUTES 4	/* default, kernel, pool, template */

START_TEST(files)
{
	int per = FILE_ROUTES * 2;

	file_case((enum file_kind)(_i / per), LOOP_ROUTE(_i % per, FILE_ROUTES),
		  LOOP_NOBODY(_i % per, FILE_ROUTES));
}
END_TEST

/* A handle's exec key with a FIFO: no open for reading, EACCES at run. */
START_TEST(exec_key_fifo)
{
	char dir[300], path[400];
	pid_t writer;
	int h;

	if (become(_i, dir, sizeof(dir)))
		return;
	snprintf(path, sizeof(path), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0755), 0);
	writer = fifo_writer(path);
	h = pristine_open(0);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "exec", path,
					 AT_FDCWD), 0);
	ck_assert_int_eq(pristine_run(h, NULL), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_msg(sleeps_in(writer, SYS_openat),
		      "the FIFO's writer was woken");
	kill_wait(writer);
}
END_TEST

/* ------------------------------------------------------------------ */
/* refused: a seccomp filter on a check only the loader makes          */
/* ------------------------------------------------------------------ */

static const int refused_calls[] = { SYS_fstat, SYS_fstatfs, SYS_faccessat2,
				     SYS_getrandom };
static const char *const refused_names[] = { "fstat", "fstatfs",
					     "faccessat2", "getrandom" };
#define NREFUSED 4

/* Refuses system call nr with err, from now on, in this process and what
 * it starts. */
static void refuse(int nr, int err)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)err),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { 4, f };

	ck_assert_int_eq(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	ck_assert_int_eq(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0,
				 &prog), 0);
}

START_TEST(refused)
{
	int per = 4 * 2 * 2;	/* routes, users, errnos */
	int call = _i / per, k = _i % per;
	enum route r = LOOP_ROUTE(k % 8, 4);
	int nobody = LOOP_NOBODY(k % 8, 4), err = k / 8 ? ENOSYS : EPERM;
	char dir[300], path[400];
	char *argv[] = { "x", NULL };
	const char *got[2];
	pid_t pid = 0, member;
	int pass;

	if (become(nobody, dir, sizeof(dir)))
		return;
	snprintf(path, sizeof(path), "%s/prog", dir);
	write_mini_at(path, 42);
	refuse(refused_calls[call], err);
	for (pass = 0; pass < 2; pass++) {
		enum route now = pass ? r : GLIBC;
		int e;

		member = route_setup(now, path);
		e = spawn_by(now, member, &pid, path, 0, NULL, argv);
		got[pass] = outcome(e, pid);
		route_done(now);
	}
	fprintf(stderr, "refused: %-10s %s %-8s %s: glibc %s, pristine %s\n",
		refused_names[call], strerrorname_np(err), route_names[r],
		nobody ? "65534" : "root", got[0], got[1]);
	ck_assert_str_eq(got[0], "exit 42");
	ck_assert_msg(!strcmp(got[0], got[1]), "%s refused: pristine gave %s",
		      refused_names[call], got[1]);
}
END_TEST

/* ------------------------------------------------------------------ */
/* cloexec: a real exec closes close-on-exec descriptors               */
/* ------------------------------------------------------------------ */

enum cloexec_kind { C_DUP2, C_FCHDIR, C_TCSETPGRP, C_DUP2SELF, NCLOEXEC };
static const char *const cloexec_names[] = { "dup2", "fchdir", "tcsetpgrp",
					     "dup2self" };

/* show-fds's output, spawned by r with x (stdout: the pipe p, whose
 * write end is closed here once the program has it). */
static char *listing(enum route r, pid_t member, const struct actions *x,
		     int p[2])
{
	int rd = p[0];
	char *argv[] = { "show-fds", NULL };
	pid_t pid;
	int err = spawn_by(r, member, &pid, built("show-fds"), 0, x, argv),
	    st;
	char *out;

	ck_assert_msg(err == 0, "%s: %s (%s)", route_names[r], strerror(err),
		      pristine_errmsg());
	close(p[1]);
	out = slurp_fd(rd);
	st = wait_status(pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: status %x",
		      route_names[r], st);
	return out;
}

/* Is descriptor fd in show-fds's output (as "fd" or "fd cloexec")? */
static int has_fd(const char *out, int fd, int *cloexec)
{
	char want[16];
	const char *p = out;
	size_t n = (size_t)snprintf(want, sizeof(want), "%d", fd);

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, want, n) && (p[n] == '\n' || p[n] == ' ')) {
			*cloexec = p[n] == ' ';
			return 1;
		}
	return 0;
}

/* fd moved to 40, close-on-exec: the same number in every pass, so that
 * the listings compare. */
static int at_40(int fd)
{
	ck_assert_int_eq(dup3(fd, 40, O_CLOEXEC), 40);
	close(fd);
	return 40;
}

static void cloexec_case(enum cloexec_kind kind, enum route r, int nobody)
{
	char dir[300], *out[2];
	struct actions x = { 0 };
	int p[2], named = -1, pass, ce = 0, tty = -1;
	pid_t leader = 0;

	if (become(nobody, dir, sizeof(dir)))
		return;
	if (kind == C_TCSETPGRP) {
		/* A terminal of our own, close-on-exec, as controlling
		 * terminal of a new session: Check made this process a
		 * group leader, so a child of it leads the session. */
		int m, st;

		ck_assert_int_ge(leader = fork(), 0);
		if (leader > 0) {
			st = wait_status(leader);
			ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
				      "the session's leader failed: %x", st);
			return;
		}
		ck_assert_int_ge(setsid(), 0);
		m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		ck_assert_int_ge(m, 0);
		ck_assert_int_eq(grantpt(m), 0);
		ck_assert_int_eq(unlockpt(m), 0);
		tty = open(ptsname(m), O_RDWR | O_CLOEXEC);
		ck_assert_int_ge(tty, 0);
		ck_assert_int_eq(tcgetsid(tty), getpid());
	}
	for (pass = 0; pass < 2; pass++) {
		enum route now = pass ? r : GLIBC;
		pid_t member = route_setup(now, built("show-fds"));

		memset(&x, 0, sizeof(x));
		ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
		add(&x, ACT_DUP2, p[1], 1, NULL);
		switch (kind) {
		case C_DUP2:
			named = p[1];
			break;
		case C_FCHDIR:
			named = at_40(open(dir, O_RDONLY | O_DIRECTORY |
						O_CLOEXEC));
			add(&x, ACT_FCHDIR, named, 0, NULL);
			break;
		case C_TCSETPGRP:
			named = tty;
			x.setpgroup = 1;
			add(&x, ACT_TCSETPGRP, named, 0, NULL);
			break;
		case C_DUP2SELF:
			named = at_40(open("/dev/null", O_RDONLY | O_CLOEXEC));
			add(&x, ACT_DUP2, named, named, NULL);
			break;
		default:
			break;
		}
		out[pass] = listing(now, member, &x, p);
		close(p[0]);
		if (kind == C_FCHDIR || kind == C_DUP2SELF)
			close(named);
		route_done(now);
	}
	fprintf(stderr, "cloexec: %-9s %-8s %s: fd %d\n--- glibc\n%s--- %s\n%s",
		cloexec_names[kind], route_names[r], nobody ? "65534" : "root",
		named, out[0], route_names[r], out[1]);
	if (kind == C_DUP2SELF) {
		ck_assert_msg(has_fd(out[1], named, &ce) && !ce, "adddup2(%d, "
			      "%d) of a close-on-exec descriptor: not open "
			      "without the flag", named, named);
	} else {
		ck_assert_msg(!has_fd(out[1], named, &ce), "the close-on-exec "
			      "descriptor %d is open in the program", named);
	}
	ck_assert_str_eq(out[0], out[1]);
	free(out[0]);
	free(out[1]);
	if (kind == C_TCSETPGRP)
		_exit(0);
}

START_TEST(cloexec)
{
	int per = FILE_ROUTES * 2;

	cloexec_case((enum cloexec_kind)(_i / per),
		     LOOP_ROUTE(_i % per, FILE_ROUTES),
		     LOOP_NOBODY(_i % per, FILE_ROUTES));
}
END_TEST

/* ------------------------------------------------------------------ */
/* procself: /proc/self paths name the caller's files                  */
/* ------------------------------------------------------------------ */

enum procself_kind { P_EXE, P_PID_EXE, P_THREAD_EXE, P_MEMFD, P_DEVFD,
		     P_MEMFD_MOVED, P_MEMFD_CLOSED, P_CWD, P_CWD_CHDIR,
		     NPROCSELF };
static const char *const procself_names[] = {
	"exe", "pid-exe", "thread-self-exe", "memfd", "dev-fd", "memfd-moved",
	"memfd-closed", "cwd", "cwd-chdir" };

static void procself_case(enum procself_kind kind, enum route r, int nobody)
{
	char dir[300], sub[400], path[500], *argv[] = { "x", "--exit", "7",
							 NULL };
	struct actions x = { 0 };
	struct mini_elf m;
	const char *got[2];
	pid_t pid = 0;
	int pass, mfd = -1;

	if (become(nobody, dir, sizeof(dir)))
		return;
	switch (kind) {
	case P_EXE:
		snprintf(path, sizeof(path), "/proc/self/exe");
		break;
	case P_PID_EXE:
		snprintf(path, sizeof(path), "/proc/%d/exe", (int)getpid());
		break;
	case P_THREAD_EXE:
		snprintf(path, sizeof(path), "/proc/thread-self/exe");
		break;
	case P_MEMFD:
	case P_DEVFD:
	case P_MEMFD_MOVED:
	case P_MEMFD_CLOSED:
		mfd = memfd_create("mini", MFD_CLOEXEC);
		ck_assert_int_ge(mfd, 0);
		mini_elf_build(&m, ET_EXEC);
		ck_assert_int_eq(write(mfd, m.bytes, m.size), (ssize_t)m.size);
		mini_elf_free(&m);
		snprintf(path, sizeof(path), "%s/%d",
			 kind == P_DEVFD ? "/dev/fd" : "/proc/self/fd",
			 kind == P_MEMFD_MOVED ? 100 : mfd);
		if (kind == P_MEMFD_MOVED)
			add(&x, ACT_DUP2, mfd, 100, NULL);
		if (kind == P_MEMFD_CLOSED)
			add(&x, ACT_CLOSE, mfd, 0, NULL);
		break;
	case P_CWD:
	case P_CWD_CHDIR:
		snprintf(sub, sizeof(sub), "%s/sub", dir);
		ck_assert_int_eq(mkdir(sub, 0755), 0);
		snprintf(path, sizeof(path), "%s/prog", dir);
		write_mini_at(path, 42);
		snprintf(path, sizeof(path), "%s/prog", sub);
		write_mini_at(path, 43);
		ck_assert_int_eq(chdir(dir), 0);
		snprintf(path, sizeof(path), "/proc/self/cwd/prog");
		if (kind == P_CWD_CHDIR)
			add(&x, ACT_CHDIR, 0, 0, sub);
		break;
	default:
		break;
	}
	for (pass = 0; pass < 2; pass++) {
		enum route now = pass ? r : GLIBC;
		pid_t member = route_setup(now, path);

		int err = spawn_by(now, member, &pid, path, 0, &x, argv);

		got[pass] = outcome(err, pid);
		route_done(now);
	}
	fprintf(stderr, "procself: %-16s %-8s %s: glibc %s, pristine %s\n",
		procself_names[kind], route_names[r], nobody ? "65534" : "root",
		got[0], got[1]);
	ck_assert_msg(!strcmp(got[0], got[1]), "%s: glibc gave %s, pristine %s",
		      path, got[0], got[1]);
	if (mfd >= 0)
		close(mfd);
}

#define PROCSELF_ROUTES 3	/* default, kernel, pool */

START_TEST(procself)
{
	int per = PROCSELF_ROUTES * 2;

	procself_case((enum procself_kind)(_i / per),
		      LOOP_ROUTE(_i % per, PROCSELF_ROUTES),
		      LOOP_NOBODY(_i % per, PROCSELF_ROUTES));
}
END_TEST

/* ------------------------------------------------------------------ */
/* layout: segments over every page of the empty process               */
/* ------------------------------------------------------------------ */

#define OVERLAY_BASE	0x400000ul
#define PAYLOAD_EXIT	99

/*
 * The declared entry: getppid(), then exit 0 if the filter refused it
 * (EPERM), 1 if not. Position independent.
 */
static const unsigned char entry_code[] = {
	0xb8, 110, 0, 0, 0,		/* mov $110 (getppid), %eax */
	0x0f, 0x05,			/* syscall */
	0x31, 0xff,			/* xor %edi, %edi */
	0x48, 0x83, 0xf8, 0xff,		/* cmp $-1 (-EPERM), %rax */
	0x40, 0x0f, 0x95, 0xc7,		/* setne %dil */
	0xb8, 231, 0, 0, 0,		/* mov $231 (exit_group), %eax */
	0x0f, 0x05,			/* syscall */
	0xf4,				/* hlt */
};

/* What the bytes over the empty process's pages do if they ever run: a
 * slide of NOPs into exit_group(99). */
static const unsigned char payload[] = {
	0xb8, 231, 0, 0, 0,		/* mov $231, %eax */
	0xbf, PAYLOAD_EXIT, 0, 0, 0,	/* mov $99, %edi */
	0x0f, 0x05,			/* syscall */
	0xf4,				/* hlt */
};

struct range {
	unsigned long lo, hi;
};

/* The mappings of pid below TASK_SIZE (all of them but [vsyscall]),
 * without [stack] unless stack. */
static int maps_of(pid_t pid, struct range *r, int max, int stack)
{
	char path[64], line[512];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	ck_assert_ptr_nonnull(f = fopen(path, "re"));
	while (fgets(line, sizeof(line), f) && n < max) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx", &lo, &hi) != 2 ||
		    hi > 0x7ffffffff000ul || (!stack && strstr(line, "[stack]")))
			continue;
		r[n++] = (struct range){ lo, hi };
	}
	fclose(f);
	return n;
}

/*
 * An ET_EXEC image at path: its first PT_LOAD at OVERLAY_BASE holds the
 * headers and the declared entry; one more PT_LOAD over each range,
 * read/execute, all from one file range of payload pages.
 */
static void write_overlay(const char *path, const struct range *r, int n)
{
	size_t hdr = sizeof(Elf64_Ehdr) + (size_t)(n + 2) * sizeof(Elf64_Phdr);
	unsigned long sled = 0, code = (hdr + 15) & ~15ul, sled_off, i;
	size_t size;
	unsigned char *img, page[4096];
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	int k;

	for (k = 0; k < n; k++)
		if (r[k].hi - r[k].lo > sled)
			sled = r[k].hi - r[k].lo;
	sled_off = (code + sizeof(entry_code) + 4095) & ~4095ul;
	size = sled_off + sled;
	ck_assert_ptr_nonnull(img = calloc(1, size));
	eh = (Elf64_Ehdr *)img;
	ph = (Elf64_Phdr *)(img + sizeof(*eh));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = OVERLAY_BASE + code;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = (Elf64_Half)(n + 2);
	ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
			      .p_vaddr = OVERLAY_BASE,
			      .p_filesz = code + sizeof(entry_code),
			      .p_memsz = code + sizeof(entry_code),
			      .p_align = 4096 };
	ph[1] = (Elf64_Phdr){ .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W };
	for (k = 0; k < n; k++)	/* r is in address order, as maps are */
		ph[2 + k] = (Elf64_Phdr){
			.p_type = PT_LOAD, .p_flags = PF_R | PF_X,
			.p_offset = sled_off, .p_vaddr = r[k].lo,
			.p_filesz = r[k].hi - r[k].lo,
			.p_memsz = r[k].hi - r[k].lo, .p_align = 4096 };
	memcpy(img + code, entry_code, sizeof(entry_code));
	memset(page, 0x90, sizeof(page));
	memcpy(page + sizeof(page) - sizeof(payload), payload, sizeof(payload));
	for (i = 0; i < sled; i += 4096)
		memcpy(img + sled_off + i, page, 4096);
	write_file(path, img, size, 0755);
	free(img);
}

static const struct sock_filter deny_getppid[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

/* The reference: fork, no_new_privs, the filter, execve(). */
static const char *execve_under_filter(const char *path)
{
	struct sock_fprog prog = { 4, (struct sock_filter *)deny_getppid };
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *argv[] = { "overlay", NULL }, *envp[] = { NULL };

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
			_exit(98);
		execve(path, argv, envp);
		_exit(97);
	}
	return outcome(0, pid);
}

static void layout_case(int randomized, int kernel, int nobody)
{
	char dir[300], path[400], pidname[32];
	struct range r[256];
	const char *want, *got;
	pid_t loader, pid = 0;
	int h, n, err;

	if (become(nobody, dir, sizeof(dir)))
		return;
	if (!randomized)
		ck_assert_int_ne(personality(ADDR_NO_RANDOMIZE), -1);
	snprintf(path, sizeof(path), "%s/overlay", dir);
	h = pristine_open(0);
	ck_assert_int_ge(h, 0);
	loader = child_named("pristine-loader");
	/* Up and waiting for its request: every mapping of its is made (its
	 * name comes at its exec, before its segments). */
	await_syscall(loader, SYS_recvmsg);
	/* The stack is where the kernel puts a new one when nothing is
	 * random: an image over it cannot run by execve() either. */
	n = maps_of(loader, r, 256, randomized);
	ck_assert_int_gt(n, 2);
	write_overlay(path, r, n);
	snprintf(pidname, sizeof(pidname), "%d", (int)loader);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "exec", path,
					 AT_FDCWD), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "argv",
					 "overlay", 0), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_FLAG, "no-new-privs",
					 NULL, 0), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_BINARY, "seccomp",
					 deny_getppid, sizeof(deny_getppid)),
			 0);
	if (kernel)
		ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING,
						 "mode", "kernel", 0), 0);
	err = pristine_run(h, &pid);	/* a pidfd */
	err = err < 0 ? errno : close(err);
	got = outcome(err, pid);
	want = execve_under_filter(path);
	fprintf(stderr, "layout: ASLR %s, %s, %s, %d segments over the empty "
		"process %s: execve %s, pristine %s (route %s)\n",
		randomized ? "on" : "off", kernel ? "kernel" : "default",
		nobody ? "65534" : "root", n, pidname, want, got,
		err ? "none" : pristine_route_name(pristine_last_route()));
	ck_assert_str_eq(want, "exit 0");
	ck_assert_msg(!strcmp(got, want), "execve gave %s, pristine %s", want,
		      got);
}

START_TEST(layout)
{
	layout_case(_i & 1, (_i >> 1) & 1, _i >> 2);
}
END_TEST

/* ------------------------------------------------------------------ */
/* rlimit: RLIMIT_AS, as execve() needs it                             */
/* ------------------------------------------------------------------ */

/* Does path run (exit 42) under RLIMIT_AS lim, by execve() or pristine? */
static const char *run_limited(const char *path, rlim_t lim, int how)
{
	struct rlimit rl = { lim, lim };
	pid_t pid = 0;
	int h, err;

	if (how == GLIBC) {
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			char *argv[] = { "mini", NULL }, *envp[] = { NULL };

			setrlimit(RLIMIT_AS, &rl);
			execve(path, argv, envp);
			_exit(errno == ENOMEM ? 12 : 97);
		}
		return outcome(0, pid);
	}
	h = pristine_open(0);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "exec", path,
					 AT_FDCWD), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_BINARY, "rlimit:AS",
					 &rl, sizeof(rl)), 0);
	if (how == KERNEL)
		ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING,
						 "mode", "kernel", 0), 0);
	err = pristine_run(h, &pid);	/* a pidfd */
	err = err < 0 ? errno : close(err);
	/* An execve() failure in the child (ENOMEM, as fork above) */
	return err == ENOMEM ? "exit 12" : outcome(err, pid);
}

START_TEST(rlimit_as)
{
	enum route how = _i & 1 ? KERNEL : DEFAULT;
	char dir[300], path[400];
	rlim_t lo = 16 << 10, hi = 4 << 20, mid;

	if (become(_i >> 1, dir, sizeof(dir)))
		return;
	snprintf(path, sizeof(path), "%s/mini", dir);
	write_mini_at(path, 42);
	/* execve()'s smallest limit, to the page */
	ck_assert_str_eq(run_limited(path, hi, GLIBC), "exit 42");
	while (hi - lo > 4096) {
		mid = (lo + hi) / 2 & ~(rlim_t)4095;
		if (!strcmp(run_limited(path, mid, GLIBC), "exit 42"))
			hi = mid;
		else
			lo = mid;
	}
	fprintf(stderr, "rlimit: execve needs RLIMIT_AS %lu KiB; pristine "
		"(%s) at it: %s, a page below: %s (execve: %s)\n",
		(unsigned long)hi >> 10, route_names[how],
		run_limited(path, hi, how), run_limited(path, hi - 4096, how),
		run_limited(path, hi - 4096, GLIBC));
	ck_assert_str_eq(run_limited(path, hi, how), "exit 42");
	ck_assert_str_eq(run_limited(path, 2 * hi, how), "exit 42");
	ck_assert_str_eq(run_limited(path, hi - 4096, how),
			 run_limited(path, hi - 4096, GLIBC));
}
END_TEST

/* ------------------------------------------------------------------ */

static Suite *image_suite(void)
{
	Suite *s = suite_create("image");
	TCase *tc;

	tc = testlib_tcase(s, "files", 60);
	tcase_add_loop_test(tc, files, 0, NFILES * FILE_ROUTES * 2);
	tcase_add_loop_test(tc, exec_key_fifo, 0, 2);
	tc = testlib_tcase(s, "refused", 60);
	tcase_add_loop_test(tc, refused, 0, NREFUSED * 4 * 2 * 2);
	tc = testlib_tcase(s, "cloexec", 60);
	tcase_add_loop_test(tc, cloexec, 0, NCLOEXEC * FILE_ROUTES * 2);
	tc = testlib_tcase(s, "procself", 60);
	tcase_add_loop_test(tc, procself, 0, NPROCSELF * PROCSELF_ROUTES * 2);
	tc = testlib_tcase(s, "layout", 60);
	tcase_add_loop_test(tc, layout, 0, 8);
	tc = testlib_tcase(s, "rlimit", 60);
	tcase_add_loop_test(tc, rlimit_as, 0, 4);
	return s;
}

int main(int argc, char **argv)
{
	static Suite *(*const suites[])(void) = { image_suite, NULL };
	int status;

	/* Run again through /proc/self/exe by the procself cases. */
	if (argc == 3 && !strcmp(argv[1], "--exit"))
		return atoi(argv[2]);
	scratch_dir(top, sizeof(top), "image");
	/* Cases run as uid 65534 make their directories in here. */
	chmod(top, 0777);
	status = testlib_main(suites);
	remove_tree(top);
	return status;
}
