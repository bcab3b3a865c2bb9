/* test-faults: hostile peers, dying processes, exhausted limits, signals
 * and privileges. Shared helpers and the suites. */
#ifndef PRISTINE_TESTS_FAULTS_H
#define PRISTINE_TESTS_FAULTS_H

#include <sys/types.h>
#include "testlib.h"

/* A private directory for the run (0755), made by main(). */
extern char faults_tmp[256];
/* The real loader, from PRISTINE_LOADER at start. */
extern const char *real_loader;
/* Where the test programs are built. */
extern const char *tests_builddir;

/* Set by a suite that left a test out; main() then exits 77. */
extern int faults_skipped;
void skip_test(const char *name, const char *why);

/* Points PRISTINE_LOADER at the fake loader misbehaving as mode. */
void use_fake_loader(const char *mode);

/* The live children of parent whose comm is name (any, if NULL), at
 * most max of them into pids (may be NULL); returns how many there are. */
int children_of(pid_t parent, const char *name, pid_t *pids, int max);
/* The children of this process whose comm is name, at most max of them
 * into pids (may be NULL); returns how many there are. */
int children_named(const char *name, pid_t *pids, int max);
/* The only such child, waiting up to 5 s for it to appear. */
pid_t child_named(const char *name);
/* Waits up to 5 s until pid is a zombie or gone. */
void await_death(pid_t pid);
/* Waits up to 5 s until pid sleeps in system call nr. */
void await_syscall(pid_t pid, int nr);
/* Counts SIGPIPE from now on (instead of dying of it). */
void count_sigpipe(void);
extern volatile int sigpipes;

/* "path" under faults_tmp. */
const char *tmp_path(const char *name);
/* "path" under tests_builddir. */
const char *built(const char *name);

Suite *death_suite(void);
Suite *peer_suite(void);
Suite *loader_input_suite(void);
Suite *limits_suite(void);
Suite *signals_suite(void);
Suite *privilege_suite(void);

#endif
