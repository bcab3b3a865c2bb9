/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The library facing a loader that misbehaves (fake-loader.c, through
 * PRISTINE_LOADER): garbage, truncated or oversized records, the wrong
 * magic, version or build, no hello, out-of-range values, descriptors it
 * never asked for, silence, death. Each spawn path (pristine_spawn, a
 * pristine_open handle, a template's first member) must fail with the
 * errno the case names, never report success, leave no descriptor, no
 * child and no SIGPIPE behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "faults.h"
#include "pristine.h"

static const struct {
	const char *mode;
	int err;
} cases[] = {
	{ "garbage", EPROTO },		/* 0xa5 bytes: a record too long */
	{ "oversized", EPROTO },	/* a status of 2 GiB */
	{ "truncated", ESRCH },		/* half a status, then EOF */
	{ "short-hello", ESRCH },	/* half a hello, then EOF */
	{ "magic", EPROTO },
	{ "version", ELIBBAD },
	{ "build-id", ELIBBAD },
	{ "no-hello", EPROTO },		/* a status first */
	{ "bad-reason", EPROTO },	/* a fallback reason out of range */
	{ "bad-errno", EPROTO },	/* a negative errno */
	{ "wrong-type", EPROTO },	/* a request record as the answer */
	{ "fds", ENOENT },		/* 200 descriptors with the status */
	{ "silent", ESRCH },		/* reads, then exits */
	{ "die", ESRCH },		/* hello, then SIGKILL */
	{ "early", ENOENT },		/* answers before reading, exits */
};

#define BIG_ENV 1024	/* strings of 4 KiB: more than the socket holds */

static char **big_env(void)
{
	char **env = calloc(BIG_ENV + 1, sizeof(*env));
	int i;

	for (i = 0; i < BIG_ENV; i++) {
		env[i] = malloc(4096);
		memset(env[i], 'v', 4095);
		env[i][0] = 'V';
		env[i][1] = '=';
		env[i][4095] = 0;
	}
	return env;
}

static void check_failure(const char *what, int err, int want, int fds)
{
	ck_assert_msg(err == want, "%s: %s, not %s (%s)", what, strerror(err),
		      strerror(want), pristine_errmsg());
	ck_assert_str_ne(pristine_errmsg(), "");
	ck_assert_msg(count_fds() == fds, "%s: %d descriptors, was %d", what,
		      count_fds(), fds);
	ck_assert_msg(!has_children(), "%s: a child is left", what);
	ck_assert_int_eq(sigpipes, 0);
}

START_TEST(fake_loader)
{
	char *argv[] = { "true", NULL }, **env = big_env();
	const char *mode = cases[_i].mode;
	int want = cases[_i].err, fds, h, r, err, i;
	pristine_template_t *t;
	pid_t pid;

	count_sigpipe();
	use_fake_loader(mode);
	fds = count_fds();

	err = pristine_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
	check_failure("pristine_spawn", err, want, fds);
	err = pristine_spawn(&pid, "/bin/true", NULL, NULL, argv, env);
	check_failure("pristine_spawn, big request", err, want, fds);

	h = pristine_open(0);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_PATH, "exec",
					 "/bin/true", AT_FDCWD), 0);
	for (i = 0; i < BIG_ENV; i++)
		ck_assert_int_eq(pristine_config(h, PRISTINE_SET_STRING, "env",
						 env[i], 0), 0);
	r = pristine_run(h, &pid);
	ck_assert_int_eq(r, -1);
	check_failure("pristine_run", errno, want, fds);

	t = pristine_template_create("/bin/true", -1, 1, 0);
	ck_assert_ptr_null(t);
	check_failure("pristine_template_create", errno, want, fds);
	if (want == ELIBBAD)
		ck_assert_ptr_nonnull(strstr(pristine_errmsg(),
					     "another build"));
	for (i = 0; i < BIG_ENV; i++)
		free(env[i]);
	free(env);
}
END_TEST

/* The message names the step that failed by the record that made it:
 * the posix layer's first step, glibc's internal signals left ignored, is
 * "sigignore" (it said "sigdefault"); and an empty process that died
 * without an answer, how it died (it said "died before it ran"). */
START_TEST(step_names)
{
	char *argv[] = { "true", NULL };
	pid_t pid;
	int err;

	use_fake_loader("early");	/* ENOENT at step 1 */
	err = pristine_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
	ck_assert_int_eq(err, ENOENT);
	ck_assert_msg(strstr(pristine_errmsg(), "step 1 (sigignore)") != NULL,
		      "%s", pristine_errmsg());
	/* An empty process that ends without an answer: how it ended. */
	use_fake_loader("die");		/* SIGKILL */
	err = pristine_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
	ck_assert_int_eq(err, ESRCH);
	ck_assert_str_eq(pristine_errmsg(), "the empty process was killed by "
			 "SIGKILL before it ran");
	use_fake_loader("silent");	/* exit 0 */
	err = pristine_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
	ck_assert_int_eq(err, ESRCH);
	ck_assert_str_eq(pristine_errmsg(), "the empty process exited with "
			 "status 0 before it ran");
}
END_TEST

/*
 * A pool member that dies when its request comes: the spawn takes the
 * default path and succeeds, and then pristine_errmsg() is empty, as
 * after every successful call: "the empty process died" was the member's
 * story, not the call's result.
 */
START_TEST(success_after_a_dead_member_leaves_no_message)
{
	char *argv[] = { "true", NULL }, **env = big_env();
	char loader[4096];
	pid_t pid, member;
	int err, i;

	/* 1.6 MB: more than the socket holds, less than exec's limit. */
	for (i = 400; i < BIG_ENV; i++)
		free(env[i]);
	env[400] = NULL;

	snprintf(loader, sizeof(loader), "%s", real_loader);
	use_fake_loader("die-idle");
	ck_assert_int_eq(pristine_pool_create(1, 0), 0);
	member = child_named("die-idle");
	setenv("PRISTINE_LOADER", loader, 1);
	err = pristine_spawn(&pid, "/bin/true", NULL, NULL, argv, env);
	ck_assert_msg(err == 0, "%s (%s)", strerror(err), pristine_errmsg());
	ck_assert_int_eq(wait_status(pid), 0);
	ck_assert_msg(pid != member, "the dead member ran the program");
	ck_assert_str_eq(pristine_errmsg(), "");
	ck_assert_int_eq(pristine_pool_destroy(), 0);
	for (i = 0; i < 400; i++)
		free(env[i]);
	free(env);
}
END_TEST

Suite *peer_suite(void)
{
	Suite *s = suite_create("fake loader");
	TCase *tc = testlib_tcase(s, "peer", 30);

	tcase_add_loop_test(tc, fake_loader, 0,
			    sizeof(cases) / sizeof(cases[0]));
	tc = testlib_tcase(s, "messages", 30);
	tcase_add_test(tc, step_names);
	tcase_add_test(tc, success_after_a_dead_member_leaves_no_message);
	return s;
}
