/*
 * check_main.c - runs every module's Check suite.
 *
 * No OpenMP region may run in this process before srunner forks the tests:
 * libgomp's thread pool does not survive fork().
 */
#include <stdio.h>
#include <stdlib.h>
#include <check.h>

#include "suites.h"

int main(void)
{
    Suite *(*makers[])(void) = {
#define RD_SUITE(name) make_##name##_suite,
#include "suites.def"
#undef RD_SUITE
    };
    SRunner *sr = srunner_create(NULL);
    for (size_t i = 0; i < sizeof(makers) / sizeof(makers[0]); i++)
        srunner_add_suite(sr, makers[i]());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    int run = srunner_ntests_run(sr);
    srunner_free(sr);
    printf("unit: %d passed, %d failed\n", run - failed, failed);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
