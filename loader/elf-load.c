/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
#include "elf-load.h"
#include "mem.h"
#include "sys.h"

#define IS_ERR(v) ((unsigned long)(v) >= (unsigned long)-4095)

static long read_at(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		long n = sys_pread(fd, (char *)buf + done, len - done,
				   (long)(off + done));
		if (n == -EINTR)
			continue;
		if (n < 0)
			return n;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (long)done;
}

/* Bytes at off, from the first read of the file if it covered them. */
static long read_cached(const struct elf_image *im, void *buf, size_t len,
			uint64_t off)
{
	if (off <= im->head_len && len <= im->head_len - off) {
		memcpy(buf, im->head + off, len);
		return (long)len;
	}
	return read_at(im->fd, buf, len, off);
}

int elf_read(int fd, struct elf_image *im, uint64_t file_size)
{
	long n, size;
	int verdict;

	im->fd = fd;
	im->file_size = file_size;
	/* One read usually brings the header, the program headers and the
	 * interpreter's path. */
	if ((n = read_at(fd, im->head, sizeof(im->head), 0)) < 0)
		return (int)n;
	im->head_len = (size_t)n;
	verdict = elf_classify(im->head, im->head_len);
	if (verdict != ELF_LOAD)
		return verdict;
	memcpy(&im->eh, im->head, sizeof(im->eh));
	if ((size = elf_phdrs_size(&im->eh)) < 0)
		return (int)size;
	im->ph = im->ph_small;
	if ((size_t)size > sizeof(im->ph_small)) {
		long m = sys_mmap(0, (size_t)size, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (IS_ERR(m))
			return (int)m;
		im->ph = (Elf64_Phdr *)m;
	}
	/* load_elf_phdrs() turns any failure to read the table, a short
	 * read included, into ENOEXEC. */
	n = read_cached(im, im->ph, (size_t)size, im->eh.e_phoff);
	if (n != size)
		return -ENOEXEC;
	elf_scan_phdrs(&im->eh, im->ph, &im->info);
	return ELF_LOAD;
}

int elf_read_interp(const struct elf_image *im, char *buf)
{
	uint64_t len = im->info.interp_len;
	long n;

	/* load_elf_binary(): the size, then the read, then the NUL. */
	if (len < 2 || len > ELF_INTERP_MAX)
		return -ENOEXEC;
	n = read_cached(im, buf, len, im->info.interp_off);
	if (n < 0)
		return (int)n;
	if ((uint64_t)n != len)
		return -EIO;
	return elf_check_interp_path(buf, len);
}

static int prot_of(const Elf64_Phdr *p)
{
	return ((p->p_flags & PF_R) ? PROT_READ : 0) |
	       ((p->p_flags & PF_W) ? PROT_WRITE : 0) |
	       ((p->p_flags & PF_X) ? PROT_EXEC : 0);
}

/*
 * A static-pie with p_align above a page: the kernel probes where mmap
 * would put the span and rounds that down to the alignment. Returns the
 * hint, or -errno.
 */
static long aligned_hint(const struct elf_image *im)
{
	long r = sys_mmap(0, im->info.total_size, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (IS_ERR(r))
		return r;
	sys_munmap((void *)r, im->info.total_size);
	return (long)((uint64_t)r & ~(im->info.max_align - 1));
}

/*
 * The first PT_LOAD, as elf_map() with a total size: an ET_DYN image's
 * first segment is mapped over the whole span, whose tail is then given
 * back, so that the span is reserved in one call; an ET_EXEC image's first
 * segment goes exactly where it says. Sets the load bias.
 */
static int map_first(struct elf_image *im, const Elf64_Phdr *p, uint64_t hint,
		     int honour_align)
{
	uint64_t pageoff = ELF_PAGEOFFSET(p->p_vaddr);
	uint64_t size = ELF_PAGEALIGN(p->p_filesz + pageoff);
	uint64_t total = im->info.total_size, addr = hint;
	int flags = MAP_PRIVATE, prot = prot_of(p);
	long r;

	if (!p->p_filesz)
		return -ENOEXEC;	/* nothing to anchor the span on */
	if (im->info.type == ET_EXEC) {
		addr = ELF_PAGESTART(p->p_vaddr);
		total = size;
		flags |= MAP_FIXED_NOREPLACE;
	} else if (!hint && honour_align && im->info.max_align > ELF_PAGE) {
		if ((r = aligned_hint(im)) < 0 && r > -4096)
			return (int)r;
		addr = (uint64_t)r;
		flags |= MAP_FIXED_NOREPLACE;
	} else if (hint) {
		flags |= MAP_FIXED_NOREPLACE;
	}
	r = sys_mmap((void *)addr, total, prot, flags, im->fd,
		     (long)(p->p_offset - pageoff));
	if (r == -EEXIST && im->info.type == ET_DYN)	/* taken: anywhere */
		r = sys_mmap(0, total, prot, MAP_PRIVATE, im->fd,
			     (long)(p->p_offset - pageoff));
	if (IS_ERR(r))
		return r == -EEXIST ? -ENOMEM : (int)r;
	if (total > size)
		sys_munmap((void *)(r + (long)size), total - size);
	im->load_bias = im->info.type == ET_EXEC
				? 0 : (uint64_t)r - ELF_PAGESTART(p->p_vaddr);
	im->map_start = (uint64_t)r;
	im->map_end = im->load_bias + ELF_PAGESTART(p->p_vaddr) +
		      im->info.total_size;
	return 0;
}

/* One PT_LOAD, as the kernel's elf_load(): file pages (unless mapped
 * already), the zeroed tail of the last file page, anonymous pages for the
 * rest of p_memsz. */
static int load_segment(const struct elf_image *im, const Elf64_Phdr *p,
			int file_mapped)
{
	uint64_t addr = im->load_bias + p->p_vaddr;
	uint64_t pageoff = ELF_PAGEOFFSET(addr);
	uint64_t zero_start = addr + p->p_filesz, zero_end = addr + p->p_memsz;
	int prot = prot_of(p);
	long r;

	if (p->p_filesz) {
		r = file_mapped ? 0 : sys_mmap((void *)ELF_PAGESTART(addr),
			     ELF_PAGEALIGN(p->p_filesz + pageoff), prot,
			     MAP_PRIVATE | MAP_FIXED, im->fd,
			     (long)(p->p_offset - pageoff));
		if (IS_ERR(r))
			return (int)r;
		if (p->p_memsz > p->p_filesz && (prot & PROT_WRITE) &&
		    ELF_PAGEOFFSET(zero_start))
			memset((void *)zero_start, 0,
			       ELF_PAGE - ELF_PAGEOFFSET(zero_start));
	} else {
		zero_start = ELF_PAGESTART(addr);
	}
	zero_start = ELF_PAGEALIGN(zero_start);
	zero_end = ELF_PAGEALIGN(zero_end);
	if (zero_end > zero_start) {
		r = sys_mmap((void *)zero_start, zero_end - zero_start,
			     PROT_READ | PROT_WRITE | (prot & PROT_EXEC),
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (IS_ERR(r))
			return (int)r;
	}
	return 0;
}

int elf_map(struct elf_image *im, uint64_t hint, int honour_align)
{
	uint64_t k;
	int i, err, first = 1;

	im->start_code = ~0ull;
	im->end_code = im->start_data = im->end_data = im->brk = 0;
	for (i = 0; i < im->info.phnum; i++) {
		const Elf64_Phdr *p = &im->ph[i];

		if (p->p_type != PT_LOAD)
			continue;
		if (first) {
			if ((err = map_first(im, p, hint, honour_align)) < 0)
				return err;
			first = 0;
			/* The file part is mapped; the bss follows. */
			err = load_segment(im, p, 1);
		} else {
			err = load_segment(im, p, 0);
		}
		if (err < 0) {
			elf_unmap(im);
			return err;
		}
		k = p->p_vaddr;
		if ((p->p_flags & PF_X) && k < im->start_code)
			im->start_code = k;
		if (im->start_data < k)
			im->start_data = k;
		k = p->p_vaddr + p->p_filesz;
		if ((p->p_flags & PF_X) && im->end_code < k)
			im->end_code = k;
		if (im->end_data < k)
			im->end_data = k;
		k = p->p_vaddr + p->p_memsz;
		if (k > im->brk)
			im->brk = k;
	}
	im->start_code += im->load_bias;
	im->end_code += im->load_bias;
	im->start_data += im->load_bias;
	im->end_data += im->load_bias;
	im->brk += im->load_bias;
	return 0;
}

void elf_unmap(struct elf_image *im)
{
	if (im->map_end > im->map_start)
		sys_munmap((void *)im->map_start, im->map_end - im->map_start);
	im->map_start = im->map_end = 0;
}

void elf_populate(const struct elf_image *im)
{
	int i;

	for (i = 0; i < im->info.phnum; i++) {
		const Elf64_Phdr *p = &im->ph[i];
		uint64_t start, end;

		if (p->p_type != PT_LOAD)
			continue;
		start = ELF_PAGESTART(im->load_bias + p->p_vaddr);
		end = ELF_PAGEALIGN(im->load_bias + p->p_vaddr + p->p_memsz);
		/* Writable pages are copied now rather than at the first
		 * store; read-only ones just get their page table entries. */
		sys_madvise((void *)start, end - start,
			    (p->p_flags & PF_W) ? 23 /* MADV_POPULATE_WRITE */
						: 22 /* MADV_POPULATE_READ */);
	}
}
