/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Test target: prints where its process was placed and its AT_RANDOM
 * bytes, one line, so that tests can check every process got its own.
 * With an argument, prints that instead (a file-change marker).
 */
#include <elf.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <unistd.h>

extern const Elf64_Ehdr __ehdr_start;

int main(int argc, char **argv)
{
	const unsigned char *r = (const unsigned char *)getauxval(AT_RANDOM);
	int i, local;

	if (argc > 1 && argv[1][0] == '=') {
		printf("%s\n", argv[1] + 1);
		return 0;
	}
	printf("exe=%p stack=%p vdso=%lx interp=%lx random=",
	       (const void *)&__ehdr_start, (void *)&local,
	       getauxval(AT_SYSINFO_EHDR), getauxval(AT_BASE));
	for (i = 0; i < 16; i++)
		printf("%02x", r[i]);
	printf(" ppid=%d\n", (int)getppid());
	return 0;
}
