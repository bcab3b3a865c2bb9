/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The object LD_PRELOAD loads into every process: the interposers and
 * nothing else. A program that never spawns maps it, relocates a few
 * dozen words and runs nothing of it; the library, hundreds of
 * relocations and pages written at load, is in the core, which the first
 * call that needs it loads from this object's directory. A core that
 * cannot be loaded is said once, and glibc does everything.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "preload.h"

#define CORE_NAME "libpristine-preload-core.so"

static const struct shim_core *core;	/* set once */

static void *next_symbol(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f) {
		dprintf(STDERR_FILENO, "libpristine-preload: no %s after the "
			"shim: %s\n", name, dlerror());
		abort();
	}
	return f;
}

/* Without the core: glibc's functions, and no pool. */
static struct shim_core glibc_table;

static void glibc_only(void)
{
	struct shim_core *t = &glibc_table;

	t->spawn = next_symbol("posix_spawn");
	t->spawnp = next_symbol("posix_spawnp");
	t->fa_init = next_symbol("posix_spawn_file_actions_init");
	t->fa_destroy = next_symbol("posix_spawn_file_actions_destroy");
	t->fa_addopen = next_symbol("posix_spawn_file_actions_addopen");
	t->fa_addclose = next_symbol("posix_spawn_file_actions_addclose");
	t->fa_adddup2 = next_symbol("posix_spawn_file_actions_adddup2");
	t->fa_addchdir_np =
		next_symbol("posix_spawn_file_actions_addchdir_np");
	t->fa_addfchdir_np =
		next_symbol("posix_spawn_file_actions_addfchdir_np");
	t->fa_addclosefrom_np =
		next_symbol("posix_spawn_file_actions_addclosefrom_np");
	t->fa_addtcsetpgrp_np =
		next_symbol("posix_spawn_file_actions_addtcsetpgrp_np");
	t->system = next_symbol("system");
	t->popen = next_symbol("popen");
	t->pclose = next_symbol("pclose");
}

/* Is the descriptor table full (or the system's)? */
static int no_descriptor(void)
{
	int fd = open("/", O_PATH | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return fd < 0 && (errno == EMFILE || errno == ENFILE);
}

/*
 * This object's file, absolute. dladdr() gives the name it was loaded by,
 * which may be relative (LD_PRELOAD=./x.so, a relative LD_LIBRARY_PATH)
 * to a directory the program has left since: the core must not be
 * looked for there. The kernel's name of the mapping that holds this
 * code is absolute.
 */
static int own_file(char *path, size_t len)
{
	unsigned long here = (unsigned long)(void *)own_file, start, end;
	char line[PATH_MAX + 128], *file = NULL;
	Dl_info info;
	FILE *f;
	int at;

	if (dladdr((void *)own_file, &info) && info.dli_fname &&
	    info.dli_fname[0] == '/')
		return snprintf(path, len, "%s", info.dli_fname) < (int)len
		       ? 0 : ENAMETOOLONG;
	f = fopen("/proc/self/maps", "re");
	if (!f)
		return errno;
	/* start-end perms offset dev inode   path (spaces and all) */
	while (!file && fgets(line, sizeof(line), f)) {
		at = 0;
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &start, &end,
			   &at) >= 2 && at && here >= start && here < end)
			file = line + at;
	}
	fclose(f);
	if (!file || file[0] != '/')
		return ENOENT;
	file[strcspn(file, "\n")] = 0;
	if (strlen(file) > 10 && !strcmp(file + strlen(file) - 10, " (deleted)"))
		return ENOENT;	/* replaced: its core may be too */
	return snprintf(path, len, "%s", file) < (int)len ? 0 : ENAMETOOLONG;
}

/* The core, next to this object. NULL with the reason in why, and *again
 * set if it may load later (no descriptor was free: glibc's
 * posix_spawn() is then what the library would call too, its route
 * glibc-nofds). */
static const struct shim_core *open_core(char *why, size_t len, int *again)
{
	static const struct shim_front front = {
		.abi = SHIM_CORE_ABI, .size = sizeof(front),
		.settings = &shim_settings, .next = next_symbol,
	};
	const struct shim_core *t;
	shim_core_entry *entry;
	char path[PATH_MAX];
	char *slash;
	void *h;
	int err;

	if ((err = own_file(path, sizeof(path)))) {
		snprintf(why, len, "the shim's own file: %s", strerror(err));
		*again = err == EMFILE || err == ENFILE;
		return NULL;
	}
	slash = strrchr(path, '/');
	if ((size_t)(slash + 1 - path) + sizeof(CORE_NAME) > sizeof(path)) {
		snprintf(why, len, "%s: %s", path, strerror(ENAMETOOLONG));
		return NULL;
	}
	memcpy(slash + 1, CORE_NAME, sizeof(CORE_NAME));
	h = dlopen(path, RTLD_LAZY | RTLD_LOCAL | RTLD_NODELETE);
	if (!h) {
		snprintf(why, len, "%s", dlerror());
		*again = no_descriptor();
		return NULL;
	}
	*(void **)&entry = dlsym(h, SHIM_CORE_ENTRY);
	t = entry ? entry(&front) : NULL;
	if (!t || t->abi != SHIM_CORE_ABI || t->size != sizeof(*t)) {
		snprintf(why, len, "%s: from another build", path);
		return NULL;
	}
	return t;
}

/*
 * The core, loaded at the first call. A core that cannot be loaded is
 * said once, and glibc's functions stand in from then on; one that finds
 * no descriptor is tried again at the next call (glibc serves this one).
 */
const struct shim_core *shim_core(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static pthread_once_t glibc_once = PTHREAD_ONCE_INIT;
	const struct shim_core *t = shim_core_loaded();
	char why[PATH_MAX + 256];
	int saved = errno, again = 0;

	if (t)
		return t;
	pthread_mutex_lock(&lock);
	t = core;
	if (!t && shim_settings.mode == SHIM_OFF && !shim_settings.stats &&
	    !shim_settings.trace) {
		/* Mode off, nothing to report: glibc's, without the core. */
		pthread_once(&glibc_once, glibc_only);
		t = &glibc_table;
		__atomic_store_n(&core, t, __ATOMIC_RELEASE);
	}
	if (!t) {
		t = open_core(why, sizeof(why), &again);
		if (t) {
			__atomic_store_n(&core, t, __ATOMIC_RELEASE);
		} else {
			pthread_once(&glibc_once, glibc_only);
			t = &glibc_table;
		}
		if (t == &glibc_table && !again) {
			dprintf(STDERR_FILENO, "libpristine-preload[%d]: no "
				"core: %s; spawning with glibc instead\n",
				getpid(), why);
			__atomic_store_n(&core, t, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&lock);
	errno = saved;
	return t;
}

const struct shim_core *shim_core_loaded(void)
{
	return __atomic_load_n(&core, __ATOMIC_ACQUIRE);
}

SHIM_EXPORT int posix_spawn(pid_t *pid, const char *path,
			    const posix_spawn_file_actions_t *fa,
			    const posix_spawnattr_t *attr, char *const argv[],
			    char *const envp[])
{
	int err = shim_core()->spawn(pid, path, fa, attr, argv, envp);

	if (!err && pid)
		shim_spawned(*pid);
	return err;
}

SHIM_EXPORT int posix_spawnp(pid_t *pid, const char *file,
			     const posix_spawn_file_actions_t *fa,
			     const posix_spawnattr_t *attr, char *const argv[],
			     char *const envp[])
{
	int err = shim_core()->spawnp(pid, file, fa, attr, argv, envp);

	if (!err && pid)
		shim_spawned(*pid);
	return err;
}

SHIM_EXPORT int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
	return shim_core()->fa_init(fa);
}

SHIM_EXPORT int
posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
	return shim_core()->fa_destroy(fa);
}

SHIM_EXPORT int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa,
						 int fd, const char *path,
						 int oflag, mode_t mode)
{
	return shim_core()->fa_addopen(fa, fd, path, oflag, mode);
}

SHIM_EXPORT int
posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa, int fd)
{
	return shim_core()->fa_addclose(fa, fd);
}

SHIM_EXPORT int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa,
						 int fd, int newfd)
{
	return shim_core()->fa_adddup2(fa, fd, newfd);
}

SHIM_EXPORT int
posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *fa,
				     const char *path)
{
	return shim_core()->fa_addchdir_np(fa, path);
}

SHIM_EXPORT int
posix_spawn_file_actions_addfchdir_np(posix_spawn_file_actions_t *fa, int fd)
{
	return shim_core()->fa_addfchdir_np(fa, fd);
}

SHIM_EXPORT int
posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *fa,
					 int from)
{
	return shim_core()->fa_addclosefrom_np(fa, from);
}

SHIM_EXPORT int
posix_spawn_file_actions_addtcsetpgrp_np(posix_spawn_file_actions_t *fa,
					 int tcfd)
{
	return shim_core()->fa_addtcsetpgrp_np(fa, tcfd);
}

SHIM_EXPORT int system(const char *cmd)
{
	return shim_core()->system(cmd);
}

SHIM_EXPORT FILE *popen(const char *cmd, const char *mode)
{
	return shim_core()->popen(cmd, mode);
}

SHIM_EXPORT int pclose(FILE *f)
{
	return shim_core()->pclose(f);
}

/*
 * PRISTINE_STATS=1: the line of this process, at exit() or _exit(),
 * perhaps in a vfork() child or a signal handler (see shim_report()).
 * The core says it for a process with spawns of its own; this says
 * spawns=0 for the process that loaded the shim and had none.
 */
static void leave(int locked)
{
	static int done;
	const struct shim_core *c;
	char line[512];
	int n, saved;

	/* Nothing else before: errno alone would make a fork() child
	 * resolve __errno_location() and copy a page to write it. */
	if (!shim_settings.stats || done)
		return;
	saved = errno;
	c = shim_core_loaded();
	if (c && c->report && c->report(locked)) {
		done = 1;
		return;
	}
	if (getpid() != shim_settings.loaded_by)
		return;
	done = 1;
	n = snprintf(line, sizeof(line), "pristine-preload[%d]: spawns=0 "
		     "loader=0 kernel=0 glibc=0 fallback=0 failed=0 "
		     "program=%s\n", (int)shim_settings.loaded_by,
		     shim_settings.program);
	if (n > (int)sizeof(line) - 1) {
		n = sizeof(line);
		line[n - 1] = '\n';
	}
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* nowhere to say it */
	}
	errno = saved;
}

__attribute__((destructor)) static void at_exit(void)
{
	leave(1);
}

/*
 * glibc's exit() ends with its own _exit(), which is not this one. The
 * system call is made here, not by syscall(): a fork() child that leaves
 * at once would otherwise pay for resolving syscall() (lazy binding) and
 * for a copy of the page it is written into, some 10 us.
 */
SHIM_EXPORT void _exit(int status)
{
	leave(0);
	for (;;)
		__asm__ volatile("syscall" : : "a"((long)SYS_exit_group),
				 "D"((long)status) : "rcx", "r11", "memory");
}

SHIM_EXPORT void _Exit(int status)
{
	_exit(status);
}
