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
		   "ratio\n");
	for (i = 0; i < n; i++)
		fprintf(f, "%s,%s,%s,%s,%s,%.2f,%.2f,%.4f\n", c[i].method,
			c[i].target, c[i].parent, c[i].pinning,
			metric_name(c[i].metric), c[i].median_us, c[i].p99_us,
			c[i].ratio);
	return fclose(f);
}

/* --- SVG ------------------------------------------------------------- */

#define SVG_W		960
#define SVG_H		490
#define PANEL_W		370
#define PANEL_H		300
#define PANEL_Y		70

static const char *const colours[] = {
	"#d62728", "#ff7f0e", "#1f77b4", "#2ca02c", "#9467bd", "#8c564b",
	"#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
};

struct axes {
	double x0, y0;		/* panel origin (top left), pixels */
	double xmax;		/* MiB */
	double lmin, lmax;	/* log10(us) */
};

static double px(const struct axes *a, double mib)
{
	return a->x0 + (a->xmax > 0 ? mib / a->xmax : 0) * PANEL_W;
}

static double py(const struct axes *a, double us)
{
	double l = log10(us > 0 ? us : 1e-3);

	return a->y0 + PANEL_H - (l - a->lmin) / (a->lmax - a->lmin) * PANEL_H;
}

static double mib(size_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

static void panel(FILE *f, const struct cell *c, size_t n,
		  const char *target, double x0, const char *title)
{
	struct axes a = { .x0 = x0, .y0 = PANEL_Y, .xmax = 0 };
	double lo = 1e300, hi = 0, d;
	size_t i, m;

	for (i = 0; i < n; i++) {
		if (!c[i].plot || strcmp(c[i].target, target))
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
	a.lmin = floor(log10(lo));
	a.lmax = ceil(log10(hi));
	if (a.lmax <= a.lmin)
		a.lmax = a.lmin + 1;

	fprintf(f, "<text x=\"%.0f\" y=\"%d\" class=\"t\">%s</text>\n",
		x0 + PANEL_W / 2.0, PANEL_Y - 12, title);
	fprintf(f, "<rect x=\"%.0f\" y=\"%d\" width=\"%d\" height=\"%d\" "
		   "fill=\"none\" stroke=\"#444\"/>\n", x0, PANEL_Y, PANEL_W,
		PANEL_H);
	/* Decades with labels, 2 and 5 as faint lines. */
	for (d = a.lmin; d <= a.lmax + 1e-9; d++) {
		static const int sub[] = { 1, 2, 5 };
		size_t k;

		for (k = 0; k < 3; k++) {
			double us = sub[k] * pow(10, d), y = py(&a, us);

			if (log10(us) > a.lmax + 1e-9)
				break;
			fprintf(f, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" "
				   "y2=\"%.1f\" stroke=\"#%s\"/>\n", x0,
				x0 + PANEL_W, y, y, k ? "eee" : "ccc");
			if (us >= 1000)
				fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" "
					   "class=\"yl\">%g ms</text>\n",
					x0 - 6, y + 4, us / 1000);
			else
				fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" "
					   "class=\"yl\">%g us</text>\n",
					x0 - 6, y + 4, us);
		}
	}
	/* X ticks at every measured parent size. */
	for (i = 0; i < n; i++) {
		size_t j;
		double x;

		if (!c[i].plot || strcmp(c[i].target, target))
			continue;
		for (j = 0; j < i; j++)
			if (c[j].plot && !strcmp(c[j].target, target) &&
			    c[j].parent_bytes == c[i].parent_bytes)
				break;
		if (j < i)
			continue;
		x = px(&a, mib(c[i].parent_bytes));
		fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
			   "stroke=\"#444\"/>\n", x, x, PANEL_Y + PANEL_H,
			PANEL_Y + PANEL_H + 5);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"xl\">%.0f</text>\n",
			x, PANEL_Y + PANEL_H + 18, mib(c[i].parent_bytes));
	}
	/* One line per method, points in the order measured by size. */
	for (m = 0; m < n_methods; m++) {
		const char *col = colours[m % (sizeof(colours) /
					       sizeof(colours[0]))];
		size_t prev_bytes = 0;
		int started = 0;

		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" "
			   "stroke-width=\"2\" points=\"", col);
		for (;;) {
			const struct cell *best = NULL;

			for (i = 0; i < n; i++) {
				const struct cell *x = &c[i];

				if (!x->plot || strcmp(x->target, target) ||
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
			if (c[i].plot && !strcmp(c[i].target, target) &&
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
	const char *pinning = "";

	if (!f)
		return -1;
	for (i = 0; i < n; i++)
		if (c[i].plot && c[i].parent_bytes >= bytes) {
			bytes = c[i].parent_bytes;
			maps = c[i].parent_maps;
			pinning = c[i].pinning;
		}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		   "height=\"%d\" viewBox=\"0 0 %d %d\" "
		   "font-family=\"sans-serif\" font-size=\"12\">\n",
		SVG_W, SVG_H, SVG_W, SVG_H);
	fprintf(f, "<style>.t{text-anchor:middle;font-size:14px}"
		   ".xl{text-anchor:middle}.yl{text-anchor:end}</style>\n"
		   "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"%d\" y=\"24\" class=\"t\" font-size=\"16\">"
		   "spawn + wait, median (log scale), against the parent's "
		   "size (%s)</text>\n", SVG_W / 2, pinning);
	panel(f, c, n, "true", 80, "/bin/true (dynamic)");
	panel(f, c, n, "static", 80 + PANEL_W + 70, "static target (no libc)");
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"t\">parent: touched "
		   "anonymous memory, MiB (in up to %zu mappings at %.0f "
		   "MiB, proportionally fewer below)</text>\n",
		80 + PANEL_W + 35, PANEL_Y + PANEL_H + 40, maps, mib(bytes));
	for (i = 0; i < n_methods; i++) {
		int x = 80 + (int)(i % 5) * 170;
		int y = PANEL_Y + PANEL_H + 70 + (int)(i / 5) * 20;

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
