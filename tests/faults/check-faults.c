/*
 * test-faults: what the library and the loader do when things go wrong
 * around them. The caller or the empty process is killed midway; a fake
 * loader answers garbage; a fake library feeds the real loader garbage;
 * limits run out; signals rain on the caller while other threads fork;
 * and privileges must not leak through the userspace path.
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include "faults.h"

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

int main(void)
{
	struct rlimit no_core = { 0, 0 };
	const char *tmp = getenv("TMPDIR");
	SRunner *sr;
	int failed;

	tests_builddir = getenv("tests_builddir");
	if (!tests_builddir)
		tests_builddir = ".";
	real_loader = getenv("PRISTINE_LOADER");
	if (!real_loader) {
		fprintf(stderr, "PRISTINE_LOADER is not set\n");
		return EXIT_FAILURE;
	}
	setrlimit(RLIMIT_CORE, &no_core);
	snprintf(faults_tmp, sizeof(faults_tmp), "%s/pristine-faults-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(faults_tmp) || chmod(faults_tmp, 0755) < 0) {
		perror(faults_tmp);
		return EXIT_FAILURE;
	}
	sr = srunner_create(death_suite());
	srunner_add_suite(sr, peer_suite());
	srunner_add_suite(sr, loader_input_suite());
	srunner_add_suite(sr, limits_suite());
	srunner_add_suite(sr, signals_suite());
	srunner_add_suite(sr, privilege_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	nftw(faults_tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	if (failed)
		return EXIT_FAILURE;
	return faults_skipped ? 77 : EXIT_SUCCESS;
}
