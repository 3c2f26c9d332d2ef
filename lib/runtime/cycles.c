/* SPDX-License-Identifier: BSD-3-Clause */
#include <pthread.h>
#include <time.h>

#include "runtime_priv.h"

static uint64_t tsc_hz;
static pthread_once_t calibrate_once = PTHREAD_ONCE_INIT;

static uint64_t mono_raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Counts TSC ticks over ~20 ms of CLOCK_MONOTONIC_RAW, three times, and keeps the median
 * so that one round disturbed between its two clock reads does not count. */
static void calibrate(void)
{
	uint64_t hz[3];

	for (int round = 0; round < 3; round++) {
		uint64_t t0 = mono_raw_ns(), c0 = sl_rdtsc_ordered(), t1, c1;

		do {
			t1 = mono_raw_ns();
		} while (t1 - t0 < 20000000);
		c1 = sl_rdtsc_ordered();
		hz[round] = (c1 - c0) * 1000000000u / (t1 - t0);
	}
	if (hz[0] > hz[1]) { uint64_t t = hz[0]; hz[0] = hz[1]; hz[1] = t; }
	if (hz[1] > hz[2]) { uint64_t t = hz[1]; hz[1] = hz[2]; hz[2] = t; }
	if (hz[0] > hz[1]) { uint64_t t = hz[0]; hz[0] = hz[1]; hz[1] = t; }
	/* Round to 10 kHz: the last digits are noise. */
	tsc_hz = (hz[1] + 5000) / 10000 * 10000;
}

void cycles_calibrate(void)
{
	pthread_once(&calibrate_once, calibrate);
}

uint64_t sl_tsc_hz(void)
{
	pthread_once(&calibrate_once, calibrate);
	return tsc_hz;
}

uint64_t sl_time_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void sl_delay_us(unsigned us)
{
	uint64_t end = sl_rdtsc() + sl_tsc_hz() * us / 1000000;

	while (sl_rdtsc() < end)
		sl_pause();
}
