/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* test-faults: hostile peers, dying processes, exhausted limits, signals
 * and privileges. Shared helpers and the suites. */
#ifndef PRISTINE_TESTS_FAULTS_H
#define PRISTINE_TESTS_FAULTS_H

#include <sys/types.h>
#include "testlib.h"

/* A private directory for the run (0755), made by main(). */
extern char faults_tmp[256];
/* The real loader, from PRISTINE_LOADER at start. */
extern const char *real_loader;

/* Points PRISTINE_LOADER at the fake loader misbehaving as mode. */
void use_fake_loader(const char *mode);

/* Counts SIGPIPE from now on (instead of dying of it). */
void count_sigpipe(void);
extern volatile int sigpipes;

/* "path" under faults_tmp. */
const char *tmp_path(const char *name);

Suite *death_suite(void);
Suite *peer_suite(void);
Suite *loader_input_suite(void);
Suite *limits_suite(void);
Suite *signals_suite(void);
Suite *privilege_suite(void);
Suite *filters_suite(void);
Suite *hardened_suite(void);
Suite *capability_suite(void);
Suite *route_suite(void);

#endif
