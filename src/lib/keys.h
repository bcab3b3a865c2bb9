/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The keys of pristine_config(): a table read as the kernel's
 * fs_parameter_spec tables are by fs_parse(). A call is looked up, its
 * command and the shape of its value checked; then the key's builder
 * checks what is particular to it and appends its record.
 */
#ifndef PRISTINE_KEYS_H
#define PRISTINE_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include "request.h"

/* What the keys gather for one handle until its run. */
struct config {
	struct request req;
	/* argv and env grow one string per call; sent once, at the run. */
	struct strvec {
		char **v;
		size_t n, cap;
	} argv, env;
	uint32_t mode;		/* enum pw_run_mode */
	int have_exec;
	/* Credential keys given one after another: one step, applied in
	 * the order that works (wire.h), sent when another key follows or
	 * at the run (config_flush()). */
	struct {
		unsigned char w[56];	/* struct pw_creds */
		uint32_t *groups;
		char *keys;		/* "uid, groups": the step's name */
		int pending;
	} creds;
};

void config_init(struct config *c);
void config_free(struct config *c);
/* Appends the pending credential step, if there is one; the request's
 * error. */
int config_flush(struct config *c);

/* One pristine_config() call. */
struct key_call {
	unsigned int cmd;	/* enum pristine_cmd */
	const char *key;
	const void *value;
	int aux;
};

enum key_shape {
	KEY_NONE,	/* a flag: value and aux are not read */
	KEY_INT,	/* aux, within [lo, hi] */
	KEY_FDNUM,	/* aux, a descriptor number: EBADF below 0 */
	KEY_STRING,	/* value, a string */
	KEY_STRUCT,	/* value, an object of size bytes; aux, its size */
	KEY_BYTES,	/* value, aux bytes */
	KEY_FD,		/* aux, a descriptor of the caller */
	KEY_FILE,	/* PRISTINE_SET_PATH: value relative to dirfd aux;
			 * PRISTINE_SET_FD: aux */
};

enum key_flags {
	/*
	 * The record must be applied by a process the calling thread made
	 * now: a pool member's parent-death signal would follow the pool's
	 * thread, and a member holds the namespaces and root directory of
	 * its creation, which new namespaces would descend from. The
	 * caller of the table replaces a pool member first.
	 */
	KEY_OWN_PROCESS = 1u << 0,
};

struct key {
	const char *name;	/* the key; ending in ':', a prefix */
	unsigned int cmds;	/* the commands it takes: 1 << PRISTINE_SET_* */
	enum key_shape shape;
	int lo, hi;		/* KEY_INT */
	size_t size;		/* KEY_STRUCT */
	const char *why;	/* what a value of another shape is told */
	const char *wrong;	/* what another command is told, if not
				 * "wrong command for this key" */
	const char *perm;	/* what the step needs, if EPERM or EACCES
				 * at the run may mean a missing privilege */
	uint32_t type;		/* the record it makes (enum pw_type) */
	uint32_t sub;		/* PW_ATTR_*, PW_PROC_*, CLONE_NEW*, ... */
	unsigned int flags;	/* enum key_flags */
	int (*build)(const struct key *k, struct config *c,
		     const struct key_call *call);
};

/*
 * Finds the row of call's key and checks its command and value shape.
 * Returns 0 and *k, or EINVAL (or EBADF, KEY_FDNUM) with the message set.
 */
int key_parse(const struct key_call *call, const struct key **k);

/* For a step of key that failed with err at the run: what it needs, as
 * " (needs ...)", or "". */
const char *key_hint(const char *key, int err);

/* Builds k's record(s) for call into c: 0 or a positive errno. */
int key_build(const struct key *k, struct config *c,
	      const struct key_call *call);

#endif
