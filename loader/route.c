/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The route rule. A run maps its image in userspace only when the result
 * is what execve() from this empty process would give; otherwise the
 * kernel executes it (execveat(), fallback.c). Everything here is decided
 * from the process's state, before the image is opened: what the image
 * itself asks for (set-id bits, scripts, ...) is run.c's.
 *
 * The loader's own exec already applied to the credentials exactly what a
 * plain program's exec would apply (the transform is idempotent), so a
 * plain loader starts where the program would. What can break that:
 * credentials changed since (RESETIDS in a set-id caller, a key), a
 * secure exec (AT_SECURE), and a loader installed with a file capability,
 * whose exec differs; doc/security.md derives each case from
 * commit_creds() and cap_bprm_creds_from_file(). The rest of the rule is
 * about what an observer sees: a tracer expects an exec event, an LSM
 * would transition, /proc/PID/exe must name the program.
 */
#include <linux/capability.h>
#include <linux/securebits.h>
#include "loader.h"
#include "mem.h"
#include "route.h"
#include "sys.h"
#include "trampoline.h"

#define CR_WORD		1		/* CAP_CHECKPOINT_RESTORE is 40 */
#define CR_BIT		(1u << (40 - 32))
#define SYS_ADMIN_BIT	(1u << 21)	/* word 0 */
/* capget's v3 data: {effective, permitted, inheritable} per 32 caps. */
#define EFF(c, w)	((c)[3 * (w)])
#define PERM(c, w)	((c)[3 * (w) + 1])
#define INH(c, w)	((c)[3 * (w) + 2])

#define PR_GET_MDWE_		66
#define READ_IMPLIES_EXEC	0x0400000u	/* every x86_64 exec clears it */
#define ADDR_NO_RANDOMIZE_	0x0040000u
#define RLIM_INFINITY_		(~0ull)

#define PRIVILEGED \
	"pristine-loader: installed set-user-ID, set-group-ID or with file " \
	"capabilities other than cap_checkpoint_restore=p: it must not be\n"

static const struct { uint32_t version; int32_t pid; } cap_header = {
	_LINUX_CAPABILITY_VERSION_3, 0
};

static void creds_now(struct route_creds *c)
{
	/* Zeroed first: valgrind's capget() marks only the first 32 caps'
	 * words as written, and memcmp() then compares the rest. */
	memset(c, 0, sizeof(*c));
	sys_getresuid(&c->uid[0], &c->uid[1], &c->uid[2]);
	sys_getresgid(&c->gid[0], &c->gid[1], &c->gid[2]);
	/* An invalid id changes nothing and returns the current one. */
	c->fsuid = (uint32_t)sys_setfsuid(~0u);
	c->fsgid = (uint32_t)sys_setfsgid(~0u);
	if (sys_capget((void *)&cap_header, c->cap) < 0)
		memset(c->cap, 0xff, sizeof(c->cap));	/* never equal */
	c->securebits = (int32_t)sys_prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
}

/*
 * RUNNING_ON_VALGRIND without valgrind.h: a no-op sequence on a real CPU
 * (the rotations add up to 128 bits) that valgrind's translator answers.
 * Under `valgrind --trace-children=yes` the loader itself runs on
 * valgrind's CPU, and a program it mapped would too, unknown to valgrind.
 */
static int on_valgrind(void)
{
	volatile uint64_t req[6] = { 0x1001 };	/* RUNNING_ON_VALGRIND */
	uint64_t r = 0;

	__asm__ volatile("rolq $3, %%rdi; rolq $13, %%rdi\n\t"
			 "rolq $61, %%rdi; rolq $51, %%rdi\n\t"
			 "xchgq %%rbx, %%rbx"
			 : "=d"(r) : "a"(&req[0]), "0"(r) : "cc", "memory");
	return r != 0;
}

static uint64_t stack_now(void)
{
	uint64_t lim[2];

	return sys_prlimit(0, RLIMIT_STACK, 0, lim) < 0 ? RLIM_INFINITY_
							: lim[0];
}

/* What the mmap layout of the loader's exec was computed from. */
static void layout_now(struct loader *l)
{
	l->route.personality = (uint32_t)sys_personality(0xffffffffu);
	l->randomize = !(l->route.personality & ADDR_NO_RANDOMIZE_);
	l->route.stack = stack_now();
}

enum install { INSTALL_PLAIN, INSTALL_CAP, INSTALL_REFUSED };

/*
 * What the loader's own file gives it. The only privilege it may carry is
 * cap_checkpoint_restore=p: CAP_CHECKPOINT_RESTORE permitted, nothing
 * effective or inheritable, no set-id bit (doc/security.md). Anything else
 * would lend its privilege to whatever program anyone asks it to run.
 */
static enum install own_install(void)
{
	struct loader_stat st;
	uint32_t x[6];	/* vfs_cap_data: magic, {permitted, inheritable} x 2, rootid */
	long fd, n;
	enum install r = INSTALL_REFUSED;

	fd = sys_openat(AT_FDCWD, "/proc/self/exe", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return r;	/* cannot tell: refuse */
	if (sys_fstat((int)fd, &st) < 0 || (st.st_mode & S_ISUID) ||
	    ((st.st_mode & S_ISGID) && (st.st_mode & S_IXGRP)))
		goto out;
	n = sys_fgetxattr((int)fd, "security.capability", x, sizeof(x));
	if (n == -ENODATA)
		r = INSTALL_PLAIN;
	else if (((n == 20 && x[0] == VFS_CAP_REVISION_2) ||
		  (n == 24 && x[0] == VFS_CAP_REVISION_3)) &&
		 x[1] == 0 && x[2] == 0 && x[3] == CR_BIT && x[4] == 0)
		r = INSTALL_CAP;	/* no VFS_CAP_FLAGS_EFFECTIVE in x[0] */
out:
	sys_close((int)fd);
	return r;
}

int route_start(struct loader *l, const char *state)
{
	struct route_state *r = &l->route;
	struct route_creds *c = &r->start;
	enum install how = INSTALL_PLAIN;
	int i;

	for (i = 0; l->auxv[2 * i] != AT_NULL; i++)
		if (l->auxv[2 * i] == AT_SECURE)
			r->secure = l->auxv[2 * i + 1] != 0;
	if (records_caller_state(state, &r->caller) < 0)
		r->caller = (struct caller_state){ 0 };
	r->valgrind = on_valgrind();
	if (!r->caller.hint) {
		layout_now(l);
		creds_now(c);
		r->no_new_privs = sys_prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) > 0;
	}
	/*
	 * The kernel sets AT_SECURE for an exec that gained privilege; the
	 * capability in pP without pE is how cap_checkpoint_restore=p shows
	 * when it does not (root with SECBIT_NOROOT). Then the file decides.
	 * A caller that runs with mixed ids gets AT_SECURE too: its loader's
	 * file is plain, and it works.
	 */
	if (r->secure || (!r->caller.hint && (PERM(c->cap, CR_WORD) & CR_BIT) &&
			  !(EFF(c->cap, CR_WORD) & CR_BIT)))
		how = own_install();
	if (how == INSTALL_REFUSED) {
		sys_write(2, PRIVILEGED, sizeof(PRIVILEGED) - 1);
		return -EPERM;
	}
	if (how == INSTALL_CAP) {
		if (r->caller.hint) {	/* for the repairs before execveat() */
			layout_now(l);
			creds_now(c);
		}
		r->cap_install = (PERM(c->cap, CR_WORD) & CR_BIT) &&
				 !(EFF(c->cap, CR_WORD) & CR_BIT);
	}
	return 0;
}

/*
 * The caller's seccomp filter or MDWE, as the library said; or as the
 * kernel says, when no library said it or when the loader holds the
 * capability: then its argv may come from anyone (doc/security.md).
 */
static uint32_t caller_hardening(const struct route_state *r)
{
	if (r->caller.hint || (r->caller.known && !r->cap_install))
		return r->caller.hint;
	if (sys_prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2)
		return PW_WHY_SECCOMP;
	if (sys_prctl(PR_GET_MDWE_, 0, 0, 0, 0) > 0)
		return PW_WHY_MDWE;
	return PW_WHY_NONE;
}

/*
 * The ambient capabilities a plain exec would have kept: a file capability
 * on the loader cleared them at its exec, and nothing can raise them
 * again. Returns 0 if the loader has them.
 */
static int ambient_lost(const struct route_state *r)
{
	int cap;

	for (cap = 0; cap < 64; cap++)
		if ((r->caller.ambient >> cap & 1) &&
		    sys_prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0,
			      0) != 1)
			return 1;
	return 0;
}

/* Can this process set /proc/PID/exe (prctl_set_mm_exe_file())? */
static int exe_settable(const struct route_state *r)
{
	const uint32_t *cap = r->start.cap;

	if (r->cap_install)
		return (PERM(cap, CR_WORD) & CR_BIT) != 0;
	return (EFF(cap, CR_WORD) & CR_BIT) || (EFF(cap, 0) & SYS_ADMIN_BIT);
}

/*
 * An LSM that acts at exec (a domain or profile transition, an exec
 * policy) would see only the loader's exec. lsm_list_modules() (6.8) names
 * the active ones; before it, /proc/self/attr/current is readable only
 * when an LSM serves it. BPF, Landlock, Yama, IMA and the rest are not
 * counted: see doc/security.md.
 */
static int exec_lsm(void)
{
	uint64_t ids[24];
	uint32_t size = sizeof(ids);
	long n = SYSCALL3(461 /* lsm_list_modules */, ids, &size, 0), i;
	char c;

	if (n == -ENOSYS) {
		long fd = sys_openat(AT_FDCWD, "/proc/self/attr/current",
				     O_RDONLY | O_CLOEXEC, 0);

		if (fd < 0)
			return 0;
		n = sys_read((int)fd, &c, 1);
		sys_close((int)fd);
		return n > 0;
	}
	if (n < 0)
		return 1;	/* cannot tell */
	for (i = 0; i < n && i < 24; i++)
		switch (ids[i]) {
		case 101:	/* LSM_ID_SELINUX */
		case 102:	/* LSM_ID_SMACK */
		case 103:	/* LSM_ID_TOMOYO */
		case 104:	/* LSM_ID_APPARMOR */
		case 113:	/* LSM_ID_IPE */
			return 1;
		}
	return 0;
}

/*
 * TracerPid, from /proc/self/status: no system call says it without side
 * effects. It is on the file's eighth line; the kernel renders the whole
 * file whatever the read asks (about 30 us in a new process: its first
 * access to /proc). Without /proc to tell, the answer is yes.
 */
static int traced(void)
{
	static const char key[] = "\nTracerPid:\t";
	char buf[512];
	long fd = sys_openat(AT_FDCWD, "/proc/self/status", O_RDONLY | O_CLOEXEC,
			     0), n, i;

	if (fd < 0)
		return 1;	/* cannot tell */
	n = sys_read((int)fd, buf, sizeof(buf) - 1);
	sys_close((int)fd);
	if (n <= 0)
		return 1;
	for (i = 0; i + (long)sizeof(key) - 1 < n; i++)
		if (!memcmp(buf + i, key, sizeof(key) - 1))
			return buf[i + sizeof(key) - 1] != '0';
	return 1;
}

void route_before_new_view(struct loader *l)
{
	if (!l->route.tracer_read) {
		l->route.traced = traced();
		l->route.tracer_read = 1;
	}
}

int route_choose(struct loader *l, uint32_t mode)
{
	struct route_state *r = &l->route;
	int faithful = mode == PW_RUN_DEFAULT;
	struct route_creds now;
	uint32_t why;

	l->run_mode = mode;
	/* Lost at the loader's exec, on every route: fail, never run with
	 * less than execve() would give. */
	if (r->caller.ambient && ambient_lost(r)) {
		l->fail_reason = PW_WHY_CREDS;
		return -EPERM;
	}
	if (mode == PW_RUN_KERNEL)
		return PW_WHY_ASKED;
	/* What the loader route cannot do, or not safely, in any mode. */
	if ((why = caller_hardening(r)) != PW_WHY_NONE)
		return (int)why;
	if (l->need_kernel)
		return (int)l->need_kernel;
	/* Faithful by construction, and no check of the rest is needed. */
	if (mode == PW_RUN_FRESH)
		return PW_WHY_FRESH;
	creds_now(&now);
	if (memcmp(&now, &r->start, sizeof(now)))
		return PW_WHY_CREDS;
	if (r->cap_install) {
		const uint32_t *id = now.uid, *gid = now.gid;

		if (!r->caller.known)
			return PW_WHY_CREDS;
		/* AT_SECURE, and a set-user-ID-root caller got only the
		 * file's capability: the kernel gives the real ones. */
		if (id[0] != id[1] || gid[0] != gid[1])
			return PW_WHY_SECURE;
	}
	if (!faithful)
		return PW_WHY_NONE;
	/* The rest: what differs only for the program or an observer. */
	if (r->secure && !r->cap_install)
		return PW_WHY_SECURE;
	if (r->caller.known &&
	    r->personality != (r->caller.personality & ~READ_IMPLIES_EXEC))
		return PW_WHY_PERSONALITY;
	/* The mmap layout follows RLIMIT_STACK at exec time. */
	if (stack_now() != r->stack ||
	    (r->cap_install && r->caller.stack != r->stack))
		return PW_WHY_STACK;
	if (l->seccomp)
		return PW_WHY_SECCOMP;	/* the trampoline page would stay */
	if (r->no_new_privs)
		return PW_WHY_NO_NEW_PRIVS;
	if (!exe_settable(r))
		return PW_WHY_EXE;
	if (r->valgrind)
		return PW_WHY_VALGRIND;
	if (exec_lsm())
		return PW_WHY_LSM;
	if (r->tracer_read ? r->traced : traced())
		return PW_WHY_TRACED;
	return PW_WHY_NONE;
}

/* Drops CAP_CHECKPOINT_RESTORE from every set (pI is the caller's) and
 * checks that it is gone: 0, or -EPERM. */
static int drop_capability(struct loader *l)
{
	uint32_t c[6];

	memcpy(c, l->route.start.cap, sizeof(c));
	EFF(c, 0) = EFF(c, 1) = PERM(c, 0) = PERM(c, 1) = 0;
	sys_capset((void *)&cap_header, c);
	memset(c, 0xff, sizeof(c));
	if (sys_capget((void *)&cap_header, c) < 0 || EFF(c, 0) || EFF(c, 1) ||
	    PERM(c, 0) || PERM(c, 1))
		return -EPERM;
	l->route.cap_install = 0;
	return 0;
}

/* What the loader's exec changed (a secure exec's clamp, the personality
 * bits a privileged exec clears) back to the caller's. */
static void restore_caller(struct route_state *r, uint32_t personality_mask)
{
	uint64_t lim[2];

	if (!r->caller.known)
		return;
	/* Unless a key set it since (then it is the program's). */
	if (r->personality != (r->caller.personality & personality_mask) &&
	    (uint32_t)sys_personality(0xffffffffu) == r->personality)
		sys_personality(r->caller.personality & personality_mask);
	/* Unless a key set it since. */
	if (r->stack != r->caller.stack &&
	    sys_prlimit(0, RLIMIT_STACK, 0, lim) == 0 && lim[0] == r->stack) {
		lim[0] = r->caller.stack;
		sys_prlimit(0, RLIMIT_STACK, lim, 0);
	}
}

int route_before_kernel(struct loader *l)
{
	if (l->route.cap_install && drop_capability(l) < 0)
		return -EPERM;	/* never exec anything with it */
	/* The kernel clears what its exec clears. */
	restore_caller(&l->route, ~0u);
	return 0;
}

int route_exe_fd(const struct loader *l, int fd)
{
	return exe_settable(&l->route) ? fd : -1;
}

int route_before_jump(struct loader *l, struct trampoline_args *ta)
{
	struct route_state *r = &l->route;
	uint32_t *raise = ta->cap_raise, *drop = ta->cap_drop;

	if (l->run_mode == PW_RUN_DEFAULT)
		ta->flags |= TRAMPOLINE_STRICT_EXE;
	if (!r->cap_install)
		return -1;
	/* A secure exec of the loader cleared or clamped these; a plain exec
	 * of the program would not. */
	restore_caller(r, ~READ_IMPLIES_EXEC);
	ta->flags |= TRAMPOLINE_CAPS;
	ta->cap_header[0] = cap_header.version;
	ta->cap_header[1] = 0;
	memcpy(raise, r->start.cap, sizeof(ta->cap_raise));
	EFF(raise, CR_WORD) |= CR_BIT;
	memcpy(drop, r->start.cap, sizeof(ta->cap_drop));
	EFF(drop, 0) = EFF(drop, 1) = PERM(drop, 0) = PERM(drop, 1) = 0;
	/* The program's exec would not be secure: route_choose() sent the
	 * other cases to the kernel. */
	return 0;
}
