/* State of one empty process, shared by the loader's files. */
#ifndef PRISTINE_LOADER_LOADER_H
#define PRISTINE_LOADER_LOADER_H

#include <stddef.h>
#include <stdint.h>
#include "wire.h"

#define LOADER_AUXV_MAX 64

struct strings {
	const char *data;	/* back-to-back NUL-terminated strings */
	size_t bytes;
	size_t count;
};

struct loader {
	int sock;
	int said_hello;		/* the hello went out with a reply */
	/* What the kernel gave the loader's own exec. */
	uint64_t auxv[2 * LOADER_AUXV_MAX];
	uint64_t stack_top;	/* end of the [stack] mapping */
	uint64_t kernel_sp;	/* lowest byte the kernel wrote there */
	int randomize;		/* personality lacks ADDR_NO_RANDOMIZE */

	/* Descriptors received with the request, consumed in order. */
	int *fds;
	uint32_t nfds, next_fd;

	/* Configuration gathered for the run. */
	struct strings argv, envp;
	const struct pw_image *image;
	const char *image_path, *image_search;
	int image_fd;
	uint64_t sigmask;
	const void *seccomp;
	uint32_t seccomp_len;
	const char *name;
	const char *fd_name;	/* an fd image's file name, for comm */
	int resetids;

	uint32_t step, step_type;	/* record being applied */
};

/* Fails the request: reports err (positive) for the current step, exits. */
__attribute__((noreturn)) void loader_fail(struct loader *l, int err);

/* Sends a record on the control socket; returns 0 or -errno. */
int loader_send(struct loader *l, uint32_t type, const void *p, uint32_t len);

/* Takes the next received descriptor, or -EPROTO if none is left. */
int loader_take_fd(struct loader *l);

/*
 * Makes descriptor number fd free for the caller's use: if one of the
 * loader's own descriptors sits there, it moves elsewhere. Returns 0 or
 * -errno.
 */
int loader_vacate_fd(struct loader *l, int fd);

/* Is fd one of the loader's own descriptors? */
int loader_owns_fd(const struct loader *l, int fd);

/* Applies one configuration record; returns 0 or -errno. */
int actions_apply(struct loader *l, uint32_t type, const unsigned char *p,
		  uint32_t len);

/* Runs the image: never returns on success; returns -errno on failure. */
int run_image(struct loader *l, uint32_t mode);

#endif
