/* SPDX-License-Identifier: BSD-3-Clause */
/* What the IPv4 and IPv6 LPM tests share: the lookup budget, log assertions and a
 * deterministic generator.  Include after <cmocka.h>. */
#ifndef SL_TEST_LPM_TEST_H
#define SL_TEST_LPM_TEST_H

#include <stdint.h>

#include "../log_capture.h"

/* Lookups per differential check: 1M in normal builds; sanitized builds run the same paths
 * with fewer repetitions (TSan is ~20x slower and these tests are single-threaded). */
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define CHECK_LOOKUPS (1u << 16)
#else
#define CHECK_LOOKUPS (1u << 20)
#endif
#define MISS 0xdeadbeefu

static struct log_capture logs;

static int setup_logs(void **state)
{
	(void)state;
	log_capture_start(&logs);
	return 0;
}

static int teardown_logs(void **state)
{
	(void)state;
	log_capture_stop();
	return 0;
}

/* Fails unless a log line since the last call has both a and b (b may be NULL). */
static void expect_log(const char *a, const char *b)
{
	if (!log_capture_has(&logs, a, b))
		fail_msg("expected an lpm log line with '%s' and '%s'; got:\n%s", a, b ? b : "",
			 logs.text);
	log_capture_start(&logs);
}

/* Deterministic random numbers (xorshift64*); tests seed rng_state. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

#endif
