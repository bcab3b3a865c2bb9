/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The keys of pristine_config(). Each call is checked here as far as the
 * caller's side can check it, then becomes one record, applied in order by
 * the empty process at pristine_run().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/nsfs.h>
#include "errmsg.h"
#include "image.h"
#include "keys.h"
#include "pristine.h"
#include "record.h"
#include "rlimit-names.h"
#include "seccomp-check.h"
#include "wire.h"

#define PR_GET_MDWE_ 66

static int bad(const char *key, const char *why)
{
	errmsg_set("pristine_config: key \"%s\": %s", key ? key : "(null)",
		   why);
	return EINVAL;
}

/* Parses a non-negative decimal int filling the whole string. */
static int number(const char *s, int *out)
{
	char *end;
	long v;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

/* A private close-on-exec duplicate of the caller's fd. */
static int hold(int fd, int *out)
{
	int d = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	if (d < 0)
		return errno;
	*out = d;
	return 0;
}

static int strvec_add(struct strvec *sv, const char *s)
{
	char *copy;

	if (sv->n + 2 > sv->cap) {
		size_t cap = sv->cap ? 2 * sv->cap : 8;
		char **v = realloc(sv->v, cap * sizeof(*v));

		if (!v)
			return ENOMEM;
		sv->v = v;
		sv->cap = cap;
	}
	if (!(copy = strdup(s)))
		return ENOMEM;
	sv->v[sv->n++] = copy;
	sv->v[sv->n] = NULL;
	return 0;
}

static void strvec_free(struct strvec *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

void config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	request_init(&c->req);
	c->req.hint = key_hint;
}

void config_free(struct config *c)
{
	request_free(&c->req);
	strvec_free(&c->argv);
	strvec_free(&c->env);
	free(c->creds.groups);
	free(c->creds.keys);
}

_Static_assert(sizeof(((struct config *)0)->creds.w) == sizeof(struct pw_creds),
	       "room for struct pw_creds");

int config_flush(struct config *c)
{
	if (!c->creds.pending)
		return c->req.err;
	record_creds(&c->req, c->creds.keys, c->creds.w, c->creds.groups);
	free(c->creds.groups);
	free(c->creds.keys);
	memset(&c->creds, 0, sizeof(c->creds));
	return c->req.err;
}

/* The builders: command and value shape are checked already. */

static int build_none(const struct key *k, struct config *c,
		      const struct key_call *a)
{
	return record_none(&c->req, k->type, a->key);
}

static int build_int(const struct key *k, struct config *c,
		     const struct key_call *a)
{
	return record_int(&c->req, k->type, a->key, a->aux);
}

static int build_string(const struct key *k, struct config *c,
			const struct key_call *a)
{
	return record_string(&c->req, k->type, a->key, a->value);
}

static int build_strings(const struct key *k, struct config *c,
			 const struct key_call *a)
{
	return strvec_add(k->type == PW_REQ_ARGV ? &c->argv : &c->env,
			  a->value);
}

static int build_exec(const struct key *k, struct config *c,
		      const struct key_call *a)
{
	char *execfn = NULL, *kpath = NULL;
	int fd = -1, fd_name = -1, err;

	if (a->cmd == PRISTINE_SET_STRING) {
		/* Resolved by the empty process at the run, as execve(). */
		if ((err = record_image_at_run(&c->req, a->key, a->value)))
			return err;
		c->have_exec = 1;
		return 0;
	}
	if (a->cmd == PRISTINE_SET_PATH) {
		if ((fd = open_image(a->aux, a->value, &execfn, &kpath)) < 0)
			return -fd;
	} else {
		if ((err = hold(a->aux, &fd)))
			return err;
		fd_name = a->aux;	/* fexecve(aux) calls it /dev/fd/aux */
	}
	err = record_image_fd(&c->req, fd, fd_name, execfn, kpath);
	free(execfn);
	free(kpath);
	if (!err)
		c->have_exec = 1;
	return err;
}

static int build_cwd(const struct key *k, struct config *c,
		     const struct key_call *a)
{
	int fd = -1, err;

	if (a->cmd == PRISTINE_SET_STRING)
		return record_string(&c->req, PW_REQ_CHDIR, a->key, a->value);
	if (a->cmd == PRISTINE_SET_PATH) {
		fd = openat(a->aux, a->value, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return errno;
	} else if ((err = hold(a->aux, &fd))) {
		return err;
	}
	return record_with_fd(&c->req, k->type, a->key, fd);
}

static int build_fd(const struct key *k, struct config *c,
		    const struct key_call *a)
{
	int n, fd = -1, err;

	if (number(a->key + strlen(k->name), &n) < 0)
		return bad(a->key, "fd:N needs a decimal N >= 0");
	if ((err = hold(a->aux, &fd)))
		return err;
	return record_fd(&c->req, a->key, fd, n, 0);
}

static int build_ctty(const struct key *k, struct config *c,
		      const struct key_call *a)
{
	int fd = -1, err;

	if (!isatty(a->aux))
		return errno == EBADF ? EBADF : ENOTTY;
	if ((err = hold(a->aux, &fd)))
		return err;
	return record_with_fd(&c->req, k->type, a->key, fd);
}

static int build_sigset(const struct key *k, struct config *c,
			const struct key_call *a)
{
	uint64_t set = sigset_bits(a->value);

	if (k->type == PW_REQ_SIGIGNORE &&
	    (set & ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))))
		return bad(a->key, "SIGKILL and SIGSTOP cannot be ignored");
	return record_bits(&c->req, k->type, a->key, set);
}

static int build_rlimit(const struct key *k, struct config *c,
			const struct key_call *a)
{
	const char *name = a->key + strlen(k->name);
	const struct rlimit *rl = a->value;
	size_t i;

	for (i = 0; i < RLIMIT_NAMES; i++)
		if (!strcmp(name, rlimit_names[i].name))
			break;
	if (i == RLIMIT_NAMES)
		return bad(a->key, "unknown resource name");
	if (rl->rlim_cur > rl->rlim_max)
		return bad(a->key, "soft limit above hard limit");
	return record_rlimit(&c->req, a->key, rlimit_names[i].resource,
			     rl->rlim_cur, rl->rlim_max);
}

static int build_seccomp(const struct key *k, struct config *c,
			 const struct key_call *a)
{
	int err = a->aux < 0 ? EINVAL : seccomp_check(a->value, (size_t)a->aux);

	if (err == EINVAL)
		return bad(a->key, k->why);
	if (err)	/* ENOMEM: the check itself could not be made */
		return err;
	return record_seccomp(&c->req, a->key, a->value, (size_t)a->aux);
}

static int build_mode(const struct key *k, struct config *c,
		      const struct key_call *a)
{
	if (!strcmp(a->value, "default"))
		c->mode = PW_RUN_DEFAULT;
	else if (!strcmp(a->value, "loader"))
		c->mode = PW_RUN_LOADER;
	else if (!strcmp(a->value, "kernel"))
		c->mode = PW_RUN_KERNEL;
	else
		return bad(a->key, k->why);
	return 0;
}

/* A credential key: merged into the pending step (see struct config). */
static int build_creds(const struct key *k, struct config *c,
		       const struct key_call *a)
{
	struct pw_creds w;
	uint32_t id = (uint32_t)a->aux, *groups = NULL;
	uint64_t set = 0;
	char *keys;
	size_t n = 0;

	if (k->shape == KEY_INT && a->aux == -1)
		return bad(a->key, "-1 is not an id");
	if (k->shape == KEY_STRUCT)
		memcpy(&set, a->value, sizeof(set));
	if (k->sub == PW_CREDS_GROUPS) {
		n = (size_t)a->aux / sizeof(gid_t);
		if (a->aux < 0 || a->aux % sizeof(gid_t) || n > 65536 ||
		    (n && !a->value))
			return bad(a->key, k->why);
		if (n && !(groups = malloc(n * sizeof(*groups))))
			return ENOMEM;
		if (n)
			memcpy(groups, a->value, n * sizeof(*groups));
	}
	if (asprintf(&keys, "%s%s%s", c->creds.pending ? c->creds.keys : "",
		     c->creds.pending ? ", " : "", a->key) < 0) {
		free(groups);
		return ENOMEM;
	}
	memcpy(&w, c->creds.w, sizeof(w));
	if (!c->creds.pending)
		w = (struct pw_creds){ .ruid = ~0u, .euid = ~0u,
				       .rgid = ~0u, .egid = ~0u };
	w.flags |= k->sub;
	/* uid and gid set the real and the effective id, ruid and rgid
	 * the real one, euid and egid the effective one. */
	switch (k->sub) {
	case PW_CREDS_UIDS:
		if (k->name[0] != 'e')
			w.ruid = id;
		if (k->name[0] != 'r')
			w.euid = id;
		break;
	case PW_CREDS_GIDS:
		if (k->name[0] != 'e')
			w.rgid = id;
		if (k->name[0] != 'r')
			w.egid = id;
		break;
	case PW_CREDS_GROUPS:
		free(c->creds.groups);
		c->creds.groups = groups;
		w.ngroups = (uint32_t)n;
		break;
	case PW_CREDS_SECUREBITS:
		w.securebits = id;
		break;
	case PW_CREDS_BOUNDING:
		w.bounding = set;
		break;
	case PW_CREDS_INHERITABLE:
		w.inheritable = set;
		break;
	case PW_CREDS_AMBIENT:
		w.ambient = set;
		break;
	}
	memcpy(c->creds.w, &w, sizeof(w));
	free(c->creds.keys);
	c->creds.keys = keys;
	c->creds.pending = 1;
	return 0;
}

/* A kernel without a feature is told at the call, not at the run. */
static int missing(const char *key, const char *what)
{
	errmsg_set("pristine_config: key \"%s\": this kernel has no %s", key,
		   what);
	return EINVAL;
}

/* Every namespace type in flags is one this kernel has. */
static int check_namespaces(const char *key, int flags)
{
	static const struct { int flag; const char *file; } types[] = {
		{ CLONE_NEWNS, "mnt" }, { CLONE_NEWUTS, "uts" },
		{ CLONE_NEWIPC, "ipc" }, { CLONE_NEWNET, "net" },
		{ CLONE_NEWPID, "pid" }, { CLONE_NEWUSER, "user" },
		{ CLONE_NEWCGROUP, "cgroup" }, { 0x80, "time" },
	};
	char path[32], what[32];
	size_t i;
	int all = 0;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		all |= types[i].flag;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", types[i].file);
		snprintf(what, sizeof(what), "%s namespaces", types[i].file);
		if ((flags & types[i].flag) && access(path, F_OK) < 0 &&
		    errno == ENOENT)
			return missing(key, what);
	}
	return flags & ~all ? bad(key, "needs CLONE_NEW* flags only") : 0;
}

static int build_attr(const struct key *k, struct config *c,
		      const struct key_call *a)
{
	int64_t v = k->shape == KEY_NONE ? 1 : a->aux;
	int err;

	if (k->sub == PW_ATTR_UNSHARE && (err = check_namespaces(a->key, a->aux)))
		return err;
	if (k->sub == PW_ATTR_MDWE && prctl(PR_GET_MDWE_, 0, 0, 0, 0) < 0)
		return missing(a->key, "PR_SET_MDWE (Linux 6.3)");
	if (k->sub == PW_ATTR_IOPRIO && (a->aux >> 13 > 3 || (a->aux & 0x1ff8)))
		return bad(a->key, k->why);
	return record_attr(&c->req, a->key, k->sub, v);
}

/* Is fd a pidfd? Its fdinfo has a "Pid:" line (Linux 5.3). */
static int is_pidfd(int fd)
{
	char path[48], buf[256];
	ssize_t n;
	int info;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if ((info = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(info, buf, sizeof(buf) - 1);
	close(info);
	buf[n > 0 ? n : 0] = 0;
	return strstr(buf, "\nPid:") != NULL;
}

static int build_setns(const struct key *k, struct config *c,
		       const struct key_call *a)
{
	int fd = -1, type, err;

	type = ioctl(a->aux, NS_GET_NSTYPE);
	if (type < 0) {
		/* Not a namespace: a pidfd, for setns:TYPE only. */
		if (errno == EBADF)
			return EBADF;
		if (!is_pidfd(a->aux))
			return bad(a->key, "not a namespace or a pidfd");
		if (!k->sub)
			return bad(a->key, "a pidfd needs setns:TYPE");
	} else if (k->sub && (uint32_t)type != k->sub) {
		return bad(a->key, "a namespace of another type");
	}
	if ((err = hold(a->aux, &fd)))
		return err;
	return record_setns(&c->req, a->key, fd,
			    k->sub ? (int)k->sub : type);
}

static int build_proc(const struct key *k, struct config *c,
		      const struct key_call *a)
{
	char num[16];
	const char *text = a->value;

	if (k->sub == PW_PROC_OOM_SCORE_ADJ) {
		snprintf(num, sizeof(num), "%d", a->aux);
		text = num;
	} else if (!*text || (k->sub == PW_PROC_SETGROUPS &&
			      strcmp(text, "allow") && strcmp(text, "deny"))) {
		return bad(a->key, k->why);
	}
	return record_proc(&c->req, a->key, (int)k->sub, text);
}

static int build_mount(const struct key *k, struct config *c,
		       const struct key_call *a)
{
	static const struct { const char *name; unsigned long flag; } how[] = {
		{ "private", MS_PRIVATE }, { "slave", MS_SLAVE },
		{ "shared", MS_SHARED },
	};
	size_t i;

	if (k->sub == PW_MOUNT_PROC)
		return record_mount(&c->req, a->key, PW_MOUNT_PROC,
				    MS_NOSUID | MS_NODEV | MS_NOEXEC,
				    a->value);
	for (i = 0; i < sizeof(how) / sizeof(how[0]); i++)
		if (!strcmp(a->value, how[i].name))
			return record_mount(&c->req, a->key,
					    PW_MOUNT_PROPAGATION,
					    MS_REC | how[i].flag, "/");
	return bad(a->key, k->why);
}

static int build_chroot(const struct key *k, struct config *c,
			const struct key_call *a)
{
	int fd = -1, err;

	if (a->cmd == PRISTINE_SET_STRING)
		return record_string(&c->req, PW_REQ_CHROOT, a->key, a->value);
	if (a->cmd == PRISTINE_SET_PATH) {
		fd = openat(a->aux, a->value, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return errno;
	} else if ((err = hold(a->aux, &fd))) {
		return err;
	}
	return record_with_fd(&c->req, k->type, a->key, fd);
}

static int build_landlock(const struct key *k, struct config *c,
			  const struct key_call *a)
{
	char link[64], path[40];
	ssize_t n;
	int fd = -1, err;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", a->aux);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0 && fcntl(a->aux, F_GETFD) < 0)
		return EBADF;
	link[n > 0 ? n : 0] = 0;
	if (n >= 0 && !strstr(link, "landlock-ruleset"))
		return bad(a->key, k->why);
	if ((err = hold(a->aux, &fd)))
		return err;
	return record_with_fd(&c->req, k->type, a->key, fd);
}

static int build_bytes(const struct key *k, struct config *c,
		       const struct key_call *a)
{
	unsigned char buf[8192] = { 0 };
	size_t len = (size_t)a->aux, i;
	uint32_t size = (uint32_t)len;
	int any = 0;

	if (a->aux <= 0 || len > sizeof(buf) || !a->value)
		return bad(a->key, k->why);
	memcpy(buf, a->value, len);
	if (k->type == PW_REQ_SCHED_ATTR) {
		/* Its size field is its length: the kernel reads that
		 * much. */
		if (len < 48)
			return bad(a->key, k->why);
		memcpy(buf, &size, sizeof(size));
	} else {
		for (i = 0; i < len; i++)
			any |= buf[i];
		if (!any)
			return bad(a->key, "needs at least one CPU");
		len = (len + 7) & ~(size_t)7;	/* whole longs */
	}
	return record_bytes(&c->req, k->type, a->key, buf, len);
}

/* The rows of one shape, as the kernel's fsparam_*() macros. */
#define CMD(c) (1u << PRISTINE_SET_##c)
#define FLAG(n, t) { .name = n, .cmds = CMD(FLAG), .shape = KEY_NONE, \
		     .type = t, .build = build_none }
#define INT(n, t, l, h, w) { .name = n, .cmds = CMD(INT), .shape = KEY_INT, \
			     .lo = l, .hi = h, .why = w, .type = t, \
			     .build = build_int }
#define STRING(n, t, w, b) { .name = n, .cmds = CMD(STRING), \
			     .shape = KEY_STRING, .why = w, .type = t, \
			     .build = b }
/* What a credential step needs (one step may merge several keys). */
#define CREDS_PERM "CAP_SETUID, CAP_SETGID or CAP_SETPCAP; an ambient " \
	"capability must be permitted and inheritable"
#define ID(n, s) { .name = n, .cmds = CMD(INT), .shape = KEY_INT, \
		     .lo = INT_MIN, .hi = INT_MAX, .why = "not an id", \
		     .type = PW_REQ_CREDS, .sub = s, .perm = CREDS_PERM, \
		     .build = build_creds }
#define CAPS(n, s) { .name = n, .cmds = CMD(BINARY), .shape = KEY_STRUCT, \
		       .size = sizeof(uint64_t), \
		       .why = "needs a uint64_t mask with aux = 8", \
		       .type = PW_REQ_CREDS, .sub = s, .perm = CREDS_PERM, \
		       .build = build_creds }
#define ATTR(n, s, l, h, w, p) { .name = n, .cmds = CMD(INT), \
				 .shape = KEY_INT, .lo = l, .hi = h, .why = w, \
				 .type = PW_REQ_ATTR, .sub = s, .perm = p, \
				 .build = build_attr }
#define ATTR_FLAG(n, s) { .name = n, .cmds = CMD(FLAG), .shape = KEY_NONE, \
			  .type = PW_REQ_ATTR, .sub = s, .build = build_attr }
#define PROC(n, s, w) { .name = n, .cmds = CMD(STRING), .shape = KEY_STRING, \
			.why = w, .type = PW_REQ_PROC_WRITE, .sub = s, \
			.perm = "a new user namespace; only the caller's own " \
				"id can be mapped without CAP_SETUID or " \
				"CAP_SETGID, and setgroups must be deny " \
				"before a gid-map", \
			.flags = KEY_OWN_PROCESS, .build = build_proc }
#define SETNS(n, s) { .name = n, .cmds = CMD(FD), .shape = KEY_FD, \
		      .type = PW_REQ_SETNS, .sub = s, \
		      .perm = "CAP_SYS_ADMIN in the user namespace that owns " \
			      "the namespace", \
		      .flags = KEY_OWN_PROCESS, .build = build_setns }
#define SIGSET(n, t) { .name = n, .cmds = CMD(BINARY), .shape = KEY_STRUCT, \
		       .size = sizeof(sigset_t), \
		       .why = "needs a sigset_t with aux = sizeof(sigset_t)", \
		       .type = t, .build = build_sigset }

static const struct key keys[] = {
	{ .name = "exec", .cmds = CMD(PATH) | CMD(FD) | CMD(STRING),
	  .shape = KEY_FILE, .why = "needs a path",
	  .wrong = "takes PRISTINE_SET_PATH, PRISTINE_SET_FD or "
		   "PRISTINE_SET_STRING",
	  .type = PW_REQ_IMAGE, .build = build_exec },
	STRING("argv", PW_REQ_ARGV, "needs a string", build_strings),
	STRING("env", PW_REQ_ENVP, "needs a string", build_strings),
	{ .name = "cwd", .cmds = CMD(PATH) | CMD(FD) | CMD(STRING),
	  .shape = KEY_FILE, .why = "needs a path", .type = PW_REQ_FCHDIR_FD,
	  .build = build_cwd },
	{ .name = "fd:", .cmds = CMD(FD), .shape = KEY_FD,
	  .type = PW_REQ_FD, .build = build_fd },
	{ .name = "close-from", .cmds = CMD(INT), .shape = KEY_FDNUM,
	  .type = PW_REQ_CLOSEFROM, .build = build_int },
	INT("umask", PW_REQ_UMASK, 0, 0777, "needs a mode within 0777"),
	FLAG("setsid", PW_REQ_SETSID),
	INT("pgroup", PW_REQ_SETPGID, 0, INT_MAX,
	    "needs a process group id >= 0"),
	SIGSET("sigmask", PW_REQ_SIGMASK),
	SIGSET("sigdefault", PW_REQ_SIGDEFAULT),
	SIGSET("sigignore", PW_REQ_SIGIGNORE),
	{ .name = "rlimit:", .cmds = CMD(BINARY), .shape = KEY_STRUCT,
	  .size = sizeof(struct rlimit),
	  .why = "needs a struct rlimit, aux = its size",
	  .type = PW_REQ_RLIMIT, .build = build_rlimit },
	FLAG("no-new-privs", PW_REQ_NO_NEW_PRIVS),
	FLAG("resetids", PW_REQ_RESETIDS),
	{ .name = "seccomp", .cmds = CMD(BINARY), .shape = KEY_BYTES,
	  .why = "not a valid seccomp BPF program",
	  .type = PW_REQ_SECCOMP, .build = build_seccomp },
	STRING("name", PW_REQ_NAME, "needs a string", build_string),
	{ .name = "pdeathsig", .cmds = CMD(INT), .shape = KEY_INT,
	  .lo = 0, .hi = 64, .why = "not a signal number",
	  .type = PW_REQ_PDEATHSIG, .flags = KEY_OWN_PROCESS,
	  .build = build_int },
	{ .name = "ctty", .cmds = CMD(FD), .shape = KEY_FD,
	  .type = PW_REQ_CTTY, .build = build_ctty },
	STRING("mode", 0, "is \"default\", \"loader\" or \"kernel\"",
	       build_mode),
	/* Credentials: one step while they follow one another. */
	ID("uid", PW_CREDS_UIDS), ID("ruid", PW_CREDS_UIDS),
	ID("euid", PW_CREDS_UIDS), ID("gid", PW_CREDS_GIDS),
	ID("rgid", PW_CREDS_GIDS), ID("egid", PW_CREDS_GIDS),
	{ .name = "groups", .cmds = CMD(BINARY), .shape = KEY_BYTES,
	  .why = "needs an array of at most 65536 gid_t, aux = its bytes",
	  .type = PW_REQ_CREDS, .sub = PW_CREDS_GROUPS, .perm = CREDS_PERM,
	  .build = build_creds },
	{ .name = "securebits", .cmds = CMD(INT), .shape = KEY_INT,
	  .lo = 0, .hi = 0xffff, .why = "not a set of securebits",
	  .type = PW_REQ_CREDS, .sub = PW_CREDS_SECUREBITS, .perm = CREDS_PERM,
	  .build = build_creds },
	CAPS("cap-bounding", PW_CREDS_BOUNDING),
	CAPS("cap-inheritable", PW_CREDS_INHERITABLE),
	CAPS("cap-ambient", PW_CREDS_AMBIENT),
	/* Namespaces and the root. */
	{ .name = "unshare", .cmds = CMD(INT), .shape = KEY_INT,
	  .lo = 1, .hi = INT_MAX, .why = "needs CLONE_NEW* flags only",
	  .type = PW_REQ_ATTR, .sub = PW_ATTR_UNSHARE,
	  .perm = "CAP_SYS_ADMIN, or CLONE_NEWUSER in the same call",
	  .flags = KEY_OWN_PROCESS, .build = build_attr },
	SETNS("setns", 0),
	SETNS("setns:mnt", CLONE_NEWNS), SETNS("setns:uts", CLONE_NEWUTS),
	SETNS("setns:ipc", CLONE_NEWIPC), SETNS("setns:net", CLONE_NEWNET),
	SETNS("setns:pid", CLONE_NEWPID), SETNS("setns:user", CLONE_NEWUSER),
	SETNS("setns:cgroup", CLONE_NEWCGROUP),
	SETNS("setns:time", 0x80 /* CLONE_NEWTIME */),
	PROC("uid-map", PW_PROC_UID_MAP, "needs the text of a uid_map"),
	PROC("gid-map", PW_PROC_GID_MAP, "needs the text of a gid_map"),
	PROC("setgroups", PW_PROC_SETGROUPS, "is \"allow\" or \"deny\""),
	PROC("time-offsets", PW_PROC_TIMENS_OFFSETS,
	     "needs the text of timens_offsets"),
	{ .name = "mount-propagation", .cmds = CMD(STRING),
	  .shape = KEY_STRING, .why = "is \"private\", \"slave\" or \"shared\"",
	  .type = PW_REQ_MOUNT, .sub = PW_MOUNT_PROPAGATION,
	  .perm = "a new mount namespace and CAP_SYS_ADMIN in its user "
		  "namespace",
	  .flags = KEY_OWN_PROCESS, .build = build_mount },
	{ .name = "mount-proc", .cmds = CMD(STRING), .shape = KEY_STRING,
	  .why = "needs a directory", .type = PW_REQ_MOUNT,
	  .sub = PW_MOUNT_PROC,
	  .perm = "a new mount namespace and CAP_SYS_ADMIN in the user "
		  "namespace of the PID namespace",
	  .flags = KEY_OWN_PROCESS, .build = build_mount },
	{ .name = "chroot", .cmds = CMD(PATH) | CMD(FD) | CMD(STRING),
	  .shape = KEY_FILE, .why = "needs a path", .type = PW_REQ_CHROOT_FD,
	  .perm = "CAP_SYS_CHROOT", .flags = KEY_OWN_PROCESS,
	  .build = build_chroot },
	/* Landlock. */
	{ .name = "landlock", .cmds = CMD(FD), .shape = KEY_FD,
	  .why = "not a Landlock ruleset", .type = PW_REQ_LANDLOCK,
	  .perm = "no-new-privs before it, or CAP_SYS_ADMIN",
	  .build = build_landlock },
	/* Scheduling and resources. */
	ATTR("nice", PW_ATTR_NICE, -20, 19, "needs a nice value in -20..19",
	     "CAP_SYS_NICE or RLIMIT_NICE for a lower value"),
	{ .name = "sched", .cmds = CMD(BINARY), .shape = KEY_BYTES,
	  .why = "needs a struct sched_attr, aux = its size",
	  .perm = "CAP_SYS_NICE or RLIMIT_RTPRIO for a real-time policy",
	  .type = PW_REQ_SCHED_ATTR, .build = build_bytes },
	{ .name = "affinity", .cmds = CMD(BINARY), .shape = KEY_BYTES,
	  .why = "needs a CPU mask of at most 8192 bytes, aux = its size",
	  .type = PW_REQ_AFFINITY, .build = build_bytes },
	ATTR("ioprio", PW_ATTR_IOPRIO, 0, INT_MAX,
	     "needs IOPRIO_PRIO_VALUE(class 0..3, level 0..7)",
	     "CAP_SYS_ADMIN for the real-time class"),
	{ .name = "oom-score-adj", .cmds = CMD(INT), .shape = KEY_INT,
	  .lo = -1000, .hi = 1000, .why = "needs a value in -1000..1000",
	  .type = PW_REQ_PROC_WRITE, .sub = PW_PROC_OOM_SCORE_ADJ,
	  .perm = "CAP_SYS_RESOURCE for a value below the lowest it had",
	  .build = build_proc },
	ATTR("timer-slack", PW_ATTR_TIMERSLACK, 0, INT_MAX,
	     "needs nanoseconds >= 0", NULL),
	ATTR_FLAG("mdwe", PW_ATTR_MDWE),
	ATTR_FLAG("thp-disable", PW_ATTR_THP_DISABLE),
	ATTR("personality", PW_ATTR_PERSONALITY, 0, INT_MAX,
	     "needs a personality >= 0", NULL),
};

static const struct key *lookup(const char *name)
{
	const struct key *k;

	for (k = keys; k < keys + sizeof(keys) / sizeof(keys[0]); k++) {
		size_t n = strlen(k->name);

		if (k->name[n - 1] == ':' ? !strncmp(name, k->name, n)
					  : !strcmp(name, k->name))
			return k;
	}
	return NULL;
}

static int shape_ok(const struct key *k, const struct key_call *a)
{
	switch (k->shape) {
	case KEY_INT:
		return a->aux >= k->lo && a->aux <= k->hi;
	case KEY_STRING:
		return a->value != NULL;
	case KEY_STRUCT:
		return a->value && a->aux == (int)k->size;
	case KEY_FILE:
		return a->cmd == PRISTINE_SET_FD || a->value;
	default:
		return 1;
	}
}

const char *key_hint(const char *key, int err)
{
	static __thread char hint[256];
	const struct key *k;
	char first[32];

	if (err != EPERM && err != EACCES)
		return "";
	/* A credential step is named after all its keys: the first says. */
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(key, ","), key);
	if (!(k = lookup(first)) || !k->perm)
		return "";
	snprintf(hint, sizeof(hint), " (needs %s)", k->perm);
	return hint;
}

int key_build(const struct key *k, struct config *c,
	      const struct key_call *call)
{
	if (k->build != build_creds && config_flush(c))
		return c->req.err;
	return k->build(k, c, call);
}

int key_parse(const struct key_call *call, const struct key **found)
{
	const struct key *k;

	if (!call->key)
		return bad(call->key, "no key");
	if (!(k = lookup(call->key)))
		return bad(call->key, "unknown key");
	if (call->cmd >= 32 || !(k->cmds & (1u << call->cmd)))
		return bad(call->key, k->wrong ? k->wrong
					       : "wrong command for this key");
	if (k->shape == KEY_FDNUM && call->aux < 0)
		return EBADF;
	if (!shape_ok(k, call))
		return bad(call->key, k->why);
	*found = k;
	return 0;
}
