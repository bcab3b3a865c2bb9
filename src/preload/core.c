/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * libpristine-preload-core.so's one entry point: the front (front.c)
 * calls it at the first call that needs the library, and gets the
 * interposers' work and the pool's members in a table.
 */
#define _GNU_SOURCE
#include "held.h"
#include "preload.h"

struct shim_settings shim_settings;	/* the front's, copied */
static void *(*front_next)(const char *name);

void *shim_next(const char *name)
{
	return front_next(name);
}

SHIM_EXPORT shim_core_entry pristine_preload_core;

const struct shim_core *pristine_preload_core(const struct shim_front *f)
{
	static const struct shim_core table = {
		.abi = SHIM_CORE_ABI,
		.size = sizeof(struct shim_core),
		.spawn = shim_posix_spawn,
		.spawnp = shim_posix_spawnp,
		.fa_init = shim_fa_init,
		.fa_destroy = shim_fa_destroy,
		.fa_addopen = shim_fa_addopen,
		.fa_addclose = shim_fa_addclose,
		.fa_adddup2 = shim_fa_adddup2,
		.fa_addchdir_np = shim_fa_addchdir_np,
		.fa_addfchdir_np = shim_fa_addfchdir_np,
		.fa_addclosefrom_np = shim_fa_addclosefrom_np,
		.fa_addtcsetpgrp_np = shim_fa_addtcsetpgrp_np,
		.system = shim_system,
		.popen = shim_popen,
		.pclose = shim_pclose,
		.held_possible = held_possible,
		.held_lock = held_lock,
		.held_unlock = held_unlock,
		.held_has_locked = held_has_locked,
		.held_forget = held_forget,
		.report = shim_report,
	};

	if (f->abi != SHIM_CORE_ABI || f->size != sizeof(*f))
		return NULL;
	shim_settings = *f->settings;
	front_next = f->next;
	return &table;
}
