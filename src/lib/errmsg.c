/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "errmsg.h"
#include "export.h"
#include "pristine.h"

static __thread char message[512];
static __thread int last_route;

void errmsg_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
}

void errmsg_clear(void)
{
	message[0] = 0;
}

static void fill(int err, const char *fmt, va_list ap)
{
	size_t n;

	if (message[0])
		return;
	vsnprintf(message, sizeof(message), fmt, ap);
	n = strlen(message);
	snprintf(message + n, sizeof(message) - n, ": %s", strerror(err));
}

int errmsg_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fill(err, fmt, ap);
	va_end(ap);
	errno = err;
	return -1;
}

int errmsg_posix(int err, const char *fmt, ...)
{
	va_list ap;

	if (!err) {
		/* Success: nothing a fallback on the way said is true. */
		errmsg_clear();
		return 0;
	}
	va_start(ap, fmt);
	fill(err, fmt, ap);
	va_end(ap);
	return err;
}

void route_set(int route)
{
	last_route = route;
}

PRISTINE_EXPORT const char *pristine_errmsg(void)
{
	return message;
}

PRISTINE_EXPORT int pristine_last_route(void)
{
	return last_route;
}

PRISTINE_EXPORT const char *pristine_route_name(int route)
{
	static const char *const names[] = {
		[PRISTINE_ROUTE_LOADER] = "loader",
		[PRISTINE_ROUTE_KERNEL_ASKED] = "kernel",
		[PRISTINE_ROUTE_KERNEL_SCRIPT] = "script",
		[PRISTINE_ROUTE_KERNEL_SETID] = "setid",
		[PRISTINE_ROUTE_KERNEL_FILECAPS] = "filecaps",
		[PRISTINE_ROUTE_KERNEL_FOREIGN] = "foreign",
		[PRISTINE_ROUTE_KERNEL_EXECSTACK] = "execstack",
		[PRISTINE_ROUTE_KERNEL_UNREADABLE] = "unreadable",
		[PRISTINE_ROUTE_KERNEL_LAYOUT] = "layout",
		[PRISTINE_ROUTE_KERNEL_CREDS] = "creds",
		[PRISTINE_ROUTE_KERNEL_LANDLOCK] = "landlock",
		[PRISTINE_ROUTE_KERNEL_MDWE] = "mdwe",
		[PRISTINE_ROUTE_KERNEL_PERSONALITY] = "personality",
		[PRISTINE_ROUTE_KERNEL_TIMENS] = "timens",
		[PRISTINE_ROUTE_KERNEL_SECURE] = "secure",
		[PRISTINE_ROUTE_KERNEL_TRACED] = "traced",
		[PRISTINE_ROUTE_KERNEL_SECCOMP] = "seccomp",
		[PRISTINE_ROUTE_KERNEL_EXE] = "exe",
		[PRISTINE_ROUTE_KERNEL_LSM] = "lsm",
		[PRISTINE_ROUTE_KERNEL_STACK] = "stack",
		[PRISTINE_ROUTE_KERNEL_VALGRIND] = "valgrind",
		[PRISTINE_ROUTE_KERNEL_NO_NEW_PRIVS] = "no-new-privs",
		[PRISTINE_ROUTE_KERNEL_FRESH] = "fresh",
	};

	if (route == PRISTINE_ROUTE_GLIBC_NOFDS)
		return "glibc-nofds";
	if (route < 0 || route > PRISTINE_ROUTE_KERNEL_FRESH)
		return "unknown";
	return names[route];
}
