/* The handles of pristine_open(): an empty process and its configuration. */
#ifndef PRISTINE_REGISTRY_H
#define PRISTINE_REGISTRY_H

#include <sys/types.h>
#include "internal.h"

struct handle {
	struct handle *next;
	dev_t dev;
	ino_t ino;
	struct empty e;
	struct request req;
	int have_exec;
	int from_pool;		/* its process was made by the pool's thread */
	uint32_t mode;
	/* argv and env grow one string per call; sent once, at the run. */
	struct strvec {
		char **v;
		size_t n, cap;
	} argv, env;
};

/* Appends a copy of s; returns 0 or ENOMEM. */
int strvec_add(struct strvec *sv, const char *s);
void strvec_free(struct strvec *sv);

/* Adds a new handle to the registry. */
void handle_add(struct handle *h);
/* Finds the handle for fd and locks the registry; NULL (errno EBADF). */
struct handle *handle_get(int fd);
void handle_put(struct handle *h);
/* Takes the handle for fd out of the registry (a run consumes it), or
 * NULL. */
struct handle *handle_take(int fd);
/* Frees a handle out of the registry, and its configuration. */
void handle_free(struct handle *h);
/* Reaps the processes of handles the caller closed without a run. */
void handles_sweep(void);

/*
 * Replaces h's process (a pool member) with one made now by the calling
 * thread, keeping the handle's descriptor number. Returns 0 or an errno.
 */
int handle_renew(struct handle *h);

/* Appends the record for one pristine_config() call. Returns 0 or errno. */
int config_apply(struct handle *h, unsigned int cmd, const char *key,
		 const void *value, int aux);

#endif
