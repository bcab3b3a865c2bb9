/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Running the image: find it (path, PATH search or a received fd), decide
 * whether it may be loaded in userspace, check the argument limits, map it
 * and its interpreter, build the initial stack, make /proc agree, report
 * success and jump. Until the report, every failure is an errno for the
 * caller and nothing of the new program runs.
 */
#include <elf.h>
#include "channel.h"
#include "elf-load.h"
#include "trampoline.h"
#include "fallback.h"
#include "mem.h"
#include "path-search.h"
#include "records.h"
#include "route.h"
#include "run.h"
#include "stack.h"
#include "sys.h"

#define MAX_ARG_STRLEN	(32ul * 4096)
#define ARG_MAX_MIN	(32ul * 4096)
#define STK_LIM		(8ul << 20)
#define ET_DYN_BASE	0x555555554aaaull	/* (1 << 47) - 4096, / 3 * 2 */
#define MMAP_RND_BITS	28
#define STACK_GUARD_GAP	(256ul << 12)	/* the kernel's stack_guard_gap */

extern const char __ehdr_start[];
extern const char _end[];


/* Kernel's bprm_stack_limits() and copy_strings() checks. */
static int check_arg_limits(const struct loader *l, const char *execfn)
{
	uint64_t lim[2], limit, ptrs, bytes;
	size_t argc = l->argv.count ? l->argv.count : 1;
	const char *p;
	size_t i;

	if (sys_prlimit(0, RLIMIT_STACK, 0, lim) < 0)
		lim[0] = STK_LIM;
	limit = STK_LIM / 4 * 3;
	if (lim[0] / 4 < limit)
		limit = lim[0] / 4;
	if (limit < ARG_MAX_MIN)
		limit = ARG_MAX_MIN;
	ptrs = (argc + l->envp.count) * sizeof(void *);
	if (limit <= ptrs)
		return -E2BIG;
	limit -= ptrs;
	bytes = strlen(execfn) + 1 + l->argv.bytes + l->envp.bytes +
		(l->argv.count ? 0 : 1);
	if (strlen(execfn) + 1 > MAX_ARG_STRLEN)
		return -E2BIG;
	for (p = l->argv.data, i = 0; i < l->argv.count; i++) {
		size_t n = strlen(p) + 1;

		if (n > MAX_ARG_STRLEN)
			return -E2BIG;
		p += n;
	}
	for (p = l->envp.data, i = 0; i < l->envp.count; i++) {
		size_t n = strlen(p) + 1;

		if (n > MAX_ARG_STRLEN)
			return -E2BIG;
		p += n;
	}
	return bytes > limit ? -E2BIG : 0;
}

/* prefix, then n in decimal, into buf. */
static void name_fd(char *buf, const char *prefix, int n)
{
	size_t i = strlen(prefix);
	char digits[12];
	int k;

	memcpy(buf, prefix, i);
	for (k = 0; n || !k; n /= 10)
		digits[k++] = (char)('0' + n % 10);
	while (k)
		buf[i++] = digits[--k];
	buf[i] = 0;
}

/* A check only the loader makes, refused by the caller's seccomp filter
 * (or by a kernel without the call): the kernel checks for itself. */
static int refused(long r)
{
	return r == -EPERM || r == -ENOSYS;
}

/*
 * execve()'s checks on the file before it opens it (may_open() with
 * MAY_EXEC), in its order, on a descriptor that opened nothing (O_PATH)
 * or was opened by the library: a regular file (EACCES for a directory,
 * FIFO, socket or device), on a mount that allows exec, that the
 * effective ids may execute. None of them can block, wake a FIFO's peer,
 * break a lease or run a driver's open. Returns 0, -errno, or
 * PW_WHY_UNREADABLE if a check is refused: the kernel checks then.
 */
static int check_exec_file(int fd, struct loader_stat *st)
{
	uint64_t sfs[15];	/* struct statfs; f_flags is word 10 */
	long r;

	if ((r = sys_fstat(fd, st)) < 0)
		return refused(r) ? PW_WHY_UNREADABLE : (int)r;
	if ((st->st_mode & S_IFMT) != S_IFREG)
		return -EACCES;
	if (sys_fstatfs(fd, sfs) < 0)
		return PW_WHY_UNREADABLE;
	if (sfs[10] & 8 /* ST_NOEXEC */)
		return -EACCES;
	r = sys_faccessat2(fd, "", 1 /* X_OK */, AT_EMPTY_PATH | AT_EACCESS);
	if (r < 0)
		return refused(r) ? PW_WHY_UNREADABLE : (int)r;
	return 0;
}

/*
 * After the checks, the file is opened for reading, at the same number,
 * by reopening the O_PATH descriptor through /proc/self/fd (no second
 * lookup of the path): that open breaks and waits for a write lease as
 * execve()'s does. Without /proc (a chroot), path is opened again, but
 * without waiting (O_NONBLOCK, a lease says EAGAIN), and only if it is
 * still the file checked. Returns 0, or PW_WHY_UNREADABLE for the kernel
 * to run what the loader cannot read (an execute-only file, a lease
 * without /proc).
 */
static int open_for_reading(int fd, const char *path,
			    const struct loader_stat *st)
{
	struct loader_stat now;
	char name[32];
	long fl = sys_fcntl(fd, F_GETFL, 0), r, d;

	if (fl >= 0 && !(fl & O_PATH) && (fl & O_ACCMODE) != O_WRONLY)
		return 0;
	name_fd(name, "/proc/self/fd/", fd);
	r = sys_openat(AT_FDCWD, name, O_RDONLY | O_CLOEXEC, 0);
	if (r == -ENOENT && path) {
		r = sys_openat(AT_FDCWD, path, O_RDONLY | O_NONBLOCK |
					       O_NOCTTY | O_CLOEXEC, 0);
		if (r >= 0 && (sys_fstat((int)r, &now) < 0 ||
			       now.st_dev != st->st_dev ||
			       now.st_ino != st->st_ino)) {
			sys_close((int)r);
			r = -ESTALE;
		}
	}
	if (r < 0)
		return PW_WHY_UNREADABLE;
	d = sys_dup3((int)r, fd, O_CLOEXEC);
	sys_close((int)r);
	return d < 0 ? PW_WHY_UNREADABLE : 0;
}

/* The file at path, for execve()'s checks: opened, but not for reading. */
static int open_exec(const char *path)
{
	return (int)sys_openat(AT_FDCWD, path, O_PATH | O_CLOEXEC, 0);
}

uint32_t privilege_reason(int fd, const struct loader_stat *st)
{
	if ((st->st_mode & S_ISUID) ||
	    ((st->st_mode & S_ISGID) && (st->st_mode & S_IXGRP)))
		return PW_WHY_SETID;
	if (sys_fgetxattr(fd, "security.capability", 0, 0) != -ENODATA)
		return PW_WHY_FILECAPS;
	return PW_WHY_NONE;
}

static uint64_t random_below(const struct loader *l, uint64_t r, uint64_t n)
{
	return l->randomize ? r % n : 0;
}

/* randomize_page(): a page-aligned address in [start, start + range). */
static uint64_t randomize_page(const struct loader *l, uint64_t start,
			       uint64_t range, uint64_t r)
{
	if (ELF_PAGEOFFSET(start)) {
		range -= ELF_PAGEALIGN(start) - start;
		start = ELF_PAGEALIGN(start);
	}
	return start + (random_below(l, r, range >> 12) << 12);
}

/* The kernel's load base of the program: ELF_ET_DYN_BASE, randomized and
 * aligned, for an ET_DYN with an interpreter; none otherwise. */
static uint64_t load_base(const struct loader *l, const uint64_t *rnd)
{
	uint64_t base = ET_DYN_BASE;
	uint64_t align = ELF_PAGEALIGN(l->exe.info.max_align);

	if (l->exe.info.type != ET_DYN || !l->exe.info.interp_len)
		return 0;
	if (l->randomize)
		base += (rnd[0] & ((1ull << MMAP_RND_BITS) - 1)) << 12;
	if (align)
		base &= ~(align - 1);
	return base;
}

static int map_images(struct loader *l, const uint64_t *rnd)
{
	int err;

	if ((err = elf_map(&l->exe, load_base(l, rnd), 1)) < 0)
		return err;
	if (l->exe.info.interp_len && (err = elf_map(&l->interp, 0, 0)) < 0) {
		elf_unmap(&l->exe);
		return err;
	}
	return 0;
}

/* The /proc fields PR_SET_MM_MAP sets, for the trampoline to set them. */
static void set_mm(struct loader *l, const struct stack_layout *st,
		   const uint64_t *rnd, struct prctl_mm_map *mm)
{
	uint64_t brk = ELF_PAGEALIGN(l->exe.brk);

	/* Since 6.15 a static-pie's brk moves out of the mmap area always. */
	int moved = l->exe.info.type == ET_DYN && !l->exe.info.interp_len;

	if (moved)
		brk = ELF_PAGEALIGN(ET_DYN_BASE);
	if (l->randomize) {
		if (!moved)
			brk += ELF_PAGE;
		brk = randomize_page(l, brk, 1ull << 30, rnd[1]);
	}
	*mm = (struct prctl_mm_map){
		.start_code = l->exe.start_code, .end_code = l->exe.end_code,
		.start_data = l->exe.start_data, .end_data = l->exe.end_data,
		.start_brk = brk, .brk = brk,
		.start_stack = st->sp,
		.arg_start = st->arg_start, .arg_end = st->arg_end,
		.env_start = st->env_start, .env_end = st->env_end,
		.auxv = (__u64 *)st->auxv,
		.auxv_size = (uint32_t)st->auxv_bytes,
		.exe_fd = (uint32_t)-1,
	};
}

/*
 * seccomp(SET_MODE_FILTER) needs no_new_privs or CAP_SYS_ADMIN; the filter
 * is installed after success is reported, so check that now.
 */
static int check_seccomp_allowed(const struct loader *l)
{
	struct { uint32_t version; int pid; } hdr = { 0x20080522, 0 };
	struct { uint32_t effective, permitted, inheritable; } caps[2];

	if (!l->seccomp || sys_prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1)
		return 0;
	if (sys_capget(&hdr, caps) == 0 && (caps[0].effective & (1u << 21)))
		return 0;	/* CAP_SYS_ADMIN */
	return -EACCES;
}

/*
 * The kernel names an fd exec after the file's dentry; /proc's link adds
 * " (deleted)" to a file without links (a memfd, an unlinked or O_TMPFILE
 * file), which the dentry's name does not have.
 */
static void strip_deleted(int fd, char *path)
{
	static const char suffix[] = " (deleted)";
	size_t n = strlen(path), k = sizeof(suffix) - 1;
	struct loader_stat st;

	if (n > k && !memcmp(path + n - k, suffix, k) &&
	    sys_fstat(fd, &st) == 0 && st.st_nlink == 0)
		path[n - k] = 0;
}

static const char *basename_of(const char *p)
{
	const char *b = p;

	for (; *p; p++)
		if (*p == '/' && p[1])
			b = p + 1;
	return b;
}

/*
 * The interpreter's header, read at l->interp, as load_elf_binary() judges
 * it before its point of no return: short, EIO; not ELF or not x86_64,
 * ELIBBAD; its program headers unusable, ELIBBAD. Another type or class
 * is found after that point: the kernel's to run.
 */
static int interp_verdict(const struct elf_image *im, int err)
{
	const unsigned char *h = im->head;

	if (err == -ENOMEM)	/* for a big table: the loader's, not the kernel's */
		return PW_WHY_LAYOUT;
	if (err < 0)
		return err == -ENOEXEC ? -ELIBBAD : err;
	if (im->head_len < sizeof(Elf64_Ehdr))
		return -EIO;
	if (memcmp(h, ELFMAG, SELFMAG) ||
	    ((const Elf64_Ehdr *)h)->e_machine != EM_X86_64)
		return -ELIBBAD;
	return PW_WHY_LAYOUT;
}

/*
 * The rest of load_elf_binary()'s checks on exe (already read), in its
 * order: first the interpreter, whose errors the kernel returns before its
 * point of no return, then whether the loader maps both images as the
 * kernel would. Returns 0 with the interpreter open and read, a pw_reason
 * > 0 for an image the kernel must run after all, or -errno.
 */
static int check_images(struct loader *l)
{
	struct loader_stat ist;
	int err, fd;

	l->interp.fd = -1;
	if (l->exe.info.has_interp) {
		if ((err = elf_read_interp(&l->exe, l->interp_path)) < 0)
			return err;
		if ((fd = open_exec(l->interp_path)) < 0)
			return fd;
		l->interp.fd = fd;
		/* The kernel reads an interpreter it may only execute; the
		 * loader cannot map one it cannot read. */
		if ((err = check_exec_file(fd, &ist)) ||
		    (err = open_for_reading(fd, l->interp_path, &ist)))
			goto out;
		err = elf_read(fd, &l->interp, (uint64_t)ist.st_size);
		if (err)
			err = interp_verdict(&l->interp, err);
		if (err)
			goto out;
	}
	err = elf_check_phdrs(&l->exe.eh, l->exe.ph, l->exe.file_size);
	if (!err && l->exe.info.interp_len)
		err = elf_check_phdrs(&l->interp.eh, l->interp.ph,
				      l->interp.file_size);
	if (err == ELF_KERNEL_LAYOUT)
		err = PW_WHY_LAYOUT;
	if (!err && l->exe.info.exec_stack)
		err = PW_WHY_EXECSTACK;
out:
	if (err && l->interp.fd >= 0) {
		sys_close(l->interp.fd);
		l->interp.fd = -1;
	}
	return err;
}

/*
 * Maps exe and its interpreter (read and checked). Returns 0, or
 * PW_WHY_LAYOUT: whatever stops the loader from mapping them as the
 * kernel would (a page of its own in the way, an RLIMIT_AS its own pages
 * exhaust, no random bytes), the kernel maps them instead.
 */
static int map_phase(struct loader *l)
{
	int err = PW_WHY_LAYOUT;

	if (sys_getrandom(l->rnd, sizeof(l->rnd), 0) == sizeof(l->rnd) &&
	    map_images(l, l->rnd) == 0)
		err = 0;
	if (l->interp.fd >= 0)
		sys_close(l->interp.fd);
	l->interp.fd = -1;
	return err;
}

static void unmap_images(struct loader *l)
{
	elf_unmap(&l->exe);
	if (l->exe.info.interp_len)
		elf_unmap(&l->interp);
}

/*
 * The new stack goes below the top of the [stack] mapping, which must
 * grow down to low if it does not reach that far. A growth the kernel
 * refuses (RLIMIT_AS, RLIMIT_STACK, a segment within the guard gap below)
 * would kill the loader with SIGSEGV: the kernel route takes those.
 * Returns 0 or PW_WHY_LAYOUT.
 */
static int stack_room(const struct loader *l, uint64_t low)
{
	uint64_t page = ELF_PAGESTART(low), lim[2];
	unsigned char vec;

	if (sys_mincore((void *)page, ELF_PAGE, &vec) == 0)
		return 0;
	if (elf_overlaps(&l->exe, page - STACK_GUARD_GAP, l->stack_top) ||
	    (l->exe.info.interp_len &&
	     elf_overlaps(&l->interp, page - STACK_GUARD_GAP, l->stack_top)))
		return PW_WHY_LAYOUT;
	if (sys_prlimit(0, RLIMIT_AS, 0, lim) < 0 || lim[0] != ~0ull ||
	    sys_prlimit(0, RLIMIT_STACK, 0, lim) < 0 ||
	    l->stack_top - page > lim[0])
		return PW_WHY_LAYOUT;
	return 0;
}

/*
 * A real exec closes every close-on-exec descriptor. The program's come
 * from this request: a close-on-exec source of a file action (installed
 * at its own number, see PW_REQ_FD) or an addopen() with O_CLOEXEC. Those
 * still close-on-exec once the actions are done are closed now.
 */
static void close_cloexec(const struct loader *l)
{
	const unsigned char *p = l->req_begin;
	struct record rec;
	long fl;
	int fd;

	while (records_next(&p, l->req_end, &rec) > 0) {
		if (rec.type == PW_REQ_FD && (rec.u.fd.flags & PW_FD_CLOEXEC))
			fd = rec.u.fd.target;
		else if (rec.type == PW_REQ_OPEN &&
			 (rec.u.open.o.oflag & O_CLOEXEC))
			fd = rec.u.open.o.target;
		else
			continue;
		fl = sys_fcntl(fd, F_GETFD, 0);
		if (fd != l->exe.fd && fl > 0 && (fl & FD_CLOEXEC))
			sys_close(fd);
	}
}

uint64_t run_gadget(struct loader *l)
{
	int n;

	if (l->gadget_known)
		return l->gadget;
	for (n = 0; n < 2 * LOADER_AUXV_MAX && l->auxv[n] != AT_NULL; n += 2)
		if (l->auxv[n] == AT_SYSINFO_EHDR)
			l->gadget = trampoline_find_gadget(l->auxv[n + 1]);
	l->gadget_known = 1;
	return l->gadget;
}

/*
 * Builds the stack for the mapped images, makes /proc agree, reports
 * success and jumps. Returns only before the report, with the images
 * unmapped: -errno, or PW_WHY_LAYOUT if what is left to set up cannot be
 * (the stack cannot grow, no page for the trampoline): the kernel runs
 * the image then.
 */
static int finish_phase(struct loader *l, const char *execfn)
{
	const uint64_t *rnd = l->rnd;	/* 0-2 addresses, 3-4 AT_RANDOM */
	uint64_t set[2 * 10];
	struct stack_args sa;
	struct stack_layout st;
	struct trampoline_args ta;
	struct pw_status ok = { .step = l->step, .type = l->step_type };
	size_t size;
	int err, n = 0, secure, said = l->said_hello;

	if ((err = check_seccomp_allowed(l)) < 0)
		goto out_unmap;

	memset(&ta, 0, sizeof(ta));
	secure = route_before_jump(l, &ta);
#define SET(k, v) do { set[2 * n] = (k); set[2 * n + 1] = (v); n++; } while (0)
	SET(AT_PHDR, l->exe.load_bias + l->exe.info.phdr_vaddr);
	SET(AT_PHENT, sizeof(Elf64_Phdr));
	SET(AT_PHNUM, l->exe.info.phnum);
	SET(AT_BASE, l->exe.info.interp_len ? l->interp.load_bias : 0);
	SET(AT_ENTRY, l->exe.load_bias + l->exe.info.entry);
	/* The loader's own exec computed the ids and AT_SECURE, unless its
	 * file capability made that exec a secure one (route.c). */
	if (secure >= 0)
		SET(AT_SECURE, (uint64_t)secure);
#undef SET
	sa = (struct stack_args){
		.top = l->stack_top,
		.argv = { l->argv.data, l->argv.bytes, l->argv.count },
		.envp = { l->envp.data, l->envp.bytes, l->envp.count },
		.execfn = execfn,
		.random = (const unsigned char *)&rnd[3],
		.gap = random_below(l, rnd[2], 8192),
		.auxv = l->auxv,
		.set = set,
		.nset = (size_t)n,
	};
	/* The kernel runs argc 0 as argv { "" }. Field by field: at -Os a
	 * compound literal becomes a copy of a .data object that holds a
	 * pointer, which is a dynamic relocation. */
	if (!l->argv.count) {
		sa.argv.data = "";
		sa.argv.bytes = 1;
		sa.argv.count = 1;
	}
	size = stack_size(&sa);
	if ((err = stack_room(l, l->stack_top - size)))
		goto out_unmap;
	if (stack_build(&sa, (unsigned char *)(l->stack_top - size), size,
			&st) < 0) {
		err = -EINVAL;
		goto out_unmap;
	}
	/* Below the new stack: zero what the kernel wrote for the loader. */
	if (st.sp > l->kernel_sp)
		memset((void *)l->kernel_sp, 0, st.sp - l->kernel_sp);

	set_mm(l, &st, rnd, &ta.mm);
	ta.mm_noexe = ta.mm;
	ta.mm.exe_fd = (uint32_t)route_exe_fd(l, l->exe.fd);
	sys_prctl(PR_SET_NAME, (long)(l->name ? l->name
				 : l->comm_buf[0] ? basename_of(l->comm_buf)
					       : basename_of(execfn)), 0, 0, 0);

	ta.unmap_addr = (uint64_t)__ehdr_start;
	ta.unmap_len = ELF_PAGEALIGN((uint64_t)_end) - (uint64_t)__ehdr_start;
	ta.exe_fd = l->exe.fd;
	ta.sigmask = l->sigmask;
	ta.sp = st.sp;
	ta.entry = l->exe.info.interp_len ? l->interp.load_bias + l->interp.info.entry
				       : l->exe.load_bias + l->exe.info.entry;
	if (!l->seccomp)
		ta.gadget = run_gadget(l);

	/* The point of no return comes in the trampoline, which sends this
	 * report once /proc/PID/exe is set, then lets go of the socket. */
	ta.sock = l->sock;
	ta.status_len = (uint32_t)channel_pack(l, PW_REP_STATUS, &ok,
					       sizeof(ok), ta.status);
	ta.status_err = ta.status_len - (uint32_t)sizeof(ok);
	if (trampoline_prepare(&ta, l->seccomp,
			       l->seccomp ? l->seccomp_len : 0) < 0) {
		l->said_hello = said;
		err = PW_WHY_LAYOUT;
		goto out_unmap;
	}
	close_cloexec(l);
	channel_release(l);	/* the stack and trampoline hold what is left */
	trampoline_jump(&ta);

out_unmap:
	unmap_images(l);
	return err;
}

/*
 * How an image open at fd (checked, readable) runs: PW_WHY_NONE
 * (userspace; l->exe is read and checked), another reason for the
 * kernel, or -errno.
 */
static int classify(struct loader *l, int fd, const struct loader_stat *st)
{
	uint32_t reason = privilege_reason(fd, st);
	int err;

	if (reason != PW_WHY_NONE)
		return (int)reason;
	err = elf_read(fd, &l->exe, (uint64_t)st->st_size);
	if (err == ELF_KERNEL_SCRIPT)
		return PW_WHY_SCRIPT;
	if (err == ELF_KERNEL_FOREIGN)
		return PW_WHY_FOREIGN;
	if (err == -ENOMEM)
		return PW_WHY_LAYOUT;
	if (err < 0)
		return err;
	return check_images(l);
}

/*
 * execve()'s steps up to the image's headers, in its order, on the file
 * open at fd (O_PATH, or readable; path names it, if the loader may look
 * it up again): the checks, the open for reading, the argument limits,
 * then what the file is. Returns 0 (l->exe read and
 * checked, to be mapped), a reason for the kernel route, or -errno.
 */
static int examine(struct loader *l, int fd, const char *path,
		   const char *execfn)
{
	struct loader_stat st;
	int err;

	if ((err = check_exec_file(fd, &st)))
		return err;
	if ((err = open_for_reading(fd, path, &st)) ||
	    (execfn && (err = check_arg_limits(l, execfn))))
		return err;
	return classify(l, fd, &st);
}

/*
 * The kernel runs it: by path if there is one, else by the fd. An fd exec
 * is named "/dev/fd/N" after the number it runs from: if the caller's
 * number for the image is free here, run it from there, so that AT_EXECFN
 * (and a script's path) is what the caller's fexecve() would give.
 */
static int kernel_exec(struct loader *l, uint32_t reason, int fd,
		       const char *path)
{
	int n = fd, want = l->fd_name, script = reason == PW_WHY_SCRIPT, err;

	if (path)
		return fallback_exec(l, reason, AT_FDCWD, path, 0);
	if (want >= 0 && want != fd && sys_fcntl(want, F_GETFD, 0) == -EBADF &&
	    sys_dup3(fd, want, script ? 0 : O_CLOEXEC) >= 0)
		n = want;
	/* A script run from its fd is read by its interpreter as /dev/fd/N:
	 * that descriptor must survive the exec. */
	if (script)
		sys_fcntl(n, F_SETFD, 0);
	err = fallback_exec(l, reason, n, "", AT_EMPTY_PATH);
	if (n != fd)
		sys_close(n);
	return err;
}

/* One candidate file, open at fd: load it, or hand it to the kernel;
 * -errno if not. */
static int try_image(struct loader *l, int fd, const char *path,
		     const char *execfn)
{
	int err;

	if (fd < 0)
		return fd;
	err = examine(l, fd, path, execfn);
	if (err == PW_WHY_NONE && (err = map_phase(l)) == 0)
		err = finish_phase(l, execfn);
	if (err > 0)
		err = kernel_exec(l, (uint32_t)err, fd, path);
	if (fd != l->image_fd)
		sys_close(fd);
	return err;
}

/*
 * posix_spawnp(): the first candidate that runs, or why none did. With a
 * reason for the kernel (why), execve() tries each as execvp() would.
 */
static int search(struct loader *l, const char *file, const char *list,
		  uint32_t why)
{
	struct path_search s;
	int err;

	if ((err = path_search_start(&s, file, list)))
		return -err;
	while (path_search_next(&s, l->path_buf, sizeof(l->path_buf))) {
		if (why != PW_WHY_NONE)
			err = fallback_exec(l, why, AT_FDCWD, l->path_buf, 0);
		else
			err = try_image(l, open_exec(l->path_buf),
					l->path_buf, l->path_buf);
		if (!path_search_continues(&s, -err))
			return err;
	}
	return -path_search_error(&s);
}

/*
 * Names of an image received as an fd: *execfn for AT_EXECFN (the path the
 * library gave, or /dev/fd/N as execveat() would call it), *kpath for a
 * kernel fallback (NULL: use the fd; so for a path the library resolved
 * in the caller, such as /proc/self/exe, which names another file here),
 * and comm_buf as the kernel's comm.
 */
static void fd_names(struct loader *l, const char **execfn,
		     const char **kpath)
{
	const char *path = l->image.path;
	long r;

	if (path) {
		*execfn = path;
		/* The kernel resolves a path again: give it the absolute one
		 * the library resolved, not one relative to a cwd that the
		 * configuration may have changed. */
		*kpath = (l->image.flags & PW_IMAGE_KPATH) ? l->image.search
							   : 0;
		/* After a chroot or a mount namespace joined, the path may
		 * name another file: the kernel runs the one opened. */
		if (l->new_root)
			*kpath = 0;
		return;
	}
	/* execveat(fd, "", AT_EMPTY_PATH) calls it /dev/fd/N, with the
	 * caller's N. */
	name_fd(l->fd_path, "/dev/fd/", l->image.fd_name >= 0
						? l->image.fd_name
						: l->image_fd);
	/* Since 6.14 an fd exec is named after the file. */
	name_fd(l->comm_buf, "/proc/self/fd/", l->image_fd);
	r = sys_readlinkat(AT_FDCWD, l->comm_buf, l->comm_buf,
			   sizeof(l->comm_buf) - 1);
	l->comm_buf[r > 0 ? r : 0] = 0;
	strip_deleted(l->image_fd, l->comm_buf);
	l->fd_name = l->image.fd_name;
	*execfn = l->fd_path;
	*kpath = 0;
}

/* Keeps a string that must outlive the request it came in. */
static const char *keep(char *buf, size_t size, const char *s)
{
	size_t n;

	if (!s)
		return 0;
	n = strnlen(s, size - 1);
	memcpy(buf, s, n);
	buf[n] = 0;
	return buf;
}

/*
 * The kernel runs the image, for a reason route.c found before anything of
 * it was opened: execve() makes every check on the file itself.
 */
static int run_kernel(struct loader *l, int why)
{
	const char *path = l->image.path, *execfn, *kpath;

	if (why < 0)
		return why;
	if (l->image_fd >= 0) {
		fd_names(l, &execfn, &kpath);
		return kernel_exec(l, (uint32_t)why, l->image_fd, kpath);
	}
	if ((l->image.flags & PW_IMAGE_SEARCH) && path_search_wanted(path))
		return search(l, path, l->image.search, (uint32_t)why);
	return fallback_exec(l, (uint32_t)why, AT_FDCWD, path, 0);
}

int prepare_image(struct loader *l, uint32_t mode)
{
	const char *execfn, *kpath;
	int err;

	if (!l->have_image || l->image_fd < 0 || l->next_fd != l->nfds)
		return -EPROTO;	/* a template is made from an fd */
	fd_names(l, &execfn, &kpath);
	l->prepared.execfn = keep(l->path_buf, sizeof(l->path_buf), execfn);
	l->prepared.kpath = keep(l->kpath_buf, sizeof(l->kpath_buf), kpath);
	/* The arguments are not known yet: run_prepared() checks them. */
	if ((err = route_choose(l, mode)) == PW_WHY_NONE)
		err = examine(l, l->image_fd, kpath, 0);
	if (err == PW_WHY_NONE && (err = map_phase(l)) == 0) {
		elf_populate(&l->exe);
		if (l->exe.info.interp_len)
			elf_populate(&l->interp);
	}
	if (err < 0)
		return err;
	l->prepared.reason = (uint32_t)err;
	l->prepared.done = 1;
	l->have_image = 0;	/* it points into the request we are done with */
	return 0;
}

/* Runs an image made ready by prepare_image(), unless the route changed. */
static int run_prepared(struct loader *l, uint32_t mode)
{
	const char *execfn = l->prepared.execfn;
	int err = route_choose(l, mode);

	if (err == PW_WHY_NONE)
		err = (int)l->prepared.reason;
	if (err == PW_WHY_NONE && (err = check_arg_limits(l, execfn)) < 0)
		return err;
	/* The image's descriptor may have moved since it was read: out of
	 * the way of a descriptor the program gets (channel_vacate_fd()). */
	l->exe.fd = l->image_fd;
	if (err == PW_WHY_NONE)
		err = finish_phase(l, execfn);
	if (err > 0)
		err = kernel_exec(l, (uint32_t)err, l->image_fd,
				  l->prepared.kpath);
	return err;
}

int run_image(struct loader *l, uint32_t mode)
{
	const char *path = l->image.path;
	int why;

	if (l->next_fd != l->nfds)
		return -EPROTO;
	if (l->prepared.done)
		return run_prepared(l, mode);
	if (!l->have_image)
		return -EINVAL;
	if ((why = route_choose(l, mode)) != PW_WHY_NONE)
		return run_kernel(l, why);
	if (l->image_fd >= 0) {
		const char *execfn, *kpath;

		fd_names(l, &execfn, &kpath);
		return try_image(l, l->image_fd, kpath, execfn);
	}
	if ((l->image.flags & PW_IMAGE_SEARCH) && path_search_wanted(path))
		return search(l, path, l->image.search, PW_WHY_NONE);
	return try_image(l, open_exec(path), path, path);
}
