#include "suites.h"
#include "engine/reorder.h"

START_TEST(test_in_order_release)
{
    RdReorder r;
    int items[4] = { 0, 1, 2, 3 };
    ck_assert_int_eq(rd_reorder_init(&r, 4), 0);
    /* chunks finish 2, 0, 3, 1 */
    ck_assert_int_eq(rd_reorder_push(&r, 2, &items[2]), 0);
    ck_assert_ptr_null(rd_reorder_pop(&r));
    ck_assert_int_eq(rd_reorder_push(&r, 0, &items[0]), 0);
    ck_assert_ptr_eq(rd_reorder_pop(&r), &items[0]);
    ck_assert_ptr_null(rd_reorder_pop(&r));
    ck_assert_int_eq(rd_reorder_push(&r, 3, &items[3]), 0);
    ck_assert_int_eq(r.held, 2);
    ck_assert_int_eq(rd_reorder_push(&r, 1, &items[1]), 0);
    ck_assert_int_eq(r.max_held, 3);
    ck_assert_ptr_eq(rd_reorder_pop(&r), &items[1]);
    ck_assert_ptr_eq(rd_reorder_pop(&r), &items[2]);
    ck_assert(!rd_reorder_done(&r));
    ck_assert_ptr_eq(rd_reorder_pop(&r), &items[3]);
    ck_assert(rd_reorder_done(&r));
    ck_assert_ptr_null(rd_reorder_pop(&r));
    rd_reorder_free(&r);
}
END_TEST

START_TEST(test_rejects)
{
    RdReorder r;
    int x;
    ck_assert_int_eq(rd_reorder_init(&r, 2), 0);
    ck_assert_int_lt(rd_reorder_push(&r, 2, &x), 0);
    ck_assert_int_lt(rd_reorder_push(&r, -1, &x), 0);
    ck_assert_int_lt(rd_reorder_push(&r, 0, NULL), 0);
    ck_assert_int_eq(rd_reorder_push(&r, 0, &x), 0);
    ck_assert_int_lt(rd_reorder_push(&r, 0, &x), 0); /* twice */
    ck_assert_ptr_eq(rd_reorder_pop(&r), &x);
    ck_assert_int_lt(rd_reorder_push(&r, 0, &x), 0); /* already released */
    rd_reorder_free(&r);
}
END_TEST

Suite *make_reorder_suite(void)
{
    Suite *s = suite_create("reorder");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_in_order_release);
    tcase_add_test(tc, test_rejects);
    suite_add_tcase(s, tc);
    return s;
}
