/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * Seeds: executables as the toolchain and mini-elf.c make them, the stack
 * of this very process's auxv, requests written by the library's own
 * request.c and record.c, and the loader's answers as it sends them.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "build-id.h"
#include "fuzz.h"
#include "mini-elf.h"
#include "record.h"
#include "seeds.h"
#include "wire.h"

/* The elf harness's input: the file size, then the file's first bytes. */
static void emit_elf(seed_emit *emit, void *ctx, const char *name,
		     const void *data, size_t len, uint64_t size)
{
	unsigned char *buf = malloc(8 + len);

	memcpy(buf, &size, 8);
	memcpy(buf + 8, data, len);
	emit(ctx, name, buf, 8 + len);
	free(buf);
}

/* A real file's first 4 KiB: its headers, usually. */
static void emit_file(seed_emit *emit, void *ctx, const char *name,
		      const char *path)
{
	unsigned char buf[4096];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		emit_elf(emit, ctx, name, buf, (size_t)n, (uint64_t)st.st_size);
	close(fd);
}

static void elf_seeds(seed_emit *emit, void *ctx)
{
	static const char script[] = "#!/bin/sh\necho hello\n";
	struct mini_elf m;

	mini_elf_build(&m, ET_EXEC);
	emit_elf(emit, ctx, "mini-exec", m.bytes, m.size, m.size);
	m.bytes[EI_CLASS] = ELFCLASS32;
	emit_elf(emit, ctx, "mini-elf32", m.bytes, m.size, m.size);
	mini_elf_free(&m);
	/* Shapes the loader leaves to the kernel, and one over the pages an
	 * empty process has at the top of the address space (its stack, its
	 * own image, the vDSO), which only the mapping finds taken. */
	mini_elf_build(&m, ET_EXEC);
	m.ph[MINI_FREE] = m.ph[MINI_DATA];
	m.ph[MINI_DATA] = m.ph[MINI_TEXT];
	emit_elf(emit, ctx, "same-address", m.bytes, m.size, m.size);
	m.ph[MINI_TEXT].p_filesz = 0;
	emit_elf(emit, ctx, "first-bss", m.bytes, m.size, m.size);
	mini_elf_free(&m);
	mini_elf_build(&m, ET_EXEC);
	m.ph[MINI_FREE] = m.ph[MINI_DATA];
	m.ph[MINI_FREE].p_vaddr = 0x7ffff7fc0000ull;
	m.ph[MINI_FREE].p_memsz = 0x3f000;
	m.ph[MINI_DATA].p_vaddr = MINI_BASE + 0x800;	/* shares a page */
	m.ph[MINI_DATA].p_offset = 0x800;
	emit_elf(emit, ctx, "overlay", m.bytes, m.size, m.size);
	mini_elf_free(&m);
	mini_elf_build(&m, ET_DYN);
	emit_elf(emit, ctx, "mini-dyn", m.bytes, m.size, m.size);
	mini_elf_set_interp(&m, "/lib64/ld-linux-x86-64.so.2");
	emit_elf(emit, ctx, "mini-dyn-interp", m.bytes, m.size, m.size);
	mini_elf_free(&m);
	emit_elf(emit, ctx, "script", script, sizeof(script) - 1,
		 sizeof(script) - 1);
	emit_file(emit, ctx, "bin-true", "/bin/true");
	emit_file(emit, ctx, "ld-so", "/lib64/ld-linux-x86-64.so.2");
}

static void stack_seeds(seed_emit *emit, void *ctx)
{
	static const char strings[] = "/usr/bin/prog\0prog\0-x\0\0last\0"
				      "HOME=/root\0PATH=/bin\0E=";
	struct fuzz_stack_head h = { .gap = 1234, .nset = 2, .nargv = 4 };
	uint64_t auxv[2 * 64], set[4] = { AT_PHDR, 0x400040, AT_ENTRY,
					  0x401000 };
	unsigned char buf[4096], *p = buf;
	ssize_t n;
	int fd = open("/proc/self/auxv", O_RDONLY | O_CLOEXEC);

	n = fd < 0 ? -1 : read(fd, auxv, sizeof(auxv));
	if (fd >= 0)
		close(fd);
	if (n < 16)
		return;
	h.npairs = (uint8_t)(n / 16);
	memcpy(p, &h, sizeof(h));
	p += sizeof(h);
	memcpy(p, auxv, 16 * h.npairs);
	p += 16 * h.npairs;
	memcpy(p, set, sizeof(set));
	p += sizeof(set);
	memset(p, 0xa5, 16);
	p += 16;
	memcpy(p, strings, sizeof(strings));
	p += sizeof(strings);
	emit(ctx, "process-auxv", buf, (size_t)(p - buf));
}

/* The hello and the records of r, as sender_push() sends them. */
static void emit_request(seed_emit *emit, void *ctx, const char *name,
			 struct request *r)
{
	unsigned char *buf = malloc(32 + r->len);

	request_hello(r, buf);
	memcpy(buf + 32, r->buf, r->len);
	emit(ctx, name, buf, 32 + r->len);
	free(buf);
	request_free(r);
}

static void add_int(struct request *r, uint32_t type, int v)
{
	struct pw_int iv = { .value = v };

	request_add(r, type, NULL, &iv, sizeof(iv), NULL, 0);
}

static void add_end(struct request *r, uint32_t type)
{
	static char *const argv[] = { "prog", "-x", "", "last", NULL };
	static char *const envp[] = { "HOME=/root", "PATH=/bin", NULL };
	struct pw_run run = { .mode = PW_RUN_LOADER };

	record_strings(r, PW_REQ_ARGV, NULL, argv);
	record_strings(r, PW_REQ_ENVP, NULL, envp);
	request_add(r, type, NULL, &run, sizeof(run), NULL, 0);
}

static void request_seeds(seed_emit *emit, void *ctx)
{
	static const char path[] = "/bin/true", search[] = "/usr/bin:/bin";
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, 0x7fff0000u);
	struct pw_sigset ss = { .set = 1ull << (SIGPIPE - 1) };
	struct pw_rlimit rl = { .resource = RLIMIT_NOFILE, .cur = 64,
				.max = 64 };
	struct pw_sched sc = { .flags = PW_SCHED_PARAM };
	struct pw_image im = { .fd_name = -1 };
	struct pw_open o = { .target = 5, .oflag = O_RDONLY };
	struct pw_dup2 d = { .from = 5, .to = 6 };
	struct pw_fd f = { .target = 4, .flags = PW_FD_CLOEXEC };
	struct request r;

	/* posix_spawnp(), with every file action and attribute */
	request_init(&r);
	request_add(&r, PW_REQ_SIGDEFAULT, NULL, &ss, sizeof(ss), NULL, 0);
	request_add(&r, PW_REQ_SIGIGNORE, NULL, &ss, sizeof(ss), NULL, 0);
	request_add(&r, PW_REQ_SCHED, NULL, &sc, sizeof(sc), NULL, 0);
	request_add(&r, PW_REQ_SETSID, NULL, NULL, 0, NULL, 0);
	add_int(&r, PW_REQ_SETPGID, 0);
	request_add(&r, PW_REQ_RESETIDS, NULL, NULL, 0, NULL, 0);
	request_add_fd(&r, PW_REQ_FD, NULL, open("/dev/null", O_RDONLY),
		       &f, sizeof(f), NULL, 0);
	request_add(&r, PW_REQ_OPEN, NULL, &o, sizeof(o), path, sizeof(path));
	add_int(&r, PW_REQ_CLOSE, 7);
	request_add(&r, PW_REQ_DUP2, NULL, &d, sizeof(d), NULL, 0);
	request_add(&r, PW_REQ_CHDIR, NULL, "/tmp", 5, NULL, 0);
	add_int(&r, PW_REQ_FCHDIR, 5);
	add_int(&r, PW_REQ_TCSETPGRP, 0);
	add_int(&r, PW_REQ_CLOSEFROM, 10);
	request_add(&r, PW_REQ_SIGMASK, NULL, &ss, sizeof(ss), NULL, 0);
	im.flags = PW_IMAGE_SEARCH;
	im.path_len = 5;
	im.search_len = sizeof(search);
	request_add(&r, PW_REQ_IMAGE, NULL, &im, sizeof(im), NULL,
		    5 + sizeof(search));
	request_fill_tail(&r, sizeof(im), "true", 5, search, sizeof(search));
	add_end(&r, PW_REQ_RUN);
	emit_request(emit, ctx, "spawnp", &r);

	/* pristine_open() and every key */
	request_init(&r);
	request_add_fd(&r, PW_REQ_FCHDIR_FD, NULL, open("/", O_PATH),
		       NULL, 0, NULL, 0);
	add_int(&r, PW_REQ_UMASK, 022);
	request_add(&r, PW_REQ_NO_NEW_PRIVS, NULL, NULL, 0, NULL, 0);
	request_add(&r, PW_REQ_RLIMIT, NULL, &rl, sizeof(rl), NULL, 0);
	request_add(&r, PW_REQ_SECCOMP, NULL, &allow, sizeof(allow), NULL, 0);
	request_add(&r, PW_REQ_NAME, NULL, "name", 5, NULL, 0);
	add_int(&r, PW_REQ_PDEATHSIG, SIGTERM);
	request_add_fd(&r, PW_REQ_CTTY, NULL, open("/dev/null", O_RDONLY),
		       NULL, 0, NULL, 0);
	record_image_fd(&r, open(path, O_RDONLY), 3, path, path);
	add_end(&r, PW_REQ_RUN);
	emit_request(emit, ctx, "open", &r);

	/* The keys of credentials, namespaces, Landlock, scheduling */
	request_init(&r);
	{
		uint32_t groups[2] = { 5, 6 };
		struct pw_creds c = { .flags = PW_CREDS_UIDS | PW_CREDS_GROUPS |
					       PW_CREDS_BOUNDING,
				      .ruid = 1000, .euid = 1000,
				      .rgid = ~0u, .egid = ~0u, .ngroups = 2,
				      .bounding = 1 };
		struct pw_attr a = { .what = PW_ATTR_NICE, .value = 5 };
		struct pw_mount m = { .kind = PW_MOUNT_PROPAGATION,
				      .flags = 0x44000 };
		uint64_t cpus[2] = { 1, 0 };
		uint32_t attr[12] = { 48, 3 };
		struct pw_int t = { .value = 0 };

		request_add(&r, PW_REQ_CREDS, NULL, &c, sizeof(c), groups,
			    sizeof(groups));
		request_add(&r, PW_REQ_ATTR, NULL, &a, sizeof(a), NULL, 0);
		request_add_fd(&r, PW_REQ_SETNS, NULL,
			       open("/proc/self/ns/uts", O_RDONLY), &t,
			       sizeof(t), NULL, 0);
		t.value = PW_PROC_UID_MAP;
		request_add(&r, PW_REQ_PROC_WRITE, NULL, &t, sizeof(t),
			    "0 1000 1", 9);
		request_add(&r, PW_REQ_MOUNT, NULL, &m, sizeof(m), "/", 2);
		request_add(&r, PW_REQ_CHROOT, NULL, "/", 2, NULL, 0);
		request_add_fd(&r, PW_REQ_CHROOT_FD, NULL, open("/", O_PATH),
			       NULL, 0, NULL, 0);
		request_add_fd(&r, PW_REQ_LANDLOCK, NULL,
			       open("/dev/null", O_RDONLY), NULL, 0, NULL, 0);
		request_add(&r, PW_REQ_AFFINITY, NULL, cpus, sizeof(cpus),
			    NULL, 0);
		request_add(&r, PW_REQ_SCHED_ATTR, NULL, attr, sizeof(attr),
			    NULL, 0);
	}
	record_image_fd(&r, open(path, O_RDONLY), 3, path, path);
	add_end(&r, PW_REQ_RUN);
	emit_request(emit, ctx, "keys", &r);

	/* A template's first request */
	request_init(&r);
	record_image_fd(&r, open(path, O_RDONLY), 3, NULL, NULL);
	add_end(&r, PW_REQ_PREPARE);
	emit_request(emit, ctx, "prepare", &r);
}

/* One answer: the chunking seed, the greeted flag, then the records. */
static void emit_reply(seed_emit *emit, void *ctx, const char *name,
		       int greeted, const uint32_t *words, size_t n)
{
	unsigned char buf[256] = { 0x5a, (unsigned char)greeted };

	memcpy(buf + 2, words, 4 * n);
	emit(ctx, name, buf, 2 + 4 * n);
}

static void reply_seeds(seed_emit *emit, void *ctx)
{
#define HELLO(id) PW_REP_HELLO, 24, PW_MAGIC, PW_VERSION, (id), 0, 0, 0
#define STATUS(t, err, step, why) (t), 16, (uint32_t)(err), (step), 1, (why)
	const uint32_t ok[] = { HELLO(PRISTINE_BUILD_ID),
				STATUS(PW_REP_STATUS, 0, 3, 0) };
	const uint32_t kernel[] = { HELLO(PRISTINE_BUILD_ID),
				    STATUS(PW_REP_KERNEL, 0, 3, 2) };
	const uint32_t failed[] = { HELLO(PRISTINE_BUILD_ID),
				    STATUS(PW_REP_STATUS, 2, 1, 0) };
	const uint32_t kernel_failed[] = {
		HELLO(PRISTINE_BUILD_ID), STATUS(PW_REP_KERNEL, 0, 3, 3),
		STATUS(PW_REP_STATUS, 13, 3, 3) };
	const uint32_t other_build[] = { HELLO(PRISTINE_BUILD_ID ^ 1),
					 STATUS(PW_REP_STATUS, 0, 3, 0) };
	const uint32_t second[] = { STATUS(PW_REP_STATUS, 0, 2, 0) };
#undef HELLO
#undef STATUS
#define EMIT(name, g) emit_reply(emit, ctx, #name, g, name, \
				 sizeof(name) / sizeof(name[0]))
	EMIT(ok, 0);
	EMIT(kernel, 0);
	EMIT(failed, 0);
	EMIT(kernel_failed, 0);
	EMIT(other_build, 0);
	EMIT(second, 1);
#undef EMIT
}

int seeds_make(const char *harness, seed_emit *emit, void *ctx)
{
	if (!strcmp(harness, "elf"))
		elf_seeds(emit, ctx);
	else if (!strcmp(harness, "stack"))
		stack_seeds(emit, ctx);
	else if (!strcmp(harness, "request"))
		request_seeds(emit, ctx);
	else if (!strcmp(harness, "reply"))
		reply_seeds(emit, ctx);
	else
		return -1;
	return 0;
}
