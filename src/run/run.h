/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * pristine-run's parts: the list of pristine_config() calls it prepares
 * (steps.c), what an exec would pass on (inherit.c), and the options and
 * environment that add to it (options.c).
 */
#ifndef PRISTINE_RUN_H
#define PRISTINE_RUN_H

#include <signal.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

/* One pristine_config() call, prepared before the empty process exists. */
struct step {
	char *opt;		/* the option as given, for messages */
	char key[32];
	unsigned int cmd;
	const char *string;	/* PRISTINE_SET_STRING, PRISTINE_SET_PATH */
	int aux;
	const void *binary;	/* PRISTINE_SET_BINARY: bytes, aux of them */
	union {			/* PRISTINE_SET_BINARY without bytes */
		sigset_t set;
		struct rlimit rl;
	} data;
	char *what;		/* for -v */
};

extern struct step **steps;
extern size_t nsteps;
extern int verbose;

void oom(void) __attribute__((noreturn));
void *xcalloc(size_t n, size_t size);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
struct step *add_step(char *opt, const char *key, unsigned int cmd);
/* A step made now but applied as the at'th. */
struct step *insert_step(size_t at, char *opt, const char *key,
			 unsigned int cmd);
size_t step_index(const struct step *s);
/* A decimal int >= 0 filling the whole string, or -1. */
int nonneg(const char *s);
/* "INT,TERM", or "(none)" (malloc'd). */
char *describe_set(const sigset_t *set);
/* Makes the call on handle h (and says so with -v). 0 or exit status. */
int apply(int h, struct step *s);
/* Says why step s failed with err: the option typed, the reason (or
 * detail, the library's words after the step's key). */
void step_failed(const struct step *s, int err, const char *detail);
/* The last step of this key, or NULL. */
struct step *find_step(const char *key);

/* Records pristine-run's descriptors without close-on-exec; first thing. */
void snapshot_fds(void);
/* Adds the steps that give the command what an exec would pass on. */
void inherit(void);
/* The descriptor of pristine-run the command's fd target will copy, as
 * the steps so far leave it, or -1 if it would be closed. */
int source_of(int target);
void set_source(int target, int source);
void forget_sources_from(int lo);

void opt_fd(char *opt, const char *arg);
void opt_umask(char *opt, const char *arg);
void opt_rlimit(char *opt, const char *arg);
void opt_signals(char *opt, const char *key, const char *arg);
void opt_int(char *opt, const char *key, const char *arg);
void opt_flag(char *opt, const char *key, const char *why);
void opt_string(char *opt, const char *key, const char *arg);

/* setpriv(1)'s options (creds.c). */
unsigned int user_or_group(const char *opt, const char *arg, int group);
void opt_id(char *opt, const char *key, const char *arg);
void opt_groups(char *opt, const char *arg);
void opt_clear_groups(char *opt);
void opt_init_groups(char *opt);
void opt_caps(char *opt, const char *key, const char *arg);
void opt_securebits(char *opt, const char *arg);

/* unshare(1)'s and nsenter(1)'s (namespaces.c): collected, then made
 * steps by ns_flush(), in unshare's order, where the first one stood. */
void opt_unshare(char *opt, const char *type);
void opt_map(char *opt, const char *what, const char *arg);
void opt_ns_string(char *opt, const char *what, const char *arg);
void opt_nsenter(char *opt, const char *arg);
void opt_setns(char *opt, const char *arg);
void ns_flush(void);
/* --root's directory, or NULL. */
const char *new_root(void);
/* --pid: the command is PID 1 of a new PID namespace. */
extern int new_pid_namespace;
/* With --user --pid and no CAP_SYS_ADMIN: makes the user namespace in
 * pristine-run's own process, before the empty process. */
void ns_enter_user(void);

/* Scheduling, resources, Landlock (resources.c). */
void opt_nice(char *opt, const char *arg);
void opt_reset_on_fork(void);
void opt_sched(char *opt, const char *arg);
void opt_cpus(char *opt, const char *arg);
void opt_ioprio(char *opt, const char *arg);
void opt_number(char *opt, const char *key, const char *arg, long lo,
		long hi);
void opt_personality(char *opt, const char *arg);
void opt_landlock_access(char *opt, const char *arg);
void opt_landlock_rule(char *opt, const char *arg);
/* The ruleset, once every option is known; its step, or NULL. */
struct step *landlock_finish(void);

/* The command's environment, built as env(1) builds it. */
extern char **env;
extern size_t nenv;
void env_copy(void);
/* --env-file: NAME=VALUE lines; exits with a message on a bad one. */
void env_file(const char *file);

/* -S: the words of a string split as env -S splits it (split.c). */
char **split_string(const char *s, size_t *count);

/* Running and waiting (wait.c). */
#define TOOL_EXIT_TIMED_OUT 124	/* timeout(1)'s */
struct wait_plan {
	double timeout;		/* seconds until SIGTERM; 0: none */
	double kill_after;	/* seconds more until SIGKILL; 0: none */
	int own_group;		/* the command leads its own process group */
};
/* A duration as timeout(1) takes it: seconds, or with s, m, h, d. */
double parse_duration(const char *opt, const char *arg);
/* Blocks the signals passed on (their old mask in *saved) until
 * forward_start() knows the command's pidfd. */
void forward_hold(sigset_t *saved);
void forward_start(int pidfd, int in_our_group, const sigset_t *saved);
/* Waits for the command and ends as it did (or as timeout(1) does). */
int wait_command(int pidfd, pid_t pid, const struct wait_plan *w);
void env_unset(const char *name);
void env_set(char *assignment);
const char *env_get(const char *name);

#endif
