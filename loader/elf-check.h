/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Validation of an ELF image's headers, as load_elf_binary() does it, but
 * pure: it looks at bytes already read and decides. Compiled into the loader
 * and, unchanged, into the hosted unit tests and fuzzers.
 */
#ifndef PRISTINE_LOADER_ELF_CHECK_H
#define PRISTINE_LOADER_ELF_CHECK_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_PAGE		4096ul
#define ELF_PAGESTART(v)	((v) & ~(ELF_PAGE - 1))
#define ELF_PAGEOFFSET(v)	((v) & (ELF_PAGE - 1))
#define ELF_PAGEALIGN(v)	(((v) + ELF_PAGE - 1) & ~(ELF_PAGE - 1))
#define ELF_MAX_PHDRS_SIZE	65536ul	/* load_elf_phdrs() limit on 6.18 */
#define ELF_INTERP_MAX		4096		/* PATH_MAX */

/* What the loader does with an image it has looked at. */
enum elf_verdict {
	ELF_LOAD = 0,		/* an x86_64 ELF we map ourselves */
	ELF_KERNEL_FOREIGN,	/* not ours (other magic, class, machine, type) */
	ELF_KERNEL_SCRIPT,	/* starts with "#!" */
};

struct elf_info {
	uint16_t type;			/* ET_EXEC or ET_DYN */
	uint16_t phnum;
	uint64_t entry;
	uint64_t phoff;
	int has_interp;			/* there is a PT_INTERP */
	uint64_t interp_off;		/* its file offset */
	uint64_t interp_len;		/* its p_filesz; 0 if none */
	int exec_stack;			/* PT_GNU_STACK with PF_X */
	uint64_t first_vaddr;		/* p_vaddr of the first PT_LOAD */
	uint64_t total_size;		/* span of all PT_LOAD, page aligned */
	uint64_t max_align;		/* largest power-of-two p_align */
	uint64_t phdr_vaddr;		/* where the phdrs are in memory, 0: unknown */
};

/*
 * Classify the first bytes of a file (len of them, len may be short).
 * Returns an enum elf_verdict; ELF_LOAD only for a full, well-formed x86_64
 * ELF header of an executable type.
 */
int elf_classify(const unsigned char *buf, size_t len);

/*
 * Summarizes the program headers (eh->e_phnum of them) of an image whose
 * header passed elf_classify(), as load_elf_binary() reads them: the first
 * PT_INTERP, the last PT_GNU_STACK, the span and largest alignment of the
 * PT_LOADs, where the table itself is mapped. Judges nothing: the kernel
 * checks an executable's PT_INTERP before anything else (see run.c) and
 * ignores an interpreter's.
 */
void elf_scan_phdrs(const Elf64_Ehdr *eh, const Elf64_Phdr *ph,
		    struct elf_info *info);

/*
 * Checks the PT_LOAD segments and the entry point: what the kernel finds
 * wrong only after its point of no return, when all it can do is kill the
 * process with SIGSEGV. The loader refuses such an image with an errno:
 *   -EINVAL   a segment that cannot be mapped as described: p_filesz above
 *             p_memsz, outside user space, p_offset and p_vaddr not equal
 *             modulo the page size, or PT_LOADs out of p_vaddr order or
 *             overlapping;
 *   -ENOEXEC  no PT_LOAD, file bytes of a segment past the page holding the
 *             end of the file (SIGBUS when touched), or an entry point
 *             outside the segments.
 * Returns 0 for an image the loader can map.
 */
int elf_check_phdrs(const Elf64_Ehdr *eh, const Elf64_Phdr *ph,
		    uint64_t file_size);

/* Bytes of program headers to read, or -ENOEXEC if the table is unusable. */
long elf_phdrs_size(const Elf64_Ehdr *eh);

/* Check the interpreter path read from PT_INTERP (len bytes). */
int elf_check_interp_path(const char *path, uint64_t len);

#endif
