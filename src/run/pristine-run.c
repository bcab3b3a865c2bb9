/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * pristine-run: run a command in a freshly configured empty process.
 *
 * What a plain exec would pass on is configured first (the descriptors
 * without close-on-exec at their numbers, the signal mask, the ignored
 * signals; cwd, umask and limits the empty process has already). Then
 * every option becomes one pristine_config() key, in the order given, and
 * the command runs. pristine-run waits for it and exits as env(1) does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pristine.h"
#include "run.h"
#include "seccomp-deny.h"
#include "tool.h"

const char *tool_name = "pristine-run";

static void help(void)
{
	printf("Usage: %s [OPTION]... [--] [NAME=VALUE]... COMMAND [ARG]...\n"
"Run COMMAND in a freshly configured pristine (empty) process and exit\n"
"with its status. Options are applied in the order given, after what an\n"
"exec would pass on: descriptors without close-on-exec, the signal mask\n"
"and the ignored signals.\n"
"\n"
"  -C, --chdir DIR           run in DIR\n"
"  -i, --ignore-environment  start with an empty environment\n"
"  -u, --unset NAME          remove NAME from the environment\n"
"      --fd N=PATH[:MODE]    open PATH as fd N; MODE is r, w (truncate),\n"
"                            rw or a (append); default r for fd 0, else w\n"
"      --fd N=M              fd N is a copy of fd M as configured so\n"
"                            far (like the shell's N>&M)\n"
"      --close-from N        close every fd >= N\n"
"      --umask MODE          set the umask (octal)\n"
"      --rlimit NAME=SOFT[:HARD]\n"
"                            set a resource limit (NOFILE, CORE, ...);\n"
"                            one value sets both, 'unlimited' is allowed\n"
"      --setsid              start a new session\n"
"      --pgroup N            join process group N (0: a new one)\n"
"      --sigmask LIST        start with exactly these signals blocked\n"
"      --sigdefault LIST     reset these signals to their default action\n"
"      --sigignore LIST      ignore these signals\n"
"      --pdeathsig SIG       signal the command when this process dies\n"
"      --no-new-privs        set no_new_privs\n"
"      --seccomp-deny SYSCALL[,SYSCALL]...\n"
"                            make these system calls fail (implies\n"
"                            --no-new-privs without CAP_SYS_ADMIN)\n"
"      --seccomp-errno ERRNO the error they fail with (default EPERM)\n"
"      --name NAME           the command's name (comm) in /proc\n"
"      --mode default|loader|kernel\n"
"                            map the image in userspace only where no one\n"
"                            can tell (default), wherever possible\n"
"                            (loader), or let the kernel execute it\n"
"  -v, --verbose             describe each step on stderr\n"
"      --help                show this help and exit\n"
"      --version             show the version and exit\n"
"\n"
"LIST is a comma-separated list of signal names or numbers.\n"
"Exit status: the command's, 128+N if killed by signal N, 125 if\n"
"%s itself fails, 126 if COMMAND cannot be executed, 127 if it\n"
"is not found.\n", tool_name, tool_name);
}

enum {
	OPT_FD = 256, OPT_CLOSE_FROM, OPT_UMASK, OPT_RLIMIT, OPT_SETSID,
	OPT_PGROUP, OPT_SIGMASK, OPT_SIGDEFAULT, OPT_SIGIGNORE, OPT_PDEATHSIG,
	OPT_NO_NEW_PRIVS, OPT_SECCOMP_DENY, OPT_SECCOMP_ERRNO, OPT_NAME,
	OPT_MODE, OPT_HELP, OPT_VERSION,
};

static const struct option options[] = {
	{ "chdir", required_argument, NULL, 'C' },
	{ "ignore-environment", no_argument, NULL, 'i' },
	{ "unset", required_argument, NULL, 'u' },
	{ "fd", required_argument, NULL, OPT_FD },
	{ "close-from", required_argument, NULL, OPT_CLOSE_FROM },
	{ "umask", required_argument, NULL, OPT_UMASK },
	{ "rlimit", required_argument, NULL, OPT_RLIMIT },
	{ "setsid", no_argument, NULL, OPT_SETSID },
	{ "pgroup", required_argument, NULL, OPT_PGROUP },
	{ "sigmask", required_argument, NULL, OPT_SIGMASK },
	{ "sigdefault", required_argument, NULL, OPT_SIGDEFAULT },
	{ "sigignore", required_argument, NULL, OPT_SIGIGNORE },
	{ "pdeathsig", required_argument, NULL, OPT_PDEATHSIG },
	{ "no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS },
	{ "seccomp-deny", required_argument, NULL, OPT_SECCOMP_DENY },
	{ "seccomp-errno", required_argument, NULL, OPT_SECCOMP_ERRNO },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* The signals pristine-run passes on to the command while it waits. */
static const int forwarded[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM,
};
static int child_pidfd = -1;
static int child_in_our_group = 1;

static void forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	/* The terminal signals the whole foreground group: a command in
	 * our group has its own copy already. */
	if (si->si_code == SI_KERNEL && child_in_our_group)
		return;
	pidfd_send_signal(child_pidfd, sig, NULL, 0);
}

static int has_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	return syscall(SYS_capget, &hdr, data) == 0 &&
	       (data[0].effective & (1u << CAP_SYS_ADMIN));
}

/*
 * Finds the command and configures "exec". As with env -C, a relative
 * command (and a relative PATH entry) names a file in the new directory.
 */
static int config_command(int h, const char *word, const char *dir,
			  char **path)
{
	int here = -1, status;

	if (dir && ((here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
		    chdir(dir) < 0)) {
		tool_error("--chdir %s: %s", dir, strerror(errno));
		return TOOL_EXIT_FAILURE;
	}
	status = tool_find_command(word, env_get("PATH"), path);
	if (!status) {
		if (verbose)
			fprintf(stderr, "%s: %-14s %s\n", tool_name, "exec",
				*path);
		status = tool_config_exec(h, *path);
	}
	if (here >= 0) {
		if (fchdir(here) < 0 && !status) {
			tool_error("cannot return to the working directory: %s",
				   strerror(errno));
			status = TOOL_EXIT_FAILURE;
		}
		close(here);
	}
	return status;
}

static int config_strings(int h, const char *key, char *const *v, size_t n)
{
	size_t i;

	if (verbose) {
		fprintf(stderr, "%s: %-14s", tool_name, key);
		if (!strcmp(key, "env"))
			fprintf(stderr, " %zu strings", n);
		else
			for (i = 0; i < n; i++)
				fprintf(stderr, " %s", v[i]);
		fputc('\n', stderr);
	}
	for (i = 0; i < n; i++)
		if (pristine_config(h, PRISTINE_SET_STRING, key, v[i], 0) < 0) {
			tool_error("%s: %s", key, strerror(errno));
			return TOOL_EXIT_FAILURE;
		}
	return 0;
}

/* Runs the configured process, passes signals on, and waits for it. */
static int run_and_wait(int h, const char *path)
{
	struct sigaction sa = { .sa_sigaction = forward,
				.sa_flags = SA_SIGINFO | SA_RESTART };
	sigset_t block, saved;
	siginfo_t si;
	size_t i;
	pid_t pid;
	int status;

	/* Held until the handlers know the pidfd; the command's own mask
	 * was configured from the one pristine-run started with. */
	sigemptyset(&block);
	for (i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&block, forwarded[i]);
	sigprocmask(SIG_BLOCK, &block, &saved);
	if ((child_pidfd = pristine_run(h, &pid)) < 0)
		return tool_run_failed(path, errno);
	sigfillset(&sa.sa_mask);
	for (i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaction(forwarded[i], &sa, NULL);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	if (verbose)
		fprintf(stderr, "%s: %-14s pid %d, route %s\n", tool_name,
			"run", (int)pid,
			pristine_route_name(pristine_last_route()));
	while (waitid(P_PIDFD, (id_t)child_pidfd, &si, WEXITED) < 0)
		if (errno != EINTR) {
			tool_error("waiting for pid %d: %s", (int)pid,
				   strerror(errno));
			return TOOL_EXIT_FAILURE;
		}
	status = tool_exit_status(&si);
	if (verbose && si.si_code == CLD_EXITED)
		fprintf(stderr, "%s: %-14s pid %d exited with status %d\n",
			tool_name, "exit", (int)pid, status);
	else if (verbose)
		fprintf(stderr, "%s: %-14s pid %d was killed by SIG%s "
			"(status %d)\n", tool_name, "exit", (int)pid,
			tool_signal_name(si.si_status), status);
	return status;
}

/* The option as a user would write it, for messages: "--fd 3=x". */
static char *option_text(int c, const char *arg)
{
	const struct option *o;

	for (o = options; o->name; o++)
		if (o->val == c)
			break;
	return arg ? xasprintf("--%s %s", o->name, arg)
		   : xasprintf("--%s", o->name);
}

/* The system calls --seccomp-deny names (pointing into copies of the
 * arguments), and the file the command word resolved to: they live until
 * pristine-run exits. */
static char **deny;
static size_t ndeny;
static char *command_path;

static void opt_seccomp_deny(const char *arg)
{
	char *copy = strdup(arg), *w, *save = NULL;
	size_t before = ndeny;

	if (!copy)
		oom();
	for (w = strtok_r(copy, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		char **v = realloc(deny, (ndeny + 1) * sizeof(*v));

		if (!v)
			oom();
		deny = v;
		deny[ndeny++] = w;
	}
	if (ndeny == before) {
		free(copy);
		tool_usage_error("--seccomp-deny: no system call named");
	}
}

/* --seccomp-deny: the filter, and no_new_privs where the kernel wants
 * it (as systemd's SystemCallFilter= does for unprivileged units). */
static int add_seccomp(int err, int nnp)
{
	struct step *s;
	void *bpf;
	size_t len;
	int status;

	if ((status = seccomp_deny_filter(deny, ndeny, err, &bpf, &len)))
		return status;
	if (!nnp && prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1 &&
	    !has_cap_sys_admin())
		opt_flag(NULL, "no-new-privs", "implied by --seccomp-deny");
	s = add_step(NULL, "seccomp", PRISTINE_SET_BINARY);
	s->binary = bpf;
	s->aux = (int)len;
	s->what = xasprintf("%zu system call%s fail with %s", ndeny,
			    ndeny == 1 ? "" : "s", strerrorname_np(err));
	return 0;
}

int main(int argc, char **argv)
{
	char *dir = NULL, *opt;
	int c, h, err = EPERM, err_given = 0, nnp = 0, status;
	size_t i;

	snapshot_fds();
	env_copy();
	inherit();
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:C:iu:v", options, NULL)) != -1) {
		size_t before = nsteps;

		opt = c == ':' || c == '?' ? NULL : option_text(c, optarg);
		switch (c) {
		case 'C':
			opt_string(opt, "cwd", optarg);
			steps[nsteps - 1]->cmd = PRISTINE_SET_PATH;
			dir = optarg;
			break;
		case 'i':
			nenv = 0;
			break;
		case 'u':
			if (!*optarg || strchr(optarg, '='))
				tool_usage_error("cannot unset '%s': not a "
						 "variable name", optarg);
			env_unset(optarg);
			break;
		case OPT_FD:
			opt_fd(opt, optarg);
			break;
		case OPT_CLOSE_FROM:
			opt_int(opt, "close-from", optarg);
			forget_sources_from(steps[nsteps - 1]->aux);
			break;
		case OPT_UMASK:
			opt_umask(opt, optarg);
			break;
		case OPT_RLIMIT:
			opt_rlimit(opt, optarg);
			break;
		case OPT_SETSID:
			child_in_our_group = 0;
			opt_flag(opt, "setsid", "a new session");
			break;
		case OPT_PGROUP:
			child_in_our_group = 0;
			opt_int(opt, "pgroup", optarg);
			break;
		case OPT_SIGMASK:
			opt_signals(opt, "sigmask", optarg);
			break;
		case OPT_SIGDEFAULT:
			opt_signals(opt, "sigdefault", optarg);
			break;
		case OPT_SIGIGNORE:
			opt_signals(opt, "sigignore", optarg);
			break;
		case OPT_PDEATHSIG: {
			int sig = tool_signal_number(optarg);
			struct step *s;

			if (sig < 0)
				tool_usage_error("--pdeathsig: unknown signal "
						 "'%s'", optarg);
			s = add_step(opt, "pdeathsig", PRISTINE_SET_INT);
			s->aux = sig;
			s->what = xasprintf("SIG%s", tool_signal_name(sig));
			break;
		}
		case OPT_NO_NEW_PRIVS:
			nnp = 1;
			opt_flag(opt, "no-new-privs", "set");
			break;
		case OPT_SECCOMP_DENY:
			opt_seccomp_deny(optarg);
			break;
		case OPT_SECCOMP_ERRNO:
			if ((err = tool_errno_number(optarg)) < 0)
				tool_usage_error("--seccomp-errno: unknown "
						 "errno '%s'", optarg);
			err_given = 1;
			break;
		case OPT_NAME:
			opt_string(opt, "name", optarg);
			break;
		case OPT_MODE:
			if (strcmp(optarg, "default") &&
			    strcmp(optarg, "loader") &&
			    strcmp(optarg, "kernel"))
				tool_usage_error("--mode '%s': expected default, "
						 "loader or kernel", optarg);
			opt_string(opt, "mode", optarg);
			break;
		case 'v':
			verbose = 1;
			break;
		case OPT_HELP:
			free(opt);
			help();
			return 0;
		case OPT_VERSION:
			free(opt);
			tool_print_version();
			return 0;
		default:
			tool_option_error(c, argv);
		}
		if (nsteps == before)
			free(opt);	/* no key of its own */
	}
	/* NAME=VALUE words before the command, as env(1) takes them. */
	for (; optind < argc && argv[optind][0] != '=' &&
	       strchr(argv[optind], '='); optind++)
		env_set(argv[optind]);
	if (optind >= argc)
		tool_usage_error("no command given");
	if (err_given && !ndeny)
		tool_usage_error("--seccomp-errno needs --seccomp-deny");
	if (ndeny && (status = add_seccomp(err, nnp)))
		return status;

	if ((h = pristine_open(PRISTINE_CLOEXEC)) < 0) {
		tool_error("cannot create an empty process: %s",
			   *pristine_errmsg() ? pristine_errmsg()
					      : strerror(errno));
		return TOOL_EXIT_FAILURE;
	}
	for (i = 0; i < nsteps; i++)
		if ((status = apply(h, steps[i])))
			return status;
	if ((status = config_strings(h, "argv", argv + optind,
				     (size_t)(argc - optind))) ||
	    (status = config_strings(h, "env", env, nenv)) ||
	    (status = config_command(h, argv[optind], dir, &command_path)))
		return status;
	return run_and_wait(h, command_path);
}
