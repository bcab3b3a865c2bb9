/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The resource limits by name, without the RLIMIT_ prefix: the keys
 * "rlimit:NAME" of pristine_config() and pristine-run's --rlimit. A
 * header, not a function, because the tools see only the library's
 * public symbols.
 */
#ifndef PRISTINE_RLIMIT_NAMES_H
#define PRISTINE_RLIMIT_NAMES_H

#include <sys/resource.h>

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "AS", RLIMIT_AS }, { "CORE", RLIMIT_CORE }, { "CPU", RLIMIT_CPU },
	{ "DATA", RLIMIT_DATA }, { "FSIZE", RLIMIT_FSIZE },
	{ "LOCKS", RLIMIT_LOCKS }, { "MEMLOCK", RLIMIT_MEMLOCK },
	{ "MSGQUEUE", RLIMIT_MSGQUEUE }, { "NICE", RLIMIT_NICE },
	{ "NOFILE", RLIMIT_NOFILE }, { "NPROC", RLIMIT_NPROC },
	{ "RSS", RLIMIT_RSS }, { "RTPRIO", RLIMIT_RTPRIO },
	{ "RTTIME", RLIMIT_RTTIME }, { "SIGPENDING", RLIMIT_SIGPENDING },
	{ "STACK", RLIMIT_STACK },
};
#define RLIMIT_NAMES (sizeof(rlimit_names) / sizeof(rlimit_names[0]))

#endif
