/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Scheduling and resources, in the spelling of the tools that set them
 * before an exec: nice(1), chrt(1), taskset(1), ionice(1), choom(1),
 * setarch(8); and Landlock, in setpriv(1)'s (util-linux 2.40) spelling.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "pristine.h"
#include "run.h"
#include "tool.h"

#define SCHED_FLAG_RESET_ON_FORK_ 0x01

/* The kernel's struct sched_attr (<linux/sched/types.h>, which clashes
 * with glibc 2.36's <sched.h>). */
struct sched_attr_ {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
};

/* The command's nice value as the steps so far leave it: a --sched to a
 * normal policy keeps it, as chrt(1)'s sched_setscheduler() does. */
static int nice_now = 0x7fff;

static int current_nice(void)
{
	if (nice_now == 0x7fff) {
		errno = 0;
		nice_now = getpriority(PRIO_PROCESS, 0);
		if (errno)
			nice_now = 0;
	}
	return nice_now;
}

/* May this process lower its nice value to v (RLIMIT_NICE, or
 * CAP_SYS_NICE)? */
static int may_lower_to(int v)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	struct rlimit rl;

	if (syscall(SYS_capget, &hdr, d) == 0 &&
	    (d[0].effective & (1u << CAP_SYS_NICE)))
		return 1;
	return getrlimit(RLIMIT_NICE, &rl) == 0 &&
	       (rl.rlim_cur == RLIM_INFINITY || 20 - v <= (long)rl.rlim_cur);
}

/*
 * nice(1): ADJUSTMENT is added to the current value, within -20..19. As
 * nice(1), a value this user may not set is a warning, and the command
 * runs with the niceness it has.
 */
void opt_nice(char *opt, const char *arg)
{
	long adj = tool_number(arg + (*arg == '-' || *arg == '+'), 0, 100);
	struct step *s;
	int v;

	if (adj < 0)
		tool_usage_error("%s: not a niceness adjustment", opt);
	v = current_nice() + (*arg == '-' ? -(int)adj : (int)adj);
	v = v < -20 ? -20 : v > 19 ? 19 : v;
	if (v < current_nice() && !may_lower_to(v)) {
		tool_error("%s: cannot set niceness: %s", opt, strerror(EACCES));
		return;
	}
	nice_now = v;
	s = add_step(opt, "nice", PRISTINE_SET_INT);
	s->aux = v;
	s->what = xasprintf("%d", v);
}

/* chrt -R: before or after the policy. */
static int reset_on_fork;
static struct sched_attr_ *last_sched;

void opt_reset_on_fork(void)
{
	reset_on_fork = 1;
	if (last_sched)
		last_sched->sched_flags |= SCHED_FLAG_RESET_ON_FORK_;
}

/* chrt(1)'s policies: POLICY[:PRIORITY], deadline:RUNTIME:DEADLINE:PERIOD
 * (nanoseconds). */
void opt_sched(char *opt, const char *arg)
{
	static const struct { const char *name; int policy; } policies[] = {
		{ "other", SCHED_OTHER }, { "fifo", SCHED_FIFO },
		{ "rr", SCHED_RR }, { "batch", SCHED_BATCH },
		{ "idle", SCHED_IDLE }, { "deadline", 6 /* SCHED_DEADLINE */ },
	};
	struct sched_attr_ *a = xcalloc(1, sizeof(*a));
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg), i;
	struct step *s;
	long prio = 0;

	for (i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		if (strlen(policies[i].name) == n &&
		    !strncasecmp(arg, policies[i].name, n))
			break;
	if (i == sizeof(policies) / sizeof(policies[0]))
		tool_usage_error("%s: unknown policy (other, fifo, rr, batch, "
				 "idle or deadline)", opt);
	a->size = sizeof(*a);
	a->sched_policy = (uint32_t)policies[i].policy;
	a->sched_flags = reset_on_fork ? SCHED_FLAG_RESET_ON_FORK_ : 0;
	if (a->sched_policy == 6) {
		unsigned long long r, d, p;
		char end;

		if (!colon || sscanf(colon + 1, "%llu:%llu:%llu%c", &r, &d, &p,
				     &end) != 3)
			tool_usage_error("%s: expected deadline:RUNTIME:DEADLINE:"
					 "PERIOD in nanoseconds", opt);
		a->sched_runtime = r;
		a->sched_deadline = d;
		a->sched_period = p;
	} else if (colon && (prio = tool_number(colon + 1, 0, 99)) < 0) {
		tool_usage_error("%s: not a priority in 0..99", opt);
	}
	a->sched_priority = (uint32_t)prio;
	a->sched_nice = current_nice();
	last_sched = a;
	s = add_step(opt, "sched", PRISTINE_SET_BINARY);
	s->binary = a;
	s->aux = sizeof(*a);
	s->what = xasprintf("%s, priority %ld", policies[i].name, prio);
}

/* taskset(1)'s list: 0,2-3,8-15:2. */
void opt_cpus(char *opt, const char *arg)
{
	cpu_set_t *set = xcalloc(1, sizeof(*set));
	char *copy = strdup(arg), *w, *save = NULL;
	struct step *s;

	if (!copy)
		oom();
	for (w = strtok_r(copy, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		unsigned a, b, stride = 1;
		int k = 0;
		char end;

		if (sscanf(w, "%u-%u:%u%c", &a, &b, &stride, &end) == 3)
			k = 1;
		else if (sscanf(w, "%u-%u%c", &a, &b, &end) == 2)
			k = 1;
		else if (sscanf(w, "%u%c", &a, &end) == 1)
			b = a, k = 1;
		if (!k || a > b || !stride || b >= CPU_SETSIZE ||
		    w[0] < '0' || w[0] > '9')
			tool_usage_error("%s: bad CPU list '%s'", opt, arg);
		for (; a <= b; a += stride)
			CPU_SET(a, set);
	}
	free(copy);
	if (!CPU_COUNT(set))
		tool_usage_error("%s: no CPU", opt);
	s = add_step(opt, "affinity", PRISTINE_SET_BINARY);
	s->binary = set;
	s->aux = sizeof(*set);
	s->what = xasprintf("%s", arg);
}

/* ionice(1): CLASS[:LEVEL], the class data 4 by default, 7 for idle. */
void opt_ioprio(char *opt, const char *arg)
{
	static const char *const classes[] = {
		"none", "realtime", "best-effort", "idle",
	};
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
	long cls = -1, level = 4;
	struct step *s;
	size_t i;

	for (i = 0; i < 4; i++)
		if (strlen(classes[i]) == n && !strncasecmp(arg, classes[i], n))
			cls = (long)i;
	if (cls < 0 && (cls = tool_number(strndupa(arg, n), 0, 3)) < 0)
		tool_usage_error("%s: unknown class (none, realtime, "
				 "best-effort, idle or 0..3)", opt);
	if (colon && (level = tool_number(colon + 1, 0, 7)) < 0)
		tool_usage_error("%s: not a level in 0..7", opt);
	if (cls == 0)
		level = 0;
	else if (cls == 3)
		level = 7;
	s = add_step(opt, "ioprio", PRISTINE_SET_INT);
	s->aux = (int)(cls << 13 | level);
	s->what = xasprintf("%s, level %ld", classes[cls], level);
}

/* A signed decimal in lo..hi, or a usage error. */
static long signed_number(const char *opt, const char *arg, long lo, long hi)
{
	long v = tool_number(arg + (*arg == '-'), 0, hi > -lo ? hi : -lo);

	if (v < 0)
		tool_usage_error("%s: not a number in %ld..%ld", opt, lo, hi);
	v = *arg == '-' ? -v : v;
	if (v < lo || v > hi)
		tool_usage_error("%s: not a number in %ld..%ld", opt, lo, hi);
	return v;
}

void opt_number(char *opt, const char *key, const char *arg, long lo,
		long hi)
{
	struct step *s = add_step(opt, key, PRISTINE_SET_INT);

	s->aux = (int)signed_number(opt, arg, lo, hi);
	s->what = xasprintf("%d", s->aux);
}

/* setarch(8): a number, or linux32/linux64 and their aliases. */
void opt_personality(char *opt, const char *arg)
{
	struct step *s;
	char *end;
	unsigned long v;

	if (!strcmp(arg, "linux64") || !strcmp(arg, "x86_64"))
		v = PER_LINUX;
	else if (!strcmp(arg, "linux32") || !strcmp(arg, "i386"))
		v = PER_LINUX32;
	else {
		errno = 0;
		v = strtoul(arg, &end, 0);
		if (!*arg || *end || errno || v > 0x7fffffffUL)
			tool_usage_error("%s: not a personality", opt);
	}
	s = add_step(opt, "personality", PRISTINE_SET_INT);
	s->aux = (int)v;
	s->what = xasprintf("0x%lx", v);
}

/* ---------------------------------------------------------------------
 * Landlock, as setpriv 2.40: --landlock-access fs[:RIGHT,...] names what
 * the ruleset handles, --landlock-rule path-beneath:RIGHT,...:PATH what
 * it allows. The ruleset is made when the first rule or the command
 * needs it, and given as one "landlock" step at the first option.
 */
static const char *const rights[] = {
	"execute", "write-file", "read-file", "read-dir", "remove-dir",
	"remove-file", "make-char", "make-dir", "make-reg", "make-sock",
	"make-fifo", "make-block", "make-sym", "refer", "truncate",
	"ioctl-dev",
};
#define NRIGHTS (sizeof(rights) / sizeof(rights[0]))

static struct {
	uint64_t handled;
	struct step *step;	/* its aux becomes the ruleset */
	struct { uint64_t allowed; const char *path; char *opt; } *rules;
	size_t nrules;
} ll;

static int landlock_abi(void)
{
	return (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
			    LANDLOCK_CREATE_RULESET_VERSION);
}

/* The rights this kernel's Landlock knows (ABI 1: 13, 2: refer, 3:
 * truncate, 5: ioctl-dev). */
static uint64_t known_rights(void)
{
	int abi = landlock_abi();

	if (abi < 1)
		return 0;
	return (1ull << (abi >= 5 ? 16 : abi >= 3 ? 15 : abi >= 2 ? 14 : 13)) - 1;
}

static uint64_t parse_rights(const char *opt, const char *list, size_t n)
{
	char *copy = strndup(list, n), *w, *save = NULL;
	uint64_t set = 0;
	size_t i;

	if (!copy)
		oom();
	for (w = strtok_r(copy, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < NRIGHTS; i++)
			if (!strcmp(w, rights[i]))
				break;
		if (i == NRIGHTS)
			tool_usage_error("%s: unknown access right '%s'", opt, w);
		set |= 1ull << i;
	}
	free(copy);
	return set;
}

static void landlock_step(char *opt)
{
	if (ll.step)
		return;
	if (landlock_abi() < 1)
		tool_usage_error("%s: this kernel has no Landlock (%s)", opt,
				 strerror(errno));
	ll.step = add_step(opt, "landlock", PRISTINE_SET_FD);
}

void opt_landlock_access(char *opt, const char *arg)
{
	landlock_step(opt);
	if (!strcmp(arg, "fs"))
		ll.handled |= known_rights();
	else if (!strncmp(arg, "fs:", 3))
		ll.handled |= parse_rights(opt, arg + 3, strlen(arg + 3));
	else
		tool_usage_error("%s: expected fs or fs:RIGHT[,RIGHT]...", opt);
}

void opt_landlock_rule(char *opt, const char *arg)
{
	const char *colon;

	landlock_step(opt);
	if (strncmp(arg, "path-beneath:", 13) ||
	    !(colon = strchr(arg + 13, ':')))
		tool_usage_error("%s: expected path-beneath:RIGHT[,RIGHT]...:"
				 "PATH", opt);
	if (!(ll.rules = realloc(ll.rules, (ll.nrules + 1) * sizeof(*ll.rules))))
		oom();
	ll.rules[ll.nrules].allowed =
		parse_rights(opt, arg + 13, (size_t)(colon - arg - 13));
	ll.rules[ll.nrules].path = colon + 1;
	ll.rules[ll.nrules++].opt = xasprintf("%s", opt);
}

/* Builds the ruleset, after every option: the rules need the handled
 * rights. */
struct step *landlock_finish(void)
{
	struct landlock_ruleset_attr attr = { .handled_access_fs = ll.handled };
	size_t i;
	int fd;

	if (!ll.step)
		return NULL;
	if (!ll.handled)
		tool_usage_error("%s: a Landlock rule needs --landlock-access",
				 ll.step->opt);
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0) {
		tool_error("%s: cannot create a Landlock ruleset: %s",
			   ll.step->opt, strerror(errno));
		exit(TOOL_EXIT_FAILURE);
	}
	for (i = 0; i < ll.nrules; i++) {
		struct landlock_path_beneath_attr pb = {
			.allowed_access = ll.rules[i].allowed & ll.handled,
		};

		pb.parent_fd = open(ll.rules[i].path, O_PATH | O_CLOEXEC);
		if (pb.parent_fd < 0 ||
		    syscall(SYS_landlock_add_rule, fd, LANDLOCK_RULE_PATH_BENEATH,
			    &pb, 0) < 0) {
			tool_error("%s: %s", ll.rules[i].opt, strerror(errno));
			exit(TOOL_EXIT_FAILURE);
		}
		close(pb.parent_fd);
	}
	ll.step->aux = fd;
	ll.step->what = xasprintf("%zu rule%s", ll.nrules,
				  ll.nrules == 1 ? "" : "s");
	return ll.step;
}
