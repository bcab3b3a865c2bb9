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
 * exchange_finish() in two halves, for a run that does not wait
 * (pristine_run_start()): exchange_send() sends the rest of the request
 * and returns 0, or a positive errno once the empty process is reaped
 * (a loader already gone is no error yet: its answer says why);
 * exchange_answer() waits for the loader's verdict on it, as
 * exchange_finish() does. The socket is readable once the verdict is in.
 */
int exchange_send(struct empty *e, struct sender *s);
int exchange_answer(struct empty *e, const struct request *req, int *route);

/*
 * Sends a template's first request (ending in PW_REQ_PREPARE) and waits for
 * the loader's "ready". On success the empty process waits for the rest
 * of its configuration; *route says how it will run the image.
 */
int exchange_prepare(struct empty *e, struct sender *s, int *route);

#endif
