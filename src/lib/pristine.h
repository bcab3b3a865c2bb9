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

#include <sched.h>
#include <signal.h>
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
	PRISTINE_SET_INT = 5,		/* value NULL, aux: the value */
};

int pristine_open(unsigned int flags);
int pristine_config(int handle, unsigned int cmd, const char *key,
		    const void *value, int aux);
int pristine_run(int handle, pid_t *pid);

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
	/* The library's own routes, from 64 on: no empty process ran them
	 * (the values below 64 are the empty process's). */
	PRISTINE_ROUTE_GLIBC_NOFDS = 64,/* no descriptors left for an empty
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

#ifdef __cplusplus
}
#endif
#endif
