/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * setpriv(1)'s options: user and group ids, supplementary groups,
 * capability sets and securebits, in setpriv's spelling. Changes written
 * relative to the current state ("-all,+net_raw") are made absolute here,
 * from pristine-run's own state, which is the empty process's: its exec
 * keeps all of it (only KEEP_CAPS, which setpriv refuses to adjust, is
 * cleared).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "pristine.h"
#include "run.h"
#include "tool.h"

/* Capability names as setpriv and capabilities(7) write them. */
static const char *const cap_names[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid",
	"kill", "setgid", "setuid", "setpcap", "linux_immutable",
	"net_bind_service", "net_broadcast", "net_admin", "net_raw",
	"ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot",
	"sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
	"sys_resource", "sys_time", "sys_tty_config", "mknod", "lease",
	"audit_write", "audit_control", "setfcap", "mac_override",
	"mac_admin", "syslog", "wake_alarm", "block_suspend", "audit_read",
	"perfmon", "bpf", "checkpoint_restore",
};
#define NCAPS (int)(sizeof(cap_names) / sizeof(cap_names[0]))

/* The capabilities this kernel knows: bits 0..last. */
static uint64_t known_caps(void)
{
	int last = 0;

	while (last < 63 && prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0) >= 0)
		last++;
	return last == 63 ? ~0ull : (1ull << (last + 1)) - 1;
}

static int cap_number(const char *name)
{
	int i;

	if (!strncasecmp(name, "cap_", 4))
		name += 4;
	for (i = 0; i < NCAPS; i++)
		if (!strcasecmp(name, cap_names[i]))
			return i;
	return (int)tool_number(name, 0, 63);
}

/* "+cap,-cap,+all": applied to *set, as setpriv's do_caps(). */
static void cap_changes(const char *opt, const char *arg, uint64_t *set)
{
	char *copy = strdup(arg), *w, *save = NULL;

	if (!copy)
		oom();
	for (w = strtok_r(copy, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		uint64_t bits;
		int cap;

		if (*w != '+' && *w != '-')
			tool_usage_error("%s '%s': expected +CAP or -CAP, "
					 "comma-separated", opt, arg);
		if (!strcmp(w + 1, "all")) {
			bits = known_caps();
		} else {
			if ((cap = cap_number(w + 1)) < 0)
				tool_usage_error("%s: unknown capability '%s'",
						 opt, w + 1);
			bits = 1ull << cap;
		}
		*set = *w == '+' ? *set | bits : *set & ~bits;
	}
	free(copy);
}

static char *describe_caps(uint64_t set)
{
	char *s = NULL, *t;
	int i;

	for (i = 0; i < 64; i++) {
		if (!(set & (1ull << i)))
			continue;
		if (i < NCAPS)
			t = xasprintf("%s%s%s", s ? s : "", s ? "," : "",
				      cap_names[i]);
		else
			t = xasprintf("%s%s%d", s ? s : "", s ? "," : "", i);
		free(s);
		s = t;
	}
	return s ? s : xasprintf("(none)");
}

static void read_caps(uint64_t *inheritable)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &hdr, d) < 0) {
		tool_error("capget: %s", strerror(errno));
		exit(TOOL_EXIT_FAILURE);
	}
	*inheritable = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
}

/* One capability set: --inh-caps, --ambient-caps or --bounding-set. */
void opt_caps(char *opt, const char *which, const char *arg)
{
	struct step *s;
	uint64_t set = 0, *v;
	int i;

	if (!strcmp(which, "cap-inheritable")) {
		read_caps(&set);
	} else if (!strcmp(which, "cap-bounding")) {
		for (i = 0; i < 64; i++)
			if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1)
				set |= 1ull << i;
	} else {
		for (i = 0; i < 64; i++)
			if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, i, 0,
				  0) == 1)
				set |= 1ull << i;
	}
	cap_changes(opt, arg, &set);
	if (!(v = malloc(sizeof(*v))))
		oom();
	*v = set;
	s = add_step(opt, which, PRISTINE_SET_BINARY);
	s->binary = v;
	s->aux = sizeof(*v);
	s->what = describe_caps(set);
}

unsigned int user_or_group(const char *opt, const char *arg, int group)
{
	struct passwd *pw;
	struct group *gr;
	long v;

	if (!group && (pw = getpwnam(arg)))
		return pw->pw_uid;
	if (group && (gr = getgrnam(arg)))
		return gr->gr_gid;
	if ((v = tool_number(arg, 0, 0xfffffffeL)) < 0)
		tool_usage_error("%s: no such %s '%s'", opt,
				 group ? "group" : "user", arg);
	return (unsigned int)v;
}

/* The uid the command's user will have, for --init-groups. */
static long target_uid = -1;

void opt_id(char *opt, const char *key, const char *arg)
{
	struct step *s = add_step(opt, key, PRISTINE_SET_INT);
	unsigned int id = user_or_group(opt, arg, key[strlen(key) - 3] == 'g');

	if (!strcmp(key, "uid") || !strcmp(key, "ruid"))
		target_uid = id;
	s->aux = (int)id;
	s->what = xasprintf("%u", id);
}

static void groups_step(char *opt, gid_t *list, size_t n)
{
	struct step *s = add_step(opt, "groups", PRISTINE_SET_BINARY);
	char *d = NULL, *t;
	size_t i;

	s->binary = list;
	s->aux = (int)(n * sizeof(*list));
	for (i = 0; i < n; i++) {
		t = xasprintf("%s%s%u", d ? d : "", d ? "," : "",
			      (unsigned int)list[i]);
		free(d);
		d = t;
	}
	s->what = d ? d : xasprintf("(none)");
}

void opt_groups(char *opt, const char *arg)
{
	char *copy = strdup(arg), *w, *save = NULL;
	gid_t *list = NULL;
	size_t n = 0;

	if (!copy)
		oom();
	for (w = strtok_r(copy, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		if (!(list = realloc(list, (n + 1) * sizeof(*list))))
			oom();
		list[n++] = user_or_group(opt, w, 1);
	}
	free(copy);
	groups_step(opt, list, n);
}

void opt_clear_groups(char *opt)
{
	/* Not NULL: apply() takes a step without bytes for a sigset. */
	groups_step(opt, xcalloc(1, sizeof(gid_t)), 0);
}

/* initgroups(3) of the user --ruid or --reuid named, as setpriv does. */
void opt_init_groups(char *opt)
{
	struct passwd *pw;
	gid_t *list;
	int n = 64;

	if (target_uid < 0)
		tool_usage_error("%s needs --ruid or --reuid before it", opt);
	if (!(pw = getpwuid((uid_t)target_uid)))
		tool_usage_error("%s: uid %ld has no user name", opt,
				 target_uid);
	for (;;) {
		int want = n;

		if (!(list = malloc((size_t)n * sizeof(*list))))
			oom();
		if (getgrouplist(pw->pw_name, pw->pw_gid, list, &n) >= 0)
			break;
		free(list);
		if (n <= want)
			n = want * 2;
	}
	groups_step(opt, list, (size_t)n);
}

/* setpriv's securebits names, relative to the current bits. */
void opt_securebits(char *opt, const char *arg)
{
	static const struct { const char *name; int bit; } bits[] = {
		{ "noroot", SECBIT_NOROOT },
		{ "noroot_locked", SECBIT_NOROOT_LOCKED },
		{ "no_setuid_fixup", SECBIT_NO_SETUID_FIXUP },
		{ "no_setuid_fixup_locked", SECBIT_NO_SETUID_FIXUP_LOCKED },
		{ "keep_caps_locked", SECBIT_KEEP_CAPS_LOCKED },
	};
	char *copy = strdup(arg), *w, *save = NULL;
	int v = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	struct step *s;
	size_t i;

	if (!copy)
		oom();
	if (v < 0)
		v = 0;
	for (w = strtok_r(copy, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		if ((*w != '+' && *w != '-'))
			tool_usage_error("%s '%s': expected +BIT or -BIT", opt,
					 arg);
		if (!strcmp(w + 1, "all") && *w == '-') {
			v = 0;
			continue;
		}
		for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
			if (!strcmp(w + 1, bits[i].name))
				break;
		if (i == sizeof(bits) / sizeof(bits[0]))
			tool_usage_error("%s: unknown securebit '%s' (keep_caps "
					 "is cleared by exec)", opt, w + 1);
		v = *w == '+' ? v | bits[i].bit : v & ~bits[i].bit;
	}
	free(copy);
	s = add_step(opt, "securebits", PRISTINE_SET_INT);
	s->aux = v & ~SECBIT_KEEP_CAPS;
	s->what = xasprintf("0x%x", s->aux);
}
