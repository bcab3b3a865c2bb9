/* The library's tests, one binary, several suites. */
#include <stdlib.h>
#include "testlib.h"

int main(void)
{
	SRunner *sr = srunner_create(open_suite());
	int failed;

	srunner_add_suite(sr, spawn_suite());
	srunner_add_suite(sr, guarantees_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
