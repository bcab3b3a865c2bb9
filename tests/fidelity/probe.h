/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The fidelity probe prints the process it runs in, one fact per line:
 *
 *	key value
 *
 * The key has no spaces; doc/fidelity.md allows differences by key. No
 * address, pid or time is printed: addresses are checked against where
 * things really are and reported as "ok" or "BAD: why", so that a real
 * exec and a pristine run of the same configuration print the same text.
 */
#ifndef PRISTINE_PROBE_H
#define PRISTINE_PROBE_H

#include <stddef.h>
#include <stdint.h>

#ifndef PROBE_BUILD
#define PROBE_BUILD "unknown"
#endif

#define PROBE_MAX_MAPS 512

struct mapping {
	uint64_t start, end, offset, inode;
	unsigned dev_major, dev_minor;
	char perms[5];
	char path[256];		/* "" for anonymous memory */
	char flags[96];		/* smaps VmFlags */
};

struct maps {
	struct mapping m[PROBE_MAX_MAPS];
	int n;
};

/* What the process looked like when main() started. */
struct initial {
	int argc;
	char **argv, **envp;
	uint64_t *sp;		/* &argc: the entry stack pointer */
	uint64_t *auxv;		/* on the stack, after envp's NULL */
	void *sbrk0;
	struct maps maps;
};

/* Output. */
void out(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void bad(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* s with non-printable bytes as \xNN (at most 16 KiB of output), in a
 * buffer the next call reuses. */
const char *esc(const char *s);

/* Reads a whole file into a NUL-terminated malloc'd buffer; *len gets its
 * size. NULL if it cannot be read. */
char *slurp(const char *path, size_t *len);

/* Field n (1-based, n >= 3) of a /proc/PID/stat file, or -1. */
long long stat_field(const char *path, int n);

/* /proc/self/smaps as a list of mappings. */
int maps_read(struct maps *ms);
const struct mapping *maps_find(const struct maps *ms, uint64_t addr);
const struct mapping *maps_named(const struct maps *ms, const char *name);

/* Memory: auxv, stack layout, /proc/self/stat, maps, brk. */
void probe_memory(const struct initial *in);
/* After the probe did its work: the heap as malloc and sbrk left it. */
void probe_heap(const struct initial *in);
uint64_t auxv_get(const struct initial *in, uint64_t key);

#endif
