/*
 * What a reserve member's exec took from the caller and keeps: ids,
 * supplementary groups, capability sets, securebits, seccomp filters. A
 * member made before the caller dropped any of them (or added a filter)
 * would hand the dropped privilege to the program, so reserve_take()
 * uses a member only while all of them are as they were.
 *
 * Cheap in the common case: three or four system calls. Two sets cost
 * one call per capability, so they are read only when they can have
 * changed: the bounding set only shrinks, with CAP_SETPCAP, which a
 * permitted set without it can never regain; the ambient set is always
 * within permitted and inheritable, usually empty. Counting seccomp
 * filters needs /proc/self/status, read only when there is a filter.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/prctl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "reserve.h"

#define CAP_MAX 64
#define SET64(d, field) ((d)[0].field | (uint64_t)(d)[1].field << 32)

/* The number after "Seccomp_filters:" in /proc/self/status, or -1. */
static int seccomp_filters(void)
{
	char text[4096], *p;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = 0;
	p = strstr(text, "\nSeccomp_filters:");
	return p ? atoi(p + sizeof("\nSeccomp_filters:") - 1) : -1;
}

int creds_read(struct creds *c)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	uint64_t both;
	int cap;

	/* valgrind believes capget() writes one of the two. */
	memset(d, 0, sizeof(d));
	memset(c, 0, sizeof(*c));
	if (getresuid(&c->uid, &c->euid, &(uid_t){ 0 }) < 0 ||
	    getresgid(&c->gid, &c->egid, &(gid_t){ 0 }) < 0 ||
	    syscall(SYS_capget, &h, d) < 0)
		return -1;
	c->ngroups = getgroups(CREDS_GROUPS, c->groups);
	c->effective = SET64(d, effective);
	c->permitted = SET64(d, permitted);
	c->inheritable = SET64(d, inheritable);
	c->securebits = prctl(PR_GET_SECUREBITS);
	both = c->permitted & c->inheritable;
	for (cap = 0; cap < CAP_MAX; cap++)
		if ((both >> cap & 1) && prctl(PR_CAP_AMBIENT,
					       PR_CAP_AMBIENT_IS_SET, cap, 0,
					       0) == 1)
			c->ambient |= 1ull << cap;
	if (c->permitted & (1ull << CAP_SETPCAP))
		for (cap = 0; cap < CAP_MAX; cap++) {
			int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);

			if (r < 0)
				break;	/* past the last capability */
			c->bounding |= (uint64_t)r << cap;
		}
	c->seccomp = prctl(PR_GET_SECCOMP);
	if (c->seccomp == 2)
		c->seccomp = 2 + seccomp_filters();
	return 0;
}

int creds_same(const struct creds *then)
{
	struct creds now;

	/* More groups than a snapshot holds: cannot tell, so no. */
	if (creds_read(&now) < 0 || then->ngroups < 0)
		return 0;
	return now.uid == then->uid && now.euid == then->euid &&
	       now.gid == then->gid && now.egid == then->egid &&
	       now.ngroups == then->ngroups &&
	       !memcmp(now.groups, then->groups,
		       (size_t)now.ngroups * sizeof(gid_t)) &&
	       now.effective == then->effective &&
	       now.permitted == then->permitted &&
	       now.inheritable == then->inheritable &&
	       now.ambient == then->ambient &&
	       now.bounding == then->bounding &&
	       now.securebits == then->securebits &&
	       now.seccomp == then->seccomp;
}
