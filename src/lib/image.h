/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* The executable of a run, opened by the library and sent as an fd. */
#ifndef PRISTINE_IMAGE_H
#define PRISTINE_IMAGE_H

/*
 * Opens dirfd/path to execute it, as execve() does, without side effects
 * on a file execve() would refuse: O_PATH first, then, if it is a regular
 * file the caller may execute on an exec mount, for reading (waiting for
 * a write lease to break). Returns the fd (O_PATH if a check failed or it
 * cannot be read: the empty process checks again and reports) or -errno
 * of the lookup, with *execfn (AT_EXECFN, as execveat() names it) and
 * *kpath (the absolute path for a kernel fallback), both malloc'd.
 */
int open_image(int dirfd, const char *path, char **execfn, char **kpath);

#endif
