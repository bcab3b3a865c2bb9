/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * pristine-run after the command started: signals passed on, --timeout
 * and --kill-after as timeout(1) has them, and ending the way the command
 * ended, so that a shell cannot tell pristine-run from its command: the
 * same exit status, or death by the same signal (Ctrl-C stops a shell
 * loop, the shell reports "Segmentation fault").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "pristine.h"
#include "run.h"
#include "tool.h"

/* The signals pristine-run passes on to the command while it waits. */
static const int forwarded[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM,
};
#define NFORWARDED (sizeof(forwarded) / sizeof(forwarded[0]))
static int child_pidfd = -1;
static int child_in_our_group;

static void forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	/* The terminal signals the whole foreground group: a command in
	 * our group has its own copy already. */
	if (si->si_code == SI_KERNEL && child_in_our_group)
		return;
	pidfd_send_signal(child_pidfd, sig, NULL, 0);
}

void forward_hold(sigset_t *saved)
{
	sigset_t block;
	size_t i;

	/* Held until the handlers know the pidfd; the command's own mask
	 * was configured from the one pristine-run started with. */
	sigemptyset(&block);
	for (i = 0; i < NFORWARDED; i++)
		sigaddset(&block, forwarded[i]);
	sigprocmask(SIG_BLOCK, &block, saved);
}

void forward_start(int pidfd, int in_our_group, const sigset_t *saved)
{
	struct sigaction sa = { .sa_sigaction = forward,
				.sa_flags = SA_SIGINFO | SA_RESTART };
	size_t i;

	child_pidfd = pidfd;
	child_in_our_group = in_our_group;
	sigfillset(&sa.sa_mask);
	for (i = 0; i < NFORWARDED; i++)
		sigaction(forwarded[i], &sa, NULL);
	sigprocmask(SIG_SETMASK, saved, NULL);
}

double parse_duration(const char *opt, const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || errno || !isfinite(v) || v < 0 || *arg == '-' ||
	    *arg == '+' || (*end && end[1]))
		goto bad;
	switch (*end) {
	case 'd': v *= 24;	/* fall through */
	case 'h': v *= 60;	/* fall through */
	case 'm': v *= 60;	/* fall through */
	case 's': case 0: break;
	default: goto bad;
	}
	if (v > 1e9)
		goto bad;
	return v;
bad:
	tool_usage_error("%s '%s': not a duration (a number of seconds, or "
			 "with a suffix s, m, h or d)", opt, arg);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits until the command ends or the deadline (0: none) passes.
 * Returns 1 if it ended, 0 at the deadline. */
static int wait_until(int pidfd, double deadline)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	for (;;) {
		double left = deadline ? deadline - now() : -1;
		int r;

		if (deadline && left <= 0)
			return 0;
		r = poll(&p, 1, deadline ? (int)ceil(left * 1000) : -1);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR) {
			tool_error("waiting for the command: %s",
				   strerror(errno));
			exit(TOOL_EXIT_FAILURE);
		}
	}
}

/* To the command, and to the group it leads if it has one of its own,
 * where its children are (as timeout(1) signals its group). */
static void signal_command(const struct wait_plan *w, pid_t pid, int sig)
{
	pidfd_send_signal(child_pidfd, sig, NULL, 0);
	if (w->own_group)
		kill(-pid, sig);
}

/*
 * Ends pristine-run as the command ended. For a signal, as timeout(1)
 * does: the default action, unblocked, raised; and no core dump of
 * pristine-run's own, which would overwrite the command's core file (or
 * add a second one, of the wrong program): the shell then reports the
 * signal without "(core dumped)", and pristine-run says it instead.
 */
static void __attribute__((noreturn)) end_like(const siginfo_t *si)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t set;
	int sig = si->si_status;

	if (si->si_code == CLD_EXITED)
		exit(si->si_status);
	if (si->si_code == CLD_DUMPED)
		tool_error("the command dumped core (signal %s)",
			   tool_signal_name(sig));
	fflush(NULL);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	getrlimit(RLIMIT_CORE, &no_core);
	no_core.rlim_cur = 0;
	setrlimit(RLIMIT_CORE, &no_core);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	/* A signal whose default is not to end a process cannot have
	 * ended the command; this is for the impossible. */
	exit(128 + sig);
}

int wait_command(int pidfd, pid_t pid, const struct wait_plan *w)
{
	double deadline = w->timeout ? now() + w->timeout : 0;
	int timed_out = 0, killed = 0;
	siginfo_t si;

	if (deadline && !wait_until(pidfd, deadline)) {
		timed_out = 1;
		if (verbose)
			fprintf(stderr, "%s: %-14s pid %d: SIGTERM after %gs\n",
				tool_name, "timeout", (int)pid, w->timeout);
		signal_command(w, pid, SIGTERM);
		signal_command(w, pid, SIGCONT);	/* if it was stopped */
		if (w->kill_after &&
		    !wait_until(pidfd, now() + w->kill_after)) {
			if (verbose)
				fprintf(stderr, "%s: %-14s pid %d: SIGKILL "
					"after %gs more\n", tool_name,
					"timeout", (int)pid, w->kill_after);
			signal_command(w, pid, SIGKILL);
			killed = 1;
		}
	}
	memset(&si, 0, sizeof(si));
	while (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0)
		if (errno != EINTR) {
			tool_error("waiting for pid %d: %s", (int)pid,
				   strerror(errno));
			return TOOL_EXIT_FAILURE;
		}
	if (verbose && si.si_code == CLD_EXITED)
		fprintf(stderr, "%s: %-14s pid %d exited with status %d\n",
			tool_name, "exit", (int)pid, si.si_status);
	else if (verbose)
		fprintf(stderr, "%s: %-14s pid %d was killed by SIG%s%s\n",
			tool_name, "exit", (int)pid,
			tool_signal_name(si.si_status),
			si.si_code == CLD_DUMPED ? " (core dumped)" : "");
	/* timeout(1)'s statuses: 124 once the time is up, and death by
	 * SIGKILL (137 to the shell) when it had to be sent. */
	if (killed) {
		fflush(NULL);
		raise(SIGKILL);
	}
	if (timed_out)
		exit(TOOL_EXIT_TIMED_OUT);
	end_like(&si);
}
