/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The request builder (src/lib/request.c, record.c) when memory runs out:
 * the first failure is sticky, so that a caller that ignores one record's
 * result still sees it in r->err and never sends a request with a record
 * missing. Built on the library's objects with realloc() and malloc()
 * wrapped (-Wl,--wrap=...), so that any one allocation can be made to
 * fail; the errors that reach the caller are ENOMEM, not EINVAL; and a
 * pool member that cannot serve for want of memory is replaced.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include "pristine.h"
#include "record.h"
#include "request.h"
#include "testlib.h"
#include "wire.h"

void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);

void *__real_malloc(size_t n);
void *__wrap_malloc(size_t n);

static int fail_in = -1;	/* the n-th realloc() from now fails */
static size_t fail_size;	/* the next malloc() of this size fails */

void *__wrap_realloc(void *p, size_t n)
{
	if (fail_in >= 0 && fail_in-- == 0)
		return NULL;
	return __real_realloc(p, n);
}

void *__wrap_malloc(size_t n)
{
	if (fail_size && n == fail_size) {
		fail_size = 0;
		return NULL;
	}
	return __real_malloc(n);
}

static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* The first allocation of a descriptor record fails (its fd array). */
START_TEST(fd_record_failure_is_sticky)
{
	struct request r;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC), err;

	request_init(&r);
	fail_in = 0;
	err = record_fd(&r, "caller fd", fd, 5, PW_FD_CLOEXEC);
	fail_in = -1;
	ck_assert_int_eq(err, ENOMEM);
	ck_assert_int_eq(r.err, ENOMEM);
	ck_assert_int_eq(r.records, 0);
	ck_assert_msg(!is_open(fd), "an owned descriptor is closed");
	/* Every later record sees the failure. */
	ck_assert_int_eq(record_none(&r, PW_REQ_SETSID, "setsid"), ENOMEM);
	request_free(&r);
}
END_TEST

START_TEST(inherited_fd_failure_is_sticky)
{
	struct request r;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	request_init(&r);
	fail_in = 0;
	record_inherited_fd(&r, fd);	/* as add_fds() calls it */
	fail_in = -1;
	ck_assert_int_eq(r.err, ENOMEM);
	ck_assert_int_eq(r.records, 0);
	ck_assert_msg(is_open(fd), "a borrowed descriptor stays the caller's");
	request_free(&r);
	close(fd);
}
END_TEST

/* The "exec" key trusted record_image_fd()'s result: 0 here made it set
 * have_exec with no image record. */
START_TEST(image_fd_failure_is_reported)
{
	struct request r;
	int fd = open("/bin/true", O_RDONLY | O_CLOEXEC), err;

	request_init(&r);
	fail_in = 0;
	err = record_image_fd(&r, fd, -1, "/bin/true", "/bin/true");
	fail_in = -1;
	ck_assert_int_eq(err, ENOMEM);
	ck_assert_int_eq(r.err, ENOMEM);
	ck_assert_int_eq(r.records, 0);
	request_free(&r);
}
END_TEST

/* Each allocation of a record in turn: whichever fails, it is reported. */
START_TEST(any_failing_allocation_is_sticky)
{
	int i;

	for (i = 0; i < 4; i++) {
		struct request r;
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC), err;

		request_init(&r);
		fail_in = i;
		err = record_fd(&r, "fd:3", fd, 3, 0);
		fail_in = -1;
		ck_assert_msg(err == ENOMEM && r.err == ENOMEM,
			      "allocation %d: %d, r.err %d", i, err, r.err);
		request_free(&r);
	}
}
END_TEST

/* The "seccomp" key checks the filter as the kernel will, with memory of
 * its own: when that memory is refused, the error is ENOMEM, not the
 * EINVAL of a malformed filter. */
START_TEST(seccomp_check_out_of_memory_is_enomem)
{
	enum { N = 777 };	/* a size no other allocation here has */
	struct sock_filter prog[N];
	int h, i, r;

	for (i = 0; i < N; i++)
		prog[i] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
						       SECCOMP_RET_ALLOW);
	ck_assert_int_ge(h = pristine_open(0), 0);
	ck_assert_int_eq(pristine_config(h, PRISTINE_SET_BINARY, "seccomp",
					 prog, sizeof(prog)), 0);
	fail_size = N * sizeof(uint16_t);
	r = pristine_config(h, PRISTINE_SET_BINARY, "seccomp", prog,
			    sizeof(prog));
	ck_assert_msg(!fail_size, "the check allocated nothing of that size");
	ck_assert_msg(r == -1 && errno == ENOMEM, "%d, %s (%s)", r,
		      strerror(errno), pristine_errmsg());
	close(h);
}
END_TEST

/* Waits up to 5 s for n live children named pristine-loader. */
static int await_loaders(int n)
{
	int i;

	for (i = 0; i < 500 && children_named("pristine-loader", NULL, 0) < n;
	     i++)
		usleep(10000);
	return children_named("pristine-loader", NULL, 0);
}

/* A pool member taken by pristine_open() that cannot serve (its request
 * could not be built) is replaced: the pool does not stay one short. */
START_TEST(open_refills_after_a_member_failed)
{
	int h;

	ck_assert_int_eq(pristine_pool_create(2, 0), 0);
	ck_assert_int_eq(await_loaders(2), 2);
	fail_in = 0;	/* the member's first record */
	h = pristine_open(0);
	fail_in = -1;
	ck_assert_msg(h >= 0, "%s", pristine_errmsg());
	/* The handle's own process, and two members again. */
	ck_assert_int_eq(await_loaders(3), 3);
	close(h);
	ck_assert_int_eq(pristine_pool_destroy(), 0);
}
END_TEST

static Suite *request_suite(void)
{
	Suite *s = suite_create("request");
	TCase *tc = testlib_tcase(s, "out of memory", 0);

	tcase_add_test(tc, fd_record_failure_is_sticky);
	tcase_add_test(tc, inherited_fd_failure_is_sticky);
	tcase_add_test(tc, image_fd_failure_is_reported);
	tcase_add_test(tc, any_failing_allocation_is_sticky);
	tcase_add_test(tc, seccomp_check_out_of_memory_is_enomem);
	tcase_add_test(tc, open_refills_after_a_member_failed);
	return s;
}

int main(void)
{
	static Suite *(*const suites[])(void) = { request_suite, NULL };

	return testlib_main(suites);
}
