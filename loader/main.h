/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* The loader's C entry, called by _start on the loader's own stack. */
#ifndef PRISTINE_LOADER_MAIN_H
#define PRISTINE_LOADER_MAIN_H

/* sp points at argc, as the kernel left it (see stack.h). */
__attribute__((noreturn)) void loader_main(unsigned long *sp);

#endif
