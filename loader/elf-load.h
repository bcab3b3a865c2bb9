/* Mapping an ELF image from its file descriptor, as load_elf_binary(). */
#ifndef PRISTINE_LOADER_ELF_LOAD_H
#define PRISTINE_LOADER_ELF_LOAD_H

#include "elf-check.h"

#define ELF_MAX_PHNUM (ELF_MAX_PHDRS_SIZE / sizeof(Elf64_Phdr))

struct elf_image {
	int fd;
	uint64_t file_size;
	Elf64_Ehdr eh;
	struct elf_info info;

	/* Filled by elf_map(). */
	uint64_t load_bias;
	uint64_t map_start, map_end;	/* the span, for unmapping on failure */
	uint64_t start_code, end_code, start_data, end_data, brk;

	Elf64_Phdr ph[ELF_MAX_PHNUM];	/* last: mostly untouched */
};

/*
 * Reads and checks the header and program headers of the file open at fd.
 * Returns ELF_LOAD (0) and fills im, an elf_verdict > 0 for images the
 * kernel must run, or -errno.
 */
int elf_read(int fd, struct elf_image *im);

/* Reads the PT_INTERP path into buf (ELF_INTERP_MAX bytes). */
int elf_read_interp(const struct elf_image *im, char *buf);

/*
 * Maps the image. hint is the wanted start of the span for an ET_DYN
 * image (0: anywhere, aligned to the largest p_align if honour_align, as
 * the kernel does for static-pie but not for interpreters); ET_EXEC images
 * go where their headers say.
 * Returns 0 or -errno, with nothing left mapped on failure.
 */
int elf_map(struct elf_image *im, uint64_t hint, int honour_align);

void elf_unmap(struct elf_image *im);

#endif
