/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The route rule: whether a run may map its image in userspace or must
 * let the kernel execute it, decided from the empty process's state before
 * the image is opened. doc/security.md explains each condition.
 */
#ifndef PRISTINE_LOADER_ROUTE_H
#define PRISTINE_LOADER_ROUTE_H

#include <stdint.h>
#include "records.h"

struct loader;
struct trampoline_args;

/* What decides the credentials an exec gives (kernel/cred.c, commoncap). */
struct route_creds {
	uint32_t uid[3], gid[3];	/* real, effective, saved */
	uint32_t fsuid, fsgid;
	uint32_t cap[6];		/* capget v3: {eff, perm, inh} x 2 */
	int32_t securebits;
};

struct route_state {
	/* From the library (argv[2]): the caller's state at the loader's
	 * exec, which that exec may have changed. */
	struct caller_state caller;
	/* The loader's own, at its start. */
	int secure;		/* its AT_SECURE */
	int cap_install;	/* CAP_CHECKPOINT_RESTORE in pP, from its file */
	int no_new_privs;
	int valgrind;		/* the loader runs on valgrind's CPU */
	uint32_t personality;
	uint64_t stack;
	struct route_creds start;
	/* TracerPid, read before a record changed what /proc/self shows. */
	int tracer_read, traced;
};

/*
 * At the loader's start, from its argv[2] (or NULL) and the kernel's auxv
 * in l: records the state above. With a hint from the library, makes as
 * few system calls as it can: the run will go to the kernel. Returns 0, or
 * -EPERM if the loader's own file carries a privilege it must not (it then
 * says why on stderr).
 */
int route_start(struct loader *l, const char *state);

/*
 * Before a record that may change what /proc/self shows (a namespace, a
 * mount, a new root): reads whether a tracer is attached now, for the
 * run's rule.
 */
void route_before_new_view(struct loader *l);

/*
 * The route of a run in mode (enum pw_run_mode), before anything of the
 * image is opened: PW_WHY_NONE (userspace), another pw_reason (the
 * kernel's), or -errno when neither can give what execve() would.
 */
int route_choose(struct loader *l, uint32_t mode);

/*
 * Before execveat(): undoes what the loader's own exec changed and a real
 * exec from the caller would not have (the file capability, the
 * personality, the stack limit), so that the kernel starts from the
 * caller's state. Returns 0, or -EPERM if the capability cannot be
 * dropped (then nothing may be executed).
 */
int route_before_kernel(struct loader *l);

/*
 * For the userspace route: the same repairs, the capability's part done by
 * the trampoline (ta's flags and capability sets). Returns the AT_SECURE
 * the program gets, or -1 for the loader's own.
 */
int route_before_jump(struct loader *l, struct trampoline_args *ta);

/* The exe_fd for PR_SET_MM_MAP: fd where /proc/PID/exe can be set, or -1. */
int route_exe_fd(const struct loader *l, int fd);

#endif
