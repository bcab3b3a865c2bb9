/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The /proc files of a spawn from a member, kept open (proc-files.h).
 * Process-wide files are kept once; each thread's status file is kept by
 * the thread (credentials are per thread) and closed by its exit, or by
 * the last reserve's end, whichever comes first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <unistd.h>
#include "fork.h"
#include "proc-files.h"

/* A kept descriptor and the identity of the file it was opened on. */
struct kept {
	int fd;
	dev_t dev;
	ino_t ino;
};

struct thread_file {
	struct thread_file *next;
	struct kept k;
	unsigned int generation;	/* of the last open */
};

static const char *const paths[PROC_FILES] = {
	[PROC_OOM_SCORE_ADJ] = "/proc/self/oom_score_adj",
	[PROC_COREDUMP_FILTER] = "/proc/self/coredump_filter",
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int users;
/* Bumped whenever every kept descriptor is closed: a thread's own one of
 * an older generation is gone (and its number may be someone else's). */
static unsigned int generation;
static pid_t owner;
static struct kept files[PROC_FILES] = { { .fd = -1 }, { .fd = -1 } };
static struct thread_file *threads;
static unsigned int kept_threads;	/* threads whose file is kept */
static pthread_key_t key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

/* Still the file it was opened on? (A caller that closed it and opened
 * the very same /proc file at the same number would pass: reading it
 * then reads the same thing.) */
static int kept_valid(const struct kept *k)
{
	struct stat st;

	return k->fd >= 0 && fstat(k->fd, &st) == 0 && st.st_dev == k->dev &&
	       st.st_ino == k->ino;
}

/*
 * A descriptor kept is one the caller cannot have: kept only while the
 * lowest free number (the one open() returned) is far from the limit, so
 * that a caller near it finds the descriptors it had before.
 */
#define HEADROOM 64
/* Threads whose status file is kept, at most (each holds one). */
#define MAX_KEPT_THREADS 8

static void kept_close(struct kept *k)
{
	if (kept_valid(k))
		close(k->fd);
	k->fd = -1;
}

static int read_at_start(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	if (n <= 0)
		return n < 0 ? errno : EIO;
	buf[n] = 0;
	return 0;
}

/*
 * Reads path into buf through k's descriptor, or a new one, which k keeps
 * if may_keep and there is headroom (then *kept is set), else closed.
 */
static int read_kept(struct kept *k, const char *path, int may_keep,
		     char *buf, size_t size, int *kept)
{
	struct rlimit rl;
	struct stat st;
	int fd, err;

	if (kept_valid(k))
		return read_at_start(k->fd, buf, size);
	k->fd = -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno;
	err = read_at_start(fd, buf, size);
	if (!err && may_keep && getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    (rlim_t)fd + HEADROOM < rl.rlim_cur && fstat(fd, &st) == 0) {
		*k = (struct kept){ fd, st.st_dev, st.st_ino };
		*kept = 1;
	} else {
		close(fd);
	}
	return err;
}

static int read_once(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return errno;
	err = read_at_start(fd, buf, size);
	close(fd);
	return err;
}

/* With the lock: are the files kept now, by this process? */
static int keeping(void)
{
	return users && owner == getpid();
}

static void close_all_locked(void)
{
	struct thread_file *t;
	int i;

	for (i = 0; i < PROC_FILES; i++)
		kept_close(&files[i]);
	for (t = threads; t; t = t->next)
		if (t->generation == generation)
			kept_close(&t->k);
	kept_threads = 0;
	generation++;
}

/* A thread ends: its status file goes. */
static void thread_gone(void *arg)
{
	struct thread_file *t = arg, **pp;

	pthread_mutex_lock(&lock);
	if (t->generation == generation && t->k.fd >= 0) {
		kept_close(&t->k);
		kept_threads--;
	}
	for (pp = &threads; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	pthread_mutex_unlock(&lock);
	free(t);
}

static void make_key(void)
{
	pthread_key_create(&key, thread_gone);
}

static void lock_files(void)
{
	pthread_mutex_lock(&lock);
}

static void unlock_files(void)
{
	pthread_mutex_unlock(&lock);
}

/* In a fork() child: the copies of the parent's descriptors go, and the
 * records of threads that do not exist here. */
static void forget_in_child(void)
{
	struct thread_file *t, *next, *mine = NULL;

	close_all_locked();
	if (threads)
		mine = pthread_getspecific(key);
	for (t = threads; t; t = next) {
		next = t->next;
		if (t != mine)
			free(t);
	}
	threads = mine;
	if (mine)
		mine->next = NULL;
	users = 0;
	pthread_mutex_init(&lock, NULL);
}

static const struct fork_hooks fork_hooks = {
	.prepare = lock_files, .parent = unlock_files,
	.child = forget_in_child,
};

void proc_files_hold(void)
{
	char buf[4096];
	int i, first;

	fork_hooks_set(FORK_PROC_FILES, &fork_hooks);
	pthread_once(&key_once, make_key);
	pthread_mutex_lock(&lock);
	if (!keeping()) {
		if (users)	/* a fork child's count: the parent's */
			close_all_locked();
		users = 0;
		owner = getpid();
	}
	first = !users++;
	pthread_mutex_unlock(&lock);
	if (!first)
		return;
	for (i = 0; i < PROC_FILES; i++)
		proc_read((enum proc_file)i, buf, sizeof(buf), 1);
	proc_thread_status(buf, sizeof(buf), 1);
}

void proc_files_release(void)
{
	pthread_mutex_lock(&lock);
	if (keeping() && !--users)
		close_all_locked();
	pthread_mutex_unlock(&lock);
}

int proc_read(enum proc_file f, char *buf, size_t size, int keep)
{
	int err, kept = 0;

	pthread_mutex_lock(&lock);
	if (!keeping())
		err = read_once(paths[f], buf, size);
	else
		err = read_kept(&files[f], paths[f], keep, buf, size, &kept);
	pthread_mutex_unlock(&lock);
	return err;
}

int proc_read_path(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? errno : EIO;
	buf[n] = 0;
	return 0;
}

int proc_thread_status(char *buf, size_t size, int keep)
{
	static const char path[] = "/proc/thread-self/status";
	struct thread_file *t;
	int err, kept = 0;

	pthread_mutex_lock(&lock);
	if (!keeping() || (!keep && !pthread_getspecific(key))) {
		pthread_mutex_unlock(&lock);
		return read_once(path, buf, size);
	}
	if (!(t = pthread_getspecific(key))) {
		if (!(t = calloc(1, sizeof(*t))) ||
		    pthread_setspecific(key, t)) {
			free(t);
			pthread_mutex_unlock(&lock);
			return read_once(path, buf, size);
		}
		t->k.fd = -1;
		t->generation = generation;
		t->next = threads;
		threads = t;
	}
	if (t->generation != generation) {
		t->k.fd = -1;	/* closed with the others */
		t->generation = generation;
	}
	if (t->k.fd >= 0 && !kept_valid(&t->k)) {
		t->k.fd = -1;	/* the caller closed it */
		kept_threads--;
	}
	err = read_kept(&t->k, path, keep && kept_threads < MAX_KEPT_THREADS,
			buf, size, &kept);
	kept_threads += kept;
	pthread_mutex_unlock(&lock);
	return err;
}
