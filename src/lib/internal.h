/* libpristine's internal interfaces. Nothing here is exported. */
#ifndef PRISTINE_INTERNAL_H
#define PRISTINE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "pristine.h"
#include "wire.h"
#include "build-id.h"
#include "request.h"

#define PRISTINE_EXPORT __attribute__((visibility("default")))

/* An empty process: the loader, started and waiting on its socket. */
struct empty {
	int sock;
	int pidfd;
	pid_t pid;
	struct child_args *args;	/* until the answer: see empty.c */
	int greeted;		/* its hello was read (templates talk twice) */
	int unsent;		/* the request could not be sent (it died) */
};

enum empty_fds {
	EMPTY_NO_FDS = 0,	/* the pristine_open() model: only the socket */
	EMPTY_INHERIT_FDS = 1,	/* posix_spawn: non-close-on-exec fds pass */
};

/* Progress of sending one request on one socket. */
struct sender {
	const struct request *req;
	unsigned char hello[32];
	size_t pos;		/* bytes of hello + records sent */
	size_t chunk;		/* fd chunks sent */
};

void sender_init(struct sender *s, const struct request *r);
/* Sends what is left; flags MSG_DONTWAIT stops at a full socket.
 * Returns 0 or a positive errno (EAGAIN: try again later). */
int sender_push(struct sender *s, int sock, int flags);

/*
 * Starts the loader by clone(CLONE_VM) + execve(). If pre is not NULL, as
 * much of its request as fits is queued on the socket before the loader
 * even starts. With wait_exec the thread waits for the exec (CLONE_VFORK);
 * without, empty_finish() must follow before anything else on this thread.
 * Returns 0 or a positive errno.
 */
int empty_create(struct empty *e, enum empty_fds fds, struct sender *pre,
		 int wait_exec);

/*
 * Sends the rest of a request and waits for the loader's verdict. On
 * failure the empty process is reaped. Returns 0 or a positive errno;
 * *step is the failing record (0 if none), *route how the image ran.
 */
int empty_finish(struct empty *e, struct sender *s, uint32_t *step,
		 int *route);

/*
 * Sends a template's first request (ending in PW_REQ_PREPARE) and waits for
 * the loader's "ready". On success the empty process waits for the rest
 * of its configuration; *route says how it will run the image.
 */
int empty_prepare(struct empty *e, struct sender *s, int *route);

/* Kills and reaps an empty process that will not run. */
void empty_abort(struct empty *e);

/* Runs a complete request on a new empty process (the spawn path). */
int empty_spawn(const struct request *r, enum empty_fds fds, pid_t *pid,
		int *pidfd, uint32_t *step, int *route);

/*
 * Opens dirfd/path to execute it: returns the fd or -errno, with *execfn
 * (AT_EXECFN, as execveat() names it) and *kpath (the absolute path for a
 * kernel fallback), both malloc'd.
 */
int open_image(int dirfd, const char *path, char **execfn, char **kpath);
/* Where the loader is: $PRISTINE_LOADER or the configured path. */
const char *loader_path(void);

/* Thread-local error details behind pristine_errmsg(). */
void errmsg_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Every public call starts with errmsg_clear(); a failure with no better
 * message set gets "what: strerror(err)". Returns err. */
void errmsg_clear(void);
int errmsg_default(int err, const char *what);
void route_set(int route);

/* Checks a classic BPF seccomp program like the kernel will. */
int seccomp_check(const void *prog, size_t len);

#endif
