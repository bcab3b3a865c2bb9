#define _GNU_SOURCE
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

int errmsg_default(int err, const char *what)
{
	if (err && !message[0])
		errmsg_set("%s: %s", what, strerror(err));
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
	};

	if (route < 0 || route > PRISTINE_ROUTE_KERNEL_UNREADABLE)
		return "unknown";
	return names[route];
}
