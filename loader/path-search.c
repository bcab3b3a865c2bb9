/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
#include <linux/errno.h>
#include "mem.h"
#include "path-search.h"

#define NAME_MAX_	255

int path_search_wanted(const char *file)
{
	for (; *file; file++)
		if (*file == '/')
			return 0;
	return 1;
}

int path_search_start(struct path_search *s, const char *file,
		      const char *list)
{
	s->file = file;
	s->file_len = strnlen(file, NAME_MAX_ + 1) + 1;
	s->next = list ? list : PATH_SEARCH_DEFAULT;
	s->denied = 0;
	if (!*file)
		return ENOENT;
	if (s->file_len > NAME_MAX_ + 1)
		return ENAMETOOLONG;
	return 0;
}

int path_search_next(struct path_search *s, char *buf, size_t size)
{
	const char *dir;
	size_t dlen;

	while ((dir = s->next)) {
		for (dlen = 0; dir[dlen] && dir[dlen] != ':'; dlen++)
			;
		s->next = dir[dlen] ? dir + dlen + 1 : NULL;
		if (dlen + 1 + s->file_len > size)
			continue;
		memcpy(buf, dir, dlen);
		buf[dlen] = '/';
		memcpy(buf + dlen + (dlen != 0), s->file, s->file_len);
		return 1;
	}
	return 0;
}

/*
 * glibc's list, and only it: these say the file is missing or not ours to
 * run (ESTALE, ENODEV and ETIMEDOUT are what network and odd file systems
 * say for it). Anything else means the file is there and failed: report
 * that rather than run another file of the same name.
 */
int path_search_continues(struct path_search *s, int err)
{
	if (err == EACCES)
		s->denied = 1;
	return err == EACCES || err == ENOENT || err == ESTALE ||
	       err == ENOTDIR || err == ENODEV || err == ETIMEDOUT;
}

int path_search_error(const struct path_search *s)
{
	return s->denied ? EACCES : ENOENT;
}
