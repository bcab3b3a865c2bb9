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
 * base, or -errno.
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
 * An ET_DYN image's first PT_LOAD, as elf_map() with a total size: mapped
 * over the whole span, whose tail is then given back, so that the span is
 * found free in one call. The span goes where the kernel would put it for
 * a load base (load_bias = ELF_PAGESTART(base - p_vaddr)), taking only
 * free pages (MAP_FIXED_NOREPLACE), or, without a base, where mmap() puts
 * it. Sets the load bias; returns the end of the file pages or -errno.
 */
static long map_first(struct elf_image *im, const Elf64_Phdr *p,
		      uint64_t base, int honour_align)
{
	uint64_t pageoff = ELF_PAGEOFFSET(p->p_vaddr);
	uint64_t size = ELF_PAGEALIGN(p->p_filesz + pageoff);
	uint64_t total = im->info.total_size;
	/* The kernel's own hint without a base: load bias 0 for a
	 * static-pie, anywhere for an interpreter. */
	uint64_t addr = honour_align ? ELF_PAGESTART(p->p_vaddr) : 0;
	int flags = MAP_PRIVATE;
	long r;

	if (!base && honour_align && im->info.max_align > ELF_PAGE) {
		if (IS_ERR(r = aligned_hint(im)))
			return r;
		base = (uint64_t)r;
	}
	if (base) {
		addr = ELF_PAGESTART(ELF_PAGESTART(base - p->p_vaddr) +
				     p->p_vaddr);
		flags |= MAP_FIXED_NOREPLACE;
	}
	r = sys_mmap((void *)addr, total, prot_of(p), flags, im->fd,
		     (long)(p->p_offset - pageoff));
	if (IS_ERR(r))
		return r;
	if (total > size)
		sys_munmap((void *)(r + (long)size), total - size);
	im->load_bias = (uint64_t)r - ELF_PAGESTART(p->p_vaddr);
	return r + (long)size;
}

/* An anonymous or file mapping of [addr, addr + len) exactly. */
static long map_at(uint64_t addr, uint64_t len, int prot, int fixed, int fd,
		   uint64_t off)
{
	int flags = MAP_PRIVATE | fixed | (fd < 0 ? MAP_ANONYMOUS : 0);

	return sys_mmap((void *)addr, len, prot, flags, fd, (long)off);
}

/*
 * One PT_LOAD, as the kernel's elf_load(): file pages (unless mapped
 * already), the zeroed tail of the last file page, anonymous pages for
 * the rest of p_memsz. Its pages from prev_end on must be free: they are
 * taken with MAP_FIXED_NOREPLACE, never replaced (-EEXIST). A page below
 * prev_end is the image's own, shared with the previous segment: it is
 * replaced, as the kernel replaces it. On failure, what this call mapped
 * is unmapped again.
 */
static int load_segment(const struct elf_image *im, const Elf64_Phdr *p,
			uint64_t prev_end, int file_mapped)
{
	uint64_t addr = im->load_bias + p->p_vaddr;
	uint64_t start = ELF_PAGESTART(addr), pageoff = ELF_PAGEOFFSET(addr);
	uint64_t file_end = p->p_filesz
				? start + ELF_PAGEALIGN(p->p_filesz + pageoff)
				: start;
	uint64_t zero_start = addr + p->p_filesz, lo, hi;
	int prot = prot_of(p), fixed = MAP_FIXED_NOREPLACE;
	int map_file = p->p_filesz && !file_mapped;
	long r = 0;

	elf_segment_pages(p, im->load_bias, prev_end, &lo, &hi);
	/* Each mapping usually starts at or above lo and takes free pages
	 * itself; if one starts in the shared page, take the new pages
	 * first, then map over them and that page. */
	if ((map_file && start < lo) || (file_end < hi && file_end < lo)) {
		if (lo < hi && IS_ERR(r = map_at(lo, hi - lo, PROT_NONE,
						 MAP_FIXED_NOREPLACE, -1, 0)))
			return (int)r;
		fixed = MAP_FIXED;
	}
	if (map_file && IS_ERR(r = map_at(start, file_end - start, prot, fixed,
					  im->fd, p->p_offset - pageoff)))
		goto out_unmap;
	if (p->p_memsz > p->p_filesz && (prot & PROT_WRITE) &&
	    p->p_filesz && ELF_PAGEOFFSET(zero_start))
		memset((void *)zero_start, 0,
		       ELF_PAGE - ELF_PAGEOFFSET(zero_start));
	if (file_end < hi &&
	    IS_ERR(r = map_at(file_end, hi - file_end,
			      PROT_READ | PROT_WRITE | (prot & PROT_EXEC),
			      fixed, -1, 0))) {
		if (fixed != MAP_FIXED && map_file)	/* the file pages */
			sys_munmap((void *)start, file_end - start);
		goto out_unmap;
	}
	return 0;

out_unmap:
	if (fixed == MAP_FIXED)		/* the new pages, all ours */
		sys_munmap((void *)lo, hi - lo);
	return (int)r;
}

int elf_map(struct elf_image *im, uint64_t base, int honour_align)
{
	uint64_t k, prev_end = 0, lo, hi;
	int i, err, first = 1;

	im->load_bias = 0;
	im->nmapped = 0;
	im->start_code = ~0ull;
	im->end_code = im->start_data = im->end_data = im->brk = 0;
	for (i = 0; i < im->info.phnum; i++) {
		const Elf64_Phdr *p = &im->ph[i];
		int file_mapped = 0;
		long r;

		if (p->p_type != PT_LOAD)
			continue;
		if (first && im->info.type == ET_DYN) {
			if (IS_ERR(r = map_first(im, p, base, honour_align)))
				return (int)r;
			prev_end = (uint64_t)r;
			file_mapped = 1;
		}
		first = 0;
		if ((err = load_segment(im, p, prev_end, file_mapped)) < 0) {
			if (file_mapped)
				sys_munmap((void *)ELF_PAGESTART(im->load_bias +
								 p->p_vaddr),
					   prev_end - ELF_PAGESTART(
						   im->load_bias + p->p_vaddr));
			elf_unmap(im);
			return err;
		}
		im->nmapped++;
		elf_segment_pages(p, im->load_bias, prev_end, &lo, &hi);
		if (hi > prev_end)
			prev_end = hi;
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

/* Segment by segment: the gaps between them may hold anything by now. */
void elf_unmap(struct elf_image *im)
{
	int i, n = 0;

	for (i = 0; i < im->info.phnum && n < im->nmapped; i++) {
		const Elf64_Phdr *p = &im->ph[i];
		uint64_t start, end;

		if (p->p_type != PT_LOAD)
			continue;
		n++;
		start = ELF_PAGESTART(im->load_bias + p->p_vaddr);
		end = ELF_PAGEALIGN(im->load_bias + p->p_vaddr + p->p_memsz);
		sys_munmap((void *)start, end - start);
	}
	im->nmapped = 0;
}

int elf_overlaps(const struct elf_image *im, uint64_t lo, uint64_t hi)
{
	int i, n = 0;

	for (i = 0; i < im->info.phnum && n < im->nmapped; i++) {
		const Elf64_Phdr *p = &im->ph[i];

		if (p->p_type != PT_LOAD)
			continue;
		n++;
		if (ELF_PAGESTART(im->load_bias + p->p_vaddr) < hi &&
		    ELF_PAGEALIGN(im->load_bias + p->p_vaddr + p->p_memsz) > lo)
			return 1;
	}
	return 0;
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
