/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pristine.h"
#include "lib-tests.h"

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

#define MAX_THREADS 16

struct spawner {
	pthread_t thread;
	long id, bad;
	int spawns;
	int (*spawn_true)(pid_t *pid, char *const argv[]);
};

static void *spawner(void *arg)
{
	struct spawner *s = arg;
	int i;

	for (i = 0; i < s->spawns; i++) {
		int odd = (int)((s->id + i) & 1);
		char *argv[] = { odd ? "false" : "true", NULL };
		pid_t pid;
		int st, err;

		if (odd || !s->spawn_true)
			err = pristine_spawn(&pid, odd ? "/bin/false"
						       : "/bin/true",
					     NULL, NULL, argv, environ);
		else
			err = s->spawn_true(&pid, argv);
		if (err) {
			s->bad++;
			continue;
		}
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != odd)
			s->bad++;
	}
	return NULL;
}

long spawn_from_threads(int threads, int spawns,
			int (*spawn_true)(pid_t *pid, char *const argv[]))
{
	struct spawner s[MAX_THREADS];
	long bad = 0;
	int i;

	ck_assert_int_le(threads, MAX_THREADS);
	for (i = 0; i < threads; i++) {
		s[i] = (struct spawner){ .id = i, .spawns = spawns,
					 .spawn_true = spawn_true };
		ck_assert_int_eq(pthread_create(&s[i].thread, NULL, spawner,
						&s[i]), 0);
	}
	for (i = 0; i < threads; i++) {
		pthread_join(s[i].thread, NULL);
		bad += s[i].bad;
	}
	return bad;
}
