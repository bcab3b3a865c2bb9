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
#include "route.h"
#include "run.h"
#include "stack.h"
#include "sys.h"

#define MAX_ARG_STRLEN	(32ul * 4096)
#define ARG_MAX_MIN	(32ul * 4096)
#define STK_LIM		(8ul << 20)
#define ET_DYN_BASE	0x555555554aaaull	/* (1 << 47) - 4096, / 3 * 2 */
#define MMAP_RND_BITS	28

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

/*
 * What execve() checks on the file before reading it: a regular file the
 * effective ids may execute, on a mount that allows it.
 */
static int check_exec_permission(int fd, struct loader_stat *st)
{
	long r;

	if ((r = sys_fstat(fd, st)) < 0)
		return (int)r;
	if ((st->st_mode & S_IFMT) != S_IFREG)
		return -EACCES;
	r = sys_faccessat2(fd, "", 1 /* X_OK */, AT_EMPTY_PATH | AT_EACCESS);
	return r < 0 ? (int)r : 0;
}

/*
 * Opens a file to execute. Execute-only files cannot be read, so cannot be
 * mapped: they come back as an O_PATH descriptor with *opath set, for the
 * kernel to run.
 */
static int open_exec(const char *path, int *opath)
{
	/* O_NONBLOCK: opening a FIFO must not block; exec refuses it. */
	long fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);

	*opath = 0;
	if (fd == -EACCES) {
		fd = sys_openat(AT_FDCWD, path, O_PATH | O_CLOEXEC, 0);
		*opath = 1;
	}
	return (int)fd;
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

static int map_images(struct loader *l, const uint64_t *rnd)
{
	uint64_t hint = 0;
	int err;

	if (l->exe.info.type == ET_DYN && l->exe.info.interp_len) {
		hint = ET_DYN_BASE;
		if (l->randomize)
			hint += (rnd[0] & ((1ull << MMAP_RND_BITS) - 1)) << 12;
		if (l->exe.info.max_align > ELF_PAGE)
			hint &= ~(l->exe.info.max_align - 1);
		hint = ELF_PAGESTART(hint);
	}
	if ((err = elf_map(&l->exe, hint, 1)) < 0)
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
 * The rest of load_elf_binary()'s checks on exe (already read), in its
 * order: first the interpreter, whose errors the kernel returns before its
 * point of no return, then the segments of both images, which the kernel
 * checks only after it (its process dies; ours fails with an errno).
 * Returns 0 with the interpreter open and read, a pw_reason > 0 for an
 * image the kernel must run after all, or -errno.
 */
static int check_images(struct loader *l)
{
	struct loader_stat ist;
	int err, opath;
	long fd;

	if (l->exe.info.has_interp) {
		if ((err = elf_read_interp(&l->exe, l->interp_path)) < 0)
			return err;
		if ((fd = open_exec(l->interp_path, &opath)) < 0)
			return (int)fd;
		if ((err = check_exec_permission((int)fd, &ist)) < 0) {
			sys_close((int)fd);
			return err;
		}
		/* The kernel reads an interpreter it may only execute; we
		 * cannot map one we cannot read. */
		if (opath) {
			sys_close((int)fd);
			return PW_WHY_UNREADABLE;
		}
		err = elf_read((int)fd, &l->interp, (uint64_t)ist.st_size);
		if (err) {
			sys_close((int)fd);
			/* A short interpreter header is EIO, a foreign or
			 * broken one ELIBBAD. */
			if (err > 0)
				return l->interp.file_size < sizeof(Elf64_Ehdr)
					       ? -EIO : -ELIBBAD;
			return err == -ENOEXEC ? -ELIBBAD : err;
		}
	}
	err = elf_check_phdrs(&l->exe.eh, l->exe.ph, l->exe.file_size);
	if (!err && l->exe.info.interp_len &&
	    elf_check_phdrs(&l->interp.eh, l->interp.ph,
			    l->interp.file_size) < 0)
		err = -ELIBBAD;
	if (!err && l->exe.info.exec_stack)
		err = PW_WHY_EXECSTACK;
	if (err && l->exe.info.interp_len)
		sys_close(l->interp.fd);
	return err;
}

/* Maps exe and its interpreter (read and checked). Returns 0 or -errno. */
static int map_phase(struct loader *l)
{
	int err;

	if (sys_getrandom(l->rnd, sizeof(l->rnd), 0) != sizeof(l->rnd))
		err = -EAGAIN;
	else
		err = map_images(l, l->rnd);
	if (l->exe.info.interp_len)
		sys_close(l->interp.fd);
	return err;
}

static void unmap_images(struct loader *l)
{
	elf_unmap(&l->exe);
	if (l->exe.info.interp_len)
		elf_unmap(&l->interp);
}

/*
 * Builds the stack for the mapped images, makes /proc agree, reports
 * success and jumps. Returns -errno (images unmapped) only before the
 * report.
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
	if (!l->argv.count)	/* the kernel runs argc 0 as argv { "" } */
		sa.argv = (struct stack_strings){ "", 1, 1 };
	size = stack_size(&sa);
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
	for (n = 0; n < 2 * LOADER_AUXV_MAX && l->auxv[n] != AT_NULL; n += 2)
		if (l->auxv[n] == AT_SYSINFO_EHDR && !l->seccomp)
			ta.gadget = trampoline_find_gadget(l->auxv[n + 1]);
	/* The point of no return comes in the trampoline, which sends this
	 * report once /proc/PID/exe is set, then lets go of the socket. */
	ta.sock = l->sock;
	ta.status_len = (uint32_t)channel_pack(l, PW_REP_STATUS, &ok,
					       sizeof(ok), ta.status);
	ta.status_err = ta.status_len - (uint32_t)sizeof(ok);

	err = trampoline_prepare(&ta, l->seccomp,
				 l->seccomp ? l->seccomp_len : 0);
	if (err < 0) {
		l->said_hello = said;
		goto out_unmap;
	}
	channel_release(l);	/* the stack and trampoline hold what is left */
	trampoline_jump(&ta);

out_unmap:
	unmap_images(l);
	return err;
}

/*
 * How an image open at fd runs: PW_WHY_NONE (userspace; l->exe is read and
 * checked), another reason for the kernel, or -errno.
 */
static int classify(struct loader *l, int fd, int opath,
		    const struct loader_stat *st)
{
	uint32_t reason = opath ? PW_WHY_UNREADABLE : PW_WHY_NONE;
	int err;

	if (reason == PW_WHY_NONE)
		reason = privilege_reason(fd, st);
	if (reason != PW_WHY_NONE)
		return (int)reason;
	err = elf_read(fd, &l->exe, (uint64_t)st->st_size);
	if (err == ELF_KERNEL_SCRIPT)
		return PW_WHY_SCRIPT;
	if (err == ELF_KERNEL_FOREIGN)
		return PW_WHY_FOREIGN;
	if (err < 0)
		return err;
	return check_images(l);
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

/* One candidate file: load it, or hand it to the kernel; -errno if not. */
static int try_image(struct loader *l, int fd, int opath, const char *path,
		     const char *execfn)
{
	struct loader_stat st;
	int err;

	if (fd < 0)
		return fd;
	if ((err = check_exec_permission(fd, &st)) < 0 ||
	    (err = check_arg_limits(l, execfn)) < 0 ||
	    (err = classify(l, fd, opath, &st)) < 0)
		goto out;
	if (err == PW_WHY_NONE) {
		err = map_phase(l);
		if (err == 0)
			err = finish_phase(l, execfn);
		goto out;
	}
	err = kernel_exec(l, (uint32_t)err, fd, path);
out:
	if (fd >= 0 && fd != l->image_fd)
		sys_close(fd);
	return err;
}

/*
 * posix_spawnp(): the first candidate that runs, or why none did. With a
 * reason for the kernel (why), execveat() tries each as execvp() would.
 */
static int search(struct loader *l, const char *file, const char *list,
		  uint32_t why)
{
	struct path_search s;
	int err;

	if ((err = path_search_start(&s, file, list)))
		return -err;
	while (path_search_next(&s, l->path_buf, sizeof(l->path_buf))) {
		int opath, fd;

		if (why != PW_WHY_NONE) {
			err = fallback_exec(l, why, AT_FDCWD, l->path_buf, 0);
		} else {
			fd = open_exec(l->path_buf, &opath);
			err = try_image(l, fd, opath, l->path_buf, l->path_buf);
		}
		if (!path_search_continues(&s, -err))
			return err;
	}
	return -path_search_error(&s);
}

/*
 * Names of an image received as an fd: *execfn for AT_EXECFN (the path the
 * library gave, or /dev/fd/N as execveat() would call it), *kpath for a
 * kernel fallback (NULL: use the fd), and comm_buf as the kernel's comm.
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
		*kpath = (l->image.flags & PW_IMAGE_KPATH) && l->image.search
				 ? l->image.search : path;
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
 * it was opened: execveat() makes every check on the file itself.
 */
static int run_kernel(struct loader *l, int why)
{
	const char *path = l->image.path;

	if (why < 0)
		return why;
	if (l->image_fd >= 0) {
		l->fd_name = l->image.fd_name;
		return kernel_exec(l, (uint32_t)why, l->image_fd,
				   path && (l->image.flags & PW_IMAGE_KPATH) &&
						   l->image.search
					   ? l->image.search : path);
	}
	if ((l->image.flags & PW_IMAGE_SEARCH) && path_search_wanted(path))
		return search(l, path, l->image.search, (uint32_t)why);
	return fallback_exec(l, (uint32_t)why, AT_FDCWD, path, 0);
}

int prepare_image(struct loader *l, uint32_t mode)
{
	struct loader_stat st;
	const char *execfn, *kpath;
	long fl;
	int err;

	if (!l->have_image || l->image_fd < 0 || l->next_fd != l->nfds)
		return -EPROTO;	/* a template is made from an fd */
	fd_names(l, &execfn, &kpath);
	l->prepared.execfn = keep(l->path_buf, sizeof(l->path_buf), execfn);
	l->prepared.kpath = keep(l->kpath_buf, sizeof(l->kpath_buf), kpath);
	if ((err = route_choose(l, mode)) != PW_WHY_NONE)
		goto out;
	fl = sys_fcntl(l->image_fd, F_GETFL, 0);
	if ((err = check_exec_permission(l->image_fd, &st)) < 0 ||
	    (err = classify(l, l->image_fd, fl >= 0 && (fl & O_PATH), &st)) < 0)
		return err;
	if (err == PW_WHY_NONE) {
		if ((err = map_phase(l)) < 0)
			return err;
		elf_populate(&l->exe);
		if (l->exe.info.interp_len)
			elf_populate(&l->interp);
	}
out:
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
	int why, err;

	if ((err = check_arg_limits(l, execfn)) < 0)
		return err;
	/* The image's descriptor may have moved since it was read: out of
	 * the way of a descriptor the program gets (channel_vacate_fd()). */
	l->exe.fd = l->image_fd;
	if ((why = route_choose(l, mode)) < 0)
		return why;
	if (why == PW_WHY_NONE)
		why = (int)l->prepared.reason;
	if (why == PW_WHY_NONE)
		return finish_phase(l, execfn);
	return kernel_exec(l, (uint32_t)why, l->image_fd, l->prepared.kpath);
}

int run_image(struct loader *l, uint32_t mode)
{
	const char *path = l->image.path;
	int opath, fd, why;

	if (l->next_fd != l->nfds)
		return -EPROTO;
	if (l->prepared.done)
		return run_prepared(l, mode);
	if (!l->have_image)
		return -EINVAL;
	if ((why = route_choose(l, mode)) != PW_WHY_NONE)
		return run_kernel(l, why);
	if (l->image_fd >= 0) {
		long fl = sys_fcntl(l->image_fd, F_GETFL, 0);
		const char *execfn, *kpath;

		fd_names(l, &execfn, &kpath);
		return try_image(l, l->image_fd, fl >= 0 && (fl & O_PATH), kpath,
				 execfn);
	}
	if ((l->image.flags & PW_IMAGE_SEARCH) && path_search_wanted(path))
		return search(l, path, l->image.search, PW_WHY_NONE);
	fd = open_exec(path, &opath);
	return try_image(l, fd, opath, path, path);
}
