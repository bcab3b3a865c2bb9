/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The real loader facing a library that misbehaves: this test starts it
 * with a socketpair, as libpristine does, and writes requests that are
 * wrong in one way each (magic, version, build id, lengths, records,
 * descriptors, order), or random. The loader must answer with the errno
 * the case names (or, for a request cut short, say nothing), exit 127,
 * and run nothing: every request names /bin/touch and a marker file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "build-id.h"
#include "faults.h"
#include "wire.h"

#define RUNS	(-1)	/* the request is valid: touch runs */
#define SILENT	(-2)	/* cut short: exit 127 without a word */

struct wire {
	unsigned char rec[1 << 16];	/* the records */
	size_t len;
	struct pw_hello hello;		/* length and nfds set from the above
					 * unless the case set them */
	int set_length, set_nfds;
	int fds;			/* descriptors to send */
	size_t send;			/* bytes to send, 0: all */
	int early_fds;			/* send them before the hello is
					 * complete */
};

static void add(struct wire *w, uint32_t type, const void *p, uint32_t len)
{
	struct pw_rec r = { type, len };

	memcpy(w->rec + w->len, &r, sizeof(r));
	memcpy(w->rec + w->len + sizeof(r), p, len);
	memset(w->rec + w->len + sizeof(r) + len, 0, PW_ALIGN(len) - len);
	w->len += sizeof(r) + PW_ALIGN(len);
}

static void add_strings(struct wire *w, uint32_t type, const char *s,
			uint32_t count, size_t bytes)
{
	unsigned char buf[512] = { 0 };

	memcpy(buf, &count, 4);
	memcpy(buf + 8, s, bytes);
	add(w, type, buf, 8 + (uint32_t)bytes);
}

/* The image and argv of every request: touch the marker. */
static void add_touch(struct wire *w)
{
	struct pw_image im = { .path_len = sizeof("/bin/touch"),
			       .fd_name = -1 };
	unsigned char buf[64];
	char argv[300];
	size_t n;

	memcpy(buf, &im, sizeof(im));
	memcpy(buf + sizeof(im), "/bin/touch", sizeof("/bin/touch"));
	add(w, PW_REQ_IMAGE, buf, sizeof(im) + sizeof("/bin/touch"));
	n = (size_t)snprintf(argv, sizeof(argv), "touch%c%s", 0,
			     tmp_path("marker")) + 1;
	add_strings(w, PW_REQ_ARGV, argv, 2, n);
}

static void add_run(struct wire *w)
{
	struct pw_run run = { .mode = PW_RUN_LOADER };

	add(w, PW_REQ_RUN, &run, sizeof(run));
}

static void valid(struct wire *w)
{
	add_touch(w);
	add_run(w);
}

static void bad_magic(struct wire *w) { valid(w); w->hello.magic ^= 1; }
static void bad_version(struct wire *w) { valid(w); w->hello.version++; }
static void bad_build(struct wire *w) { valid(w); w->hello.build_id ^= 1; }
static void odd_length(struct wire *w)
{
	valid(w);
	w->hello.length = w->len + 4;
	w->set_length = 1;
}
static void huge_length(struct wire *w)
{
	valid(w);
	w->hello.length = PW_MAX_REQUEST + 8;
	w->set_length = 1;
}
static void short_length(struct wire *w)
{
	valid(w);
	w->hello.length = w->len - 8;	/* more arrives than announced */
	w->set_length = 1;
}
static void many_fds_declared(struct wire *w)
{
	valid(w);
	w->hello.nfds = PW_MAX_FDS + 1;
	w->set_nfds = 1;
}
static void cut_short(struct wire *w)
{
	valid(w);
	w->send = 32 + w->len / 2;
}
static void half_hello(struct wire *w)
{
	valid(w);
	w->send = 10;
}
static void record_past_end(struct wire *w)
{
	struct pw_rec r;

	valid(w);
	memcpy(&r, w->rec, sizeof(r));
	r.len = (uint32_t)w->len;
	memcpy(w->rec, &r, sizeof(r));
}
static void record_wraps(struct wire *w)
{
	struct pw_rec r;

	valid(w);
	memcpy(&r, w->rec, sizeof(r));
	r.len = 0xfffffff9u;	/* PW_ALIGN() of it is 0 */
	memcpy(w->rec, &r, sizeof(r));
}
static void unknown_type(struct wire *w)
{
	add(w, 200, "", 0);
	valid(w);
}
static void reply_type(struct wire *w)
{
	struct pw_status st = { 0 };

	add(w, PW_REP_STATUS, &st, sizeof(st));
	valid(w);
}
static void second_hello(struct wire *w)
{
	add(w, PW_REQ_HELLO, &w->hello, sizeof(w->hello));
	valid(w);
}
static void no_run(struct wire *w) { add_touch(w); }
static void after_run(struct wire *w)
{
	struct pw_int fd = { .value = 5 };

	valid(w);
	add(w, PW_REQ_CLOSE, &fd, sizeof(fd));
}
static void short_run(struct wire *w)
{
	add_touch(w);
	add(w, PW_REQ_RUN, "", 0);
}
static void argv_overcount(struct wire *w)
{
	add_touch(w);
	add_strings(w, PW_REQ_ARGV, "touch\0x", 5, 8);
	add_run(w);
}
static void path_unterminated(struct wire *w)
{
	struct pw_image im = { .path_len = 10, .fd_name = -1 };
	unsigned char buf[64];

	memcpy(buf, &im, sizeof(im));
	memcpy(buf + sizeof(im), "/bin/touch", 10);
	add(w, PW_REQ_IMAGE, buf, sizeof(im) + 10);
	add_run(w);
}
static void image_of_nothing(struct wire *w)
{
	struct pw_image im = { .fd_name = -1 };

	add_touch(w);
	add(w, PW_REQ_IMAGE, &im, sizeof(im));
	add_run(w);
}
static void fd_without_fd(struct wire *w)
{
	struct pw_fd f = { .target = 7 };

	add(w, PW_REQ_FD, &f, sizeof(f));
	valid(w);
}
static void fds_missing(struct wire *w)
{
	struct pw_fd f = { .target = 7 };

	add(w, PW_REQ_FD, &f, sizeof(f));
	valid(w);
	w->hello.nfds = 1;	/* announced, never sent */
	w->set_nfds = 1;
}
static void fds_extra(struct wire *w)
{
	struct pw_fd f = { .target = 7 };

	add(w, PW_REQ_FD, &f, sizeof(f));
	valid(w);
	w->fds = 2;
	w->hello.nfds = 1;
	w->set_nfds = 1;
}
static void fds_unused(struct wire *w)
{
	struct pw_fd f = { .target = 7 };

	add(w, PW_REQ_FD, &f, sizeof(f));
	valid(w);
	w->fds = 2;
}
/* 300 descriptors: more than one message and than the loader's .bss. */
static void fds_many(struct wire *w)
{
	int i;

	for (i = 0; i < 300; i++) {
		struct pw_fd f = { .target = 10 + i, .flags = PW_FD_CLOEXEC };

		add(w, PW_REQ_FD, &f, sizeof(f));
	}
	valid(w);
	w->fds = 300;
}
/* The loader learns how many descriptors come from the hello: more than
 * its first buffer holds before it is refused. */
static void fds_before_hello(struct wire *w)
{
	fds_many(w);
	w->early_fds = 1;
}
static void filter_odd(struct wire *w)
{
	add(w, PW_REQ_SECCOMP, "123456789012", 12);
	valid(w);
}
static void filter_huge(struct wire *w)
{
	static struct sock_filter f[BPF_MAXINSNS + 1];

	add(w, PW_REQ_SECCOMP, f, sizeof(f));
	valid(w);
}
static void open_unterminated(struct wire *w)
{
	struct pw_open o = { .target = 5 };
	unsigned char buf[64];

	memcpy(buf, &o, sizeof(o));
	memcpy(buf + sizeof(o), "/etc", 4);
	add(w, PW_REQ_OPEN, buf, sizeof(o) + 4);
	valid(w);
}

static const struct {
	const char *name;
	void (*build)(struct wire *w);
	int err;
} cases[] = {
	{ "valid", valid, RUNS },
	{ "300 descriptors", fds_many, RUNS },
	{ "magic", bad_magic, EPROTO },
	{ "version", bad_version, ELIBBAD },
	{ "build id", bad_build, ELIBBAD },
	{ "length not 8-aligned", odd_length, EPROTO },
	{ "length past the maximum", huge_length, EPROTO },
	{ "more bytes than announced", short_length, EPROTO },
	{ "more descriptors than the maximum", many_fds_declared, EPROTO },
	{ "300 descriptors before the hello", fds_before_hello, EPROTO },
	{ "request cut short", cut_short, SILENT },
	{ "hello cut short", half_hello, SILENT },
	{ "record past the end", record_past_end, EPROTO },
	{ "record length wrapping", record_wraps, EPROTO },
	{ "unknown record", unknown_type, EPROTO },
	{ "answer record in a request", reply_type, EPROTO },
	{ "second hello", second_hello, EPROTO },
	{ "no run", no_run, EPROTO },
	{ "record after run", after_run, EPROTO },
	{ "run too short", short_run, EPROTO },
	{ "argv count past its strings", argv_overcount, EPROTO },
	{ "path without NUL", path_unterminated, EPROTO },
	{ "image with neither path nor fd", image_of_nothing, EPROTO },
	{ "fd record without a descriptor", fd_without_fd, EPROTO },
	{ "descriptor announced, not sent", fds_missing, EPROTO },
	{ "more descriptors than announced", fds_extra, EPROTO },
	{ "descriptor left over", fds_unused, EPROTO },
	{ "seccomp program of 12 bytes", filter_odd, EINVAL },
	{ "seccomp program too long", filter_huge, EINVAL },
	{ "open path without NUL", open_unterminated, EPROTO },
};

/* Starts the loader on one end of a socketpair; returns the other. */
static int start_loader(pid_t *pid)
{
	char fdstr[16];
	char *argv[] = { PW_LOADER_ARGV0, fdstr, NULL };
	char *envp[] = { NULL };
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fcntl(sv[0], F_SETFD, FD_CLOEXEC);
	snprintf(fdstr, sizeof(fdstr), "%d", sv[1]);
	ck_assert_int_eq(posix_spawn(pid, real_loader, NULL, NULL, argv,
				     envp), 0);
	close(sv[1]);
	return sv[0];
}

/*
 * Sends buf; nfds copies of fd go, SCM_MAX_FD at most at a time, with the
 * hello (or with its first byte if early) and then with single bytes.
 */
static void send_request(int sock, const unsigned char *buf, size_t len,
			 int nfds, int fd, int early)
{
	int sent = 0;
	size_t pos = 0;

	while (pos < len) {
		union {
			struct cmsghdr h;
			unsigned char b[CMSG_SPACE(253 * sizeof(int))];
		} ctl;
		int k = nfds - sent > 253 ? 253 : nfds - sent, i;
		size_t n = len - pos;

		if (k && nfds - sent > 253)	/* more chunks to come */
			n = pos == 0 && !early ? 32 : 1;
		struct iovec iov;
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

		if (n > len - pos)
			n = len - pos;
		iov = (struct iovec){ (void *)(buf + pos), n };
		if (k) {
			memset(&ctl, 0, sizeof(ctl));
			m.msg_control = &ctl;
			m.msg_controllen = CMSG_SPACE(k * sizeof(int));
			ctl.h.cmsg_level = SOL_SOCKET;
			ctl.h.cmsg_type = SCM_RIGHTS;
			ctl.h.cmsg_len = CMSG_LEN(k * sizeof(int));
			for (i = 0; i < k; i++)
				memcpy(CMSG_DATA(&ctl.h) + 4 * i, &fd, 4);
		}
		if (sendmsg(sock, &m, MSG_NOSIGNAL) < 0)
			break;	/* the loader gave up: its answer says why */
		sent += k;
		pos += n;
	}
}

/*
 * Reads the answer: the hello and count statuses, whose errnos go to
 * err[]. Returns 0, or SILENT if the loader said nothing at all.
 */
static int read_statuses(int sock, int *err, int count)
{
	unsigned char buf[256];
	size_t have = 0;
	ssize_t n;
	struct pw_rec r;
	struct pw_status st;
	int i;

	while ((n = read(sock, buf + have, sizeof(buf) - have)) > 0)
		have += (size_t)n;
	if (have == 0)
		return SILENT;
	ck_assert_uint_eq(have, 32 + (size_t)count * (sizeof(r) + sizeof(st)));
	memcpy(&r, buf, sizeof(r));
	ck_assert_uint_eq(r.type, PW_REP_HELLO);
	for (i = 0; i < count; i++) {
		memcpy(&r, buf + 32 + 24 * i, sizeof(r));
		ck_assert_uint_eq(r.type, PW_REP_STATUS);
		memcpy(&st, buf + 40 + 24 * i, sizeof(st));
		err[i] = st.err;
	}
	return 0;
}

/* The status's errno, or SILENT. */
static int read_answer(int sock)
{
	int err;

	return read_statuses(sock, &err, 1) == SILENT ? SILENT : err;
}

/* Runs one request; returns the answer; *status is the wait status. */
static int exchange(const unsigned char *buf, size_t len, int nfds,
		    int early, int *status)
{
	pid_t pid;
	int sock = start_loader(&pid), err;
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	send_request(sock, buf, len, nfds, null, early);
	close(null);
	shutdown(sock, SHUT_WR);
	err = read_answer(sock);
	close(sock);
	*status = wait_status(pid);
	return err;
}

START_TEST(bad_request)
{
	static struct wire w;
	static unsigned char msg[sizeof(w.rec) + 32];
	struct pw_rec hr = { PW_REQ_HELLO, sizeof(struct pw_hello) };
	int want = cases[_i].err, err, st;
	struct stat sb;

	unlink(tmp_path("marker"));
	memset(&w, 0, sizeof(w));
	w.hello = (struct pw_hello){ PW_MAGIC, PW_VERSION, PRISTINE_BUILD_ID,
				     0, 0 };
	cases[_i].build(&w);
	if (!w.set_length)
		w.hello.length = w.len;
	if (!w.set_nfds)
		w.hello.nfds = (uint32_t)w.fds;
	memcpy(msg, &hr, sizeof(hr));
	memcpy(msg + sizeof(hr), &w.hello, sizeof(w.hello));
	memcpy(msg + 32, w.rec, w.len);
	err = exchange(msg, w.send ? w.send : 32 + w.len, w.fds, w.early_fds,
		       &st);
	if (want == RUNS) {
		ck_assert_msg(err == 0, "%s: %s", cases[_i].name,
			      strerror(err));
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			      "%s: status %#x", cases[_i].name, st);
		ck_assert_int_eq(stat(tmp_path("marker"), &sb), 0);
		return;
	}
	ck_assert_msg(err == want, "%s: answer %d (%s), not %d (%s)",
		      cases[_i].name, err, strerror(err), want,
		      strerror(want));
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 127,
		      "%s: status %#x", cases[_i].name, st);
	ck_assert_msg(stat(tmp_path("marker"), &sb) < 0, "%s: touch ran",
		      cases[_i].name);
}
END_TEST

/* A template's image is set once: a second request may not replace it. */
START_TEST(image_after_prepare)
{
	static unsigned char msg[4096];
	struct pw_rec hr = { PW_REQ_HELLO, sizeof(struct pw_hello) };
	struct pw_image im = { .flags = PW_IMAGE_FD, .fd_name = -1 };
	struct pw_run run = { .mode = PW_RUN_LOADER };
	struct pw_hello h = { PW_MAGIC, PW_VERSION, PRISTINE_BUILD_ID, 0, 0 };
	static struct wire w;
	int sock, st, err[2], image = open("/bin/touch", O_RDONLY | O_CLOEXEC);
	pid_t pid;
	struct stat sb;

	ck_assert_int_ge(image, 0);
	unlink(tmp_path("marker"));
	sock = start_loader(&pid);
	/* First request: touch by fd, made ready. */
	memset(&w, 0, sizeof(w));
	add(&w, PW_REQ_IMAGE, &im, sizeof(im));
	add(&w, PW_REQ_PREPARE, &run, sizeof(run));
	h.length = w.len;
	h.nfds = 1;
	memcpy(msg, &hr, sizeof(hr));
	memcpy(msg + sizeof(hr), &h, sizeof(h));
	memcpy(msg + 32, w.rec, w.len);
	send_request(sock, msg, 32 + w.len, 1, image, 0);
	close(image);
	/* Second request: another image. */
	memset(&w, 0, sizeof(w));
	valid(&w);
	h.length = w.len;
	h.nfds = 0;
	memcpy(msg, &hr, sizeof(hr));
	memcpy(msg + sizeof(hr), &h, sizeof(h));
	memcpy(msg + 32, w.rec, w.len);
	send_request(sock, msg, 32 + w.len, 0, -1, 0);
	shutdown(sock, SHUT_WR);
	ck_assert_int_eq(read_statuses(sock, err, 2), 0);
	close(sock);
	st = wait_status(pid);
	ck_assert_int_eq(err[0], 0);		/* ready */
	ck_assert_int_eq(err[1], EPROTO);	/* the second image */
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 127);
	ck_assert_int_lt(stat(tmp_path("marker"), &sb), 0);
}
END_TEST

/* Random requests, some behind a valid hello: the loader answers each
 * with EPROTO, and nothing runs. */
START_TEST(random_requests)
{
	static unsigned char msg[4096];
	struct pw_rec hr = { PW_REQ_HELLO, sizeof(struct pw_hello) };
	struct pw_hello h = { PW_MAGIC, PW_VERSION, PRISTINE_BUILD_ID, 0, 0 };
	unsigned int seed = 12345u + (unsigned int)_i;
	size_t len = 32 + 8 * (1 + (size_t)(rand_r(&seed) % 400)), i;
	int st, err;
	struct stat sb;

	unlink(tmp_path("marker"));
	for (i = 0; i < len; i++)
		msg[i] = (unsigned char)rand_r(&seed);
	if (_i % 2) {
		h.length = len - 32;
		memcpy(msg, &hr, sizeof(hr));
		memcpy(msg + sizeof(hr), &h, sizeof(h));
	}
	err = exchange(msg, len, 0, 0, &st);
	ck_assert_msg(err == EPROTO, "random request %d: %s, not EPROTO", _i,
		      err == SILENT ? "no answer" : strerror(err));
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 127);
	ck_assert_int_lt(stat(tmp_path("marker"), &sb), 0);
}
END_TEST

Suite *loader_input_suite(void)
{
	Suite *s = suite_create("loader input");
	TCase *tc = testlib_tcase(s, "requests", 30);

	tcase_add_loop_test(tc, bad_request, 0,
			    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, image_after_prepare);
	tcase_add_loop_test(tc, random_requests, 0, 32);
	return s;
}
