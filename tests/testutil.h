/*
 * testutil.h — shared bits for the Check suites: a main() that runs one
 * suite (TAP output under `make check`), and paths into the source tree.
 */
#ifndef CLAIMCHECK_TESTUTIL_H
#define CLAIMCHECK_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

/* The source tree (set by `make check`; "." when run by hand from it). */
static inline const char *test_srcdir(void)
{
	const char *s = getenv("top_srcdir");
	return s && *s ? s : ".";
}

/* Path of a file in the source tree, in a static buffer (one at a time). */
static inline const char *test_path(const char *rel)
{
	static char buf[4096];
	snprintf(buf, sizeof buf, "%s/%s", test_srcdir(), rel);
	return buf;
}

/* A scratch folder inside the build tree, created on demand. */
static inline const char *test_tmpdir(void)
{
	static char buf[4096];
	const char *b = getenv("top_builddir");
	snprintf(buf, sizeof buf, "%s/tests/tmp", b && *b ? b : ".");
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", buf);
	if (system(cmd) != 0) abort();
	return buf;
}

#define TEST_MAIN(make_suite)                                                   \
	int main(void)                                                          \
	{                                                                       \
		SRunner *sr = srunner_create(make_suite());                     \
		srunner_run_all(sr, CK_ENV);                                    \
		int failed = srunner_ntests_failed(sr);                         \
		srunner_free(sr);                                               \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;                    \
	}

#endif
