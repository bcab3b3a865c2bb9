/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * libpristine: empty processes without kernel changes.
 *
 * An empty ("pristine") process is created with pristine_open(), configured
 * key by key with pristine_config(), and started with pristine_run(), which
 * returns a pidfd. A posix_spawn()-compatible layer sits on top.
 */
#ifndef PRISTINE_H
#define PRISTINE_H

/* Whatever the feature macros (even -std=c99 without _POSIX_C_SOURCE):
 * struct sched_param, pid_t and mode_t; sigset_t, which <signal.h> hides
 * in strict ISO C and POSIX makes <sys/select.h> define too. */
#include <sched.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PRISTINE_VERSION_MAJOR 0
#define PRISTINE_VERSION_MINOR 1
#define PRISTINE_VERSION_MICRO 0

/* pristine_open() flags */
#define PRISTINE_CLOEXEC	0x1u	/* the handle is always close-on-exec */
#define PRISTINE_NEWPID		0x2u	/* the process is PID 1 of a new PID
					 * namespace (CLONE_NEWPID) */

/* pristine_config() commands */
enum pristine_cmd {
	PRISTINE_SET_FLAG = 0,		/* value NULL, aux 0 */
	PRISTINE_SET_STRING = 1,	/* value: a string, aux 0 */
	PRISTINE_SET_BINARY = 2,	/* value: bytes, aux: their length */
	PRISTINE_SET_PATH = 3,		/* value: a path, aux: dirfd or AT_FDCWD */
	PRISTINE_SET_FD = 4,		/* value NULL, aux: an fd of the caller */
	PRISTINE_SET_INT = 5		/* value NULL, aux: the value */
};

int pristine_open(unsigned int flags);
int pristine_config(int handle, unsigned int cmd, const char *key,
		    const void *value, int aux);
int pristine_run(int handle, pid_t *pid);
/* The run without the wait: returns the pidfd once the request is sent;
 * the handle turns readable when the exec's outcome is known, and
 * pristine_run_finish() returns it (0, or -1 and errno) and closes it. */
int pristine_run_start(int handle, pid_t *pid);
int pristine_run_finish(int handle);

/* Why the last failing call of this thread failed, in words. */
const char *pristine_errmsg(void);

/* How the last successful run or spawn of this thread executed its image. */
enum pristine_route {
	PRISTINE_ROUTE_LOADER = 0,	/* mapped in userspace */
	PRISTINE_ROUTE_KERNEL_ASKED,	/* mode "kernel" */
	PRISTINE_ROUTE_KERNEL_SCRIPT,	/* "#!" script */
	PRISTINE_ROUTE_KERNEL_SETID,	/* set-user-ID / set-group-ID file */
	PRISTINE_ROUTE_KERNEL_FILECAPS,	/* file capabilities */
	PRISTINE_ROUTE_KERNEL_FOREIGN,	/* not an x86_64 ELF we load */
	PRISTINE_ROUTE_KERNEL_EXECSTACK,/* asks for an executable stack */
	PRISTINE_ROUTE_KERNEL_UNREADABLE,/* image or interpreter the loader
					  * cannot read or check itself */
	PRISTINE_ROUTE_KERNEL_LAYOUT,	/* segments the loader does not map
					 * as the kernel would */
	PRISTINE_ROUTE_KERNEL_CREDS,	/* credentials: configured, or
					 * changed since the loader's exec
					 * (every mode) */
	PRISTINE_ROUTE_KERNEL_LANDLOCK,	/* a Landlock ruleset */
	PRISTINE_ROUTE_KERNEL_MDWE,	/* memory-deny-write-execute,
					 * configured or the caller's (every
					 * mode) */
	PRISTINE_ROUTE_KERNEL_PERSONALITY,/* a personality, configured or
					 * cleared at the loader's exec */
	PRISTINE_ROUTE_KERNEL_TIMENS,	/* a new time namespace */
	/* From the empty process's state (mode "default" unless noted): */
	PRISTINE_ROUTE_KERNEL_SECURE,	/* a secure exec (AT_SECURE) */
	PRISTINE_ROUTE_KERNEL_TRACED,	/* a tracer is attached */
	PRISTINE_ROUTE_KERNEL_SECCOMP,	/* a seccomp filter: the caller's
					 * (every mode) or configured */
	PRISTINE_ROUTE_KERNEL_EXE,	/* /proc/PID/exe cannot be set */
	PRISTINE_ROUTE_KERNEL_LSM,	/* an LSM that acts at exec */
	PRISTINE_ROUTE_KERNEL_STACK,	/* RLIMIT_STACK changed since the
					 * loader's exec */
	PRISTINE_ROUTE_KERNEL_VALGRIND,	/* running under valgrind */
	PRISTINE_ROUTE_KERNEL_NO_NEW_PRIVS,/* no_new_privs in the caller */
	PRISTINE_ROUTE_KERNEL_FRESH,	/* mode "default", a new empty
					 * process (no pool member, no
					 * template member): execve() is
					 * faster than mapping there */
	/* The library's own routes, from 64 on: no empty process ran them
	 * (the values below 64 are the empty process's). */
	PRISTINE_ROUTE_GLIBC_NOFDS = 64 /* no descriptors left for an empty
					 * process: glibc's posix_spawn() */
};
int pristine_last_route(void);
const char *pristine_route_name(int route);

/* The posix_spawn() layer. Flags are glibc's POSIX_SPAWN_* values. */
typedef struct {
	int __used;
	int __allocated;
	void *__actions;
	int __pad[16];
} pristine_spawn_file_actions_t;

typedef struct {
	short __flags;
	pid_t __pgrp;
	sigset_t __sd;
	sigset_t __ss;
	struct sched_param __sp;
	int __policy;
	int __mode;	/* PRISTINE_EXEC_* */
	int __pad[15];
} pristine_spawnattr_t;

int pristine_spawn(pid_t *pid, const char *path,
		   const pristine_spawn_file_actions_t *file_actions,
		   const pristine_spawnattr_t *attrp, char *const argv[],
		   char *const envp[]);
int pristine_spawnp(pid_t *pid, const char *file,
		    const pristine_spawn_file_actions_t *file_actions,
		    const pristine_spawnattr_t *attrp, char *const argv[],
		    char *const envp[]);
int pristine_pidfd_spawn(int *pidfd, const char *path,
			 const pristine_spawn_file_actions_t *file_actions,
			 const pristine_spawnattr_t *attrp, char *const argv[],
			 char *const envp[]);
int pristine_pidfd_spawnp(int *pidfd, const char *file,
			  const pristine_spawn_file_actions_t *file_actions,
			  const pristine_spawnattr_t *attrp,
			  char *const argv[], char *const envp[]);

int pristine_spawn_file_actions_init(pristine_spawn_file_actions_t *fa);
int pristine_spawn_file_actions_destroy(pristine_spawn_file_actions_t *fa);
int pristine_spawn_file_actions_addopen(pristine_spawn_file_actions_t *fa,
					int fd, const char *path, int oflag,
					mode_t mode);
int pristine_spawn_file_actions_addclose(pristine_spawn_file_actions_t *fa,
					 int fd);
int pristine_spawn_file_actions_adddup2(pristine_spawn_file_actions_t *fa,
					int fd, int newfd);
int pristine_spawn_file_actions_addchdir(pristine_spawn_file_actions_t *fa,
					 const char *path);
int pristine_spawn_file_actions_addfchdir(pristine_spawn_file_actions_t *fa,
					  int fd);
int pristine_spawn_file_actions_addclosefrom(pristine_spawn_file_actions_t *fa,
					     int from);
int pristine_spawn_file_actions_addtcsetpgrp(pristine_spawn_file_actions_t *fa,
					     int tcfd);

int pristine_spawnattr_init(pristine_spawnattr_t *attr);
int pristine_spawnattr_destroy(pristine_spawnattr_t *attr);
int pristine_spawnattr_setflags(pristine_spawnattr_t *attr, short flags);
int pristine_spawnattr_getflags(const pristine_spawnattr_t *attr,
				short *flags);
int pristine_spawnattr_setpgroup(pristine_spawnattr_t *attr, pid_t pgroup);
int pristine_spawnattr_getpgroup(const pristine_spawnattr_t *attr,
				 pid_t *pgroup);
int pristine_spawnattr_setsigmask(pristine_spawnattr_t *attr,
				  const sigset_t *sigmask);
int pristine_spawnattr_getsigmask(const pristine_spawnattr_t *attr,
				  sigset_t *sigmask);
int pristine_spawnattr_setsigdefault(pristine_spawnattr_t *attr,
				     const sigset_t *sigdefault);
int pristine_spawnattr_getsigdefault(const pristine_spawnattr_t *attr,
				     sigset_t *sigdefault);
int pristine_spawnattr_setschedparam(pristine_spawnattr_t *attr,
				     const struct sched_param *param);
int pristine_spawnattr_getschedparam(const pristine_spawnattr_t *attr,
				     struct sched_param *param);
int pristine_spawnattr_setschedpolicy(pristine_spawnattr_t *attr, int policy);
int pristine_spawnattr_getschedpolicy(const pristine_spawnattr_t *attr,
				      int *policy);
/* Extension: PRISTINE_EXEC_DEFAULT maps the image in userspace only where
 * nothing a program or an observer can see would differ from execve(),
 * PRISTINE_EXEC_LOADER wherever it is possible and safe (for experiments;
 * doc/fidelity.md lists what differs), PRISTINE_EXEC_KERNEL always lets
 * the kernel execute it (from inside the empty process).
 * PRISTINE_EXEC_FRESH may be or'ed in: a new empty process even when a
 * pool has one ready (its state is all of now, rlimits and namespaces
 * included). */
#define PRISTINE_EXEC_DEFAULT 0
#define PRISTINE_EXEC_KERNEL 1
#define PRISTINE_EXEC_FRESH 2
#define PRISTINE_EXEC_LOADER 4
int pristine_spawnattr_setexecmode(pristine_spawnattr_t *attr, int mode);
int pristine_spawnattr_getexecmode(const pristine_spawnattr_t *attr,
				   int *mode);

/*
 * Pre-created empty processes (opt-in): a process-wide pool that every
 * spawn and pristine_open() of this process draws from, refilled by a
 * background thread. Idle members are children of this process.
 */
int pristine_pool_create(unsigned int size, unsigned int flags);
int pristine_pool_destroy(void);

/*
 * Spawn templates: empty processes with one executable (path, or fd if
 * path is NULL) already mapped, waiting for the rest of a spawn.
 */
typedef struct pristine_template pristine_template_t;
pristine_template_t *pristine_template_create(const char *path, int fd,
					      unsigned int size,
					      unsigned int flags);
void pristine_template_destroy(pristine_template_t *t);
int pristine_template_spawn(pristine_template_t *t, pid_t *pid,
			    const pristine_spawn_file_actions_t *file_actions,
			    const pristine_spawnattr_t *attrp,
			    char *const argv[], char *const envp[]);
int pristine_template_pidfd_spawn(pristine_template_t *t, int *pidfd,
				  const pristine_spawn_file_actions_t *file_actions,
				  const pristine_spawnattr_t *attrp,
				  char *const argv[], char *const envp[]);

/*
 * Type checks, in C with GCC 5 or later and Clang (C++ refuses the wrong
 * pointer types by itself). glibc's posix_spawn_file_actions_t and
 * posix_spawnattr_t have other layouts than pristine's: C converts one
 * pointer to the other with a mere warning, and the function would then
 * misread the caller's memory. So each function taking file actions or
 * attributes is also a macro of the same name that lets through only
 * pristine's type or a null pointer, and makes anything else a compile
 * error. The functions stay functions: &pristine_spawn and
 * (pristine_spawn)(...) reach them, and PRISTINE_NO_TYPE_CHECKS defined
 * before this header leaves the macros out.
 */
#if !defined(__cplusplus) && !defined(PRISTINE_NO_TYPE_CHECKS) && \
	(defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 5))
extern const void *pristine_not_file_actions_(void) __attribute__((__error__(
	"expects a pristine_spawn_file_actions_t *, not glibc's "
	"posix_spawn_file_actions_t * or any other type")));
extern const void *pristine_not_spawnattr_(void) __attribute__((__error__(
	"expects a pristine_spawnattr_t *, not glibc's posix_spawnattr_t * "
	"or any other type")));
#define PRISTINE_CHECKED_(T, x, bad) (__extension__ _Generic((x), \
	T *: (x), const T *: (x), void *: (x), int: (x), long: (x), \
	default: bad()))
#define PRISTINE_FA_(x) PRISTINE_CHECKED_(pristine_spawn_file_actions_t, x, \
					  pristine_not_file_actions_)
#define PRISTINE_ATTR_(x) PRISTINE_CHECKED_(pristine_spawnattr_t, x, \
					    pristine_not_spawnattr_)

#define pristine_spawn(pid, path, fa, attr, argv, envp) \
	pristine_spawn(pid, path, PRISTINE_FA_(fa), PRISTINE_ATTR_(attr), \
		       argv, envp)
#define pristine_spawnp(pid, file, fa, attr, argv, envp) \
	pristine_spawnp(pid, file, PRISTINE_FA_(fa), PRISTINE_ATTR_(attr), \
			argv, envp)
#define pristine_pidfd_spawn(pidfd, path, fa, attr, argv, envp) \
	pristine_pidfd_spawn(pidfd, path, PRISTINE_FA_(fa), \
			     PRISTINE_ATTR_(attr), argv, envp)
#define pristine_pidfd_spawnp(pidfd, file, fa, attr, argv, envp) \
	pristine_pidfd_spawnp(pidfd, file, PRISTINE_FA_(fa), \
			      PRISTINE_ATTR_(attr), argv, envp)
#define pristine_template_spawn(t, pid, fa, attr, argv, envp) \
	pristine_template_spawn(t, pid, PRISTINE_FA_(fa), \
				PRISTINE_ATTR_(attr), argv, envp)
#define pristine_template_pidfd_spawn(t, pidfd, fa, attr, argv, envp) \
	pristine_template_pidfd_spawn(t, pidfd, PRISTINE_FA_(fa), \
				      PRISTINE_ATTR_(attr), argv, envp)
#define pristine_spawn_file_actions_init(fa) \
	pristine_spawn_file_actions_init(PRISTINE_FA_(fa))
#define pristine_spawn_file_actions_destroy(fa) \
	pristine_spawn_file_actions_destroy(PRISTINE_FA_(fa))
#define pristine_spawn_file_actions_addopen(fa, fd, path, oflag, mode) \
	pristine_spawn_file_actions_addopen(PRISTINE_FA_(fa), fd, path, \
					    oflag, mode)
#define pristine_spawn_file_actions_addclose(fa, fd) \
	pristine_spawn_file_actions_addclose(PRISTINE_FA_(fa), fd)
#define pristine_spawn_file_actions_adddup2(fa, fd, newfd) \
	pristine_spawn_file_actions_adddup2(PRISTINE_FA_(fa), fd, newfd)
#define pristine_spawn_file_actions_addchdir(fa, path) \
	pristine_spawn_file_actions_addchdir(PRISTINE_FA_(fa), path)
#define pristine_spawn_file_actions_addfchdir(fa, fd) \
	pristine_spawn_file_actions_addfchdir(PRISTINE_FA_(fa), fd)
#define pristine_spawn_file_actions_addclosefrom(fa, from) \
	pristine_spawn_file_actions_addclosefrom(PRISTINE_FA_(fa), from)
#define pristine_spawn_file_actions_addtcsetpgrp(fa, tcfd) \
	pristine_spawn_file_actions_addtcsetpgrp(PRISTINE_FA_(fa), tcfd)
#define pristine_spawnattr_init(attr) \
	pristine_spawnattr_init(PRISTINE_ATTR_(attr))
#define pristine_spawnattr_destroy(attr) \
	pristine_spawnattr_destroy(PRISTINE_ATTR_(attr))
#define pristine_spawnattr_setflags(attr, v) \
	pristine_spawnattr_setflags(PRISTINE_ATTR_(attr), v)
#define pristine_spawnattr_getflags(attr, v) \
	pristine_spawnattr_getflags(PRISTINE_ATTR_(attr), v)
#define pristine_spawnattr_setpgroup(attr, v) \
	pristine_spawnattr_setpgroup(PRISTINE_ATTR_(attr), v)
#define pristine_spawnattr_getpgroup(attr, v) \
	pristine_spawnattr_getpgroup(PRISTINE_ATTR_(attr), v)
#define pristine_spawnattr_setsigmask(attr, v) \
	pristine_spawnattr_setsigmask(PRISTINE_ATTR_(attr), v)
#define pristine_spawnattr_getsigmask(attr, v) \
	pristine_spawnattr_getsigmask(PRISTINE_ATTR_(attr), v)
#define pristine_spawnattr_setsigdefault(attr, v) \
	pristine_spawnattr_setsigdefault(PRISTINE_ATTR_(attr), v)
#define pristine_spawnattr_getsigdefault(attr, v) \
	pristine_spawnattr_getsigdefault(PRISTINE_ATTR_(attr), v)
#define pristine_spawnattr_setschedparam(attr, v) \
	pristine_spawnattr_setschedparam(PRISTINE_ATTR_(attr), v)
#define pristine_spawnattr_getschedparam(attr, v) \
	pristine_spawnattr_getschedparam(PRISTINE_ATTR_(attr), v)
#define pristine_spawnattr_setschedpolicy(attr, v) \
	pristine_spawnattr_setschedpolicy(PRISTINE_ATTR_(attr), v)
#define pristine_spawnattr_getschedpolicy(attr, v) \
	pristine_spawnattr_getschedpolicy(PRISTINE_ATTR_(attr), v)
#define pristine_spawnattr_setexecmode(attr, v) \
	pristine_spawnattr_setexecmode(PRISTINE_ATTR_(attr), v)
#define pristine_spawnattr_getexecmode(attr, v) \
	pristine_spawnattr_getexecmode(PRISTINE_ATTR_(attr), v)
#endif

#ifdef __cplusplus
}
#endif
#endif
