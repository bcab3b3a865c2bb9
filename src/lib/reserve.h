/*
 * Reserves of ready empty processes, kept full by a background thread:
 * the process pool (plain empty processes) and templates (empty processes
 * with an image already mapped).
 */
#ifndef PRISTINE_RESERVE_H
#define PRISTINE_RESERVE_H

#include <pthread.h>
#include <sys/stat.h>
#include "internal.h"

struct member {
	struct empty e;
	int route;		/* templates: how the prepared image runs */
	uint64_t ignored;	/* its ignored signals (kernel bit order) */
	uint64_t creds;		/* cred_now() of the thread that made it */
	uint64_t nofile;	/* RLIMIT_NOFILE's soft limit then */
};

struct reserve {
	struct reserve *next;	/* all reserves, for fork handling */
	pthread_mutex_t lock;
	pthread_cond_t want;	/* the refill thread waits for work here */
	struct member *ready;
	unsigned int n, size;
	unsigned int generation;	/* bumped when members turn stale */
	long long last_use;	/* CLOCK_MONOTONIC ns of the last take */
	pid_t owner;		/* members are this process's children */
	int stop, dead, thread_started;
	int idle;		/* the refill thread waits for a take */
	pthread_t thread;
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

/* The records that give a member what an exec from the caller keeps now:
 * inheritable descriptors, cwd, umask, signal dispositions (had: the
 * member's ignored set), no_new_privs. */
int inherit_add(struct request *req, uint64_t had, uint64_t creds,
		uint64_t nofile);

/* The same for pristine_open(): cwd, umask, no_new_privs, and every
 * signal at its default (had: the member's ignored set); pending signals
 * are discarded in both. */
int inherit_open(struct request *req, uint64_t had, uint64_t creds);

/* A digest of the calling thread's credentials as exec sees them (ids,
 * groups, capabilities, no_new_privs, seccomp); 0 if unreadable. A member
 * whose digest differs from its spawner's is stale (ESTALE). */
uint64_t cred_now(void);
/* RLIMIT_NOFILE's soft limit now (a member made under another is stale). */
uint64_t nofile_now(void);

/* The ignored signals of process pid, from /proc (all, if unreadable). */
uint64_t ignored_signals(pid_t pid);

/* A member of the process pool, if there is one: 1 and m, or 0. */
int pool_take(struct member *m);
/* After a spawn from a pool member: time to refill. */
void pool_refill(void);
/* The pool's members are stale (ESTALE): they all go. */
void pool_flush(void);
void template_flush(pristine_template_t *t);
/* After a spawn from a member of t. */
void template_refill(pristine_template_t *t);

/* A member of template t (after checking its file has not changed). */
int template_take(pristine_template_t *t, struct member *m);
/* Appends t's image, for a spawn that has no member. */
int template_image(pristine_template_t *t, struct request *req);

#endif
