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

/* Credentials an exec keeps, for comparing then and now (creds.c). */
#define CREDS_GROUPS 256
struct creds {
	uid_t uid, euid;
	gid_t gid, egid;
	int ngroups;			/* -1: more than CREDS_GROUPS */
	gid_t groups[CREDS_GROUPS];
	uint64_t effective, permitted, inheritable, ambient;
	uint64_t bounding;		/* 0 unless permitted has CAP_SETPCAP */
	int securebits;
	int seccomp;			/* mode, plus the number of filters */
};

/* Reads the calling thread's credentials; 0 or -1. */
int creds_read(struct creds *c);
/* Are they the same now as in 'then'? */
int creds_same(const struct creds *then);

struct member {
	struct empty e;
	int route;		/* templates: how the prepared image runs */
	uint64_t ignored;	/* its ignored signals (kernel bit order) */
};

struct reserve {
	struct reserve *next;	/* all reserves, for fork handling */
	pthread_mutex_t lock;
	pthread_cond_t want;	/* the refill thread waits for work here */
	struct member *ready;
	unsigned int n, size;
	unsigned int generation;	/* bumped when members turn stale */
	pid_t owner;		/* members are this process's children */
	int stop, dead, thread_started;
	pthread_t thread;
	struct creds creds;	/* what the members were made with */
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

/* Adds a member made by reserve_make(), or ends it if r is full. */
void reserve_put(struct reserve *r, struct member *m);

/*
 * Takes a ready member if there is one that may be used (same process,
 * same credentials); returns 1 and fills m, or 0. Wakes the refill thread.
 */
int reserve_take(struct reserve *r, struct member *m);

/* Kills and reaps every ready member (they are stale). */
void reserve_flush(struct reserve *r);

/* Stops the refill thread, kills and reaps every member, frees r's parts. */
void reserve_destroy(struct reserve *r);

/* The records that give a member what an exec from the caller keeps now:
 * inheritable descriptors, cwd, umask, signal dispositions (had: the
 * member's ignored set), no_new_privs. */
int inherit_add(struct request *req, uint64_t had);

/* The same for pristine_open(): cwd, umask, no_new_privs, and every
 * signal at its default (had: the member's ignored set). */
int inherit_open(struct request *req, uint64_t had);

/* The ignored signals of process pid, from /proc (all, if unreadable). */
uint64_t ignored_signals(pid_t pid);

/* A member of the process pool, if there is one: 1 and m, or 0. */
int pool_take(struct member *m);

/* A member of template t (after checking its file has not changed). */
int template_take(pristine_template_t *t, struct member *m);
/* Appends t's image, for a spawn that has no member. */
int template_image(pristine_template_t *t, struct request *req);

#endif
