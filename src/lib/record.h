/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The records of a request, built: one function per payload shape of the
 * wire (wire.h), the encoding side of loader/records.c. Each takes the key
 * that made the record (for the message of a step that fails) unless the
 * record has only one. They return 0 or the request's sticky error.
 */
#ifndef PRISTINE_RECORD_H
#define PRISTINE_RECORD_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include "request.h"

/* No payload: SETSID, RESETIDS, NO_NEW_PRIVS, FLUSH_SIGNALS. */
int record_none(struct request *r, uint32_t type, const char *key);
/* struct pw_int: a descriptor, a mode, an id, a signal. */
int record_int(struct request *r, uint32_t type, const char *key, int v);
/* A NUL-terminated string: CHDIR, NAME. */
int record_string(struct request *r, uint32_t type, const char *key,
		  const char *s);
/* A seccomp program (struct sock_filter[], len bytes). */
int record_seccomp(struct request *r, const char *key, const void *prog,
		   size_t len);

/* The signals of set as the kernel numbers them: bit n-1 is signal n. */
uint64_t sigset_bits(const sigset_t *set);
/* struct pw_sigset: SIGMASK, SIGIGNORE, SIGDEFAULT. */
int record_bits(struct request *r, uint32_t type, const char *key,
		uint64_t set);
int record_sigset(struct request *r, uint32_t type, const char *key,
		  const sigset_t *set);
/* Every signal at its default, as an empty process starts: appended, or
 * before every other record. */
int record_all_default(struct request *r);
int record_all_default_first(struct request *r);

int record_rlimit(struct request *r, const char *key, int resource,
		  uint64_t cur, uint64_t max);
/* flags: enum pw_sched_flags. */
int record_sched(struct request *r, uint32_t flags, int policy, int priority);

/* Descriptors. record_fd() and record_with_fd() take fd over (closed by
 * the request, or at once if the record cannot be made); an inherited
 * descriptor is the caller's, sent as it is, at its own number. */
int record_fd(struct request *r, const char *key, int fd, int target,
	      uint32_t flags);
int record_inherited_fd(struct request *r, int fd);
/* A record whose payload is fd alone: FCHDIR_FD, CTTY. */
int record_with_fd(struct request *r, uint32_t type, const char *key, int fd);
int record_open(struct request *r, int target, int oflag, mode_t mode,
		const char *path);
int record_dup2(struct request *r, int from, int to);

/* ARGV or ENVP from a NULL-terminated vector (NULL: none). */
int record_strings(struct request *r, uint32_t type, const char *key,
		   char *const *v);

/*
 * The image: an fd (taken over) with AT_EXECFN's name (NULL: fd_name's
 * "/dev/fd/N") and the absolute path a kernel fallback executes (may be
 * NULL); or a file by name, searched in $PATH if search is set.
 */
int record_image_fd(struct request *r, int fd, int fd_name,
		    const char *execfn, const char *kpath);
int record_image_path(struct request *r, const char *file, int search);

/* The image named by a path that the empty process resolves at the run,
 * after every other step (in its root and namespaces then). */
int record_image_at_run(struct request *r, const char *key, const char *path);

/* struct pw_creds, then its ngroups group ids. */
int record_creds(struct request *r, const char *key, const void *creds,
		 const uint32_t *groups);
/* struct pw_attr: one attribute (enum pw_attr_what) of the process. */
int record_attr(struct request *r, const char *key, uint32_t what,
		int64_t value);
/* Joins the namespace of fd (taken over): nstype is CLONE_NEW* or 0. */
int record_setns(struct request *r, const char *key, int fd, int nstype);
/* Writes text to a file of /proc/self (enum pw_proc_file). */
int record_proc(struct request *r, const char *key, int file,
		const char *text);
/* A mount (enum pw_mount_kind) at target. */
int record_mount(struct request *r, const char *key, uint32_t kind,
		 uint64_t flags, const char *target);
/* A record whose payload is len bytes: AFFINITY, SCHED_ATTR. */
int record_bytes(struct request *r, uint32_t type, const char *key,
		 const void *p, size_t len);

/* The last record: PW_REQ_RUN, or PW_REQ_PREPARE that ends a template's
 * first request; mode: enum pw_run_mode. */
int record_run(struct request *r, uint32_t type, uint32_t mode);

#endif
