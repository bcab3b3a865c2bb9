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
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "errmsg.h"
#include "image.h"
#include "keys.h"
#include "pristine.h"
#include "record.h"
#include "rlimit-names.h"
#include "seccomp-check.h"
#include "wire.h"

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
}

void config_free(struct config *c)
{
	request_free(&c->req);
	strvec_free(&c->argv);
	strvec_free(&c->env);
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
	if (a->aux < 0 || seccomp_check(a->value, (size_t)a->aux))
		return bad(a->key, k->why);
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
#define SIGSET(n, t) { .name = n, .cmds = CMD(BINARY), .shape = KEY_STRUCT, \
		       .size = sizeof(sigset_t), \
		       .why = "needs a sigset_t with aux = sizeof(sigset_t)", \
		       .type = t, .build = build_sigset }

static const struct key keys[] = {
	{ .name = "exec", .cmds = CMD(PATH) | CMD(FD), .shape = KEY_FILE,
	  .why = "needs a path",
	  .wrong = "takes PRISTINE_SET_PATH or PRISTINE_SET_FD",
	  .type = PW_REQ_IMAGE, .build = build_exec },
	STRING("argv", PW_REQ_ARGV, "needs a string", build_strings),
	STRING("env", PW_REQ_ENVP, "needs a string", build_strings),
	{ .name = "cwd", .cmds = CMD(PATH) | CMD(FD), .shape = KEY_FILE,
	  .why = "needs a path", .type = PW_REQ_FCHDIR_FD,
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
		return a->cmd != PRISTINE_SET_PATH || a->value;
	default:
		return 1;
	}
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
