/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * pristine-bench: every spawn method, on two targets, from several parent
 * shapes, pinned to one CPU and not, in one run. Methods are interleaved
 * (one sample of each per round, in a shuffled order: A B C, C A B, B C A
 * ...) so that drift in the machine hits all of them alike; ratios are
 * taken against glibc's posix_spawn() measured in the same rounds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "async.h"
#include "bench.h"

#ifndef BENCH_STAMP_PATH
#define BENCH_STAMP_PATH "pristine-bench-stamp"
#endif

#define MIB (1024ul * 1024ul)
#define GAP_US 1000	/* untimed idle time after every sample */

struct options {
	int quick;
	const char *csv, *svg, *stamp, *replot;
	size_t rounds, big_rounds, warmup;
	size_t large_bytes, large_maps;
	int threads;
	size_t sweep[8];	/* intermediate plot sizes, bytes */
	size_t n_sweep;
	int sweep_set;
	size_t sustained;	/* back-to-back spawns per method and target */
	size_t async;		/* rounds and spawns of async.c's cells */
	const char *async_csv;
	size_t shim_rounds;	/* bench_shim_load() */
	size_t make_rounds;	/* bench_workload() */
	const char *methods;	/* comma-separated names, or NULL: all */
	const char *parents;	/* the same for parent shapes */
	const char *targets;	/* the same for targets */
	int unpinned;		/* no pinned phases */
};

/* One parent shape measured under one pinning. */
struct phase {
	const char *parent;
	struct parent_shape shape;
	int pinned;
	size_t rounds;
	int plot;
};

static int stamp_rd = -1;
static const char *only_methods;

/* Is name in the comma-separated list (NULL: everything is)? */
static int listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	if (!list)
		return 1;
	for (p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ',') && (!p[n] || p[n] == ','))
			return 1;
	return 0;
}

/* Measured in this run? The baseline always is: ratios need it. */
static int selected(size_t m)
{
	return m == baseline_method || listed(only_methods, methods[m].name);
}
static struct cell *cells;
static size_t n_cells, cap_cells;

static char *const env[] = { "PATH=/usr/local/bin:/usr/bin:/bin",
			     "LC_ALL=C", NULL };

static void die(const char *fmt, const char *a, int err)
{
	fprintf(stderr, "pristine-bench: ");
	fprintf(stderr, fmt, a);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fprintf(stderr, "\n");
	exit(1);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/*
 * One sample: the spawn call until waitpid() returns, and for a stamping
 * target the spawn call until its first instruction's clock reading.
 * Returns 0 or a positive errno, with *why saying what went wrong.
 */
static int sample(const struct method *m, void *state, const struct target *t,
		  double *spawn_wait, double *first_insn, const char **why)
{
	struct timespec stamp;
	double t0, t1;
	pid_t pid;
	int err, status;

	t0 = now_us();
	if ((err = m->spawn(state, t, &pid))) {
		*why = "spawn failed";
		return err;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			*why = "waitpid";
			return errno;
		}
	t1 = now_us();
	*spawn_wait = t1 - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		*why = "the target did not exit 0";
		return ECHILD;
	}
	if (!t->stamps)
		return 0;
	if (read(stamp_rd, &stamp, sizeof(stamp)) != sizeof(stamp)) {
		*why = "the target wrote no stamp";
		return EIO;
	}
	*first_insn = (double)stamp.tv_sec * 1e6 +
		      (double)stamp.tv_nsec / 1e3 - t0;
	return 0;
}

/* A fixed-seed xorshift: the same orders in every run. */
static void shuffle(size_t *order, size_t n)
{
	static uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t i, j, k;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n; i > 1; i--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = (size_t)(x % i);
		k = order[i - 1];
		order[i - 1] = order[j];
		order[j] = k;
	}
}

/*
 * After fork() the parent's memory is copy-on-write; once the child has
 * exec'd, the parent's next write to each page faults (to take the page
 * back). That is fork's cost, but it would be paid by whichever method is
 * measured next, for the pages its own code path writes: one untimed
 * sample of every other method absorbs it.
 */
static int settle(void *const *state, const struct target *t,
		  const char **why)
{
	double w, f;
	size_t m;
	int err;

	for (m = 0; m < n_methods; m++)
		if (!methods[m].settle && selected(m) &&
		    (err = sample(&methods[m], state[m], t, &w, &f, why)))
			return err;
	return 0;
}

static struct cell *cell_add(void)
{
	if (n_cells == cap_cells) {
		size_t cap = cap_cells ? 2 * cap_cells : 64;
		struct cell *c = realloc(cells, cap * sizeof(*c));

		if (!c)
			die("%s", "out of memory", ENOMEM);
		cells = c;
		cap_cells = cap;
	}
	memset(&cells[n_cells], 0, sizeof(*cells));
	return &cells[n_cells++];
}

/*
 * Every method on one target, interleaved; appends the block's cells. A
 * method whose prepare() says ENOTSUP (a cell this run cannot measure: not
 * root, no capability install) is left out of the block.
 */
static void measure(const struct options *o, const struct phase *ph,
		    const struct target *t)
{
	void *state[16] = { 0 };
	int skip[16] = { 0 };
	size_t cell_of[16];
	struct series s[16][METRIC_COUNT];
	size_t total = o->warmup + ph->rounds, r, m;
	int metrics = t->stamps ? 2 : 1, k;

	if (n_methods > 16)
		die("%s", "too many methods", 0);
	for (m = 0; m < n_methods; m++) {
		int err = methods[m].prepare
				  ? methods[m].prepare(t, &state[m]) : 0;

		if (!selected(m) ||
		    (err == ENOTSUP && m != baseline_method)) {
			skip[m] = 1;
			continue;
		}
		if (err)
			die("cannot prepare %s", methods[m].name, err);
		for (k = 0; k < METRIC_COUNT; k++) {
			s[m][k].n = 0;
			s[m][k].us = calloc(ph->rounds, sizeof(double));
			if (!s[m][k].us)
				die("%s", "out of memory", ENOMEM);
		}
	}
	for (r = 0; r < total; r++) {
		size_t order[16], i;

		/* Every method once per round, in a new order each round: what
		 * one method leaves behind must not always fall on the same
		 * next one (a rotation would keep the neighbours). */
		shuffle(order, n_methods);
		for (i = 0; i < n_methods; i++) {
			double w = 0, f = 0;
			const char *why = "";
			int err;

			m = order[i];
			if (skip[m])
				continue;
			err = sample(&methods[m], state[m], t, &w, &f, &why);
			if (!err && methods[m].settle)
				err = settle(state, t, &why);
			/* The idle gap, untimed: pools and templates refill
			 * here, as they would between a program's spawns. */
			usleep(GAP_US);

			if (err) {
				fprintf(stderr, "pristine-bench: %s, target "
					"%s, parent %s: %s",
					methods[m].name, t->name, ph->parent,
					why);
				die("%s", "", err);
			}
			if (r < o->warmup)
				continue;
			s[m][METRIC_SPAWN_WAIT].us[s[m][METRIC_SPAWN_WAIT].n++] = w;
			s[m][METRIC_FIRST_INSN].us[s[m][METRIC_FIRST_INSN].n++] = f;
		}
	}
	for (k = 0; k < metrics; k++) {
		for (m = 0; m < n_methods; m++) {
			struct cell *c;

			if (skip[m])
				continue;
			c = cell_add();
			cell_of[m] = (size_t)(c - cells);
			c->method = methods[m].name;
			c->target = t->name;
			c->parent = ph->parent;
			c->pinning = ph->pinned ? "pinned" : "unpinned";
			c->metric = (enum metric)k;
			c->parent_bytes = ph->shape.bytes;
			c->parent_maps = ph->shape.maps;
			c->plot = ph->plot && k == METRIC_SPAWN_WAIT;
			cell_stats(c, &s[m][k]);
		}
		for (m = 0; m < n_methods; m++)
			if (!skip[m])
				cells[cell_of[m]].ratio =
					cells[cell_of[m]].median_us /
					cells[cell_of[baseline_method]].median_us;
	}
	for (m = 0; m < n_methods; m++) {
		if (skip[m])
			continue;
		if (methods[m].release)
			methods[m].release(state[m]);
		for (k = 0; k < METRIC_COUNT; k++)
			free(s[m][k].us);
	}
}

static size_t count_mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	size_t n = 0;
	int c;

	if (!f)
		return 0;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* The CPU model and the clock source, as the header shows them. */
static void read_line(const char *path, const char *prefix, char *out,
		      size_t len)
{
	FILE *f = fopen(path, "r");
	char line[256];

	snprintf(out, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v = line;

		if (prefix) {
			if (strncmp(line, prefix, strlen(prefix)))
				continue;
			if (!(v = strchr(line, ':')))
				continue;
			v += 2;
		}
		v[strcspn(v, "\n")] = 0;
		snprintf(out, len, "%s", v);
		break;
	}
	fclose(f);
}

static void header(const struct options *o, const struct phase *ph,
		   size_t n_ph, const struct target *tg, size_t n_tg)
{
	struct timespec res;
	struct utsname u;
	char model[256], source[256], load[256];
	const char *loader = getenv("PRISTINE_LOADER");
	size_t i;

	uname(&u);
	read_line("/proc/cpuinfo", "model name", model, sizeof(model));
	read_line("/sys/devices/system/clocksource/clocksource0/"
		  "current_clocksource", NULL, source, sizeof(source));
	clock_getres(CLOCK_MONOTONIC, &res);
	printf("pristine-bench (%s mode)\n", o->quick ? "quick" : "full");
	printf("machine: %ld CPUs online, %s, %s %s\n",
	       sysconf(_SC_NPROCESSORS_ONLN), model, u.sysname, u.release);
	printf("clock: CLOCK_MONOTONIC via clock_gettime() (resolution %ld ns,"
	       " clocksource %s); the static target reads the same clock by "
	       "a raw system call\n", res.tv_nsec, source);
	read_line("/proc/loadavg", NULL, load, sizeof(load));
	printf("load average at start (other processes compete for the "
	       "CPUs): %s\n", load);
	printf("loader: %s\n", loader ? loader : "(installed path)");
	printf("methods (one sample each per round, order shuffled each "
	       "round):");
	for (i = 0; i < n_methods; i++)
		if (selected(i))
			printf(" %s", methods[i].name);
	printf("\nratio: median / median of %s, same target, parent, "
	       "pinning and rounds\n", methods[baseline_method].name);
	printf("targets:");
	for (i = 0; i < n_tg; i++)
		printf(" %s (%s)", tg[i].name, tg[i].path);
	printf("\nwarm-up: %zu rounds per cell, not counted; after every "
	       "sample an untimed idle gap of %d us (pools and templates "
	       "refill in it)\n", o->warmup, GAP_US);
	printf("pinned runs: the benchmark process on CPU %d (children "
	       "inherit it)\n", pin_cpu());
	printf("parents:\n");
	for (i = 0; i < n_ph; i++)
		printf("  %-10s %-8s %5zu MiB touched in %6zu mappings, "
		       "%d idle threads: %zu rounds\n", ph[i].parent,
		       ph[i].pinned ? "pinned" : "unpinned",
		       ph[i].shape.bytes / MIB, ph[i].shape.maps,
		       ph[i].shape.threads, ph[i].rounds);
	fflush(stdout);
}

/* --- options --------------------------------------------------------- */

static size_t parse_size(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		die("bad %s", what, 0);
	switch (*end) {
	case 'G': case 'g': v <<= 10; /* fall through */
	case 'M': case 'm': v <<= 10; /* fall through */
	case 'K': case 'k': v <<= 10; end++; break;
	case 0: break;
	default: die("bad %s", what, 0);
	}
	if (*end)
		die("bad %s", what, 0);
	return (size_t)v;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: pristine-bench [options]\n"
"  --quick            a smoke run (well under a minute)\n"
"  --sustained N      N spawns back to back per method and target (default\n"
"                     10000, 200 with --quick; 0: skip)\n"
"  --csv FILE         every cell as CSV\n"
"  --svg FILE         latency against parent size, one line per method\n"
"  --replot CSV       measure nothing: draw --svg from the cells of CSV\n"
"                     (written by --csv)\n"
"  --rounds N         rounds per cell, small and threaded parents\n"
"  --large-rounds N   rounds per cell, parents with memory (fork is slow)\n"
"  --warmup N         uncounted rounds before each cell\n"
"  --large-size SIZE  the large parent's touched memory (e.g. 2G)\n"
"  --large-maps N     ... spread over N mappings\n"
"  --threads N        the threaded parent's extra idle threads\n"
"  --sweep LIST       extra parent sizes for the plot, e.g. 256M,1G\n"
"                     (default: 1/8 and 1/2 of the large size; \"\" none)\n"
"  --static-target P  the static target (default: the one built here)\n"
"  --async N          the asynchronous run: N rounds per in-call cell, N\n"
"                     spawns per dispatch cell (default 1000, 50 with\n"
"                     --quick; 0: skip)\n"
"  --async-csv FILE   its cells as CSV\n"
"  --shim-rounds N    the shim's load cost: runs per preload (default\n"
"                     2000, 30 with --quick; 0: skip)\n"
"  --make-rounds N    make -j2 workload: runs per variant (default 15,\n"
"                     1 with --quick; 0: skip)\n"
"  --methods LIST     only these methods, e.g. posix_spawn,pristine-pool\n"
"                     (posix_spawn, the baseline, always runs)\n"
"  --parents LIST     only these parents: small,threads,large,mem-NM\n"
"  --targets LIST     only these targets: true,static\n"
"  --unpinned         no pinned phases\n");
}

static void parse(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "sustained", required_argument, NULL, 'B' },
		{ "csv", required_argument, NULL, 'c' },
		{ "svg", required_argument, NULL, 's' },
		{ "replot", required_argument, NULL, 'P' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "large-rounds", required_argument, NULL, 'R' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "large-size", required_argument, NULL, 'L' },
		{ "large-maps", required_argument, NULL, 'M' },
		{ "threads", required_argument, NULL, 't' },
		{ "sweep", required_argument, NULL, 'S' },
		{ "static-target", required_argument, NULL, 'T' },
		{ "async", required_argument, NULL, 'A' },
		{ "async-csv", required_argument, NULL, 'a' },
		{ "shim-rounds", required_argument, NULL, 'H' },
		{ "make-rounds", required_argument, NULL, 'K' },
		{ "methods", required_argument, NULL, 'm' },
		{ "parents", required_argument, NULL, 'p' },
		{ "targets", required_argument, NULL, 'g' },
		{ "unpinned", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	size_t rounds = 0, big_rounds = 0, warmup = (size_t)-1;
	size_t bytes = 0, maps = 0;
	const char *sweep = NULL;
	ssize_t sustained = -1, async = -1, shim_rounds = -1;
	ssize_t make_rounds = -1;
	int c, threads = -1;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'q': o->quick = 1; break;
		case 'B': sustained = (ssize_t)parse_size(optarg, "--sustained");
			  break;
		case 'c': o->csv = optarg; break;
		case 's': o->svg = optarg; break;
		case 'P': o->replot = optarg; break;
		case 'r': rounds = parse_size(optarg, "--rounds"); break;
		case 'R': big_rounds = parse_size(optarg, "--large-rounds");
			  break;
		case 'w': warmup = parse_size(optarg, "--warmup"); break;
		case 'L': bytes = parse_size(optarg, "--large-size"); break;
		case 'M': maps = parse_size(optarg, "--large-maps"); break;
		case 't': threads = (int)parse_size(optarg, "--threads");
			  break;
		case 'S': sweep = optarg; break;
		case 'T': o->stamp = optarg; break;
		case 'A': async = (ssize_t)parse_size(optarg, "--async");
			  break;
		case 'a': o->async_csv = optarg; break;
		case 'H': shim_rounds = (ssize_t)parse_size(optarg,
							    "--shim-rounds");
			  break;
		case 'K': make_rounds = (ssize_t)parse_size(optarg,
							    "--make-rounds");
			  break;
		case 'm': o->methods = optarg; break;
		case 'p': o->parents = optarg; break;
		case 'g': o->targets = optarg; break;
		case 'u': o->unpinned = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc) {
		usage(stderr);
		exit(2);
	}
	only_methods = o->methods;
	o->sustained = sustained >= 0 ? (size_t)sustained
				      : o->quick ? 200 : 10000;
	o->async = async >= 0 ? (size_t)async : o->quick ? 50 : 1000;
	o->shim_rounds = shim_rounds >= 0 ? (size_t)shim_rounds
					  : o->quick ? 30 : 2000;
	o->make_rounds = make_rounds >= 0 ? (size_t)make_rounds
					  : o->quick ? 1 : 15;
	o->rounds = rounds ? rounds : o->quick ? 40 : 1000;
	o->big_rounds = big_rounds ? big_rounds : o->quick ? 10 : 100;
	o->warmup = warmup != (size_t)-1 ? warmup : o->quick ? 3 : 20;
	o->large_bytes = bytes ? bytes : o->quick ? 256 * MIB : 2048 * MIB;
	o->large_maps = maps ? maps : o->quick ? 2500 : 20000;
	o->threads = threads >= 0 ? threads : 8;
	if (!o->stamp)
		o->stamp = BENCH_STAMP_PATH;
	if (!sweep) {
		o->sweep[o->n_sweep++] = o->large_bytes / 8;
		o->sweep[o->n_sweep++] = o->large_bytes / 2;
	} else {
		char *copy = strdup(sweep), *tok, *save = NULL;

		for (tok = strtok_r(copy, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			if (o->n_sweep == sizeof(o->sweep) / sizeof(o->sweep[0]))
				die("%s", "--sweep: at most 8 sizes", 0);
			o->sweep[o->n_sweep++] = parse_size(tok, "--sweep size");
		}
		free(copy);
	}
}

/* The plan: every parent unpinned (with the plot's sizes) and pinned. */
static size_t plan(const struct options *o, struct phase *ph)
{
	size_t n = 0, i, k;
	int pinned;

	for (pinned = 0; pinned <= !o->unpinned; pinned++) {
		ph[n++] = (struct phase){ "small", { 0, 0, 0 }, pinned,
					  o->rounds, !pinned };
		ph[n++] = (struct phase){ "threads", { 0, 0, o->threads },
					  pinned, o->rounds, 0 };
		for (i = 0; !pinned && i < o->n_sweep; i++) {
			static char names[8][24];
			size_t b = o->sweep[i];

			snprintf(names[i], sizeof(names[i]), "mem-%zuM",
				 b / MIB);
			ph[n++] = (struct phase){
				names[i],
				{ b, (size_t)((double)o->large_maps * (double)b /
					      (double)o->large_bytes), 0 },
				pinned, o->big_rounds, 1 };
		}
		ph[n++] = (struct phase){ "large",
					  { o->large_bytes, o->large_maps, 0 },
					  pinned, o->big_rounds, !pinned };
	}
	for (i = k = 0; i < n; i++)
		if (listed(o->parents, ph[i].parent))
			ph[k++] = ph[i];
	return k;
}

/*
 * Children inherit exactly 0, 1, 2 and the stamp pipe: whatever else the
 * benchmark was started with (a make jobserver, say) is closed at exec.
 */
static void setup_fds(void)
{
	int p[2];

	if (close_range(3, ~0u, CLOSE_RANGE_CLOEXEC) < 0)
		die("%s", "close_range", errno);
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		die("%s", "pipe", errno);
	if (dup2(p[1], BENCH_STAMP_FD) < 0)	/* not close-on-exec */
		die("%s", "dup2", errno);
	close(p[1]);
	stamp_rd = p[0];
}

/*
 * Sustained: n spawn+wait back to back, no gap, from the small unpinned
 * parent: can the pool and the templates refill as fast as they are used?
 * Prints the mean per spawn, spawns/s and the ratio to posix_spawn.
 */
static void sustained(size_t n, const struct target *tg, size_t n_tg)
{
	static const char *const names[] = { "posix_spawn", "pristine_spawn",
					     "pristine-pool",
					     "pristine-template" };
	size_t i, j, k, m;

	printf("\nsustained: %zu spawn+wait back to back per cell, no gap, "
	       "small parent, unpinned\n", n);
	printf("  %-7s %-18s %10s %10s %6s\n", "target", "method", "mean us",
	       "spawns/s", "ratio");
	for (i = 0; i < n_tg; i++) {
		double base = 0;

		for (j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
			const struct method *me = NULL;
			void *state = NULL;
			double t0, mean;
			int err;

			for (m = 0; m < n_methods; m++)
				if (!strcmp(methods[m].name, names[j]))
					me = &methods[m];
			if (!me || !selected((size_t)(me - methods)))
				continue;
			if (me->prepare && (err = me->prepare(&tg[i], &state)))
				die("cannot prepare %s", me->name, err);
			usleep(100000);		/* a full reserve to start */
			t0 = now_us();
			for (k = 0; k < n; k++) {
				double w, f;
				const char *why = "";

				if ((err = sample(me, state, &tg[i], &w, &f, &why)))
					die(why, "", err);
			}
			mean = (now_us() - t0) / (double)n;
			if (me->release)
				me->release(state);
			if (!base)
				base = mean;
			printf("  %-7s %-18s %10.1f %10.0f %6.2f\n", tg[i].name,
			       me->name, mean, 1e6 / mean, mean / base);
		}
	}
}

/* The default mode, for root and for uid 65534 without and with the
 * capability install: the price of faithfulness, on record. */
static void headline(void)
{
	static const char *const names[] = { "pristine_spawn",
		"nobody:default", "nobody:cap-install" };
	size_t i, j;

	if (only_methods)
		return;

	printf("\nheadline: the default mode against %s (median ratio): root,"
	       " uid 65534, uid 65534 with the capability install\n",
	       methods[baseline_method].name);
	for (j = 0; j < sizeof(names) / sizeof(names[0]); j++)
		for (i = 0; i < n_cells; i++)
			if (!strcmp(cells[i].method, names[j]))
				printf("  %-18s %-7s %-9s %-9s %-10s %.2f\n",
				       names[j], cells[i].target,
				       cells[i].parent, cells[i].pinning,
				       metric_name(cells[i].metric),
				       cells[i].ratio);
}

int main(int argc, char **argv)
{
	static struct options o;
	struct phase ph[32];
	char *true_argv[] = { "true", NULL };
	char *stamp_argv[] = { "pristine-bench-stamp", NULL };
	struct target tg[2] = {
		{ "true", "/bin/true", true_argv, env, 0 },
		{ "static", NULL, stamp_argv, env, 1 },
	};
	size_t n_ph, n_tg = 0, i, j;
	double start = now_us();

	parse(argc, argv, &o);
	if (o.replot) {
		struct cell *old = NULL;
		size_t n = read_csv(o.replot, &old);

		if (!n || !o.svg)
			die("--replot %s: no cells, or no --svg", o.replot,
			    errno);
		if (write_svg(o.svg, old, n))
			die("cannot write %s", o.svg, errno);
		free_cells(old, n);
		return 0;
	}
	tg[1].path = o.stamp;
	for (i = 0; i < 2; i++)
		if (listed(o.targets, tg[i].name))
			tg[n_tg++] = tg[i];
	for (i = 0; i < n_tg; i++)
		if (access(tg[i].path, X_OK) < 0)
			die("target %s", tg[i].path, errno);
	setup_fds();
	n_ph = plan(&o, ph);
	header(&o, ph, n_ph, tg, n_tg);

	for (i = 0; i < n_ph; i++) {
		double t = now_us();
		int err;

		if ((err = pin_set(ph[i].pinned)))
			die("%s", "sched_setaffinity", err);
		if ((err = parent_set(&ph[i].shape)))
			die("cannot shape the parent %s", ph[i].parent, err);
		fprintf(stderr, "[%zu/%zu] parent %s, %s (%zu mappings in "
			"/proc/self/maps): ", i + 1, n_ph, ph[i].parent,
			ph[i].pinned ? "pinned" : "unpinned",
			count_mappings());
		for (j = 0; j < n_tg; j++)
			measure(&o, &ph[i], &tg[j]);
		fprintf(stderr, "%.1f s\n", (now_us() - t) / 1e6);
	}
	{
		static const struct parent_shape none;

		parent_set(&none);
		pin_set(0);
	}
	print_cells(cells, n_cells);
	headline();
	if (o.sustained) {
		pin_set(0);
		sustained(o.sustained, tg, n_tg);
	}
	if (o.async) {
		int err;

		fflush(stdout);
		if ((err = async_bench(o.async, tg, n_tg, stamp_rd, o.async_csv)))
			die("%s", "async", err);
	}
	if (o.shim_rounds)
		bench_shim_load(o.shim_rounds);
	if (o.make_rounds)
		bench_workload(o.make_rounds, o.quick);
	{
		char load[256];

		read_line("/proc/loadavg", NULL, load, sizeof(load));
		printf("\nload average at the end: %s\n", load);
	}
	printf("total time: %.0f s\n", (now_us() - start) / 1e6);
	if (o.csv && write_csv(o.csv, cells, n_cells))
		die("cannot write %s", o.csv, errno);
	if (o.svg && write_svg(o.svg, cells, n_cells))
		die("cannot write %s", o.svg, errno);
	free(cells);
	return 0;
}
