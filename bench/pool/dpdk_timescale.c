/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LD_PRELOAD shim for DPDK's dpdk-test, used by bench/pool/compare.sh only.
 *
 * mempool_perf_autotest runs each of its 720 cases for TIME_S = 5 s, timed with
 * rte_get_timer_cycles() against rte_get_timer_hz(), which (TSC timer, no HPET) is the
 * exported function rte_get_tsc_hz().  This shim interposes rte_get_tsc_hz() and returns the
 * real frequency divided by $SL_DPDK_TIME_SCALE (an integer, default 1), so each case lasts
 * 5 s / scale.  The loop, the pool and the cases are DPDK's own, untouched.  The printed
 * rate_persec is still the object count divided by 5, so the real rate is the printed one
 * times the scale; compare.sh does that multiplication.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>

uint64_t rte_get_tsc_hz(void);

uint64_t rte_get_tsc_hz(void)
{
	static uint64_t (*real)(void);
	static uint64_t scale;

	if (real == NULL) {
		const char *s = getenv("SL_DPDK_TIME_SCALE");
		char *end;

		*(void **)&real = dlsym(RTLD_NEXT, "rte_get_tsc_hz");
		if (real == NULL)
			abort(); /* preloaded into something that is not DPDK */
		scale = s != NULL ? strtoull(s, &end, 10) : 1;
		if (s == NULL || *end != '\0' || scale == 0)
			scale = 1;
	}
	return real() / scale;
}
