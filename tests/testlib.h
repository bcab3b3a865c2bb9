/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * What the Check suites of every room share: the runner, which reports in
 * TAP, skipped and expected-to-fail cases included; and helpers that need
 * nothing of libpristine (a room's own helpers live in the room).
 */
#ifndef PRISTINE_TESTLIB_H
#define PRISTINE_TESTLIB_H

#include <check.h>
#include <stddef.h>
#include <sys/types.h>

extern char **environ;

/*
 * Runs the suites (a NULL-terminated list of constructors) and prints one
 * TAP line per case on stdout, for automake's tap-driver.sh; what the
 * cases print goes to stderr. Returns main()'s exit status: 1 if a case
 * failed unexpectedly or passed although expected to fail.
 */
int testlib_main(Suite *(*const suites[])(void));

/*
 * In a test case whose precondition is missing: records the reason, and
 * the case is reported "ok N # SKIP reason". The case must return at once.
 */
void skip_case(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * In a test case, before the assertion that fails because the library
 * misbehaves: records why, and the case is reported as a TAP TODO, an
 * expected failure (XFAIL), or XPASS once the library is fixed.
 */
void expect_failure(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* A test case of s, named name, that may run timeout seconds (0: as long
 * as Check lets a case run by default, CK_DEFAULT_TIMEOUT). */
TCase *testlib_tcase(Suite *s, const char *name, int timeout);

/* Makes $TMPDIR/pristine-NAME-XXXXXX (mode 0755) into dir, or exits. */
void scratch_dir(char *dir, size_t len, const char *name);
/* Removes dir and everything below it. */
void remove_tree(const char *dir);

/* The test program name, built in $tests_builddir (four at a time). */
const char *built(const char *name);
/* Is the program name in PATH? */
int have_program(const char *name);

/* Number of open descriptors of this process. */
int count_fds(void);
/* waitpid() that retries EINTR; returns the status. */
int wait_status(pid_t pid);
/* Reads everything from fd into a NUL-terminated malloc'd buffer. */
char *slurp_fd(int fd);
/* Runs argv (searched in PATH) by glibc's posix_spawnp(), stdout and
 * stderr into a pipe; waits; returns the output. */
char *capture(char *const argv[], int *status);
/* Does the calling process have any child (waitable or not)? */
int has_children(void);
/* Is this process running under valgrind (which turns vfork into fork)? */
int under_valgrind(void);
/* The live children of parent whose comm is name (any, if NULL), at
 * most max of them into pids (may be NULL); returns how many there are. */
int children_of(pid_t parent, const char *name, pid_t *pids, int max);
/* The children of this process whose comm is name, at most max of them
 * into pids (may be NULL); returns how many there are. */
int children_named(const char *name, pid_t *pids, int max);
/* The only such child, waiting up to 5 s for it to appear. */
pid_t child_named(const char *name);
/*
 * Waits up to 5 s until at least n children of this process are members
 * of its pool or template that wait for a request (pristine-loader,
 * asleep), then a while more: the reserve's thread files a member after
 * its exec, which on a loaded machine comes later. (A spawn that finds no
 * member ready is a fresh one, the kernel's in the default mode.) At most
 * max of their pids into pids (may be NULL); returns how many there are.
 */
int await_waiting_members(int n, pid_t *pids, int max);
/* Waits up to 5 s until pid is a zombie or gone. */
void await_death(pid_t pid);
/* Waits up to 5 s until pid sleeps in system call nr. */
void await_syscall(pid_t pid, int nr);
/* The descriptors of pid below 1024: a flag each into set (1024 bytes),
 * and the inodes of its sockets, at most max, into socks (may be NULL if
 * max is 0); returns how many sockets. */
int fds_of(pid_t pid, unsigned char *set, unsigned long *socks, int max);

/* Writes a file of len bytes, then gives it mode. */
void write_file(const char *path, const void *buf, size_t len, mode_t mode);
/* Copies from to to, then gives it mode. An existing to is rewritten in
 * place: the same inode. */
void copy_file(const char *from, const char *to, mode_t mode);

/*
 * loader-spawner, as uid 65534 (as this process if it is not root), with
 * PRISTINE_LOADER=loader unless loader is NULL, running target in exec
 * mode ("default", "loader" or "kernel"; NULL: default): its output,
 * which ends with its result line. Fails the case unless the spawner
 * exited 0.
 */
char *spawn_as_nobody(const char *loader, const char *target,
		      const char *mode);
/*
 * In a case that makes set-ID files in dir and runs them as uid 65534: 0
 * if this process can, else 1, the reason recorded by skip_case().
 */
int cannot_make_setid(const char *dir);
/* Fails the case unless what is in out. */
void expect_in(const char *out, const char *what);
/*
 * In a fork()ed child of a case run as root: becomes uid and gid 65534,
 * no supplementary group, no capability, dumpable (as a program setpriv
 * starts so). 0, or the errno of the step refused.
 */
int become_nobody(void);

#endif
