/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The probe's memory facts: the auxiliary vector, the initial stack, the
 * address fields of /proc/self/stat, the mappings and the brk. Every
 * address is compared with what the kernel's load_elf_binary() would have
 * produced for this very binary (computed from its own program headers),
 * never printed.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "probe.h"

#define PAGE		4096ull
#define PAGESTART(v)	((v) & ~(PAGE - 1))
#define PAGEALIGN(v)	(((v) + PAGE - 1) & ~(PAGE - 1))
#define ET_DYN_BASE	0x555555554aaaull	/* the kernel's, on x86_64 */
#define BRK_RANGE	(1ull << 30)		/* arch_randomize_brk() */
#ifndef PR_GET_AUXV
#define PR_GET_AUXV	0x41555856		/* Linux 6.4 */
#endif

extern const ElfW(Ehdr) __ehdr_start __attribute__((visibility("hidden")));
extern char _start[];

/* What the kernel computes for this binary, biased. */
static struct {
	uint64_t bias, phdr, entry;
	uint64_t start_code, end_code, start_data, end_data, elf_brk;
	int static_pie;
	const char *interp;
} elf;

static struct { dev_t dev; ino_t ino; int ok; } exe_id, interp_id;

static void compute_elf(void)
{
	const ElfW(Ehdr) *eh = &__ehdr_start;
	const ElfW(Phdr) *ph = (const void *)((const char *)eh + eh->e_phoff);
	uint64_t sc = ~0ull, ec = 0, sd = 0, ed = 0, brk = 0;
	int i;

	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0)
			elf.bias = (uint64_t)eh - ph[i].p_vaddr;
	for (i = 0; i < eh->e_phnum; i++) {
		const ElfW(Phdr) *p = &ph[i];

		if (p->p_type == PT_INTERP)
			elf.interp = (const char *)(elf.bias + p->p_vaddr);
		if (p->p_type != PT_LOAD)
			continue;
		if (p->p_offset <= eh->e_phoff &&
		    eh->e_phoff < p->p_offset + p->p_filesz)
			elf.phdr = eh->e_phoff - p->p_offset + p->p_vaddr;
		if ((p->p_flags & PF_X) && p->p_vaddr < sc)
			sc = p->p_vaddr;
		if ((p->p_flags & PF_X) && p->p_vaddr + p->p_filesz > ec)
			ec = p->p_vaddr + p->p_filesz;
		if (p->p_vaddr > sd)
			sd = p->p_vaddr;
		if (p->p_vaddr + p->p_filesz > ed)
			ed = p->p_vaddr + p->p_filesz;
		if (p->p_vaddr + p->p_memsz > brk)
			brk = p->p_vaddr + p->p_memsz;
	}
	elf.phdr += elf.bias;
	elf.entry = eh->e_entry + elf.bias;
	elf.start_code = sc + elf.bias;
	elf.end_code = ec + elf.bias;
	elf.start_data = sd + elf.bias;
	elf.end_data = ed + elf.bias;
	elf.elf_brk = brk + elf.bias;
	elf.static_pie = eh->e_type == ET_DYN && !elf.interp;
}

static void identify(const char *path, typeof(exe_id) *id)
{
	struct stat st;

	if (path && stat(path, &st) == 0) {
		id->dev = st.st_dev;
		id->ino = st.st_ino;
		id->ok = 1;
	}
}

/* The executable is the file whose mapping holds _start. */
static void identify_exe(const struct maps *ms)
{
	const struct mapping *m = maps_find(ms, (uint64_t)_start);

	if (m && m->inode) {
		exe_id.dev = makedev(m->dev_major, m->dev_minor);
		exe_id.ino = m->inode;
		exe_id.ok = 1;
	}
}

/* /proc/self/exe and AT_EXECFN against the file actually mapped. */
static void probe_exe(const struct initial *in)
{
	const char *execfn = (const char *)auxv_get(in, AT_EXECFN);
	char target[4096];
	ssize_t n = readlink("/proc/self/exe", target, sizeof(target) - 1);
	struct stat st;

	target[n > 0 ? n : 0] = 0;
	if (!exe_id.ok)
		bad("proc.exe", "no file mapping holds _start");
	else if (stat("/proc/self/exe", &st) < 0)
		bad("proc.exe", "cannot stat /proc/self/exe");
	else if (st.st_dev != exe_id.dev || st.st_ino != exe_id.ino)
		bad("proc.exe", "not the executed file but %s",
		    strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
	else
		out("proc.exe", "ok (the executed file)");
	if (stat(execfn, &st) < 0)
		out("maps.exe_file", "ok (AT_EXECFN does not resolve here)");
	else if (!exe_id.ok || st.st_dev != exe_id.dev ||
		 st.st_ino != exe_id.ino)
		bad("maps.exe_file", "the file mapped is not AT_EXECFN");
	else
		out("maps.exe_file", "ok (the file AT_EXECFN names)");

	/* A running executable cannot be opened for writing (ETXTBSY). The
	 * probe only opens it, never writes. */
	n = open(execfn, O_WRONLY | O_CLOEXEC);
	if (n >= 0) {
		close((int)n);
		out("exe.open_for_write", "allowed");
	} else {
		out("exe.open_for_write", "%s", strerrorname_np(errno));
	}
}

static int is_file(const struct mapping *m, const typeof(exe_id) *id)
{
	return id->ok && m->inode == id->ino &&
	       makedev(m->dev_major, m->dev_minor) == id->dev;
}

/* A mapping's name with no address or temporary path in it. */
static const char *map_name(const struct mapping *m)
{
	const char *b;

	if (!m->path[0])
		return "anon";
	if (m->path[0] == '[')
		return m->path;
	if (is_file(m, &exe_id))
		return "exe";
	if (is_file(m, &interp_id))
		return "interp";
	b = strrchr(m->path, '/');
	return b ? b + 1 : m->path;
}

static int in_map(const struct mapping *m, uint64_t a, uint64_t len)
{
	return m && a >= m->start && a + len <= m->end;
}

/* -------------------------------------------------------------------- */

static const char *const at_names[] = {
	[AT_NULL] = "NULL", [AT_IGNORE] = "IGNORE", [AT_EXECFD] = "EXECFD",
	[AT_PHDR] = "PHDR", [AT_PHENT] = "PHENT", [AT_PHNUM] = "PHNUM",
	[AT_PAGESZ] = "PAGESZ", [AT_BASE] = "BASE", [AT_FLAGS] = "FLAGS",
	[AT_ENTRY] = "ENTRY", [AT_NOTELF] = "NOTELF", [AT_UID] = "UID",
	[AT_EUID] = "EUID", [AT_GID] = "GID", [AT_EGID] = "EGID",
	[AT_PLATFORM] = "PLATFORM", [AT_HWCAP] = "HWCAP",
	[AT_CLKTCK] = "CLKTCK", [AT_SECURE] = "SECURE",
	[AT_BASE_PLATFORM] = "BASE_PLATFORM", [AT_RANDOM] = "RANDOM",
	[AT_HWCAP2] = "HWCAP2", [27] = "RSEQ_FEATURE_SIZE",
	[28] = "RSEQ_ALIGN", [29] = "HWCAP3", [30] = "HWCAP4",
	[AT_EXECFN] = "EXECFN", [AT_SYSINFO] = "SYSINFO",
	[AT_SYSINFO_EHDR] = "SYSINFO_EHDR", [51] = "MINSIGSTKSZ",
};

static const char *at_name(uint64_t key, char *buf)
{
	if (key < sizeof(at_names) / sizeof(at_names[0]) && at_names[key])
		return at_names[key];
	sprintf(buf, "%llu", (unsigned long long)key);
	return buf;
}

uint64_t auxv_get(const struct initial *in, uint64_t key)
{
	uint64_t *a;

	for (a = in->auxv; a[0] != AT_NULL; a += 2)
		if (a[0] == key)
			return a[1];
	return 0;
}

static size_t auxv_bytes(const struct initial *in)
{
	uint64_t *a = in->auxv;

	while (a[0] != AT_NULL)
		a += 2;
	return (size_t)((char *)(a + 2) - (char *)in->auxv);
}

static void probe_auxv(const struct initial *in)
{
	const struct maps *ms = &in->maps;
	const struct mapping *vdso = maps_named(ms, "[vdso]");
	const struct mapping *stack = maps_named(ms, "[stack]");
	char order[2048] = "", key[40], num[24], *proc;
	size_t n = auxv_bytes(in), plen;
	unsigned char got[1024];
	uint64_t *a;
	long r;

	for (a = in->auxv; ; a += 2) {
		strcat(order, at_name(a[0], num));
		if (a[0] == AT_NULL)
			break;
		strcat(order, " ");
	}
	out("auxv.order", "%s", order);

	for (a = in->auxv; a[0] != AT_NULL; a += 2) {
		uint64_t v = a[1];

		snprintf(key, sizeof(key), "auxv.%s", at_name(a[0], num));
		switch (a[0]) {
		case AT_PHDR:
			if (v == elf.phdr)
				out(key, "ok");
			else
				bad(key, "%#llx from the kernel's value",
				    (unsigned long long)(v - elf.phdr));
			break;
		case AT_ENTRY:
			if (v == elf.entry && v == (uint64_t)_start)
				out(key, "ok (_start)");
			else
				bad(key, "not _start (off by %#llx)",
				    (unsigned long long)(v - (uint64_t)_start));
			break;
		case AT_BASE: {
			const struct mapping *m = NULL;
			int i;

			for (i = 0; i < ms->n && !m; i++)
				if (is_file(&ms->m[i], &interp_id) &&
				    ms->m[i].offset == 0)
					m = &ms->m[i];
			if (!elf.interp)
				v ? bad(key, "nonzero without an interpreter")
				  : out(key, "0");
			else if (m && v == m->start)
				out(key, "ok (interpreter's first mapping)");
			else
				bad(key, "not where the interpreter is mapped");
			break;
		}
		case AT_SYSINFO_EHDR:
			if (vdso && v == vdso->start)
				out(key, "ok ([vdso])");
			else
				bad(key, "not the [vdso] mapping");
			break;
		case AT_RANDOM:
			if (!in_map(stack, v, 16))
				bad(key, "not in [stack]");
			else if (v + 16 != auxv_get(in, AT_PLATFORM))
				bad(key, "not right below AT_PLATFORM");
			else
				out(key, "ok (16 bytes in [stack])");
			break;
		case AT_PLATFORM:
		case AT_EXECFN:
		case AT_BASE_PLATFORM:
			plen = strlen((const char *)v) + 1;
			out(key, "%s%s", esc((const char *)v),
			    in_map(stack, v, plen) ? ""
						   : " BAD: not in [stack]");
			break;
		case AT_HWCAP:
		case AT_HWCAP2:
		case 29:
		case 30:
			out(key, "%#llx", (unsigned long long)v);
			break;
		default:
			out(key, "%llu", (unsigned long long)v);
			break;
		}
	}

	proc = slurp("/proc/self/auxv", &plen);
	if (!proc)
		bad("auxv.proc", "unreadable");
	else if (plen != n || memcmp(proc, in->auxv, n))
		bad("auxv.proc", "/proc/self/auxv differs from the stack's "
		    "(%zu vs %zu bytes)", plen, n);
	else
		out("auxv.proc", "ok (same as the stack's)");
	free(proc);
	r = prctl(PR_GET_AUXV, got, sizeof(got), 0, 0);
	if (r < 0)
		out("auxv.prctl", "unsupported");
	else if ((size_t)r < n || memcmp(got, in->auxv, n))
		bad("auxv.prctl", "PR_GET_AUXV differs from the stack's");
	else
		out("auxv.prctl", "ok (same as the stack's)");
}

/* -------------------------------------------------------------------- */

static int all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static void probe_stack(const struct initial *in)
{
	const struct mapping *stack = maps_named(&in->maps, "[stack]");
	uint64_t sp = (uint64_t)in->sp, top, p, platform, random, auxend;
	size_t plen;
	const char *execfn = (const char *)auxv_get(in, AT_EXECFN);
	char **v;
	int i;

	if (!stack || !in_map(stack, sp, 8)) {
		bad("stack.vma", "the entry sp is not in [stack]");
		return;
	}
	out("stack.vma", "ok (sp in [stack])");
	out("stack.sp_align", "%llu", (unsigned long long)(sp & 15));
	if ((uint64_t)in->argc != in->sp[0])
		bad("stack.argc", "*sp is not argc");
	else
		out("stack.argc", "ok");
	if ((uint64_t *)in->argv != in->sp + 1 ||
	    in->envp != in->argv + in->argc + 1 ||
	    in->argv[in->argc] != NULL)
		bad("stack.vectors", "argv/envp are not right above argc");
	else
		out("stack.vectors", "ok");

	/* Strings: argv, then envp, then execfn, then 8 zero bytes at the
	 * very end of the mapping; back to back. */
	top = stack->end;
	p = in->argc ? (uint64_t)in->argv[0] : 0;
	for (v = in->argv; *v; v++) {
		if ((uint64_t)*v != p)
			break;
		p += strlen(*v) + 1;
	}
	for (i = 0; !*v && in->envp[i]; i++) {
		if ((uint64_t)in->envp[i] != p)
			break;
		p += strlen(in->envp[i]) + 1;
	}
	if (*v || in->envp[i])
		bad("stack.strings", "argv/envp strings not back to back");
	else if ((uint64_t)execfn != p)
		bad("stack.strings", "AT_EXECFN does not follow the env "
		    "strings");
	else if (p + strlen(execfn) + 1 + 8 != top)
		bad("stack.strings", "execfn does not end 8 bytes below the "
		    "top of [stack] (%lld)",
		    (long long)(top - (p + strlen(execfn) + 1)));
	else if (!all_zero((const void *)(top - 8), 8))
		bad("stack.strings", "the top 8 bytes are not zero");
	else
		out("stack.strings", "ok (argv, envp, execfn, 8 zero bytes "
		    "up to the top)");

	/* Below argv[0]: the random gap (0..8191, then align 16), the
	 * platform string, 16 random bytes, then padding to the auxv. */
	platform = auxv_get(in, AT_PLATFORM);
	random = auxv_get(in, AT_RANDOM);
	auxend = (uint64_t)in->auxv + auxv_bytes(in);
	p = in->argc ? (uint64_t)in->argv[0] : 0;
	plen = platform ? strlen((const char *)platform) + 1 : 0;
	if (!platform || p < platform + plen ||
	    p - (platform + plen) >= 8192 + 16 || ((platform + plen) & 15))
		bad("stack.platform", "AT_PLATFORM is not 0..8207 bytes below "
		    "argv[0], ending 16-aligned");
	else if (!all_zero((const void *)(platform + plen),
			   p - platform - plen))
		bad("stack.platform", "the gap above AT_PLATFORM is not zero");
	else
		out("stack.platform", "ok");
	if (random < auxend || random - auxend >= 16)
		bad("stack.auxv_end", "the auxv does not end 0..15 bytes below "
		    "AT_RANDOM");
	else if (!all_zero((const void *)auxend, random - auxend))
		bad("stack.auxv_end", "the padding below AT_RANDOM is not "
		    "zero");
	else
		out("stack.auxv_end", "ok");
}

/* -------------------------------------------------------------------- */

static const char *rel(uint64_t got, uint64_t want, char *buf)
{
	if (got == want)
		return "ok";
	sprintf(buf, "BAD: %+lld from expected", (long long)(got - want));
	return buf;
}

static void probe_stat(const struct initial *in)
{
	const struct maps *ms = &in->maps;
	uint64_t f[53] = { 0 }, lo, arg_end, env_start, env_end;
	char *s = slurp("/proc/self/stat", NULL), *p, b[64];
	const struct mapping *code;
	int i, randomize;

	if (!s || !(p = strrchr(s, ')'))) {
		bad("stat", "unreadable");
		free(s);
		return;
	}
	p += 2;
	for (i = 3; i <= 52 && *p; i++) {
		if (i == 3)
			f[i] = (uint64_t)*p;	/* state letter */
		else
			f[i] = strtoull(p, NULL, 10);
		while (*p && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	free(s);
	out("stat.state", "%c", (char)f[3]);
	/* PF_SUPERPRIV: "used a capability", sticky until the next fork. */
	out("stat.flags", "%#llx", (unsigned long long)(f[9] & ~0x100ull));
	out("stat.superpriv", "%s", f[9] & 0x100 ? "yes" : "no");
	out("stat.priority", "%lld", (long long)f[18]);
	out("stat.nice", "%lld", (long long)f[19]);
	out("stat.num_threads", "%llu", (unsigned long long)f[20]);
	out("stat.itrealvalue", "%llu", (unsigned long long)f[21]);
	out("stat.rsslim", "%llu", (unsigned long long)f[25]);
	out("stat.kstk", "%s", f[29] || f[30] ? "nonzero" : "0 0");
	out("stat.sigs", "pending %llu blocked %llu ignored %llu caught %llu",
	    (unsigned long long)f[31], (unsigned long long)f[32],
	    (unsigned long long)f[33], (unsigned long long)f[34]);
	out("stat.exit_signal", "%llu", (unsigned long long)f[38]);
	out("stat.rt_priority", "%llu", (unsigned long long)f[40]);
	out("stat.policy", "%llu", (unsigned long long)f[41]);
	out("stat.exit_code", "%llu", (unsigned long long)f[52]);

	out("stat.start_code", "%s", rel(f[26], elf.start_code, b));
	out("stat.end_code", "%s", rel(f[27], elf.end_code, b));
	out("stat.start_data", "%s", rel(f[45], elf.start_data, b));
	out("stat.end_data", "%s", rel(f[46], elf.end_data, b));
	code = maps_find(ms, f[26]);
	if (!code || !is_file(code, &exe_id) || !strchr(code->perms, 'x') ||
	    f[27] > code->end || f[27] < f[26])
		bad("stat.code_in_exe", "start_code..end_code is not inside "
		    "an executable mapping of the exe");
	else
		out("stat.code_in_exe", "ok");
	out("stat.startstack", "%s", rel(f[28], (uint64_t)in->sp, b));

	/* start_brk: the kernel's placement, a random page in a 1 GiB
	 * window (or its base without randomization). */
	s = slurp("/proc/sys/kernel/randomize_va_space", NULL);
	randomize = s && atoi(s) >= 2 &&
		    !(personality(0xffffffff) & ADDR_NO_RANDOMIZE);
	free(s);
	lo = elf.static_pie ? PAGEALIGN(ET_DYN_BASE) : PAGEALIGN(elf.elf_brk);
	if (randomize && !elf.static_pie)
		lo += PAGE;
	if (f[47] & (PAGE - 1))
		bad("stat.start_brk", "not page aligned");
	else if (f[47] < lo || f[47] >= lo + (randomize ? BRK_RANGE : 1))
		bad("stat.start_brk", "%+lld from the kernel's base%s",
		    (long long)(f[47] - lo),
		    randomize ? " (window 1 GiB)" : "");
	else
		out("stat.start_brk", "ok (%s)", randomize ? "in the window"
							   : "exact");
	if ((uint64_t)in->sbrk0 == f[47])
		out("brk.initial", "start_brk");
	else
		out("brk.initial", "start_brk%+lld",
		    (long long)((uint64_t)in->sbrk0 - f[47]));

	/* The argument and environment areas are the strings on the stack. */
	arg_end = env_start = env_end = 0;
	if (in->argc) {
		char *last = in->argv[in->argc - 1];

		arg_end = (uint64_t)last + strlen(last) + 1;
	}
	env_start = in->envp[0] ? (uint64_t)in->envp[0] : arg_end;
	env_end = env_start;
	for (i = 0; in->envp[i]; i++)
		env_end = (uint64_t)in->envp[i] + strlen(in->envp[i]) + 1;
	out("stat.arg_start", "%s",
	    rel(f[48], in->argc ? (uint64_t)in->argv[0] : 0, b));
	out("stat.arg_end", "%s", rel(f[49], arg_end, b));
	out("stat.env_start", "%s", rel(f[50], env_start, b));
	out("stat.env_end", "%s", rel(f[51], env_end, b));
}

/* -------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Mappings by name (sorted: the relative order of the vDSO, the
 * interpreter and libraries is placement, not fidelity), each name with
 * its mappings' perms and VmFlags in address order. Anonymous mappings are
 * counted by kind.
 */
static void probe_maps(const struct initial *in)
{
	const struct maps *ms = &in->maps;
	const char *names[PROBE_MAX_MAPS];
	char *kinds[PROBE_MAX_MAPS], line[8192];
	int i, j, nn = 0, nk = 0;

	for (i = 0; i < ms->n; i++) {
		const char *n = map_name(&ms->m[i]);

		for (j = 0; j < nn && strcmp(names[j], n); j++)
			;
		if (j == nn)
			names[nn++] = n;
	}
	qsort(names, (size_t)nn, sizeof(names[0]), cmp_str);
	for (j = 0; j < nn; j++) {
		char key[300];

		if (!strcmp(names[j], "anon"))
			continue;
		line[0] = 0;
		for (i = 0; i < ms->n; i++) {
			const struct mapping *m = &ms->m[i];
			size_t l = strlen(line);

			if (strcmp(map_name(m), names[j]))
				continue;
			snprintf(line + l, sizeof(line) - l, "%s%s[%s]",
				 l ? " " : "", m->perms, m->flags);
		}
		snprintf(key, sizeof(key), "maps.%s", names[j]);
		out(key, "%s", line);
	}
	for (i = 0; i < ms->n; i++) {
		const struct mapping *m = &ms->m[i];

		if (m->path[0])
			continue;
		if (asprintf(&kinds[nk], "%s[%s]", m->perms, m->flags) > 0)
			nk++;
	}
	qsort(kinds, (size_t)nk, sizeof(kinds[0]), cmp_str);
	line[0] = 0;
	for (i = 0; i < nk; i = j) {
		size_t l = strlen(line);

		for (j = i; j < nk && !strcmp(kinds[i], kinds[j]); j++)
			;
		snprintf(line + l, sizeof(line) - l, "%s%dx%s", l ? " " : "",
			 j - i, kinds[i]);
	}
	for (i = 0; i < nk; i++)
		free(kinds[i]);
	out("maps.anon", "%s", nk ? line : "none");
}

void probe_heap(const struct initial *in)
{
	const struct mapping *heap;
	struct maps *ms = malloc(sizeof(*ms));
	uint64_t start_brk = (uint64_t)stat_field("/proc/self/stat", 47);
	uint64_t before, after;

	/* sbrk() grows the heap right where the brk is, by the asked amount. */
	before = (uint64_t)sbrk(0);
	if ((uint64_t)sbrk(16384) != before ||
	    (after = (uint64_t)sbrk(0)) != before + 16384) {
		bad("brk.grow", "sbrk(16384) did not move the brk by 16384");
		after = before;
	} else {
		memset((void *)before, 0x5a, 16384);
		out("brk.grow", "ok");
	}
	if (!ms || maps_read(ms) < 0) {
		bad("maps.heap", "cannot read the maps");
	} else if (!(heap = maps_named(ms, "[heap]"))) {
		bad("maps.heap", "no [heap] after sbrk()");
	} else if (heap->start != start_brk) {
		bad("maps.heap", "[heap] does not start at start_brk");
	} else if (heap->end < after || after - heap->start > (1ull << 32)) {
		bad("maps.heap", "[heap] does not reach the brk");
	} else {
		out("maps.heap", "ok ([heap] from start_brk to the brk, %s)",
		    heap->perms);
	}
	free(ms);
}

void probe_memory(const struct initial *in)
{
	compute_elf();
	identify_exe(&in->maps);
	identify(elf.interp, &interp_id);
	probe_exe(in);
	out("exe.type", "%s", elf.interp ? "dynamic" : elf.static_pie
					       ? "static-pie" : "static");
	probe_auxv(in);
	probe_stack(in);
	probe_stat(in);
	probe_maps(in);
}
