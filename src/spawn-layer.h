/* The posix_spawn() layer's private parts. */
#ifndef PRISTINE_SPAWN_LAYER_H
#define PRISTINE_SPAWN_LAYER_H

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

#define SPAWN_FLAGS_VALID 0xff	/* glibc 2.36's POSIX_SPAWN_* bits */

/* Is fd a descriptor number posix_spawn() file actions accept? */
int spawn_valid_fd(int fd);

#endif
