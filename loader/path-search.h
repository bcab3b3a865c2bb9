/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The PATH search of execvp() and posix_spawnp(), with glibc's rules: the
 * candidates in the order of the list, an empty element meaning the
 * current directory; a candidate that is missing or may not be executed
 * lets the search go on, any other error ends it; EACCES is reported only
 * if no candidate ran. Pure: no system calls, no allocation. Compiled into
 * the loader and into the command-line tools; the caller tries each
 * candidate its own way.
 */
#ifndef PRISTINE_LOADER_PATH_SEARCH_H
#define PRISTINE_LOADER_PATH_SEARCH_H

#include <stddef.h>

/* The list when there is no PATH: glibc's _CS_PATH. */
#define PATH_SEARCH_DEFAULT	"/bin:/usr/bin"

struct path_search {
	const char *file;
	size_t file_len;	/* including the NUL */
	const char *next;	/* the rest of the list; NULL at the end */
	int denied;		/* a candidate failed with EACCES */
};

/* Is file a name to search for, not a path (it has no slash)? */
int path_search_wanted(const char *file);

/*
 * Starts a search for file in list (a PATH value; NULL: the default).
 * Returns 0, or the errno of the search: ENOENT for an empty name,
 * ENAMETOOLONG for one longer than NAME_MAX.
 */
int path_search_start(struct path_search *s, const char *file,
		      const char *list);

/*
 * Writes the next candidate into buf: "dir/file", or "file" for an empty
 * element. Returns 1, or 0 when the list is done. A candidate longer than
 * size bytes is skipped.
 */
int path_search_next(struct path_search *s, char *buf, size_t size);

/* After a candidate failed with err (a positive errno): does the search
 * go on? */
int path_search_continues(struct path_search *s, int err);

/* The errno once every candidate failed: EACCES if one was denied, else
 * ENOENT. */
int path_search_error(const struct path_search *s);

#endif
