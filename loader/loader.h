/* State of one empty process, shared by the loader's files. */
#ifndef PRISTINE_LOADER_LOADER_H
#define PRISTINE_LOADER_LOADER_H

#include <stddef.h>
#include <stdint.h>
#include "elf-load.h"
#include "records.h"
#include "start.h"
#include "sys.h"
#include "wire.h"

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
	int resetids;

	uint32_t step, step_type;	/* record being applied */
	uint64_t rnd[6];		/* load addresses, AT_RANDOM */
	int fd_name;			/* the caller's number for image_fd */
	struct {			/* set by prepare_image() */
		int done;
		uint32_t reason;
		const char *execfn, *kpath;
	} prepared;

	/* The images being loaded, then buffers: hottest first (see
	 * loader_memory below). */
	struct elf_image exe, interp;
	int small_fds[LOADER_SMALL_FDS];
	unsigned char request[LOADER_SMALL_REQUEST] __attribute__((aligned(8)));
	char interp_path[ELF_INTERP_MAX];
	char path_buf[4096];
	char comm_buf[4096];	/* the file's own name, for fd execs */
	char kpath_buf[4096];	/* a prepared image's path for the kernel */
	char fd_path[32];	/* "/dev/fd/N" */
};

/*
 * All of the loader's writable memory, in one place: every page first
 * touched costs a fault, which is dear in a VM, so the hot part (the top
 * of the stack, the state, the start of the request) is populated by one
 * madvise() at start.
 */
struct loader_memory {
	char stack[LOADER_STACK_SIZE];
	struct loader l;
} __attribute__((aligned(4096)));

extern struct loader_memory loader_memory;

/* Fails the request: reports err (positive) for the current step, exits. */
__attribute__((noreturn)) void loader_fail(struct loader *l, int err);

/* Sends a record on the control socket; returns 0 or -errno. */
int loader_send(struct loader *l, uint32_t type, const void *p, uint32_t len);

/* Unmaps what was mapped for a large request. */
void loader_release(struct loader *l);

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

/* Applies one decoded configuration record; returns 0 or -errno. */
int actions_apply(struct loader *l, const struct record *rec);

/* Why the file open at fd must be run by the kernel for its privileges:
 * PW_WHY_SETID, PW_WHY_FILECAPS, or PW_WHY_NONE. */
uint32_t privilege_reason(int fd, const struct loader_stat *st);

/* Runs the image: never returns on success; returns -errno on failure. */
int run_image(struct loader *l, uint32_t mode);

/*
 * A template's first request: resolves the image (an fd) and, when the
 * loader may map it, maps and pre-faults it with its interpreter; the next
 * request only configures and runs. Returns 0 or -errno.
 */
int prepare_image(struct loader *l, uint32_t mode);

#endif
