/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mini-elf.h"

/* movzbl disp32(%rip), %reg: 0f b6 <modrm> disp32 */
static unsigned char *load_byte(unsigned char *p, uint64_t at,
				uint64_t target, unsigned char modrm)
{
	int32_t disp = (int32_t)(target - (at + 7));

	p[0] = 0x0f;
	p[1] = 0xb6;
	p[2] = modrm;
	memcpy(p + 3, &disp, 4);
	return p + 7;
}

static void put_code(unsigned char *code, uint64_t base)
{
	uint64_t at = base + MINI_CODE_OFF;
	unsigned char *p = code;

	p = load_byte(p, at, base + 0x1000, 0x3d);	/* edi = 42 */
	p = load_byte(p, at + 7, base + 0x1080, 0x05);	/* eax = tail */
	*p++ = 0x01, *p++ = 0xc7;			/* add %eax, %edi */
	p = load_byte(p, at + 16, base + 0x2800, 0x05);	/* eax = bss */
	*p++ = 0x01, *p++ = 0xc7;
	*p++ = 0xb8, *p++ = 231, *p++ = 0, *p++ = 0, *p++ = 0; /* exit_group */
	*p++ = 0x0f, *p++ = 0x05;			/* syscall */
	*p++ = 0xf4;					/* hlt: never */
}

static void point(struct mini_elf *m)
{
	m->eh = (Elf64_Ehdr *)m->bytes;
	m->ph = (Elf64_Phdr *)(m->bytes + sizeof(Elf64_Ehdr));
}

void mini_elf_build(struct mini_elf *m, int type)
{
	uint64_t base = type == ET_EXEC ? MINI_BASE : 0;
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64,
			     ELFDATA2LSB, EV_CURRENT, ELFOSABI_SYSV },
		.e_type = (Elf64_Half)type,
		.e_machine = EM_X86_64,
		.e_version = EV_CURRENT,
		.e_entry = base + MINI_CODE_OFF,
		.e_phoff = sizeof(Elf64_Ehdr),
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr),
		.e_phnum = MINI_PHNUM,
		.e_shentsize = sizeof(Elf64_Shdr),
	};
	Elf64_Phdr ph[MINI_PHNUM] = {
		[MINI_TEXT] = { .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
				.p_offset = 0, .p_vaddr = base,
				.p_paddr = base, .p_filesz = 0x500,
				.p_memsz = 0x500, .p_align = 0x1000 },
		[MINI_DATA] = { .p_type = PT_LOAD, .p_flags = PF_R | PF_W,
				.p_offset = MINI_DATA_OFF,
				.p_vaddr = base + 0x1000,
				.p_paddr = base + 0x1000, .p_filesz = 0x10,
				.p_memsz = 0x2000, .p_align = 0x1000 },
		[MINI_STACK] = { .p_type = PT_GNU_STACK,
				 .p_flags = PF_R | PF_W, .p_align = 16 },
		[MINI_FREE] = { .p_type = PT_NULL },
	};

	m->size = MINI_SIZE;
	m->bytes = calloc(1, MINI_SIZE);
	point(m);
	memcpy(m->eh, &eh, sizeof(eh));
	memcpy(m->ph, ph, sizeof(ph));
	put_code(m->bytes + MINI_CODE_OFF, base);
	m->bytes[MINI_DATA_OFF] = MINI_EXIT;
	memset(m->bytes + MINI_DATA_OFF + 0x10, 0x55,
	       MINI_SIZE - MINI_DATA_OFF - 0x10);
}

void mini_elf_set_interp(struct mini_elf *m, const char *path)
{
	size_t len = strlen(path) + 1;
	Elf64_Phdr *p = &m->ph[MINI_FREE];

	if (len > MINI_STR_MAX)
		abort();
	memcpy(m->bytes + MINI_STR_OFF, path, len);
	*p = (Elf64_Phdr){ .p_type = PT_INTERP, .p_flags = PF_R,
			   .p_offset = MINI_STR_OFF,
			   .p_vaddr = m->ph[MINI_TEXT].p_vaddr + MINI_STR_OFF,
			   .p_filesz = len, .p_memsz = len, .p_align = 1 };
}

void mini_elf_resize(struct mini_elf *m, size_t size)
{
	m->bytes = realloc(m->bytes, size > 64 ? size : 64);
	if (size > m->size)
		memset(m->bytes + m->size, 0, size - m->size);
	m->size = size;
	point(m);
}

void mini_elf_free(struct mini_elf *m)
{
	free(m->bytes);
	m->bytes = NULL;
}
