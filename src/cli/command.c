/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * From a command word to a running image and back to an exit status, with
 * the conventions of env(1): 127 when the command is not found, 126 when
 * it cannot be executed, 125 when the tool itself fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include "path-search.h"
#include "pristine.h"
#include "tool.h"

/*
 * Why execve() refused a file, in words a user can act on: EACCES is the
 * same for a directory, a file without execute permission and a noexec
 * mount; ENOENT for a file that exists means its #! interpreter is
 * missing.
 */
static const char *why_not(const char *file, int err, char *buf, size_t n)
{
	struct statvfs fs;
	struct stat st;

	if (strchr(file, '/') == NULL || stat(file, &st) < 0)
		return "";
	switch (err) {
	case EACCES:
		if (S_ISDIR(st.st_mode))
			return ": it is a directory";
		if (!S_ISREG(st.st_mode))
			return ": it is not a regular file";
		if (faccessat(AT_FDCWD, file, X_OK, AT_EACCESS) < 0) {
			snprintf(buf, n, ": it is not executable (mode %04o)",
				 (unsigned)(st.st_mode & 07777));
			return buf;
		}
		if (statvfs(file, &fs) == 0 && (fs.f_flag & ST_NOEXEC))
			return ": its file system is mounted noexec";
		return "";
	case ENOENT:
		return ": the interpreter its #! line names does not exist";
	case ENOEXEC:
		return ": not a format this system can execute";
	case ETXTBSY:
		return ": it is open for writing";
	case ELIBBAD:
		return ": its ELF interpreter is damaged";
	default:
		return "";
	}
}

static int not_runnable(const char *word, int err)
{
	char buf[64];

	tool_error("cannot run '%s': %s%s", word, strerror(err),
		   why_not(word, err, buf, sizeof(buf)));
	return err == ENOENT ? TOOL_EXIT_NOT_FOUND : TOOL_EXIT_CANNOT_EXEC;
}

/* What execve() would say about a candidate, short of running it. */
static int candidate_error(const char *file)
{
	struct stat st;

	if (stat(file, &st) < 0)
		return errno;
	if (!S_ISREG(st.st_mode))
		return EACCES;
	if (faccessat(AT_FDCWD, file, X_OK, AT_EACCESS) < 0)
		return errno;
	return 0;
}

int tool_find_command(const char *word, const char *search, char **path)
{
	struct path_search s;
	char file[PATH_MAX];
	int err;

	if (!path_search_wanted(word)) {
		if (!(*path = strdup(word)))
			return not_runnable(word, ENOMEM);
		return 0;
	}
	if ((err = path_search_start(&s, word, search)))
		return not_runnable(word, err);
	while (path_search_next(&s, file, sizeof(file))) {
		err = candidate_error(file);
		if (!err) {
			if (!(*path = strdup(file)))
				return not_runnable(word, ENOMEM);
			return 0;
		}
		if (!path_search_continues(&s, err))
			return not_runnable(word, err);
	}
	return not_runnable(word, path_search_error(&s));
}

int tool_config_exec(int handle, const char *path)
{
	if (pristine_config(handle, PRISTINE_SET_PATH, "exec", path,
			    AT_FDCWD) < 0)
		return not_runnable(path, errno);
	return 0;
}

int tool_failed_key(char *key, size_t size)
{
	const char *m = pristine_errmsg(), *open, *close;
	size_t n;

	if (strncmp(m, "step ", 5) || !(open = strchr(m, '(')) ||
	    !(close = strchr(open, ')')) ||
	    (n = (size_t)(close - open - 1)) >= size)
		return -1;
	memcpy(key, open + 1, n);
	key[n] = 0;
	return 0;
}

int tool_failed_in_image(void)
{
	char key[8];

	return tool_failed_key(key, sizeof(key)) == 0 &&
	       (!strcmp(key, "run") || !strcmp(key, "exec"));
}

int tool_run_failed(const char *path, int err)
{
	if (tool_failed_in_image())
		return not_runnable(path, err);
	tool_error("cannot set up the process for '%s': %s", path,
		   strerror(err));
	return TOOL_EXIT_FAILURE;
}

int tool_exit_status(const siginfo_t *si)
{
	if (si->si_code == CLD_EXITED)
		return si->si_status;
	return 128 + si->si_status;
}
