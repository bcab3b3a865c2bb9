/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * pristine-demo: how a process comes to be, shown on an empty process.
 *
 * The kernel proposal behind pristine creates an empty process with
 * pidfd_open() and configures it with pidfd_config() calls, modelled on
 * fsconfig(), before it runs. The demo walks through exactly that with
 * pristine_open(), pristine_config() and pristine_run(), on safeexec's
 * scenario, timing each step; -v also shows what the empty process holds
 * before it is configured and what the child saw, both read from /proc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
#include "demo.h"
#include "pristine.h"
#include "tool.h"

const char *tool_name = "pristine-demo";

static const char *const cmd_names[] = {
	[PRISTINE_SET_FLAG] = "SET_FLAG",
	[PRISTINE_SET_STRING] = "SET_STRING",
	[PRISTINE_SET_BINARY] = "SET_BINARY",
	[PRISTINE_SET_PATH] = "SET_PATH",
	[PRISTINE_SET_FD] = "SET_FD",
	[PRISTINE_SET_INT] = "SET_INT",
};

static void help(void)
{
	printf("Usage: %s [-v] [--compare [-n N] | --sandbox] [-- COMMAND [ARG]...]\n"
"Create an empty process, configure it step by step (stdin from /dev/null,\n"
"stdout to /dev/null, stderr a copy of stdout, cwd /, only fds 0-2, the\n"
"caller's environment), run /bin/true in it, wait, and report.\n"
"\n"
"  -v, --verbose   narrate each step with its time, show what the empty\n"
"                  process holds and what the child saw\n"
"      --compare   time fork+exec, posix_spawn and pristine on the same\n"
"                  scenario and print the medians\n"
"  -n N            runs of each method for --compare (default 100)\n"
"      --sandbox   another scenario: build a sandboxed process step by step\n"
"                  (new user, mount, network and IPC namespaces, no\n"
"                  capability, no_new_privs, Landlock, seccomp) and run a\n"
"                  shell in it that reports what it may do\n"
"      --help      show this help and exit\n"
"      --version   show the version and exit\n"
"\n"
"Arguments after -- replace /bin/true. Exit status: the command's,\n"
"128+N if killed by signal N, 125 if the demo fails, 126 if COMMAND\n"
"cannot be executed, 127 if it is not found.\n", tool_name);
}

/* One line of the narration: time, phase, call, and what it did. */
static void say(uint64_t ns, const char *phase, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(uint64_t ns, const char *phase, const char *fmt, ...)
{
	va_list ap;

	printf("  %7.0f  %-10s ", ns / 1e3, phase);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void explain(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static void explain(const char *fmt, ...)
{
	va_list ap;

	printf("%22s", "");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int api_failed(const char *call)
{
	tool_error("%s: %s", call,
		   *pristine_errmsg() ? pristine_errmsg() : strerror(errno));
	return TOOL_EXIT_FAILURE;
}

/* argv[from..to) as a shell would quote it, for one line of narration. */
static void print_words(const struct demo *d, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++) {
		const char *w = d->steps[i].value;

		if (i > from)
			putchar(' ');
		if (*w && !w[strcspn(w, " \t\n'\"\\$`")])
			printf("%s", w);
		else
			printf("'%s'", w);
	}
}

/*
 * The configuration, one pristine_config() at a time; consecutive calls
 * with the key "argv" or "env" share a line. *total gets the time spent.
 */
static int configure(const struct demo *d, int h, int verbose,
		     uint64_t *total)
{
	size_t i = 0, j;
	uint64_t t0, dt;

	*total = 0;
	while (i < d->nsteps) {
		const struct demo_step *s = &d->steps[i];
		int list = !strcmp(s->key, "argv") || !strcmp(s->key, "env");

		for (j = i + 1; list && j < d->nsteps &&
		     !strcmp(d->steps[j].key, s->key); j++)
			;
		t0 = demo_now();
		if (demo_configure(d, h, i, j) < 0)
			return api_failed("pristine_config");
		dt = demo_now() - t0;
		*total += dt;
		if (!verbose) {
			i = j;
			continue;
		}
		printf("  %7.0f  %-10s pristine_config(h, %s, \"%s\")",
		       dt / 1e3, "configure", cmd_names[s->cmd], s->key);
		if (j - i > 1)
			printf(" x %zu", j - i);
		printf(": ");
		if (!strcmp(s->key, "argv"))
			print_words(d, i, j);
		else
			printf("%s", s->shown);
		putchar('\n');
		i = j;
	}
	return 0;
}

/* With -v: the empty process as /proc shows it, and a tracer that stops
 * the child at its exit, when its descriptors are still there to see. */
static pid_t look_at_empty_process(void)
{
	struct demo_view v;
	pid_t pid = demo_find_child("pristine-loader");

	if (pid < 0 || demo_observe(pid, &v) < 0) {
		explain("(this system does not show the empty process in /proc)");
		return -1;
	}
	explain("empty process: pid %d, child of %d (this demo)", (int)pid,
		(int)v.ppid);
	explain("all it holds is its end of the control socket:");
	demo_print_view(&v, 24);
	if (ptrace(PTRACE_SEIZE, pid, NULL, (void *)PTRACE_O_TRACEEXIT) < 0) {
		explain("(the child cannot be traced to see it at its exit: %s)",
			strerror(errno));
		return -1;
	}
	return pid;
}

/* Waits for pid; a traced child is observed at its exit stop. */
static int wait_child(pid_t pid, int traced, struct demo_view *seen,
		      int *observed, uint64_t *exit_ns)
{
	int st;

	*observed = 0;
	for (;;) {
		if (waitpid(pid, &st, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (!WIFSTOPPED(st))
			break;
		if (st >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
			*exit_ns = demo_now();
			*observed = traced && demo_observe(pid, seen) == 0;
			ptrace(PTRACE_CONT, pid, NULL, NULL);
		} else if (st >> 16 == PTRACE_EVENT_STOP) {
			ptrace(PTRACE_CONT, pid, NULL, NULL);
		} else {
			ptrace(PTRACE_CONT, pid, NULL,
			       (void *)(long)WSTOPSIG(st));
		}
	}
	if (!*observed)
		*exit_ns = demo_now();
	return st;
}

static int narrate(const struct demo *d, int verbose)
{
	uint64_t t0, t_create, t_config, t_run, t_exit, t_end;
	struct demo_view seen;
	pid_t pid, traced = -1;
	int h, pidfd, st, observed, status;

	if (verbose) {
		printf("%s: %s in an empty process, step by step\n\n",
		       tool_name, d->path);
		printf("       µs  phase      call\n");
	}
	t0 = demo_now();
	if ((h = pristine_open(0)) < 0)
		return api_failed("pristine_open");
	t_create = demo_now() - t0;
	if (verbose) {
		say(t_create, "create", "pristine_open(0) = %d, the handle h",
		    h);
		traced = look_at_empty_process();
	}
	if ((status = configure(d, h, verbose, &t_config)))
		return status;
	if (verbose)
		explain("(the library only gathers these; they travel at run)");

	fflush(stdout);	/* before the child's own lines */
	t0 = demo_now();
	if ((pidfd = pristine_run(h, &pid)) < 0) {
		status = tool_run_failed(d->path, errno);
		/* A traced empty process stops on its way out: let it go. */
		if (traced > 0 && ptrace(PTRACE_CONT, traced, NULL, NULL) == 0)
			waitpid(traced, NULL, __WALL);
		return status;
	}
	t_end = demo_now();
	t_run = t_end - t0;
	if (verbose)
		say(t_run, "run", "pristine_run(h, &pid) = pidfd %d: pid %d, "
		    "route %s", pidfd, (int)pid,
		    pristine_route_name(pristine_last_route()));

	if ((st = wait_child(pid, traced == pid, &seen, &observed,
			     &t_exit)) < 0) {
		tool_error("waiting for pid %d: %s", (int)pid, strerror(errno));
		return TOOL_EXIT_FAILURE;
	}
	close(pidfd);
	t_exit -= t_end;
	status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (verbose) {
		if (WIFEXITED(st))
			say(t_exit, "exit", "waitpid(%d): exited with status %d",
			    (int)pid, status);
		else
			say(t_exit, "exit", "waitpid(%d): killed by SIG%s",
			    (int)pid, tool_signal_name(WTERMSIG(st)));
		if (observed) {
			printf("\nwhat the child saw (pid %d, parent %d, seen "
			       "at its exit):\n", (int)pid, (int)seen.ppid);
			demo_print_view(&seen, 2);
		}
		printf("\ntotal %.0f µs: create %.0f, configure %.0f, "
		       "run %.0f, exit %.0f\n",
		       (t_create + t_config + t_run + t_exit) / 1e3,
		       t_create / 1e3, t_config / 1e3, t_run / 1e3,
		       t_exit / 1e3);
	} else {
		printf("%s: ran %s in an empty process: pid %d, route %s\n",
		       tool_name, d->path, (int)pid,
		       pristine_route_name(pristine_last_route()));
		if (WIFEXITED(st))
			printf("  exited with status %d", status);
		else
			printf("  killed by SIG%s",
			       tool_signal_name(WTERMSIG(st)));
		printf("; create %.0f µs, configure %.0f µs, run %.0f µs, "
		       "exit %.0f µs\n", t_create / 1e3, t_config / 1e3,
		       t_run / 1e3, t_exit / 1e3);
	}
	return status;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "compare", no_argument, NULL, 'c' },
		{ "sandbox", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static char *default_argv[] = { "true", NULL };
	int c, verbose = 0, compare = 0, sandbox = 0, status;
	unsigned long runs = 100;
	char **cmd = default_argv, *path, *end;
	static struct demo d;	/* until exit */

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:vn:", options, NULL)) != -1) {
		switch (c) {
		case 'v':
			verbose = 1;
			break;
		case 'c':
			compare = 1;
			break;
		case 's':
			sandbox = 1;
			break;
		case 'n':
			errno = 0;
			runs = strtoul(optarg, &end, 10);
			if (*optarg < '1' || *optarg > '9' || *end || errno ||
			    runs > 1000000)
				tool_usage_error("-n '%s': not a number of "
						 "runs in 1..1000000", optarg);
			break;
		case 'h':
			help();
			return 0;
		case 'V':
			tool_print_version();
			return 0;
		default:
			tool_option_error(c, argv);
		}
	}
	if (optind < argc) {
		/* Only "--" may come before the command. */
		if (strcmp(argv[optind - 1], "--"))
			tool_usage_error("unexpected argument '%s': the "
					 "command goes after --", argv[optind]);
		cmd = argv + optind;
	}
	if (sandbox && compare)
		tool_usage_error("--compare times the plain scenario, not "
				 "--sandbox");
	if (sandbox && cmd == default_argv)
		path = NULL;
	else if (cmd == default_argv)
		path = "/bin/true";
	else if ((status = tool_find_command(cmd[0], getenv("PATH"), &path)))
		return status;
	if (sandbox)
		status = demo_sandbox(&d, path, path ? cmd : NULL);
	else
		status = demo_init(&d, path, cmd);
	if (status)
		return status;
	if (sandbox && d.no_landlock)
		printf("%s: this kernel has no Landlock (%s): the sandbox goes "
		       "without it\n", tool_name, strerror(d.no_landlock));
	if (compare)
		return demo_compare(&d, (unsigned int)runs);
	return narrate(&d, verbose);
}
