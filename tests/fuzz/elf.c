/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * An executable file's headers, as the loader reads them: elf_read() (the
 * first 1024 bytes, elf_classify(), elf_phdrs_size(), the table, wherever
 * it is, elf_scan_phdrs()), elf_read_interp() and check_images() (the
 * PT_INTERP path, elf_check_phdrs()). When the checks accept an image, the
 * properties elf_map() relies on must hold, and its mapping, planned by
 * elf_segment_pages(), never replaces a page the image did not take
 * first: a segment over anything of the empty process's is found by
 * MAP_FIXED_NOREPLACE, never mapped over it.
 *
 * The input is the file's size (8 bytes), then its first bytes: the rest
 * of the file reads as zeros, as a sparse file would. Small inputs stand
 * for big files, so the fuzzer stays fast.
 */
#include <elf.h>
#include <string.h>
#include "elf-check.h"
#include "fuzz.h"

#define TASK_SIZE 0x7ffffffff000ull

struct file {
	const uint8_t *data;	/* the first bytes */
	size_t len;
	uint64_t size;
};

/* pread() until EOF, as read_at(): the bytes read, short at the end. */
static size_t file_read(const struct file *f, void *buf, size_t len,
			uint64_t off)
{
	size_t n, given;

	if (off >= f->size)
		return 0;
	n = f->size - off < len ? (size_t)(f->size - off) : len;
	given = off < f->len ? f->len - (size_t)off : 0;
	if (given > n)
		given = n;
	memcpy(buf, f->data + off, given);
	memset((char *)buf + given, 0, n - given);
	return n;
}

/* What elf_map() assumes of an image elf_check_phdrs() accepted. */
static void check_accepted(const Elf64_Ehdr *eh, const Elf64_Phdr *ph,
			   const struct elf_info *info, uint64_t file_size)
{
	uint64_t lo = 0, end = 0;
	int i, nload = 0;

	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];

		if (p->p_type != PT_LOAD)
			continue;
		FUZZ_ASSERT(p->p_filesz <= p->p_memsz);
		FUZZ_ASSERT(p->p_vaddr + p->p_memsz >= p->p_vaddr);
		FUZZ_ASSERT(p->p_vaddr + p->p_memsz <= TASK_SIZE);
		FUZZ_ASSERT(ELF_PAGEOFFSET(p->p_vaddr) ==
			    ELF_PAGEOFFSET(p->p_offset));
		/* Every file page mapped can be read. */
		FUZZ_ASSERT(!p->p_filesz ||
			    p->p_offset + p->p_filesz <=
				    ELF_PAGEALIGN(file_size));
		FUZZ_ASSERT(!nload || p->p_vaddr >= end);
		if (!nload++) {
			lo = ELF_PAGESTART(p->p_vaddr);
			FUZZ_ASSERT(info->first_vaddr == p->p_vaddr);
		}
		end = p->p_vaddr + p->p_memsz;
	}
	FUZZ_ASSERT(nload > 0);
	FUZZ_ASSERT(eh->e_entry >= lo && eh->e_entry < end);
	/* The span reserved in one mmap() covers every segment. */
	FUZZ_ASSERT(info->total_size == ELF_PAGEALIGN(end) - lo);
	FUZZ_ASSERT(info->total_size <= TASK_SIZE);
	FUZZ_ASSERT(!info->max_align ||
		    !(info->max_align & (info->max_align - 1)));
}

/*
 * elf_map()'s plan for an image at load bias bias, page by page: each
 * segment takes the pages elf_segment_pages() gives it as new (they must
 * not have been taken before), and everything it maps (file pages, the
 * bss) must lie in pages the image took.
 */
static void check_plan(const Elf64_Ehdr *eh, const Elf64_Phdr *ph,
		       uint64_t bias)
{
	uint64_t prev_end = 0, lo, hi, start, end;
	int i;

	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];

		if (p->p_type != PT_LOAD)
			continue;
		start = ELF_PAGESTART(bias + p->p_vaddr);
		end = ELF_PAGEALIGN(bias + p->p_vaddr + p->p_memsz);
		elf_segment_pages(p, bias, prev_end, &lo, &hi);
		/* The new pages were nobody's: not the image's so far. */
		FUZZ_ASSERT(lo <= hi && hi == end);
		FUZZ_ASSERT(lo == hi || lo >= prev_end);
		/* What is not new is the one page shared with the segment
		 * before, which the image took. */
		FUZZ_ASSERT(lo == start || (prev_end && lo == prev_end &&
					    lo - start <= ELF_PAGE));
		if (hi > prev_end)
			prev_end = hi;
	}
}

static void interpreter(const struct file *f, const struct elf_info *info)
{
	uint64_t len = info->interp_len;
	char *path;

	/* elf_read_interp(): the size, then the read, then the NUL. */
	if (len < 2 || len > ELF_INTERP_MAX)
		return;
	path = malloc(len);
	if (file_read(f, path, len, info->interp_off) == len &&
	    elf_check_interp_path(path, len) == 0)
		FUZZ_ASSERT(path[len - 1] == 0);
	free(path);
}

FUZZ_TARGET(elf)
{
	struct file f = { data + 8, size - 8, 0 };
	unsigned char head[1024];
	size_t head_len;
	struct elf_info info;
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	long phsize;

	if (size < 8)
		return 0;
	memcpy(&f.size, data, 8);
	f.size &= (1ull << 40) - 1;
	if (f.len > f.size)
		f.len = (size_t)f.size;
	head_len = file_read(&f, head, sizeof(head), 0);
	if (elf_classify(head, head_len) != ELF_LOAD)
		return 0;
	FUZZ_ASSERT(head_len >= sizeof(eh));
	memcpy(&eh, head, sizeof(eh));
	if ((phsize = elf_phdrs_size(&eh)) < 0)
		return 0;
	FUZZ_ASSERT(phsize > 0 && (unsigned long)phsize <= ELF_MAX_PHDRS_SIZE);
	FUZZ_ASSERT((size_t)phsize == eh.e_phnum * sizeof(Elf64_Phdr));
	/* Exactly the table's size: reading past it is a finding. */
	ph = malloc((size_t)phsize);
	if (file_read(&f, ph, (size_t)phsize, eh.e_phoff) != (size_t)phsize) {
		free(ph);	/* a short read of the table is ENOEXEC */
		return 0;
	}
	elf_scan_phdrs(&eh, ph, &info);
	FUZZ_ASSERT(info.phnum == eh.e_phnum);
	if (info.has_interp)
		interpreter(&f, &info);
	if (elf_check_phdrs(&eh, ph, f.size) == 0) {
		check_accepted(&eh, ph, &info, f.size);
		check_plan(&eh, ph, eh.e_type == ET_DYN ? 0x555555554000ull : 0);
	}
	free(ph);
	return 0;
}
