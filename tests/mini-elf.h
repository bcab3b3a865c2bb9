/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * A tiny x86_64 ELF executable built in memory, every byte known, for tests
 * that corrupt one field at a time. Its code reads one byte of .data (42),
 * one byte of the file page past .data's p_filesz (must read as zero: the
 * bss tail) and one byte of the anonymous bss page, and exits with their
 * sum: 42 when mapped correctly. The code is position independent, so the
 * same bytes run as ET_EXEC at 0x400000 or as ET_DYN.
 *
 *	file offset	content			ET_EXEC address
 *	0x000		Elf64_Ehdr
 *	0x040		MINI_PHNUM program headers:
 *			  [0] PT_LOAD R+X  off 0      filesz 0x500 memsz 0x500
 *			  [1] PT_LOAD R+W  off 0x1000 filesz 0x10 memsz 0x2000
 *			  [2] PT_GNU_STACK R+W
 *			  [3] PT_NULL (a free slot, e.g. for a PT_INTERP)
 *	0x200		free: room for an interpreter path (MINI_STR_MAX)
 *	0x400		code (entry)		0x400400
 *	0x1000		.data: 42, 15 zeros	0x401000
 *	0x1010		0x55 bytes to the end of the file: in .data's
 *			last file page but past its p_filesz
 *	0x1100		end of file
 */
#ifndef PRISTINE_TESTS_MINI_ELF_H
#define PRISTINE_TESTS_MINI_ELF_H

#include <elf.h>
#include <stddef.h>

#define MINI_BASE	0x400000ul
#define MINI_PHNUM	4
#define MINI_TEXT	0
#define MINI_DATA	1
#define MINI_STACK	2
#define MINI_FREE	3
#define MINI_STR_OFF	0x200ul
#define MINI_STR_MAX	0x200ul
#define MINI_CODE_OFF	0x400ul
#define MINI_DATA_OFF	0x1000ul
#define MINI_SIZE	0x1100ul
#define MINI_EXIT	42

struct mini_elf {
	unsigned char *bytes;	/* malloc'd, size bytes */
	size_t size;
	Elf64_Ehdr *eh;		/* into bytes */
	Elf64_Phdr *ph;		/* into bytes, MINI_PHNUM entries */
};

/* Builds the image; type is ET_EXEC (at MINI_BASE) or ET_DYN (at 0). */
void mini_elf_build(struct mini_elf *m, int type);

/* Puts a PT_INTERP naming path (len bytes from MINI_STR_OFF, NUL included)
 * into the free slot. */
void mini_elf_set_interp(struct mini_elf *m, const char *path);

/* Changes the file size (zero-filling growth); the pointers are updated. */
void mini_elf_resize(struct mini_elf *m, size_t size);

void mini_elf_free(struct mini_elf *m);

#endif
