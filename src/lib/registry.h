/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* The handles of pristine_open(): an empty process and its configuration. */
#ifndef PRISTINE_REGISTRY_H
#define PRISTINE_REGISTRY_H

#include <sys/types.h>
#include "empty.h"
#include "keys.h"

struct handle {
	struct handle *next;
	dev_t dev;		/* the socket the handle's number named */
	ino_t ino;
	struct empty e;
	int from_pool;		/* its process was made by the pool's thread */
	/* pristine_run_start() sent the request: the process is the
	 * caller's, only the answer is left. The library holds no pidfd
	 * (e.pidfd -1) but the inode that names the process (pidfs); on a
	 * kernel without pidfs, e.pidfd is a copy of the caller's. Either
	 * serves to reap a failed run. */
	int started;
	ino_t pidfd_ino;
	struct config config;
};

/* Adds a new handle to the registry. */
void handle_add(struct handle *h);
/* Finds the handle for fd and locks the registry (until handle_put()),
 * or NULL. */
struct handle *handle_get(int fd);
void handle_put(struct handle *h);
/* Takes the handle for fd out of the registry (a run consumes it), or
 * NULL. */
struct handle *handle_take(int fd);
/* Frees a handle out of the registry, and its configuration. */
void handle_free(struct handle *h);
/* Reaps the processes of handles the caller closed without a run, and
 * forgets the started runs closed without pristine_run_finish(). */
void handles_sweep(void);

#endif
