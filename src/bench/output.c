/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Results: statistics of a series, the table on stdout, the CSV file and
 * the SVG plot (written by hand: no dependency).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"

static const char *const metric_names[METRIC_COUNT] = {
	"spawn_wait", "first_insn",
};

const char *metric_name(enum metric m)
{
	return metric_names[m];
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void cell_stats(struct cell *c, struct series *s)
{
	size_t n = s->n, i, rank;
	double sum = 0;

	c->median_us = c->p99_us = c->mean_us = 0;
	if (!n)
		return;
	qsort(s->us, n, sizeof(*s->us), cmp_double);
	c->median_us = n & 1 ? s->us[n / 2]
			     : (s->us[n / 2 - 1] + s->us[n / 2]) / 2;
	/* Nearest rank: the smallest sample with 99 % at or below it. */
	rank = (size_t)ceil(0.99 * (double)n);
	c->p99_us = s->us[rank ? rank - 1 : 0];
	for (i = 0; i < n; i++)
		sum += s->us[i];
	c->mean_us = sum / (double)n;
}

static int same_block(const struct cell *a, const struct cell *b)
{
	return !strcmp(a->target, b->target) && !strcmp(a->parent, b->parent) &&
	       !strcmp(a->pinning, b->pinning);
}

static const struct cell *find(const struct cell *c, size_t n,
			       const char *method, enum metric m)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i].metric == m && !strcmp(c[i].method, method))
			return &c[i];
	return NULL;
}

/* Cells come in blocks of one target, parent and pinning; a block holds
 * every method for each metric. One line per method. */
void print_cells(const struct cell *c, size_t n)
{
	size_t start = 0, end, i;

	while (start < n) {
		const struct cell *first = &c[start];
		int insn;

		for (end = start + 1; end < n && same_block(first, &c[end]);
		     end++)
			;
		insn = find(c + start, end - start, first->method,
			    METRIC_FIRST_INSN) != NULL;
		printf("\ntarget %s, parent %s, %s (us)\n", first->target,
		       first->parent, first->pinning);
		printf("  %-18s %10s %10s %9s %6s", "method", "median",
		       "p99", "spawns/s", "ratio");
		if (insn)
			printf("  | 1st insn %9s %9s %6s", "median", "p99",
			       "ratio");
		printf("\n");
		for (i = start; i < end; i++) {
			const struct cell *w = &c[i], *f;

			if (w->metric != METRIC_SPAWN_WAIT)
				continue;
			printf("  %-18s %10.1f %10.1f %9.0f %6.2f", w->method,
			       w->median_us, w->p99_us,
			       w->mean_us > 0 ? 1e6 / w->mean_us : 0.0,
			       w->ratio);
			f = find(c + start, end - start, w->method,
				 METRIC_FIRST_INSN);
			if (f)
				printf("  |          %9.1f %9.1f %6.2f",
				       f->median_us, f->p99_us, f->ratio);
			printf("\n");
		}
		start = end;
	}
	fflush(stdout);
}

int write_csv(const char *path, const struct cell *c, size_t n)
{
	FILE *f = fopen(path, "w");
	size_t i;

	if (!f)
		return -1;
	fprintf(f, "method,target,parent,pinning,metric,median_us,p99_us,"
		   "ratio,parent_bytes,parent_maps,plot\n");
	for (i = 0; i < n; i++)
		fprintf(f, "%s,%s,%s,%s,%s,%.2f,%.2f,%.4f,%zu,%zu,%d\n",
			c[i].method, c[i].target, c[i].parent, c[i].pinning,
			metric_name(c[i].metric), c[i].median_us, c[i].p99_us,
			c[i].ratio, c[i].parent_bytes, c[i].parent_maps,
			c[i].plot);
	return fclose(f);
}

/* One CSV field into a string of its own. */
static char *field(char **p)
{
	char *start = *p, *end = strchr(start, ',');

	if (end) {
		*end = 0;
		*p = end + 1;
	} else {
		*p = start + strlen(start);
	}
	return strdup(start);
}

void free_cells(struct cell *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((char *)c[i].method);
		free((char *)c[i].target);
		free((char *)c[i].parent);
		free((char *)c[i].pinning);
	}
	free(c);
}

size_t read_csv(const char *path, struct cell **out)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *p;
	size_t size = 0, n = 0, lineno = 0;
	struct cell *c = NULL, *v;
	ssize_t len;

	if (!f)
		return 0;
	while ((len = getline(&line, &size, f)) > 0) {
		struct cell x = { 0 };
		char *metric, *num[6], *end;
		size_t k;

		if (lineno++ == 0 || *line == '#')
			continue;	/* the header; comments */
		if (line[len - 1] == '\n')
			line[len - 1] = 0;
		p = line;
		x.method = field(&p);
		x.target = field(&p);
		x.parent = field(&p);
		x.pinning = field(&p);
		metric = field(&p);
		for (k = 0; k < 6; k++)
			num[k] = field(&p);
		x.metric = strcmp(metric, "first_insn") ? METRIC_SPAWN_WAIT
							: METRIC_FIRST_INSN;
		x.median_us = strtod(num[0], &end);
		x.p99_us = strtod(num[1], NULL);
		x.ratio = strtod(num[2], NULL);
		x.parent_bytes = strtoull(num[3], NULL, 10);
		x.parent_maps = strtoull(num[4], NULL, 10);
		x.plot = atoi(num[5]);
		if (end == num[0] || !*num[5]) {
			fprintf(stderr, "%s:%zu: not a row of 11 fields\n",
				path, lineno);
			exit(2);
		}
		free(metric);
		for (k = 0; k < 6; k++)
			free(num[k]);
		if (!(v = realloc(c, (n + 1) * sizeof(*c))))
			exit(2);
		c = v;
		c[n++] = x;
	}
	free(line);
	fclose(f);
	*out = c;
	return n;
}

/* --- SVG ------------------------------------------------------------- */

/*
 * Two rows of two panels, /bin/true and the static target. The top row has
 * every method on a log scale, where fork+execve's growth with the parent
 * shows; on it the other methods, flat, lie in one band. The bottom row
 * leaves out the methods that copy the parent (fork: those whose samples
 * need settling) and has a linear scale from 0, where they can be told
 * apart.
 */
#define SVG_W		960
#define SVG_H		830
#define PANEL_W		370
#define PANEL_H		270
#define ROW1_Y		70
#define ROW2_Y		(ROW1_Y + PANEL_H + 110)

static const char *const colours[] = {
	"#d62728", "#ff7f0e", "#1f77b4", "#2ca02c", "#9467bd", "#8c564b",
	"#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
};

struct axes {
	double x0, y0;		/* panel origin (top left), pixels */
	double xmax;		/* MiB */
	int linear;
	double lo, hi;		/* log10(us), or us when linear */
};

static double px(const struct axes *a, double mib)
{
	return a->x0 + (a->xmax > 0 ? mib / a->xmax : 0) * PANEL_W;
}

static double py(const struct axes *a, double us)
{
	double v = a->linear ? us : log10(us > 0 ? us : 1e-3);

	return a->y0 + PANEL_H - (v - a->lo) / (a->hi - a->lo) * PANEL_H;
}

static double mib(size_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

/* Whether method m has a line in a panel: all in the log row, none that
 * copies the parent in the linear one. */
static int shown(const char *method, int linear)
{
	size_t m;

	for (m = 0; m < n_methods; m++)
		if (!strcmp(methods[m].name, method))
			return !linear || !methods[m].settle;
	return 0;
}

static int in_panel(const struct cell *x, const char *target, int linear)
{
	return x->plot && !strcmp(x->target, target) &&
	       shown(x->method, linear);
}

static void y_label(FILE *f, double x0, double y, double us)
{
	if (us >= 1000)
		fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" class=\"yl\">%g ms"
			   "</text>\n", x0 - 6, y + 4, us / 1000);
	else
		fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" class=\"yl\">%g us"
			   "</text>\n", x0 - 6, y + 4, us);
}

static void grid(FILE *f, const struct axes *a)
{
	double d, step, mag;

	if (a->linear) {
		/* A step of 1, 2 or 5 times a power of ten, 4 to 10 lines. */
		mag = pow(10, floor(log10(a->hi / 5)));
		step = a->hi / mag > 25 ? 5 * mag : a->hi / mag > 10 ? 2 * mag
								   : mag;
		for (d = 0; d <= a->hi + 1e-9; d += step) {
			double y = py(a, d);

			fprintf(f, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" "
				   "y2=\"%.1f\" stroke=\"#%s\"/>\n", a->x0,
				a->x0 + PANEL_W, y, y, d ? "ddd" : "888");
			y_label(f, a->x0, y, d);
		}
		return;
	}
	/* Decades with labels, 2 and 5 as faint lines. */
	for (d = a->lo; d <= a->hi + 1e-9; d++) {
		static const int sub[] = { 1, 2, 5 };
		size_t k;

		for (k = 0; k < 3; k++) {
			double us = sub[k] * pow(10, d), y = py(a, us);

			if (log10(us) > a->hi + 1e-9)
				break;
			fprintf(f, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" "
				   "y2=\"%.1f\" stroke=\"#%s\"/>\n", a->x0,
				a->x0 + PANEL_W, y, y, k ? "eee" : "ccc");
			y_label(f, a->x0, y, us);
		}
	}
}

static void panel(FILE *f, const struct cell *c, size_t n,
		  const char *target, double x0, double y0, int linear,
		  const char *title)
{
	struct axes a = { .x0 = x0, .y0 = y0, .linear = linear };
	double lo = 1e300, hi = 0;
	size_t i, m;

	for (i = 0; i < n; i++) {
		if (!in_panel(&c[i], target, linear))
			continue;
		if (mib(c[i].parent_bytes) > a.xmax)
			a.xmax = mib(c[i].parent_bytes);
		if (c[i].median_us < lo)
			lo = c[i].median_us;
		if (c[i].median_us > hi)
			hi = c[i].median_us;
	}
	if (hi <= 0)
		return;
	if (linear) {
		a.lo = 0;
		a.hi = hi * 1.1;
	} else {
		a.lo = floor(log10(lo));
		a.hi = ceil(log10(hi));
		if (a.hi <= a.lo)
			a.hi = a.lo + 1;
	}

	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" class=\"t\">%s</text>\n",
		x0 + PANEL_W / 2.0, y0 - 12, title);
	fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%d\" height=\"%d\" "
		   "fill=\"none\" stroke=\"#444\"/>\n", x0, y0, PANEL_W,
		PANEL_H);
	grid(f, &a);
	/* X ticks at every measured parent size. */
	for (i = 0; i < n; i++) {
		size_t j;
		double x;

		if (!in_panel(&c[i], target, linear))
			continue;
		for (j = 0; j < i; j++)
			if (in_panel(&c[j], target, linear) &&
			    c[j].parent_bytes == c[i].parent_bytes)
				break;
		if (j < i)
			continue;
		x = px(&a, mib(c[i].parent_bytes));
		fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" "
			   "y2=\"%.0f\" stroke=\"#444\"/>\n", x, x,
			y0 + PANEL_H, y0 + PANEL_H + 5);
		fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" class=\"xl\">%.0f"
			   "</text>\n", x, y0 + PANEL_H + 18,
			mib(c[i].parent_bytes));
	}
	/* One line per method, points in the order measured by size. */
	for (m = 0; m < n_methods; m++) {
		const char *col = colours[m % (sizeof(colours) /
					       sizeof(colours[0]))];
		size_t prev_bytes = 0;
		int started = 0;

		if (!shown(methods[m].name, linear))
			continue;
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" "
			   "stroke-width=\"2\" points=\"", col);
		for (;;) {
			const struct cell *best = NULL;

			for (i = 0; i < n; i++) {
				const struct cell *x = &c[i];

				if (!in_panel(x, target, linear) ||
				    strcmp(x->method, methods[m].name) ||
				    (started && x->parent_bytes <= prev_bytes))
					continue;
				if (!best || x->parent_bytes < best->parent_bytes)
					best = x;
			}
			if (!best)
				break;
			fprintf(f, "%.1f,%.1f ", px(&a, mib(best->parent_bytes)),
				py(&a, best->median_us));
			prev_bytes = best->parent_bytes;
			started = 1;
		}
		fprintf(f, "\"/>\n");
		for (i = 0; i < n; i++)
			if (in_panel(&c[i], target, linear) &&
			    !strcmp(c[i].method, methods[m].name))
				fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" "
					   "r=\"3\" fill=\"%s\"/>\n",
					px(&a, mib(c[i].parent_bytes)),
					py(&a, c[i].median_us), col);
	}
}

int write_svg(const char *path, const struct cell *c, size_t n)
{
	FILE *f = fopen(path, "w");
	size_t i, maps = 0, bytes = 0;
	const char *pinning = "", *copying = NULL;
	int x0 = 80, x1 = 80 + PANEL_W + 70;

	if (!f)
		return -1;
	for (i = 0; i < n; i++)
		if (c[i].plot && c[i].parent_bytes >= bytes) {
			bytes = c[i].parent_bytes;
			maps = c[i].parent_maps;
			pinning = c[i].pinning;
		}
	for (i = 0; i < n_methods; i++)
		if (methods[i].settle)
			copying = methods[i].name;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		   "height=\"%d\" viewBox=\"0 0 %d %d\" "
		   "font-family=\"sans-serif\" font-size=\"12\">\n",
		SVG_W, SVG_H, SVG_W, SVG_H);
	fprintf(f, "<style>.t{text-anchor:middle;font-size:14px}"
		   ".xl{text-anchor:middle}.yl{text-anchor:end}</style>\n"
		   "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"%d\" y=\"24\" class=\"t\" font-size=\"16\">"
		   "spawn + wait, median, against the parent's size (%s): "
		   "every method, log scale</text>\n", SVG_W / 2, pinning);
	panel(f, c, n, "true", x0, ROW1_Y, 0, "/bin/true (dynamic)");
	panel(f, c, n, "static", x1, ROW1_Y, 0, "static target (no libc)");
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"t\" font-size=\"16\">"
		   "the same without %s, linear scale from 0</text>\n",
		SVG_W / 2, ROW2_Y - 46, copying ? copying : "fork");
	panel(f, c, n, "true", x0, ROW2_Y, 1, "/bin/true (dynamic)");
	panel(f, c, n, "static", x1, ROW2_Y, 1, "static target (no libc)");
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"t\">parent: touched "
		   "anonymous memory, MiB (in up to %zu mappings at %.0f "
		   "MiB, proportionally fewer below)</text>\n",
		x0 + PANEL_W + 35, ROW2_Y + PANEL_H + 40, maps, mib(bytes));
	for (i = 0; i < n_methods; i++) {
		int x = x0 + (int)(i % 5) * 170;
		int y = ROW2_Y + PANEL_H + 70 + (int)(i / 5) * 20;

		fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" "
			   "stroke=\"%s\" stroke-width=\"3\"/>\n", x, x + 24,
			y - 4, y - 4,
			colours[i % (sizeof(colours) / sizeof(colours[0]))]);
		fprintf(f, "<text x=\"%d\" y=\"%d\">%s</text>\n", x + 30, y,
			methods[i].name);
	}
	fprintf(f, "</svg>\n");
	return fclose(f);
}
