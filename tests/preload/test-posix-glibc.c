/* The posix layer's suite, built with glibc's names (see glibc-names.h). */
#include <stdlib.h>
#include "testlib.h"

Suite *open_suite(void) { return NULL; }
Suite *guarantees_suite(void) { return NULL; }

int main(void)
{
	SRunner *sr = srunner_create(spawn_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
