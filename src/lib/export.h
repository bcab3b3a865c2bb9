/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* The library's exported symbols; everything else is hidden
 * (-fvisibility=hidden). */
#ifndef PRISTINE_EXPORT_H
#define PRISTINE_EXPORT_H

#define PRISTINE_EXPORT __attribute__((visibility("default")))

#endif
