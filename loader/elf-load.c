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
	/* load_elf_phdrs() turns any failure to read the table, a short
	 * read included, into ENOEXEC. */
	n = read_at(fd, im->ph, (size_t)size, im->eh.e_phoff);
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
	n = read_at(im->fd, buf, len, im->info.interp_off);
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
 * Where the span goes: the caller's hint, where the headers say (ET_EXEC),
 * or anywhere. For a static-pie with p_align above a page the kernel probes
 * where mmap would put it and rounds that down to the alignment.
 * Returns the start address or -errno; [start, start + total) is reserved.
 */
static long reserve(struct elf_image *im, uint64_t hint, int honour_align)
{
	uint64_t total = im->info.total_size, align = im->info.max_align;
	const int anon = MAP_PRIVATE | MAP_ANONYMOUS;
	long r;

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
		r = sys_mmap((void *)hint, total, PROT_NONE,
			     anon | MAP_FIXED_NOREPLACE, -1, 0);
		if (!IS_ERR(r) || im->info.type == ET_EXEC)
			return r == -EEXIST ? -ENOMEM : r;
	}
	return sys_mmap(0, total, PROT_NONE, anon, -1, 0);
}

/* One PT_LOAD, as the kernel's elf_load(): file pages, the zeroed tail of
 * the last file page, anonymous pages for the rest of p_memsz. */
static int load_segment(const struct elf_image *im, const Elf64_Phdr *p)
{
	uint64_t addr = im->load_bias + p->p_vaddr;
	uint64_t pageoff = ELF_PAGEOFFSET(addr);
	uint64_t zero_start = addr + p->p_filesz, zero_end = addr + p->p_memsz;
	int prot = prot_of(p);
	long r;

	if (p->p_filesz) {
		r = sys_mmap((void *)ELF_PAGESTART(addr),
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
	uint64_t first = ELF_PAGESTART(im->info.first_vaddr), k;
	uint64_t covered;
	long start;
	int i, err;

	start = reserve(im, hint, honour_align);
	if (IS_ERR(start))
		return (int)start;
	im->map_start = (uint64_t)start;
	im->map_end = (uint64_t)start + im->info.total_size;
	im->load_bias = im->info.type == ET_EXEC ? 0 : (uint64_t)start - first;
	im->start_code = ~0ull;
	im->end_code = im->start_data = im->end_data = im->brk = 0;

	covered = (uint64_t)start;
	for (i = 0; i < im->info.phnum; i++) {
		const Elf64_Phdr *p = &im->ph[i];
		uint64_t seg_start, seg_end;

		if (p->p_type != PT_LOAD)
			continue;
		seg_start = ELF_PAGESTART(im->load_bias + p->p_vaddr);
		seg_end = ELF_PAGEALIGN(im->load_bias + p->p_vaddr + p->p_memsz);
		/* The reservation leaves no trace: the kernel maps the first
		 * segment over the whole span and unmaps what it does not use,
		 * so gaps between segments are holes, not mappings. */
		if (seg_start > covered)
			sys_munmap((void *)covered, seg_start - covered);
		if ((err = load_segment(im, p)) < 0) {
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
