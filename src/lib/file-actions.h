/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* The file actions of the posix_spawn() layer, as file-actions.c stores
 * them in a pristine_spawn_file_actions_t. */
#ifndef PRISTINE_FILE_ACTIONS_H
#define PRISTINE_FILE_ACTIONS_H

#include <sys/types.h>

enum fa_type {
	FA_OPEN, FA_CLOSE, FA_DUP2, FA_CHDIR, FA_FCHDIR, FA_CLOSEFROM,
	FA_TCSETPGRP,
};

struct fa_action {
	enum fa_type type;
	int fd, newfd, oflag;
	mode_t mode;
	char *path;
};

#endif
