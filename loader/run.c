/*
 * Running the image: find it (path, PATH search or a received fd), decide
 * whether it may be loaded in userspace, check the argument limits, map it
 * and its interpreter, build the initial stack, make /proc agree, report
 * success and jump. Until the report, every failure is an errno for the
 * caller and nothing of the new program runs.
 */
#include <elf.h>
#include "elf-load.h"
#include "entry.h"
#include "fallback.h"
#include "loader.h"
#include "mem.h"
#include "stack.h"
#include "start.h"
#include "sys.h"

#define MAX_ARG_STRLEN	(32ul * 4096)
#define ARG_MAX_MIN	(32ul * 4096)
#define STK_LIM		(8ul << 20)
#define ET_DYN_BASE	0x555555554aaaull	/* (1 << 47) - 4096, / 3 * 2 */
#define MMAP_RND_BITS	28
#define NAME_MAX_	255
#define PATH_MAX_	4096

extern const char __ehdr_start[];
extern const char _end[];

/* Page aligned: the header, the few program headers a file has and the
 * fields used with them share one page, so reading them faults once. */
static struct elf_image exe __attribute__((aligned(4096)));
static struct elf_image interp __attribute__((aligned(4096)));
static char interp_path[ELF_INTERP_MAX];
static char path_buf[PATH_MAX_];
static char comm_buf[PATH_MAX_];	/* the file's own name, for fd execs */

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
static int check_exec_permission(int fd)
{
	struct loader_stat st;
	long r;

	if ((r = sys_fstat(fd, &st)) < 0)
		return (int)r;
	if ((st.st_mode & S_IFMT) != S_IFREG)
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
	long fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	int err;

	*opath = 0;
	if (fd == -EACCES) {
		fd = sys_openat(AT_FDCWD, path, O_PATH | O_CLOEXEC, 0);
		*opath = 1;
	}
	if (fd < 0)
		return (int)fd;
	if ((err = check_exec_permission((int)fd)) < 0) {
		sys_close((int)fd);
		return err;
	}
	return (int)fd;
}

static uint32_t privilege_reason(int fd)
{
	struct loader_stat st;

	if (sys_fstat(fd, &st) < 0)
		return PW_WHY_SETID;	/* cannot tell: let the kernel decide */
	if ((st.st_mode & S_ISUID) ||
	    ((st.st_mode & S_ISGID) && (st.st_mode & S_IXGRP)))
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

	if (exe.info.type == ET_DYN && exe.info.interp_len) {
		hint = ET_DYN_BASE;
		if (l->randomize)
			hint += (rnd[0] & ((1ull << MMAP_RND_BITS) - 1)) << 12;
		if (exe.info.max_align > ELF_PAGE)
			hint &= ~(exe.info.max_align - 1);
		hint = ELF_PAGESTART(hint);
	}
	if ((err = elf_map(&exe, hint, 1)) < 0)
		return err;
	if (exe.info.interp_len && (err = elf_map(&interp, 0, 0)) < 0) {
		elf_unmap(&exe);
		return err;
	}
	return 0;
}

static int set_mm(struct loader *l, const struct stack_layout *st,
		  const uint64_t *rnd, struct prctl_mm_map *mm)
{
	uint64_t brk = ELF_PAGEALIGN(exe.brk);
	long r;

	/* Since 6.15 a static-pie's brk moves out of the mmap area always. */
	int moved = exe.info.type == ET_DYN && !exe.info.interp_len;

	if (moved)
		brk = ELF_PAGEALIGN(ET_DYN_BASE);
	if (l->randomize) {
		if (!moved)
			brk += ELF_PAGE;
		brk = randomize_page(l, brk, 1ull << 30, rnd[1]);
	}
	*mm = (struct prctl_mm_map){
		.start_code = exe.start_code, .end_code = exe.end_code,
		.start_data = exe.start_data, .end_data = exe.end_data,
		.start_brk = brk, .brk = brk,
		.start_stack = st->sp,
		.arg_start = st->arg_start, .arg_end = st->arg_end,
		.env_start = st->env_start, .env_end = st->env_end,
		.auxv = (__u64 *)st->auxv,
		.auxv_size = (uint32_t)st->auxv_bytes,
		.exe_fd = (uint32_t)-1,
	};
	r = sys_prctl(PR_SET_MM, PR_SET_MM_MAP, (long)mm, sizeof(*mm), 0);
	return (int)r;
}

static const char *basename_of(const char *p)
{
	const char *b = p;

	for (; *p; p++)
		if (*p == '/' && p[1])
			b = p + 1;
	return b;
}

/* Loads exe (already read and checked) in userspace and jumps. */
static int load_and_jump(struct loader *l, const char *execfn)
{
	/* rnd[0..2]: load bias, brk, stack gap; rnd[4..5]: AT_RANDOM. */
	uint64_t rnd[6], interp_base = 0, entry;
	unsigned ids[6];
	uint64_t set[2 * 10];
	struct stack_args sa;
	struct stack_layout st;
	struct entry_args ea;
	size_t size;
	int err, n = 0;
	long r;

	if (exe.info.interp_len) {
		if ((err = elf_read_interp(&exe, interp_path)) < 0)
			return err;
		int opath;

		if ((r = open_exec(interp_path, &opath)) < 0)
			return (int)r;
		err = opath ? -EACCES : elf_read((int)r, &interp);
		if (err)
			sys_close((int)r);
		/* load_elf_binary(): a short interpreter header is EIO, a
		 * foreign or broken one ELIBBAD. */
		if (err > 0)
			return interp.file_size < sizeof(Elf64_Ehdr) ? -EIO
								       : -ELIBBAD;
		if (err == -ENOEXEC || err == -EINVAL)
			return -ELIBBAD;
		if (err < 0)
			return err;
	}
	if (sys_getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return -EAGAIN;
	if ((err = map_images(l, rnd)) < 0)
		return err;
	/* Read interp only when there is one: a conditional move would load
	 * its fields anyway and fault in a page a static program never uses. */
	entry = exe.load_bias + exe.info.entry;
	if (exe.info.interp_len) {
		sys_close(interp.fd);
		interp_base = interp.load_bias;
		entry = interp.load_bias + interp.info.entry;
	}

	sys_getresuid(&ids[0], &ids[1], &ids[2]);
	sys_getresgid(&ids[3], &ids[4], &ids[5]);
#define SET(k, v) do { set[2 * n] = (k); set[2 * n + 1] = (v); n++; } while (0)
	SET(AT_PHDR, exe.load_bias + exe.info.phdr_vaddr);
	SET(AT_PHENT, sizeof(Elf64_Phdr));
	SET(AT_PHNUM, exe.info.phnum);
	SET(AT_BASE, interp_base);
	SET(AT_ENTRY, exe.load_bias + exe.info.entry);
	SET(AT_UID, ids[0]);
	SET(AT_EUID, ids[1]);
	SET(AT_GID, ids[3]);
	SET(AT_EGID, ids[4]);
	if (l->resetids)
		SET(AT_SECURE, 0);
#undef SET
	sa = (struct stack_args){
		.top = l->stack_top,
		.argv = { l->argv.data, l->argv.bytes, l->argv.count },
		.envp = { l->envp.data, l->envp.bytes, l->envp.count },
		.execfn = execfn,
		.random = (const unsigned char *)&rnd[4],
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

	memset(&ea, 0, sizeof(ea));
	set_mm(l, &st, rnd, &ea.mm);	/* best effort: see doc/fidelity.md */
	sys_prctl(PR_SET_NAME, (long)(l->name ? l->name
				 : l->fd_name ? basename_of(l->fd_name)
					       : basename_of(execfn)), 0, 0, 0);

	ea.unmap_addr = (uint64_t)__ehdr_start;
	ea.unmap_len = ELF_PAGEALIGN((uint64_t)_end) - (uint64_t)__ehdr_start;
	ea.exe_fd = exe.fd;
	ea.mm.exe_fd = (uint32_t)exe.fd;
	ea.sigmask = l->sigmask;
	ea.sp = st.sp;
	ea.entry = entry;
	for (n = 0; n < 2 * LOADER_AUXV_MAX && l->auxv[n] != AT_NULL; n += 2)
		if (l->auxv[n] == AT_SYSINFO_EHDR && !l->seccomp)
			ea.gadget = entry_find_gadget(l->auxv[n + 1]);

	/* The point of no return: report, then let go of the socket. */
	{
		struct pw_status ok = { .step = l->step, .type = l->step_type };

		loader_send(l, PW_REP_STATUS, &ok, sizeof(ok));
	}
	sys_close(l->sock);
	err = entry_jump(&ea, l->seccomp, l->seccomp ? l->seccomp_len : 0);
	sys_exit_group(127);

out_unmap:
	elf_unmap(&exe);
	if (exe.info.interp_len)
		elf_unmap(&interp);
	return err;
}

/* One candidate file: load it, or hand it to the kernel; -errno if not. */
static int try_image(struct loader *l, int fd, int opath, const char *path,
		     const char *execfn, uint32_t mode)
{
	uint32_t reason = opath ? PW_WHY_UNREADABLE : PW_WHY_NONE;
	int err;

	if (fd < 0)
		return fd;
	if ((err = check_arg_limits(l, execfn)) < 0)
		goto out;
	if (reason == PW_WHY_NONE && mode == PW_RUN_KERNEL)
		reason = PW_WHY_ASKED;
	if (reason == PW_WHY_NONE)
		reason = privilege_reason(fd);
	if (reason == PW_WHY_NONE) {
		err = elf_read(fd, &exe);
		if (err == ELF_KERNEL_SCRIPT)
			reason = PW_WHY_SCRIPT;
		else if (err == ELF_KERNEL_FOREIGN)
			reason = PW_WHY_FOREIGN;
		else if (err < 0)
			goto out;
		else if (exe.info.exec_stack)
			reason = PW_WHY_EXECSTACK;
	}
	if (reason == PW_WHY_NONE) {
		err = load_and_jump(l, execfn);
		goto out;
	}
	if (path) {
		err = fallback_exec(l, reason, AT_FDCWD, path, 0);
	} else {
		/* A script run from its fd is read by its interpreter as
		 * /dev/fd/N: that descriptor must survive the exec. */
		if (reason == PW_WHY_SCRIPT)
			sys_fcntl(fd, F_SETFD, 0);
		err = fallback_exec(l, reason, fd, "", AT_EMPTY_PATH);
	}
out:
	if (fd >= 0 && fd != l->image_fd)
		sys_close(fd);
	return err;
}

/* posix_spawnp()'s search, as glibc's __execvpex() does it. */
static int search(struct loader *l, const char *file, const char *list,
		  uint32_t mode)
{
	size_t flen = strnlen(file, NAME_MAX_ + 1) + 1;
	int got_eacces = 0, err;
	const char *p = list, *q;

	if (!*file)
		return -ENOENT;
	if (flen > NAME_MAX_ + 1)
		return -ENAMETOOLONG;
	for (;;) {
		size_t dlen;

		for (q = p; *q && *q != ':'; q++)
			;
		dlen = (size_t)(q - p);
		if (dlen + 1 + flen <= sizeof(path_buf)) {
			memcpy(path_buf, p, dlen);
			path_buf[dlen] = '/';
			memcpy(path_buf + dlen + (dlen != 0), file, flen);
			int opath, fd = open_exec(path_buf, &opath);

			err = try_image(l, fd, opath, path_buf, path_buf, mode);
			switch (err) {
			case -EACCES:
				got_eacces = 1;
				break;
			case -ENOENT: case -ESTALE: case -ENOTDIR:
			case -ENODEV: case -ETIMEDOUT:
				break;
			default:
				return err;
			}
		}
		if (!*q)
			break;
		p = q + 1;
	}
	return got_eacces ? -EACCES : -ENOENT;
}

int run_image(struct loader *l, uint32_t mode)
{
	const char *path = l->image_path;

	int opath, fd;
	long r;

	if (!l->image)
		return -EINVAL;
	if (l->next_fd != l->nfds)
		return -EPROTO;
	if (l->image_fd >= 0) {
		int err = check_exec_permission(l->image_fd);
		long fl = sys_fcntl(l->image_fd, F_GETFL, 0);
		char fdpath[32];

		if (err)
			return err;
		opath = fl >= 0 && (fl & O_PATH);
		if (!path) {
			/* execveat(fd, "", AT_EMPTY_PATH) calls it /dev/fd/N */
			int n = l->image_fd, i = 8, k;
			char digits[12];

			memcpy(fdpath, "/dev/fd/", 8);
			for (k = 0; n || !k; n /= 10)
				digits[k++] = (char)('0' + n % 10);
			while (k)
				fdpath[i++] = digits[--k];
			fdpath[i] = 0;
			/* Since 6.14 an fd exec is named after the file. */
			memcpy(comm_buf, "/proc/self/fd/", 14);
			memcpy(comm_buf + 14, fdpath + 8, (size_t)(i - 8) + 1);
			r = sys_readlinkat(AT_FDCWD, comm_buf, comm_buf,
					   sizeof(comm_buf) - 1);
			comm_buf[r > 0 ? r : 0] = 0;
			l->fd_name = comm_buf[0] ? comm_buf : 0;
			return try_image(l, l->image_fd, opath, 0, fdpath, mode);
		}
		return try_image(l, l->image_fd, opath, path, path, mode);
	}
	if (l->image->flags & PW_IMAGE_SEARCH) {
		size_t i;

		for (i = 0; path[i]; i++)
			if (path[i] == '/')
				break;
		if (!path[i])
			return search(l, path, l->image_search ? l->image_search
							       : "/bin:/usr/bin",
				      mode);
	}
	fd = open_exec(path, &opath);
	return try_image(l, fd, opath, path, path, mode);
}
