/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Every harness, built by the ordinary compiler (with the sanitizers of
 * --enable-sanitizers), over its seeds and over every input a fuzzer
 * crashed on (tests/fuzz/regress/HARNESS/): the findings stay fixed, with
 * or without clang.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "seeds.h"
#include "testlib.h"

static const struct harness {
	const char *name;
	int (*run)(const uint8_t *data, size_t size);
} harnesses[] = {
	{ "elf", fuzz_elf },
	{ "stack", fuzz_stack },
	{ "request", fuzz_request },
	{ "reply", fuzz_reply },
};

static struct input {
	const struct harness *h;
	char *name;
	unsigned char *data;
	size_t size;
} *inputs;
static int ninputs, nregress;

static void add(void *ctx, const char *name, const void *data, size_t size)
{
	struct input *in;

	inputs = realloc(inputs, (size_t)(ninputs + 1) * sizeof(*inputs));
	in = &inputs[ninputs++];
	in->h = ctx;
	in->name = strdup(name);
	in->data = malloc(size ? size : 1);
	memcpy(in->data, data, size);
	in->size = size;
}

static void add_file(const struct harness *h, const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long size;

	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = malloc(size > 0 ? (size_t)size : 1);
	if (size >= 0 && fread(buf, 1, (size_t)size, f) == (size_t)size) {
		add((void *)h, path, buf, (size_t)size);
		nregress++;
	}
	free(buf);
	fclose(f);
}

static void add_regressions(const struct harness *h, const char *top_srcdir)
{
	char dir[4096], path[8192];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/regress/%s", top_srcdir,
		 h->name);
	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			add_file(h, path);
		}
	closedir(d);
}

START_TEST(replay)
{
	const struct input *in = &inputs[_i];

	ck_assert_msg(in->h->run(in->data, in->size) == 0, "%s: %s",
		      in->h->name, in->name);
}
END_TEST

static Suite *replay_suite(void)
{
	Suite *s = suite_create("fuzz-replay");
	TCase *tc = testlib_tcase(s, "inputs", 0);

	tcase_add_loop_test(tc, replay, 0, ninputs);
	return s;
}

int main(void)
{
	static Suite *(*const suites[])(void) = { replay_suite, NULL };
	const char *top_srcdir = getenv("top_srcdir");
	size_t i;

	for (i = 0; i < sizeof(harnesses) / sizeof(harnesses[0]); i++) {
		seeds_make(harnesses[i].name, add, (void *)&harnesses[i]);
		add_regressions(&harnesses[i], top_srcdir ? top_srcdir : "..");
	}
	fprintf(stderr, "%d inputs, %d of them regression cases\n", ninputs,
		nregress);
	return testlib_main(suites);
}
