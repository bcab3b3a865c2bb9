/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* Configuration records applied to the empty process, one at a time. */
#ifndef PRISTINE_LOADER_ACTIONS_H
#define PRISTINE_LOADER_ACTIONS_H

#include "loader.h"
#include "records.h"

/* Applies one decoded configuration record; returns 0 or -errno. */
int actions_apply(struct loader *l, const struct record *rec);

#endif
