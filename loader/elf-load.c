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

int elf_read(int fd, struct elf_image *im)
{
	struct loader_stat st;
	unsigned char head[sizeof(Elf64_Ehdr)];
	long n, size;
	int verdict;

	im->fd = fd;
	if ((n = sys_fstat(fd, &st)) < 0)
		return (int)n;
	im->file_size = (uint64_t)st.st_size;
	if ((n = read_at(fd, head, sizeof(head), 0)) < 0)
		return (int)n;
	verdict = elf_classify(head, (size_t)n);
	if (verdict != ELF_LOAD)
		return verdict;
	memcpy(&im->eh, head, sizeof(im->eh));
	if ((size = elf_phdrs_size(&im->eh)) < 0)
		return (int)size;
	n = read_at(fd, im->ph, (size_t)size, im->eh.e_phoff);
	if (n < 0)
		return (int)n;
	if (n != size)
		return -EIO;	/* as the kernel's elf_read() */
	return elf_check_phdrs(&im->eh, im->ph, im->file_size, &im->info);
}

int elf_read_interp(const struct elf_image *im, char *buf)
{
	long n = read_at(im->fd, buf, im->info.interp_len, im->info.interp_off);

	if (n < 0)
		return (int)n;
	if ((uint64_t)n != im->info.interp_len)
		return -EIO;
	return elf_check_interp_path(buf, im->info.interp_len);
}

static int prot_of(const Elf64_Phdr *p)
{
	return ((p->p_flags & PF_R) ? PROT_READ : 0) |
	       ((p->p_flags & PF_W) ? PROT_WRITE : 0) |
	       ((p->p_flags & PF_X) ? PROT_EXEC : 0);
}

/* The file pages of a PT_LOAD: [ELF_PAGESTART(vaddr), that + len). */
static uint64_t file_span(const Elf64_Phdr *p)
{
	return p->p_filesz ? ELF_PAGEALIGN(p->p_filesz +
					   ELF_PAGEOFFSET(p->p_vaddr)) : 0;
}

/*
 * Where the span goes: the caller's hint, where the headers say (ET_EXEC),
 * or anywhere. For a static-pie with p_align above a page the kernel probes
 * where mmap would put it and rounds that down to the alignment.
 * As the kernel's elf_map() with a total size, the span is taken by
 * mapping the first segment's file pages over all of it; the caller
 * unmaps the rest, so later segments go into a hole instead of replacing
 * a reservation (which costs the kernel a split and an unmap each).
 * Returns the start address or -errno; [start, start + total) is mapped.
 */
static long reserve(struct elf_image *im, const Elf64_Phdr *first,
		    uint64_t hint, int honour_align)
{
	uint64_t total = im->info.total_size, align = im->info.max_align;
	const int anon = MAP_PRIVATE | MAP_ANONYMOUS;
	int prot = PROT_NONE, flags = anon, fd = -1;
	long off = 0, r;

	if (file_span(first)) {
		prot = prot_of(first);
		flags = MAP_PRIVATE;
		fd = im->fd;
		off = (long)(first->p_offset - ELF_PAGEOFFSET(first->p_vaddr));
	}
	if (im->info.type == ET_EXEC)
		hint = ELF_PAGESTART(im->info.first_vaddr);
	if (!hint && honour_align && align > ELF_PAGE) {
		r = sys_mmap(0, total, PROT_NONE, anon, -1, 0);
		if (IS_ERR(r))
			return r;
		sys_munmap((void *)r, total);
		hint = (uint64_t)r & ~(align - 1);
	}
	if (hint) {
		r = sys_mmap((void *)hint, total, prot,
			     flags | MAP_FIXED_NOREPLACE, fd, off);
		if (!IS_ERR(r) || im->info.type == ET_EXEC)
			return r == -EEXIST ? -ENOMEM : r;
	}
	return sys_mmap(0, total, prot, flags, fd, off);
}

/* One PT_LOAD, as the kernel's elf_load(): file pages (unless the span's
 * reservation already holds them), the zeroed tail of the last file page,
 * anonymous pages for the rest of p_memsz. */
static int load_segment(const struct elf_image *im, const Elf64_Phdr *p,
			int file_mapped)
{
	uint64_t addr = im->load_bias + p->p_vaddr;
	uint64_t pageoff = ELF_PAGEOFFSET(addr);
	uint64_t zero_start = addr + p->p_filesz, zero_end = addr + p->p_memsz;
	int prot = prot_of(p);
	long r;

	if (p->p_filesz) {
		if (!file_mapped) {
			r = sys_mmap((void *)ELF_PAGESTART(addr),
				     file_span(p), prot,
				     MAP_PRIVATE | MAP_FIXED, im->fd,
				     (long)(p->p_offset - pageoff));
			if (IS_ERR(r))
				return (int)r;
		}
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
	uint64_t first = ELF_PAGESTART(im->info.first_vaddr), k;
	const Elf64_Phdr *first_load = NULL;
	uint64_t covered;
	long start;
	int i, err;

	for (i = 0; i < im->info.phnum && !first_load; i++)
		if (im->ph[i].p_type == PT_LOAD)
			first_load = &im->ph[i];
	if (!first_load)
		return -ENOEXEC;
	start = reserve(im, first_load, hint, honour_align);
	if (IS_ERR(start))
		return (int)start;
	im->map_start = (uint64_t)start;
	im->map_end = (uint64_t)start + im->info.total_size;
	im->load_bias = im->info.type == ET_EXEC ? 0 : (uint64_t)start - first;
	im->start_code = ~0ull;
	im->end_code = im->start_data = im->end_data = im->brk = 0;

	/* The reservation leaves no trace, as in the kernel: gaps between
	 * segments are holes, not mappings. A file-backed reservation keeps
	 * the first segment's file pages and the rest becomes a hole at once;
	 * an anonymous one is trimmed around the segments as they go in. */
	covered = (uint64_t)start;
	if (file_span(first_load)) {
		uint64_t keep = covered + file_span(first_load);

		if (keep < im->map_end)
			sys_munmap((void *)keep, im->map_end - keep);
		covered = im->map_end;
	}
	for (i = 0; i < im->info.phnum; i++) {
		const Elf64_Phdr *p = &im->ph[i];
		uint64_t seg_start, seg_end;

		if (p->p_type != PT_LOAD)
			continue;
		seg_start = ELF_PAGESTART(im->load_bias + p->p_vaddr);
		seg_end = ELF_PAGEALIGN(im->load_bias + p->p_vaddr + p->p_memsz);
		if (seg_start > covered)
			sys_munmap((void *)covered, seg_start - covered);
		if ((err = load_segment(im, p, p == first_load &&
					       file_span(p))) < 0) {
			elf_unmap(im);
			return err;
		}
		if (seg_end > covered)
			covered = seg_end;

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
	if (covered < im->map_end)
		sys_munmap((void *)covered, im->map_end - covered);
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
