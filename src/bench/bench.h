/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * pristine-bench: spawn methods compared side by side, interleaved, from
 * several parent shapes. Not installed; run by `make bench`.
 */
#ifndef PRISTINE_BENCH_H
#define PRISTINE_BENCH_H

#include <stddef.h>
#include <sys/types.h>

/* The static target writes its CLOCK_MONOTONIC stamp to this inherited
 * fd. A high number, so that nothing the bench inherits sits there. */
#define BENCH_STAMP_FD		99
#define BENCH_STAMP_FD_STR	"99"

/* What a child runs. */
struct target {
	const char *name;	/* "true", "static" */
	const char *path;
	char *const *argv;
	char *const *envp;
	int stamps;		/* writes a timestamp as its first action */
};

/*
 * One way of starting a child. To add a method (the pool and templates of
 * issue 8 are expected here), write its three functions and add a row to
 * methods[] in methods.c; nothing else changes. prepare() runs
 * outside the timed region, once per target and parent shape, after the
 * parent took its shape: create a pool or a template there. spawn() is
 * timed: it must start one child running t and return its pid, and must
 * leave no other child behind. release() undoes prepare().
 */
struct method {
	const char *name;
	/* Returns 0 and *state (may stay NULL), or a positive errno. */
	int (*prepare)(const struct target *t, void **state);
	/* Returns 0 and *pid, or a positive errno. */
	int (*spawn)(void *state, const struct target *t, pid_t *pid);
	void (*release)(void *state);
	/* The parent's memory is copy-on-write after a sample (fork): an
	 * untimed sample of every other method follows, to take the faults
	 * that would land on the next method measured. */
	int settle;
};

extern const struct method methods[];
extern const size_t n_methods;
/* The method every ratio is taken against (glibc's posix_spawn). */
extern const size_t baseline_method;

/* Parent shapes: the benchmark process itself, changed in place. */
struct parent_shape {
	size_t bytes;		/* anonymous memory, touched */
	size_t maps;		/* ... spread over this many mappings */
	int threads;		/* extra idle threads */
};

/* Grows or shrinks the process to the shape. Returns 0 or an errno. */
int parent_set(const struct parent_shape *shape);
/* Pins the calling thread (and so its future children) to one CPU, or
 * restores the CPU set it started with. Returns 0 or an errno. */
int pin_set(int pinned);
/* The CPU the pinned runs use, for the header. */
int pin_cpu(void);

/* Samples of one metric of one cell, in microseconds. */
struct series {
	double *us;
	size_t n;
};

enum metric {
	METRIC_SPAWN_WAIT = 0,	/* spawn call to waitpid() return */
	METRIC_FIRST_INSN,	/* spawn call to the target's stamp */
	METRIC_COUNT,
};

/* One row of results: a method measured for a target, parent, pinning. */
struct cell {
	const char *method;
	const char *target;
	const char *parent;
	const char *pinning;
	enum metric metric;
	size_t parent_bytes, parent_maps;
	int plot;		/* a point of the latency-against-size plot */
	double median_us, p99_us, mean_us, ratio;
};

const char *metric_name(enum metric m);
/* Sorts the series and fills the cell's statistics (not the ratio). */
void cell_stats(struct cell *c, struct series *s);

/* Output: the human table, CSV, SVG. */
void print_cells(const struct cell *c, size_t n);
int write_csv(const char *path, const struct cell *c, size_t n);
int write_svg(const char *path, const struct cell *c, size_t n);
/* Cells back from a CSV of write_csv() (--replot); their count, 0 if the
 * file cannot be read. */
size_t read_csv(const char *path, struct cell **c);
void free_cells(struct cell *c, size_t n);

/*
 * Programs run as a user would (shim.c, workload.c): argv[0] searched in
 * PATH, waited for; wall time and the child's CPU time. Returns 0, or an
 * errno (ECHILD: it did not exit with 0).
 */
int bench_run(char *const argv[], char *const envp[], double *wall_us,
	      double *cpu_us);
/* envp: PATH, LC_ALL, LD_PRELOAD=preload (in buf) unless NULL, then the
 * NULL-terminated extra list. Returns 0 or an errno. */
int bench_env(char **envp, size_t max, char *buf, size_t len,
	      const char *preload, const char *const *extra);
/* Sorts v; its median (0 for none). */
double bench_median(double *v, size_t n);
/* The shim's load cost in a process that never spawns (shim.c). */
void bench_shim_load(size_t rounds);
/* make -j2 with 300 no-op targets, with and without the shim and a pool
 * (workload.c). */
void bench_workload(size_t rounds, int quick);

#endif
