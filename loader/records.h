/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The request's bytes, checked and decoded before anything acts on them.
 * Pure: no system calls, no state. Compiled into the loader and, unchanged,
 * into the hosted fuzzer and tests, which feed it arbitrary bytes.
 */
#ifndef PRISTINE_LOADER_RECORDS_H
#define PRISTINE_LOADER_RECORDS_H

#include <stddef.h>
#include <stdint.h>
#include "wire.h"

struct strings {
	const char *data;	/* back-to-back NUL-terminated strings */
	size_t bytes;
	size_t count;
};

struct record_image {
	uint32_t flags;		/* enum pw_image_flags */
	int32_t fd_name;
	const char *path;	/* NULL if path_len is 0 */
	const char *search;	/* NULL if search_len is 0 */
};

/* One record. Strings point into the request; the rest are copies. */
struct record {
	uint32_t type;
	uint32_t len;
	const unsigned char *payload;
	int takes_fd;		/* consumes the next received descriptor */
	union {
		struct strings strings;		/* ARGV, ENVP */
		struct record_image image;	/* IMAGE */
		struct pw_fd fd;		/* FD */
		struct {
			struct pw_open o;
			const char *path;
		} open;				/* OPEN */
		struct pw_dup2 dup2;		/* DUP2 */
		int32_t value;			/* every struct pw_int record */
		const char *string;		/* CHDIR, NAME, CHROOT */
		uint64_t sigset;		/* SIGMASK, SIGIGNORE,
						 * SIGDEFAULT */
		struct pw_rlimit rlimit;	/* RLIMIT */
		struct pw_sched sched;		/* SCHED */
		struct {
			const void *insns;	/* struct sock_filter[] */
			uint32_t len;		/* bytes */
		} filter;			/* SECCOMP */
		uint32_t mode;			/* RUN, PREPARE */
		struct {
			struct pw_creds c;
			const uint32_t *groups;	/* c.ngroups of them */
		} creds;			/* CREDS */
		struct pw_attr attr;		/* ATTR */
		struct {
			int32_t file;		/* enum pw_proc_file */
			const char *text;
		} proc;				/* PROC_WRITE */
		struct {
			struct pw_mount m;
			const char *target;
		} mount;			/* MOUNT */
		struct {
			const void *p;
			uint32_t len;
		} bytes;			/* AFFINITY, SCHED_ATTR */
	} u;
};

/* argv[2] of the loader (wire.h): what the library says of the caller. */
struct caller_state {
	uint32_t hint;		/* a pw_reason, or 0 */
	int known;		/* the three fields below were given */
	uint64_t personality;
	uint64_t stack;		/* soft RLIMIT_STACK */
	uint64_t ambient;	/* the ambient capabilities a plain exec keeps */
};

/*
 * Decodes argv[2] ("HINT" or "HINT:PERSONALITY:STACK:AMBIENT", hex) into
 * *c: 0, or -EINVAL (c then undefined). NULL is no state: 0, all zero.
 * The string may come from anyone who runs the loader.
 */
int records_caller_state(const char *s, struct caller_state *c);

/*
 * Checks a hello record (the first 32 bytes of a request): 0 with *h
 * filled, -EPROTO if it is not one, -ELIBBAD if it comes from a library
 * of another build (version or build_id differ).
 */
int records_check_hello(const unsigned char *buf, uint32_t build_id,
			struct pw_hello *h);

/*
 * Takes the next record of [*p, end) and decodes it: returns 1 with r
 * filled and *p past it, 0 at the end, or -errno for a record that is
 * malformed (-EPROTO; -EINVAL for a seccomp program the kernel would
 * refuse). The framing is checked before r->type is set: on a framing
 * error r->type is 0. RUN and PREPARE must be the last record.
 */
int records_next(const unsigned char **p, const unsigned char *end,
		 struct record *r);

#endif
