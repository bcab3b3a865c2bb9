/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* State of one empty process, shared by the loader's files. */
#ifndef PRISTINE_LOADER_LOADER_H
#define PRISTINE_LOADER_LOADER_H

#include <stddef.h>
#include <stdint.h>
#include "elf-load.h"
#include "records.h"
#include "route.h"

#define LOADER_AUXV_MAX 64
#define LOADER_SMALL_FDS 256
#define LOADER_SMALL_REQUEST 16384

struct loader {
	int sock;
	int said_hello;		/* the hello goes out with the first record */
	/* What the kernel gave the loader's own exec. */
	uint64_t auxv[2 * LOADER_AUXV_MAX];
	uint64_t stack_top;	/* end of the [stack] mapping */
	uint64_t kernel_sp;	/* lowest byte the kernel wrote there */
	int randomize;		/* personality lacks ADDR_NO_RANDOMIZE */

	/* Descriptors received with the request, consumed in order. */
	int *fds;
	uint32_t nfds, next_fd;

	/* Memory mapped for a request or descriptor list too big for the
	 * loader's .bss: it must not outlive the loader. */
	void *big_request, *big_fds;
	size_t big_request_len, big_fds_len;

	/* Configuration gathered for the run. */
	struct strings argv, envp;
	struct record_image image;	/* names point into the request */
	int have_image;		/* until a template's image is prepared */
	int image_fd;
	uint64_t sigmask;
	const void *seccomp;
	uint32_t seccomp_len;
	const char *name;
	/* A PW_WHY_* reason if a record can be applied faithfully only by
	 * the kernel's exec (credentials, Landlock, ...), else 0: route.c
	 * honours it. */
	uint32_t need_kernel;
	int new_root;		/* chroot or a mount namespace joined: the
				 * caller's paths name other files now */
	uint32_t run_mode;		/* enum pw_run_mode of this run */
	uint64_t gadget;		/* run_gadget(), once gadget_known */
	int gadget_known;
	uint32_t fail_reason;		/* a failure's pw_reason, if any */
	struct route_state route;	/* route.c */

	uint32_t step, step_type;	/* record being applied */
	const unsigned char *req_begin, *req_end;	/* its request */
	uint64_t rnd[6];		/* load addresses, AT_RANDOM */
	int fd_name;			/* the caller's number for image_fd */
	struct {			/* set by prepare_image() */
		int done;
		uint32_t reason;
		const char *execfn, *kpath;
	} prepared;

	/* The images being loaded, then buffers: hottest first (see
	 * struct loader_memory in start.h). */
	struct elf_image exe, interp;
	int small_fds[LOADER_SMALL_FDS];
	unsigned char request[LOADER_SMALL_REQUEST] __attribute__((aligned(8)));
	char interp_path[ELF_INTERP_MAX];
	char path_buf[4096];
	char comm_buf[4096];	/* the file's own name, for fd execs */
	char kpath_buf[4096];	/* a prepared image's path for the kernel */
	char fd_path[32];	/* "/dev/fd/N" */
};

#endif
