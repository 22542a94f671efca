#include "suites.h"
#include "engine/progress.h"

START_TEST(test_setup_and_free)
{
    RdProgress p = {0};
    ck_assert_int_eq(rd_progress_setup(&p, 5, 3), 0);
    ck_assert_int_eq(p.nchunks, 5);
    ck_assert_int_eq(atomic_load(&p.chunks[4].worker), -1);
    ck_assert_int_eq(atomic_load(&p.workers[2].chunk), -1);
    rd_progress_free(&p);
    ck_assert_ptr_null(p.chunks);
    rd_progress_free(&p); /* twice is harmless */
}
END_TEST

Suite *make_progress_suite(void)
{
    Suite *s = suite_create("progress");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_setup_and_free);
    suite_add_tcase(s, tc);
    return s;
}
