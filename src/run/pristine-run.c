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
#include <sys/personality.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>
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
"\n"
"Credentials, as setpriv(1) (consecutive ones are one step, applied in\n"
"setpriv's order):\n"
"      --ruid, --euid, --reuid USER     real, effective, both user ids\n"
"      --rgid, --egid, --regid GROUP    real, effective, both group ids\n"
"      --groups GROUP[,GROUP]... supplementary groups\n"
"      --clear-groups, --keep-groups, --init-groups\n"
"      --inh-caps, --ambient-caps, --bounding-set [+-]CAP[,[+-]CAP]...\n"
"                            change a capability set ('all' for every one)\n"
"      --securebits [+-]BIT[,[+-]BIT]...\n"
"                            noroot, no_setuid_fixup, keep_caps_locked and\n"
"                            their _locked forms\n"
"      --landlock-access fs[:RIGHT,...]  what a Landlock ruleset handles\n"
"      --landlock-rule path-beneath:RIGHT[,RIGHT]...:PATH\n"
"                            what it allows (implies --no-new-privs without\n"
"                            CAP_SYS_ADMIN)\n"
"\n"
"Namespaces, as unshare(1) (given together, applied as one unshare at the\n"
"first of them) and nsenter(1):\n"
"      --mount, --uts, --ipc, --net, --user, --cgroup, --time\n"
"                            new namespaces of these types\n"
"      --pid                 a new PID namespace whose PID 1 is the command\n"
"      --map-root-user, --map-current-user, --map-user USER,\n"
"      --map-group GROUP     the user namespace's maps (imply --user)\n"
"      --setgroups allow|deny, --propagation private|slave|shared|unchanged\n"
"      --mount-proc[=DIR]    a new /proc (implies --mount)\n"
"      --monotonic SECONDS, --boottime SECONDS  time namespace offsets\n"
"  -R, --root DIR            change the root directory (chroot)\n"
"  -w, --wd DIR              the working directory, in the new root\n"
"      --setns FILE          join the namespace of FILE (/proc/PID/ns/TYPE)\n"
"      --nsenter PID         join every namespace of PID that differs\n"
"\n"
"Scheduling and resources:\n"
"      --nice ADJUSTMENT     add to the niceness, as nice(1)\n"
"      --sched POLICY[:PRIO] other, fifo, rr, batch, idle, or\n"
"                            deadline:RUNTIME:DEADLINE:PERIOD, as chrt(1)\n"
"      --reset-on-fork       with --sched: SCHED_RESET_ON_FORK\n"
"      --cpus LIST           CPU affinity, as taskset -c (0,2-3)\n"
"      --ioprio CLASS[:LEVEL] none, realtime, best-effort or idle, as ionice\n"
"      --oom-score-adj N     -1000..1000, as choom(1)\n"
"      --timer-slack NS      the timer slack in nanoseconds\n"
"      --mdwe                memory-deny-write-execute (PR_SET_MDWE)\n"
"      --thp-disable         no transparent huge pages\n"
"      --personality PERS    a personality, as setarch(8)\n"
"      --addr-no-randomize   setarch -R: no address-space randomization\n"
"\n"
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
	OPT_RUID, OPT_EUID, OPT_REUID, OPT_RGID, OPT_EGID, OPT_REGID,
	OPT_GROUPS, OPT_CLEAR_GROUPS, OPT_KEEP_GROUPS, OPT_INIT_GROUPS,
	OPT_INH_CAPS, OPT_AMBIENT_CAPS, OPT_BOUNDING_SET, OPT_SECUREBITS,
	OPT_LANDLOCK_ACCESS, OPT_LANDLOCK_RULE,
	OPT_NS_MOUNT, OPT_NS_UTS, OPT_NS_IPC, OPT_NS_NET, OPT_NS_PID,
	OPT_NS_USER, OPT_NS_CGROUP, OPT_NS_TIME, OPT_MAP_ROOT,
	OPT_MAP_CURRENT, OPT_MAP_USER, OPT_MAP_GROUP, OPT_SETGROUPS,
	OPT_PROPAGATION, OPT_MOUNT_PROC, OPT_MONOTONIC, OPT_BOOTTIME,
	OPT_SETNS, OPT_NSENTER,
	OPT_NICE, OPT_SCHED, OPT_RESET_ON_FORK, OPT_CPUS, OPT_IOPRIO,
	OPT_OOM, OPT_TIMER_SLACK, OPT_MDWE, OPT_THP_DISABLE,
	OPT_PERSONALITY, OPT_NO_RANDOMIZE,
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
	{ "nnp", no_argument, NULL, OPT_NO_NEW_PRIVS },
	{ "ruid", required_argument, NULL, OPT_RUID },
	{ "euid", required_argument, NULL, OPT_EUID },
	{ "reuid", required_argument, NULL, OPT_REUID },
	{ "rgid", required_argument, NULL, OPT_RGID },
	{ "egid", required_argument, NULL, OPT_EGID },
	{ "regid", required_argument, NULL, OPT_REGID },
	{ "groups", required_argument, NULL, OPT_GROUPS },
	{ "clear-groups", no_argument, NULL, OPT_CLEAR_GROUPS },
	{ "keep-groups", no_argument, NULL, OPT_KEEP_GROUPS },
	{ "init-groups", no_argument, NULL, OPT_INIT_GROUPS },
	{ "inh-caps", required_argument, NULL, OPT_INH_CAPS },
	{ "ambient-caps", required_argument, NULL, OPT_AMBIENT_CAPS },
	{ "bounding-set", required_argument, NULL, OPT_BOUNDING_SET },
	{ "securebits", required_argument, NULL, OPT_SECUREBITS },
	{ "landlock-access", required_argument, NULL, OPT_LANDLOCK_ACCESS },
	{ "landlock-rule", required_argument, NULL, OPT_LANDLOCK_RULE },
	{ "mount", no_argument, NULL, OPT_NS_MOUNT },
	{ "uts", no_argument, NULL, OPT_NS_UTS },
	{ "ipc", no_argument, NULL, OPT_NS_IPC },
	{ "net", no_argument, NULL, OPT_NS_NET },
	{ "pid", no_argument, NULL, OPT_NS_PID },
	{ "user", no_argument, NULL, OPT_NS_USER },
	{ "cgroup", no_argument, NULL, OPT_NS_CGROUP },
	{ "time", no_argument, NULL, OPT_NS_TIME },
	{ "map-root-user", no_argument, NULL, OPT_MAP_ROOT },
	{ "map-current-user", no_argument, NULL, OPT_MAP_CURRENT },
	{ "map-user", required_argument, NULL, OPT_MAP_USER },
	{ "map-group", required_argument, NULL, OPT_MAP_GROUP },
	{ "setgroups", required_argument, NULL, OPT_SETGROUPS },
	{ "propagation", required_argument, NULL, OPT_PROPAGATION },
	{ "mount-proc", optional_argument, NULL, OPT_MOUNT_PROC },
	{ "monotonic", required_argument, NULL, OPT_MONOTONIC },
	{ "boottime", required_argument, NULL, OPT_BOOTTIME },
	{ "root", required_argument, NULL, 'R' },
	{ "wd", required_argument, NULL, 'w' },
	{ "setns", required_argument, NULL, OPT_SETNS },
	{ "nsenter", required_argument, NULL, OPT_NSENTER },
	{ "nice", required_argument, NULL, OPT_NICE },
	{ "sched", required_argument, NULL, OPT_SCHED },
	{ "reset-on-fork", no_argument, NULL, OPT_RESET_ON_FORK },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "ioprio", required_argument, NULL, OPT_IOPRIO },
	{ "oom-score-adj", required_argument, NULL, OPT_OOM },
	{ "timer-slack", required_argument, NULL, OPT_TIMER_SLACK },
	{ "mdwe", no_argument, NULL, OPT_MDWE },
	{ "thp-disable", no_argument, NULL, OPT_THP_DISABLE },
	{ "personality", required_argument, NULL, OPT_PERSONALITY },
	{ "addr-no-randomize", no_argument, NULL, OPT_NO_RANDOMIZE },
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

/*
 * With --root, the command is looked up inside the new root, as unshare's
 * execvp() after its chroot() does, and given to the empty process as a
 * path it resolves itself, after its own chroot.
 */
static int config_command_in_root(int h, const char *word, const char *root,
				  char **path)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT };
	const char *search = env_get("PATH");
	char *list, *dir, *save = NULL;
	int rfd, err = ENOENT;

	if ((rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		tool_error("--root %s: %s", root, strerror(errno));
		return TOOL_EXIT_FAILURE;
	}
	*path = NULL;
	if (strchr(word, '/')) {
		*path = xasprintf("%s", word);
	} else {
		list = xasprintf("%s", search ? search : "/bin:/usr/bin");
		for (dir = strtok_r(list, ":", &save); dir && !*path;
		     dir = strtok_r(NULL, ":", &save)) {
			char *cand = xasprintf("%s/%s", dir, word);
			struct stat st;
			int fd = (int)syscall(SYS_openat2, rfd, cand, &how,
					      sizeof(how));

			if (fd >= 0 && fstat(fd, &st) == 0 &&
			    S_ISREG(st.st_mode) &&
			    faccessat(fd, "", X_OK,
				      AT_EMPTY_PATH | AT_EACCESS) == 0)
				*path = cand;
			else
				free(cand);
			if (fd < 0 && errno != ENOENT && errno != ENOTDIR)
				err = errno;
			else if (fd >= 0 && !*path)
				err = EACCES;
			if (fd >= 0)
				close(fd);
		}
		free(list);
	}
	close(rfd);
	if (!*path) {
		tool_error("cannot run '%s' in %s: %s", word, root,
			   strerror(err));
		return err == ENOENT ? TOOL_EXIT_NOT_FOUND
				     : TOOL_EXIT_CANNOT_EXEC;
	}
	if (verbose)
		fprintf(stderr, "%s: %-14s %s (in the new root)\n", tool_name,
			"exec", *path);
	if (pristine_config(h, PRISTINE_SET_STRING, "exec", *path, 0) < 0) {
		tool_error("cannot run '%s': %s", *path, strerror(errno));
		return TOOL_EXIT_CANNOT_EXEC;
	}
	return 0;
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

/* Is no_new_privs set by a step before s? */
static int nnp_before(const struct step *s)
{
	size_t i, at = step_index(s);

	for (i = 0; i < at; i++)
		if (!strcmp(steps[i]->key, "no-new-privs"))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	char *dir = NULL, *opt;
	struct step *landlock;
	int c, h, err = EPERM, err_given = 0, nnp = 0, status;
	size_t i;

	snapshot_fds();
	env_copy();
	inherit();
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:C:iu:vR:w:", options,
				NULL)) != -1) {
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
		case OPT_RUID: case OPT_EUID: case OPT_REUID:
		case OPT_RGID: case OPT_EGID: case OPT_REGID: {
			static const char *const ids[] = {
				"ruid", "euid", "uid", "rgid", "egid", "gid",
			};

			opt_id(opt, ids[c - OPT_RUID], optarg);
			break;
		}
		case OPT_GROUPS:
			opt_groups(opt, optarg);
			break;
		case OPT_CLEAR_GROUPS:
			opt_clear_groups(opt);
			break;
		case OPT_KEEP_GROUPS:
			break;	/* the empty process has them already */
		case OPT_INIT_GROUPS:
			opt_init_groups(opt);
			break;
		case OPT_INH_CAPS:
			opt_caps(opt, "cap-inheritable", optarg);
			break;
		case OPT_AMBIENT_CAPS:
			opt_caps(opt, "cap-ambient", optarg);
			break;
		case OPT_BOUNDING_SET:
			opt_caps(opt, "cap-bounding", optarg);
			break;
		case OPT_SECUREBITS:
			opt_securebits(opt, optarg);
			break;
		case OPT_LANDLOCK_ACCESS:
			opt_landlock_access(opt, optarg);
			break;
		case OPT_LANDLOCK_RULE:
			opt_landlock_rule(opt, optarg);
			break;
		case OPT_NS_MOUNT: case OPT_NS_UTS: case OPT_NS_IPC:
		case OPT_NS_NET: case OPT_NS_PID: case OPT_NS_USER:
		case OPT_NS_CGROUP: case OPT_NS_TIME: {
			static const char *const types[] = {
				"mount", "uts", "ipc", "net", "pid", "user",
				"cgroup", "time",
			};

			opt_unshare(opt, types[c - OPT_NS_MOUNT]);
			break;
		}
		case OPT_MAP_ROOT:
			opt_map(opt, "root", NULL);
			break;
		case OPT_MAP_CURRENT:
			opt_map(opt, "current", NULL);
			break;
		case OPT_MAP_USER:
			opt_map(opt, "user", optarg);
			break;
		case OPT_MAP_GROUP:
			opt_map(opt, "group", optarg);
			break;
		case OPT_SETGROUPS:
			opt_ns_string(opt, "setgroups", optarg);
			break;
		case OPT_PROPAGATION:
			opt_ns_string(opt, "propagation", optarg);
			break;
		case OPT_MOUNT_PROC:
			opt_ns_string(opt, "mount-proc", optarg);
			break;
		case OPT_MONOTONIC:
			opt_ns_string(opt, "monotonic", optarg);
			break;
		case OPT_BOOTTIME:
			opt_ns_string(opt, "boottime", optarg);
			break;
		case 'R':
			opt_ns_string(opt, "root", optarg);
			break;
		case 'w':
			opt_ns_string(opt, "wd", optarg);
			break;
		case OPT_SETNS:
			opt_setns(opt, optarg);
			break;
		case OPT_NSENTER:
			opt_nsenter(opt, optarg);
			break;
		case OPT_NICE:
			opt_nice(opt, optarg);
			break;
		case OPT_SCHED:
			opt_sched(opt, optarg);
			break;
		case OPT_RESET_ON_FORK:
			opt_reset_on_fork();
			break;
		case OPT_CPUS:
			opt_cpus(opt, optarg);
			break;
		case OPT_IOPRIO:
			opt_ioprio(opt, optarg);
			break;
		case OPT_OOM:
			opt_number(opt, "oom-score-adj", optarg, -1000, 1000);
			break;
		case OPT_TIMER_SLACK:
			opt_number(opt, "timer-slack", optarg, 0, 0x7fffffffL);
			break;
		case OPT_MDWE:
			opt_flag(opt, "mdwe", "refuse to gain exec on writable "
				 "memory");
			break;
		case OPT_THP_DISABLE:
			opt_flag(opt, "thp-disable", "set");
			break;
		case OPT_PERSONALITY:
			opt_personality(opt, optarg);
			break;
		case OPT_NO_RANDOMIZE: {
			struct step *s = add_step(opt, "personality",
						  PRISTINE_SET_INT);

			/* setarch -R: the current personality, plus. */
			s->aux = (personality(0xffffffff) & 0xffff0000) |
				 PER_LINUX | ADDR_NO_RANDOMIZE;
			s->what = xasprintf("0x%x", s->aux);
			break;
		}
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
	ns_flush();
	if ((landlock = landlock_finish()) && !nnp_before(landlock) &&
	    !has_cap_sys_admin() &&
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
		/* landlock_restrict_self() wants it before, as seccomp does
		 * (setpriv sets it first whatever the order). */
		insert_step(step_index(landlock), NULL, "no-new-privs",
			    PRISTINE_SET_FLAG)->what =
			xasprintf("implied by --landlock-access");
		nnp = 1;
	}
	if (ndeny && (status = add_seccomp(err, nnp)))
		return status;

	ns_enter_user();
	if ((h = pristine_open(PRISTINE_CLOEXEC |
			       (new_pid_namespace ? PRISTINE_NEWPID : 0))) < 0) {
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
	    (status = new_root()
			      ? config_command_in_root(h, argv[optind],
						       new_root(), &command_path)
			      : config_command(h, argv[optind], dir,
					       &command_path)))
		return status;
	return run_and_wait(h, command_path);
}
