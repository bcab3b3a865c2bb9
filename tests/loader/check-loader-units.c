/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The loader's pure code, compiled hosted from loader/elf-check.c and
 * loader/stack.c as they are, checked against the kernel's rules
 * (doc: /work/notes/kernel-exec-facts.md §3, §5, §9): the ELF checks field
 * by field, and the initial stack to the byte, including against the
 * stack the kernel built for this very process.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>
#include "elf-check.h"
#include "mini-elf.h"
#include "stack.h"
#include "testlib.h"

/* ------------------------------------------------------------------ */
/* elf_classify, elf_phdrs_size, elf_check_interp_path                 */
/* ------------------------------------------------------------------ */

START_TEST(classify)
{
	struct mini_elf m;
	unsigned char *b;

	mini_elf_build(&m, ET_EXEC);
	b = m.bytes;
	ck_assert_int_eq(elf_classify(b, m.size), ELF_LOAD);
	ck_assert_int_eq(elf_classify(b, sizeof(Elf64_Ehdr)), ELF_LOAD);
	ck_assert_int_eq(elf_classify(b, sizeof(Elf64_Ehdr) - 1),
			 ELF_KERNEL_FOREIGN);
	ck_assert_int_eq(elf_classify(b, 0), ELF_KERNEL_FOREIGN);
	m.eh->e_type = ET_DYN;
	ck_assert_int_eq(elf_classify(b, m.size), ELF_LOAD);
	m.eh->e_type = ET_REL;
	ck_assert_int_eq(elf_classify(b, m.size), ELF_KERNEL_FOREIGN);
	m.eh->e_type = ET_CORE;
	ck_assert_int_eq(elf_classify(b, m.size), ELF_KERNEL_FOREIGN);
	m.eh->e_type = ET_NONE;
	ck_assert_int_eq(elf_classify(b, m.size), ELF_KERNEL_FOREIGN);
	m.eh->e_type = ET_EXEC;
	m.eh->e_machine = EM_386;
	ck_assert_int_eq(elf_classify(b, m.size), ELF_KERNEL_FOREIGN);
	m.eh->e_machine = EM_X86_64;
	b[EI_CLASS] = ELFCLASS32;
	ck_assert_int_eq(elf_classify(b, m.size), ELF_KERNEL_FOREIGN);
	b[EI_CLASS] = ELFCLASS64;
	b[EI_DATA] = ELFDATA2MSB;
	ck_assert_int_eq(elf_classify(b, m.size), ELF_KERNEL_FOREIGN);
	b[EI_DATA] = ELFDATA2LSB;
	b[EI_MAG1] = 'e';
	ck_assert_int_eq(elf_classify(b, m.size), ELF_KERNEL_FOREIGN);
	mini_elf_free(&m);

	ck_assert_int_eq(elf_classify((const unsigned char *)"#!", 2),
			 ELF_KERNEL_SCRIPT);
	ck_assert_int_eq(elf_classify((const unsigned char *)"#!/bin/sh\n", 10),
			 ELF_KERNEL_SCRIPT);
	ck_assert_int_eq(elf_classify((const unsigned char *)"#", 1),
			 ELF_KERNEL_FOREIGN);
	ck_assert_int_eq(elf_classify((const unsigned char *)"!#", 2),
			 ELF_KERNEL_FOREIGN);
}
END_TEST

START_TEST(phdrs_size)
{
	Elf64_Ehdr eh = { .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 4,
			  .e_phoff = 64 };

	ck_assert_int_eq(elf_phdrs_size(&eh), 4 * 56);
	eh.e_phentsize = 55;
	ck_assert_int_eq(elf_phdrs_size(&eh), -ENOEXEC);
	eh.e_phentsize = 57;
	ck_assert_int_eq(elf_phdrs_size(&eh), -ENOEXEC);
	eh.e_phentsize = 56;
	eh.e_phnum = 0;
	ck_assert_int_eq(elf_phdrs_size(&eh), -ENOEXEC);
	/* 65536 bytes at most: 1170 entries, not 1171 (6.18, not a page) */
	eh.e_phnum = 1170;
	ck_assert_int_eq(elf_phdrs_size(&eh), 1170 * 56);
	eh.e_phnum = 1171;
	ck_assert_int_eq(elf_phdrs_size(&eh), -ENOEXEC);
	eh.e_phnum = 0xffff;
	ck_assert_int_eq(elf_phdrs_size(&eh), -ENOEXEC);
	eh.e_phnum = 2;
	eh.e_phoff = UINT64_MAX - 112;
	ck_assert_int_eq(elf_phdrs_size(&eh), 112);
	eh.e_phoff = UINT64_MAX - 111;
	ck_assert_int_eq(elf_phdrs_size(&eh), -ENOEXEC);
}
END_TEST

START_TEST(interp_path)
{
	char long_path[ELF_INTERP_MAX + 1];

	ck_assert_int_eq(elf_check_interp_path("/", 2), 0);
	ck_assert_int_eq(elf_check_interp_path("/lib/ld.so", 11), 0);
	ck_assert_int_eq(elf_check_interp_path("", 1), -ENOEXEC);
	ck_assert_int_eq(elf_check_interp_path("", 0), -ENOEXEC);
	/* Only the last byte must be NUL: an inner one shortens the path. */
	ck_assert_int_eq(elf_check_interp_path("/a\0bc", 6), 0);
	ck_assert_int_eq(elf_check_interp_path("/lib/ld.so", 10), -ENOEXEC);
	memset(long_path, 'a', sizeof(long_path));
	long_path[ELF_INTERP_MAX - 1] = 0;
	ck_assert_int_eq(elf_check_interp_path(long_path, ELF_INTERP_MAX), 0);
	long_path[ELF_INTERP_MAX] = 0;
	ck_assert_int_eq(elf_check_interp_path(long_path, ELF_INTERP_MAX + 1),
			 -ENOEXEC);
}
END_TEST

/* ------------------------------------------------------------------ */
/* elf_scan_phdrs                                                      */
/* ------------------------------------------------------------------ */

START_TEST(scan_exec)
{
	struct mini_elf m;
	struct elf_info in;

	mini_elf_build(&m, ET_EXEC);
	elf_scan_phdrs(m.eh, m.ph, &in);
	ck_assert_int_eq(in.type, ET_EXEC);
	ck_assert_int_eq(in.phnum, MINI_PHNUM);
	ck_assert_uint_eq(in.entry, MINI_BASE + MINI_CODE_OFF);
	ck_assert_uint_eq(in.phoff, sizeof(Elf64_Ehdr));
	ck_assert_int_eq(in.has_interp, 0);
	ck_assert_uint_eq(in.interp_len, 0);
	ck_assert_int_eq(in.exec_stack, 0);
	ck_assert_uint_eq(in.first_vaddr, MINI_BASE);
	ck_assert_uint_eq(in.total_size, 0x3000);
	ck_assert_uint_eq(in.max_align, 0x1000);
	ck_assert_uint_eq(in.phdr_vaddr, MINI_BASE + sizeof(Elf64_Ehdr));

	/* Unsorted: the span is still lowest page to highest end. */
	m.ph[MINI_TEXT].p_vaddr += 0x10000;
	elf_scan_phdrs(m.eh, m.ph, &in);
	ck_assert_uint_eq(in.first_vaddr, MINI_BASE + 0x10000);
	ck_assert_uint_eq(in.total_size, 0x10000);
	mini_elf_free(&m);
}
END_TEST

START_TEST(scan_dyn_interp_stack)
{
	struct mini_elf m;
	struct elf_info in;
	Elf64_Phdr ph[6];

	mini_elf_build(&m, ET_DYN);
	mini_elf_set_interp(&m, "/lib/ld.so");
	elf_scan_phdrs(m.eh, m.ph, &in);
	ck_assert_int_eq(in.type, ET_DYN);
	ck_assert_uint_eq(in.entry, MINI_CODE_OFF);
	ck_assert_uint_eq(in.first_vaddr, 0);
	ck_assert_int_eq(in.has_interp, 1);
	ck_assert_uint_eq(in.interp_off, MINI_STR_OFF);
	ck_assert_uint_eq(in.interp_len, 11);
	ck_assert_uint_eq(in.phdr_vaddr, sizeof(Elf64_Ehdr));

	/* More headers: the first PT_INTERP counts (an empty one too), the
	 * last PT_GNU_STACK, the largest power-of-two p_align, and the last
	 * PT_LOAD holding the table gives AT_PHDR. */
	memcpy(ph, m.ph, sizeof(Elf64_Phdr) * MINI_PHNUM);
	ph[MINI_FREE].p_filesz = 0;
	ph[4] = (Elf64_Phdr){ .p_type = PT_INTERP, .p_offset = 0x300,
			      .p_filesz = 20 };
	ph[5] = (Elf64_Phdr){ .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W |
								  PF_X };
	ph[MINI_DATA].p_offset = 0;
	ph[MINI_DATA].p_filesz = 0x100;
	ph[MINI_DATA].p_align = 0x200000;
	ph[MINI_TEXT].p_align = 0x300000;	/* not a power of two */
	m.eh->e_phnum = 6;
	elf_scan_phdrs(m.eh, ph, &in);
	ck_assert_int_eq(in.has_interp, 1);
	ck_assert_uint_eq(in.interp_off, MINI_STR_OFF);
	ck_assert_uint_eq(in.interp_len, 0);
	ck_assert_int_eq(in.exec_stack, 1);
	ck_assert_uint_eq(in.max_align, 0x200000);
	ck_assert_uint_eq(in.phdr_vaddr, 0x1000 + sizeof(Elf64_Ehdr));
	ph[5].p_flags = PF_R | PF_W;
	elf_scan_phdrs(m.eh, ph, &in);
	ck_assert_int_eq(in.exec_stack, 0);

	/* No PT_LOAD holds the table: AT_PHDR is the load bias (+0). */
	m.eh->e_phoff = 0x800;
	elf_scan_phdrs(m.eh, ph, &in);
	ck_assert_uint_eq(in.phdr_vaddr, 0);
	mini_elf_free(&m);
}
END_TEST

/* ------------------------------------------------------------------ */
/* elf_check_phdrs: one change to the mini image per row               */
/* ------------------------------------------------------------------ */

struct phdr_case {
	const char *name;
	void (*change)(struct mini_elf *m);
	int expect;
};

static void no_change(struct mini_elf *m) { }
static void filesz_gt_memsz(struct mini_elf *m)
{
	m->ph[MINI_DATA].p_filesz = m->ph[MINI_DATA].p_memsz + 1;
}
static void filesz_eq_memsz(struct mini_elf *m)
{
	m->ph[MINI_DATA].p_memsz = m->ph[MINI_DATA].p_filesz;
}
static void memsz_huge(struct mini_elf *m)
{
	m->ph[MINI_DATA].p_memsz = 0x800000000000ull;
}
static void end_at_task_size(struct mini_elf *m)
{
	m->ph[MINI_DATA].p_vaddr = 0x7ffffffff000ull - 0x2000;
	m->ph[MINI_DATA].p_memsz = 0x2000;
}
static void end_past_task_size(struct mini_elf *m)
{
	m->ph[MINI_DATA].p_vaddr = 0x7ffffffff000ull - 0x1000;
}
static void vaddr_wraps(struct mini_elf *m)
{
	m->ph[MINI_DATA].p_vaddr = ~0ull - 0xfff;
}
static void misaligned(struct mini_elf *m)
{
	m->ph[MINI_DATA].p_offset += 8;
}
static void both_unaligned(struct mini_elf *m)
{
	m->ph[MINI_DATA].p_offset += 8;
	m->ph[MINI_DATA].p_vaddr += 8;
}
static void unsorted(struct mini_elf *m)
{
	Elf64_Phdr t = m->ph[MINI_TEXT];

	m->ph[MINI_TEXT] = m->ph[MINI_DATA];
	m->ph[MINI_DATA] = t;
}
static void overlap_one_byte(struct mini_elf *m)
{
	m->ph[MINI_TEXT].p_memsz = 0x1001;
	m->ph[MINI_TEXT].p_filesz = 0x1001;
}
static void touching(struct mini_elf *m)
{
	m->ph[MINI_TEXT].p_memsz = 0x1000;
	m->ph[MINI_TEXT].p_filesz = 0x1000;
}
static void sharing_a_page(struct mini_elf *m)
{
	m->ph[MINI_DATA].p_vaddr = MINI_BASE + 0x800;
	m->ph[MINI_DATA].p_offset = 0x800;
}
static void filesz_to_page_end(struct mini_elf *m)
{
	m->ph[MINI_DATA].p_filesz = 0x1000;	/* file ends at 0x1100 */
}
static void filesz_past_page_end(struct mini_elf *m)
{
	m->ph[MINI_DATA].p_filesz = 0x1001;
}
static void offset_past_eof(struct mini_elf *m)
{
	m->ph[MINI_DATA].p_offset = 0x3000;
}
static void offset_past_eof_no_file_bytes(struct mini_elf *m)
{
	m->ph[MINI_DATA].p_offset = 0x3000;
	m->ph[MINI_DATA].p_filesz = 0;
}
static void no_load(struct mini_elf *m)
{
	m->ph[MINI_TEXT].p_type = PT_NULL;
	m->ph[MINI_DATA].p_type = PT_NOTE;
}
static void only_data(struct mini_elf *m)
{
	m->ph[MINI_TEXT].p_type = PT_NULL;
	m->eh->e_entry = MINI_BASE + 0x1000;
}
static void entry_zero(struct mini_elf *m) { m->eh->e_entry = 0; }
static void entry_last_byte(struct mini_elf *m)
{
	m->eh->e_entry = MINI_BASE + 0x2fff;
}
static void entry_at_end(struct mini_elf *m)
{
	m->eh->e_entry = MINI_BASE + 0x3000;
}
static void entry_below(struct mini_elf *m)
{
	m->eh->e_entry = MINI_BASE - 1;
}
/* Broken PT_INTERP or PT_GNU_STACK are not this function's business. */
static void bad_interp(struct mini_elf *m)
{
	mini_elf_set_interp(m, "/x");
	m->ph[MINI_FREE].p_filesz = 99999;
	m->ph[MINI_FREE].p_offset = 1ull << 40;
}

/* The kernel maps a first PT_LOAD without file bytes with brk. */
static void first_without_file_bytes(struct mini_elf *m)
{
	m->ph[MINI_TEXT].p_filesz = 0;
}
static void later_without_file_bytes(struct mini_elf *m)
{
	m->ph[MINI_DATA].p_filesz = 0;
}

static const struct phdr_case phdr_cases[] = {
	{ "intact", no_change, 0 },
	{ "filesz_gt_memsz", filesz_gt_memsz, ELF_KERNEL_LAYOUT },
	{ "filesz_eq_memsz", filesz_eq_memsz, 0 },
	{ "memsz_huge", memsz_huge, ELF_KERNEL_LAYOUT },
	{ "end_at_task_size", end_at_task_size, 0 },
	{ "end_past_task_size", end_past_task_size, ELF_KERNEL_LAYOUT },
	{ "vaddr_wraps", vaddr_wraps, ELF_KERNEL_LAYOUT },
	{ "misaligned", misaligned, ELF_KERNEL_LAYOUT },
	{ "both_unaligned", both_unaligned, 0 },
	{ "unsorted", unsorted, ELF_KERNEL_LAYOUT },
	{ "overlap_one_byte", overlap_one_byte, ELF_KERNEL_LAYOUT },
	{ "touching", touching, 0 },
	{ "sharing_a_page", sharing_a_page, 0 },
	{ "filesz_to_page_end", filesz_to_page_end, 0 },
	{ "filesz_past_page_end", filesz_past_page_end, ELF_KERNEL_LAYOUT },
	{ "offset_past_eof", offset_past_eof, ELF_KERNEL_LAYOUT },
	{ "offset_past_eof_no_file_bytes", offset_past_eof_no_file_bytes, 0 },
	{ "no_load", no_load, ELF_KERNEL_LAYOUT },
	{ "only_data", only_data, 0 },
	{ "entry_zero", entry_zero, ELF_KERNEL_LAYOUT },
	{ "entry_last_byte", entry_last_byte, 0 },
	{ "entry_at_end", entry_at_end, ELF_KERNEL_LAYOUT },
	{ "entry_below", entry_below, ELF_KERNEL_LAYOUT },
	{ "bad_interp", bad_interp, 0 },
	{ "first_without_file_bytes", first_without_file_bytes,
	  ELF_KERNEL_LAYOUT },
	{ "later_without_file_bytes", later_without_file_bytes, 0 },
};

START_TEST(check_phdrs)
{
	const struct phdr_case *c = &phdr_cases[_i];
	struct mini_elf m;
	int got;

	mini_elf_build(&m, ET_EXEC);
	c->change(&m);
	got = elf_check_phdrs(m.eh, m.ph, m.size);
	ck_assert_msg(got == c->expect, "%s: got %d, expected %d", c->name,
		      got, c->expect);
	mini_elf_free(&m);
}
END_TEST

START_TEST(check_phdrs_dyn)
{
	struct mini_elf m;

	mini_elf_build(&m, ET_DYN);
	ck_assert_int_eq(elf_check_phdrs(m.eh, m.ph, m.size), 0);
	m.eh->e_entry = 0;	/* the first byte of an ET_DYN is fine */
	ck_assert_int_eq(elf_check_phdrs(m.eh, m.ph, m.size), 0);
	m.eh->e_entry = 0x3000;
	ck_assert_int_eq(elf_check_phdrs(m.eh, m.ph, m.size),
			 ELF_KERNEL_LAYOUT);
	mini_elf_free(&m);
}
END_TEST

/*
 * elf_segment_pages(): the pages a segment takes as new never include one
 * an earlier segment mapped, and cover all of its own but the shared one.
 */
START_TEST(segment_pages)
{
	Elf64_Phdr text = { .p_type = PT_LOAD, .p_vaddr = 0x400000,
			    .p_memsz = 0x500 };
	Elf64_Phdr shared = { .p_type = PT_LOAD, .p_vaddr = 0x400800,
			      .p_memsz = 0x2000 };
	Elf64_Phdr inside = { .p_type = PT_LOAD, .p_vaddr = 0x400600,
			      .p_memsz = 0x100 };
	Elf64_Phdr apart = { .p_type = PT_LOAD, .p_vaddr = 0x900010,
			     .p_memsz = 0x10 };
	uint64_t lo, hi;

	elf_segment_pages(&text, 0, 0, &lo, &hi);
	ck_assert_uint_eq(lo, 0x400000);
	ck_assert_uint_eq(hi, 0x401000);
	elf_segment_pages(&shared, 0, hi, &lo, &hi);
	ck_assert_uint_eq(lo, 0x401000);	/* not the shared page */
	ck_assert_uint_eq(hi, 0x403000);
	elf_segment_pages(&inside, 0, 0x401000, &lo, &hi);
	ck_assert_uint_eq(lo, hi);		/* nothing new */
	elf_segment_pages(&apart, 0x1000, 0x403000, &lo, &hi);
	ck_assert_uint_eq(lo, 0x901000);	/* the load bias counts */
	ck_assert_uint_eq(hi, 0x902000);
}
END_TEST

/* The rules must not refuse real programs: every x86_64 executable in
 * the system's bin directories, and the dynamic linker, passes them. */
static int check_file(const char *path, char *why, size_t len)
{
	unsigned char head[sizeof(Elf64_Ehdr)];
	static Elf64_Phdr ph[ELF_MAX_PHDRS_SIZE / sizeof(Elf64_Phdr)];
	Elf64_Ehdr eh;
	struct stat st;
	long size;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = -1;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    pread(fd, head, sizeof(head), 0) != sizeof(head) ||
	    elf_classify(head, sizeof(head)) != ELF_LOAD)
		goto out;
	memcpy(&eh, head, sizeof(eh));
	size = elf_phdrs_size(&eh);
	if (size < 0 ||
	    pread(fd, ph, (size_t)size, (off_t)eh.e_phoff) != size) {
		snprintf(why, len, "%s: program headers unreadable", path);
		r = 1;
		goto out;
	}
	r = elf_check_phdrs(&eh, ph, (uint64_t)st.st_size);
	if (r)
		snprintf(why, len, "%s: elf_check_phdrs() = %d", path, r);
	r = r ? 1 : 0;
out:
	close(fd);
	return r;
}

START_TEST(system_programs_pass)
{
	static const char *const dirs[] = { "/usr/bin", "/usr/sbin" };
	char path[4096], why[4200];
	int checked = 0;
	size_t d;

	for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *e;

		if (!dir)
			continue;
		while ((e = readdir(dir))) {
			snprintf(path, sizeof(path), "%s/%s", dirs[d],
				 e->d_name);
			switch (check_file(path, why, sizeof(why))) {
			case 0:
				checked++;
				break;
			case 1:
				closedir(dir);
				ck_abort_msg("%s", why);
			}
		}
		closedir(dir);
	}
	ck_assert_int_eq(check_file("/lib64/ld-linux-x86-64.so.2", why,
				    sizeof(why)), 0);
	ck_assert_int_gt(checked, 10);
}
END_TEST

/* ------------------------------------------------------------------ */
/* stack_size, stack_build                                             */
/* ------------------------------------------------------------------ */

#define SENTINEL 0xa5

/* Where address addr of the built stack is in buf. */
struct image {
	const struct stack_args *a;
	unsigned char *buf;
	size_t len;
};

static unsigned char *at(const struct image *im, uint64_t addr)
{
	ck_assert_uint_le(addr, im->a->top);
	ck_assert_uint_ge(addr, im->a->top - im->len);
	return im->buf + im->len - (im->a->top - addr);
}

static uint64_t word(const struct image *im, uint64_t addr)
{
	uint64_t v;

	memcpy(&v, at(im, addr), 8);
	return v;
}

static int all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static size_t pairs_of(const uint64_t *auxv)
{
	size_t n = 0;

	while (auxv[2 * n] != AT_NULL)
		n++;
	return n + 1;
}

static uint64_t expected_value(const struct stack_args *a, uint64_t key,
			       uint64_t val, uint64_t random, uint64_t platform,
			       uint64_t execfn)
{
	size_t i;

	if (key == AT_RANDOM)
		return random;
	if (key == AT_PLATFORM)
		return platform;
	if (key == AT_EXECFN)
		return execfn;
	for (i = 0; i < a->nset; i++)
		if (a->set[2 * i] == key)
			return a->set[2 * i + 1];
	return val;
}

/* The pointer vector at vec for the strings s, placed from addr on. */
static void check_vector(const struct image *im, uint64_t vec,
			 const struct stack_strings *s, uint64_t addr)
{
	const char *p = s->data;
	size_t i;

	for (i = 0; i < s->count; i++) {
		uint64_t ptr = word(im, vec + 8 * i);

		ck_assert_uint_eq(ptr, addr);
		ck_assert_str_eq((const char *)at(im, ptr), p);
		addr += strlen(p) + 1;
		p += strlen(p) + 1;
	}
	ck_assert_uint_eq(word(im, vec + 8 * s->count), 0);
}

/*
 * Checks a built stack against create_elf_tables(), every byte from the
 * lowest to the top, computing each position from the rules (not from the
 * layout stack_build() reports, which is checked against them).
 */
static void verify_stack(const struct stack_args *a, unsigned char *buf,
			 size_t len, const struct stack_layout *st)
{
	struct image im = { a, buf, len };
	size_t fnlen = strlen(a->execfn) + 1, pairs = pairs_of(a->auxv), i;
	uint64_t execfn = a->top - 8 - fnlen;
	uint64_t env_start = execfn - a->envp.bytes;
	uint64_t arg_start = env_start - a->argv.bytes;
	uint64_t platform = ((arg_start - a->gap) & ~15ull) - 7;
	uint64_t random = platform - 16;
	uint64_t items = a->argv.count + 1 + a->envp.count + 1 + 1;
	uint64_t sp = (random - 16 * pairs - 8 * items) & ~15ull;
	uint64_t auxv = sp + 8 * items;
	uint64_t auxv_end = auxv + 16 * pairs;

	/* The top: 8 zero bytes, execfn right below, then env, then argv,
	 * back to back. */
	ck_assert(all_zero(at(&im, a->top - 8), 8));
	ck_assert_mem_eq(at(&im, execfn), a->execfn, fnlen);
	ck_assert_mem_eq(at(&im, env_start), a->envp.data, a->envp.bytes);
	ck_assert_mem_eq(at(&im, arg_start), a->argv.data, a->argv.bytes);
	ck_assert_uint_eq(st->env_end, execfn);
	ck_assert_uint_eq(st->env_start, env_start);
	ck_assert_uint_eq(st->arg_end, env_start);
	ck_assert_uint_eq(st->arg_start, arg_start);

	/* The random gap, the platform string, the random bytes. */
	ck_assert(all_zero(at(&im, platform + 7), arg_start - (platform + 7)));
	ck_assert_mem_eq(at(&im, platform), "x86_64", 7);
	ck_assert_mem_eq(at(&im, random), a->random, 16);
	ck_assert(all_zero(at(&im, auxv_end), random - auxv_end));
	ck_assert_uint_lt(random - auxv_end, 16);

	/* argc, argv, envp, auxv from sp up, sp 16-byte aligned. */
	ck_assert_uint_eq(st->sp, sp);
	ck_assert_uint_eq(sp % 16, 0);
	ck_assert_uint_eq(word(&im, sp), a->argv.count);
	check_vector(&im, sp + 8, &a->argv, arg_start);
	check_vector(&im, sp + 16 + 8 * a->argv.count, &a->envp, env_start);
	ck_assert_uint_eq(st->auxv, auxv);
	ck_assert_uint_eq(st->auxv_bytes, 16 * pairs);
	for (i = 0; i < pairs; i++) {
		uint64_t key = a->auxv[2 * i];

		ck_assert_uint_eq(word(&im, auxv + 16 * i), key);
		ck_assert_uint_eq(word(&im, auxv + 16 * i + 8),
				  expected_value(a, key, a->auxv[2 * i + 1],
						 random, platform, execfn));
	}

	/* Nothing below sp was touched, and the size bound holds. */
	ck_assert_uint_eq(st->low, sp);
	ck_assert_uint_ge(st->low, a->top - stack_size(a));
	for (i = 0; i < len - (a->top - sp); i++)
		ck_assert_msg(buf[i] == SENTINEL, "byte at sp-%zu written",
			      len - (a->top - sp) - i);
}

/*
 * A buffer standing for the len bytes below top: its end must be aligned
 * as top is (a page boundary), as it is in the loader, where it is the
 * stack itself.
 */
static size_t buffer_len(const struct stack_args *a, size_t extra)
{
	return (stack_size(a) + extra + 15) & ~(size_t)15;
}

/* Builds a into a fresh buffer (with room below for the sentinel). */
static void build_and_verify(const struct stack_args *a)
{
	size_t len = buffer_len(a, 256);
	unsigned char *buf = aligned_alloc(16, len);
	struct stack_layout st;

	memset(buf, SENTINEL, len);
	ck_assert_int_eq(stack_build(a, buf, len, &st), 0);
	verify_stack(a, buf, len, &st);
	free(buf);
}

static const char argv_data[] = "prog\0-x\0\0last argument";
static const char envp_data[] = "A=1\0LONGER=value\0E=";
static const unsigned char random_data[16] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

/* The loader's own auxv on 6.18, in the kernel's order (§11). */
static const uint64_t template_auxv[] = {
	AT_SYSINFO_EHDR, 0x7ffff7fc1000, AT_MINSIGSTKSZ, 3376,
	AT_HWCAP, 0x178bfbff, AT_PAGESZ, 4096, AT_CLKTCK, 100,
	AT_PHDR, 0x7ffff7f00040, AT_PHENT, 56, AT_PHNUM, 6, AT_BASE, 0,
	AT_FLAGS, 0, AT_ENTRY, 0x7ffff7f01000, AT_UID, 1000, AT_EUID, 1000,
	AT_GID, 1000, AT_EGID, 1000, AT_SECURE, 0, AT_RANDOM, 0xdead,
	AT_HWCAP2, 2, AT_EXECFN, 0xbeef, AT_PLATFORM, 0xf00d,
	AT_RSEQ_FEATURE_SIZE, 28, AT_RSEQ_ALIGN, 32, AT_NULL, 0,
};

/* The per-image rewrites run.c asks for; AT_NOTELF is not in the
 * template, so it must not appear. */
static const uint64_t set_pairs[] = {
	AT_PHDR, 0x400040, AT_PHNUM, 13, AT_BASE, 0x7ffff7fc3000,
	AT_ENTRY, 0x401020, AT_UID, 0, AT_EUID, 65534, AT_NOTELF, 1,
};

static struct stack_args fixed_args(void)
{
	return (struct stack_args){
		.top = 0x7ffffffde000ull,
		.argv = { argv_data, sizeof(argv_data), 4 },
		.envp = { envp_data, sizeof(envp_data), 3 },
		.execfn = "/usr/bin/prog",
		.random = random_data,
		.gap = 37,
		.auxv = template_auxv,
		.set = set_pairs,
		.nset = sizeof(set_pairs) / sizeof(set_pairs[0]) / 2,
	};
}

/* The layout worked out by hand for fixed_args(), address by address. */
START_TEST(stack_exact)
{
	struct stack_args a = fixed_args();
	size_t len = buffer_len(&a, 64);
	unsigned char *buf = aligned_alloc(16, len);
	struct image im = { &a, buf, len };
	struct stack_layout st;
	const uint64_t top = a.top;
	/* execfn "/usr/bin/prog" is 14 bytes, envp 20, argv 23 */
	const uint64_t execfn = top - 8 - 14;
	const uint64_t env_start = execfn - 20;
	const uint64_t arg_start = env_start - 23;
	const uint64_t aligned = (arg_start - 37) & ~15ull;
	const uint64_t platform = aligned - 7, random = platform - 16;
	/* 23 auxv pairs (368 bytes), 4 + 1 + 3 + 1 + 1 = 10 words */
	const uint64_t sp = (random - 368 - 80) & ~15ull;
	uint64_t v;
	int i;

	memset(buf, SENTINEL, len);
	ck_assert_int_eq(stack_build(&a, buf, len, &st), 0);
	ck_assert_uint_eq(execfn, 0x7ffffffddfeaull);
	ck_assert_uint_eq(env_start, 0x7ffffffddfd6ull);
	ck_assert_uint_eq(arg_start, 0x7ffffffddfbfull);
	ck_assert_uint_eq(aligned, 0x7ffffffddf90ull);
	ck_assert_uint_eq(random, 0x7ffffffddf79ull);
	ck_assert_uint_eq(sp, 0x7ffffffdddb0ull);
	ck_assert_uint_eq(st.sp, sp);
	ck_assert_uint_eq(st.arg_start, arg_start);
	ck_assert_uint_eq(st.arg_end, env_start);
	ck_assert_uint_eq(st.env_start, env_start);
	ck_assert_uint_eq(st.env_end, execfn);
	ck_assert_uint_eq(st.auxv, sp + 80);
	ck_assert_uint_eq(st.auxv_bytes, 368);

	ck_assert_uint_eq(word(&im, sp), 4);
	ck_assert_uint_eq(word(&im, sp + 8), arg_start);	/* prog */
	ck_assert_uint_eq(word(&im, sp + 16), arg_start + 5);	/* -x */
	ck_assert_uint_eq(word(&im, sp + 24), arg_start + 8);	/* "" */
	ck_assert_uint_eq(word(&im, sp + 32), arg_start + 9);
	ck_assert_uint_eq(word(&im, sp + 40), 0);
	ck_assert_uint_eq(word(&im, sp + 48), env_start);
	ck_assert_uint_eq(word(&im, sp + 56), env_start + 4);
	ck_assert_uint_eq(word(&im, sp + 64), env_start + 17);
	ck_assert_uint_eq(word(&im, sp + 72), 0);
	ck_assert_str_eq((char *)at(&im, arg_start + 9), "last argument");
	ck_assert_str_eq((char *)at(&im, env_start + 17), "E=");
	ck_assert_str_eq((char *)at(&im, execfn), "/usr/bin/prog");
	for (i = 0; i < 23; i++) {
		uint64_t key = template_auxv[2 * i];

		ck_assert_uint_eq(word(&im, sp + 80 + 16 * i), key);
		v = word(&im, sp + 88 + 16 * i);
		switch (key) {
		case AT_PHDR: ck_assert_uint_eq(v, 0x400040); break;
		case AT_PHNUM: ck_assert_uint_eq(v, 13); break;
		case AT_BASE: ck_assert_uint_eq(v, 0x7ffff7fc3000); break;
		case AT_ENTRY: ck_assert_uint_eq(v, 0x401020); break;
		case AT_UID: ck_assert_uint_eq(v, 0); break;
		case AT_EUID: ck_assert_uint_eq(v, 65534); break;
		case AT_RANDOM: ck_assert_uint_eq(v, random); break;
		case AT_PLATFORM: ck_assert_uint_eq(v, platform); break;
		case AT_EXECFN: ck_assert_uint_eq(v, execfn); break;
		default:
			ck_assert_uint_eq(v, template_auxv[2 * i + 1]);
		}
	}
	ck_assert_uint_eq(word(&im, sp + 80 + 16 * 22), AT_NULL);
	ck_assert_uint_eq(word(&im, sp + 88 + 16 * 22), 0);
	verify_stack(&a, buf, len, &st);
	free(buf);
}
END_TEST

/* Many shapes: string counts and lengths, every alignment, gaps up to
 * the largest arch_align_stack() draws. */
START_TEST(stack_shapes)
{
	static char strbuf[2][4096];
	unsigned seed = 12345;
	int round;

	for (round = 0; round < 400; round++) {
		struct stack_args a = fixed_args();
		char execfn[64];
		size_t k, n[2];

		for (k = 0; k < 2; k++) {
			size_t j, off = 0;

			n[k] = (size_t)(rand_r(&seed) % (k ? 12 : 6)) + !k;
			for (j = 0; j < n[k]; j++) {
				size_t l = (size_t)rand_r(&seed) % 40;

				memset(strbuf[k] + off, 'a' + (int)(j % 26), l);
				strbuf[k][off + l] = 0;
				off += l + 1;
			}
			*(k ? &a.envp : &a.argv) = (struct stack_strings){
				strbuf[k], off, n[k] };
		}
		snprintf(execfn, sizeof(execfn), "/x%.*s", round % 30,
			 "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
		a.execfn = execfn;
		/* The smallest and the largest gaps, then random ones. */
		if (round < 16)
			a.gap = (uint64_t)round;
		else if (round < 32)
			a.gap = 8191 - (uint64_t)(round - 16);
		else
			a.gap = (uint64_t)rand_r(&seed) % 8192;
		a.top = 0x7ffffffff000ull - 0x1000ull * (uint64_t)(round % 7);
		a.nset = (size_t)round % 8;
		build_and_verify(&a);
	}
}
END_TEST

START_TEST(stack_auxv_template)
{
	uint64_t auxv[2 * (STACK_AUXV_MAX + 1)];
	struct stack_args a = fixed_args();
	unsigned char buf[64];
	struct stack_layout st;
	int i;

	/* The shortest template: AT_NULL alone. */
	auxv[0] = AT_NULL;
	auxv[1] = 0;
	a.auxv = auxv;
	build_and_verify(&a);

	/* AT_NULL as pair STACK_AUXV_MAX is the last one accepted. */
	for (i = 0; i < STACK_AUXV_MAX + 1; i++) {
		auxv[2 * i] = 100 + (uint64_t)i;
		auxv[2 * i + 1] = (uint64_t)i;
	}
	auxv[2 * (STACK_AUXV_MAX - 1)] = AT_NULL;
	build_and_verify(&a);
	auxv[2 * (STACK_AUXV_MAX - 1)] = 99;
	auxv[2 * STACK_AUXV_MAX] = AT_NULL;
	ck_assert_int_eq(stack_build(&a, buf, sizeof(buf), &st), -1);
}
END_TEST

/*
 * The real thing: this process's own initial stack, as the kernel built
 * it, captured at the start of main(). stack_build() given the same
 * strings, random bytes, auxv and gap must produce it byte for byte.
 */
static unsigned char *kernel_stack;	/* copy of [kernel_sp, kernel_top) */
static uint64_t kernel_sp, kernel_top;
static int kernel_argc;
static char **kernel_argv;

static void capture_initial_stack(int argc, char **argv)
{
	const char *execfn = (const char *)getauxval(AT_EXECFN);

	kernel_argc = argc;
	kernel_argv = argv;
	kernel_sp = (uint64_t)(uintptr_t)argv - 8;
	kernel_top = (uint64_t)(uintptr_t)execfn + strlen(execfn) + 1 + 8;
	kernel_stack = malloc(kernel_top - kernel_sp);
	memcpy(kernel_stack, (void *)(uintptr_t)kernel_sp,
	       kernel_top - kernel_sp);
}

static const void *kernel_at(uint64_t addr)
{
	return kernel_stack + (addr - kernel_sp);
}

START_TEST(stack_matches_kernel)
{
	uint64_t argc, arg_start, env_start, execfn, platform, vec;
	const uint64_t *auxv;
	struct stack_args a;
	struct stack_layout st;
	size_t envc = 0, len, i;
	unsigned char *buf;

	memcpy(&argc, kernel_at(kernel_sp), 8);
	ck_assert_uint_eq(argc, (uint64_t)kernel_argc);
	arg_start = (uint64_t)(uintptr_t)kernel_argv[0];
	for (vec = kernel_sp + 16 + 8 * argc;; vec += 8, envc++) {
		uint64_t p;

		memcpy(&p, kernel_at(vec), 8);
		if (!p)
			break;
		if (!envc)
			env_start = p;
	}
	auxv = kernel_at(vec + 8);
	execfn = platform = 0;
	for (i = 0; auxv[2 * i] != AT_NULL; i++) {
		if (auxv[2 * i] == AT_EXECFN)
			execfn = auxv[2 * i + 1];
		if (auxv[2 * i] == AT_PLATFORM)
			platform = auxv[2 * i + 1];
	}
	ck_assert_uint_ne(execfn, 0);
	ck_assert_uint_ne(platform, 0);
	if (!envc)
		env_start = execfn;
	a = (struct stack_args){
		.top = kernel_top,
		.argv = { kernel_at(arg_start), env_start - arg_start,
			  (size_t)argc },
		.envp = { kernel_at(env_start), execfn - env_start, envc },
		.execfn = kernel_at(execfn),
		.random = kernel_at(platform - 16),
		/* Any gap that lands on the same 16-byte boundary. */
		.gap = arg_start - (platform + 7) > 15
			       ? arg_start - (platform + 7) - 15 : 0,
		.auxv = auxv,
	};
	ck_assert_uint_lt(a.gap, 8192);
	len = buffer_len(&a, 0);
	buf = aligned_alloc(16, len);
	memset(buf, SENTINEL, len);
	ck_assert_int_eq(stack_build(&a, buf, len, &st), 0);
	ck_assert_uint_eq(st.sp, kernel_sp);
	ck_assert_uint_eq(st.arg_start, arg_start);
	ck_assert_uint_eq(st.env_end, execfn);
	for (i = 0; i < kernel_top - kernel_sp; i++) {
		const unsigned char *k = kernel_at(kernel_sp + i);
		const unsigned char *b = buf + len - kernel_top + kernel_sp + i;

		ck_assert_msg(*k == *b, "byte at sp+%zu (top-%zu): kernel %#x, "
			      "stack_build %#x", i, kernel_top - kernel_sp - i,
			      *k, *b);
	}
	free(buf);
}
END_TEST

static Suite *units_suite(void)
{
	Suite *s = suite_create("loader-units");
	TCase *tc = testlib_tcase(s, "elf-check", 0);

	tcase_add_test(tc, classify);
	tcase_add_test(tc, phdrs_size);
	tcase_add_test(tc, interp_path);
	tcase_add_test(tc, scan_exec);
	tcase_add_test(tc, scan_dyn_interp_stack);
	tcase_add_loop_test(tc, check_phdrs, 0,
			    sizeof(phdr_cases) / sizeof(phdr_cases[0]));
	tcase_add_test(tc, check_phdrs_dyn);
	tcase_add_test(tc, segment_pages);
	tcase_add_test(tc, system_programs_pass);

	tc = testlib_tcase(s, "stack", 0);
	tcase_add_test(tc, stack_exact);
	tcase_add_test(tc, stack_shapes);
	tcase_add_test(tc, stack_auxv_template);
	tcase_add_test(tc, stack_matches_kernel);
	return s;
}

int main(int argc, char **argv)
{
	static Suite *(*const suites[])(void) = { units_suite, NULL };

	capture_initial_stack(argc, argv);
	return testlib_main(suites);
}
