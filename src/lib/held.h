/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The empty processes held idle: pool and template members, by pid, from
 * before their clone() until a spawn takes them or they are reaped. They
 * are this process's children but no child its program made: a wait for
 * any child must not count them (the preload shim's wait family).
 *
 * The lock is never held with a signal deliverable to the holding
 * thread, so that a waitpid() in a SIGCHLD handler can take it.
 */
#ifndef PRISTINE_HELD_H
#define PRISTINE_HELD_H

#include <signal.h>
#include <sys/types.h>

/* A reserve exists: members may come from now on. */
void held_expect(void);
/* Has a reserve ever existed in this process? (No lock.) */
int held_possible(void);

/* Takes the lock with every signal blocked; *old gets the mask (NULL:
 * the caller has blocked them itself). */
void held_lock(sigset_t *old);
void held_unlock(const sigset_t *old);
/* With the lock: adds pid (0, or ENOMEM); is pid held? */
int held_add_locked(pid_t pid);
int held_has_locked(pid_t pid);

/* pid is no longer held: taken for a spawn, or reaped. */
void held_forget(pid_t pid);

/* In a fork() child: the parent's members are not its children. */
void held_reset_in_child(void);

#endif
