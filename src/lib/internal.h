/* libpristine's internal interfaces. Nothing here is exported. */
#ifndef PRISTINE_INTERNAL_H
#define PRISTINE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "pristine.h"
#include "wire.h"
#include "build-id.h"
#include "request.h"

#define PRISTINE_EXPORT __attribute__((visibility("default")))

#include "empty.h"
#include "errmsg.h"
#include "exchange.h"
#include "image.h"
#include "seccomp-check.h"
#include "sender.h"

#endif
