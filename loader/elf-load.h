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
	int nmapped;			/* PT_LOADs mapped, for elf_unmap() */
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
 * Maps the image (accepted by elf_check_phdrs()). base is the kernel's
 * load base for an ET_DYN image (0: none, the span goes where mmap() puts
 * it, aligned to the largest p_align if honour_align, as the kernel does
 * for static-pie but not for interpreters); ET_EXEC images go where their
 * headers say. Only free pages are taken: a segment that would replace
 * anything mapped (the loader's own pages, its stack, the vDSO, a buffer)
 * fails the call with -EEXIST.
 * Returns 0 or -errno, with nothing left mapped on failure.
 */
int elf_map(struct elf_image *im, uint64_t base, int honour_align);

/* Unmaps what elf_map() mapped, segment by segment. */
void elf_unmap(struct elf_image *im);

/* Does a page of [lo, hi) belong to a segment elf_map() mapped? */
int elf_overlaps(const struct elf_image *im, uint64_t lo, uint64_t hi);

/* Faults in the mapped image's pages ahead of its start (templates). */
void elf_populate(const struct elf_image *im);

#endif
