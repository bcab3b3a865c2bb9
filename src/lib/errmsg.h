/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The thread-local details behind pristine_errmsg() and
 * pristine_last_route(), and the one way out of a public call that fails:
 * inside, errors are positive errno values; the conventions of the public
 * interface are applied here, once.
 */
#ifndef PRISTINE_ERRMSG_H
#define PRISTINE_ERRMSG_H

/* Every public call that can fail starts here. */
void errmsg_clear(void);
void errmsg_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The end of a failed call: unless a better message was set, the message
 * is "WHAT: strerror(err)", WHAT formatted from fmt. errmsg_fail() sets
 * errno to err and returns -1 (pristine_open() and the other calls);
 * errmsg_posix() returns err and leaves errno alone, as posix_spawn()
 * does (for err 0 it returns 0 and empties the message: what a fallback
 * on the way to a success said is not the call's result).
 */
int errmsg_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int errmsg_posix(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void route_set(int route);

#endif
