/*
 * pristine_open() and pristine_run(): an empty process per handle. The
 * handle is the library's end of the control socket; a registry maps it to
 * the process and the configuration gathered so far. Handles the caller
 * closed without running are noticed (the fd no longer names the same
 * socket) and their processes killed and reaped on the next call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include "handle.h"
#include "reserve.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct handle *handles;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* Around fork(): a child must not inherit the lock held by another thread
 * (its first call of the library would wait for ever). */
static void lock_registry(void)
{
	pthread_mutex_lock(&lock);
}

static void unlock_registry(void)
{
	pthread_mutex_unlock(&lock);
}

static void install_atfork(void)
{
	pthread_atfork(lock_registry, unlock_registry, unlock_registry);
}

static void registry_lock(void)
{
	pthread_once(&atfork_once, install_atfork);
	pthread_mutex_lock(&lock);
}

static void handle_free(struct handle *h)
{
	request_free(&h->req);
	strvec_free(&h->argv);
	strvec_free(&h->env);
	free(h);
}

static int same_socket(const struct handle *h)
{
	struct stat st;

	return fstat(h->e.sock, &st) == 0 && st.st_dev == h->dev &&
	       st.st_ino == h->ino;
}

/* With the lock held: forget handles whose fd was closed by the caller. */
static void sweep(void)
{
	struct handle **pp = &handles, *h;

	while ((h = *pp)) {
		if (same_socket(h)) {
			pp = &h->next;
			continue;
		}
		*pp = h->next;
		h->e.sock = -1;		/* the number is not ours anymore */
		empty_abort(&h->e);
		handle_free(h);
	}
}

void handles_sweep(void)
{
	if (!__atomic_load_n(&handles, __ATOMIC_RELAXED))
		return;
	registry_lock();
	sweep();
	pthread_mutex_unlock(&lock);
}

struct handle *handle_get(int fd)
{
	struct handle *h;

	registry_lock();
	sweep();
	for (h = handles; h; h = h->next)
		if (h->e.sock == fd)
			return h;
	pthread_mutex_unlock(&lock);
	errno = EBADF;
	return NULL;
}

void handle_put(struct handle *h)
{
	(void)h;
	pthread_mutex_unlock(&lock);
}

int handle_renew(struct handle *h)
{
	struct pw_sigset all = { .set = ~0ull };
	struct empty fresh;
	struct stat st;
	int err;

	if ((err = empty_create(&fresh, EMPTY_NO_FDS, NULL, 1)))
		return err;
	/* The handle keeps its number: the new socket takes the old one's. */
	if (dup3(fresh.sock, h->e.sock, O_CLOEXEC) < 0 ||
	    fstat(h->e.sock, &st) < 0) {
		err = errno;
		empty_abort(&fresh);
		return err;
	}
	close(fresh.sock);
	fresh.sock = h->e.sock;
	h->e.sock = -1;		/* its number is the new socket's now */
	empty_abort(&h->e);
	h->e = fresh;
	h->dev = st.st_dev;
	h->ino = st.st_ino;
	h->from_pool = 0;
	/* A fresh exec kept the caller's ignored signals: reset them all
	 * first, as an empty process starts. */
	return request_prepend(&h->req, PW_REQ_SIGDEFAULT, "sigdefault", &all,
			       sizeof(all));
}

PRISTINE_EXPORT int pristine_open(unsigned int flags)
{
	struct pw_sigset all = { .set = ~0ull };
	struct member m;
	struct handle *h;
	struct stat st;
	int err;

	errmsg_clear();
	if (flags & ~PRISTINE_CLOEXEC) {
		errmsg_set("pristine_open: unknown flags %#x", flags);
		errno = EINVAL;
		return -1;
	}
	if (!(h = calloc(1, sizeof(*h)))) {
		errno = errmsg_default(ENOMEM, "pristine_open");
		return -1;
	}
	request_init(&h->req);
	h->e.pidfd = -1;
	if (pool_take(&m) && !inherit_open(&h->req, m.ignored, m.creds)) {
		/* A member made earlier, brought up to date. */
		h->e = m.e;
		h->from_pool = 1;
		err = 0;
		pool_refill();
	} else {
		if (h->req.err) {	/* a stale member */
			empty_abort(&m.e);
			if (h->req.err == ESTALE)
				pool_flush();
			request_free(&h->req);
			request_init(&h->req);
		}
		/* An empty process starts with every signal at default. */
		request_add(&h->req, PW_REQ_SIGDEFAULT, "sigdefault", &all,
			    sizeof(all), NULL, 0);
		err = empty_create(&h->e, EMPTY_NO_FDS, NULL, 1);
	}
	if (!err && fstat(h->e.sock, &st) < 0)
		err = errno;
	if (err) {
		if (h->e.pidfd >= 0)
			empty_abort(&h->e);
		request_free(&h->req);
		free(h);
		errno = errmsg_default(err, "pristine_open");
		return -1;
	}
	h->dev = st.st_dev;
	h->ino = st.st_ino;
	registry_lock();
	sweep();
	h->next = handles;
	handles = h;
	pthread_mutex_unlock(&lock);
	return h->e.sock;
}

PRISTINE_EXPORT int pristine_config(int handle, unsigned int cmd,
				    const char *key, const void *value,
				    int aux)
{
	struct handle *h;
	int err;

	errmsg_clear();
	if (!(h = handle_get(handle))) {
		errmsg_set("pristine_config: %d is not a pristine handle",
			   handle);
		return -1;
	}
	err = config_apply(h, cmd, key, value, aux);
	handle_put(h);
	if (err) {
		if (!pristine_errmsg()[0])
			errmsg_set("pristine_config: key \"%s\": %s",
				   key ? key : "(null)", strerror(err));
		errno = err;
		return -1;
	}
	return 0;
}

/* Takes h out of the registry: the run consumes the handle. */
static struct handle *handle_take(int fd)
{
	struct handle **pp, *h;

	registry_lock();
	sweep();
	for (pp = &handles; (h = *pp); pp = &h->next)
		if (h->e.sock == fd) {
			*pp = h->next;
			break;
		}
	pthread_mutex_unlock(&lock);
	return h;
}

PRISTINE_EXPORT int pristine_run(int handle, pid_t *pid)
{
	struct handle *h;
	struct pw_run run;
	struct sender s;
	uint32_t step = 0;
	int err, route, pidfd;

	errmsg_clear();
	if (!(h = handle_take(handle))) {
		errmsg_set("pristine_run: %d is not a pristine handle", handle);
		errno = EBADF;
		return -1;
	}
	run = (struct pw_run){ .mode = h->mode };
	if (!h->have_exec) {
		errmsg_set("pristine_run: no \"exec\" configured");
		err = EINVAL;
		empty_abort(&h->e);
	} else if ((err = request_add_strings(&h->req, PW_REQ_ARGV, "argv",
					      h->argv.v)) ||
		   (err = request_add_strings(&h->req, PW_REQ_ENVP, "env",
					      h->env.v)) ||
		   (err = request_add(&h->req, PW_REQ_RUN, "run", &run,
				      sizeof(run), NULL, 0))) {
		empty_abort(&h->e);
	} else {
		sender_init(&s, &h->req);
		err = empty_finish(&h->e, &s, &step, &route);
		if (err && step)
			errmsg_set("step %u (%s): %s", step,
				   request_key(&h->req, step), strerror(err));
	}
	pidfd = h->e.pidfd;
	if (!err) {
		route_set(route);
		if (pid)
			*pid = h->e.pid;
	}
	handle_free(h);
	if (err) {
		errno = errmsg_default(err, "pristine_run");
		return -1;
	}
	return pidfd;
}
