/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The wire protocol between libpristine and the loader: the only definition.
 *
 * Both directions are a stream of records on a SOCK_STREAM unix socket:
 *
 *	struct pw_rec { u32 type; u32 len; }   followed by len payload bytes,
 *	                                       padded with zeros to 8 bytes.
 *
 * Every field has a fixed width; no pointers cross the socket. Descriptors
 * travel as SCM_RIGHTS and are consumed, in the order they were sent, by the
 * records that carry one: PW_REQ_FD, PW_REQ_FCHDIR_FD, PW_REQ_CTTY,
 * PW_REQ_SETNS, PW_REQ_CHROOT_FD, PW_REQ_LANDLOCK, and PW_REQ_IMAGE with
 * PW_IMAGE_FD set. The hello says how many there are.
 *
 * Library -> loader: PW_REQ_HELLO first (magic, version, build id, and the
 * byte length of everything that follows), then the configuration records in
 * the order they are to be applied, and PW_REQ_RUN last. The whole request
 * can be written before the loader even started: it waits in the socket.
 *
 * Loader -> library: PW_REP_HELLO, in the same write as the first record
 * that follows it, then exactly one PW_REP_STATUS. Status with err == 0
 * means the image is mapped and the loader is past the point of no return.
 * PW_REP_KERNEL announces a fallback to execveat(); EOF after it means the
 * kernel exec succeeded, a PW_REP_STATUS after it carries the execveat()
 * error. EOF with no status at all means the empty process died.
 */
#ifndef PRISTINE_WIRE_H
#define PRISTINE_WIRE_H

#include <stdint.h>

#define PW_MAGIC	0x54535250u	/* "PRST" little-endian */
#define PW_VERSION	1u

/* Upper bounds both sides enforce; larger values are a protocol error. */
#define PW_MAX_REQUEST	(64u << 20)	/* bytes after the hello */
#define PW_MAX_FDS	4096u		/* descriptors in one request */
#define PW_MAX_RECORDS	65536u

/*
 * argv[0] of the loader is its name, argv[1] the decimal control socket
 * fd, argv[2] (optional) the caller's state at the loader's exec, in hex:
 * "HINT:PERSONALITY:STACK:AMBIENT", or "HINT" alone. HINT is a pw_reason
 * the caller's state already gives every run (PW_WHY_SECCOMP, PW_WHY_MDWE),
 * or 0: with one, the loader makes none of its optional calls, which a
 * filter might refuse. The rest is what the loader's own exec may have
 * changed (a file capability on it clears personality flags and the
 * ambient set, a secure exec clamps RLIMIT_STACK): personality(), the soft
 * RLIMIT_STACK, and the ambient capabilities a plain exec would keep.
 */
#define PW_LOADER_ARGV0	"pristine-loader"

struct pw_rec {
	uint32_t type;
	uint32_t len;
};

#define PW_ALIGN(n)	(((n) + 7u) & ~7u)

enum pw_type {
	/* library -> loader */
	PW_REQ_HELLO = 1,	/* struct pw_hello */
	PW_REQ_ARGV,		/* u32 count, u32 0, then count NUL-terminated strings */
	PW_REQ_ENVP,		/* same layout as PW_REQ_ARGV */
	PW_REQ_IMAGE,		/* struct pw_image, path, PATH list; fd if PW_IMAGE_FD */
	PW_REQ_FD,		/* struct pw_fd + one fd: install it as target */
	PW_REQ_OPEN,		/* struct pw_open + path */
	PW_REQ_CLOSE,		/* struct pw_int: fd */
	PW_REQ_DUP2,		/* struct pw_dup2 */
	PW_REQ_CLOSEFROM,	/* struct pw_int: lowest fd to close */
	PW_REQ_CHDIR,		/* path */
	PW_REQ_FCHDIR,		/* struct pw_int: fd in the empty process */
	PW_REQ_FCHDIR_FD,	/* one fd carried: fchdir to it (cwd from the caller) */
	PW_REQ_UMASK,		/* struct pw_int */
	PW_REQ_SETSID,		/* no payload */
	PW_REQ_SETPGID,		/* struct pw_int: pgid (0: own pid) */
	PW_REQ_TCSETPGRP,	/* struct pw_int: fd of the terminal */
	PW_REQ_CTTY,		/* one fd carried: make it the controlling tty */
	PW_REQ_SIGMASK,		/* struct pw_sigset: mask the program starts with */
	PW_REQ_SIGIGNORE,	/* struct pw_sigset: set these to SIG_IGN */
	PW_REQ_SIGDEFAULT,	/* struct pw_sigset: set these to SIG_DFL */
	PW_REQ_RLIMIT,		/* struct pw_rlimit */
	PW_REQ_SCHED,		/* struct pw_sched */
	PW_REQ_RESETIDS,	/* no payload: effective ids := real ids */
	PW_REQ_NO_NEW_PRIVS,	/* no payload */
	PW_REQ_SECCOMP,		/* struct sock_filter[]: installed last, before the jump */
	PW_REQ_NAME,		/* comm name, NUL-terminated */
	PW_REQ_PDEATHSIG,	/* struct pw_int */
	PW_REQ_FLUSH_SIGNALS,	/* no payload: discard pending signals (an
				 * idle member's, sent before this spawn) */
	PW_REQ_RUN,		/* struct pw_run: must be the last record */
	PW_REQ_PREPARE,		/* struct pw_run: last record of a template's
				 * first request; see prepare_image() */
	PW_REQ_CREDS,		/* struct pw_creds, then ngroups u32 gids */
	PW_REQ_ATTR,		/* struct pw_attr: one process attribute */
	PW_REQ_SETNS,		/* struct pw_int: nstype; one fd carried */
	PW_REQ_PROC_WRITE,	/* struct pw_int: enum pw_proc_file; text */
	PW_REQ_MOUNT,		/* struct pw_mount, then the target path */
	PW_REQ_CHROOT,		/* path, resolved by the empty process */
	PW_REQ_CHROOT_FD,	/* one fd carried: chroot to it */
	PW_REQ_LANDLOCK,	/* one fd carried: landlock_restrict_self() */
	PW_REQ_AFFINITY,	/* CPU mask, as sched_setaffinity() takes it */
	PW_REQ_SCHED_ATTR,	/* struct sched_attr, as sched_setattr() */

	/* loader -> library */
	PW_REP_HELLO = 64,	/* struct pw_hello (length field 0) */
	PW_REP_KERNEL,		/* struct pw_status: err 0, reason set */
	PW_REP_STATUS,		/* struct pw_status */

	PW_TYPE_MAX
};

struct pw_hello {
	uint32_t magic;
	uint32_t version;
	uint32_t build_id;
	uint32_t nfds;		/* descriptors the request carries */
	uint64_t length;	/* request bytes after this record */
};

enum pw_image_flags {
	PW_IMAGE_FD = 1u << 0,		/* an fd is carried: no lookup */
	PW_IMAGE_SEARCH = 1u << 1,	/* search the PATH list for path */
	PW_IMAGE_KPATH = 1u << 2,	/* with PW_IMAGE_FD: the second string
					 * is the absolute path the kernel
					 * fallback executes; without it, the
					 * fallback executes the fd (the path
					 * is AT_EXECFN only) */
};

struct pw_image {
	uint32_t flags;
	uint32_t path_len;	/* bytes, including the NUL */
	uint32_t search_len;	/* bytes of the PATH list (or kernel path),
				 * including the NUL */
	int32_t fd_name;	/* PW_IMAGE_FD without a path: the caller's
				 * number for the fd, for AT_EXECFN "/dev/fd/N";
				 * -1: the loader's own number */
	/* char path[path_len]; char search[search_len]; */
};

enum pw_fd_flags {
	PW_FD_CLOEXEC = 1u << 0,	/* close-on-exec: the loader closes it
					 * before the jump, as an exec would,
					 * unless an action cleared the flag */
};

struct pw_fd {
	int32_t target;
	uint32_t flags;
};

struct pw_open {
	int32_t target;
	int32_t oflag;
	uint32_t mode;
	uint32_t pad;
	/* char path[]; NUL-terminated */
};

struct pw_int {
	int32_t value;
	uint32_t pad;
};

struct pw_dup2 {
	int32_t from;
	int32_t to;
};

struct pw_sigset {
	uint64_t set;		/* bit n-1 is signal n, as the kernel's sigset */
};

struct pw_rlimit {
	uint32_t resource;
	uint32_t pad;
	uint64_t cur;
	uint64_t max;
};

enum pw_sched_flags {
	PW_SCHED_POLICY = 1u << 0,	/* sched_setscheduler(policy, prio) */
	PW_SCHED_PARAM = 1u << 1,	/* sched_setparam(prio) */
};

struct pw_sched {
	uint32_t flags;
	int32_t policy;
	int32_t priority;
	uint32_t pad;
};

/*
 * Credentials, applied as one step in setpriv(1)'s order: keep-caps, the
 * user ids (saved := effective), the effective set back, the group ids,
 * the supplementary groups, securebits, the bounding set, the
 * inheritable set, the ambient set. Ids of ~0u are left as they are.
 */
enum pw_creds_flags {
	PW_CREDS_UIDS = 1u << 0,	/* ruid, euid */
	PW_CREDS_GIDS = 1u << 1,	/* rgid, egid */
	PW_CREDS_GROUPS = 1u << 2,	/* setgroups(ngroups, groups) */
	PW_CREDS_SECUREBITS = 1u << 3,
	PW_CREDS_BOUNDING = 1u << 4,	/* drop what is not in bounding */
	PW_CREDS_INHERITABLE = 1u << 5,
	PW_CREDS_AMBIENT = 1u << 6,
};

struct pw_creds {
	uint32_t flags;
	uint32_t ruid, euid, rgid, egid;
	uint32_t securebits;
	uint32_t ngroups;
	uint32_t pad;
	uint64_t bounding, inheritable, ambient;	/* bit n: capability n */
	/* uint32_t groups[ngroups]; */
};

/* One attribute of the process (PW_REQ_ATTR). */
enum pw_attr_what {
	PW_ATTR_UNSHARE = 1,	/* unshare(value): CLONE_NEW* */
	PW_ATTR_NICE,		/* setpriority(PRIO_PROCESS, 0, value) */
	PW_ATTR_IOPRIO,		/* ioprio_set(IOPRIO_WHO_PROCESS, 0, value) */
	PW_ATTR_TIMERSLACK,	/* PR_SET_TIMERSLACK */
	PW_ATTR_MDWE,		/* PR_SET_MDWE */
	PW_ATTR_THP_DISABLE,	/* PR_SET_THP_DISABLE */
	PW_ATTR_PERSONALITY,	/* personality(value) */
};

struct pw_attr {
	uint32_t what;		/* enum pw_attr_what */
	uint32_t pad;
	int64_t value;
};

/* The files of /proc/self a PW_REQ_PROC_WRITE writes. */
enum pw_proc_file {
	PW_PROC_UID_MAP = 1,
	PW_PROC_GID_MAP,
	PW_PROC_SETGROUPS,
	PW_PROC_TIMENS_OFFSETS,
	PW_PROC_OOM_SCORE_ADJ,
};

enum pw_mount_kind {
	PW_MOUNT_PROPAGATION = 1,	/* mount(NULL, target, NULL, flags) */
	PW_MOUNT_PROC,			/* a new proc file system at target */
};

struct pw_mount {
	uint32_t kind;		/* enum pw_mount_kind */
	uint32_t pad;
	uint64_t flags;		/* MS_* */
	/* char target[]; NUL-terminated */
};

/*
 * Which route the run takes (loader/route.c has the rule): DEFAULT maps
 * the image in userspace only where nothing a program or an observer can
 * see would differ from execve(); LOADER wherever it is possible and safe
 * (for experiments: doc/fidelity.md lists what differs); KERNEL always
 * calls execveat(). FRESH is DEFAULT for an empty process made for this
 * run alone: with no image work done ahead, execve() is the faster of the
 * two faithful ways (doc/performance.md), so it takes the kernel route,
 * PW_WHY_FRESH, unless an earlier reason sends it there anyway.
 */
enum pw_run_mode {
	PW_RUN_DEFAULT = 0,
	PW_RUN_KERNEL = 1,
	PW_RUN_LOADER = 2,
	PW_RUN_FRESH = 3,
};

struct pw_run {
	uint32_t mode;
	uint32_t pad;
};

/* Why the loader handed the image to the kernel (PW_REP_KERNEL). */
enum pw_reason {
	PW_WHY_NONE = 0,
	PW_WHY_ASKED,		/* PW_RUN_KERNEL */
	PW_WHY_SCRIPT,		/* #! */
	PW_WHY_SETID,		/* set-user-ID or set-group-ID file */
	PW_WHY_FILECAPS,	/* security.capability xattr */
	PW_WHY_FOREIGN,		/* not an x86_64 ELF executable we load */
	PW_WHY_EXECSTACK,	/* PT_GNU_STACK asks for an executable stack */
	PW_WHY_UNREADABLE,	/* image or interpreter the loader cannot read
				 * (execute-only, no /proc) or check (a check
				 * refused by a seccomp filter) */
	PW_WHY_LAYOUT,		/* segments the loader cannot map as the kernel
				 * would: in the way of its own pages, in an
				 * order or shape it does not map, or a mapping
				 * it could not make */
	PW_WHY_CREDS,		/* credentials changed: configured (a key that
				 * changes them, a user namespace) or since
				 * the loader's exec (RESETIDS) */
	PW_WHY_LANDLOCK,	/* a Landlock domain: it restricts execve() */
	PW_WHY_MDWE,		/* MDWE, configured or the caller's: the
				 * loader's own mappings would fail */
	PW_WHY_PERSONALITY,	/* the layout follows the personality at exec:
				 * configured, or cleared by the loader's exec */
	PW_WHY_TIMENS,		/* only exec enters a new time namespace */
	/* The empty process's state (loader/route.c): */
	PW_WHY_SECURE,		/* the exec would be a secure exec (AT_SECURE) */
	PW_WHY_TRACED,		/* a tracer is attached: it expects an exec */
	PW_WHY_SECCOMP,		/* a seccomp filter, the caller's or configured */
	PW_WHY_EXE,		/* /proc/PID/exe cannot be set */
	PW_WHY_LSM,		/* an LSM that acts at exec */
	PW_WHY_STACK,		/* RLIMIT_STACK is not the loader's exec's */
	PW_WHY_VALGRIND,	/* the loader runs under valgrind */
	PW_WHY_NO_NEW_PRIVS,	/* no_new_privs: maybe a Landlock domain */
	PW_WHY_FRESH,		/* PW_RUN_FRESH: execve() is faster here */
	PW_WHY_MAX
};

struct pw_status {
	int32_t err;		/* 0 or a positive errno */
	uint32_t step;		/* index of the failing record, hello is 0 */
	uint32_t type;		/* its enum pw_type */
	uint32_t reason;	/* enum pw_reason */
};

#endif
