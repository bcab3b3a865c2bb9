/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* pristine_spawnattr_*(): plain accessors, as glibc's. */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include "export.h"
#include "pristine.h"

#define SPAWN_FLAGS_VALID 0xff	/* glibc 2.36's POSIX_SPAWN_* bits */

PRISTINE_EXPORT int pristine_spawnattr_init(pristine_spawnattr_t *attr)
{
	memset(attr, 0, sizeof(*attr));
	return 0;
}

PRISTINE_EXPORT int pristine_spawnattr_destroy(pristine_spawnattr_t *attr)
{
	(void)attr;
	return 0;
}

PRISTINE_EXPORT int pristine_spawnattr_setflags(pristine_spawnattr_t *attr,
						short flags)
{
	if (flags & ~SPAWN_FLAGS_VALID)
		return EINVAL;
	attr->__flags = flags;
	return 0;
}

PRISTINE_EXPORT int
pristine_spawnattr_getflags(const pristine_spawnattr_t *attr, short *flags)
{
	*flags = attr->__flags;
	return 0;
}

PRISTINE_EXPORT int pristine_spawnattr_setpgroup(pristine_spawnattr_t *attr,
						 pid_t pgroup)
{
	attr->__pgrp = pgroup;
	return 0;
}

PRISTINE_EXPORT int
pristine_spawnattr_getpgroup(const pristine_spawnattr_t *attr, pid_t *pgroup)
{
	*pgroup = attr->__pgrp;
	return 0;
}

PRISTINE_EXPORT int pristine_spawnattr_setsigmask(pristine_spawnattr_t *attr,
						  const sigset_t *sigmask)
{
	attr->__ss = *sigmask;
	return 0;
}

PRISTINE_EXPORT int
pristine_spawnattr_getsigmask(const pristine_spawnattr_t *attr,
			      sigset_t *sigmask)
{
	*sigmask = attr->__ss;
	return 0;
}

PRISTINE_EXPORT int
pristine_spawnattr_setsigdefault(pristine_spawnattr_t *attr,
				 const sigset_t *sigdefault)
{
	attr->__sd = *sigdefault;
	return 0;
}

PRISTINE_EXPORT int
pristine_spawnattr_getsigdefault(const pristine_spawnattr_t *attr,
				 sigset_t *sigdefault)
{
	*sigdefault = attr->__sd;
	return 0;
}

PRISTINE_EXPORT int
pristine_spawnattr_setschedparam(pristine_spawnattr_t *attr,
				 const struct sched_param *param)
{
	attr->__sp = *param;
	return 0;
}

PRISTINE_EXPORT int
pristine_spawnattr_getschedparam(const pristine_spawnattr_t *attr,
				 struct sched_param *param)
{
	*param = attr->__sp;
	return 0;
}

PRISTINE_EXPORT int
pristine_spawnattr_setschedpolicy(pristine_spawnattr_t *attr, int policy)
{
	if (policy != SCHED_OTHER && policy != SCHED_FIFO && policy != SCHED_RR)
		return EINVAL;
	attr->__policy = policy;
	return 0;
}

PRISTINE_EXPORT int
pristine_spawnattr_getschedpolicy(const pristine_spawnattr_t *attr,
				  int *policy)
{
	*policy = attr->__policy;
	return 0;
}

PRISTINE_EXPORT int
pristine_spawnattr_setexecmode(pristine_spawnattr_t *attr, int mode)
{
	if ((mode & ~(PRISTINE_EXEC_KERNEL | PRISTINE_EXEC_FRESH |
		      PRISTINE_EXEC_LOADER)) ||
	    ((mode & PRISTINE_EXEC_KERNEL) && (mode & PRISTINE_EXEC_LOADER)))
		return EINVAL;
	attr->__mode = mode;
	return 0;
}

PRISTINE_EXPORT int
pristine_spawnattr_getexecmode(const pristine_spawnattr_t *attr, int *mode)
{
	*mode = attr->__mode;
	return 0;
}
