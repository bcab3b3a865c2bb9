/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * A corpus of malformed and unusual executables, each run twice: by the
 * kernel (glibc's posix_spawn(), a real execve()) and by pristine_spawn().
 * Pristine must give what the kernel gives, every time: the same errno,
 * or a child with the same exit status or fatal signal. The table says
 * what the kernel does, and which route pristine takes when it runs the
 * image: the loader maps only images it maps exactly as the kernel would;
 * the kernel route runs the rest, including those the kernel maps and
 * then kills with SIGSEGV after its point of no return. After every case
 * the caller has no child left and the same descriptors as before.
 *
 * The images are made by the test itself: the tiny executable of
 * mini-elf.h with one field broken or its segments laid out another way,
 * plus scripts, directories and files with the wrong mode.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "mini-elf.h"
#include "pristine.h"
#include "testlib.h"

static char corpus_dir[256];

/* A case writes its image at path (helpers go next to it, in dir). */
struct where {
	char dir[300];
	char path[320];
};

enum kind { ERR, EXIT, SIG };

struct outcome {
	enum kind kind;
	int value;	/* errno, exit status or signal */
	int route;	/* pristine's route when it ran the image */
};

#define E(e)		{ ERR, e, -1 }
#define X(n)		{ EXIT, n, -1 }
#define S(s)		{ SIG, s, -1 }

/* Pristine's route: none (an errno), the one it must take, or any (the
 * loader's as root, who may read an execute-only file). */
#define NONE		-1
#define ANY		-2
#define R(r)		PRISTINE_ROUTE_##r

struct corpus_case {
	const char *name;
	void (*make)(const struct where *w);
	struct outcome kernel;
	int route;
};

static void write_mini(const char *path, const struct mini_elf *m,
		       mode_t mode)
{
	write_file(path, m->bytes, m->size, mode);
}

/* The intact mini image of type at path. */
static void write_intact(const char *path, int type, mode_t mode)
{
	struct mini_elf m;

	mini_elf_build(&m, type);
	write_mini(path, &m, mode);
	mini_elf_free(&m);
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	write_file(path, text, strlen(text), mode);
}

/* A helper file next to the image: dir/name. */
static const char *aside(const struct where *w, const char *name)
{
	static char p[400];

	snprintf(p, sizeof(p), "%s/%s", w->dir, name);
	return p;
}

/*
 * Most cases are the mini executable with one change: MINI(name) { body }
 * defines name(), which writes the ET_EXEC image at w->path (mode 0755)
 * after body changed it through m (w is in scope too).
 */
#define MINI(fn)							\
	static void fn##_change(struct mini_elf *m, const struct where *w); \
	static void fn(const struct where *w)				\
	{								\
		struct mini_elf m;					\
									\
		mini_elf_build(&m, ET_EXEC);				\
		fn##_change(&m, w);					\
		write_mini(w->path, &m, 0755);				\
		mini_elf_free(&m);					\
	}								\
	static void fn##_change(struct mini_elf *m, const struct where *w)

/* The intact executable, with the mini image as ET_DYN for interpreter
 * (control_interp shows that pair runs), changed by body through m. */
#define INTERP(fn)							\
	static void fn##_change(struct mini_elf *m);			\
	static void fn(const struct where *w)				\
	{								\
		struct mini_elf m, i;					\
		const char *ip = aside(w, "interp");			\
									\
		mini_elf_build(&i, ET_DYN);				\
		fn##_change(&i);					\
		write_mini(ip, &i, 0755);				\
		mini_elf_build(&m, ET_EXEC);				\
		mini_elf_set_interp(&m, ip);				\
		write_mini(w->path, &m, 0755);				\
		mini_elf_free(&i);					\
		mini_elf_free(&m);					\
	}								\
	static void fn##_change(struct mini_elf *m)

MINI(control_exec) { }

static void control_dyn(const struct where *w)
{
	write_intact(w->path, ET_DYN, 0755);
}

/* A working interpreter: the mini image as ET_DYN. */
static void control_interp(const struct where *w)
{
	struct mini_elf m;

	write_intact(aside(w, "interp"), ET_DYN, 0755);
	mini_elf_build(&m, ET_EXEC);
	mini_elf_set_interp(&m, aside(w, "interp"));
	write_mini(w->path, &m, 0755);
	mini_elf_free(&m);
}

static void empty_file(const struct where *w)
{
	write_file(w->path, "", 0, 0755);
}

MINI(bad_magic) { m->bytes[EI_MAG3] = 'G'; }
MINI(trunc_magic) { mini_elf_resize(m, 4); }
MINI(trunc_ehdr) { mini_elf_resize(m, sizeof(Elf64_Ehdr) - 1); }
MINI(trunc_no_phdrs) { mini_elf_resize(m, sizeof(Elf64_Ehdr)); }
MINI(trunc_mid_phdrs)
{
	mini_elf_resize(m, sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + 20);
}
MINI(trunc_before_code) { mini_elf_resize(m, MINI_CODE_OFF); }
/* Cut inside .data's file bytes: the rest of that page reads as zeros. */
MINI(trunc_mid_data) { mini_elf_resize(m, MINI_DATA_OFF + 8); }
MINI(phentsize_wrong) { m->eh->e_phentsize = 32; }
MINI(phnum_zero) { m->eh->e_phnum = 0; }
MINI(phnum_huge) { m->eh->e_phnum = 0xffff; }
MINI(phoff_beyond_eof) { m->eh->e_phoff = 0x100000; }
MINI(phoff_wraps) { m->eh->e_phoff = ~0ull - 8; }
MINI(load_filesz_gt_memsz)
{
	m->ph[MINI_TEXT].p_filesz = m->ph[MINI_TEXT].p_memsz + 0x100;
}
MINI(load_offset_beyond_eof) { m->ph[MINI_DATA].p_offset = 0x10000; }
MINI(load_misaligned) { m->ph[MINI_DATA].p_offset += 0x10; }
MINI(load_unsorted)
{
	Elf64_Phdr t = m->ph[MINI_TEXT];

	m->ph[MINI_TEXT] = m->ph[MINI_DATA];
	m->ph[MINI_DATA] = t;
}
MINI(load_overlap) { m->ph[MINI_DATA].p_vaddr = MINI_BASE; }
/* Text twice at the same address (the second mapping replaces the first
 * with the same bytes), then data: the kernel runs it. */
MINI(load_same_addr)
{
	m->ph[MINI_FREE] = m->ph[MINI_DATA];
	m->ph[MINI_DATA] = m->ph[MINI_TEXT];
}
/* A first PT_LOAD without file bytes: the kernel maps it with brk and
 * runs the image. */
MINI(load_first_bss)
{
	m->ph[MINI_FREE] = m->ph[MINI_DATA];
	m->ph[MINI_DATA] = m->ph[MINI_TEXT];
	m->ph[MINI_TEXT] = (Elf64_Phdr){ .p_type = PT_LOAD,
					 .p_flags = PF_R | PF_W,
					 .p_vaddr = MINI_BASE - 0x2000,
					 .p_memsz = 0x2000,
					 .p_align = 0x1000 };
}
MINI(load_memsz_huge) { m->ph[MINI_DATA].p_memsz = 1ull << 47; }
MINI(load_vaddr_high)
{
	m->ph[MINI_DATA].p_vaddr = 0x800000001000ull;
}
MINI(no_load)
{
	m->ph[MINI_TEXT].p_type = PT_NULL;
	m->ph[MINI_DATA].p_type = PT_NULL;
}
MINI(entry_outside) { m->eh->e_entry = 0x500000; }
MINI(entry_zero) { m->eh->e_entry = 0; }
MINI(exec_stack_bad_load)
{
	m->ph[MINI_STACK].p_flags |= PF_X;
	m->ph[MINI_TEXT].p_filesz = m->ph[MINI_TEXT].p_memsz + 0x100;
}

MINI(interp_too_long)
{
	mini_elf_set_interp(m, "/lib64/ld-linux-x86-64.so.2");
	m->ph[MINI_FREE].p_filesz = 5000;
}
MINI(interp_empty)
{
	mini_elf_set_interp(m, "/");
	m->ph[MINI_FREE].p_filesz = 0;
}
MINI(interp_too_short)
{
	mini_elf_set_interp(m, "/");
	m->ph[MINI_FREE].p_filesz = 1;
}
MINI(interp_not_nul)
{
	mini_elf_set_interp(m, "/lib64/ld-linux-x86-64.so.2");
	m->ph[MINI_FREE].p_filesz--;
}
MINI(interp_beyond_eof)
{
	mini_elf_set_interp(m, "/lib64/ld-linux-x86-64.so.2");
	m->ph[MINI_FREE].p_offset = 0x10000;
}
MINI(interp_missing) { mini_elf_set_interp(m, "/nonexistent/ld.so"); }
MINI(interp_directory) { mini_elf_set_interp(m, w->dir); }
MINI(interp_text_file)
{
	char text[201];

	memset(text, 'x', 200);
	text[200] = 0;
	write_text(aside(w, "interp"), text, 0755);
	mini_elf_set_interp(m, aside(w, "interp"));
}
MINI(interp_short_file)
{
	write_text(aside(w, "interp"), "abc", 0755);
	mini_elf_set_interp(m, aside(w, "interp"));
}
MINI(interp_script)
{
	write_text(aside(w, "interp"),
		   "#!/bin/sh\n# a script is no ELF interpreter, however long"
		   " its first line may be\nexit 0\n", 0755);
	mini_elf_set_interp(m, aside(w, "interp"));
}
MINI(interp_not_executable)
{
	write_intact(aside(w, "interp"), ET_DYN, 0644);
	mini_elf_set_interp(m, aside(w, "interp"));
}
/* The kernel checks PT_INTERP before any PT_LOAD: its errno wins. */
MINI(interp_missing_bad_load)
{
	m->ph[MINI_TEXT].p_filesz = m->ph[MINI_TEXT].p_memsz + 0x100;
	mini_elf_set_interp(m, "/nonexistent/ld.so");
}

INTERP(interp_bad_phentsize) { m->eh->e_phentsize = 32; }
INTERP(interp_phdrs_beyond_eof) { m->eh->e_phoff = 0x100000; }
INTERP(interp_wrong_machine) { m->eh->e_machine = EM_AARCH64; }
INTERP(interp_type_rel) { m->eh->e_type = ET_REL; }
INTERP(interp_bad_load)
{
	m->ph[MINI_TEXT].p_filesz = m->ph[MINI_TEXT].p_memsz + 0x100;
}

/* A fixed-address (ET_EXEC) interpreter, moved by delta: the mini code
 * is position independent. */
static void fixed_interp(const struct where *w, uint64_t delta)
{
	struct mini_elf m, i;
	const char *ip = aside(w, "interp");

	mini_elf_build(&i, ET_EXEC);
	i.eh->e_entry += delta;
	i.ph[MINI_TEXT].p_vaddr += delta;
	i.ph[MINI_DATA].p_vaddr += delta;
	write_mini(ip, &i, 0755);
	mini_elf_build(&m, ET_EXEC);
	mini_elf_set_interp(&m, ip);
	write_mini(w->path, &m, 0755);
	mini_elf_free(&i);
	mini_elf_free(&m);
}
/* Elsewhere: the loader maps it. */
static void interp_fixed(const struct where *w)
{
	fixed_interp(w, 0x10000000);
}
/* At the program's own address: the kernel maps it over the program. */
static void interp_fixed_on_program(const struct where *w)
{
	fixed_interp(w, 0);
}

MINI(class32) { m->bytes[EI_CLASS] = ELFCLASS32; }
MINI(data_msb) { m->bytes[EI_DATA] = ELFDATA2MSB; }
MINI(machine_aarch64) { m->eh->e_machine = EM_AARCH64; }
MINI(machine_i386) { m->eh->e_machine = EM_386; }
MINI(type_rel) { m->eh->e_type = ET_REL; }
MINI(type_core) { m->eh->e_type = ET_CORE; }

static void directory(const struct where *w)
{
	ck_assert_int_eq(mkdir(w->path, 0755), 0);
}

static void not_executable(const struct where *w)
{
	write_intact(w->path, ET_EXEC, 0644);
}

static void execute_only(const struct where *w)
{
	write_intact(w->path, ET_EXEC, 0111);
}

static void script_missing_interp(const struct where *w)
{
	write_text(w->path, "#!/nonexistent/sh\nexit 0\n", 0755);
}

static void script_interp_too_long(const struct where *w)
{
	char text[400] = "#!/";

	memset(text + 3, 'a', 300);
	write_text(w->path, text, 0755);
}

static void script_interp_directory(const struct where *w)
{
	char text[400];

	snprintf(text, sizeof(text), "#!%s\n", w->dir);
	write_text(w->path, text, 0755);
}

static void script_loop(const struct where *w)
{
	char text[400];

	snprintf(text, sizeof(text), "#!%s\n", w->path);
	write_text(w->path, text, 0755);
}

/* The table: case, what the kernel does, the route pristine takes. */
#define C(fn, kernel, route) { #fn, fn, kernel, route }

static const struct corpus_case cases[] = {
	/* Controls: the intact image runs both ways. */
	C(control_exec, X(42), R(LOADER)),
	C(control_dyn, X(42), R(LOADER)),
	C(control_interp, X(42), R(LOADER)),
	/* The file header and the program header table. */
	C(empty_file, E(ENOEXEC), NONE),
	C(bad_magic, E(ENOEXEC), NONE),
	C(trunc_magic, E(ENOEXEC), NONE),
	C(trunc_ehdr, E(ENOEXEC), NONE),
	C(trunc_no_phdrs, E(ENOEXEC), NONE),
	C(trunc_mid_phdrs, E(ENOEXEC), NONE),
	C(phentsize_wrong, E(ENOEXEC), NONE),
	C(phnum_zero, E(ENOEXEC), NONE),
	C(phnum_huge, E(ENOEXEC), NONE),
	C(phoff_beyond_eof, E(ENOEXEC), NONE),
	C(phoff_wraps, E(ENOEXEC), NONE),
	C(class32, X(42), R(KERNEL_FOREIGN)),
	C(data_msb, X(42), R(KERNEL_FOREIGN)),
	C(machine_aarch64, E(ENOEXEC), NONE),
	C(machine_i386, E(ENOEXEC), NONE),
	C(type_rel, E(ENOEXEC), NONE),
	C(type_core, E(ENOEXEC), NONE),
	/* PT_LOAD: the kernel finds these after its point of no return, or
	 * maps them in a way the loader does not. */
	C(trunc_before_code, S(SIGSEGV), R(KERNEL_LAYOUT)),
	C(trunc_mid_data, X(42), R(LOADER)),
	C(load_filesz_gt_memsz, S(SIGSEGV), R(KERNEL_LAYOUT)),
	C(load_offset_beyond_eof, S(SIGSEGV), R(KERNEL_LAYOUT)),
	C(load_misaligned, S(SIGSEGV), R(KERNEL_LAYOUT)),
	C(load_unsorted, X(42), R(KERNEL_LAYOUT)),
	C(load_overlap, S(SIGSEGV), R(KERNEL_LAYOUT)),
	C(load_same_addr, X(42), R(KERNEL_LAYOUT)),
	C(load_first_bss, X(42), R(KERNEL_LAYOUT)),
	C(load_memsz_huge, S(SIGSEGV), R(KERNEL_LAYOUT)),
	C(load_vaddr_high, S(SIGSEGV), R(KERNEL_LAYOUT)),
	C(no_load, S(SIGSEGV), R(KERNEL_LAYOUT)),
	C(entry_outside, S(SIGSEGV), R(KERNEL_LAYOUT)),
	C(entry_zero, S(SIGSEGV), R(KERNEL_LAYOUT)),
	C(exec_stack_bad_load, S(SIGSEGV), R(KERNEL_LAYOUT)),
	/* PT_INTERP and the interpreter. */
	C(interp_too_long, E(ENOEXEC), NONE),
	C(interp_empty, E(ENOEXEC), NONE),
	C(interp_too_short, E(ENOEXEC), NONE),
	C(interp_not_nul, E(ENOEXEC), NONE),
	C(interp_beyond_eof, E(EIO), NONE),
	C(interp_missing, E(ENOENT), NONE),
	C(interp_missing_bad_load, E(ENOENT), NONE),
	C(interp_directory, E(EACCES), NONE),
	C(interp_not_executable, E(EACCES), NONE),
	C(interp_text_file, E(ELIBBAD), NONE),
	C(interp_short_file, E(EIO), NONE),
	C(interp_script, E(ELIBBAD), NONE),
	C(interp_bad_phentsize, E(ELIBBAD), NONE),
	C(interp_phdrs_beyond_eof, E(ELIBBAD), NONE),
	C(interp_wrong_machine, E(ELIBBAD), NONE),
	C(interp_type_rel, S(SIGSEGV), R(KERNEL_LAYOUT)),
	C(interp_bad_load, S(SIGSEGV), R(KERNEL_LAYOUT)),
	C(interp_fixed, X(42), R(LOADER)),
	C(interp_fixed_on_program, X(42), R(KERNEL_LAYOUT)),
	/* The file itself. */
	C(directory, E(EACCES), NONE),
	C(not_executable, E(EACCES), NONE),
	C(execute_only, X(42), ANY),
	C(script_missing_interp, E(ENOENT), NONE),
	C(script_interp_too_long, E(ENOEXEC), NONE),
	C(script_interp_directory, E(EACCES), NONE),
	C(script_loop, E(ELOOP), NONE),
};

#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

static void describe(char *buf, size_t len, const struct outcome *o)
{
	switch (o->kind) {
	case ERR:
		snprintf(buf, len, "errno %s", strerrorname_np(o->value));
		break;
	case EXIT:
		snprintf(buf, len, "exit %d", o->value);
		break;
	case SIG:
		snprintf(buf, len, "signal %s", sigabbrev_np(o->value));
		break;
	}
}

static struct outcome waited(pid_t pid)
{
	int st = wait_status(pid);

	if (WIFEXITED(st))
		return (struct outcome)X(WEXITSTATUS(st));
	return (struct outcome)S(WTERMSIG(st));
}

static struct outcome run_kernel(const char *path)
{
	char *argv[] = { (char *)"corpus", NULL };
	char *envp[] = { (char *)"PATH=/usr/bin:/bin", NULL };
	pid_t pid;
	int err = posix_spawn(&pid, path, NULL, NULL, argv, envp);

	if (err)
		return (struct outcome)E(err);
	return waited(pid);
}

/* In mode (a fresh spawn in the default mode is the kernel's: the loader
 * mode makes the loader judge the file itself). */
static struct outcome run_pristine(const char *path, int mode)
{
	char *argv[] = { (char *)"corpus", NULL };
	char *envp[] = { (char *)"PATH=/usr/bin:/bin", NULL };
	pristine_spawnattr_t attr;
	struct outcome o;
	pid_t pid;
	int err;

	pristine_spawnattr_init(&attr);
	pristine_spawnattr_setexecmode(&attr, mode);
	err = pristine_spawn(&pid, path, NULL, &attr, argv, envp);
	pristine_spawnattr_destroy(&attr);
	if (err)
		return (struct outcome)E(err);
	o = waited(pid);
	o.route = pristine_last_route();
	return o;
}

static int same(const struct outcome *a, const struct outcome *b)
{
	return a->kind == b->kind && a->value == b->value;
}

START_TEST(corpus_case)
{
	const struct corpus_case *c = &cases[_i];
	struct outcome k, p, d;
	char kd[64], pd[64], ked[64];
	struct where w;
	int fds;

	snprintf(w.dir, sizeof(w.dir), "%s/%02d", corpus_dir, _i);
	snprintf(w.path, sizeof(w.path), "%s/%s", w.dir, c->name);
	ck_assert_int_eq(mkdir(w.dir, 0755), 0);
	c->make(&w);

	fds = count_fds();
	ck_assert(!has_children());
	k = run_kernel(w.path);
	ck_assert(!has_children());
	ck_assert_int_eq(count_fds(), fds);
	d = run_pristine(w.path, PRISTINE_EXEC_DEFAULT);
	ck_assert_msg(!has_children(), "%s: a child is left", c->name);
	ck_assert_msg(count_fds() == fds, "%s: descriptors leaked", c->name);
	p = run_pristine(w.path, PRISTINE_EXEC_LOADER);
	ck_assert_msg(!has_children(), "%s: a child is left", c->name);
	ck_assert_msg(count_fds() == fds, "%s: descriptors leaked", c->name);

	describe(kd, sizeof(kd), &k);
	describe(pd, sizeof(pd), &p);
	describe(ked, sizeof(ked), &c->kernel);
	printf("corpus: %-26s kernel: %-16s pristine: %s (route %s)\n",
	       c->name, kd, pd, p.kind == ERR ? "none"
					     : pristine_route_name(p.route));
	fflush(stdout);
	ck_assert_msg(same(&k, &c->kernel), "%s: the kernel gave %s, the table "
		      "says %s", c->name, kd, ked);
	ck_assert_msg(same(&p, &k), "%s: the kernel gave %s, pristine %s",
		      c->name, kd, pd);
	ck_assert_msg(same(&d, &k), "%s: the kernel gave %s, pristine's "
		      "default mode another", c->name, kd);
	if (d.kind != ERR)
		ck_assert_msg(d.route == PRISTINE_ROUTE_KERNEL_FRESH, "%s: the "
			      "default mode took route %s", c->name,
			      pristine_route_name(d.route));
	if (p.kind != ERR && c->route != ANY)
		ck_assert_msg(p.route == c->route, "%s: pristine took route "
			      "%s, the table says %s", c->name,
			      pristine_route_name(p.route),
			      pristine_route_name(c->route));
}
END_TEST

static Suite *corpus_suite(void)
{
	Suite *s = suite_create("loader-corpus");
	TCase *tc = testlib_tcase(s, "malformed", 20);

	tcase_add_loop_test(tc, corpus_case, 0, NCASES);
	return s;
}

int main(void)
{
	static Suite *(*const suites[])(void) = { corpus_suite, NULL };
	struct rlimit no_core = { 0, 0 };
	int status;

	/* The kernel's half of the corpus crashes on purpose: no cores. */
	setrlimit(RLIMIT_CORE, &no_core);
	scratch_dir(corpus_dir, sizeof(corpus_dir), "corpus");
	status = testlib_main(suites);
	remove_tree(corpus_dir);
	fprintf(stderr, "corpus: %d cases\n", NCASES);
	return status;
}
