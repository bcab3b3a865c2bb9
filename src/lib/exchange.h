/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * The exchange with an empty process: the rest of its request out, the
 * loader's answer in. On failure the empty process is reaped.
 */
#ifndef PRISTINE_EXCHANGE_H
#define PRISTINE_EXCHANGE_H

#include "empty.h"
#include "sender.h"

/*
 * Sends the rest of a request ending in PW_REQ_RUN and waits for the
 * loader's verdict; a failing step is named in the message. Returns 0
 * or a positive errno; *route is how the image ran.
 */
int exchange_finish(struct empty *e, struct sender *s, int *route);

/*
 * Sends a template's first request (ending in PW_REQ_PREPARE) and waits for
 * the loader's "ready". On success the empty process waits for the rest
 * of its configuration; *route says how it will run the image.
 */
int exchange_prepare(struct empty *e, struct sender *s, int *route);

#endif
