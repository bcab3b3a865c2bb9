/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * What the shim did, when asked: PRISTINE_STATS=1 counts the spawns by
 * route and says so at exit, PRISTINE_TRACE writes a line per spawn. Each
 * line is built whole and written with one write(): O_APPEND writes of
 * concurrent processes (a make -j) never interleave within a line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "preload.h"

#define NROUTES 64	/* the empty process's routes are below 64 */

static struct {
	pid_t owner;	/* counted by this process (not a fork() parent) */
	unsigned long loader, kernel[NROUTES];
	unsigned long glibc, noloader, nofds, failed;
} stats;
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;

/* Kernel routes and fallbacks in words, for the trace (the names are
 * pristine_route_name()'s); a route missing here is shown by its name. */
static const char *const route_words[NROUTES] = {
	[PRISTINE_ROUTE_KERNEL_ASKED] = "mode kernel (PRISTINE_PRELOAD=kernel)",
	[PRISTINE_ROUTE_KERNEL_SCRIPT] = "a #! script",
	[PRISTINE_ROUTE_KERNEL_SETID] = "a set-user-ID or set-group-ID file",
	[PRISTINE_ROUTE_KERNEL_FILECAPS] = "a file with capabilities",
	[PRISTINE_ROUTE_KERNEL_FOREIGN] = "not an x86_64 ELF the loader maps",
	[PRISTINE_ROUTE_KERNEL_EXECSTACK] = "the image asks for an executable "
					    "stack",
	[PRISTINE_ROUTE_KERNEL_UNREADABLE] = "an image or interpreter the "
					     "loader cannot read or check",
	[PRISTINE_ROUTE_KERNEL_LAYOUT] = "segments the loader does not map as "
					 "the kernel would",
	[PRISTINE_ROUTE_KERNEL_CREDS] = "credentials configured, or changed "
					"since the loader's exec",
	[PRISTINE_ROUTE_KERNEL_LANDLOCK] = "a Landlock ruleset",
	[PRISTINE_ROUTE_KERNEL_MDWE] = "memory-deny-write-execute",
	[PRISTINE_ROUTE_KERNEL_PERSONALITY] = "a personality, configured or "
					      "cleared at the loader's exec",
	[PRISTINE_ROUTE_KERNEL_TIMENS] = "a new time namespace",
	[PRISTINE_ROUTE_KERNEL_SECURE] = "a secure exec (AT_SECURE)",
	[PRISTINE_ROUTE_KERNEL_TRACED] = "a tracer is attached",
	[PRISTINE_ROUTE_KERNEL_SECCOMP] = "a seccomp filter",
	[PRISTINE_ROUTE_KERNEL_EXE] = "/proc/PID/exe cannot be set",
	[PRISTINE_ROUTE_KERNEL_LSM] = "an LSM that acts at exec",
	[PRISTINE_ROUTE_KERNEL_STACK] = "RLIMIT_STACK changed since the "
					"loader's exec",
	[PRISTINE_ROUTE_KERNEL_VALGRIND] = "running under valgrind",
	[PRISTINE_ROUTE_KERNEL_NO_NEW_PRIVS] = "no_new_privs in the caller",
	[PRISTINE_ROUTE_KERNEL_FRESH] = "a fresh empty process: the kernel's "
					"exec is the faster faithful one",
};

long long shim_clock(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ll + t.tv_nsec;
}

static void count(const struct shim_outcome *o)
{
	pid_t me = getpid();

	pthread_mutex_lock(&stats_lock);
	if (stats.owner != me) {	/* a fork() child: none of its own yet */
		memset(&stats, 0, sizeof(stats));
		stats.owner = me;
	}
	if (o->how == SHIM_GLIBC)
		stats.glibc++;
	else if (o->how == SHIM_NOLOADER)
		stats.noloader++;
	else if (o->err)
		stats.failed++;
	else if (o->route == PRISTINE_ROUTE_GLIBC_NOFDS)
		stats.nofds++;
	else if (o->route > 0 && o->route < NROUTES)
		stats.kernel[o->route]++;
	else
		stats.loader++;
	pthread_mutex_unlock(&stats_lock);
}

/* Appends to a line, never past its end. */
struct line {
	char buf[2048];
	size_t len;
};

static void add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len >= sizeof(l->buf))
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n;
	if (l->len >= sizeof(l->buf))
		l->len = sizeof(l->buf) - 1;
}

/* key="text", with " and \ and control characters escaped: a line of
 * the trace is one line whatever a path holds. At most max bytes. */
static void add_quoted(struct line *l, const char *key, const char *s,
		       size_t max)
{
	size_t i;

	add(l, " %s=\"", key);
	for (i = 0; s && s[i] && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			add(l, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			add(l, "\\x%02x", c);
		else
			add(l, "%c", c);
	}
	add(l, "%s\"", s && s[i] ? "..." : "");
}

/* The line ends with a newline, even when it was cut. */
static size_t finish(struct line *l)
{
	if (l->len > sizeof(l->buf) - 1)
		l->len = sizeof(l->buf) - 1;
	l->buf[l->len++] = '\n';
	return l->len;
}

/*
 * Lines that found no descriptor free (the program's table was full, the
 * very case of glibc-nofds): kept, and written before the next line or at
 * exit. Beyond the buffer they are lost.
 */
#define PENDING_MAX 8192

static struct {
	pthread_mutex_t lock;
	char *buf;	/* allocated at the first such line */
	size_t len;
} pending = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Writes the pending lines and then l (if not NULL): one write(). */
static void trace_write(const struct line *l)
{
	static int warned;
	char buf[PENDING_MAX + sizeof(l->buf)];
	size_t len;
	int fd = STDERR_FILENO, to_stderr = !strcmp(shim_settings.trace,
						     "stderr");

	pthread_mutex_lock(&pending.lock);
	if (!to_stderr)
		fd = open(shim_settings.trace, O_WRONLY | O_APPEND | O_CREAT |
			  O_CLOEXEC | O_NOCTTY, 0666);
	if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
		if (!pending.buf)
			pending.buf = malloc(PENDING_MAX);
		if (l && pending.buf && pending.len + l->len <= PENDING_MAX) {
			memcpy(pending.buf + pending.len, l->buf, l->len);
			pending.len += l->len;
		}
		pthread_mutex_unlock(&pending.lock);
		return;
	}
	if (fd < 0) {
		/* Said once; the next spawn tries again. */
		if (!__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
			dprintf(STDERR_FILENO, "libpristine-preload[%d]: "
				"PRISTINE_TRACE=%s: %s\n", getpid(),
				shim_settings.trace, strerror(errno));
		pthread_mutex_unlock(&pending.lock);
		return;
	}
	if (pending.len)
		memcpy(buf, pending.buf, pending.len);
	len = pending.len;
	pending.len = 0;
	if (l) {
		memcpy(buf + len, l->buf, l->len);
		len += l->len;
	}
	if (len && write(fd, buf, len) < 0) {
		/* nothing to do: the trace is best effort */
	}
	if (!to_stderr)
		close(fd);
	pthread_mutex_unlock(&pending.lock);
}

static void trace(const struct shim_outcome *o)
{
	const char *route, *why = o->why;
	struct line l = { .len = 0 };

	if (o->how == SHIM_GLIBC)
		route = "glibc";
	else if (o->how == SHIM_NOLOADER)
		route = "glibc-noloader";
	else if (o->err)
		route = "failed";
	else
		route = pristine_route_name(o->route);
	if (!why && o->how == SHIM_LIBRARY && !o->err && o->route > 0) {
		if (o->route == PRISTINE_ROUTE_GLIBC_NOFDS)
			why = "no descriptor left for an empty process";
		else if (o->route < NROUTES && route_words[o->route])
			why = route_words[o->route];
		else
			why = route;
	}
	add(&l, "pristine-preload[%d]: spawn", getpid());
	add_quoted(&l, "program", o->program, 512);
	add(&l, " route=%s", route);
	if (o->err)
		add(&l, " error=%s", strerrorname_np(o->err) ?
			strerrorname_np(o->err) : "?");
	if (why)
		add_quoted(&l, "reason", why, 512);
	add(&l, " us=%lld", (shim_clock() - o->start) / 1000);
	finish(&l);
	trace_write(&l);
}

void shim_note(const struct shim_outcome *o)
{
	int saved = errno;

	if (shim_settings.stats)
		count(o);
	if (shim_settings.trace)
		trace(o);
	errno = saved;
}

/*
 * The statistics line of a process that spawned itself: the one that
 * loaded the shim, or a fork() child (one that only inherited the
 * parent's counts says nothing here: the front speaks for the process
 * that loaded the shim, and an exec'd program for itself). Called at
 * exit() and at _exit() (shells leave by _exit()), perhaps in a vfork()
 * child or a signal handler: it writes nothing but its line, and takes no
 * lock there. Returns 1 if it said the line.
 */
int shim_report(int locked)
{
	static int done;
	struct line l = { .len = 0 };
	unsigned long k = 0, total;
	int i, saved = errno;
	pid_t me;

	if (!shim_settings.stats || done)
		return 0;
	me = getpid();
	if (locked)
		pthread_mutex_lock(&stats_lock);
	if (stats.owner != me) {
		if (locked)
			pthread_mutex_unlock(&stats_lock);
		return 0;
	}
	done = 1;
	for (i = 1; i < NROUTES; i++)
		k += stats.kernel[i];
	total = stats.loader + k + stats.glibc + stats.noloader + stats.nofds +
		stats.failed;
	add(&l, "pristine-preload[%d]: spawns=%lu loader=%lu kernel=%lu", me,
	    total, stats.loader, k);
	for (i = 1; i < NROUTES; i++)
		if (stats.kernel[i])
			add(&l, " kernel-%s=%lu", pristine_route_name(i),
			    stats.kernel[i]);
	add(&l, " glibc=%lu fallback=%lu", stats.glibc,
	    stats.noloader + stats.nofds);
	if (stats.noloader)
		add(&l, " fallback-noloader=%lu", stats.noloader);
	if (stats.nofds)
		add(&l, " fallback-nofds=%lu", stats.nofds);
	add(&l, " failed=%lu", stats.failed);
	add(&l, " program=%s", program_invocation_short_name);
	if (locked)
		pthread_mutex_unlock(&stats_lock);
	finish(&l);
	if (write(STDERR_FILENO, l.buf, l.len) < 0) {
		/* nowhere to say it */
	}
	errno = saved;
	return 1;
}

/* Runs before the front's own (the core was loaded after it). */
__attribute__((destructor)) static void at_exit(void)
{
	if (shim_settings.trace && pending.len)
		trace_write(NULL);
}
