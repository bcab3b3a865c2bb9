/* Helpers shared by the Check suites. */
#ifndef PRISTINE_TESTLIB_H
#define PRISTINE_TESTLIB_H

#include <check.h>
#include <sys/types.h>

extern char **environ;

/* Number of open descriptors of this process. */
int count_fds(void);
/* waitpid() that retries EINTR; returns the status. */
int wait_status(pid_t pid);
/* Reads everything from fd into a NUL-terminated malloc'd buffer. */
char *slurp_fd(int fd);
/* Spawns argv through pristine_spawnp with stdout into a pipe, waits, and
 * returns the output (malloc'd); *status gets the wait status. */
char *spawn_output(char *const argv[], int *status);
/* Does the calling process have any child (waitable or not)? */
int has_children(void);
/* Is this process running under valgrind (which turns vfork into fork)? */
int under_valgrind(void);

Suite *open_suite(void);
Suite *spawn_suite(void);
Suite *guarantees_suite(void);

#endif
