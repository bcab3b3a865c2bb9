/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * -S STRING, --split-string STRING: one argument split into several, with
 * the rules of env -S, for #! lines (the kernel passes everything after
 * the interpreter's name as one argument):
 *	#!/usr/bin/pristine-run -S --rlimit NOFILE=64 python3
 * Words are separated by white space; '...' is literal but for \\ and \';
 * "..." and bare words know the escapes \" \' \\ \$ \# \_ \f \n \r \t \v
 * and ${NAME} (from pristine-run's own environment); \_ separates words
 * outside quotes and is a space inside; \c outside quotes ends the string;
 * # starting a word starts a comment.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "run.h"
#include "tool.h"

struct words {
	char **v;
	size_t n;
	char *cur;	/* the word being built */
	size_t len;
	int open;	/* a word is started, even if empty ('') */
};

static void add_char(struct words *w, char c)
{
	char *p = realloc(w->cur, w->len + 2);

	if (!p)
		oom();
	w->cur = p;
	w->cur[w->len++] = c;
	w->cur[w->len] = 0;
	w->open = 1;
}

static void end_word(struct words *w)
{
	char **v;

	if (!w->open)
		return;
	if (!(v = realloc(w->v, (w->n + 1) * sizeof(*v))))
		oom();
	w->v = v;
	w->v[w->n++] = w->cur ? w->cur : xasprintf("%s", "");
	w->cur = NULL;
	w->len = 0;
	w->open = 0;
}

/* The character an escape \c stands for, 0 if none: in both bare words
 * and double quotes. */
static char escaped(char c)
{
	switch (c) {
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'v': return '\v';
	case '"': case '\'': case '\\': case '$': case '#': return c;
	default: return 0;
	}
}

/* ${NAME} at p: appends its value, returns the length of the reference. */
static size_t expand(struct words *w, const char *p)
{
	const char *name = p + 2, *e = name, *value;
	size_t n;

	if (p[1] == '{' && (*e == '_' || (*e >= 'a' && *e <= 'z') ||
			    (*e >= 'A' && *e <= 'Z')))
		for (e++; *e == '_' || (*e >= 'a' && *e <= 'z') ||
			  (*e >= 'A' && *e <= 'Z') || (*e >= '0' && *e <= '9');
		     e++)
			;
	if (p[1] != '{' || e == name || *e != '}')
		tool_usage_error("-S: only ${VARNAME} expansion is supported, "
				 "error at: %s", p);
	if ((value = getenv(strndupa(name, (size_t)(e - name)))))
		for (n = 0; value[n]; n++)
			add_char(w, value[n]);
	return (size_t)(e - p) + 1;
}

char **split_string(const char *s, size_t *count)
{
	struct words w = { 0 };
	const char *p = s;
	char quote = 0, c;

	for (; *p; p++) {
		if (quote == '\'') {
			if (*p == '\'')
				quote = 0;
			else if (*p == '\\' && (p[1] == '\\' || p[1] == '\''))
				add_char(&w, *++p);
			else
				add_char(&w, *p);
			continue;
		}
		if (*p == '\\') {
			if (!p[1])
				tool_usage_error("-S: invalid backslash at end "
						 "of string");
			p++;
			if (*p == 'c' && quote)
				tool_usage_error("-S: '\\c' must not appear in "
						 "a double-quoted string");
			if (*p == 'c')
				break;
			if (*p == '_' && quote)
				add_char(&w, ' ');
			else if (*p == '_')
				end_word(&w);
			else if ((c = escaped(*p)))
				add_char(&w, c);
			else
				tool_usage_error("-S: invalid sequence '\\%c'",
						 *p);
			continue;
		}
		if (*p == '$') {
			p += expand(&w, p) - 1;
			continue;
		}
		if (quote) {	/* '"' */
			if (*p == '"')
				quote = 0;
			else
				add_char(&w, *p);
			continue;
		}
		if (strchr(" \t\n\v\f\r", *p)) {
			end_word(&w);
		} else if (*p == '#' && !w.open) {
			break;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			w.open = 1;
		} else {
			add_char(&w, *p);
		}
	}
	if (quote)
		tool_usage_error("-S: no terminating quote in the string");
	end_word(&w);
	*count = w.n;
	return w.v;
}
