/*
 * The thread-local details behind pristine_errmsg() and
 * pristine_last_route().
 */
#ifndef PRISTINE_ERRMSG_H
#define PRISTINE_ERRMSG_H

void errmsg_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Every public call starts with errmsg_clear(); a failure with no better
 * message set gets "what: strerror(err)". Returns err. */
void errmsg_clear(void);
int errmsg_default(int err, const char *what);
void route_set(int route);

#endif
