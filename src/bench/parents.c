/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Parent shapes. The benchmark process itself becomes the parent: it maps
 * and touches anonymous memory in many separate mappings (what fork() must
 * copy page table by page table), or starts idle threads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "bench.h"

#define PAGE 4096ul

static struct region {
	void *addr;
	size_t len;
} *regions;
static size_t n_regions, region_cap, region_len;

static pthread_t *threads;
static int n_threads;
static int stop_pipe[2] = { -1, -1 };

/*
 * Neighbouring regions alternate between read-write and read-only: the
 * kernel merges adjacent anonymous mappings with the same flags into one,
 * and the point is to have many.
 */
static int region_add(size_t len)
{
	struct region *r;
	unsigned char *p;
	size_t off;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return errno;
	for (off = 0; off < len; off += PAGE)
		p[off] = 1;
	if ((n_regions & 1) && mprotect(p, len, PROT_READ) < 0) {
		int err = errno;

		munmap(p, len);
		return err;
	}
	r = &regions[n_regions++];
	r->addr = p;
	r->len = len;
	return 0;
}

static void regions_trim(size_t n)
{
	while (n_regions > n) {
		n_regions--;
		munmap(regions[n_regions].addr, regions[n_regions].len);
	}
}

static int memory_set(size_t bytes, size_t maps)
{
	size_t len, i;
	int err;

	if (!bytes || !maps) {
		regions_trim(0);
		return 0;
	}
	len = (bytes / maps + PAGE - 1) & ~(PAGE - 1);
	if (len != region_len)
		regions_trim(0);
	if (maps > region_cap) {
		struct region *r = realloc(regions, maps * sizeof(*r));

		if (!r)
			return ENOMEM;
		regions = r;
		region_cap = maps;
	}
	region_len = len;
	regions_trim(maps);
	for (i = n_regions; i < maps; i++)
		if ((err = region_add(len))) {
			regions_trim(0);
			return err;
		}
	return 0;
}

static void *idle_thread(void *arg)
{
	char c;

	/* Blocks until the write end closes. */
	while (read(stop_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void threads_stop(void)
{
	int i;

	if (!n_threads)
		return;
	close(stop_pipe[1]);
	for (i = 0; i < n_threads; i++)
		pthread_join(threads[i], NULL);
	close(stop_pipe[0]);
	free(threads);
	threads = NULL;
	n_threads = 0;
}

static int threads_set(int n)
{
	int err;

	if (n == n_threads)
		return 0;
	threads_stop();
	if (!n)
		return 0;
	if (pipe2(stop_pipe, O_CLOEXEC) < 0)
		return errno;
	if (!(threads = calloc((size_t)n, sizeof(*threads))))
		return ENOMEM;
	for (n_threads = 0; n_threads < n; n_threads++) {
		err = pthread_create(&threads[n_threads], NULL, idle_thread,
				     NULL);
		if (err) {
			threads_stop();
			return err;
		}
	}
	return 0;
}

int parent_set(const struct parent_shape *shape)
{
	int err = memory_set(shape->bytes, shape->maps);

	return err ? err : threads_set(shape->threads);
}

static cpu_set_t start_set;
static int have_start_set, cpu = -1;

int pin_cpu(void)
{
	int i;

	if (cpu >= 0)
		return cpu;
	if (!have_start_set) {
		if (sched_getaffinity(0, sizeof(start_set), &start_set) < 0)
			return -1;
		have_start_set = 1;
	}
	/* The highest allowed CPU: CPU 0 usually takes more interrupts. */
	for (i = CPU_SETSIZE - 1; i >= 0; i--)
		if (CPU_ISSET(i, &start_set))
			return cpu = i;
	return -1;
}

int pin_set(int pinned)
{
	cpu_set_t one;
	int c = pin_cpu();

	if (c < 0)
		return errno ? errno : EINVAL;
	if (!pinned)
		return sched_setaffinity(0, sizeof(start_set), &start_set) < 0
			       ? errno : 0;
	CPU_ZERO(&one);
	CPU_SET(c, &one);
	return sched_setaffinity(0, sizeof(one), &one) < 0 ? errno : 0;
}
