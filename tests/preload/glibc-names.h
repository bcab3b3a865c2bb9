/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Compiles the posix layer's tests against glibc's own names, so that the
 * same assertions run on glibc alone and on glibc with the preload shim.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <spawn.h>
#define pristine_spawn posix_spawn
#define pristine_spawnp posix_spawnp
#define pristine_pidfd_spawnp glibc_pidfd_spawnp_missing
#define pristine_spawn_file_actions_t posix_spawn_file_actions_t
#define pristine_spawn_file_actions_init posix_spawn_file_actions_init
#define pristine_spawn_file_actions_destroy posix_spawn_file_actions_destroy
#define pristine_spawn_file_actions_addopen posix_spawn_file_actions_addopen
#define pristine_spawn_file_actions_addclose posix_spawn_file_actions_addclose
#define pristine_spawn_file_actions_adddup2 posix_spawn_file_actions_adddup2
#define pristine_spawn_file_actions_addchdir posix_spawn_file_actions_addchdir_np
#define pristine_spawn_file_actions_addfchdir posix_spawn_file_actions_addfchdir_np
#define pristine_spawn_file_actions_addclosefrom posix_spawn_file_actions_addclosefrom_np
#define pristine_spawnattr_t posix_spawnattr_t
#define pristine_spawnattr_init posix_spawnattr_init
#define pristine_spawnattr_destroy posix_spawnattr_destroy
#define pristine_spawnattr_setflags posix_spawnattr_setflags
#define pristine_spawnattr_setpgroup posix_spawnattr_setpgroup
#define pristine_spawnattr_setsigmask posix_spawnattr_setsigmask
#define pristine_spawnattr_setsigdefault posix_spawnattr_setsigdefault
/* Which route a spawn took is checked by the shim's statistics instead. */
#define pristine_last_route() 0
#define pristine_errmsg() "(see errno)"
#define GLIBC_NAMES 1
/* pristine.h must not be seen: its types would clash with glibc's. */
#define PRISTINE_H 1
#define PRISTINE_ROUTE_LOADER 0
#define PRISTINE_ROUTE_KERNEL_FRESH 0
