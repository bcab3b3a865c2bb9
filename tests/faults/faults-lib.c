#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "faults.h"

char faults_tmp[256];
const char *real_loader;
const char *tests_builddir;
volatile int sigpipes;
int faults_skipped;

void skip_test(const char *name, const char *why)
{
	printf("SKIP: %s: %s\n", name, why);
	faults_skipped = 1;
}

const char *tmp_path(const char *name)
{
	static char path[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", faults_tmp, name);
	return path[k];
}

const char *built(const char *name)
{
	static char path[4][4096];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", tests_builddir, name);
	return path[k];
}

void use_fake_loader(const char *mode)
{
	const char *link = tmp_path(mode);

	if (symlink(built("fake-loader"), link) < 0)
		ck_assert_int_eq(errno, EEXIST);
	setenv("PRISTINE_LOADER", link, 1);
}

/* /proc/PID/stat: comm and the fields after it. */
static int read_stat(pid_t pid, char *comm, size_t len, char *state,
		     pid_t *ppid)
{
	char path[64], buf[1024], *open_, *close_;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	open_ = strchr(buf, '(');
	close_ = strrchr(buf, ')');
	if (!open_ || !close_ || close_ < open_)
		return -1;
	snprintf(comm, len, "%.*s", (int)(close_ - open_ - 1), open_ + 1);
	return sscanf(close_ + 2, "%c %d", state, ppid) == 2 ? 0 : -1;
}

int children_of(pid_t parent, const char *name, pid_t *pids, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		char comm[64], state;
		pid_t pid = atoi(e->d_name), ppid;

		if (pid <= 0 || read_stat(pid, comm, sizeof(comm), &state,
					  &ppid) < 0)
			continue;
		if (ppid != parent || (name && strcmp(comm, name)) ||
		    state == 'Z')
			continue;
		if (pids && n < max)
			pids[n] = pid;
		n++;
	}
	closedir(d);
	return n;
}

int children_named(const char *name, pid_t *pids, int max)
{
	return children_of(getpid(), name, pids, max);
}

pid_t child_named(const char *name)
{
	pid_t pid = 0;
	int i, n = 0;

	for (i = 0; i < 500 && (n = children_named(name, &pid, 1)) == 0; i++)
		usleep(10000);
	ck_assert_msg(n == 1, "%d children named %s", n, name);
	return pid;
}

void await_death(pid_t pid)
{
	char comm[64], state = 0;
	pid_t ppid;
	int i;

	for (i = 0; i < 500; i++) {
		if (read_stat(pid, comm, sizeof(comm), &state, &ppid) < 0 ||
		    state == 'Z' || state == 'X')
			return;
		usleep(10000);
	}
	ck_abort_msg("pid %d still alive (state %c)", (int)pid, state);
}

void await_syscall(pid_t pid, int nr)
{
	char path[64], buf[64] = "", want[16];
	int i, fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	snprintf(want, sizeof(want), "%d ", nr);
	for (i = 0; i < 500; i++) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
			ssize_t n = read(fd, buf, sizeof(buf) - 1);

			close(fd);
			buf[n > 0 ? n : 0] = 0;
			if (!strncmp(buf, want, strlen(want)))
				return;
		}
		usleep(10000);
	}
	ck_abort_msg("pid %d never in system call %d: %s", (int)pid, nr, buf);
}

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

void count_sigpipe(void)
{
	struct sigaction sa = { .sa_handler = on_sigpipe };
	sigset_t pipe_only;

	sigpipes = 0;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	sigprocmask(SIG_UNBLOCK, &pipe_only, NULL);
}
