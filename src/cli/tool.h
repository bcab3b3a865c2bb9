/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * What pristine-run and pristine-demo share: finding a command the way
 * execvp() does, turning failures and wait results into env(1)'s exit
 * statuses, and the names a user types for signals, errnos and limits.
 */
#ifndef PRISTINE_TOOL_H
#define PRISTINE_TOOL_H

#include <signal.h>
#include <stddef.h>
#include <sys/resource.h>

/* Exit statuses of env(1), nohup(1) and friends. */
#define TOOL_EXIT_FAILURE	125	/* the tool itself failed */
#define TOOL_EXIT_CANNOT_EXEC	126	/* found, but not executable */
#define TOOL_EXIT_NOT_FOUND	127	/* no such command */

/* The name messages start with ("pristine-run"). */
extern const char *tool_name;

/* Prints "tool_name: message" on stderr. */
void tool_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* The same, pointing at --help, and exits with TOOL_EXIT_FAILURE. */
void tool_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
/* After getopt_long() (with opterr = 0 and a leading ':' in its option
 * string) returned c, ':' or '?': names the option at fault, exits. */
void tool_option_error(int c, char *const *argv)
	__attribute__((noreturn));
/* Prints "tool_name (pristine) X.Y.Z" on stdout. */
void tool_print_version(void);

/*
 * Resolves a command word as execvp() does: a word with a slash is a
 * path; otherwise each directory of search (a PATH value; NULL means
 * "/bin:/usr/bin") is tried, with glibc's rules (loader/path-search.h).
 * On success *path is the file to run (malloc'd) and 0 is returned; on
 * failure, a message is printed and the exit status is returned (127 not
 * found, 126 found but not executable).
 */
int tool_find_command(const char *word, const char *search, char **path);

/*
 * Configures "exec" on an empty process for path (from
 * tool_find_command). Returns 0 or, after a message, the exit status.
 */
int tool_config_exec(int handle, const char *path);

/*
 * After pristine_run() failed with err: prints why and returns the exit
 * status. Failures of the image (the "exec" and "run" steps) are 127 or
 * 126, anything else is the tool's own failure to set the process up.
 */
int tool_run_failed(const char *path, int err);

/* After pristine_run() failed: the key of the step that failed, from
 * pristine_errmsg() ("step N (KEY): ..."), copied into key; -1 if none. */
int tool_failed_key(char *key, size_t size);
/* Whether that step was the image's ("exec" or "run"). */
int tool_failed_in_image(void);

/* The exit status a shell reports for a waited child: its exit status,
 * or 128 + the signal that killed it. */
int tool_exit_status(const siginfo_t *si);

/* A decimal number in lo..hi filling the whole string, or -1. */
long tool_number(const char *s, long lo, long hi);
/* A signal name ("INT", "SIGINT", "RTMIN+2", any case) or number, or -1. */
int tool_signal_number(const char *name);
/* Its name without "SIG", for messages. */
const char *tool_signal_name(int sig);
/* A comma-separated list of signals; the empty string is the empty set.
 * Returns 0, or -1 with *bad a malloc'd copy of the word that is not a
 * signal. */
int tool_signal_set(const char *list, sigset_t *set, char **bad);

/* An errno name ("EPERM", any case) or number in 1..4095, or -1. */
int tool_errno_number(const char *name);

/* A resource limit name ("NOFILE", "nofile", "RLIMIT_NOFILE"): its number
 * and canonical name, or -1. */
int tool_rlimit_number(const char *name, const char **canonical);

#endif
