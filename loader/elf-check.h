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
	ELF_KERNEL_LAYOUT,	/* segments the loader does not map as the
				 * kernel would (see elf_check_phdrs()) */
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
 * Checks that the loader maps the PT_LOAD segments exactly as the kernel
 * would, and that nothing of the loader's is in their way but what an
 * explicit check finds (elf_segment_pages()): at least one PT_LOAD, the
 * first with file bytes (it anchors the span); each within user space,
 * p_filesz <= p_memsz, p_offset and p_vaddr congruent modulo the page
 * size, its file bytes inside the file's last page (a page past it would
 * be SIGBUS when the bss tail is zeroed); in p_vaddr order without
 * overlap (they may share a page); the entry point inside them.
 * Returns 0, or ELF_KERNEL_LAYOUT for an image the kernel must run: one
 * it would map another way, or one it maps and then kills with SIGSEGV
 * after its point of no return. Either way the caller sees what execve()
 * gives.
 */
int elf_check_phdrs(const Elf64_Ehdr *eh, const Elf64_Phdr *ph,
		    uint64_t file_size);

/*
 * The pages of PT_LOAD p, at load bias bias, that no earlier segment of
 * the image mapped: [*lo, *hi), empty if *lo == *hi. prev_end is the page
 * end of the segments mapped before (0 for the first). The loader takes
 * these pages with MAP_FIXED_NOREPLACE, so that a segment never replaces
 * a page of anything else (the loader, its stack, the vDSO, its buffers);
 * only the page p shares with the previous segment is replaced, as the
 * kernel replaces it. For an image elf_check_phdrs() accepted.
 */
void elf_segment_pages(const Elf64_Phdr *p, uint64_t bias, uint64_t prev_end,
		       uint64_t *lo, uint64_t *hi);

/* Bytes of program headers to read, or -ENOEXEC if the table is unusable. */
long elf_phdrs_size(const Elf64_Ehdr *eh);

/* Check the interpreter path read from PT_INTERP (len bytes). */
int elf_check_interp_path(const char *path, uint64_t len);

#endif
