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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>
#include "record.h"
#include "registry.h"
#include "rlimit-names.h"

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

static int sigset_value(const char *key, const void *value, int aux,
			struct pw_sigset *out)
{
	if (!value || aux != (int)sizeof(sigset_t))
		return bad(key, "needs a sigset_t with aux = sizeof(sigset_t)");
	out->set = sigset_bits(value);
	return 0;
}

static int exec_key(struct handle *h, unsigned int cmd, const char *value,
		    int aux)
{
	char *execfn = NULL, *kpath = NULL;
	int fd = -1, fd_name = -1, err;

	if (cmd == PRISTINE_SET_PATH) {
		if (!value)
			return bad("exec", "needs a path");
		if ((fd = open_image(aux, value, &execfn, &kpath)) < 0)
			return -fd;
	} else if (cmd == PRISTINE_SET_FD) {
		if ((err = hold(aux, &fd)))
			return err;
		fd_name = aux;	/* fexecve(aux) calls it /dev/fd/aux */
	} else {
		return bad("exec", "takes PRISTINE_SET_PATH or PRISTINE_SET_FD");
	}
	err = record_image_fd(&h->req, fd, fd_name, execfn, kpath);
	free(execfn);
	free(kpath);
	if (!err)
		h->have_exec = 1;
	return err;
}

int strvec_add(struct strvec *sv, const char *s)
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

void strvec_free(struct strvec *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

int config_apply(struct handle *h, unsigned int cmd, const char *key,
		 const void *value, int aux)
{
	struct request *r = &h->req;
	struct pw_int iv = { .value = aux };
	struct pw_sigset ss;
	int n, fd = -1, err;

	if (!key)
		return bad(key, "no key");
#define NEED(c) do { if (cmd != (c)) return bad(key, "wrong command for this key"); } while (0)
	if (!strcmp(key, "exec"))
		return exec_key(h, cmd, value, aux);
	if (!strcmp(key, "argv") || !strcmp(key, "env")) {
		NEED(PRISTINE_SET_STRING);
		if (!value)
			return bad(key, "needs a string");
		return strvec_add(key[0] == 'a' ? &h->argv : &h->env, value);
	}
	if (!strcmp(key, "cwd")) {
		if (cmd == PRISTINE_SET_PATH) {
			if (!value)
				return bad(key, "needs a path");
			fd = openat(aux, value, O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0)
				return errno;
		} else {
			NEED(PRISTINE_SET_FD);
			if ((err = hold(aux, &fd)))
				return err;
		}
		return request_add_fd(r, PW_REQ_FCHDIR_FD, key, fd, NULL, 0, NULL, 0);
	}
	if (!strncmp(key, "fd:", 3)) {
		struct pw_fd f = { 0 };

		NEED(PRISTINE_SET_FD);
		if (number(key + 3, &n) < 0)
			return bad(key, "fd:N needs a decimal N >= 0");
		if ((err = hold(aux, &fd)))
			return err;
		f.target = n;
		return request_add_fd(r, PW_REQ_FD, key, fd, &f, sizeof(f), NULL, 0);
	}
	if (!strcmp(key, "close-from")) {
		NEED(PRISTINE_SET_INT);
		if (aux < 0)
			return EBADF;
		return request_add(r, PW_REQ_CLOSEFROM, key, &iv, sizeof(iv),
				   NULL, 0);
	}
	if (!strcmp(key, "umask")) {
		NEED(PRISTINE_SET_INT);
		if (aux < 0 || aux > 0777)
			return bad(key, "needs a mode within 0777");
		return request_add(r, PW_REQ_UMASK, key, &iv, sizeof(iv),
				   NULL, 0);
	}
	if (!strcmp(key, "setsid")) {
		NEED(PRISTINE_SET_FLAG);
		return request_add(r, PW_REQ_SETSID, key, NULL, 0, NULL, 0);
	}
	if (!strcmp(key, "pgroup")) {
		NEED(PRISTINE_SET_INT);
		if (aux < 0)
			return bad(key, "needs a process group id >= 0");
		return request_add(r, PW_REQ_SETPGID, key, &iv, sizeof(iv),
				   NULL, 0);
	}
	if (!strcmp(key, "sigmask") || !strcmp(key, "sigdefault") ||
	    !strcmp(key, "sigignore")) {
		uint32_t type = key[3] == 'm' ? PW_REQ_SIGMASK
				: key[3] == 'd' ? PW_REQ_SIGDEFAULT
						: PW_REQ_SIGIGNORE;

		NEED(PRISTINE_SET_BINARY);
		if ((err = sigset_value(key, value, aux, &ss)))
			return err;
		if (type == PW_REQ_SIGIGNORE &&
		    (ss.set & ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))))
			return bad(key, "SIGKILL and SIGSTOP cannot be ignored");
		return request_add(r, type, key, &ss, sizeof(ss), NULL, 0);
	}
	if (!strncmp(key, "rlimit:", 7)) {
		const struct rlimit *rl = value;
		struct pw_rlimit w = { 0 };
		size_t i;

		NEED(PRISTINE_SET_BINARY);
		if (!value || aux != (int)sizeof(struct rlimit))
			return bad(key, "needs a struct rlimit, aux = its size");
		for (i = 0; i < RLIMIT_NAMES; i++)
			if (!strcmp(key + 7, rlimit_names[i].name))
				break;
		if (i == RLIMIT_NAMES)
			return bad(key, "unknown resource name");
		if (rl->rlim_cur > rl->rlim_max)
			return bad(key, "soft limit above hard limit");
		w.resource = (uint32_t)rlimit_names[i].resource;
		w.cur = rl->rlim_cur;
		w.max = rl->rlim_max;
		return request_add(r, PW_REQ_RLIMIT, key, &w, sizeof(w), NULL, 0);
	}
	if (!strcmp(key, "no-new-privs")) {
		NEED(PRISTINE_SET_FLAG);
		return request_add(r, PW_REQ_NO_NEW_PRIVS, key, NULL, 0, NULL, 0);
	}
	if (!strcmp(key, "resetids")) {
		NEED(PRISTINE_SET_FLAG);
		return request_add(r, PW_REQ_RESETIDS, key, NULL, 0, NULL, 0);
	}
	if (!strcmp(key, "seccomp")) {
		NEED(PRISTINE_SET_BINARY);
		if (aux < 0 || (err = seccomp_check(value, (size_t)aux)))
			return bad(key, "not a valid seccomp BPF program");
		return request_add(r, PW_REQ_SECCOMP, key, value, (size_t)aux,
				   NULL, 0);
	}
	if (!strcmp(key, "name")) {
		NEED(PRISTINE_SET_STRING);
		if (!value)
			return bad(key, "needs a string");
		return request_add(r, PW_REQ_NAME, key, value,
				   strlen(value) + 1, NULL, 0);
	}
	if (!strcmp(key, "pdeathsig")) {
		NEED(PRISTINE_SET_INT);
		if (aux < 0 || aux > 64)
			return bad(key, "not a signal number");
		/* The parent death signal follows the thread that made the
		 * process: a pool member's is the pool's own thread. */
		if (h->from_pool && (err = handle_renew(h)))
			return err;
		return request_add(r, PW_REQ_PDEATHSIG, key, &iv, sizeof(iv),
				   NULL, 0);
	}
	if (!strcmp(key, "ctty")) {
		NEED(PRISTINE_SET_FD);
		if (!isatty(aux))
			return errno == EBADF ? EBADF : ENOTTY;
		if ((err = hold(aux, &fd)))
			return err;
		return request_add_fd(r, PW_REQ_CTTY, key, fd, NULL, 0, NULL, 0);
	}
	if (!strcmp(key, "mode")) {
		NEED(PRISTINE_SET_STRING);
		if (value && !strcmp(value, "loader"))
			h->mode = PW_RUN_LOADER;
		else if (value && !strcmp(value, "kernel"))
			h->mode = PW_RUN_KERNEL;
		else
			return bad(key, "is \"loader\" or \"kernel\"");
		return 0;
	}
#undef NEED
	return bad(key, "unknown key");
}
