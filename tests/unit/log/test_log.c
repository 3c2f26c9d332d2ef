/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "log_capture.h"
#include "sl_log.h"

SL_LOG_TYPE_DEFINE(alpha)
SL_LOG_TYPE_DEFINE(beta)

static struct log_capture cap;

static int setup(void **state)
{
	(void)state;
	sl_log_set_levels("notice");
	log_capture_start(&cap);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	log_capture_stop();
	return 0;
}

static void test_parse_level(void **state)
{
	(void)state;
	assert_int_equal(sl_log_parse_level("debug"), SL_LOG_DEBUG);
	assert_int_equal(sl_log_parse_level("ERR"), SL_LOG_ERR);
	assert_int_equal(sl_log_parse_level("warning"), SL_LOG_WARNING);
	assert_int_equal(sl_log_parse_level("8"), SL_LOG_DEBUG); /* DPDK numbering */
	assert_int_equal(sl_log_parse_level("4"), SL_LOG_ERR);
	assert_int_equal(sl_log_parse_level("loud"), -EINVAL);
	assert_int_equal(sl_log_parse_level("9"), -EINVAL);
	assert_int_equal(sl_log_parse_level(""), -EINVAL);
}

static void test_filter_by_level(void **state)
{
	(void)state;
	SL_LOG(alpha, DEBUG, "hidden %d", 1);
	SL_LOG(alpha, NOTICE, "shown %d", 2);
	SL_LOG(alpha, ERR, "bad value %d", 3);
	assert_int_equal(cap.lines, 2);
	assert_true(log_capture_has(&cap, "sluice: alpha: notice: shown 2", NULL));
	assert_true(log_capture_has(&cap, "alpha: error: bad value 3", NULL));
	assert_false(log_capture_has(&cap, "hidden", NULL));
}

static void test_per_type_levels(void **state)
{
	(void)state;
	assert_int_equal(sl_log_set_levels("*:error,beta:debug"), 0);
	SL_LOG(alpha, NOTICE, "alpha notice");
	SL_LOG(beta, DEBUG, "beta debug");
	assert_int_equal(cap.lines, 1);
	assert_true(log_capture_has(&cap, "beta: debug: beta debug", NULL));
	assert_int_equal(sl_log_set_levels("beta:shout"), -EINVAL);
}

static void test_late_registration_gets_rule(void **state)
{
	static struct sl_log_type late = {.name = "gamma", .level = SL_LOG_NOTICE};

	(void)state;
	assert_int_equal(sl_log_set_levels("gam*:debug"), 0);
	sl_log_register(&late);
	assert_int_equal(late.level, SL_LOG_DEBUG);
}

static void test_newline_trimmed_and_long_line_truncated(void **state)
{
	char big[2000];

	(void)state;
	SL_LOG(alpha, ERR, "ends with newline\n");
	assert_true(log_capture_has(&cap, "ends with newline", NULL));
	assert_false(strstr(cap.text, "newline\n\n") != NULL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	SL_LOG(alpha, ERR, "%s", big);
	assert_int_equal(cap.lines, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_by_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_per_type_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_registration_gets_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newline_trimmed_and_long_line_truncated, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
