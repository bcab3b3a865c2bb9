/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The fuzz harnesses: each file is one libFuzzer target over a parser of
 * bytes that come from outside (an executable file, the wire protocol in
 * either direction, the stack the loader builds from them), compiled from
 * the very sources the loader and the library use.
 *
 * Built by clang with -fsanitize=fuzzer, each file defines
 * LLVMFuzzerTestOneInput(). Built by the ordinary compiler with
 * FUZZ_REPLAY, the same code is fuzz_<name>() in test-fuzz-replay, which
 * runs the seeds and every input a fuzzer ever crashed on.
 */
#ifndef PRISTINE_TESTS_FUZZ_H
#define PRISTINE_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef FUZZ_REPLAY
#define FUZZ_TARGET(name) int fuzz_##name(const uint8_t *data, size_t size)
#else
#define FUZZ_TARGET(name) int LLVMFuzzerTestOneInput(const uint8_t *data, \
						     size_t size)
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int fuzz_elf(const uint8_t *data, size_t size);
int fuzz_stack(const uint8_t *data, size_t size);
int fuzz_request(const uint8_t *data, size_t size);
int fuzz_reply(const uint8_t *data, size_t size);

/* A property the code under test promises: its failure is a finding. */
#define FUZZ_ASSERT(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: property failed: %s\n", \
				__FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

/*
 * The stack harness's input: this header, then npairs auxv pairs and nset
 * rewrite pairs (16 bytes each), 16 random bytes, then NUL-separated
 * strings: the execfn, nargv arguments, the environment.
 */
struct fuzz_stack_head {
	uint16_t gap;		/* modulo 8192, as the loader draws it */
	uint8_t npairs;		/* template auxv pairs (AT_NULL may lack) */
	uint8_t nset;		/* modulo 11: the loader rewrites at most 10 */
	uint8_t top_pages;	/* the stack top, pages below 0x7ffffffff000 */
	uint8_t nargv;
	uint8_t pad[2];
};

#endif
