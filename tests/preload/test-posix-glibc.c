/* The posix layer's suite, built with glibc's names (see glibc-names.h). */
#include "lib/lib-tests.h"

int main(void)
{
	static Suite *(*const suites[])(void) = { spawn_suite, NULL };

	return testlib_main(suites);
}
