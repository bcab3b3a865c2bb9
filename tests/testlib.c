#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pristine.h"
#include "testlib.h"
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

int wait_status(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		ck_assert_int_eq(errno, EINTR);
	return st;
}

char *slurp_fd(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	while ((n = read(fd, buf + len, cap - len - 1)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		ck_assert_int_ge(n, 0);
		len += (size_t)n;
		if (cap - len < 2)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = 0;
	return buf;
}

char *spawn_output(char *const argv[], int *status)
{
	pristine_spawn_file_actions_t fa;
	int p[2], err;
	pid_t pid;
	char *out;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pristine_spawn_file_actions_init(&fa);
	pristine_spawn_file_actions_adddup2(&fa, p[1], 1);
	err = pristine_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	pristine_spawn_file_actions_destroy(&fa);
	close(p[1]);
	ck_assert_msg(err == 0, "spawn %s: %s (%s)", argv[0], strerror(err),
		      pristine_errmsg());
	out = slurp_fd(p[0]);
	close(p[0]);
	*status = wait_status(pid);
	return out;
}

int has_children(void)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) == 0;
}

int under_valgrind(void)
{
	return RUNNING_ON_VALGRIND != 0;
}
