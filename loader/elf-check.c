/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
#include <linux/errno.h>
#include "elf-check.h"

int elf_classify(const unsigned char *buf, size_t len)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf;

	if (len >= 2 && buf[0] == '#' && buf[1] == '!')
		return ELF_KERNEL_SCRIPT;
	if (len < sizeof(Elf64_Ehdr) || buf[EI_MAG0] != ELFMAG0 ||
	    buf[EI_MAG1] != ELFMAG1 || buf[EI_MAG2] != ELFMAG2 ||
	    buf[EI_MAG3] != ELFMAG3)
		return ELF_KERNEL_FOREIGN;
	if (buf[EI_CLASS] != ELFCLASS64 || buf[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64)
		return ELF_KERNEL_FOREIGN;
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return ELF_KERNEL_FOREIGN;
	return ELF_LOAD;
}

long elf_phdrs_size(const Elf64_Ehdr *eh)
{
	unsigned long size;

	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return -ENOEXEC;
	size = (unsigned long)eh->e_phnum * sizeof(Elf64_Phdr);
	if (size == 0 || size > ELF_MAX_PHDRS_SIZE)
		return -ENOEXEC;
	if (eh->e_phoff > UINT64_MAX - size)
		return -ENOEXEC;
	return (long)size;
}

int elf_check_interp_path(const char *path, uint64_t len)
{
	if (len < 2 || len > ELF_INTERP_MAX)
		return -ENOEXEC;
	if (path[len - 1] != '\0')
		return -ENOEXEC;
	return 0;
}

static int is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

void elf_scan_phdrs(const Elf64_Ehdr *eh, const Elf64_Phdr *ph,
		    struct elf_info *info)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	int i, nload = 0;

	*info = (struct elf_info){
		.type = eh->e_type,
		.phnum = eh->e_phnum,
		.entry = eh->e_entry,
		.phoff = eh->e_phoff,
	};
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];

		switch (p->p_type) {
		case PT_INTERP:
			if (info->has_interp)
				break;	/* the kernel uses the first one */
			info->has_interp = 1;
			info->interp_off = p->p_offset;
			info->interp_len = p->p_filesz;
			break;
		case PT_GNU_STACK:
			info->exec_stack = !!(p->p_flags & PF_X);
			break;
		case PT_LOAD:
			if (!nload++)
				info->first_vaddr = p->p_vaddr;
			/* total_mapping_size(): lowest page to highest end,
			 * whatever the order */
			if (ELF_PAGESTART(p->p_vaddr) < lo)
				lo = ELF_PAGESTART(p->p_vaddr);
			if (p->p_vaddr + p->p_memsz > hi)
				hi = p->p_vaddr + p->p_memsz;
			if (is_pow2(p->p_align) && p->p_align > info->max_align)
				info->max_align = p->p_align;
			/* As load_elf_binary(): the last PT_LOAD holding
			 * the table gives AT_PHDR; none gives 0. */
			if (p->p_offset <= eh->e_phoff &&
			    eh->e_phoff - p->p_offset < p->p_filesz)
				info->phdr_vaddr = eh->e_phoff - p->p_offset +
						   p->p_vaddr;
			break;
		default:
			break;
		}
	}
	if (nload && hi > lo)
		info->total_size = ELF_PAGEALIGN(hi) - lo;
}

int elf_check_phdrs(const Elf64_Ehdr *eh, const Elf64_Phdr *ph,
		    uint64_t file_size)
{
	const uint64_t task_size = 0x7ffffffff000ull;	/* 47-bit user space */
	/* Past the end of the file, the rest of its last page reads as
	 * zeros; a page beyond it cannot be read at all (SIGBUS). */
	const uint64_t file_end = ELF_PAGEALIGN(file_size);
	uint64_t lo = 0, end = 0;
	int i, nload = 0;

	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];

		if (p->p_type != PT_LOAD)
			continue;
		if (p->p_filesz > p->p_memsz ||
		    p->p_memsz > task_size ||
		    p->p_vaddr > task_size - p->p_memsz)
			return ELF_KERNEL_LAYOUT;
		if (ELF_PAGEOFFSET(p->p_vaddr) != ELF_PAGEOFFSET(p->p_offset))
			return ELF_KERNEL_LAYOUT;
		/* The kernel maps each PT_LOAD over what the ones before it
		 * mapped, and a first one without file bytes with brk
		 * rather than mmap: it may run such an image, but not the
		 * way the loader maps one. */
		if (nload && p->p_vaddr < end)
			return ELF_KERNEL_LAYOUT;
		if (!nload && !p->p_filesz)
			return ELF_KERNEL_LAYOUT;
		if (p->p_filesz && (p->p_offset > file_end ||
				    p->p_filesz > file_end - p->p_offset))
			return ELF_KERNEL_LAYOUT;
		if (!nload++)
			lo = ELF_PAGESTART(p->p_vaddr);
		end = p->p_vaddr + p->p_memsz;
	}
	if (!nload)
		return ELF_KERNEL_LAYOUT;
	if (eh->e_type == ET_EXEC && eh->e_entry == 0)
		return ELF_KERNEL_LAYOUT;
	if (eh->e_entry < lo || eh->e_entry >= end)
		return ELF_KERNEL_LAYOUT;
	return 0;
}

void elf_segment_pages(const Elf64_Phdr *p, uint64_t bias, uint64_t prev_end,
		       uint64_t *lo, uint64_t *hi)
{
	uint64_t start = ELF_PAGESTART(bias + p->p_vaddr);

	*hi = ELF_PAGEALIGN(bias + p->p_vaddr + p->p_memsz);
	*lo = start > prev_end ? start : prev_end;
	if (*lo > *hi)
		*lo = *hi;
}
