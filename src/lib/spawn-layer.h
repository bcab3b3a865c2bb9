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

/*
 * Every spawn: from a pool member, a template's member (t), or a fresh
 * empty process; file is searched in PATH if search is set (t NULL).
 */
int spawn_any(pid_t *pid, int *pidfd, const char *file, int search,
	      pristine_template_t *t,
	      const pristine_spawn_file_actions_t *fa,
	      const pristine_spawnattr_t *attr, char *const argv[],
	      char *const envp[]);

#endif
