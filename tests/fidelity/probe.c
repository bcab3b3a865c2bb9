/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The fidelity probe (see probe.h): arguments and environment, the
 * process's name, /proc/self/status, descriptors, signals, limits,
 * ids, process relations, per-process settings, and whether threads,
 * signals, malloc, fork and dlopen work. probe-memory.c does the memory.
 *
 * Built three ways (dynamic PIE, static, static-pie); PROBE_BUILD names
 * the build. Exits 0 whatever it finds: the differences are the output.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/rseq.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include "probe.h"

#ifndef PR_GET_MEMORY_MERGE
#define PR_GET_MEMORY_MERGE 68
#endif
#ifndef PR_GET_MDWE
#define PR_GET_MDWE 66
#endif
#define ARCH_GET_CPUID 0x1011

void out(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("%s ", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void bad(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("%s BAD: ", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

const char *esc(const char *s)
{
	static char buf[4 * 4096 + 1];
	char *o = buf, *end = buf + sizeof(buf) - 5;

	for (; *s && o < end; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f || c == '\\')
			o += sprintf(o, "\\x%02x", c);
		else
			*o++ = (char)c;
	}
	*o = 0;
	return buf;
}

char *slurp(const char *path, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0 || !b) {
		if (fd >= 0)
			close(fd);
		free(b);
		return NULL;
	}
	while ((r = read(fd, b + n, cap - n)) > 0) {
		n += (size_t)r;
		if (n == cap) {
			char *nb = realloc(b, 2 * cap + 1);

			if (!nb)
				break;
			b = nb;
			cap *= 2;
		}
	}
	close(fd);
	b[n] = 0;
	if (len)
		*len = n;
	return b;
}

int maps_read(struct maps *ms)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[1024];
	struct mapping *m = NULL;

	ms->n = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		struct mapping t = { 0 };
		int off = 0;

		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n",
			   &t.start, &t.end, t.perms, &t.offset, &t.dev_major,
			   &t.dev_minor, &t.inode, &off) >= 7) {
			if (ms->n == PROBE_MAX_MAPS)
				break;
			snprintf(t.path, sizeof(t.path), "%s", line + off);
			m = &ms->m[ms->n++];
			*m = t;
		} else if (m && !strncmp(line, "VmFlags:", 8)) {
			char *p = line + 8;

			while (*p == ' ')
				p++;
			p[strcspn(p, "\n")] = 0;
			if (*p && p[strlen(p) - 1] == ' ')
				p[strlen(p) - 1] = 0;
			snprintf(m->flags, sizeof(m->flags), "%s", p);
		}
	}
	fclose(f);
	return 0;
}

const struct mapping *maps_find(const struct maps *ms, uint64_t addr)
{
	int i;

	for (i = 0; i < ms->n; i++)
		if (addr >= ms->m[i].start && addr < ms->m[i].end)
			return &ms->m[i];
	return NULL;
}

const struct mapping *maps_named(const struct maps *ms, const char *name)
{
	int i;

	for (i = 0; i < ms->n; i++)
		if (!strcmp(ms->m[i].path, name))
			return &ms->m[i];
	return NULL;
}

/* -------------------------------------------------------------------- */

/* Do the NUL-separated bytes of a /proc file equal these strings? */
static void same_strings(const char *key, const char *file, char **v)
{
	size_t len, pos = 0;
	char *b = slurp(file, &len);
	int i;

	if (!b) {
		bad(key, "%s unreadable", file);
		return;
	}
	for (i = 0; v[i]; i++) {
		size_t n = strlen(v[i]) + 1;

		if (pos + n > len || memcmp(b + pos, v[i], n))
			break;
		pos += n;
	}
	if (v[i] || pos != len)
		bad(key, "%s differs at string %d", file, i);
	else
		out(key, "ok (%d strings)", i);
	free(b);
}

static void probe_args(const struct initial *in)
{
	char key[32];
	int i;

	out("argc", "%d", in->argc);
	for (i = 0; i < in->argc; i++) {
		snprintf(key, sizeof(key), "argv.%d", i);
		out(key, "%s", esc(in->argv[i]));
	}
	for (i = 0; in->envp[i]; i++) {
		snprintf(key, sizeof(key), "env.%d", i);
		out(key, "%s", esc(in->envp[i]));
	}
	out("envc", "%d", i);
	same_strings("proc.cmdline", "/proc/self/cmdline", in->argv);
	same_strings("proc.environ", "/proc/self/environ", in->envp);
}

static void probe_names(void)
{
	char name[32] = "", *c = slurp("/proc/self/comm", NULL);

	if (c)
		c[strcspn(c, "\n")] = 0;
	out("proc.comm", "%s", c ? esc(c) : "(unreadable)");
	free(c);
	prctl(PR_GET_NAME, name, 0, 0, 0);
	out("prctl.name", "%s", esc(name));
}

/* /proc/self/status but for what changes from process to process. */
static void probe_status(void)
{
	static const char *const skip[] = {
		"Name:", "Pid:", "PPid:", "Tgid:", "Ngid:", "NSpid:", "NStgid:",
		"NSpgid:", "NSsid:", "Vm", "Rss", "HugetlbPages:",
		"voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:",
	};
	char *s = slurp("/proc/self/status", NULL), *line, *save = NULL;
	size_t i;

	if (!s) {
		bad("status", "unreadable");
		return;
	}
	for (line = strtok_r(s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char key[64], *v = strchr(line, ':'), *p;

		for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
			if (!strncmp(line, skip[i], strlen(skip[i])))
				break;
		if (i < sizeof(skip) / sizeof(skip[0]) || !v)
			continue;
		*v++ = 0;
		for (p = v; *p; p++)
			if (*p == '\t')
				*p = ' ';
		while (*v == ' ')
			v++;
		/* SigQ counts the queued signals of the whole user. */
		if (!strcmp(line, "SigQ") && strchr(v, '/'))
			v = strchr(v, '/') + 1;
		snprintf(key, sizeof(key), "status.%s", line);
		out(key, "%s", v);
	}
	free(s);
}

static void probe_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int fds[1024], n = 0, i, j;

	if (!d) {
		bad("fd", "cannot list /proc/self/fd");
		return;
	}
	while ((e = readdir(d)) && n < 1024)
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
			fds[n++] = atoi(e->d_name);
	closedir(d);
	for (i = 1; i < n; i++)	/* readdir order is not numeric */
		for (j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
			int t = fds[j];

			fds[j] = fds[j - 1];
			fds[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		char path[64], target[4096], key[32], *info, *pos, *flags;
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[i]);
		len = readlink(path, target, sizeof(target) - 1);
		target[len > 0 ? len : 0] = 0;
		if (!strncmp(target, "pipe:", 5))
			strcpy(target, "pipe");
		else if (!strncmp(target, "socket:", 7))
			strcpy(target, "socket");
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fds[i]);
		info = slurp(path, NULL);
		pos = info ? strstr(info, "pos:") : NULL;
		flags = info ? strstr(info, "flags:") : NULL;
		snprintf(key, sizeof(key), "fd.%d", fds[i]);
		out(key, "%s pos=%lld flags=0%llo cloexec=%d", esc(target),
		    pos ? strtoll(pos + 4, NULL, 10) : -1,
		    flags ? strtoull(flags + 6, NULL, 8) : 0ull,
		    fcntl(fds[i], F_GETFD) & FD_CLOEXEC ? 1 : 0);
		free(info);
	}
	out("fd.count", "%d", n);
}

struct ksigaction {
	unsigned long handler, flags, restorer;
	uint64_t mask;
};

static void probe_signals(void)
{
	uint64_t mask = 0, pending = 0;
	stack_t ss;
	int sig;

	for (sig = 1; sig <= 64; sig++) {
		struct ksigaction ka = { 0 };
		char key[16];

		snprintf(key, sizeof(key), "sig.%d", sig);
		if (syscall(SYS_rt_sigaction, sig, NULL, &ka, 8) < 0)
			out(key, "error %d", errno);
		else
			out(key, "%s flags=%#lx mask=%#llx restorer=%s",
			    ka.handler == 0 ? "dfl" : ka.handler == 1 ? "ign"
								    : "handler",
			    ka.flags, (unsigned long long)ka.mask,
			    ka.restorer ? "set" : "0");
	}
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &mask, 8);
	syscall(SYS_rt_sigpending, &pending, 8);
	out("sig.blocked", "%#llx", (unsigned long long)mask);
	out("sig.pending", "%#llx", (unsigned long long)pending);
	if (sigaltstack(NULL, &ss) == 0)
		out("sig.altstack", "%s", ss.ss_flags & SS_DISABLE
					  ? "disabled" : "enabled");
}

static void probe_rlimits(void)
{
	static const char *const names[] = {
		"CPU", "FSIZE", "DATA", "STACK", "CORE", "RSS", "NPROC",
		"NOFILE", "MEMLOCK", "AS", "LOCKS", "SIGPENDING", "MSGQUEUE",
		"NICE", "RTPRIO", "RTTIME",
	};
	int r;

	for (r = 0; r < RLIM_NLIMITS; r++) {
		struct rlimit rl;
		char key[32], cur[24], max[24];

		snprintf(key, sizeof(key), "rlimit.%s", names[r]);
		if (getrlimit(r, &rl) < 0) {
			out(key, "error");
			continue;
		}
		snprintf(cur, sizeof(cur), "%llu",
			 (unsigned long long)rl.rlim_cur);
		snprintf(max, sizeof(max), "%llu",
			 (unsigned long long)rl.rlim_max);
		out(key, "%s %s", rl.rlim_cur == RLIM_INFINITY ? "inf" : cur,
		    rl.rlim_max == RLIM_INFINITY ? "inf" : max);
	}
}

long long stat_field(const char *path, int n)
{
	char *s = slurp(path, NULL), *p;
	long long v = -1;
	int i;

	if (s && (p = strrchr(s, ')'))) {
		for (i = 2; i < n && p; i++)
			p = strchr(p + 1, ' ');
		if (p)
			v = strtoll(p + 1, NULL, 10);
	}
	free(s);
	return v;
}

static void relation(const char *key, long long mine, long long pid,
		     long long parents)
{
	out(key, "%s", mine == pid ? "own pid" : mine == parents
			? "parent's" : mine == 0 ? "0" : "other");
}

static void probe_process(void)
{
	static const char *const files[] = {
		"oom_score_adj", "loginuid", "sessionid", "coredump_filter",
		"timerslack_ns", "attr/current", "personality", "setgroups",
	};
	pid_t pid = getpid(), ppid = getppid();
	char pstat[64], path[512], *c, *mine, *theirs;
	DIR *d;
	struct dirent *e;
	size_t i;

	snprintf(pstat, sizeof(pstat), "/proc/%d/stat", ppid);
	snprintf(path, sizeof(path), "/proc/%d/comm", ppid);
	c = slurp(path, NULL);
	if (c)
		c[strcspn(c, "\n")] = 0;
	out("proc.parent", "%s", c ? esc(c) : "(unreadable)");
	free(c);
	relation("proc.pgid", getpgid(0), pid, stat_field(pstat, 5));
	relation("proc.sid", getsid(0), pid, stat_field(pstat, 6));
	relation("proc.tty", stat_field("/proc/self/stat", 7), -1,
		 stat_field(pstat, 7));
	relation("proc.tpgid", stat_field("/proc/self/stat", 8), pid,
		 stat_field(pstat, 8));
	{
		char cwd[4096];

		out("proc.cwd", "%s", getcwd(cwd, sizeof(cwd))
				      ? esc(cwd) : "(error)");
	}
	{
		mode_t m = umask(0);

		umask(m);
		out("proc.umask", "%04o", m);
	}

	/* Namespaces and cgroup: the parent's. */
	if ((d = opendir("/proc/self/ns"))) {
		while ((e = readdir(d))) {
			char a[256], b[256], key[300];
			ssize_t n1, n2;

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/self/ns/%s",
				 e->d_name);
			n1 = readlink(path, a, sizeof(a));
			snprintf(path, sizeof(path), "/proc/%d/ns/%s", ppid,
				 e->d_name);
			n2 = readlink(path, b, sizeof(b));
			snprintf(key, sizeof(key), "ns.%s", e->d_name);
			out(key, "%s", n1 > 0 && n1 == n2 && !memcmp(a, b, n1)
				       ? "parent's" : "differs");
		}
		closedir(d);
	}
	snprintf(path, sizeof(path), "/proc/%d/cgroup", ppid);
	mine = slurp("/proc/self/cgroup", NULL);
	theirs = slurp(path, NULL);
	out("proc.cgroup", "%s", mine && theirs && !strcmp(mine, theirs)
				 ? "parent's" : "differs");
	free(mine);
	free(theirs);

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char key[64];

		snprintf(path, sizeof(path), "/proc/self/%s", files[i]);
		snprintf(key, sizeof(key), "proc.%s", files[i]);
		c = slurp(path, NULL);
		if (c)
			c[strcspn(c, "\n")] = 0;
		out(key, "%s", c ? esc(c) : "(unreadable)");
		free(c);
	}
}

static void probe_settings(void)
{
	static const struct { const char *name; int op; long arg; } q[] = {
		{ "dumpable", PR_GET_DUMPABLE, 0 },
		{ "keepcaps", PR_GET_KEEPCAPS, 0 },
		{ "child_subreaper", PR_GET_CHILD_SUBREAPER, -1 },
		{ "pdeathsig", PR_GET_PDEATHSIG, -1 },
		{ "timerslack", PR_GET_TIMERSLACK, 0 },
		{ "thp_disable", PR_GET_THP_DISABLE, 0 },
		{ "no_new_privs", PR_GET_NO_NEW_PRIVS, 0 },
		{ "securebits", PR_GET_SECUREBITS, 0 },
		{ "seccomp", PR_GET_SECCOMP, 0 },
		{ "tsc", PR_GET_TSC, -1 },
		{ "mce_kill", PR_MCE_KILL_GET, 0 },
		{ "io_flusher", PR_GET_IO_FLUSHER, 0 },
		{ "memory_merge", PR_GET_MEMORY_MERGE, 0 },
		{ "mdwe", PR_GET_MDWE, 0 },
		{ "spec_store_bypass", PR_GET_SPECULATION_CTRL,
		  PR_SPEC_STORE_BYPASS },
		{ "spec_indirect_branch", PR_GET_SPECULATION_CTRL,
		  PR_SPEC_INDIRECT_BRANCH },
	};
	struct sched_param sp;
	cpu_set_t cpus;
	struct itimerval it;
	size_t i;
	int w;

	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		char key[64];
		int val = 0;
		long r;

		snprintf(key, sizeof(key), "prctl.%s", q[i].name);
		if (q[i].arg == -1)
			r = prctl(q[i].op, &val, 0, 0, 0);
		else
			r = prctl(q[i].op, q[i].arg, 0, 0, 0);
		if (r < 0)
			out(key, "error %s", strerrorname_np(errno));
		else
			out(key, "%ld", q[i].arg == -1 ? (long)val : r);
	}
	out("personality", "%#x", personality(0xffffffff));
	out("arch.cpuid", "%ld", syscall(SYS_arch_prctl, ARCH_GET_CPUID, 0));
	sched_getparam(0, &sp);
	out("sched.policy", "%d priority %d", sched_getscheduler(0),
	    sp.sched_priority);
	errno = 0;
	out("sched.nice", "%d", getpriority(PRIO_PROCESS, 0));
	out("sched.ioprio", "%ld", syscall(SYS_ioprio_get, 1, 0));
	if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0)
		out("sched.cpus", "%d", CPU_COUNT(&cpus));
	for (w = ITIMER_REAL; w <= ITIMER_PROF; w++) {
		char key[32];

		getitimer(w, &it);
		snprintf(key, sizeof(key), "itimer.%d", w);
		out(key, "%s", it.it_value.tv_sec || it.it_value.tv_usec ||
			       it.it_interval.tv_sec || it.it_interval.tv_usec
			       ? "armed" : "off");
	}
	{
		unsigned mxcsr = 0;
		unsigned short fcw = 0;

		__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
		__asm__ volatile("fnstcw %0" : "=m"(fcw));
		out("fpu.mxcsr", "%#x", mxcsr);
		out("fpu.fcw", "%#x", fcw);
	}
	{
		void *head = NULL;
		size_t len = 0;

		syscall(SYS_get_robust_list, 0, &head, &len);
		out("thread.robust_list", "%s", head ? "set" : "none");
	}
	if (__rseq_size) {
		const struct rseq *r = (const void *)
			((char *)__builtin_thread_pointer() + __rseq_offset);

		out("thread.rseq", "%s", (int)r->cpu_id >= 0
					 ? "registered" : "not registered");
	} else {
		out("thread.rseq", "not registered by libc");
	}
}

/* glibc's stack protector canary: AT_RANDOM's first word, low byte 0. */
static void probe_canary(const struct initial *in)
{
	uint64_t canary, want;

	__asm__ volatile("mov %%fs:0x28, %0" : "=r"(canary));
	memcpy(&want, (const void *)auxv_get(in, AT_RANDOM), 8);
	want &= ~0xffull;
	if (canary == want)
		out("libc.canary", "ok (from AT_RANDOM)");
	else
		bad("libc.canary", "not derived from AT_RANDOM");
}

static void probe_io(const char *io)
{
	char *copy = io ? strdup(io) : NULL, *line, *save = NULL;

	if (!copy) {
		out("io", "(unreadable)");
		return;
	}
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char key[64], *v = strchr(line, ':');

		/* read_bytes and write_bytes count storage I/O: page cache
		 * state, not the process. */
		if (!v || strstr(line, "_bytes"))
			continue;
		*v++ = 0;
		snprintf(key, sizeof(key), "io.%s", line);
		out(key, "%s", v + strspn(v, " "));
	}
	free(copy);
}

/* -------------------------------------------------------------------- */

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	got_usr1 = sig;
}

static void *thread_main(void *arg)
{
	return (char *)arg + 1;
}

static int list_object(struct dl_phdr_info *info, size_t size, void *data)
{
	char *names = data;
	const char *n = info->dlpi_name, *b = strrchr(n, '/');

	(void)size;
	if (strlen(names) + strlen(n) + 16 < 1024)
		sprintf(names + strlen(names), "%s%s", names[0] ? " " : "",
			!*n ? "(main)" : b ? b + 1 : n);
	return 0;
}

static int find_main(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	if (!info->dlpi_name[0]) {
		*(const void **)data = info->dlpi_phdr;
		return 1;
	}
	return 0;
}

static void probe_works(const struct initial *in)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	pthread_t t;
	void *ret = NULL, *h, *small, *big;
	double (*cosine)(double);
	const void *main_phdr = NULL;
	char names[1024] = "";
	pid_t child;
	int st;

	small = malloc(100);
	big = malloc(4 << 20);
	if (small && big) {
		memset(small, 1, 100);
		memset(big, 1, 4 << 20);
		out("works.malloc", "ok");
	} else {
		bad("works.malloc", "failed");
	}
	free(big);
	free(small);

	if (pthread_create(&t, NULL, thread_main, (void *)in) == 0 &&
	    pthread_join(t, &ret) == 0 && ret == (char *)in + 1)
		out("works.thread", "ok");
	else
		bad("works.thread", "pthread_create/join failed");

	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	if (got_usr1 == SIGUSR1)
		out("works.signal", "ok (handler ran)");
	else
		bad("works.signal", "SIGUSR1 handler did not run");

	fflush(stdout);
	child = fork();
	if (child == 0)
		_exit(42);
	if (child > 0 && waitpid(child, &st, 0) == child &&
	    WIFEXITED(st) && WEXITSTATUS(st) == 42)
		out("works.fork", "ok");
	else
		bad("works.fork", "fork/wait failed");

	dl_iterate_phdr(list_object, names);
	out("dl.objects", "%s", names);
	dl_iterate_phdr(find_main, &main_phdr);
	if (main_phdr == (const void *)auxv_get(in, AT_PHDR))
		out("dl.main_phdr", "ok (AT_PHDR)");
	else
		bad("dl.main_phdr", "the main object's phdrs are not AT_PHDR");
	/* Static glibc can dlopen too (with its own libc's shared copy). */
	h = dlopen("libm.so.6", RTLD_NOW);
	cosine = h ? (double (*)(double))dlsym(h, "cos") : NULL;
	if (cosine && cosine(0.0) == 1.0)
		out("works.dlopen", "ok (libm cos)");
	else
		out("works.dlopen", "failed: %s", h ? "no cos" : dlerror());
}

int main(int argc, char **argv, char **envp)
{
	static struct initial in;
	char *io;

	/* First, before anything the probe does changes them. */
	in.sbrk0 = sbrk(0);
	io = slurp("/proc/self/io", NULL);
	in.argc = argc;
	in.argv = argv;
	in.envp = envp;
	in.sp = (uint64_t *)argv - 1;
	for (in.auxv = (uint64_t *)envp; *in.auxv; in.auxv++)
		;
	in.auxv++;
	if (maps_read(&in.maps) < 0)
		bad("maps", "cannot read /proc/self/smaps");

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	out("build", "%s", PROBE_BUILD);
	probe_args(&in);
	probe_names();
	probe_memory(&in);
	probe_status();
	probe_fds();
	probe_signals();
	probe_rlimits();
	probe_process();
	probe_settings();
	probe_canary(&in);
	probe_io(io);
	free(io);
	probe_works(&in);
	probe_heap(&in);
	return fflush(stdout) ? 1 : 0;
}
