/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Test target, linked dynamic, static and static-pie: prints what it was
 * started with and whether its initial stack and auxiliary vector have the
 * shape execve() gives them. Its output must be the same whether the
 * kernel or pristine started it.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

extern const Elf64_Ehdr __ehdr_start;
extern void _start(void);

/* The end of the [stack] mapping, from /proc/self/maps. */
static unsigned long stack_end(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	unsigned long lo, hi, end = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[stack]") &&
		    sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			end = hi;
	fclose(f);
	return end;
}

/* argv strings, then env strings, then execfn: back to back. */
static int strings_contiguous(int argc, char **argv, char **envp,
			      const char *execfn)
{
	const char *next = argv[0];
	int i;

	for (i = 0; i < argc; i++) {
		if (argv[i] != next)
			return 0;
		next = argv[i] + strlen(argv[i]) + 1;
	}
	for (i = 0; envp[i]; i++) {
		if (envp[i] != next)
			return 0;
		next = envp[i] + strlen(envp[i]) + 1;
	}
	return execfn == next;
}

int main(int argc, char **argv, char **envp)
{
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	const char *platform = (const char *)getauxval(AT_PLATFORM);
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	const char *phdr = (const char *)&__ehdr_start + __ehdr_start.e_phoff;
	const char *env = getenv("SHOW_PROCESS");
	static const unsigned char zero[16];
	int i;

	printf("argc=%d\n", argc);
	for (i = 0; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	printf("SHOW_PROCESS=%s\n", env ? env : "(unset)");
	printf("euid=%u uid=%u\n", (unsigned)geteuid(), (unsigned)getuid());
	printf("execfn=%s\n", execfn ? execfn : "(none)");
	printf("platform=%s\n", platform ? platform : "(none)");
	printf("secure=%lu pagesz=%lu phent=%lu\n", getauxval(AT_SECURE),
	       getauxval(AT_PAGESZ), getauxval(AT_PHENT));
	printf("phdr-ok=%d phnum-ok=%d entry-ok=%d\n",
	       getauxval(AT_PHDR) == (uintptr_t)phdr,
	       getauxval(AT_PHNUM) == __ehdr_start.e_phnum,
	       getauxval(AT_ENTRY) == (uintptr_t)_start);
	printf("random-ok=%d\n", rnd && memcmp(rnd, zero, 16) != 0 &&
	       rnd + 16 == (const unsigned char *)platform &&
	       ((uintptr_t)platform + 7) % 16 == 0);
	printf("strings-ok=%d\n", execfn &&
	       strings_contiguous(argc, argv, envp, execfn));
	printf("stack-top-ok=%d\n", execfn &&
	       (uintptr_t)execfn + strlen(execfn) + 1 + 8 == stack_end());
	return 0;
}
