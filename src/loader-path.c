#include <stdlib.h>
#include "internal.h"

const char *loader_path(void)
{
	const char *env = getenv("PRISTINE_LOADER");

	return env && *env ? env : PRISTINE_LOADER_PATH;
}
