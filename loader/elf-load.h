/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* Mapping an ELF image from its file descriptor, as load_elf_binary(). */
#ifndef PRISTINE_LOADER_ELF_LOAD_H
#define PRISTINE_LOADER_ELF_LOAD_H

#include "elf-check.h"

/* Program headers that fit here need no allocation (most images have
 * fewer than 16); a larger table goes to fresh anonymous memory. */
#define ELF_SMALL_PHNUM 24

struct elf_image {
	int fd;
	uint64_t file_size;
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	struct elf_info info;
	size_t head_len;
	unsigned char head[1024];	/* the file's first bytes */

	/* Filled by elf_map(). */
	uint64_t load_bias;
	uint64_t map_start, map_end;	/* the span, for unmapping on failure */
	uint64_t start_code, end_code, start_data, end_data, brk;
	Elf64_Phdr ph_small[ELF_SMALL_PHNUM];
};

/*
 * Reads the header and program headers of the file open at fd, with the
 * checks the kernel makes on an executable and an interpreter alike before
 * its point of no return. Returns ELF_LOAD (0) and fills im (eh, ph, info),
 * an elf_verdict > 0 for images the kernel must run, or -errno.
 */
int elf_read(int fd, struct elf_image *im, uint64_t file_size);

/* Reads the PT_INTERP path into buf (ELF_INTERP_MAX bytes) and checks it
 * as the kernel does: -ENOEXEC for a bad size or no final NUL, -EIO if the
 * file is too short. */
int elf_read_interp(const struct elf_image *im, char *buf);

/*
 * Maps the image. hint is the wanted start of the span for an ET_DYN
 * image (0: anywhere, aligned to the largest p_align if honour_align, as
 * the kernel does for static-pie but not for interpreters); ET_EXEC images
 * go where their headers say.
 * Returns 0 or -errno, with nothing left mapped on failure.
 */
int elf_map(struct elf_image *im, uint64_t hint, int honour_align);

void elf_unmap(struct elf_image *im);

/* Faults in the mapped image's pages ahead of its start (templates). */
void elf_populate(const struct elf_image *im);

#endif
