/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* make-seeds HARNESS DIR: writes the harness's seed corpus into DIR. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "seeds.h"

static int failed;

static void write_seed(void *ctx, const char *name, const void *data,
		       size_t size)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", (const char *)ctx, name);
	if (!(f = fopen(path, "wb")) || fwrite(data, 1, size, f) != size ||
	    fclose(f)) {
		perror(path);
		failed = 1;
	}
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: make-seeds "
			"elf|stack|request|reply DIR\n");
		return 2;
	}
	if (mkdir(argv[2], 0755) < 0 && errno != EEXIST) {
		perror(argv[2]);
		return 1;
	}
	if (seeds_make(argv[1], write_seed, argv[2]) < 0) {
		fprintf(stderr, "make-seeds: no harness %s\n", argv[1]);
		return 2;
	}
	return failed;
}
