#define _GNU_SOURCE
#include <stdlib.h>
#include "internal.h"

/*
 * Not in a set-user-ID or otherwise privileged program (secure_getenv()):
 * there the environment comes from a less privileged user, who would
 * choose the program that runs with the caller's privileges.
 */
const char *loader_path(void)
{
	const char *env = secure_getenv("PRISTINE_LOADER");

	return env && *env ? env : PRISTINE_LOADER_PATH;
}
