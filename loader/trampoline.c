/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
#include <stddef.h>
#include <elf.h>
#include <asm/unistd.h>
#include "trampoline.h"
#include "mem.h"
#include "sys.h"

#define ASSERT_AT(field, off) \
	_Static_assert(offsetof(struct trampoline_args, field) == (off), #field)
ASSERT_AT(exe_fd, TA_EXE_FD);
ASSERT_AT(sigmask, 24);
ASSERT_AT(mm, TA_MM);
ASSERT_AT(filter_len, 136);
ASSERT_AT(sp, TA_SP);
ASSERT_AT(gadget, 168);
ASSERT_AT(self_len, 184);
ASSERT_AT(sock, TA_SOCK);
ASSERT_AT(flags, TA_FLAGS);
ASSERT_AT(status_len, TA_STATUS_LEN);
ASSERT_AT(status_err, TA_STATUS_ERR);
ASSERT_AT(cap_header, TA_CAP_HEADER);
ASSERT_AT(cap_raise, TA_CAP_RAISE);
ASSERT_AT(cap_drop, TA_CAP_DROP);
ASSERT_AT(mm_noexe, TA_MM_NOEXE);
ASSERT_AT(status, TA_STATUS);
_Static_assert(sizeof(struct prctl_mm_map) == 104, "layout");
_Static_assert(sizeof(((struct trampoline_args *)0)->status) <= TA_SCRATCH - 32,
	       "a status and capget()'s answer fit the scratch");
_Static_assert(__NR_munmap == 11 && __NR_prctl == 157 && __NR_close == 3 &&
	       __NR_rt_sigprocmask == 14 && __NR_seccomp == 317 &&
	       __NR_exit_group == 231 && __NR_capget == 125 &&
	       __NR_capset == 126 && __NR_sendto == 44,
	       "syscall numbers in the trampoline");
_Static_assert(PR_SET_MM == 35 && PR_SET_MM_MAP == 14 &&
	       PR_SET_DUMPABLE == 4, "prctl numbers in the trampoline");

#define S_(x) #x
#define S(x) S_(x)
#define AT(off) S(off) "(%rbx)"

/* prctl(PR_SET_MM, PR_SET_MM_MAP, args + off, 104), result in rax. */
#define SET_MM(off) \
	"mov $157, %eax\n\t" \
	"mov $35, %edi\n\t" \
	"mov $14, %esi\n\t" \
	"lea " AT(off) ", %rdx\n\t" \
	"mov $104, %r10d\n\t" \
	"xor %r8d, %r8d\n\t" \
	"syscall\n\t"

/* sendto(sock, rsi, status_len, MSG_NOSIGNAL, NULL, 0). */
#define SEND \
	"mov $44, %eax\n\t" \
	"mov " AT(TA_SOCK) ", %rdi\n\t" \
	"mov " AT(TA_STATUS_LEN) ", %edx\n\t" \
	"mov $0x4000, %r10d\n\t" \
	"xor %r8d, %r8d\n\t" \
	"xor %r9d, %r9d\n\t" \
	"syscall\n\t"

/*
 * Entered with rdi = struct trampoline_args *, inside the trampoline page.
 * It uses no memory of the loader's: the loader is gone after the first
 * call. r12 holds the PR_SET_MM_MAP result; the scratch is at rsp.
 */
__asm__(
	".pushsection .text.trampoline, \"ax\"\n"
	".globl tramp_begin\n"
	".hidden tramp_begin\n"
	"tramp_begin:\n\t"
	"mov %rdi, %rbx\n\t"
	"mov " AT(TA_SP) ", %rsp\n\t"
	"sub $" S(TA_SCRATCH) ", %rsp\n\t"
	"mov $11, %eax\n\t"		/* munmap(loader) */
	"mov 0(%rbx), %rdi\n\t"
	"mov 8(%rbx), %rsi\n\t"
	"syscall\n\t"
	"testl $" S(TRAMPOLINE_CAPS) ", " AT(TA_FLAGS) "\n\t"
	"jz 1f\n\t"
	"mov $126, %eax\n\t"		/* capset(): CR effective */
	"lea " AT(TA_CAP_HEADER) ", %rdi\n\t"
	"lea " AT(TA_CAP_RAISE) ", %rsi\n\t"
	"syscall\n"
	"1:\n\t"
	SET_MM(TA_MM)
	"mov %rax, %r12\n\t"
	"testl $" S(TRAMPOLINE_CAPS) ", " AT(TA_FLAGS) "\n\t"
	"jz 2f\n\t"
	"mov $126, %eax\n\t"		/* capset(): CR out of every set */
	"lea " AT(TA_CAP_HEADER) ", %rdi\n\t"
	"lea " AT(TA_CAP_DROP) ", %rsi\n\t"
	"syscall\n\t"
	"mov $125, %eax\n\t"		/* capget(): is it gone? */
	"lea " AT(TA_CAP_HEADER) ", %rdi\n\t"
	"mov %rsp, %rsi\n\t"
	"syscall\n\t"
	"test %rax, %rax\n\t"
	"jnz 8f\n\t"
	"mov 0(%rsp), %rax\n\t"		/* effective[0], permitted[0] */
	"or 12(%rsp), %rax\n\t"		/* effective[1], permitted[1] */
	"jz 2f\n"
	"8:\n\t"
	"mov $-1, %r12\n\t"		/* EPERM, whatever the mode */
	"jmp 5f\n"
	"2:\n\t"
	"test %r12, %r12\n\t"
	"jz 4f\n\t"
	"testl $" S(TRAMPOLINE_STRICT_EXE) ", " AT(TA_FLAGS) "\n\t"
	"jnz 5f\n\t"
	SET_MM(TA_MM_NOEXE)		/* best effort: without exe_fd */
	"jmp 4f\n"
	"5:\n\t"			/* failed: report -r12, exit 127 */
	"neg %r12d\n\t"
	"cmp $13, %r12d\n\t"		/* EACCES: the file is open for */
	"jne 6f\n\t"			/* writing; execve() says ETXTBSY */
	"mov $26, %r12d\n"
	"6:\n\t"
	"lea " AT(TA_STATUS) ", %rsi\n\t"
	"lea 32(%rsp), %rdi\n\t"
	"mov " AT(TA_STATUS_LEN) ", %ecx\n\t"
	"rep movsb\n\t"
	"mov " AT(TA_STATUS_ERR) ", %eax\n\t"
	"mov %r12d, 32(%rsp,%rax)\n\t"
	"lea 32(%rsp), %rsi\n\t"
	SEND
	"mov $231, %eax\n\t"		/* exit_group(127) */
	"mov $127, %edi\n\t"
	"syscall\n"
	"4:\n\t"
	"mov $3, %eax\n\t"		/* close(exe_fd) */
	"mov " AT(TA_EXE_FD) ", %rdi\n\t"
	"syscall\n\t"
	"lea " AT(TA_STATUS) ", %rsi\n\t"	/* the success status, then */
	SEND
	"mov $3, %eax\n\t"		/* close(sock): the library's EOF */
	"mov " AT(TA_SOCK) ", %rdi\n\t"
	"syscall\n\t"
	"testl $" S(TRAMPOLINE_CAPS) ", " AT(TA_FLAGS) "\n\t"
	"jz 1f\n\t"
	"mov $157, %eax\n\t"		/* prctl(PR_SET_DUMPABLE, 1), only */
	"mov $4, %edi\n\t"		/* now that the capability is gone */
	"mov $1, %esi\n\t"
	"syscall\n"
	"1:\n\t"
	"mov %rsp, %rdi\n\t"		/* the scratch back to zeros */
	"mov $" S(TA_SCRATCH) " / 8, %ecx\n\t"
	"xor %eax, %eax\n\t"
	"rep stosq\n\t"
	"mov $14, %eax\n\t"		/* rt_sigprocmask(SIG_SETMASK) */
	"mov $2, %edi\n\t"
	"lea 24(%rbx), %rsi\n\t"
	"xor %edx, %edx\n\t"
	"mov $8, %r10d\n\t"
	"syscall\n\t"
	"movzwl 136(%rbx), %eax\n\t"
	"test %eax, %eax\n\t"
	"jz 2f\n\t"
	"mov $317, %eax\n\t"		/* seccomp(SET_MODE_FILTER) */
	"mov $1, %edi\n\t"
	"xor %esi, %esi\n\t"
	"lea 136(%rbx), %rdx\n\t"
	"syscall\n\t"
	"test %rax, %rax\n\t"
	"jz 2f\n\t"
	"mov $231, %eax\n\t"		/* exit_group(127) */
	"mov $127, %edi\n\t"
	"syscall\n"
	"2:\n\t"
	"mov " AT(TA_SP) ", %rsp\n\t"
	"push 160(%rbx)\n\t"		/* the gadget's ret goes to entry */
	"mov 168(%rbx), %r11\n\t"
	"mov 176(%rbx), %rdi\n\t"
	"mov 184(%rbx), %rsi\n\t"
	"xor %eax, %eax\n\t"
	"xor %ebx, %ebx\n\t"
	"xor %ecx, %ecx\n\t"
	"xor %edx, %edx\n\t"
	"xor %ebp, %ebp\n\t"
	"xor %r8d, %r8d\n\t"
	"xor %r9d, %r9d\n\t"
	"xor %r10d, %r10d\n\t"
	"xor %r12d, %r12d\n\t"
	"xor %r13d, %r13d\n\t"
	"xor %r14d, %r14d\n\t"
	"xor %r15d, %r15d\n\t"
	"test %r11, %r11\n\t"
	"jz 3f\n\t"
	"mov $11, %eax\n\t"		/* munmap(trampoline) in the vDSO */
	"jmp *%r11\n"
	"3:\n\t"
	"xor %edi, %edi\n\t"
	"xor %esi, %esi\n\t"
	"ret\n"
	".globl tramp_end\n"
	".hidden tramp_end\n"
	"tramp_end:\n"
	".popsection\n");

extern const char tramp_begin[], tramp_end[];

/* Length of a register-clearing "xor r, r" at p, or 0. */
static int xor_self(const unsigned char *p)
{
	int rex = 0;

	if (p[0] == 0x45 || p[0] == 0x48 || p[0] == 0x4d)
		rex = 1;
	if (p[rex] != 0x31 && p[rex] != 0x33)
		return 0;
	if ((p[rex + 1] & 0xc0) != 0xc0 ||
	    ((p[rex + 1] >> 3) & 7) != (p[rex + 1] & 7))
		return 0;
	return rex + 2;
}

uint64_t trampoline_find_gadget(uint64_t vdso)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)vdso;
	const Elf64_Phdr *ph;
	int i;

	if (!vdso || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return 0;
	ph = (const Elf64_Phdr *)(vdso + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++) {
		const unsigned char *b, *end;

		if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & PF_X))
			continue;
		b = (const unsigned char *)(vdso + ph[i].p_offset);
		end = b + ph[i].p_filesz;
		for (; b + 3 <= end; b++) {
			const unsigned char *q = b + 2;
			int n;

			if (b[0] != 0x0f || b[1] != 0x05)
				continue;
			while (q + 3 < end && (n = xor_self(q)) > 0)
				q += n;
			if (q < end && *q == 0xc3)
				return (uint64_t)b;
		}
	}
	return 0;
}

int trampoline_prepare(struct trampoline_args *a, const void *filter,
		       uint32_t filter_len)
{
	size_t code = (size_t)(tramp_end - tramp_begin);
	size_t args_off = (code + 15) & ~15ul;
	size_t filter_off = args_off + sizeof(*a);
	size_t len = (filter_off + filter_len + 4095) & ~4095ul;
	long page = sys_mmap(0, len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	unsigned char *p = (unsigned char *)page;
	long r;

	if (page < 0 && page > -4096)
		return (int)page;
	a->self_addr = (uint64_t)page;
	a->self_len = len;
	a->filter_len = (uint16_t)(filter_len / 8);
	a->filter = (uint64_t)(p + filter_off);
	memcpy(p, tramp_begin, code);
	memcpy(p + filter_off, filter, filter_len);
	memcpy(p + args_off, a, sizeof(*a));
	if ((r = sys_mprotect(p, len, PROT_READ | PROT_EXEC)) < 0) {
		sys_munmap(p, len);
		return (int)r;
	}
	return 0;
}

void trampoline_jump(const struct trampoline_args *a)
{
	size_t code = (size_t)(tramp_end - tramp_begin);
	const unsigned char *args = (const unsigned char *)a->self_addr +
				    ((code + 15) & ~15ul);

	__asm__ volatile("jmp *%1" : : "D"(args), "r"(a->self_addr) : "memory");
	__builtin_unreachable();
}
