/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Raw system calls for the loader. Every wrapper returns what the kernel
 * returned: a value, or -errno. Nothing here touches errno, TLS or a libc.
 */
#ifndef PRISTINE_LOADER_SYS_H
#define PRISTINE_LOADER_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <asm/unistd.h>
#include <asm/signal.h>
#include <linux/fcntl.h>
#include <linux/mman.h>
#include <linux/prctl.h>
#include <linux/resource.h>
#include <linux/sched.h>
#include <linux/stat.h>
#include <linux/uio.h>
#include <linux/socket.h>
#include <linux/time_types.h>
#include <linux/errno.h>
#include "arch.h"

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif
#define LOADER_SIG_DFL 0ul
#define LOADER_SIG_IGN 1ul

struct loader_stat {		/* struct stat of x86_64 */
	unsigned long st_dev, st_ino, st_nlink;
	unsigned int st_mode, st_uid, st_gid, pad0;
	unsigned long st_rdev;
	long st_size, st_blksize, st_blocks;
	unsigned long st_atime, st_atime_ns, st_mtime, st_mtime_ns;
	unsigned long st_ctime, st_ctime_ns;
	long unused[3];
};

struct loader_msghdr {
	void *msg_name;
	int msg_namelen;
	struct iovec *msg_iov;
	size_t msg_iovlen;
	void *msg_control;
	size_t msg_controllen;
	int msg_flags;
};

struct loader_cmsghdr {
	size_t cmsg_len;
	int cmsg_level;
	int cmsg_type;
};

struct loader_sigaction {	/* the kernel's, not libc's */
	unsigned long handler;
	unsigned long flags;
	unsigned long restorer;
	uint64_t mask;
};

#define MSG_CMSG_CLOEXEC_ 0x40000000
#define MSG_CTRUNC_ 0x8
#define MSG_NOSIGNAL_ 0x4000
#define MSG_DONTWAIT_ 0x40
#define SCM_RIGHTS_ 1
#define SOL_SOCKET_ 1
#define SO_TYPE_ 3

static inline long sys_read(int fd, void *buf, size_t n)
{ return SYSCALL3(__NR_read, fd, buf, n); }
static inline long sys_write(int fd, const void *buf, size_t n)
{ return SYSCALL3(__NR_write, fd, buf, n); }
static inline long sys_pread(int fd, void *buf, size_t n, long off)
{ return SYSCALL4(__NR_pread64, fd, buf, n, off); }
static inline long sys_openat(int dfd, const char *p, int flags, unsigned mode)
{ return SYSCALL4(__NR_openat, dfd, p, flags, mode); }
static inline long sys_close(int fd)
{ return SYSCALL1(__NR_close, fd); }
static inline long sys_close_range(unsigned lo, unsigned hi, unsigned flags)
{ return SYSCALL3(__NR_close_range, lo, hi, flags); }
static inline long sys_dup3(int from, int to, int flags)
{ return SYSCALL3(__NR_dup3, from, to, flags); }
static inline long sys_fcntl(int fd, int cmd, long arg)
{ return SYSCALL3(__NR_fcntl, fd, cmd, arg); }
static inline long sys_fstat(int fd, struct loader_stat *st)
{ return SYSCALL2(__NR_fstat, fd, st); }
static inline long sys_faccessat2(int dfd, const char *p, int mode, int flags)
{ return SYSCALL4(__NR_faccessat2, dfd, p, mode, flags); }
static inline long sys_fgetxattr(int fd, const char *name, void *v, size_t n)
{ return SYSCALL4(__NR_fgetxattr, fd, name, v, n); }
static inline long sys_recvmsg(int fd, struct loader_msghdr *m, int flags)
{ return SYSCALL3(__NR_recvmsg, fd, m, flags); }
static inline long sys_sendto(int fd, const void *buf, size_t n, int flags)
{ return SYSCALL6(__NR_sendto, fd, buf, n, flags, 0, 0); }
static inline long sys_getsockopt(int fd, int lvl, int opt, void *v, int *len)
{ return SYSCALL5(__NR_getsockopt, fd, lvl, opt, v, len); }
static inline long sys_mmap(void *addr, size_t len, int prot, int flags,
			    int fd, long off)
{ return SYSCALL6(__NR_mmap, addr, len, prot, flags, fd, off); }
static inline long sys_madvise(void *addr, size_t len, int advice)
{ return SYSCALL3(__NR_madvise, addr, len, advice); }
static inline long sys_munmap(void *addr, size_t len)
{ return SYSCALL2(__NR_munmap, addr, len); }
static inline long sys_mprotect(void *addr, size_t len, int prot)
{ return SYSCALL3(__NR_mprotect, addr, len, prot); }
static inline long sys_chdir(const char *p)
{ return SYSCALL1(__NR_chdir, p); }
static inline long sys_fchdir(int fd)
{ return SYSCALL1(__NR_fchdir, fd); }
static inline long sys_umask(unsigned m)
{ return SYSCALL1(__NR_umask, m); }
static inline long sys_setsid(void)
{ return SYSCALL0(__NR_setsid); }
static inline long sys_setpgid(int pid, int pgid)
{ return SYSCALL2(__NR_setpgid, pid, pgid); }
static inline long sys_getpgid(int pid)
{ return SYSCALL1(__NR_getpgid, pid); }
static inline long sys_ioctl(int fd, unsigned long req, long arg)
{ return SYSCALL3(__NR_ioctl, fd, req, arg); }
static inline long sys_rt_sigaction(int sig, const struct loader_sigaction *a,
				    struct loader_sigaction *old)
{ return SYSCALL4(__NR_rt_sigaction, sig, a, old, 8); }
static inline long sys_rt_sigprocmask(int how, const uint64_t *set, uint64_t *old)
{ return SYSCALL4(__NR_rt_sigprocmask, how, set, old, 8); }
static inline long sys_rt_sigpending(uint64_t *set)
{ return SYSCALL2(__NR_rt_sigpending, set, 8); }
static inline long sys_sigaltstack(const void *ss, void *old)
{ return SYSCALL2(__NR_sigaltstack, ss, old); }
static inline long sys_prlimit(int pid, unsigned res, const void *n, void *o)
{ return SYSCALL4(__NR_prlimit64, pid, res, n, o); }
static inline long sys_sched_setscheduler(int pid, int pol, const int *prio)
{ return SYSCALL3(__NR_sched_setscheduler, pid, pol, prio); }
static inline long sys_sched_setparam(int pid, const int *prio)
{ return SYSCALL2(__NR_sched_setparam, pid, prio); }
static inline long sys_getresuid(unsigned *r, unsigned *e, unsigned *s)
{ return SYSCALL3(__NR_getresuid, r, e, s); }
static inline long sys_getresgid(unsigned *r, unsigned *e, unsigned *s)
{ return SYSCALL3(__NR_getresgid, r, e, s); }
static inline long sys_setresuid(unsigned r, unsigned e, unsigned s)
{ return SYSCALL3(__NR_setresuid, r, e, s); }
static inline long sys_setresgid(unsigned r, unsigned e, unsigned s)
{ return SYSCALL3(__NR_setresgid, r, e, s); }
static inline long sys_prctl(int op, long a, long b, long c, long d)
{ return SYSCALL5(__NR_prctl, op, a, b, c, d); }
static inline long sys_seccomp(unsigned op, unsigned flags, const void *args)
{ return SYSCALL3(__NR_seccomp, op, flags, args); }
static inline long sys_getrandom(void *buf, size_t n, unsigned flags)
{ return SYSCALL3(__NR_getrandom, buf, n, flags); }
static inline long sys_execve(const char *p, char *const *argv,
			      char *const *envp)
{ return SYSCALL3(__NR_execve, p, argv, envp); }
static inline long sys_execveat(int dfd, const char *p, char *const *argv,
				char *const *envp, int flags)
{ return SYSCALL5(__NR_execveat, dfd, p, argv, envp, flags); }
static inline long sys_capget(void *hdr, void *data)
{ return SYSCALL2(__NR_capget, hdr, data); }
static inline long sys_capset(void *hdr, const void *data)
{ return SYSCALL2(__NR_capset, hdr, data); }
static inline long sys_setfsuid(unsigned id)
{ return SYSCALL1(__NR_setfsuid, id); }
static inline long sys_setfsgid(unsigned id)
{ return SYSCALL1(__NR_setfsgid, id); }
static inline long sys_setgroups(size_t n, const uint32_t *groups)
{ return SYSCALL2(__NR_setgroups, n, groups); }
static inline long sys_unshare(long flags)
{ return SYSCALL1(__NR_unshare, flags); }
static inline long sys_setns(int fd, int nstype)
{ return SYSCALL2(__NR_setns, fd, nstype); }
static inline long sys_chroot(const char *p)
{ return SYSCALL1(__NR_chroot, p); }
static inline long sys_mount(const char *src, const char *target,
			     const char *type, unsigned long flags)
{ return SYSCALL5(__NR_mount, src, target, type, flags, 0); }
static inline long sys_landlock_restrict_self(int fd, unsigned flags)
{ return SYSCALL2(__NR_landlock_restrict_self, fd, flags); }
static inline long sys_sched_setaffinity(int pid, size_t n, const void *mask)
{ return SYSCALL3(__NR_sched_setaffinity, pid, n, mask); }
static inline long sys_sched_setattr(int pid, const void *attr, unsigned f)
{ return SYSCALL3(__NR_sched_setattr, pid, attr, f); }
static inline long sys_setpriority(int which, int who, int prio)
{ return SYSCALL3(__NR_setpriority, which, who, prio); }
static inline long sys_ioprio_set(int which, int who, int prio)
{ return SYSCALL3(__NR_ioprio_set, which, who, prio); }
static inline long sys_personality(unsigned long p)
{ return SYSCALL1(__NR_personality, p); }
static inline long sys_readlinkat(int dfd, const char *p, char *buf, size_t n)
{ return SYSCALL4(__NR_readlinkat, dfd, p, buf, n); }
static inline long sys_getpid(void)
{ return SYSCALL0(__NR_getpid); }
static inline long sys_fstatfs(int fd, void *buf)
{ return SYSCALL2(__NR_fstatfs, fd, buf); }
static inline long sys_mincore(void *addr, size_t len, unsigned char *vec)
{ return SYSCALL3(__NR_mincore, addr, len, vec); }
static inline __attribute__((noreturn)) void sys_exit_group(int code)
{
	for (;;)
		SYSCALL1(__NR_exit_group, code);
}

#endif
