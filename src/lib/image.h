/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* The executable of a run, opened by the library and sent as an fd. */
#ifndef PRISTINE_IMAGE_H
#define PRISTINE_IMAGE_H

/*
 * Opens dirfd/path to execute it: returns the fd or -errno, with *execfn
 * (AT_EXECFN, as execveat() names it) and *kpath (the absolute path for a
 * kernel fallback), both malloc'd.
 */
int open_image(int dirfd, const char *path, char **execfn, char **kpath);

#endif
