/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Reserves of ready empty processes, kept full by a background thread:
 * the process pool (plain empty processes) and templates (empty processes
 * with an image already mapped).
 */
#ifndef PRISTINE_RESERVE_H
#define PRISTINE_RESERVE_H

#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include "empty.h"
#include "inherit.h"
#include "request.h"

struct member {
	struct empty e;
	int route;		/* templates: how the prepared image runs */
	uint64_t ignored;	/* its ignored signals (kernel bit order) */
	uint64_t creds;		/* cred_now() of the thread that made it */
	uint64_t nofile;	/* RLIMIT_NOFILE's soft limit then */
	struct proc_state state;	/* the rest of its maker's state */
};

struct reserve {
	struct reserve *next;	/* all reserves, for fork handling */
	pthread_mutex_t lock;
	pthread_cond_t want;	/* the refill thread waits for work here */
	struct member *ready;
	unsigned int n, size;
	unsigned int generation;	/* bumped when members turn stale */
	long long last_use;	/* CLOCK_MONOTONIC ns of the last take */
	pid_t last_child;	/* the program of the last member taken */
	/* The per-thread state of the last thread that found a member
	 * stale: the refill thread takes it on (state_adopt()). */
	struct proc_state adopt;
	int adopt_set;
	pid_t owner;		/* members are this process's children */
	int stop, dead, thread_started;
	int idle;		/* the refill thread waits for a take */
	/* A template's first member is made by its creator: the refill
	 * thread waits until it is put, so that the two do not compete for
	 * the caller's descriptors (the creator's needs are then exact). */
	int first_pending;
	pthread_t thread;
	void *stack;		/* the thread's own (see reserve.c), or NULL */
	size_t stack_size;
	/* Templates: the image, the names sent with it, and its identity. */
	int image_fd;		/* -1 for the pool */
	int fd_name;		/* the caller's number for it, or -1 */
	char *path, *kpath;
	struct stat st;
	uint32_t mode;
};

/*
 * Sets up r for size members and starts its refill thread. image_fd (-1
 * for a plain pool) is owned by the reserve from then on; fd_name is the
 * caller's number for it when it has no path (AT_EXECFN "/dev/fd/N"), or
 * -1. Returns 0 or a positive errno.
 */
int reserve_init(struct reserve *r, unsigned int size, int image_fd,
		 int fd_name, char *path, char *kpath, uint32_t mode);

/* Makes one member now, in the calling thread (a template's first). */
int reserve_make(struct reserve *r, struct member *m);

/* Adds a member made by reserve_make(). */
void reserve_put(struct reserve *r, struct member *m);

/*
 * Takes a ready member if there is one that may be used (same process,
 * same credentials); returns 1 and fills m, or 0 (and wakes the refill
 * thread).
 */
int reserve_take(struct reserve *r, struct member *m);

/*
 * Wakes the refill thread: called once a spawn from a member is done, so
 * that making the next member (an exec) does not compete for a CPU with
 * the spawn itself.
 */
void reserve_refill(struct reserve *r);

/* Kills and reaps every ready member (they are stale). */
void reserve_flush(struct reserve *r);

/* Stops the refill thread, kills and reaps every member, frees r's parts. */
void reserve_destroy(struct reserve *r);

/* Appends the record of r's image (a template's): a duplicate of its fd. */
int reserve_image(struct reserve *r, struct request *req);
/* r's image as a path for an exec by name (a template's): 0 or ENAMETOOLONG. */
int reserve_path(struct reserve *r, char *buf, size_t len);

/* r's file has changed: image_fd (if not -1) replaces r's, st is its
 * identity now, and the members that mapped the old one go. */
void reserve_new_image(struct reserve *r, int image_fd,
		       const struct stat *st);

/*
 * A reserve as a spawn sees it (spawn.h): the process pool and each
 * template are one, pool.c and template.c implement it, and the spawn
 * receives it as data.
 */
struct reserve_ops {
	/* A ready member for a spawn in exec mode (PRISTINE_EXEC_*): 1 and
	 * *m, or 0. */
	int (*take)(void *self, int mode, struct member *m);
	/* The image record of a spawn without a member, for a reserve whose
	 * members hold their image (NULL: the spawn names its file). */
	int (*image)(void *self, struct request *r);
	/* The members are stale (ESTALE): they all go. */
	void (*flush)(void *self);
	/* A spawn from a member is done: time to make the next. */
	void (*refill)(void *self);
	/* For glibc's posix_spawn() (glibc-spawn.h), the path of the image
	 * of a reserve whose members hold it, into buf: 0 or an errno. */
	int (*path)(void *self, char *buf, size_t len);
};

#endif
