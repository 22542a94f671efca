#ifndef RD_TEST_SUITES_H
#define RD_TEST_SUITES_H
#include <check.h>
#define RD_SUITE(name) Suite *make_##name##_suite(void);
#include "suites.def"
#undef RD_SUITE
/* Video tests decode and encode for real: Check's 4 s default is too short. */
#define RD_VIDEO_TIMEOUT 120
#endif
