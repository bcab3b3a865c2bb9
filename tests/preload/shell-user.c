/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * A program that uses system() and popen() the way programs do; its output
 * must be the same with glibc alone and through the preload shim.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void show_status(const char *what, int st)
{
	if (st == -1)
		printf("%s: -1\n", what);
	else if (WIFEXITED(st))
		printf("%s: exit %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: signal %d\n", what, WTERMSIG(st));
}

int main(void)
{
	char line[256], path[64];
	struct sigaction sa;
	FILE *a, *b;
	int fd;

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("shell available: %d\n", system(NULL) != 0);
	show_status("exit 3", system("exit 3"));
	show_status("true", system("true"));
	show_status("missing", system("exec /nonexistent/cmd 2>/dev/null"));
	show_status("killed", system("kill -TERM $$"));
	/* The child has SIGINT and SIGQUIT at their defaults and the caller's
	 * mask; the caller ignores them while it waits and survives a SIGINT
	 * sent to it from the child. */
	show_status("signals", system("grep -E '^Sig(Blk|Ign)' /proc/self/status;"
				      "kill -INT $PPID"));
	sigaction(SIGINT, NULL, &sa);
	printf("SIGINT restored to default: %d\n", sa.sa_handler == SIG_DFL);
	signal(SIGQUIT, SIG_IGN);
	show_status("quit ignored", system("grep -E '^SigIgn' /proc/self/status"));
	signal(SIGQUIT, SIG_DFL);

	/* popen(): read, write, and a later child not holding earlier
	 * streams. */
	a = popen("echo one; echo two", "r");
	while (fgets(line, sizeof(line), a))
		printf("read: %s", line);
	show_status("pclose read", pclose(a));
	snprintf(path, sizeof(path), "/tmp/shell-user-%d", getpid());
	snprintf(line, sizeof(line), "cat > %s", path);
	a = popen(line, "w");
	fprintf(a, "written through popen\n");
	snprintf(line, sizeof(line),
		 "test -e /proc/self/fd/%d && echo leaked || echo not inherited",
		 fileno(a));
	b = popen(line, "r");
	while (fgets(line, sizeof(line), b))
		printf("second child: %s", line);
	show_status("pclose b", pclose(b));
	show_status("pclose a", pclose(a));
	fd = open(path, O_RDONLY);
	line[read(fd, line, sizeof(line) - 1)] = 0;
	printf("file: %s", line);
	close(fd);
	unlink(path);
	a = popen("exit 7", "re");
	printf("cloexec: %d\n", (fcntl(fileno(a), F_GETFD) & FD_CLOEXEC) != 0);
	show_status("pclose exit 7", pclose(a));
	printf("bad mode: %p\n", (void *)popen("true", "x"));
	return 0;
}
